"""The reference reasoner: owlrl's full OWL 2 RL closure (pure Python, slow), then the
rules on rdflib."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.core.table import Span, Table
from kg.pipeline.engines.rules import Cap, Rule, run_rules_rdflib

Triple = tuple[Node, Node, Node]

BUILTIN_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)
OWLRL_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"


def inconsistencies(closure: Graph) -> list[str]:
    """owlrl's error messages plus any individual typed owl:Nothing."""
    problems = [str(m) for m in closure.objects(None, URIRef(OWLRL_ERROR_NS + "error"))]
    problems += [f"{s} is a member of owl:Nothing" for s in closure.subjects(RDF.type,
                                                                            OWL.Nothing)]
    return sorted(problems)


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


class OwlrlReasoner:
    """owlrl on an rdflib copy of the asserted graph; the result is brought into the table,
    so both reasoners end in the same form."""

    name = "owlrl"

    def unsupported(self, table: Table) -> str | None:
        return None  # the reference implements every OWL 2 RL rule

    def close(self, table: Table, rules: list[Rule], asserted_graph: Graph | None = None,
              oxi: Any = None, cap: Cap | None = None) -> tuple[Span, Span]:
        from kg.store import oxigraph as store

        graph = asserted_graph if asserted_graph is not None else store.table_to_rdflib(table)
        closure = closure_owlrl(graph)
        if cap is not None:
            cap.check(len(closure))
        derived_graph = run_rules_rdflib(closure, rules)
        start = len(table)
        table.add_oxigraph(store.quads(closure))
        inferred = table.span(start)
        before = len(table)
        table.add_oxigraph(store.quads(derived_graph))
        return inferred, table.span(before)
