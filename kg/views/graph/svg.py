"""A view as a standalone, report-ready SVG figure, drawn in Python from the page's layout
(vector, text stays text, no browser needed): a title, the as-of date and a data note above
and below the drawing, the legend outside it, node labels wrapped to the room they have (a
shortened one ends in "…" and keeps its full form in the node's ``<title>``), and edge labels
placed only where they collide with nothing (the full relation is in every edge's ``<title>``).

Text widths are estimated (``CHAR_EM`` em a character, wide CJK ones counting two), the same
estimate the geometry tests use."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kg.core.textsafe import html_text
from kg.views.graph.model import View
from kg.views.graph.payload import columns, payload
from kg.views.graph.words import tr

if TYPE_CHECKING:
    from kg.store.built import Built

CHAR_EM = 0.62  # estimated advance of a narrow character, in em; wide (CJK) ones take two
NODE_FONT, EDGE_FONT, LINE = 12, 10, 14  # node label, edge label (px), node-label line height
LABEL_WIDTH = 300  # widest node label line (px)
PAD, GAP = 28, 6  # figure margin; least room between two labels
Box = tuple[float, float, float, float]  # left, top, right, bottom
HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'

# The figure's own words, (en, zh); the class names and notes come from words.py.
WORDS = {
    "as_of": ("As of {date}", "截至 {date}"),
    "drawn": ("Drawn {date}", "绘制于 {date}"),
    "counts": ("{n} nodes · {m} edges", "{n} 个节点 · {m} 条连线"),
    "paths": ("{p} exposure paths", "{p} 条风险暴露路径"),
    "data": ("Data: ", "数据："),
    "built": ("kg build of {date}", "{date} 的构建"),
    "records": ("{records} exposure records from {files} case files",
                "{files} 个案例文件中的 {records} 条风险暴露记录"),
    "sources": ("{cited} sources cited in this figure ({total} in the build)",
                "本图引用 {cited} 个来源（构建中共 {total} 个）"),
    "cited": ("{cited} sources cited in this figure", "本图引用 {cited} 个来源"),
    "no_build": ("the ontology files (no build)", "本体文件（无构建）"),
    "edge_labels": ("Edge labels: {k} of {m} shown; repeats and those that would overlap are "
                    "left out (each edge's tooltip names its relation)",
                    "连线标签：显示 {k}/{m} 个，重复的和会重叠的略去"
                    "（每条连线的提示框写明其关系）"),
    "shortened": ("A label ending in … is shortened; its tooltip has the full name",
                  "以 … 结尾的标签已缩短；提示框中有全名"),
}


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` px (wide characters count two)."""
    return columns(text) * CHAR_EM * size


def _wide(char: str) -> bool:
    return columns(char) == 2


def _tokens(text: str) -> list[str]:
    """Words with their following spaces; each wide (CJK) character is a token of its own."""
    return [t for t in re.findall(r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\uffef]*\s*|.", text)
            if t]


def wrap(text: str, width: float, lines: int, size: float = NODE_FONT) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` px; if it does not fit, the
    last line ends in "…"."""
    out: list[str] = []
    current = ""
    rest = _tokens(" ".join(text.split()))
    while rest:
        token = rest[0]
        if text_width((current + token).rstrip(), size) <= width:
            current += token
            rest.pop(0)
        elif current:
            out.append(current.rstrip())
            current = ""
        else:  # one word wider than the line: break it
            cut = max(1, _fit(token, width, size))
            current, rest[0] = token[:cut], token[cut:]
        if len(out) == lines:
            break
    if len(out) < lines and current:
        out.append(current.rstrip())
        current = ""
    if rest or current:
        last = out[-1] if out else ""
        keep = _fit(last, width - text_width("…", size), size)
        out[-1:] = [last[:keep].rstrip() + "…"]
    return out or [""]


def _fit(text: str, width: float, size: float) -> int:
    """How many leading characters of ``text`` fit in ``width`` px."""
    used = 0.0
    for i, char in enumerate(text):
        used += (2 if _wide(char) else 1) * CHAR_EM * size
        if used > width:
            return i
    return len(text)


class Placed:
    """Boxes already drawn, in a coarse grid, to test a new box against its neighbours."""

    CELL = 80.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        c = self.CELL
        for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1):
            for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1):
                yield i, j

    def hits(self, box: Box) -> bool:
        return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
                   for cell in self._cells(box) for o in self.cells.get(cell, ()))

    def add(self, box: Box) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)


# --------------------------------------------------------------------------- the drawing


def _stretch(nodes: list[dict[str, Any]]) -> float:
    """How much to stretch the layout vertically so that two label lines fit between a
    node and the next one below it in its column (at most double)."""
    by_x: dict[float, list[dict[str, Any]]] = {}
    for node in nodes:
        by_x.setdefault(node["x"], []).append(node)
    factor = 1.0
    for column in by_x.values():
        column.sort(key=lambda n: n["y"])
        for a, b in itertools.pairwise(column):
            need = a["size"] + 4 + 2 * LINE + 6 + b["size"]
            if b["y"] > a["y"]:
                factor = max(factor, need / (b["y"] - a["y"]))
    return min(factor, 2.0)


def _near(nodes: list[dict[str, Any]]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """The nodes by grid cell (``LABEL_WIDTH`` wide, 64 px high), to find a node's
    neighbours without looking at every node."""
    grid: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for node in nodes:
        grid.setdefault((math.floor(node["x"] / LABEL_WIDTH), math.floor(node["y"] / 64)),
                        []).append(node)
    return grid


def _label_room(node: dict[str, Any], grid: dict[tuple[int, int], list[dict[str, Any]]]
                ) -> float:
    """The widest label (centred under the node, two lines) that stays clear of the
    shapes beside it and of half the gap to the labels beside it."""
    room = float(LABEL_WIDTH)
    band = (node["y"] + node["size"] + 4, node["y"] + node["size"] + 4 + 2 * LINE)
    cx, cy = math.floor(node["x"] / LABEL_WIDTH), math.floor(node["y"] / 64)
    for i in (cx - 1, cx, cx + 1):
        for j in range(cy - 3, cy + 4):
            for other in grid.get((i, j), ()):
                if other is node:
                    continue
                dx, r = abs(other["x"] - node["x"]), other["size"]
                if other["y"] - r < band[1] and other["y"] + r > band[0]:  # its shape
                    room = min(room, 2 * (dx - r - GAP))
                label = (other["y"] + r + 4, other["y"] + r + 4 + 2 * LINE)
                if label[0] < band[1] and label[1] > band[0]:  # its label
                    room = min(room, dx - GAP)
    return max(room, 4 * CHAR_EM * NODE_FONT)


def _node_labels(nodes: list[dict[str, Any]], placed: Placed) -> tuple[list[list[str]], bool]:
    """Each node's label lines, and whether any was shortened; the label boxes and the
    node shapes go into ``placed``."""
    out, shortened = [], False
    grid = _near(nodes)
    for node in nodes:
        if node["group"] in ("risk", "category"):
            lines = wrap(node["label"], LABEL_WIDTH * 0.6, 2)
            w = max(text_width(line, NODE_FONT) for line in lines) + 16
            h = LINE * len(lines) + 10
            node["box"], node["box_h"] = w, h
            placed.add((node["x"] - w / 2, node["y"] - h / 2, node["x"] + w / 2,
                        node["y"] + h / 2))
        else:
            r = node["size"]
            lines = wrap(node["label"], _label_room(node, grid), 2)
            placed.add((node["x"] - r, node["y"] - r, node["x"] + r, node["y"] + r))
            w = max(text_width(line, NODE_FONT) for line in lines)
            top = node["y"] + r + 4
            placed.add((node["x"] - w / 2, top, node["x"] + w / 2, top + LINE * len(lines)))
        shortened = shortened or "".join(lines) != "".join(node["label"].split())
        out.append(lines)
    return out, shortened


def _edge_label_box(edge: dict[str, Any], nodes: list[dict[str, Any]], text: str,
                    placed: Placed) -> tuple[float, float] | None:
    """Where ``text`` sits on the edge without touching anything placed, or None."""
    a, b = nodes[edge["from"]], nodes[edge["to"]]
    length = math.hypot(b["x"] - a["x"], b["y"] - a["y"])
    w, h = text_width(text, EDGE_FONT) + 2, EDGE_FONT + 2
    if a is b or w > 0.6 * length:
        return None
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74):
        x, y = a["x"] + (b["x"] - a["x"]) * t, a["y"] + (b["y"] - a["y"]) * t
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if not placed.hits(box):
            placed.add(box)
            return x, y
    return None


def _edge_labels(edges: list[dict[str, Any]], nodes: list[dict[str, Any]], placed: Placed
                 ) -> dict[int, tuple[float, float] | None]:
    """Where each edge's label goes, busiest edges first; None for one that would collide,
    or that repeats a label already shown on an edge from the same node or into the same
    node (a fan of "raises" needs it once)."""
    spots: dict[int, tuple[float, float] | None] = dict.fromkeys(range(len(edges)))
    said: set[tuple[str, int, str]] = set()
    for i in sorted(spots, key=lambda i: (-edges[i]["npaths"], i)):
        edge = edges[i]
        ends = {("from", edge["from"], edge["label"]), ("to", edge["to"], edge["label"])}
        if ends & said:
            continue
        spots[i] = _edge_label_box(edge, nodes, edge["label"], placed)
        if spots[i] is not None:
            said |= ends
    return spots


def _svg_shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str,
               extra: str = "") -> str:
    style = f'fill="{fill}" stroke="{stroke}"{extra}'
    if shape in ("dot", "ellipse"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
    if shape in ("square", "box"):
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" ' \
               f'height="{2 * r:.1f}" {style}/>'
    corners: dict[str, list[tuple[float, float]]] = {
        "diamond": [(0, -1), (1, 0), (0, 1), (-1, 0)],
        "triangle": [(0, -1), (0.87, 0.5), (-0.87, 0.5)],
        "triangleDown": [(0, 1), (0.87, -0.5), (-0.87, -0.5)],
        "hexagon": [(math.cos(a), math.sin(a)) for a in (i * math.pi / 3 for i in range(6))],
        "star": [((1 if i % 2 == 0 else 0.45) * math.cos(-math.pi / 2 + i * math.pi / 5),
                  (1 if i % 2 == 0 else 0.45) * math.sin(-math.pi / 2 + i * math.pi / 5))
                 for i in range(10)],
    }
    points = corners.get(shape, corners["diamond"])
    text = " ".join(f"{x + px * r:.1f},{y + py * r:.1f}" for px, py in points)
    return f'<polygon points="{text}" {style}/>'


def _svg_node(node: dict[str, Any], style: dict[str, str], lines: list[str]) -> str:
    x, y, r = node["x"], node["y"], node["size"]
    dash = {"inherited": ' stroke-dasharray="4 3"', "contained": ' stroke-dasharray="1.5 2"'
            }.get(node.get("scope", ""), "")
    tip = f"<title>{html_text(node['label'])} ({html_text(node['id'])})</title>"
    if style["shape"] == "box":
        w, h = node["box"], LINE * len(lines) + 10
        spans = "".join(f'<tspan x="{x:.1f}" y="{y - h / 2 + 5 + LINE * (i + 1) - 3:.1f}">'
                        f"{html_text(line)}</tspan>" for i, line in enumerate(lines))
        return (f'<g class="node">{tip}<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" '
                f'width="{w:.1f}" height="{h}" rx="4" fill="{style["color"]}" '
                f'stroke="{style["border"]}"{dash}/><text class="label" '
                f'font-size="{NODE_FONT}" fill="#ffffff" text-anchor="middle">{spans}</text></g>')
    width = "3" if node.get("focal") else "1.5"
    shape = _svg_shape(style["shape"], x, y, r, style["color"], style["border"],
                       f' stroke-width="{width}"{dash}')
    spans = "".join(f'<tspan x="{x:.1f}" y="{y + r + 4 + LINE * (i + 1) - 3:.1f}">'
                    f"{html_text(line)}</tspan>" for i, line in enumerate(lines))
    return (f'<g class="node">{tip}{shape}<text class="label" font-size="{NODE_FONT}" '
            f'fill="#222222" text-anchor="middle" {HALO}>{spans}</text></g>')


def _svg_edge(a: dict[str, Any], b: dict[str, Any], label: str,
              at: tuple[float, float] | None) -> str:
    ax, ay, bx, by = a["x"], a["y"], b["x"], b["y"]
    length = math.hypot(bx - ax, by - ay)
    if a is b or length < 1:
        return ""
    if "box" in b:  # stop at the box's edge: the nearer of its sides along the line
        ux, uy = abs(bx - ax) / length, abs(by - ay) / length
        h = (b["box_h"] / 2 + 3) / uy if uy else math.inf
        reach = min((b["box"] / 2 + 3) / ux if ux else math.inf, h)
    else:
        reach = b["size"] + 4
    trim = min(reach / length, 1.0)
    ex, ey = bx - (bx - ax) * trim, by - (by - ay) * trim
    tip = f"<title>{html_text(a['label'])} — {html_text(label)} → {html_text(b['label'])}</title>"
    text = "" if at is None else (
        f'<text class="edge-label" x="{at[0]:.1f}" y="{at[1] + EDGE_FONT / 2 - 1.5:.1f}" '
        f'font-size="{EDGE_FONT}" fill="#4d5a60" text-anchor="middle" {HALO}>'
        f"{html_text(label)}</text>")
    return (f'<g class="edge">{tip}<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{ex:.1f}" '
            f'y2="{ey:.1f}" stroke="#a3adb3" stroke-width="1" marker-end="url(#arrow)"/>'
            f"{text}</g>")


def _drawing(data: dict[str, Any]) -> tuple[list[str], Box, int, bool]:
    """The edges and nodes (layout coordinates), their bounding box, how many edge labels
    are shown and whether a node label was shortened."""
    nodes = [dict(n) for n in data["nodes"]]
    stretch = _stretch(nodes)
    for node in nodes:
        node["y"] = round(node["y"] * stretch, 1)
    placed = Placed()
    labels, shortened = _node_labels(nodes, placed)
    spots = _edge_labels(data["edges"], nodes, placed)
    out = ['<g id="edges">']
    for i, edge in enumerate(data["edges"]):
        out.append(_svg_edge(nodes[edge["from"]], nodes[edge["to"]], edge["label"], spots[i]))
    out.append('</g><g id="nodes">')
    out += [_svg_node(n, data["groups"][n["group"]], lines) for n, lines in zip(nodes, labels,
                                                                                 strict=True)]
    out.append("</g>")
    boxes = [b for cell in placed.cells.values() for b in cell] or [(0.0, 0.0, 1.0, 1.0)]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
    return out, bbox, sum(1 for s in spots.values() if s is not None), shortened


# --------------------------------------------------------------------------- the frame


def data_note(data: dict[str, Any], built: Built | None, lang: str) -> str:
    """Where the figure's data comes from: the build's date, records and sources."""
    cited = len({url for n in data["nodes"] for url in n.get("sources", ())})
    if built is None:
        word = WORDS["cited"] if cited else WORDS["no_build"]
        return tr(WORDS["data"], lang) + tr(word, lang).format(cited=cited)
    records = built.exposures()
    total = len({url for r in records for step in r.get("path", ())
                 for url in step.get("sources", ())})
    counts = built.manifest.get("counts", {})
    parts = [tr(WORDS["built"], lang).format(date=built.built_at.date().isoformat()),
             tr(WORDS["records"], lang).format(records=len(records),
                                               files=counts.get("case_files", "?")),
             tr(WORDS["sources"], lang).format(cited=cited, total=total)][:3 if cited else 2]
    return tr(WORDS["data"], lang) + ("; " if lang == "en" else "；").join(parts)


def _legend(data: dict[str, Any], notes: list[str], width: float) -> tuple[list[str], float]:
    """The legend as rows of entries (class symbols, then notes) wrapped to ``width``;
    drawn at the origin, with its height."""
    out = [f'<text x="12" y="22" font-size="14" font-weight="bold">'
           f'{html_text(data["ui"]["legend"])}</text>']
    x, y = 12.0, 46.0
    for group in (data["groups"][g] for g in data["groupOrder"]):
        w = 24 + text_width(group["label"], NODE_FONT) + 24
        if x + w > width - 12 and x > 12:
            x, y = 12.0, y + 22
        out.append(_svg_shape(group["shape"], x + 7, y - 4, 6, group["color"],
                              group["border"], ' stroke-width="1.5"'))
        out.append(f'<text x="{x + 20:.1f}" y="{y:.1f}" font-size="{NODE_FONT}">'
                   f'{html_text(group["label"])}</text>')
        x += w
    for note in notes:
        y += 20
        for line in wrap(note, width - 24, 3):
            out.append(f'<text class="note" x="12" y="{y:.1f}" font-size="11" '
                       f'fill="#4d5a60">{html_text(line)}</text>')
            y += 15
        y -= 15
    return out, y + 14


def _notes(data: dict[str, Any], shown: int, shortened: bool) -> list[str]:
    ui, lang = data["ui"], data["lang"]
    notes = []
    nodes = data["nodes"]
    if any(n.get("focal") for n in nodes):
        notes.append(ui["focal"])
    if any(n.get("scope") == "inherited" for n in nodes):
        notes.append(ui["dashed"])
    if any(n.get("scope") == "contained" for n in nodes):
        notes.append(ui["dotted"])
    if data["sized"]:
        notes.append(ui["size"])
    if shown < len(data["edges"]):
        notes.append(tr(WORDS["edge_labels"], lang).format(k=shown, m=len(data["edges"])))
    if shortened:
        notes.append(tr(WORDS["shortened"], lang))
    return notes


def _subtitle(view: View, data: dict[str, Any], built: Built | None,
              today: dt.date | None) -> str:
    lang = view.lang
    if view.as_of is not None:
        date = tr(WORDS["as_of"], lang).format(date=view.as_of.isoformat())
    else:
        when = built.built_at.date() if built is not None else (today or dt.date.today())
        date = tr(WORDS["drawn"], lang).format(date=when.isoformat())
    parts = [date, tr(WORDS["counts"], lang).format(n=len(data["nodes"]),
                                                    m=len(data["edges"]))]
    if view.kind != "ontology":
        parts.append(tr(WORDS["paths"], lang).format(p=len(data["paths"])))
    return " · ".join(parts)


def render_svg(view: View, built: Built | None = None, *, today: dt.date | None = None) -> str:
    """The view as a standalone SVG figure: title, as-of date, the drawing, the legend below
    it, and a data note from ``built`` (the build the view was drawn from, if any)."""
    data = payload(view)
    drawing, (left, top, right, bottom), shown, shortened = _drawing(data)
    width = max(right - left + 2 * PAD, 720.0)
    title = wrap(view.title, width - 2 * PAD, 2, 22)
    header = PAD + 30.0 * len(title) + 48
    legend, legend_h = _legend(data, _notes(data, shown, shortened), width - 2 * PAD)
    note = data_note(data, built, view.lang)
    note_lines = wrap(note, width - 2 * PAD, 3, 11)
    legend_y = header + (bottom - top) + 24
    height = legend_y + legend_h + 16 + 15 * len(note_lines) + PAD
    dx, dy = PAD - left + (width - 2 * PAD - (right - left)) / 2, header - top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" font-family="DejaVu Sans, Noto Sans, '
           f'Noto Sans CJK SC, sans-serif">',
           f"<title>{html_text(view.title)}</title>",
           f"<desc>{html_text(note)}</desc>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#8a9499"/></marker></defs>',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
           '<g id="header"><text id="figure-title" font-size="22" font-weight="bold" '
           'fill="#111111">' + "".join(
               f'<tspan x="{PAD}" y="{PAD + 18 + 30 * i}">{html_text(line)}</tspan>'
               for i, line in enumerate(title)) + "</text>"
           f'<text id="figure-date" x="{PAD}" y="{PAD + 30 * len(title) + 14}" font-size="13" '
           'fill="#4d5a60">'
           f"{html_text(_subtitle(view, data, built, today))}</text></g>",
           f'<g id="drawing" transform="translate({dx:.1f},{dy:.1f})">', *drawing, "</g>",
           f'<g id="legend" transform="translate({PAD},{legend_y:.1f})">'
           f'<rect class="legend-box" x="0" y="0" width="{width - 2 * PAD:.1f}" '
           f'height="{legend_h:.1f}" rx="6" fill="#f7f8f9" stroke="#d0d5d9"/>', *legend, "</g>",
           '<g id="data-note">']
    for i, line in enumerate(note_lines):
        y = legend_y + legend_h + 26 + 15 * i
        out.append(f'<text x="{PAD}" y="{y:.1f}" font-size="11" fill="#4d5a60">'
                   f"{html_text(line)}</text>")
    out.append("</g></svg>\n")
    return "\n".join(out)

