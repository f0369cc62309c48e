"""Reason: OWL 2 RL closure, then the domain rules (SPARQL CONSTRUCT files).

Two closures give the same exposures:

* ``owlrl`` — the reference: owlrl's full OWL 2 RL closure (pure Python, slow).
* ``fast`` — a targeted materialiser of the OWL 2 RL rules that the shipped ontology's
  constructs can fire: class and property hierarchies (cax-sco, prp-spo1, scm-sco,
  scm-spo, equivalences), domain and range on instances (prp-dom, prp-rng) and in the
  schema (scm-dom1/2, scm-rng1/2), inverse, symmetric and transitive properties,
  two-step property chains, someValuesFrom / hasValue / intersectionOf / unionOf class
  expressions, and the consistency checks owl:Nothing (cls-nothing2) and class
  disjointness (cax-dw, cax-adc). If the graph uses a construct outside that set
  (owl:sameAs, functional properties, keys, allValuesFrom, cardinality, disjoint
  properties...), it says so and the build falls back to owlrl.

Closure parity: on the same input, the fast closure equals owlrl's closure minus the
entailments :func:`is_trivial_term` drops from both (reflexive links, owl:Thing,
built-in vocabulary, blank-node class expressions, literal subjects);
tests/test_closure_parity.py holds them equal on the fixture graphs and docs/owl.md
lists the rules. The domain rules then run as SPARQL on the closed graph: on rdflib for
the reference, on the embedded Oxigraph store for the fast path. A test holds both to
the same exposures.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import AIG, RULE, short_name
from kg.table import OWL as T_OWL
from kg.table import RDF as T_RDF
from kg.table import RDFS as T_RDFS
from kg.table import Span, Table

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


# --------------------------------------------------------------------------- trivial


def inconsistencies(closure: Graph) -> list[str]:
    """owlrl's error messages plus any individual typed owl:Nothing."""
    problems = [str(m) for m in closure.objects(None, URIRef(OWLRL_ERROR_NS + "error"))]
    problems += [f"{s} is a member of owl:Nothing" for s in closure.subjects(RDF.type,
                                                                            OWL.Nothing)]
    return sorted(problems)


def disjoint_pairs(t: Table) -> list[tuple[int, int, str]]:
    """Pairs of classes declared disjoint, each with the OWL 2 RL rule that checks it:
    ``owl:disjointWith`` (cax-dw) and the members of an ``owl:AllDisjointClasses``
    (cax-adc), in the order owlrl reports them."""
    rdf_type = t.iri_id(T_RDF + "type")
    pairs = [(a, b, "cax-dw") for a, b in t.pairs(t.iri_id(T_OWL + "disjointWith"))]
    members = t.iri_id(T_OWL + "members")
    for node in t.subjects(rdf_type, t.iri_id(T_OWL + "AllDisjointClasses")):
        for head in t.objects(node, members):
            classes = t.rdf_list(head)
            pairs += [(a, b, "cax-adc") for i, a in enumerate(classes)
                      for b in classes[i + 1:] if a != b]
    return pairs


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


def _schema(t: Table) -> _Schema:
    o = lambda name: t.iri_id(T_OWL + name)  # noqa: E731
    r = lambda name: t.iri_id(T_RDFS + name)  # noqa: E731
    rdf_type = t.iri_id(T_RDF + "type")
    found = {name for local, name in UNSUPPORTED_LOCAL.items()
             if t.has_predicate(o(local)) or t.subjects(rdf_type, o(local))}
    if found:
        raise UnsupportedConstruct(", ".join(sorted(found)))
    sub_class = list(t.pairs(r("subClassOf")))
    for a, b in t.pairs(o("equivalentClass")):
        sub_class += [(a, b), (b, a)]
    sub_prop = list(t.pairs(r("subPropertyOf")))
    for a, b in t.pairs(o("equivalentProperty")):
        sub_prop += [(a, b), (b, a)]
    inverses: dict[int, set[int]] = defaultdict(set)
    for a, b in t.pairs(o("inverseOf")):
        inverses[a].add(b)
        inverses[b].add(a)
    domains: dict[int, set[int]] = defaultdict(set)
    for p, c in t.pairs(r("domain")):
        domains[p].add(c)
    ranges: dict[int, set[int]] = defaultdict(set)
    for p, c in t.pairs(r("range")):
        ranges[p].add(c)
    chains_first: dict[int, list[tuple[int, int]]] = defaultdict(list)
    chains_second: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for q, head in t.pairs(o("propertyChainAxiom")):
        chain = t.rdf_list(head)
        if len(chain) != 2:
            raise UnsupportedConstruct(f"property chain of length {len(chain)} on {t.term(q)}")
        chains_first[chain[0]].append((chain[1], q))
        chains_second[chain[1]].append((chain[0], q))
    on_property = o("onProperty")
    svf_by_property: dict[int, list[tuple[int, int]]] = defaultdict(list)
    svf_by_filler: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rst, filler in t.pairs(o("someValuesFrom")):
        for p in t.objects(rst, on_property):
            svf_by_property[p].append((rst, filler))
            svf_by_filler[filler].append((rst, p))
    hv_by_property: dict[int, list[tuple[int, int]]] = defaultdict(list)
    hv_by_class: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rst, value in t.pairs(o("hasValue")):
        for p in t.objects(rst, on_property):
            hv_by_property[p].append((rst, value))
            hv_by_class[rst].append((p, value))
    intersections: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for c, head in t.pairs(o("intersectionOf")):
        members = t.rdf_list(head)
        for m in members:
            intersections[m].append((c, members))
        sub_class += [(c, m) for m in members]  # scm-int
    unions: dict[int, set[int]] = defaultdict(set)
    for c, head in t.pairs(o("unionOf")):
        for m in t.rdf_list(head):
            unions[m].add(c)
            sub_class.append((m, c))  # scm-uni
    return _Schema(
        superclasses=_closure_map(sub_class),
        superproperties=_closure_map(sub_prop),
        domains=domains, ranges=ranges, inverses=inverses,
        symmetric=set(t.subjects(rdf_type, o("SymmetricProperty"))),
        transitive=set(t.subjects(rdf_type, o("TransitiveProperty"))),
        chains_first=chains_first, chains_second=chains_second,
        svf_by_property=svf_by_property, svf_by_filler=svf_by_filler,
        hv_by_property=hv_by_property, hv_by_class=hv_by_class,
        intersections=intersections, unions=unions,
    )


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
    objects, subjects, add_triple = t.objects, t.subjects, t.add

    def add(s: int, p: int, o: int) -> None:
        if not literal[s]:
            add_triple(s, p, o)

    position = 0
    while position < len(t):
        s, p, o = t.at(position)
        position += 1
        if cap is not None and not position & 0x3FFF:
            cap.check(len(t))
        if p == rdf_type:
            for d in sc.superclasses.get(o, ()):
                add(s, rdf_type, d)
            for rst, prop in sc.svf_by_filler.get(o, ()):
                for x in list(subjects(prop, s)):
                    add(x, rdf_type, rst)
            if o in sc.intersections:
                types = objects(s, rdf_type)
                for cls, members in sc.intersections[o]:
                    if all(m in types for m in members):
                        add(s, rdf_type, cls)
            for cls in sc.unions.get(o, ()):
                add(s, rdf_type, cls)
            for prop, value in sc.hv_by_class.get(o, ()):
                add(s, prop, value)
            continue
        for q in sc.superproperties.get(p, ()):
            add(s, q, o)
        if not literal[o]:
            for q in sc.inverses.get(p, ()):
                add(o, q, s)
            if p in sc.symmetric:
                add(o, p, s)
            for c in sc.ranges.get(p, ()):
                add(o, rdf_type, c)
        if p in sc.transitive:
            for x in list(subjects(p, s)):
                add(x, p, o)
            for y in list(objects(o, p)):
                add(s, p, y)
        for p2, q in sc.chains_first.get(p, ()):
            for y in list(objects(o, p2)):
                add(s, q, y)
        for p1, q in sc.chains_second.get(p, ()):
            for x in list(subjects(p1, s)):
                add(x, q, o)
        for c in sc.domains.get(p, ()):
            add(s, rdf_type, c)
        if p in sc.svf_by_property:
            types_of_o = objects(o, rdf_type)
            for rst, filler in sc.svf_by_property[p]:
                if filler == owl_thing or filler in types_of_o:
                    add(s, rdf_type, rst)
        for rst, value in sc.hv_by_property.get(p, ()):
            if o == value:
                add(s, rdf_type, rst)
    # scm-sco, scm-spo: the hierarchies are transitive; scm-eqc2, scm-eqp2: classes (and
    # properties) that are subclasses of each other are equivalent.
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
    # scm-dom1/2, scm-rng1/2: a property's domain and range are also those of its
    # superproperties, and every superclass of either.
    if cap is not None:
        cap.check(len(t))
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
    return t.span(start)


@dataclass(frozen=True)
class Cap:
    """How far reasoning may grow a table of ``asserted`` triples: ``ratio`` inferred
    (and derived) triples per asserted one."""

    asserted: int
    ratio: float

    @property
    def limit(self) -> int:
        return self.asserted + int(self.ratio * self.asserted)

    def check(self, size: int) -> None:
        if size > self.limit:
            from kg.budget import BudgetExceeded

            raise BudgetExceeded(
                f"reasoning stopped: it made more than {self.limit - self.asserted:,} "
                f"triples from {self.asserted:,} asserted ones, over the limit of "
                f"{self.ratio:g} per asserted triple (raise it with --max-inferred)")


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


def load_rules(rules_dir: Path) -> list[Rule]:
    """The rule files in order, each with its header; a rule needs a ``# title:``."""
    from kg.validate import read_query_file

    rules = []
    for path in sorted(rules_dir.glob("*.rq")):
        named = read_query_file(path, "rule")
        if named.title == named.name:
            raise InputError(f"{named.origin}: a rule file starts with a `# title:` header")
        name = re.sub(r"^\d+-", "", path.stem)
        rules.append(Rule(name, named.title, named.description, named.text, path))
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


def run_rules_oxigraph(table: Table, rules: list[Rule], oxi: Any = None,
                       cap: Cap | None = None) -> Span:
    """The same rules on the embedded Oxigraph store ``oxi`` (which must hold ``table``;
    one is made if not given); what they derive is added to both and returned.

    A rule's answer goes into the store on a second thread while Python adds it to the
    table (Oxigraph releases the GIL while it loads); the next rule waits for both.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox

    from kg import store

    oxi = oxi if oxi is not None else store.from_table(table)
    start = len(table)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-rules") as pool:
        for rule in rules:
            answer = oxi.query(rule.text).serialize(format=ox.RdfFormat.N_TRIPLES)
            if not answer:
                continue
            loading = pool.submit(oxi.bulk_load, answer, ox.RdfFormat.N_TRIPLES)
            table.add_lines(answer)
            loading.result()  # the store keeps one copy of each triple
            if cap is not None:
                cap.check(len(table))
    return table.span(start)


# --------------------------------------------------------------------------- entry point


@dataclass
class Reasoned:
    """The closed graph: every triple in ``table``, split by where it came from."""

    table: Table
    asserted: Span
    inferred: Span   # OWL 2 RL closure minus asserted minus trivial (is_trivial_term)
    derived: Span    # what the domain rules derived
    reasoner: str
    note: str = ""


def is_trivial_term(s: str, p: str, o: str) -> bool:
    """Entailments that say nothing, on N-Triples terms: reflexive links (``x owl:sameAs
    x``, ``c rdfs:subClassOf c``...), owl:Thing as a type, superclass, domain or range,
    owl:Nothing as a subclass, types that are RDFS/OWL vocabulary, statements about the
    RDF/RDFS/OWL/XSD vocabulary itself, owlrl's error messages, and triples with a
    literal subject or a blank node (class expressions, lists). Both closures drop them
    from the inferred graph; all else they must agree on (docs/owl.md)."""
    if s.startswith(('"', "_:")) or o.startswith("_:"):
        return True
    if p in TRIVIAL_REFLEXIVE and s == o:
        return True
    if p == TYPE and o in TRIVIAL_TYPES:
        return True
    if p == SUBCLASS and (o == THING or s == NOTHING):
        return True
    if p in DOMAIN_RANGE and o == THING:
        return True
    return s.startswith(BUILTIN_TERMS) or OWLRL_ERROR_NS in s or OWLRL_ERROR_NS in p


TYPE, SUBCLASS = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"
DOMAIN_RANGE = {f"<{RDFS.domain}>", f"<{RDFS.range}>"}
THING, NOTHING = f"<{OWL.Thing}>", f"<{OWL.Nothing}>"
TRIVIAL_REFLEXIVE = {f"<{p}>" for p in REFLEXIVE_TRIVIAL}
TRIVIAL_TYPES = {f"<{c}>" for c in (OWL.Thing, RDFS.Resource, OWL.Class, RDFS.Class)}
BUILTIN_TERMS = tuple(f"<{ns}" for ns in BUILTIN_NAMESPACES)


def _name(table: Table, node: int) -> str:
    """``acme-lab`` for an instance, ``aig:Company`` for a term, the term itself else."""
    term = table.terms[node]
    if term.startswith(f"<{AIG}"):
        return "aig:" + term[len(str(AIG)) + 1:-1]
    return short_name(term[1:-1]) if term.startswith("<") else term


def _most_specific(table: Table, node: int) -> list[str]:
    """The named classes of ``node`` that no other of its classes is a subclass of."""
    rdf_type, sub_class = table.iri_id(T_RDF + "type"), table.iri_id(T_RDFS + "subClassOf")
    types = {c for c in table.objects(node, rdf_type) if table.terms[c].startswith("<")}
    return sorted(_name(table, c) for c in types
                  if not any(u != c and c in table.objects(u, sub_class) for u in types))


def _disjointness(table: Table, nodes: Iterable[int] | None = None) -> list[str]:
    """Individuals typed with two classes declared disjoint (cax-dw, cax-adc). On a closed
    graph (``nodes`` None) the types are already closed under rdfs:subClassOf; for
    ``nodes`` (what the rules typed) they are closed here through the table's
    rdfs:subClassOf links, which the closure made transitive."""
    pairs = disjoint_pairs(table)
    if not pairs:
        return []
    rdf_type = table.iri_id(T_RDF + "type")
    found: set[tuple[int, int, int, str]] = set()
    if nodes is None:
        for a, b, rule in pairs:
            small, large = sorted((table.subjects(rdf_type, a), table.subjects(rdf_type, b)),
                                  key=len)
            found.update((x, a, b, rule) for x in small if x in large)
    else:
        partners: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for a, b, rule in pairs:
            partners[a].append((b, rule))
        sub_class = table.iri_id(T_RDFS + "subClassOf")
        for x in set(nodes):
            types = set(table.objects(x, rdf_type))
            for c in list(types):
                types.update(table.objects(c, sub_class))
            found.update((x, a, b, rule) for a in types for b, rule in partners.get(a, ())
                         if b in types)
    return sorted(f"{_name(table, x)} ({', '.join(_most_specific(table, x))}) is both "
                  f"{_name(table, a)} and {_name(table, b)}, which the ontology declares "
                  f"disjoint (OWL 2 RL {rule})" for x, a, b, rule in found)


def _check_consistency(table: Table, derived: Span | None = None) -> None:
    """Raise an InputError if the closed graph is inconsistent: a member of owl:Nothing,
    an individual of two disjoint classes, or an error owlrl reported. With ``derived``,
    check only the disjointness of what the rules typed."""
    rdf_type = table.iri_id(T_RDF + "type")
    problems: list[str] = []
    if derived is None:
        nothing = table.ids.get(NOTHING)
        members = table.subjects(rdf_type, nothing) if nothing is not None else ()
        problems += [f"{table.term(m)} is a member of owl:Nothing" for m in sorted(members)]
        problems += _disjointness(table)
        errors = table.ids.get(f"<{OWLRL_ERROR_NS}error>")
        if errors is not None:  # owlrl's own report of disjointness is the one above
            problems += sorted(m for m in (table.term(o) for _, o in table.pairs(errors))
                               if not m.startswith('"Disjoint classes '))
    else:
        problems += _disjointness(table, (s for s, p, _ in derived if p == rdf_type))
    if problems:
        more = f" (and {len(problems) - 5:,} more)" if len(problems) > 5 else ""
        raise InputError("the graph is inconsistent under OWL 2 RL: "
                         + "; ".join(problems[:5]) + more)


EXPOSURE_NEEDS = ("exposedActor", "exposedToRisk", "throughSource")


def _check_exposures(table: Table, rules: list[Rule]) -> None:
    """Every exposure must be an IRI with an actor, a risk and a source that are IRIs:
    its record and its path are made from them. An exposure that is not is the work of
    a rule (named, with its file) or of data, and is an InputError, not a crash later."""
    t = table
    exposure = t.ids.get(f"<{AIG}Exposure>")
    if exposure is None:
        return
    terms = t.terms
    needs = [(name, t.iri_id(str(AIG[name]))) for name in EXPOSURE_NEEDS]
    by_rule = t.iri_id(str(AIG.derivedByRule))
    files = {f"<{rule.iri}>": f"ontology/rules/{rule.path.name}" for rule in rules}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in t.subjects(t.iri_id(T_RDF + "type"), exposure):
        missing = [f"aig:{name}" for name, prop in needs
                   if not any(terms[v].startswith("<") for v in t.objects(node, prop))]
        if terms[node].startswith("<") and not missing:
            continue
        origin = ", ".join(sorted(files.get(terms[r], terms[r])
                                  for r in t.objects(node, by_rule)))
        what = ("are blank nodes" if not terms[node].startswith("<")
                else "have no " + ", ".join(missing) + " IRI")
        found[origin or "data, or a rule that names no aig:derivedByRule", what].append(
            terms[node])
    if found:
        problems = [f"{origin}: {len(nodes):,} exposures {what}, e.g. {min(nodes)[:120]}"
                    for (origin, what), nodes in sorted(found.items())]
        raise InputError("exposures that cannot be explained — " + "; ".join(problems[:5])
                         + ". An exposure needs an IRI (the shipped rules mint one with "
                         "IRI(CONCAT(…))) and IRIs for aig:exposedActor, aig:exposedToRisk "
                         "and aig:throughSource")


def reason(table: Table, rules: list[Rule], reasoner: str = "fast",
           asserted_graph: Graph | None = None, oxi: Any = None,
           max_inferred: float | None = None) -> Reasoned:
    """Close ``table`` (in place) under OWL 2 RL and run the rules.

    ``fast`` materialises on the table and runs the rules on Oxigraph; ``owlrl`` closes
    ``asserted_graph`` (the same triples as rdflib) with owlrl and runs the rules on
    rdflib, then brings the result into the table, so both end in the same form. ``oxi``
    is a store already holding the asserted table, reused by the fast path.
    ``max_inferred``: the triples reasoning may add per asserted triple (a
    BudgetExceeded past it; checked as the fast path works, after each step for owlrl).
    """
    from kg import store

    if reasoner not in ("fast", "owlrl"):
        raise InputError(f"unknown reasoner '{reasoner}' (use fast or owlrl)")
    asserted = table.span()
    cap = Cap(len(table), max_inferred) if max_inferred is not None else None
    note = ""
    if reasoner == "fast":
        try:
            _schema(table)
        except UnsupportedConstruct as exc:
            note = f"fast path cannot handle {exc}; used the owlrl reference instead"
            reasoner = "owlrl"
    if reasoner == "fast":
        inferred_now = materialise(table, cap)
        _check_consistency(table)
        if oxi is not None:
            store.load_lines(oxi, table.lines(inferred_now))
        derived = run_rules_oxigraph(table, rules, oxi, cap)
    else:
        graph = asserted_graph if asserted_graph is not None else store.table_to_rdflib(table)
        closure = closure_owlrl(graph)
        if cap is not None:
            cap.check(len(closure))
        derived_graph = run_rules_rdflib(closure, rules)
        table.add_oxigraph(store.quads(closure))
        _check_consistency(table)
        inferred_now = table.span(len(asserted))
        before = len(table)
        table.add_oxigraph(store.quads(derived_graph))
        derived = table.span(before)
    _check_consistency(table, derived)
    _check_exposures(table, rules)
    terms = table.terms
    inferred = inferred_now.where(
        lambda s, p, o: not is_trivial_term(terms[s], terms[p], terms[o]))
    return Reasoned(table, asserted, inferred, derived, reasoner, note)
