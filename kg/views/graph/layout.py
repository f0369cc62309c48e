"""Analysis and layout of a view: exposure paths through each node, betweenness, and a
deterministic layered layout (columns by path role, rows ordered to cut crossings), so the
browser runs no physics whatever the size."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from kg.views.graph.words import GROUPS, SUBCLASS_RELATION

if TYPE_CHECKING:
    from kg.views.graph.model import View

# Column of each path role, before jurisdiction nesting widens the jurisdiction columns.
ROLE_RANK = {"actor": 0, "supplied-product": 1, "activity": 2, "artefact": 2,
             "jurisdiction": 3, "containing-jurisdiction": 3, "source": 4, "provision": 5,
             "risk": 6, "category": 7}


def analyse(view: View) -> View:
    """Centrality and layout: paths through each node, betweenness, positions."""
    graph = view.graph
    for node in graph.nodes.values():
        node["npaths"] = len(node["member_of"])
    n = graph.number_of_nodes()
    if 0 < n <= 3000:
        # Exact up to 1,000 nodes; above that a fixed-seed sample keeps it deterministic.
        k = None if n <= 1000 else 256
        centrality = nx.betweenness_centrality(graph, k=k, seed=7, normalized=True)
        for key, value in centrality.items():
            graph.nodes[key]["betweenness"] = round(value, 4)
    view.positions = layered_layout(graph, _layers(view))
    return view


def _layers(view: View) -> dict[str, int]:
    graph = view.graph
    if view.kind == "ontology":
        subclass = [(a, b) for a, b, rels in graph.edges(data="rels")
                    if SUBCLASS_RELATION in rels]
        return _depths(graph.edge_subgraph(subclass).reverse(copy=False), graph.nodes)
    jurisdictions = [k for k, n in graph.nodes(data=True) if n["group"] == "jurisdiction"]
    nesting = _depths(graph.subgraph(jurisdictions), jurisdictions)
    widen = max(nesting.values(), default=0)
    layers = {}
    for key, node in graph.nodes(data=True):
        ranks = [ROLE_RANK.get(role, 4) for role in node["roles"]] or [4]
        rank = max(ranks)
        if node["group"] == "jurisdiction":
            rank = 3 + nesting.get(key, 0)
        elif rank > 3:
            rank += widen
        layers[key] = rank
    return layers


def _depths(graph: nx.DiGraph, keys: Iterable[str]) -> dict[str, int]:
    """Longest-path depth of each node from the nodes with no predecessor (0 on cycles)."""
    if not nx.is_directed_acyclic_graph(graph):
        return dict.fromkeys(keys, 0)
    depth: dict[str, int] = {}
    for key in nx.lexicographical_topological_sort(graph):
        preds = [depth[p] for p in graph.predecessors(key)]
        depth[key] = max(preds) + 1 if preds else 0
    return {k: depth.get(k, 0) for k in keys}


def layered_layout(graph: nx.DiGraph, layers: dict[str, int], *, dx: int = 330,
                   dy: int = 56, sub_dx: int = 250) -> dict[str, tuple[int, int]]:
    """Columns by layer, rows ordered by barycentre sweeps to cut crossings; a tall
    column wraps into sub-columns so big views keep a sensible aspect ratio."""
    columns: dict[int, list[str]] = defaultdict(list)
    group_order = list(GROUPS)
    for key in sorted(graph.nodes, key=lambda k: (group_order.index(graph.nodes[k]["group"]),
                                                  graph.nodes[k]["label"].casefold(), k)):
        columns[layers[key]].append(key)
    undirected = graph.to_undirected(as_view=True)
    order = _barycentre_order(columns, undirected)
    rows = max(30, math.ceil(2.2 * math.sqrt(max(graph.number_of_nodes(), 1))))
    positions: dict[str, tuple[int, int]] = {}
    x = 0
    for layer in sorted(order):
        keys = order[layer]
        width = math.ceil(len(keys) / rows)
        step = dy / width  # staggered: neighbours in the order sit in adjacent sub-columns
        for i, key in enumerate(keys):
            positions[key] = (x + (i % width) * sub_dx, round((i - (len(keys) - 1) / 2) * step))
        x += (width - 1) * sub_dx + dx
    return positions


def _barycentre_order(columns: dict[int, list[str]], graph: nx.Graph,
                      sweeps: int = 4) -> dict[int, list[str]]:
    order = {layer: list(keys) for layer, keys in columns.items()}
    where: dict[str, float] = {}

    def place(layer: int) -> None:
        size = max(len(order[layer]) - 1, 1)
        for i, key in enumerate(order[layer]):
            where[key] = i / size

    for layer in order:
        place(layer)
    layers = sorted(order)
    for sweep in range(sweeps):
        for layer in layers if sweep % 2 == 0 else reversed(layers):
            def score(key: str) -> tuple[float, float, str]:
                near = [where[n] for n in graph.neighbors(key) if n in where and n != key]
                return (sum(near) / len(near) if near else where[key], where[key], key)
            order[layer].sort(key=score)
            place(layer)
    return order
