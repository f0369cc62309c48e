"""Reason: OWL 2 RL closure, then the domain rules (SPARQL CONSTRUCT files).

The closure is an engine's (kg.pipeline.engines: ``fast``, a targeted materialiser of the
OWL 2 RL rules the ontology's constructs can fire, or the ``owlrl`` reference, to which
the pipeline falls back when the graph uses a construct the fast engine lacks).

Closure parity: on the same input, the fast closure equals owlrl's closure minus the
entailments :func:`is_trivial_term` drops from both (reflexive links, owl:Thing,
built-in vocabulary, blank-node class expressions, literal subjects);
tests/test_engines.py holds them equal on the fixture graphs and docs/owl.md
lists the rules. The domain rules then run as SPARQL on the closed graph: on rdflib for
the reference, on the embedded Oxigraph store for the fast path. A test holds both to
the same exposures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.core.errors import InputError
from kg.core.namespaces import AIG, short_name
from kg.core.table import OWL as T_OWL
from kg.core.table import RDF as T_RDF
from kg.core.table import RDFS as T_RDFS
from kg.core.table import Span, Table
from kg.pipeline.engines.registry import REFERENCE_REASONER, reasoner_named
from kg.pipeline.engines.rules import Cap, Rule

Triple = tuple[Node, Node, Node]

BUILTIN_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)
OWLRL_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
REFLEXIVE_TRIVIAL = (OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf,
                     OWL.equivalentProperty)



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
    engine = reasoner_named(reasoner)
    asserted = table.span()
    cap = Cap(len(table), max_inferred) if max_inferred is not None else None
    note = ""
    missing = engine.unsupported(table)
    if missing is not None:
        note = f"{engine.name} cannot handle {missing}; used the {REFERENCE_REASONER} reference"
        engine = reasoner_named(REFERENCE_REASONER)
    inferred_now, derived = engine.close(table, rules, asserted_graph, oxi, cap)
    _check_consistency(table)
    _check_consistency(table, derived)
    _check_exposures(table, rules)
    terms = table.terms
    inferred = inferred_now.where(
        lambda s, p, o: not is_trivial_term(terms[s], terms[p], terms[o]))
    return Reasoned(table, asserted, inferred, derived, engine.name, note)
