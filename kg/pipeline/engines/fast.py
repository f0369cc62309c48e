"""The fast reasoner: a targeted OWL 2 RL materialiser on the interned triple table.

* ``fast`` — a targeted materialiser of the OWL 2 RL rules that the shipped ontology's
  constructs can fire: class and property hierarchies (cax-sco, prp-spo1, scm-sco,
  scm-spo, equivalences), domain and range on instances (prp-dom, prp-rng) and in the
  schema (scm-dom1/2, scm-rng1/2), inverse, symmetric and transitive properties,
  two-step property chains, someValuesFrom / hasValue / intersectionOf / unionOf class
  expressions, and the consistency checks owl:Nothing (cls-nothing2) and class
  disjointness (cax-dw, cax-adc). If the graph uses a construct outside that set
  (owl:sameAs, functional properties, keys, allValuesFrom, cardinality, disjoint
  properties...), it says so and the build falls back to owlrl.

"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph
from rdflib.namespace import OWL
from rdflib.term import Node

from kg.core.table import OWL as T_OWL
from kg.core.table import RDF as T_RDF
from kg.core.table import RDFS as T_RDFS
from kg.core.table import Span, Table
from kg.pipeline.engines.rules import Cap, Rule, run_rules_oxigraph

Triple = tuple[Node, Node, Node]

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
    OWL.complementOf: "owl:complementOf",
    OWL.propertyDisjointWith: "owl:propertyDisjointWith",
    OWL.AllDisjointProperties: "owl:AllDisjointProperties",
    OWL.AsymmetricProperty: "owl:AsymmetricProperty",
    OWL.IrreflexiveProperty: "owl:IrreflexiveProperty",
    OWL.sourceIndividual: "owl:NegativePropertyAssertion",
}


UNSUPPORTED_LOCAL = {str(k)[len(str(OWL)):]: v for k, v in UNSUPPORTED.items()}


class UnsupportedConstruct(Exception):
    """The graph needs an OWL 2 RL rule the fast path does not implement."""


@dataclass
class _Schema:
    superclasses: dict[int, set[int]]
    superproperties: dict[int, set[int]]
    domains: dict[int, set[int]]
    ranges: dict[int, set[int]]
    inverses: dict[int, set[int]]
    symmetric: set[int]
    transitive: set[int]
    chains_first: dict[int, list[tuple[int, int]]]   # p1 -> [(p2, q)]
    chains_second: dict[int, list[tuple[int, int]]]  # p2 -> [(p1, q)]
    svf_by_property: dict[int, list[tuple[int, int]]]  # p -> [(restriction, filler)]
    svf_by_filler: dict[int, list[tuple[int, int]]]    # filler -> [(restriction, p)]
    hv_by_property: dict[int, list[tuple[int, int]]]   # p -> [(restriction, value)]
    hv_by_class: dict[int, list[tuple[int, int]]]      # restriction -> [(p, value)]
    intersections: dict[int, list[tuple[int, list[int]]]]  # member -> [(class, members)]
    unions: dict[int, set[int]]                         # member -> union classes


def _closure_map(edges: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    direct: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        direct[a].add(b)
    result: dict[int, set[int]] = {}
    for start in list(direct):
        seen: set[int] = set()
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


Pairs = dict[int, list[tuple[int, int]]]


def _check_supported(t: Table) -> None:
    rdf_type = t.iri_id(T_RDF + "type")
    found = {name for local, name in UNSUPPORTED_LOCAL.items()
             if t.has_predicate(t.iri_id(T_OWL + local))
             or t.subjects(rdf_type, t.iri_id(T_OWL + local))}
    if found:
        raise UnsupportedConstruct(", ".join(sorted(found)))


def _with_equivalences(t: Table, sub: str, equivalent: str) -> list[tuple[int, int]]:
    """The ``sub`` edges, and each ``equivalent`` edge as two of them."""
    edges = list(t.pairs(t.iri_id(T_RDFS + sub)))
    for a, b in t.pairs(t.iri_id(T_OWL + equivalent)):
        edges += [(a, b), (b, a)]
    return edges


def _grouped(pairs: Iterable[tuple[int, int]], both_ways: bool = False) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        grouped[a].add(b)
        if both_ways:
            grouped[b].add(a)
    return grouped


def _chains(t: Table) -> tuple[Pairs, Pairs]:
    """Two-step property chains, by their first and by their second property."""
    chains_first: Pairs = defaultdict(list)
    chains_second: Pairs = defaultdict(list)
    for q, head in t.pairs(t.iri_id(T_OWL + "propertyChainAxiom")):
        chain = t.rdf_list(head)
        if len(chain) != 2:
            raise UnsupportedConstruct(f"property chain of length {len(chain)} on {t.term(q)}")
        chains_first[chain[0]].append((chain[1], q))
        chains_second[chain[1]].append((chain[0], q))
    return chains_first, chains_second


def _restrictions(t: Table, kind: str) -> tuple[Pairs, Pairs]:
    """The ``kind`` (someValuesFrom, hasValue) restrictions: property -> [(restriction,
    value)] and restriction -> [(property, value)]."""
    on_property = t.iri_id(T_OWL + "onProperty")
    by_property: Pairs = defaultdict(list)
    by_restriction: Pairs = defaultdict(list)
    for rst, value in t.pairs(t.iri_id(T_OWL + kind)):
        for p in t.objects(rst, on_property):
            by_property[p].append((rst, value))
            by_restriction[rst].append((p, value))
    return by_property, by_restriction


def _class_expressions(t: Table, sub_class: list[tuple[int, int]]
                       ) -> tuple[dict[int, list[tuple[int, list[int]]]], dict[int, set[int]]]:
    """Intersections and unions by member; adds their scm-int and scm-uni subclass edges
    to ``sub_class``."""
    intersections: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for c, head in t.pairs(t.iri_id(T_OWL + "intersectionOf")):
        members = t.rdf_list(head)
        for m in members:
            intersections[m].append((c, members))
        sub_class += [(c, m) for m in members]  # scm-int
    unions: dict[int, set[int]] = defaultdict(set)
    for c, head in t.pairs(t.iri_id(T_OWL + "unionOf")):
        for m in t.rdf_list(head):
            unions[m].add(c)
            sub_class.append((m, c))  # scm-uni
    return intersections, unions


def _schema(t: Table) -> _Schema:
    _check_supported(t)
    rdf_type = t.iri_id(T_RDF + "type")
    sub_class = _with_equivalences(t, "subClassOf", "equivalentClass")
    sub_prop = _with_equivalences(t, "subPropertyOf", "equivalentProperty")
    inverses = _grouped(t.pairs(t.iri_id(T_OWL + "inverseOf")), both_ways=True)
    domains = _grouped(t.pairs(t.iri_id(T_RDFS + "domain")))
    ranges = _grouped(t.pairs(t.iri_id(T_RDFS + "range")))
    chains_first, chains_second = _chains(t)
    svf_by_property, svf_by_restriction = _restrictions(t, "someValuesFrom")
    svf_by_filler: Pairs = defaultdict(list)
    for rst, pairs in svf_by_restriction.items():
        for p, filler in pairs:
            svf_by_filler[filler].append((rst, p))
    hv_by_property, hv_by_class = _restrictions(t, "hasValue")
    intersections, unions = _class_expressions(t, sub_class)
    return _Schema(
        superclasses=_closure_map(sub_class),
        superproperties=_closure_map(sub_prop),
        domains=domains, ranges=ranges, inverses=inverses,
        symmetric=set(t.subjects(rdf_type, t.iri_id(T_OWL + "SymmetricProperty"))),
        transitive=set(t.subjects(rdf_type, t.iri_id(T_OWL + "TransitiveProperty"))),
        chains_first=chains_first, chains_second=chains_second,
        svf_by_property=svf_by_property, svf_by_filler=svf_by_filler,
        hv_by_property=hv_by_property, hv_by_class=hv_by_class,
        intersections=intersections, unions=unions,
    )


Add = Callable[[int, int, int], None]


def _type_rules(sc: _Schema, rdf_type: int, t: Table, add: Add) -> Callable[[int, int], None]:
    """What a triple ``s rdf:type o`` fires: cax-sco, cls-svf1 (as the filler's member),
    cls-int1, cls-uni and cls-hv1."""
    superclasses, svf_by_filler = sc.superclasses.get, sc.svf_by_filler.get
    intersections, unions, hv_by_class = sc.intersections, sc.unions.get, sc.hv_by_class.get
    objects, subjects = t.objects, t.subjects

    def on_type(s: int, o: int) -> None:
        for d in superclasses(o, ()):
            add(s, rdf_type, d)
        for rst, prop in svf_by_filler(o, ()):
            for x in list(subjects(prop, s)):
                add(x, rdf_type, rst)
        if o in intersections:
            types = objects(s, rdf_type)
            for cls, members in intersections[o]:
                if all(m in types for m in members):
                    add(s, rdf_type, cls)
        for cls in unions(o, ()):
            add(s, rdf_type, cls)
        for prop, value in hv_by_class(o, ()):
            add(s, prop, value)

    return on_type


def _property_rules(sc: _Schema, rdf_type: int, literal: list[bool], t: Table,
                    add: Add) -> Callable[[int, int, int], None]:
    """What a triple ``s p o`` (p not rdf:type) fires about its object or other edges:
    prp-spo1, prp-inv1/2, prp-symp, prp-rng, prp-trp and prp-spo2 (two-step chains).
    Only called for the predicates :func:`_firing_predicates` names."""
    superproperties, inverses, ranges = (sc.superproperties.get, sc.inverses.get,
                                         sc.ranges.get)
    symmetric, transitive = sc.symmetric, sc.transitive
    chains_first, chains_second = sc.chains_first.get, sc.chains_second.get
    objects, subjects = t.objects, t.subjects

    def on_property(s: int, p: int, o: int) -> None:
        for q in superproperties(p, ()):
            add(s, q, o)
        if not literal[o]:
            for q in inverses(p, ()):
                add(o, q, s)
            if p in symmetric:
                add(o, p, s)
            for c in ranges(p, ()):
                add(o, rdf_type, c)
        if p in transitive:
            for x in list(subjects(p, s)):
                add(x, p, o)
            for y in list(objects(o, p)):
                add(s, p, y)
        for p2, q in chains_first(p, ()):
            for y in list(objects(o, p2)):
                add(s, q, y)
        for p1, q in chains_second(p, ()):
            for x in list(subjects(p1, s)):
                add(x, q, o)

    return on_property


def _subject_type_rules(sc: _Schema, rdf_type: int, owl_thing: int, t: Table,
                        add: Add) -> Callable[[int, int, int], None]:
    """What a triple ``s p o`` (p not rdf:type) fires about the type of its subject:
    prp-dom, cls-svf1/2 (as the restriction's property) and cls-hv2. Only called for the
    predicates :func:`_firing_predicates` names."""
    domains, svf_by_property, hv_by_property = (sc.domains.get, sc.svf_by_property,
                                                sc.hv_by_property.get)
    objects = t.objects

    def on_subject(s: int, p: int, o: int) -> None:
        for c in domains(p, ()):
            add(s, rdf_type, c)
        if p in svf_by_property:
            types_of_o = objects(o, rdf_type)
            for rst, filler in svf_by_property[p]:
                if filler == owl_thing or filler in types_of_o:
                    add(s, rdf_type, rst)
        for rst, value in hv_by_property(p, ()):
            if o == value:
                add(s, rdf_type, rst)

    return on_subject


def _firing_predicates(sc: _Schema) -> tuple[set[int], set[int]]:
    """The predicates whose triples :func:`_property_rules`, and those whose triples
    :func:`_subject_type_rules`, can fire on: a triple of any other predicate fires
    nothing."""
    of_property = (set(sc.superproperties) | set(sc.inverses) | sc.symmetric
                   | set(sc.ranges) | sc.transitive | set(sc.chains_first)
                   | set(sc.chains_second))
    of_subject = set(sc.domains) | set(sc.svf_by_property) | set(sc.hv_by_property)
    return of_property, of_subject


def _close_hierarchies(t: Table, sc: _Schema) -> None:
    """scm-sco, scm-spo: the hierarchies are transitive; scm-eqc2, scm-eqp2: classes (and
    properties) that are subclasses of each other are equivalent."""
    for link, equivalent, closed in (
            (t.iri_id(T_RDFS + "subClassOf"), t.iri_id(T_OWL + "equivalentClass"),
             sc.superclasses),
            (t.iri_id(T_RDFS + "subPropertyOf"), t.iri_id(T_OWL + "equivalentProperty"),
             sc.superproperties)):
        for sub, supers in closed.items():
            for sup in supers:
                t.add(sub, link, sup)
                if sub in closed.get(sup, ()):
                    t.add(sub, equivalent, sup)


def _close_domains_ranges(t: Table, sc: _Schema) -> None:
    """scm-dom1/2, scm-rng1/2: a property's domain and range are also those of its
    superproperties, and every superclass of either."""
    for axiom, declared in ((t.iri_id(T_RDFS + "domain"), sc.domains),
                            (t.iri_id(T_RDFS + "range"), sc.ranges)):
        for prop in set(declared) | set(sc.superproperties):
            classes: set[int] = set()
            for q in (prop, *sc.superproperties.get(prop, ())):
                for c in declared.get(q, ()):
                    classes.add(c)
                    classes.update(sc.superclasses.get(c, ()))
            for c in classes:
                t.add(prop, axiom, c)


def materialise(t: Table, cap: Cap | None = None) -> Span:
    """Close ``t`` in place under the OWL 2 RL rules its constructs can fire; return the
    triples added. Semi-naive: the table's insertion log is the work queue, so each
    triple, asserted or new, is joined once against the indexes. With ``cap``, stop with
    a BudgetExceeded once the table holds more triples than that."""
    sc = _schema(t)
    rdf_type = t.iri_id(T_RDF + "type")
    owl_thing = t.iri_id(T_OWL + "Thing")
    literal = [term.startswith('"') for term in t.terms]
    start = len(t)
    add_triple = t.add

    def add(s: int, p: int, o: int) -> None:
        if not literal[s]:
            add_triple(s, p, o)

    on_type = _type_rules(sc, rdf_type, t, add)
    on_property = _property_rules(sc, rdf_type, literal, t, add)
    on_subject = _subject_type_rules(sc, rdf_type, owl_thing, t, add)
    of_property, of_subject = _firing_predicates(sc)
    at, position = t.at, 0
    while position < len(t):
        s, p, o = at(position)
        position += 1
        if cap is not None and not position & 0x3FFF:
            cap.check(len(t))
        if p == rdf_type:
            on_type(s, o)
            continue
        if p in of_property:
            on_property(s, p, o)
        if p in of_subject:
            on_subject(s, p, o)
    _close_hierarchies(t, sc)
    if cap is not None:
        cap.check(len(t))
    _close_domains_ranges(t, sc)
    return t.span(start)


class FastReasoner:
    """OWL 2 RL on the table, then the rules on the embedded Oxigraph store."""

    name = "fast"

    def unsupported(self, table: Table) -> str | None:
        try:
            _schema(table)
        except UnsupportedConstruct as exc:
            return str(exc)
        return None

    def close(self, table: Table, rules: list[Rule], asserted_graph: Graph | None = None,
              oxi: Any = None, cap: Cap | None = None) -> tuple[Span, Span]:
        from kg.store import oxigraph as store

        inferred = materialise(table, cap)
        if oxi is not None:
            store.load_lines(oxi, table.lines(inferred))
        return inferred, run_rules_oxigraph(table, rules, oxi, cap)
