"""Case files assert data, not schema.

A case file (YAML or Turtle in ``data/``) describes curated entities with the project's
instance vocabulary: the classes of the ontology, its properties, labels, definitions,
sources and SKOS mappings. It may not change what the ontology means — no
``owl:sameAs`` (``id:deepseek owl:sameAs id:huawei`` would merge two companies'
exposures), no OWL or RDFS axiom on any term (``aig:within a owl:SymmetricProperty``,
``aig:Country rdfs:subClassOf aig:Company``), no statement about a term of the ontology
and no term of the OWL, RDFS or RDF vocabularies themselves. Changing the ontology is a
change to ``ontology/``, reviewed as code.

One extension is kept, narrowly: a YAML case may add a *new* class (an UpperCamelCase
id, ``a: owl:Class``) under an existing risk type, activity type, artefact kind or
instrument or event kind (docs/adding-a-case.md). It names a term no one has defined, so
it changes no existing term: it only gives new records a more specific type. Its parent
must lie under ``GovernanceRisk``, ``Activity``, ``Artefact`` or ``RiskSource`` (perhaps
through another new class); it takes no ``subPropertyOf`` and no other OWL type.

The checks run at load (kg/pipeline/load.py) and name the file and line. On Turtle they run on
the canonical N-Triples text with regular expressions, so a million-line file is scanned
in C; the line is looked up in the source only for a finding.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.core.errors import Finding
from kg.core.namespaces import AIG, ID, PREFIXES

if TYPE_CHECKING:
    from kg.core.table import Table
    from kg.pipeline.caseloader import Location
    from kg.pipeline.load import LoadedKG

SCHEMA_NAMESPACES = (str(OWL), str(RDFS), str(RDF))
ONTOLOGY_HINT = ("a case file asserts data, not schema: changing what the ontology means is "
                 "a change to ontology/, reviewed as code")
# Where a case file may add a class: under these (docs/adding-a-case.md).
EXTENSIBLE_ROOTS = ("GovernanceRisk", "Activity", "Artefact", "RiskSource")
SCHEMA_KEYS = ("subClassOf", "subPropertyOf")
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
            SKOS.relatedMatch)  # alignments; a QC query checks their targets
MERGING = {str(OWL.sameAs): "would make two entities one (and merge their exposures)",
           str(OWL.equivalentClass): "would make two classes one",
           str(OWL.equivalentProperty): "would make two properties one"}
MAX_REPORTED = 10  # distinct problems reported per Turtle file

_PREDICATE = re.compile(r"^<[^>]*> <([^>]*)> ", re.M)
_FOREIGN_SUBJECT = re.compile(rf"^<(?!{re.escape(str(ID))})([^>]*)> ", re.M)
_SCHEMA_OBJECT = re.compile(r" <((?:" + "|".join(re.escape(ns) for ns in SCHEMA_NAMESPACES)
                            + r")[^>]*)> \.$", re.M)
# Anything of the OWL, RDFS or RDF vocabularies but rdf:type, rdfs:label and rdfs:comment
# (a datatype such as rdf:HTML too: the slower check then finds no object to name).
_SCHEMA_ANYWHERE = re.compile(r"<http://www\.w3\.org/(?:2002/07/owl#|2000/01/rdf-schema#"
                              r"(?!(?:label|comment)> [<\"_])|1999/02/22-rdf-syntax-ns#"
                              r"(?!type> [<\"_]))")
_PREFIX_DECLARATION = re.compile(r"(?im)^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")


def short(iri: str) -> str:
    """``owl:sameAs``, ``aig:Country``, ``id:deepseek`` — or the IRI in brackets."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri if iri.startswith('"') else f"<{iri}>"  # a literal stays as written


def turtle_line(text: str, iri: str) -> int:
    """The first line of Turtle ``text`` that names ``iri``, in full or by one of the
    file's prefixes; 0 when none does (a relative IRI, say)."""
    found = [re.escape(f"<{iri}>")]
    for prefix, ns in _PREFIX_DECLARATION.findall(text):
        if iri.startswith(ns) and len(iri) > len(ns):
            found.append(rf"(?<![\w:.-]){re.escape(prefix)}:{re.escape(iri[len(ns):])}"
                         r"(?![\w:-]|\.\w)")
    match = re.search("|".join(found), text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _has_longer_line(text: str, limit: int) -> bool:
    """Whether a line of ``text`` is ``limit`` characters or longer: such a line holds a
    whole window of limit/2 characters with no newline, so a few ``find`` calls tell."""
    step = max(limit // 2, 1)
    if any(text.find("\n", start, start + step) < 0 and len(text) - start >= step
           for start in range(0, len(text), step)):
        return re.search(f"^[^\\n]{{{limit}}}", text, re.M) is not None
    return False


def _escaped_here(text: str, at: int) -> bool:
    """Whether the backslash at ``at`` starts an escape (an even run of backslashes
    before it), rather than ending an escaped backslash."""
    before = at
    while before and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 0


def _text_line(text: str, pattern: re.Pattern[str]) -> int:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


class CaseVocabulary:
    """What a case file may say, from the ontology (``Vocabulary``)."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.predicates = {str(p.iri) for key, p in vocab.properties.items()
                           if key not in SCHEMA_KEYS}
        self.predicates |= {str(RDF.type), *(str(m) for m in MAPPINGS)}
        self.properties = {str(p.iri) for p in vocab.properties.values()}

    # -- Turtle

    def turtle_findings(self, display: str, text: str, lines: str) -> list[Finding]:
        """Schema statements, foreign subjects and unusable characters in a Turtle case
        file's N-Triples ``lines`` (``text`` is the source, for line numbers)."""
        from kg.core.reader import BAD_NT_CHARACTER, MAX_VALUE_CHARS

        findings: list[Finding] = []

        def add(iri: str, rule: str, message: str, hint: str = ONTOLOGY_HINT) -> None:
            if len(findings) < MAX_REPORTED:
                findings.append(Finding(display, turtle_line(text, iri), "", rule, message,
                                        hint))

        for predicate in sorted(set(_PREDICATE.findall(lines)) - self.predicates):
            name = short(predicate)
            if predicate in MERGING:
                add(predicate, "schema-in-case", f"{name} {MERGING[predicate]}: a case file "
                    "may not state it")
            elif predicate.startswith(SCHEMA_NAMESPACES) or predicate in self.properties:
                add(predicate, "schema-in-case", f"{name} is a schema statement")
            else:
                add(predicate, "unknown-property", f"{name} is not a property of the "
                    "ontology", "case files use the ontology's properties; see "
                    "docs/data-dictionary.md")
        # Each check has a fast test (a count, a search with a literal prefix) first: the
        # slower one that names the terms runs only when there is something to name.
        ours = "\n<" + str(ID)
        if lines.count("\n") != lines.count(ours) + lines.startswith(ours[1:]):
            for subject in sorted(set(_FOREIGN_SUBJECT.findall(lines)))[:MAX_REPORTED]:
                add(subject, "schema-in-case", f"statements about {short(subject)}: a case "
                    f"file describes curated entities, named under {ID}")
        if _SCHEMA_ANYWHERE.search(lines):
            for obj in sorted(set(_SCHEMA_OBJECT.findall(lines)))[:MAX_REPORTED]:
                add(obj, "schema-in-case", f"{short(obj)} is a term of the OWL/RDFS "
                    "vocabulary itself")
        bad = next((m for m in BAD_NT_CHARACTER.finditer(lines)
                    if _escaped_here(lines, m.start())), None)
        if bad:
            raw = bad.group()
            if raw[-2:] in ("\\b", "\\f"):
                code = 8 if raw.endswith("b") else 12
            else:
                code = int(raw[-4:], 16)
            written = {8: r"|\\b", 12: r"|\\f"}.get(code, "")
            pattern = re.compile(re.escape(chr(code)) + rf"|\\u{code:04x}|\\U{code:08x}"
                                 + written, re.I)
            what = "a noncharacter" if code > 0xFFFD else "a control character"
            findings.append(Finding(display, _text_line(text, pattern), "", "bad-character",
                                    f"{what} (U+{code:04X}) in a value",
                                    "remove it: values are text, and no output format can "
                                    "carry it"))
        if _has_longer_line(lines, MAX_VALUE_CHARS + 200):
            findings.append(Finding(display, 0, "", "value-too-long", "a value of over "
                                    f"{MAX_VALUE_CHARS:,} characters", "a label or a "
                                    "description is a few sentences; cite the rest"))
        return findings

    def unknown_types(self, types: set[str]) -> set[str]:
        """Of the types a Turtle file gives (N-Triples terms), those that are not classes
        of the ontology (they may be classes a YAML case file adds: :meth:`type_findings`
        decides, once all are read)."""
        classes = self.vocab.classes
        return {t[1:-1] if t.startswith("<") else t for t in types
                if not t.startswith("<") or URIRef(t[1:-1]) not in classes}

    def type_findings(self, display: str, text: str, types: set[str]) -> list[Finding]:
        return [Finding(display, turtle_line(text, t), "", "unknown-class",
                        f"a {short(t)}: not a class of the ontology",
                        "see docs/data-dictionary.md for the classes")
                for t in sorted(types) if URIRef(t) not in self.vocab.classes][:MAX_REPORTED]


# --------------------------------------------------------------------------- YAML


def schema_key(key: str, is_term: bool) -> tuple[str, str] | None:
    """(message, hint) when ``key`` states schema on this record."""
    if key == "subPropertyOf":
        return ("subPropertyOf: a case file cannot declare properties", ONTOLOGY_HINT)
    if key == "subClassOf" and not is_term:
        return ("subClassOf: only a new class (an UpperCamelCase id, `a: owl:Class`) takes "
                "`subClassOf`", "give an instance its class with `a:`")
    return None


def class_problem(iri: URIRef, classes: set[URIRef], is_term: bool
                  ) -> tuple[str, str, str] | None:
    """(rule, message, hint) when ``a:`` names something a case file may not type with."""
    if str(iri).startswith(SCHEMA_NAMESPACES):
        what = ("a new class is `a: owl:Class`, and nothing else of the OWL/RDFS vocabulary"
                if is_term else "a case file cannot declare OWL/RDFS vocabulary")
        return ("schema-in-case", f"is a term of the OWL/RDFS vocabulary: {what}",
                ONTOLOGY_HINT)
    if iri not in classes:
        return ("unknown-class", "is not a class of the ontology",
                "see docs/data-dictionary.md for the classes")
    return None


def new_term_not_a_class(display: str, line: int, value: str) -> Finding:
    return Finding(display, line, value, "schema-in-case",
                   "a record with an UpperCamelCase id is a new class: `a: owl:Class`",
                   "use a kebab-case id for an instance (e.g. `acme-lab`)")


def redefinition(display: str, line: int, value: str) -> Finding:
    return Finding(display, line, "", "schema-in-case",
                   f"id '{value}' is a term of the ontology; a case file cannot redefine it",
                   ONTOLOGY_HINT)


def too_many_records(display: str, line: int, count: int, limit: int) -> Finding:
    return Finding(display, line, "", "budget",
                   f"{count:,} records in one file, over the limit of {limit:,}",
                   "split the file, or raise the limit with --max-records")


def new_class_findings(new: dict[URIRef, Location], kg: LoadedKG) -> list[Finding]:
    """A new class must sit under a risk type, an activity type, an artefact kind or an
    instrument or event kind of the ontology (perhaps through other new classes)."""
    if not new:
        return []
    ontology = kg.ontology
    allowed: set[URIRef] = set()
    for root in EXTENSIBLE_ROOTS:
        allowed |= {c for c in ontology.transitive_subjects(RDFS.subClassOf, AIG[root])
                    if isinstance(c, URIRef)}
    parents = {c: {p for p in kg.data.objects(c, RDFS.subClassOf) if isinstance(p, URIRef)}
               for c in new}
    pending = {c for c in new if c not in allowed}
    changed = True
    while changed:
        changed = False
        for cls in sorted(pending):
            if parents[cls] and parents[cls] <= allowed:
                allowed.add(cls)
                pending.discard(cls)
                changed = True
    findings = []
    for cls in sorted(pending):
        where = new[cls]
        line = kg.key_lines.get((cls, RDFS.subClassOf), where.line)
        outside = sorted(short(str(p)) for p in parents[cls] - allowed)
        message = (f"subClassOf {', '.join(outside)}: a new class may only extend a risk "
                   "type, an activity type, an artefact kind or an instrument or event kind"
                   if outside else "a new class needs `subClassOf`: the risk type, activity "
                   "type, artefact kind or instrument or event kind it is a kind of")
        findings.append(Finding(where.file, line, str(cls)[len(str(AIG)):], "schema-in-case",
                                message, ONTOLOGY_HINT))
    return findings


# --------------------------------------------------------------------------- depth


def depth_findings(kg: LoadedKG, table: Table, limit: int) -> list[Finding]:
    """The deepest chain of each transitive relation of the ontology (with its inverse
    and sub-properties) in the asserted ``table``, if it is over ``limit`` levels: its
    closure grows with the square of the depth (2,000 nested jurisdictions make two
    million links), so it is refused before reasoning starts."""
    ontology = kg.ontology
    transitive = sorted(p for p in ontology.subjects(RDF.type, OWL.TransitiveProperty)
                        if isinstance(p, URIRef) and str(p).startswith(str(AIG)))
    findings = []
    done: set[URIRef] = set()
    for prop in transitive:
        if prop in done:
            continue
        inverses = {q for q in ontology.objects(prop, OWL.inverseOf) if isinstance(q, URIRef)}
        inverses |= {q for q in ontology.subjects(OWL.inverseOf, prop) if isinstance(q, URIRef)}
        done |= {prop, *inverses}
        # a property is an IRI: the isinstance tests only tell the type checker so
        forward = {s for s in ontology.transitive_subjects(RDFS.subPropertyOf, prop)
                   if isinstance(s, URIRef)}
        backward = {s for q in inverses
                    for s in ontology.transitive_subjects(RDFS.subPropertyOf, q)
                    if isinstance(s, URIRef)}
        ahead, behind = list(_edges(table, forward)), list(_edges(table, backward))
        if len(behind) > len(ahead) and len(inverses) == 1:  # named as the data names it
            prop, forward, ahead, behind = next(iter(inverses)), backward, behind, ahead
        up: dict[str, set[str]] = defaultdict(set)
        for a, b in ahead:
            up[a].add(b)
        for a, b in behind:
            up[b].add(a)
        if len(up) <= limit:
            continue
        depth, node = _deepest(up)
        if depth > limit:
            findings.append(_too_deep(kg, prop, forward, up, node, depth, limit))
    return findings


def _edges(table: Table, predicates: Iterable[URIRef]) -> Iterable[tuple[str, str]]:
    """The links by these predicates between IRIs, from the table's index."""
    terms = table.terms
    for predicate in predicates:
        p = table.ids.get(f"<{predicate}>")
        if p is None:
            continue
        for s, o in table.pairs(p):
            if terms[s].startswith("<") and terms[o].startswith("<"):
                yield terms[s][1:-1], terms[o][1:-1]


def _deepest(up: dict[str, set[str]]) -> tuple[int, str]:
    """The longest chain of links upwards (a node with none is at depth 0), without
    recursion; a cycle (reported by a QC query) ends a chain."""
    depth: dict[str, int] = {}
    best, deepest = -1, ""
    for start in up:
        if start in depth:
            continue
        path, iterators, active, reach = [start], [iter(up[start])], {start}, {start: 0}
        while path:
            step = next(iterators[-1], None)
            if step is None:
                node = path.pop()
                iterators.pop()
                active.discard(node)
                depth[node] = reach.pop(node)
                if path:
                    reach[path[-1]] = max(reach[path[-1]], depth[node] + 1)
                continue
            if step in depth:
                reach[path[-1]] = max(reach[path[-1]], depth[step] + 1)
            elif step not in active:
                path.append(step)
                iterators.append(iter(up.get(step, ())))
                active.add(step)
                reach[step] = 0
        if depth[start] > best:
            best, deepest = depth[start], start
    return best, deepest


def _too_deep(kg: LoadedKG, prop: URIRef, forward: set[URIRef], up: dict[str, set[str]],
              node: str, depth: int, limit: int) -> Finding:
    from kg.core.terms import short_local

    chain = [node]
    while len(chain) < 4 and up.get(chain[-1]):
        chain.append(sorted(up[chain[-1]])[0])
    name = short(str(prop)).removeprefix("aig:")
    shown = f" {name} ".join(short_local(n) for n in chain) + (f" {name} …"
                                                             if depth >= len(chain) else "")
    where = kg.locations.get(URIRef(node))
    line = 0
    if where is not None:
        line = min((kg.key_lines.get((URIRef(node), p), 0) for p in forward), default=0) \
            or where.line
    return Finding(where.file if where else "", line, short_local(node), "budget",
                   f"lies {depth:,} levels deep in `{name}` ({shown}), over the limit of "
                   f"{limit}", "the closure of a transitive relation grows with the square "
                   "of its depth; raise the limit with --max-depth")


# --------------------------------------------------------------------------- vocabulary

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
        typed = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
        for prop in sorted(typed):
            if not str(prop).startswith(str(AIG)):
                continue
            types = set(ontology.objects(prop, RDF.type))
            local = str(prop)[len(str(AIG)):]
            if types & set(object_types):
                properties[local] = PropertyInfo(prop, "object")
            elif OWL.DatatypeProperty in types or OWL.AnnotationProperty in types:
                rng = ontology.value(prop, RDFS.range)
                kind = RANGE_KINDS.get(rng, "string") if isinstance(rng, URIRef) else "string"
                properties[local] = PropertyInfo(prop, kind)
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
