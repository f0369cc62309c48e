"""Load: read the ontology (Turtle) and the curated cases (YAML or Turtle) into RDF.

Every file goes through one bounded reader (size limit, UTF-8, no binary). YAML is
composed into nodes that keep their line numbers, with no implicit typing (``no`` and
``2025-01-30`` stay strings) and no anchors, and each record is mapped to triples by
the ontology itself: a key is a property's local name, and the property's declared
kind and range decide how the value is read. Problems are collected, not raised one
at a time, so a user sees every problem of a run at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg import casevocab
from kg.budget import DEFAULT, Budget
from kg.errors import Finding, InputError, ValidationFailed
from kg.namespaces import AIG, ID, PREFIXES
from kg.project import DATA_SUFFIXES, Project
from kg.table import Table
from kg.textsafe import file_name

# Below Oxigraph's 16 MiB parser buffer (a longer line or literal makes it fail): with
# MAX_VALUE_CHARS, no literal or line ever reaches it, even escaped.
MAX_INPUT_BYTES = 16_000_000
MAX_VALUE_CHARS = 1_000_000  # one value (a label, a description): 1 M characters at most
# What a value may not hold: C0 control characters but tab, newline and carriage return
# (ESC and NUL among them), unpaired surrogates (no UTF-8 can carry them) and the
# noncharacters U+FFFE and U+FFFF: none has a place in a label or a source, and XML 1.0
# (GraphML) cannot hold any of them. C1 controls (U+0085, a line separator) are allowed;
# the terminal shows them escaped (kg.textsafe.terminal).
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same in Oxigraph's N-Triples, which escapes them as \b, \f or \u00XX (a match is
# one if an even run of backslashes comes before it: kg.casevocab checks).
BAD_NT_CHARACTER = re.compile(r"\\(?:[bf]|u00(?:0[0-8BCEF]|1[0-9A-F])|uFFF[EF])")
INSTANCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_ID = re.compile(r"^[A-Z][A-Za-z0-9]*$")
PROPERTY_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")
PREFIXED = re.compile(r"^([a-z][a-z0-9]*):([A-Za-z_][A-Za-z0-9_.-]*)$")
LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Keys that are not ontology properties of our own, declared here as data:
# key -> (predicate, how the value is read).
SPECIAL_KEYS: dict[str, tuple[URIRef, str]] = {
    "label": (RDFS.label, "text"),
    "altLabel": (SKOS.altLabel, "text"),
    "definition": (SKOS.definition, "text"),
    "description": (DCTERMS.description, "text"),
    "scopeNote": (SKOS.scopeNote, "text"),
    "comment": (RDFS.comment, "text"),
    "identifier": (DCTERMS.identifier, "string"),
    "source": (DCTERMS.source, "source"),
    "curated": (AIG.curatedOn, "date"),
    "evidence": (DCTERMS.source, "source"),
    "officialText": (AIG.officialText, "source"),
    "statusSource": (AIG.statusSource, "source"),
    "subClassOf": (RDFS.subClassOf, "term"),
    "subPropertyOf": (RDFS.subPropertyOf, "term"),
    "broader": (SKOS.broader, "term"),
}
RANGE_KINDS = {
    XSD.date: "date",
    XSD.gYear: "year",
    XSD.boolean: "boolean",
    XSD.string: "string",
    XSD.integer: "integer",
    XSD.decimal: "decimal",
    RDF.langString: "text",
}


# --------------------------------------------------------------------------- reading


def _unreadable(display: str, line: int, problem: str) -> InputError:
    where = f"{display}:{line}" if line else display
    return InputError(f"{where}: {problem}", [Finding(display, line, "", "unreadable", problem)])


_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
              (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def read_text(path: Path, display: str, max_bytes: int | None = None) -> str:
    """The file's text, or an InputError naming the file (and line) and the problem.

    The one bounded reader for every input file: at most ``max_bytes`` (default
    MAX_INPUT_BYTES) are ever read, even from a file that grows while it is read; binary
    content (a NUL byte) and anything but UTF-8 are refused; a UTF-8 byte order mark is
    dropped.
    """
    limit = max_bytes or MAX_INPUT_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise _unreadable(display, 0, f"file is {size:,} bytes, over the {limit:,}-byte "
                              "input limit; split it into smaller files")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(display, 0, f"cannot read ({exc.strerror or exc})") from exc
    if len(raw) > limit:
        raise _unreadable(display, 0, f"file is over the {limit:,}-byte input limit; split it "
                          "into smaller files")
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            raise _unreadable(display, 1, f"the file is {encoding}-encoded; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise _unreadable(display, line, "binary content (NUL byte); expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _unreadable(display, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                          "save the file as UTF-8") from exc


def parse_turtle(text: str, display: str, graph: Graph | None = None) -> Graph:
    """Parse Turtle into ``graph``; syntax errors name the file and line."""
    target = graph if graph is not None else Graph()
    scratch = Graph()
    try:
        scratch.parse(data=text, format="turtle", publicID=ID)
    except Exception as exc:  # rdflib raises several types; all are syntax problems here
        message = " ".join(str(exc).split())
        match = re.search(r"line (\d+)", message)
        where = f"{display}:{match.group(1)}" if match else display
        raise InputError(f"{where}: Turtle syntax error: {message[:300]}") from exc
    for triple in scratch:
        target.add(triple)
    return target


def short_local(iri: str) -> str:
    """``acme-lab`` for an id IRI, the IRI itself otherwise (for findings)."""
    return iri[len(str(ID)):] if iri.startswith(str(ID)) else iri


# --------------------------------------------------------------------------- YAML nodes


@dataclass
class Scalar:
    value: str
    line: int


@dataclass
class YList:
    items: list[YValue]
    line: int


@dataclass
class YMap:
    items: dict[str, tuple[int, YValue]]
    line: int

    def get(self, key: str) -> YValue | None:
        entry = self.items.get(key)
        return entry[1] if entry else None


YValue = Scalar | YList | YMap


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader with no implicit scalar typing: every plain scalar is a string."""


_PlainLoader.yaml_implicit_resolvers = {}


class _FastPlainLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser, when PyYAML has it: about ten times faster on the
    curated data, with the same nodes and line marks. A file it refuses is read again by
    the pure-Python parser, whose syntax errors point at the offending line."""


_FastPlainLoader.yaml_implicit_resolvers = {}


MAX_YAML_DEPTH = 32  # case files nest 3 deep, profiles 5; PyYAML composes recursively
_OPENERS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def compose_yaml(text: str, display: str, findings: list[Finding],
                 max_records: int | None = None) -> YValue | None:
    """Compose YAML into line-numbered nodes. The token stream is checked first, so these
    are refused before anything is built: anchors and aliases (a "billion laughs" document
    never grows), tags (``!!python/object`` and friends mean nothing here), nesting
    deeper than MAX_YAML_DEPTH (which would exhaust the recursion of the composer) and,
    with ``max_records``, a case file with more records (``id:`` keys) than that."""
    try:
        return _compose(text, display, findings, _FastPlainLoader, max_records)
    except yaml.YAMLError:
        return _compose(text, display, findings, _PlainLoader, max_records)


def _compose(text: str, display: str, findings: list[Finding], loader: type,
             max_records: int | None = None) -> YValue | None:
    """compose_yaml with one parser; a syntax error escapes only from the fast one."""
    try:
        depth = ids = 0
        previous = None
        for token in yaml.scan(text, Loader=loader):
            problem = ""
            if (max_records and depth in (2, 3) and isinstance(token, yaml.ScalarToken)
                    and token.value == "id" and isinstance(previous, yaml.KeyToken)):
                ids += 1  # a record's id: counted while scanning, so a huge file stops early
                if ids > max_records:
                    rule, problem, hint = ("budget", f"more than {max_records:,} records in "
                                           "one file", "split the file, or raise the limit "
                                           "with --max-records")
            previous = token
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                rule, problem, hint = ("yaml-alias", "YAML anchors and aliases are not "
                                       "supported", "write the value out in full")
            elif isinstance(token, yaml.TagToken):
                rule, problem, hint = ("yaml-tag", "YAML tags (`!…`, `!!…`) are not supported",
                                       "write the value as plain text, quoted if need be")
            elif isinstance(token, _OPENERS):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    rule, problem, hint = ("yaml-depth", f"nested more than {MAX_YAML_DEPTH} "
                                           "levels deep", "a case file nests records, maps "
                                           "and lists only a few levels")
            elif isinstance(token, _CLOSERS):
                depth -= 1
            if problem:
                findings.append(Finding(display, token.start_mark.line + 1, "", rule,
                                        problem, hint))
                return None
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        if loader is not _PlainLoader:
            raise
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        lines = text.splitlines()
        near = lines[max(line - 2, 0):line] if line else lines
        hint = ("YAML indents with spaces, never tabs" if any("\t" in row for row in near)
                else "check the indentation and quoting on that line")
        findings.append(Finding(display, line, "", "yaml-syntax", f"YAML syntax error: {problem}",
                                hint))
        return None
    if root is None:
        return None
    seen: set[int] = set()
    return _convert(root, display, findings, seen)


def value_finding(value: str, display: str, line: int, subject: str = "") -> Finding:
    """The finding for a value that is too long or holds a character no value may hold
    (BAD_CHARACTER), named by its code point, never shown raw."""
    bad = BAD_CHARACTER.search(value)
    if bad is None:
        return Finding(display, line, subject, "value-too-long", f"a value of {len(value):,} "
                       f"characters, over the limit of {MAX_VALUE_CHARS:,}",
                       "a label or a description is a few sentences; cite the rest")
    char = bad.group()
    what = ("an unpaired surrogate" if "\ud800" <= char <= "\udfff" else
            "a noncharacter" if char in "\ufffe\uffff" else "a control character")
    return Finding(display, line, subject, "bad-character",
                   f"{what} (U+{ord(char):04X}) in a value",
                   "remove it: values are text, and no output format can carry it")


def _convert(node: yaml.Node, display: str, findings: list[Finding], seen: set[int]) -> YValue:
    line = node.start_mark.line + 1
    if id(node) in seen:
        findings.append(Finding(display, line, "", "yaml-alias",
                                "YAML anchors and aliases are not supported in case files",
                                "write the value out in full"))
        return Scalar("", line)
    seen.add(id(node))  # aliases are refused earlier; this guards against any that slip by
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if len(value) > MAX_VALUE_CHARS or BAD_CHARACTER.search(value):
            findings.append(value_finding(value, display, line))
        return Scalar(value, line)
    if isinstance(node, yaml.SequenceNode):
        return YList([_convert(item, display, findings, seen) for item in node.value], line)
    items: dict[str, tuple[int, YValue]] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            findings.append(Finding(display, key_line, "", "yaml-key", "a key must be plain text"))
            continue
        key = str(key_node.value)
        if BAD_CHARACTER.search(key):
            findings.append(value_finding(key, display, key_line))
            continue
        if key in items:
            findings.append(Finding(display, key_line, "", "duplicate-key",
                                    f"duplicate key '{key}' (first on line {items[key][0]})",
                                    "keep one; use a list for several values"))
            continue
        items[key] = (key_line, _convert(value_node, display, findings, seen))
    return YMap(items, line)


def valid_iri(text: str) -> bool:
    """Whether Oxigraph takes ``text`` as an absolute IRI: checked before any store sees it
    (a store refusing it later is an internal error)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _split(iri: str) -> SplitResult | None:
    """The parts of ``iri`` if it is an IRI Oxigraph takes (:func:`valid_iri`), else None."""
    if not valid_iri(iri):
        return None
    try:
        return urlsplit(iri)
    except ValueError:  # Python's own URL parser is stricter about some hosts
        return None


_LANGUAGES: dict[str, bool] = {}


def valid_language(tag: str) -> bool:
    """Whether Oxigraph takes ``tag`` as a language tag (BCP 47), as :func:`valid_iri`."""
    known = _LANGUAGES.get(tag)
    if known is None:
        import pyoxigraph as ox

        try:
            ox.Literal("", language=tag)
            known = True
        except ValueError:
            known = False
        _LANGUAGES[tag] = known
    return known


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class PropertyInfo:
    iri: URIRef
    kind: str  # object | text | string | date | boolean | integer | decimal | source | term


@dataclass
class Vocabulary:
    """What case files may say: keys (properties), classes and other ontology terms."""

    properties: dict[str, PropertyInfo]
    classes: set[URIRef]
    terms: set[URIRef]

    @classmethod
    def from_ontology(cls, ontology: Graph) -> Vocabulary:
        properties: dict[str, PropertyInfo] = {}
        object_types = (OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty)
        for prop in sorted(set(ontology.subjects(RDF.type, None))):
            if not isinstance(prop, URIRef) or not str(prop).startswith(str(AIG)):
                continue
            types = set(ontology.objects(prop, RDF.type))
            local = str(prop)[len(str(AIG)):]
            if types & set(object_types):
                properties[local] = PropertyInfo(prop, "object")
            elif OWL.DatatypeProperty in types or OWL.AnnotationProperty in types:
                rng = ontology.value(prop, RDFS.range)
                properties[local] = PropertyInfo(prop, RANGE_KINDS.get(rng, "string"))
        for key, (iri, kind) in SPECIAL_KEYS.items():
            properties[key] = PropertyInfo(iri, kind)
        classes = {
            c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)
        } | {c for c in ontology.subjects(RDF.type, RDFS.Class) if isinstance(c, URIRef)}
        terms = {
            s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(AIG))
        }
        return cls(properties, classes, terms)


# --------------------------------------------------------------------------- loading

# Lines of canonical N-Triples (as Oxigraph writes them) that the Turtle checks look for.
BLANK_LINE = re.compile(r"^(?:(_:\S+) |(\S+) \S+ _:\S+ \.$)", re.M)
SOURCE_LINE = re.compile(rf"^<([^>]*)> <{re.escape(str(DCTERMS.source))}> <([^>]*)> \.$", re.M)
TYPED_LINE = re.compile(rf"^<([^>]*)> <{re.escape(str(RDF.type))}> (.+) \.$", re.M)


@dataclass
class Location:
    file: str
    line: int


@dataclass
class LoadedKG:
    """The asserted graph, split by origin, with where each curated subject came from."""

    ontology: Graph
    data: Graph
    bulk: list[str] = field(default_factory=list)  # N-Triples text of the Turtle data files
    bulk_positions: range = range(0)  # where the bulk text's triples sit in the table
    locations: dict[URIRef, Location] = field(default_factory=dict)
    key_lines: dict[tuple[URIRef, URIRef], int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    text_dropped: bool = False

    def drop_text(self) -> None:
        """Free the Turtle data's N-Triples text once the table and the store hold it (a
        million-triple build then reasons with ~120 MB less); :meth:`asserted` and
        :meth:`ntriples_chunks` need it, so they refuse afterwards."""
        self.bulk = []
        self.text_dropped = True

    def _need_text(self) -> None:
        if self.text_dropped:
            raise RuntimeError("the Turtle data's text was dropped after loading")

    def asserted(self) -> Graph:
        """Everything asserted, as one rdflib graph (for pySHACL, owlrl and stats)."""
        self._need_text()
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        for triple in self.ontology:
            graph.add(triple)
        for triple in self.data:
            graph.add(triple)
        for text in self.bulk:
            graph.parse(data=text, format="nt")
        return graph

    def table(self) -> Table:
        """Everything asserted, as an interned triple table (for the fast path)."""
        from kg.store import quads

        table = Table()
        table.add_oxigraph(quads(self.ontology))
        table.add_oxigraph(quads(self.data))
        start = len(table)
        for text in self.bulk:
            table.add_lines(text)
        self.bulk_positions = range(start, len(table))
        return table

    def ntriples_chunks(self, table: Table) -> Iterator[bytes]:
        """``table`` (made by :meth:`table`, perhaps added to since) as N-Triples chunks
        for Oxigraph: the Turtle data files' text as parsed, then every other triple —
        so the bulk of the data is never re-serialised triple by triple in Python."""
        from kg.store import line_chunks

        self._need_text()
        for text in self.bulk:
            yield text.encode("utf-8")
        bulk = self.bulk_positions
        others = itertools.chain(table.span(0, bulk.start), table.span(bulk.stop))
        yield from line_chunks(table.lines(others))

    def locate(self, subject: str, predicate: str | None = None) -> tuple[str, int]:
        loc = self.locations.get(URIRef(subject))
        if loc is None:
            return "", 0
        line = self.key_lines.get((URIRef(subject), URIRef(predicate)), 0) if predicate else 0
        return loc.file, line or loc.line


def load_ontology(project: Project) -> Graph:
    graph = Graph()
    for path in project.ontology_files():
        display = project.relative(path)
        parse_turtle(read_text(path, display), display, graph)
    return graph


def load(project: Project, files: Iterable[Path] | None = None,
         budget: Budget | None = None) -> LoadedKG:
    """Load the ontology and the case files (all of ``data/`` unless ``files`` is given).

    Every problem in the case files is collected and raised together as one
    ValidationFailed, so a user sees all of them in one run. Case files assert data, not
    schema (:mod:`kg.casevocab`), and stay within the ``budget``'s records per file
    (:func:`kg.build.check` checks the depth of transitive relations on the table).
    """
    ontology = load_ontology(project)
    paths = list(project.data_files() if files is None else files)
    kg = LoadedKG(ontology=ontology, data=Graph())
    loader = _CaseLoader(Vocabulary.from_ontology(ontology), kg, project, budget or DEFAULT)
    loader.refuse(project.refused_data_files())
    loader.run(paths)
    loader.findings += casevocab.new_class_findings(loader.new_classes, kg)
    kg.files = [project.relative(p) for p in paths]
    if loader.findings:
        raise ValidationFailed(sorted(set(loader.findings)))
    return kg


class _CaseLoader:
    def __init__(self, vocab: Vocabulary, kg: LoadedKG, project: Project,
                 budget: Budget = DEFAULT):
        self.vocab = vocab
        self.kg = kg
        self.project = project
        self.budget = budget
        self.findings: list[Finding] = []
        self.instance_ids: dict[str, Location] = {}
        self.term_ids: dict[str, Location] = {}
        self.ontology_terms = frozenset(vocab.terms)  # before any case file adds to them
        self.new_classes: dict[URIRef, Location] = {}  # classes the case files add
        self.case_vocabulary = casevocab.CaseVocabulary(vocab)
        self.pending_types: list[tuple[str, str, set[str]]] = []  # Turtle, checked last

    def refuse(self, files: list[Path]) -> None:
        """Files in data/ that look like data but are never read (never parsed at all)."""
        for path in files:
            display = self.project.relative(path)
            if self.project.leaves(path):  # named by the link, never by what it points to
                from kg.textsafe import file_name

                display = file_name(str(path.relative_to(self.project.root)))
                self.findings.append(Finding(display, 0, "", "link-outside",
                                             "a symbolic link that leads out of the project; "
                                             "not read", "copy the file into data/ if it is "
                                             "a case file"))
                continue
            if path.suffix.lower() in DATA_SUFFIXES:
                hint = f"rename it to end in {path.suffix.lower()}"
            else:
                hint = ("convert it to Turtle (.ttl) or write it as a YAML case file; RDF/XML "
                        "and JSON-LD are not read, since they can pull in DTDs, entities or "
                        "remote contexts")
            self.findings.append(Finding(display, 0, "", "unsupported-format",
                                         f"not a case file: case files end in .yaml, .yml or "
                                         f".ttl, not {path.suffix}", hint))

    # pass 1: read every file, collect ids; pass 2: map records to triples
    def run(self, files: list[Path]) -> None:
        parsed: list[tuple[str, YMap]] = []
        for path in files:
            display = self.project.relative(path)
            try:
                text = read_text(path, display)
            except InputError as exc:
                self.findings.extend(exc.findings)
                continue
            if path.suffix == ".ttl":
                self._load_turtle(text, display)
                continue
            root = compose_yaml(text, display, self.findings, self.budget.max_records)
            if root is None:
                if not any(f.file == display for f in self.findings):
                    self.findings.append(Finding(display, 1, "", "empty-file",
                                                 "the case file is empty",
                                                 "add `curated:` and `records:`"))
                continue
            if not isinstance(root, YMap):
                self.findings.append(Finding(display, root.line, "", "case-shape",
                                             "a case file is a mapping with `curated` and "
                                             "`records`"))
                continue
            records = root.get("records")
            if isinstance(records, YList) and len(records.items) > self.budget.max_records:
                self.findings.append(casevocab.too_many_records(
                    display, records.items[self.budget.max_records].line,
                    len(records.items), self.budget.max_records))
                continue
            parsed.append((display, root))
            self._collect_ids(display, root)
        for display, text, types in self.pending_types:
            self.findings += self.case_vocabulary.type_findings(display, text, types)
        self.pending_types.clear()
        for display, root in parsed:
            self._map_file(display, root)

    def _load_turtle(self, text: str, display: str) -> None:
        """Turtle data is parsed by Oxigraph (strict, fast) and kept as Oxigraph triples."""
        import pyoxigraph as ox

        head = text.lstrip()[:200].lower()
        if head.startswith(("<?xml", "<!doctype", "<rdf:rdf")) or head.startswith(("{", "[{")):
            kind = "RDF/XML" if head.startswith("<") else "JSON(-LD)"
            self.findings.append(Finding(display, 1, "", "unsupported-format",
                                         f"this is {kind}, not Turtle", "convert it to Turtle; "
                                         "RDF/XML and JSON-LD are never read"))
            return

        try:
            lines = ox.serialize(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE,
                                          base_iri=str(ID)),
                                 format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        except SyntaxError as exc:
            message = " ".join(str(exc).split())
            match = re.search(r"line (\d+)|(\d+):\d+", message)
            line = int(next(g for g in match.groups() if g)) if match else 0
            self.findings.append(Finding(display, line, "", "turtle-syntax",
                                         f"Turtle syntax error: {message[:300]}"))
            return
        if not lines:
            self.findings.append(Finding(display, 1, "", "empty-file",
                                         "the case file has no triples",
                                         "add statements, or delete the file"))
            return
        # Checked on the canonical N-Triples text with regular expressions: a million
        # lines are scanned in C rather than as a million Python objects.
        blank = BLANK_LINE.search(lines)
        if blank:
            self.findings.append(Finding(display, 0, blank.group(1) or blank.group(2),
                                         "blank-node",
                                         "curated data may not use blank nodes",
                                         "give the node an IRI under " + str(ID)))
            return
        problems = self.case_vocabulary.turtle_findings(display, text, lines)
        if problems:
            self.findings += problems
            return
        typings = TYPED_LINE.findall(lines)
        typed = dict.fromkeys(subject for subject, _type in typings)
        if len(typed) > self.budget.max_records:
            self.findings.append(casevocab.too_many_records(display, 0, len(typed),
                                                            self.budget.max_records))
            return
        types = self.case_vocabulary.unknown_types({t for _s, t in typings})
        if types:  # perhaps classes a YAML case file adds: checked once all are read
            self.pending_types.append((display, text, types))
        for match in SOURCE_LINE.finditer(lines):
            subject = short_local(match.group(1))

            def fail(message: str, hint: str = "", subject: str = subject) -> None:
                self.findings.append(Finding(display, 0, subject, "bad-source",
                                             f"source: {message}", hint))

            if self._source(match.group(2), fail) is None:
                return
        self.kg.bulk.append(lines)
        # A typed subject is defined here; untyped ones only add statements to records
        # defined elsewhere (YAML or Turtle), which is how Turtle patches are written.
        for value in typed:
            local = value[len(str(ID)):] if value.startswith(str(ID)) else ""
            if not local or self.instance_ids.get(local, Location(display, 0)).file == display:
                if local:
                    self.instance_ids[local] = Location(display, 0)
                    self.kg.locations.setdefault(URIRef(value), Location(display, 0))
                continue
            first = self.instance_ids[local]
            self.findings.append(Finding(display, 0, local, "duplicate-id",
                                         f"id '{local}' is already defined at "
                                         f"{first.file}:{first.line}",
                                         "choose another id or merge the records"))

    def _records(self, display: str, root: YMap) -> list[YMap]:
        records = root.get("records")
        if records is None:
            self.findings.append(Finding(display, root.line, "", "case-shape",
                                         "missing `records:` list"))
            return []
        if not isinstance(records, YList):
            self.findings.append(Finding(display, records.line, "", "case-shape",
                                         "`records` must be a list of records"))
            return []
        out = []
        for item in records.items:
            if isinstance(item, YMap):
                out.append(item)
            else:
                self.findings.append(Finding(display, item.line, "", "case-shape",
                                             "each record is a mapping that starts with `- id:`"))
        return out

    def _collect_ids(self, display: str, root: YMap) -> None:
        for record in self._records(display, root):
            node = record.get("id")
            if not isinstance(node, Scalar) or not node.value:
                self.findings.append(Finding(display, record.line, "", "missing-id",
                                             "record has no `id`",
                                             "add `id:` with a kebab-case name"))
                continue
            value = node.value
            if INSTANCE_ID.match(value):
                table = self.instance_ids
            elif TERM_ID.match(value):
                table = self.term_ids
            else:
                self.findings.append(Finding(
                    display, node.line, "", "id-pattern", f"id '{value}' is not a valid id",
                    "use kebab-case for instances (e.g. `it-garante-order-2025`) or "
                    "UpperCamelCase for a new ontology class (e.g. `DeepfakeRisk`)"))
                continue
            if table is self.term_ids and AIG[value] in self.ontology_terms:
                self.findings.append(casevocab.redefinition(display, node.line, value))
                continue
            if value in table:
                first = table[value]
                self.findings.append(Finding(display, node.line, "", "duplicate-id",
                                             f"id '{value}' is already defined at "
                                             f"{first.file}:{first.line}",
                                             "choose another id or merge the records"))
                continue
            table[value] = Location(display, record.line)
            if table is self.term_ids and self._declares_class(record):
                self.vocab.classes.add(AIG[value])
            if table is self.term_ids:
                self.vocab.terms.add(AIG[value])

    def _declares_class(self, record: YMap) -> bool:
        node = record.get("a")
        values = node.items if isinstance(node, YList) else [node]
        return any(isinstance(v, Scalar) and v.value in ("owl:Class", "rdfs:Class")
                   for v in values)

    def _map_file(self, display: str, root: YMap) -> None:
        for key in root.items:
            if key not in ("curated", "records", "case", "description"):
                line = root.items[key][0]
                self.findings.append(Finding(display, line, "", "unknown-key",
                                             f"unknown top-level key '{key}'",
                                             "a case file has `curated`, `records` and "
                                             "optionally `case` and `description`"))
        default_curated = root.get("curated")
        for record in self._records(display, root):
            self._map_record(display, record, default_curated)

    def _map_record(self, display: str, record: YMap, default_curated: YValue | None) -> None:
        id_node = record.get("id")
        if not isinstance(id_node, Scalar):
            return
        value = id_node.value
        if INSTANCE_ID.match(value):
            subject = ID[value]
        elif TERM_ID.match(value):
            subject = AIG[value]
        else:
            return
        self.kg.locations[subject] = Location(display, record.line)
        if record.get("a") is None:
            self.findings.append(Finding(display, record.line, value, "missing-type",
                                         "record has no type (`a:`)",
                                         "add `a:` with a class, e.g. `a: Legislation`"))
        if record.get("curated") is None and default_curated is not None:
            record.items["curated"] = (default_curated.line, default_curated)
        is_term = str(subject).startswith(str(AIG))
        if is_term:
            if subject in self.ontology_terms:
                return  # refused by _collect_ids: a case file cannot redefine it
            self.new_classes[subject] = Location(display, record.line)
        for key, (line, node) in record.items.items():
            if key == "id":
                continue
            if key == "a":
                types = [self._resolve_class(item, display, value, is_term)
                         for item in self._scalars(node, display, value)]
                for cls in types:
                    if cls is not None:
                        self.kg.data.add((subject, RDF.type, cls))
                if is_term and None not in types and set(types) - {SKOS.Concept} != {OWL.Class}:
                    self.findings.append(casevocab.new_term_not_a_class(display, line, value))
                continue
            problem = casevocab.schema_key(key, is_term)
            if problem:
                self.findings.append(Finding(display, line, value, "schema-in-case", *problem))
                continue
            info = self.vocab.properties.get(key)
            if info is None:
                close = difflib.get_close_matches(key, list(self.vocab.properties), n=3)
                hint = f"did you mean {', '.join(close)}?" if close else (
                    "keys are the ontology's property names; see docs/data-dictionary.md")
                self.findings.append(Finding(display, line, value, "unknown-key",
                                             f"unknown key '{key}'", hint))
                continue
            self.kg.key_lines[(subject, info.iri)] = line
            if info.kind == "text":
                for literal in self._text(node, display, value):
                    self.kg.data.add((subject, info.iri, literal))
                continue
            for item in self._scalars(node, display, value):
                obj = self._value(info, item, display, value, key)
                if obj is not None:
                    self.kg.data.add((subject, info.iri, obj))

    # -- values

    def _scalars(self, node: YValue, display: str, subject: str) -> list[Scalar]:
        items = node.items if isinstance(node, YList) else [node]
        out = []
        for item in items:
            if isinstance(item, Scalar) and item.value.strip():
                out.append(item)
            else:
                self.findings.append(Finding(display, item.line, subject, "bad-value",
                                             "expected a value (text, id or date) here",
                                             "remove the empty or nested entry"))
        return out

    def _text(self, node: YValue, display: str, subject: str) -> list[Literal]:
        if isinstance(node, YMap):
            out = []
            for lang, (line, value) in node.items.items():
                if not LANG_TAG.match(lang) or not valid_language(lang):
                    self.findings.append(Finding(display, line, subject, "bad-language",
                                                 f"'{lang}' is not a language tag",
                                                 "use `en:` and `zh:`"))
                    continue
                for item in self._scalars(value, display, subject):
                    out.append(Literal(item.value.strip(), lang=lang))
            return out
        return [Literal(item.value.strip(), lang="en")
                for item in self._scalars(node, display, subject)]

    def _value(self, info: PropertyInfo, item: Scalar, display: str, subject: str,
               key: str) -> URIRef | Literal | None:
        text = item.value.strip()
        kind = info.kind

        def fail(message: str, hint: str = "") -> None:
            self.findings.append(Finding(display, item.line, subject, f"bad-{kind}",
                                         f"{key}: {message}", hint))

        if kind == "date":
            if not ISO_DATE.match(text):
                fail(f"'{text}' is not a date", "write dates as YYYY-MM-DD")
                return None
            try:
                dt.date.fromisoformat(text)
            except ValueError as exc:
                fail(f"'{text}' is not a real date ({exc})", "check the day and month")
                return None
            return Literal(text, datatype=XSD.date)
        if kind == "year":
            if not re.match(r"^\d{4}$", text):
                fail(f"'{text}' is not a year", "write the year as YYYY, e.g. 2023")
                return None
            return Literal(text, datatype=XSD.gYear)
        if kind == "boolean":
            if text not in ("true", "false"):
                fail(f"'{text}' is not true or false")
                return None
            return Literal(text, datatype=XSD.boolean)
        if kind == "integer":
            if not re.match(r"^-?\d+$", text):
                fail(f"'{text}' is not an integer")
                return None
            return Literal(text, datatype=XSD.integer)
        if kind == "decimal":
            if not re.match(r"^-?\d+(\.\d+)?$", text):
                fail(f"'{text}' is not a number")
                return None
            return Literal(text, datatype=XSD.decimal)
        if kind == "string":
            return Literal(text)
        if kind == "source":
            return self._source(text, fail)
        return self._resolve(text, display, item.line, subject, key, terms_only=kind == "term")

    def _source(self, text: str, fail) -> URIRef | Literal | None:
        scheme = SCHEME.match(text)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            fail(f"'{text[:60]}' uses the '{scheme.group(1)}:' scheme",
                 "a source is an http(s) URL or a plain citation")
            return None
        if scheme:
            parts = _split(text)
            if parts is None or not parts.netloc or any(c in text for c in ' <>"{}|\\^`'):
                fail(f"'{file_name(text[:80])}' is not a well-formed URL",
                     "percent-encode spaces and other characters an IRI cannot hold")
                return None
            return URIRef(text)
        return Literal(text)

    def _resolve(self, text: str, display: str, line: int, subject: str, key: str,
                 terms_only: bool = False) -> URIRef | None:
        def fail(message: str, pool: Iterable[str], listed: bool = False,
                 otherwise: str = "") -> None:
            names = sorted(pool)
            close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}?" if close else (
                f"{key} takes one of {', '.join(names)}" if listed and names else otherwise)
            self.findings.append(Finding(display, line, subject, "unknown-reference",
                                         f"{key}: {message}", hint))

        if text.startswith("<") and text.endswith(">"):
            iri = text[1:-1]
            parts = _split(iri)
            if parts is None or not parts.scheme or any(c in iri for c in ' <>"{}|\\^`'):
                fail(f"'{file_name(text)}' is not a valid IRI", [])
                return None
            return self._not_schema(URIRef(iri), text, display, line, subject, key)
        prefixed = PREFIXED.match(text)
        if prefixed:
            ns = PREFIXES.get(prefixed.group(1))
            if ns is None:
                fail(f"unknown prefix '{prefixed.group(1)}'", [f"{p}:" for p in PREFIXES])
                return None
            return self._not_schema(URIRef(ns + prefixed.group(2)), text, display, line,
                                    subject, key)
        term_names = {str(t)[len(str(AIG)):] for t in self.vocab.terms}
        if terms_only or TERM_ID.match(text) or (PROPERTY_ID.match(text) and text in term_names
                                                 and text not in self.instance_ids):
            if text in term_names:
                return AIG[text]
            allowed = self._allowed_values(key)
            pool = allowed or {n for n in term_names
                               if TERM_ID.match(n) or not TERM_ID.match(text)}
            fail(f"unknown ontology term '{text}'", pool,
                 listed=bool(allowed) and len(allowed) <= 16,
                 otherwise="see docs/data-dictionary.md for the ontology's terms")
            return None
        if INSTANCE_ID.match(text):
            if text in self.instance_ids:
                return ID[text]
            fail(f"unknown id '{text}'", self.instance_ids)
            return None
        fail(f"'{text}' is neither an id, an ontology term nor an IRI", [])
        return None

    def _not_schema(self, iri: URIRef, text: str, display: str, line: int, subject: str,
                    key: str) -> URIRef | None:
        """``iri``, unless it is a term of the OWL, RDFS or RDF vocabulary (a finding)."""
        if not str(iri).startswith(casevocab.SCHEMA_NAMESPACES):
            return iri
        self.findings.append(Finding(display, line, subject, "schema-in-case",
                                     f"{key}: '{text}' names the OWL/RDFS vocabulary itself",
                                     casevocab.ONTOLOGY_HINT))
        return None

    def _allowed_values(self, key: str) -> set[str]:
        """The ontology's individuals of the declared range of property ``key`` (the status
        values for `status`), for a hint that lists what the key takes."""
        info = self.vocab.properties.get(key)
        ontology = self.kg.ontology
        rng = ontology.value(info.iri, RDFS.range) if info else None
        if rng is None:
            return set()
        return {str(s)[len(str(AIG)):] for s in ontology.subjects(RDF.type, rng)
                if isinstance(s, URIRef) and str(s).startswith(str(AIG))}

    def _resolve_class(self, item: Scalar, display: str, subject: str,
                       is_term: bool = False) -> URIRef | None:
        text = item.value.strip()
        prefixed = PREFIXED.match(text)
        if prefixed and prefixed.group(1) in PREFIXES:
            iri = URIRef(PREFIXES[prefixed.group(1)] + prefixed.group(2))
            if iri == OWL.Class and is_term:
                return iri
            problem = casevocab.class_problem(iri, self.vocab.classes, is_term)
            if problem:
                self.findings.append(Finding(display, item.line, subject, problem[0],
                                             f"a: '{text}' {problem[1]}", problem[2]))
                return None
            return iri
        if TERM_ID.match(text) and AIG[text] in self.vocab.classes:
            return AIG[text]
        names = [str(c)[len(str(AIG)):] for c in self.vocab.classes if str(c).startswith(str(AIG))]
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        self.findings.append(Finding(display, item.line, subject, "unknown-class",
                                     f"a: '{text}' is not a class of the ontology",
                                     f"did you mean {', '.join(close)}?" if close else
                                     "see docs/data-dictionary.md for the classes"))
        return None
