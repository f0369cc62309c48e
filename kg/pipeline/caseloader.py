"""Map case files (YAML or Turtle) to triples, by the ontology itself.

A key is a property's local name, and the property's declared kind and range decide how the
value is read. Problems are collected, not raised one at a time, so a user sees every
problem of a run at once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from kg.core.budget import DEFAULT, Budget
from kg.core.errors import INPUT_RULES, Finding, InputError
from kg.core.namespaces import AIG, ID
from kg.core.project import DATA_SUFFIXES, Project
from kg.core.reader import Scalar, YList, YMap, YValue, compose_yaml, read_text
from kg.core.terms import (
    INSTANCE_ID,
    TERM_ID,
    short_local,
)
from kg.pipeline import casevocab
from kg.pipeline.casevalues import ValueReader
from kg.pipeline.casevocab import Vocabulary

if TYPE_CHECKING:
    from kg.pipeline.load import LoadedKG

# Lines of canonical N-Triples (as Oxigraph writes them) that the Turtle checks look for.
BLANK_LINE = re.compile(r"^(?:(_:\S+) |(\S+) \S+ _:\S+ \.$)", re.M)
SOURCE_LINE = re.compile(rf"^<([^>]*)> <{re.escape(str(DCTERMS.source))}> <([^>]*)> \.$", re.M)
TYPED_LINE = re.compile(rf"^<([^>]*)> <{re.escape(str(RDF.type))}> (.+) \.$", re.M)


@dataclass
class Location:
    file: str
    line: int




class CaseLoader(ValueReader):
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
        self._term_name_cache: tuple[int, set[str]] = (-1, set())

    def refuse(self, files: list[Path]) -> None:
        """Files in data/ that look like data but are never read (never parsed at all)."""
        for path in files:
            display = self.project.relative(path)
            if self.project.leaves(path):  # named by the link, never by what it points to
                from kg.core.textsafe import file_name

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
        unsafe: set[str] = set()
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
            before = len(self.findings)
            root = compose_yaml(text, display, self.findings, self.budget.max_records)
            if any(f.rule in INPUT_RULES for f in self.findings[before:]):
                unsafe.add(display)  # a value no output can carry: read, never kept
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
            if display in unsafe:
                self._map_aside(display, root)
            else:
                self._map_file(display, root)

    def _map_aside(self, display: str, root: YMap) -> None:
        """Map a file that holds a value no output can carry (an unpaired surrogate, a
        control character, a value over the size limit): its problems are found, its
        triples are dropped, and its records count as unreadable (kg.unread), so what
        the shapes and QC queries then miss about them is not reported again."""
        from rdflib import Graph

        kept, self.kg.data = self.kg.data, Graph(store="SimpleMemory")
        try:
            self._map_file(display, root)
        finally:
            self.kg.data = kept
        for subject, where in self.kg.locations.items():
            if where.file == display:
                self.kg.unread.add((subject, RDF.type))
                self.new_classes.pop(subject, None)

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
            data = ox.serialize(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE,
                                         base_iri=str(ID)),
                                format=ox.RdfFormat.N_TRIPLES)
            assert data is not None  # with no output file, serialize returns the bytes
            lines = data.decode("utf-8")
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

    @staticmethod
    def _record_subject(record: YMap) -> tuple[str, URIRef] | None:
        """The record's id and the IRI it names, or None if it has no usable id."""
        id_node = record.get("id")
        if not isinstance(id_node, Scalar):
            return None
        value = id_node.value
        if INSTANCE_ID.match(value):
            return value, ID[value]
        if TERM_ID.match(value):
            return value, AIG[value]
        return None

    def _map_record(self, display: str, record: YMap, default_curated: YValue | None) -> None:
        named = self._record_subject(record)
        if named is None:
            return
        value, subject = named
        self.kg.locations[subject] = Location(display, record.line)
        if record.get("a") is None:
            self.kg.unread.add((subject, RDF.type))
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
            before = len(self.findings)
            if key == "a":
                self._map_types(display, line, node, subject, value, is_term)
            else:
                self._map_key(display, key, line, node, subject, value, is_term)
            if len(self.findings) > before:
                self._unread(subject, key)

    def _unread(self, subject: URIRef, key: str) -> None:
        """Note that a value of ``key`` could not be read (for a misspelt key, of the
        property it was taken for), so what a shape then misses is not said twice."""
        if key == "a":
            self.kg.unread.add((subject, RDF.type))
            return
        close = [key] if key in self.vocab.properties else difflib.get_close_matches(
            key, list(self.vocab.properties), n=1)
        if close:
            self.kg.unread.add((subject, self.vocab.properties[close[0]].iri))

    def _map_types(self, display: str, line: int, node: YValue, subject: URIRef, value: str,
                   is_term: bool) -> None:
        """The record's `a:` classes."""
        types = [self._resolve_class(item, display, value, is_term)
                 for item in self._scalars(node, display, value)]
        for cls in types:
            if cls is not None:
                self.kg.data.add((subject, RDF.type, cls))
        if is_term and None not in types and set(types) - {SKOS.Concept} != {OWL.Class}:
            self.findings.append(casevocab.new_term_not_a_class(display, line, value))

    def _map_key(self, display: str, key: str, line: int, node: YValue, subject: URIRef,
                 value: str, is_term: bool) -> None:
        """One property key of a record (any key but `id` and `a`)."""
        problem = casevocab.schema_key(key, is_term)
        if problem:
            self.findings.append(Finding(display, line, value, "schema-in-case", *problem))
            return
        info = self.vocab.properties.get(key)
        if info is None:
            close = difflib.get_close_matches(key, list(self.vocab.properties), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else (
                "keys are the ontology's property names; see docs/data-dictionary.md")
            self.findings.append(Finding(display, line, value, "unknown-key",
                                         f"unknown key '{key}'", hint))
            return
        self.kg.key_lines[(subject, info.iri)] = line
        if info.kind == "text":
            for literal in self._text(node, display, value):
                self.kg.data.add((subject, info.iri, literal))
            return
        for item in self._scalars(node, display, value):
            obj = self._value(info, item, display, value, key)
            if obj is not None:
                self.kg.data.add((subject, info.iri, obj))
