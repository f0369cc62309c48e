"""Export: serialise graphs deterministically (sorted N-Triples/N-Quads, Turtle, JSON-LD,
GraphML) so two builds of the same input diff cleanly.

Blank nodes (the ontology's class expressions and lists) get labels derived from their
own triples rather than parser-assigned ones.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.namespaces import GRAPH, PREFIXES

FORMATS = ("ttl", "nt", "jsonld", "graphml")


def stable_bnodes(graph: Graph) -> Graph:
    """A copy of ``graph`` whose blank nodes are named by a hash of what they say.

    Names are refined over their neighbourhood (as in Weisfeiler-Lehman hashing), so
    list cells and nested class expressions get distinct, parse-independent names.
    """
    edges: dict[Node, list[tuple[str, Node, Node]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            edges[s].append((">", p, o))
        if isinstance(o, BNode):
            edges[o].append(("<", p, s))
    if not edges:
        return graph
    names: dict[Node, str] = {b: "" for b in edges}
    for _ in range(4):
        names = {
            b: hashlib.sha1("\n".join(sorted(
                f"{d} {p} {names[t] if isinstance(t, BNode) else t.n3()}" for d, p, t in out
            ) + [names[b]]).encode()).hexdigest()
            for b, out in edges.items()
        }
    labels: dict[Node, BNode] = {}
    used: dict[str, int] = defaultdict(int)
    for node in sorted(edges, key=lambda b: names[b]):
        digest = names[node][:16]
        used[digest] += 1
        labels[node] = BNode(f"b{digest}" + (f"x{used[digest]}" if used[digest] > 1 else ""))
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for s, p, o in graph:
        out.add((labels.get(s, s), p, labels.get(o, o)))
    return out


def ntriples(graph: Graph) -> str:
    rows = sorted(_nt_row(triple) for triple in stable_bnodes(graph))
    return "".join(rows)


def nquads(named: dict[str, Graph]) -> str:
    rows = []
    for name, graph in named.items():
        suffix = f" <{GRAPH[name]}> .\n"
        rows += [_nt_row(t)[:-3] + suffix for t in stable_bnodes(graph)]
    return "".join(sorted(rows))


def turtle(graph: Graph) -> str:
    stable = stable_bnodes(graph)
    for prefix, ns in PREFIXES.items():
        stable.bind(prefix, ns, override=True)
    return stable.serialize(format="turtle")


def jsonld(graph: Graph) -> str:
    stable = stable_bnodes(graph)
    return stable.serialize(format="json-ld", context=PREFIXES, indent=1, sort_keys=True)


def graphml(graph: Graph) -> str:
    """Resources as nodes, object-valued triples as labelled edges, literals as node data."""
    import networkx as nx

    from kg.namespaces import short_name

    g = nx.MultiDiGraph()
    for s, p, o in sorted(stable_bnodes(graph)):
        s_id = short_name(str(s))
        g.add_node(s_id)
        if isinstance(o, Literal):
            key = short_name(str(p)).replace(":", "_")
            g.nodes[s_id][key] = str(o)
        elif isinstance(o, URIRef | BNode):
            g.add_edge(s_id, short_name(str(o)), key=short_name(str(p)),
                       relation=short_name(str(p)))
    return "\n".join(nx.generate_graphml(g)) + "\n"


def serialise(graph: Graph, fmt: str) -> str:
    if fmt == "ttl":
        return turtle(graph)
    if fmt == "nt":
        return ntriples(graph)
    if fmt == "jsonld":
        return jsonld(graph)
    if fmt == "graphml":
        return graphml(graph)
    raise ValueError(f"unknown format {fmt}")
