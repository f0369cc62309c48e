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
    """A copy of ``graph`` whose blank nodes are named by a hash of what they say."""
    bnodes = {t for triple in graph for t in triple if isinstance(t, BNode)}
    if not bnodes:
        return graph
    signature: dict[Node, list[str]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            signature[s].append(f"> {p} {o if not isinstance(o, BNode) else '_'}")
        if isinstance(o, BNode):
            signature[o].append(f"< {s if not isinstance(s, BNode) else '_'} {p}")
    names: dict[Node, BNode] = {}
    used: dict[str, int] = defaultdict(int)
    for node in sorted(bnodes, key=lambda b: "\n".join(sorted(signature[b]))):
        digest = hashlib.sha1("\n".join(sorted(signature[node])).encode()).hexdigest()[:16]
        used[digest] += 1
        names[node] = BNode(f"b{digest}" + (f"x{used[digest]}" if used[digest] > 1 else ""))
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for s, p, o in graph:
        out.add((names.get(s, s), p, names.get(o, o)))
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
