"""Analysis and layout of a view: exposure paths through each node, betweenness, and a
deterministic layered layout (columns by path role, rows ordered to cut crossings), so the
browser runs no physics whatever the size."""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from kg.views.graph.words import GROUPS, KEY_GROUPS, SUBCLASS_RELATION

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
    layers = _layers(view)
    view.positions = layered_layout(graph, layers)
    _shown_labels(graph)
    view.page = page_layout(graph, layers, sized=view.sized)
    return view


def _shown_labels(graph: nx.DiGraph) -> None:
    """On the page, a label that starts with the subject's name (an actor view's "DeepSeek
    processes …") drops it: the subject is the view's title (the tooltip has the whole)."""
    subjects = [str(n["label"]) for n in graph.nodes.values() if n.get("focal")]
    for node in graph.nodes.values():
        label = str(node["label"])
        for name in subjects:
            if not node.get("focal") and label.startswith(name + " ") and len(label) > len(
                    name) + 3:
                node["shown"] = label[len(name) + 1:]


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
    order = _ordered_columns(graph, layers)
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


def _ordered_columns(graph: nx.DiGraph, layers: dict[str, int]) -> dict[int, list[str]]:
    columns: dict[int, list[str]] = defaultdict(list)
    group_order = list(GROUPS)
    for key in sorted(graph.nodes, key=lambda k: (group_order.index(graph.nodes[k]["group"]),
                                                  graph.nodes[k]["label"].casefold(), k)):
        columns[layers[key]].append(key)
    return _barycentre_order(columns, graph.to_undirected(as_view=True))


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


# --------------------------------------------------------------------------- the page layout
# The page draws each node as its mark with the label to the right, so the layout packs
# label blocks in columns (one per layer, split into sub-columns when tall) and chooses the
# label widths and column height that make the fit largest on the page's canvas. Units are
# CSS pixels at scale 1: at the default fit a label of KEY_FONT renders at KEY_FONT × scale.

KEY_FONT, MINOR_FONT = 13, 11
CANVAS = (870, 880)  # the graph's share of a 1440×900 page (1440 - 230 - 320 - margins)
GAP_X, GAP_Y, LINE = 26, 4, 1.25
ENOUGH = 12 / KEY_FONT  # a fit scale that draws key labels at 12 px
PAGE_BUDGET = 1500  # above this many nodes, one quick packing instead of a search


def text_width(text: str, font: float, bold: bool = False) -> float:
    """Estimated width of ``text`` in ``font`` px: wide (CJK) characters one em, others
    0.6 em, or 0.72 em in bold (the page measures the real text and wraps or abbreviates
    it to fit)."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in ("W", "F"))
    return (len(text) + wide) * (0.72 if bold else 0.6) * font


def mark_radius(npaths: int, key: bool, sized: bool) -> float:
    """The radius of a node's mark: bigger with more exposure paths in the sized views."""
    if sized:
        return min(13.0, round(5 + math.sqrt(max(npaths, 1)), 1))
    return 9.0 if key else 7.0


def _block(node: dict[str, object], key: bool, sized: bool,
           widths: tuple[float, float, int]) -> dict[str, float]:
    """The mark and the label room of one node for label widths (key, minor)."""
    font = KEY_FONT if key else MINOR_FONT
    r = mark_radius(int(str(node.get("npaths") or 0)), key, sized)
    want = text_width(str(node.get("shown") or node["label"]), font, bold=key)
    room = min(want, widths[0] if key else widths[1])
    lines = 1 if want <= room or not key else min(widths[2], math.ceil(want / room))
    height = max(2 * r, lines * LINE * font if room else 0)
    return {"r": r, "room": round(room, 1), "lines": lines, "lod": 1 if key else 2,
            "w": 2 * r + (6 + room if room else 0), "h": height}


def _pack(order: dict[int, list[str]], blocks: dict[str, dict[str, float]],
          cap: float) -> tuple[dict[str, tuple[float, float, float]], float, float]:
    """Columns of blocks, each layer split into sub-columns no taller than ``cap``: where
    each mark goes, and the label room its (sub-)column leaves it."""
    where: dict[str, tuple[float, float, float]] = {}
    x, tallest = 0.0, 0.0
    for layer in sorted(order):
        keys = order[layer]
        total = sum(blocks[k]["h"] + GAP_Y for k in keys)
        parts = max(1, math.ceil(total / cap))
        share, used = total / parts, 0.0
        chunk: list[str] = []
        chunks: list[list[str]] = []
        for key in keys:
            if chunk and used + blocks[key]["h"] > share * 1.02:
                chunks.append(chunk)
                chunk, used = [], 0.0
            chunk.append(key)
            used += blocks[key]["h"] + GAP_Y
        chunks.append(chunk)
        for part in chunks:
            height = sum(blocks[k]["h"] + GAP_Y for k in part) - GAP_Y
            tallest = max(tallest, height)
            y = -height / 2
            width = max(blocks[k]["w"] for k in part)
            for key in part:
                b = blocks[key]
                room = width - 2 * b["r"] - 6 if b["room"] else 0.0
                where[key] = (x + b["r"], y + b["h"] / 2, room)
                y += b["h"] + GAP_Y
            x += width + GAP_X
    return where, max(x - GAP_X, 1.0), max(tallest, 1.0)


def page_layout(graph: nx.DiGraph, layers: dict[str, int], *,
                sized: bool = False) -> dict[str, dict[str, float]]:
    """Where the page draws each node (``x``, ``y``: the centre of its mark), its mark's
    radius ``r``, its label ``room`` (width) and ``lines``, and ``lod`` (1: labelled at the
    fit, 2: labelled when there is room), chosen so the fit is as large as it can be."""
    if not graph.number_of_nodes():
        return {}
    order = _ordered_columns(graph, layers)
    key_of = {k: n["group"] in KEY_GROUPS or bool(n.get("focal")) for k, n in graph.nodes.items()}
    small = graph.number_of_nodes() <= PAGE_BUDGET
    options = [(wk, wm, lines) for wk in (170, 140, 115, 95) for wm in (120, 80, 0)
               for lines in (3, 2, 1)] if small else [(140, 80, 2)]
    Where = dict[str, tuple[float, float, float]]
    Blocks = dict[str, dict[str, float]]
    best: tuple[float, int, float, float, Where, Blocks] | None = None
    for widths in options:
        blocks = {k: _block(n, key_of[k], sized, widths) for k, n in graph.nodes.items()}
        total = max(sum(b["h"] + GAP_Y for b in blocks.values()), 1.0)
        caps = sorted({CANVAS[1] * m for m in (1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48)
                       if CANVAS[1] * m < total * 2} | {total})
        for cap in caps:
            where, width, height = _pack(order, blocks, cap)
            scale = min(CANVAS[0] / width, CANVAS[1] / height, 1.6)
            # Large enough (key labels at 12 px) is enough: then the least abbreviation.
            rank = (round(min(scale, ENOUGH), 3), widths[0], widths[2], widths[1])
            if best is None or rank > best[:4]:
                best = (*rank, where, blocks)
    assert best is not None
    where, blocks = best[4], best[5]
    return {k: {"x": round(where[k][0], 1), "y": round(where[k][1], 1), "r": blocks[k]["r"],
                "room": round(where[k][2], 1), "lines": blocks[k]["lines"],
                "lod": blocks[k]["lod"]}
            for k in graph.nodes}
