"""Reason: OWL 2 RL closure, then the domain rules (SPARQL CONSTRUCT files).

Two closures give the same exposures:

* ``owlrl`` — the reference: owlrl's full OWL 2 RL closure (pure Python, slow).
* ``fast`` — a targeted materialiser of exactly the OWL 2 RL rules that the shipped
  ontology's constructs trigger (class and property hierarchies, domain and range,
  inverse, symmetric and transitive properties, two-step property chains,
  someValuesFrom / hasValue / intersectionOf / unionOf class expressions). If the
  graph uses a construct outside that set (owl:sameAs, functional properties, keys,
  allValuesFrom, cardinality...), it says so and the build falls back to owlrl.

The domain rules then run as SPARQL on the closed graph: on rdflib for the reference,
on the embedded Oxigraph store for the fast path. A test holds both to the same
exposures.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import RULE

Triple = tuple[Node, Node, Node]

BUILTIN_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)
OWLRL_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
REFLEXIVE_TRIVIAL = (OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf,
                     OWL.equivalentProperty)

# Constructs whose OWL 2 RL entailments the fast materialiser does not produce.
UNSUPPORTED = {
    OWL.sameAs: "owl:sameAs",
    OWL.FunctionalProperty: "owl:FunctionalProperty",
    OWL.InverseFunctionalProperty: "owl:InverseFunctionalProperty",
    OWL.hasKey: "owl:hasKey",
    OWL.allValuesFrom: "owl:allValuesFrom",
    OWL.maxCardinality: "owl:maxCardinality",
    OWL.maxQualifiedCardinality: "owl:maxQualifiedCardinality",
    OWL.cardinality: "owl:cardinality",
    OWL.oneOf: "owl:oneOf",
}


class UnsupportedConstruct(Exception):
    """The graph needs an OWL 2 RL rule the fast path does not implement."""


# --------------------------------------------------------------------------- trivial


def is_trivial(s: Node, p: Node, o: Node) -> bool:
    """Entailments that say nothing: reflexive links, owl:Thing, axiomatic vocabulary."""
    if isinstance(s, Literal):
        return True
    if p in REFLEXIVE_TRIVIAL and s == o:
        return True
    if p == RDF.type and o in (OWL.Thing, RDFS.Resource, OWL.Class, RDFS.Class):
        return True
    if p == RDFS.subClassOf and (o == OWL.Thing or s == OWL.Nothing):
        return True
    if isinstance(s, URIRef) and str(s).startswith(BUILTIN_NAMESPACES):
        return True
    return str(s).startswith(OWLRL_ERROR_NS) or str(p).startswith(OWLRL_ERROR_NS)


def inconsistencies(closure: Graph) -> list[str]:
    """owlrl's error messages plus any individual typed owl:Nothing."""
    problems = [str(m) for m in closure.objects(None, URIRef(OWLRL_ERROR_NS + "error"))]
    problems += [f"{s} is a member of owl:Nothing" for s in closure.subjects(RDF.type,
                                                                            OWL.Nothing)]
    return sorted(problems)


# --------------------------------------------------------------------------- owlrl


def closure_owlrl(asserted: Graph) -> Graph:
    """The reference closure: owlrl's OWL 2 RL, no axiomatic or datatype triples."""
    import owlrl

    graph = Graph()
    for triple in asserted:
        graph.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    return graph


# --------------------------------------------------------------------------- fast


@dataclass
class _Schema:
    superclasses: dict[Node, set[Node]]
    superproperties: dict[Node, set[Node]]
    domains: dict[Node, set[Node]]
    ranges: dict[Node, set[Node]]
    inverses: dict[Node, set[Node]]
    symmetric: set[Node]
    transitive: set[Node]
    chains_first: dict[Node, list[tuple[Node, Node]]]   # p1 -> [(p2, q)]
    chains_second: dict[Node, list[tuple[Node, Node]]]  # p2 -> [(p1, q)]
    svf_by_property: dict[Node, list[tuple[Node, Node]]]  # p -> [(restriction, filler)]
    svf_by_filler: dict[Node, list[tuple[Node, Node]]]    # filler -> [(restriction, p)]
    hv_by_property: dict[Node, list[tuple[Node, Node]]]   # p -> [(restriction, value)]
    hv_by_class: dict[Node, list[tuple[Node, Node]]]      # restriction -> [(p, value)]
    intersections: dict[Node, list[tuple[Node, list[Node]]]]  # member -> [(class, members)]
    unions: dict[Node, set[Node]]                         # member -> union classes


def _closure_map(edges: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    direct: dict[Node, set[Node]] = defaultdict(set)
    for a, b in edges:
        direct[a].add(b)
    result: dict[Node, set[Node]] = {}
    for start in list(direct):
        seen: set[Node] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(direct.get(node, ()))
        seen.discard(start)
        result[start] = seen
    return result


def _rdf_list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head)) if head != RDF.nil else []


def _schema(graph: Graph) -> _Schema:
    found = {name for pred, name in UNSUPPORTED.items()
             if (None, pred, None) in graph or (None, RDF.type, pred) in graph}
    if found:
        raise UnsupportedConstruct(", ".join(sorted(found)))
    sub_class = list(graph.subject_objects(RDFS.subClassOf))
    for a, b in graph.subject_objects(OWL.equivalentClass):
        sub_class += [(a, b), (b, a)]
    sub_prop = list(graph.subject_objects(RDFS.subPropertyOf))
    for a, b in graph.subject_objects(OWL.equivalentProperty):
        sub_prop += [(a, b), (b, a)]
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for a, b in graph.subject_objects(OWL.inverseOf):
        inverses[a].add(b)
        inverses[b].add(a)
    domains: dict[Node, set[Node]] = defaultdict(set)
    for p, c in graph.subject_objects(RDFS.domain):
        domains[p].add(c)
    ranges: dict[Node, set[Node]] = defaultdict(set)
    for p, c in graph.subject_objects(RDFS.range):
        ranges[p].add(c)
    chains_first: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    chains_second: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for q, head in graph.subject_objects(OWL.propertyChainAxiom):
        chain = _rdf_list(graph, head)
        if len(chain) != 2:
            raise UnsupportedConstruct(f"property chain of length {len(chain)} on {q}")
        chains_first[chain[0]].append((chain[1], q))
        chains_second[chain[1]].append((chain[0], q))
    svf_by_property: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    svf_by_filler: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for r, filler in graph.subject_objects(OWL.someValuesFrom):
        for p in graph.objects(r, OWL.onProperty):
            svf_by_property[p].append((r, filler))
            svf_by_filler[filler].append((r, p))
    hv_by_property: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    hv_by_class: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for r, value in graph.subject_objects(OWL.hasValue):
        for p in graph.objects(r, OWL.onProperty):
            hv_by_property[p].append((r, value))
            hv_by_class[r].append((p, value))
    intersections: dict[Node, list[tuple[Node, list[Node]]]] = defaultdict(list)
    for c, head in graph.subject_objects(OWL.intersectionOf):
        members = _rdf_list(graph, head)
        for m in members:
            intersections[m].append((c, members))
        sub_class += [(c, m) for m in members]
    unions: dict[Node, set[Node]] = defaultdict(set)
    for c, head in graph.subject_objects(OWL.unionOf):
        for m in _rdf_list(graph, head):
            unions[m].add(c)
    return _Schema(
        superclasses=_closure_map(sub_class),
        superproperties=_closure_map(sub_prop),
        domains=domains, ranges=ranges, inverses=inverses,
        symmetric=set(graph.subjects(RDF.type, OWL.SymmetricProperty)),
        transitive=set(graph.subjects(RDF.type, OWL.TransitiveProperty)),
        chains_first=chains_first, chains_second=chains_second,
        svf_by_property=svf_by_property, svf_by_filler=svf_by_filler,
        hv_by_property=hv_by_property, hv_by_class=hv_by_class,
        intersections=intersections, unions=unions,
    )


class _Materialiser:
    """Semi-naive forward chaining over a worklist: each new triple is joined once."""

    def __init__(self, schema: _Schema):
        self.schema = schema
        self.triples: set[Triple] = set()
        self.by_subject: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.by_object: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.queue: list[Triple] = []

    def add(self, s: Node, p: Node, o: Node) -> None:
        if isinstance(s, Literal):
            return
        triple = (s, p, o)
        if triple in self.triples:
            return
        self.triples.add(triple)
        self.by_subject[p][s].add(o)
        self.by_object[p][o].add(s)
        self.queue.append(triple)

    def run(self) -> None:
        sc = self.schema
        while self.queue:
            s, p, o = self.queue.pop()
            if p == RDF.type:
                self._typed(s, o)
                continue
            for q in sc.superproperties.get(p, ()):
                self.add(s, q, o)
            if not isinstance(o, Literal):
                for q in sc.inverses.get(p, ()):
                    self.add(o, q, s)
                if p in sc.symmetric:
                    self.add(o, p, s)
                for c in sc.ranges.get(p, ()):
                    self.add(o, RDF.type, c)
            if p in sc.transitive:
                for x in list(self.by_object[p].get(s, ())):
                    self.add(x, p, o)
                for y in list(self.by_subject[p].get(o, ())):
                    self.add(s, p, y)
            for p2, q in sc.chains_first.get(p, ()):
                for y in list(self.by_subject[p2].get(o, ())):
                    self.add(s, q, y)
            for p1, q in sc.chains_second.get(p, ()):
                for x in list(self.by_object[p1].get(s, ())):
                    self.add(x, q, o)
            for c in sc.domains.get(p, ()):
                self.add(s, RDF.type, c)
            types_of_o = self.by_subject[RDF.type].get(o, ())
            for r, filler in sc.svf_by_property.get(p, ()):
                if filler == OWL.Thing or filler in types_of_o:
                    self.add(s, RDF.type, r)
            for r, value in sc.hv_by_property.get(p, ()):
                if o == value:
                    self.add(s, RDF.type, r)

    def _typed(self, s: Node, c: Node) -> None:
        sc = self.schema
        for d in sc.superclasses.get(c, ()):
            self.add(s, RDF.type, d)
        for r, p in sc.svf_by_filler.get(c, ()):
            for x in list(self.by_object[p].get(s, ())):
                self.add(x, RDF.type, r)
        types = self.by_subject[RDF.type].get(s, set())
        for r, members in sc.intersections.get(c, ()):
            if all(m in types for m in members):
                self.add(s, RDF.type, r)
        for r in sc.unions.get(c, ()):
            self.add(s, RDF.type, r)
        for p, value in sc.hv_by_class.get(c, ()):
            self.add(s, p, value)


def closure_fast(asserted: Graph) -> Graph:
    """The closure restricted to the OWL 2 RL rules the graph's constructs can fire."""
    schema = _schema(asserted)
    engine = _Materialiser(schema)
    for s, p, o in asserted:
        engine.add(s, p, o)
    engine.run()
    for sub, supers in schema.superclasses.items():
        for sup in supers:
            engine.triples.add((sub, RDFS.subClassOf, sup))
    for sub, supers in schema.superproperties.items():
        for sup in supers:
            engine.triples.add((sub, RDFS.subPropertyOf, sup))
    graph = Graph()
    for triple in engine.triples:
        graph.add(triple)
    return graph


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    description: str
    text: str
    path: Path

    @property
    def iri(self) -> URIRef:
        return RULE[self.name]


HEADER = re.compile(r"^#\s*(title|description):\s*(.*)$")


def load_rules(rules_dir: Path) -> list[Rule]:
    rules = []
    for path in sorted(rules_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        last = ""
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            match = HEADER.match(line)
            if match:
                last = match.group(1)
                header[last] = match.group(2).strip()
            elif last and line.startswith("#   "):
                header[last] += " " + line[1:].strip()
        if "title" not in header:
            raise InputError(f"{path.name}: a rule file starts with a `# title:` header")
        name = re.sub(r"^\d+-", "", path.stem)
        rules.append(Rule(name, header["title"], header.get("description", ""), text, path))
    return rules


def run_rules_rdflib(closure: Graph, rules: list[Rule]) -> Graph:
    """Run the rules in file order on rdflib; each rule sees what earlier ones derived."""
    work = Graph()
    for triple in closure:
        work.add(triple)
    derived = Graph()
    for rule in rules:
        new = [t for t in work.query(rule.text) if t not in work]
        for triple in new:
            work.add(triple)
            derived.add(triple)
    return derived


def run_rules_oxigraph(closure: Graph, rules: list[Rule]) -> Graph:
    """The same rules on the embedded Oxigraph store."""
    from kg import store

    oxi = store.from_rdflib(closure)
    derived = Graph()
    for rule in rules:
        new = [t for t in store.construct(oxi, rule.text) if t not in closure]
        for triple in new:
            derived.add(triple)
        oxi.bulk_extend(store.quads_from(new))
    return derived


# --------------------------------------------------------------------------- entry point


@dataclass
class Reasoned:
    asserted: Graph
    inferred: Graph      # OWL RL closure minus asserted minus trivial
    derived: Graph       # what the domain rules derived (exposures, effective dates)
    reasoner: str
    note: str = ""


def reason(asserted: Graph, rules: list[Rule], reasoner: str = "fast") -> Reasoned:
    note = ""
    if reasoner == "fast":
        try:
            closure = closure_fast(asserted)
            derived = run_rules_oxigraph(closure, rules)
        except UnsupportedConstruct as exc:
            note = f"fast path cannot handle {exc}; used the owlrl reference instead"
            reasoner = "owlrl"
    if reasoner == "owlrl":
        closure = closure_owlrl(asserted)
        derived = run_rules_rdflib(closure, rules)
    elif reasoner != "fast":
        raise InputError(f"unknown reasoner '{reasoner}' (use fast or owlrl)")
    problems = inconsistencies(closure)
    if problems:
        raise InputError("the graph is inconsistent under OWL 2 RL: " + "; ".join(problems[:5]))
    inferred = Graph()
    for triple in _new_triples(closure, asserted):
        inferred.add(triple)
    return Reasoned(asserted, inferred, derived, reasoner, note)


def _new_triples(closure: Graph, asserted: Graph) -> Iterator[Triple]:
    for s, p, o in closure:
        if (s, p, o) in asserted or is_trivial(s, p, o):
            continue
        if isinstance(s, BNode) or isinstance(o, BNode):
            continue  # entailments about anonymous class expressions
        yield s, p, o
