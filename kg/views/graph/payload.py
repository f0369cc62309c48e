"""The page data of a view: everything the HTML viewer and the SVG drawing show, as plain
JSON-able data (nodes and edges by index), with short labels and node sizes."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from kg.pipeline.exposures import STATUSES
from kg.views.explain import STATUS_WORDS
from kg.views.graph.model import View
from kg.views.graph.words import (
    CATEGORY_COLOURS,
    GROUPS,
    ONTOLOGY_UI,
    ROLE_NAMES,
    STATUS_STYLE,
    UI,
    tr,
)

LARGE = 300  # above this many nodes: straight edges, edges hidden while dragging/zooming
BUDGET = 1500  # above this many nodes the page opens on a narrower view and says so
LABEL_MAX = 38


def columns(text: str) -> int:
    """Display width: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    """``text`` cut to ``limit`` columns, wide (CJK) characters counting two."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > limit:
            return text[:i].rstrip() + "…"
    return text


def node_size(view: View, npaths: int, group: str) -> int:
    if group in ("risk", "category"):
        return 14
    if view.sized:
        return min(46, round(10 + 4 * math.sqrt(npaths)))
    return 18 if group == "actor" else 14


def _rel_text(rels: set[tuple[str, str]], lang: str) -> str:
    return " / ".join(sorted({tr(r, lang) for r in rels}))


def payload(view: View) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data (nodes and edges by index)."""
    lang = view.lang
    keys = sorted(view.graph.nodes)
    number = {key: i for i, key in enumerate(keys)}
    nodes = []
    for key in keys:
        node = view.graph.nodes[key]
        x, y = view.positions.get(key, (0, 0))
        item: dict[str, Any] = {
            "key": key, "id": node["id"], "label": node["label"],
            "short": short_label(node["label"]), "group": node["group"],
            "type": node["type"], "roles": sorted(node["roles"]), "x": x, "y": y,
            "size": node_size(view, node["npaths"], node["group"]),
            "paths": node["member_of"], "npaths": node["npaths"],
            "sources": node["sources"], "status": node["status"], "dates": node["dates"],
            "statuses": dict(sorted(node["statuses"].items())),
        }
        place = view.page.get(key)
        if place:  # where the page draws it (the SVG figure draws at x, y)
            item.update({"px": place["x"], "py": place["y"], "r": place["r"],
                         "room": place["room"], "lines": place["lines"], "lod": place["lod"]})
        optional = {"focal": node["focal"], "illustrative": node["illustrative"],
                    "scope": node["scope"], "scope_from": node["scope_from"],
                    "categories": node["categories"], "facets": node.get("facets"),
                    "description": node.get("description"), "marks": node.get("marks"),
                    "betweenness": node.get("betweenness"), "shown": node.get("shown")}
        item.update({k: v for k, v in optional.items() if v})
        nodes.append(item)
    edge_keys = sorted(view.graph.edges)
    edge_number = {edge: i for i, edge in enumerate(edge_keys)}
    edges = [{"from": number[a], "to": number[b],
              "label": _rel_text(view.graph.edges[a, b]["rels"], lang),
              "npaths": len(view.graph.edges[a, b]["member_of"]),
              "status": _best_status(view, view.graph.edges[a, b]["member_of"])}
             for a, b in edge_keys]
    paths = [{"title": p.title, "steps": [number[k] for k in p.steps],
              "extra": [number[k] for k in p.extra],
              "edges": [edge_number[e] for e in p.edges], "meta": [list(m) for m in p.meta],
              "facets": p.facets, "status": p.status} for p in view.paths]
    present = sorted({n["group"] for n in nodes}, key=list(GROUPS).index)
    ui = UI[lang] | (ONTOLOGY_UI[lang] if view.kind == "ontology" else {})
    return {
        "view": view.kind, "title": view.title, "lang": lang,
        "asOf": view.as_of.isoformat() if view.as_of else None,
        "notes": view.notes, "sized": view.sized, "large": len(nodes) > LARGE,
        "groups": {g: {k: GROUPS[g][k] for k in ("color", "border", "shape", "symbol", "mark")}
                   | {"label": GROUPS[g][lang]} for g in present},
        "groupOrder": present,
        "roleNames": {role: tr(names, lang) for role, names in ROLE_NAMES.items()},
        "statusLabels": {s: tr(STATUS_WORDS[s], lang) for s in STATUSES},
        "ui": ui, "budget": BUDGET,
        "statusStyle": {s: STATUS_STYLE[s] for s in STATUSES},
        "categories": _categories(view),
        "filters": view.filters, "nodes": nodes, "edges": edges,
        "paths": paths,
    }


def _best_status(view: View, members: list[int]) -> str:
    """The most current exposure status among an edge's paths ("" in the ontology view)."""
    present = {view.paths[i].status for i in members}
    return next((s for s in STATUSES if s in present), "")


def _categories(view: View) -> dict[str, dict[str, str]]:
    """Each risk category of the view (as in its category filter) with its badge colour."""
    options: list[dict[str, Any]] = next(
        (f["options"] for f in view.filters if f["key"] == "category"), [])
    return {o["value"]: {"label": o["label"],
                         "color": "#9aa1a8" if o["value"] == "-" else
                         CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]}
            for i, o in enumerate(options)}
