"""A view as standalone SVG, drawn in Python from the same node positions and styles as the
page (vector, text stays text, no browser needed)."""

from __future__ import annotations

import math
from typing import Any

from kg.core.textsafe import html_text
from kg.views.graph.model import View
from kg.views.graph.payload import columns, payload


def _svg_shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str,
               dash: str) -> str:
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}'
    if shape in ("dot", "ellipse"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
    if shape == "square":
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
    points = corners.get(shape, [(0, -1), (1, 0), (0, 1), (-1, 0)])
    text = " ".join(f"{x + px * r:.1f},{y + py * r:.1f}" for px, py in points)
    return f'<polygon points="{text}" {style}/>'


def render_svg(view: View) -> str:
    """The view drawn from the same positions and styles as the page, as standalone SVG."""
    data = payload(view)
    nodes = data["nodes"]
    margin = 160
    xs = [n["x"] for n in nodes] or [0]
    ys = [n["y"] for n in nodes] or [0]
    left, top = min(xs) - margin, min(ys) - margin
    width, height = max(xs) - left + margin, max(ys) - top + margin + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {width} {height}" '
           f'width="{width}" height="{height}" font-family="sans-serif">',
           f"<title>{html_text(view.title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#8a9499"/></marker></defs>',
           f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="#ffffff"/>',
           '<g id="edges">']
    for edge in data["edges"]:
        out.append(_svg_edge(nodes[edge["from"]], nodes[edge["to"]], edge["label"]))
    out.append('</g><g id="nodes">')
    for node in nodes:
        out.append(_svg_node(node, data["groups"][node["group"]]))
    out.append("</g>")
    out.append(_svg_legend(data, left + 20, top + 20))
    out.append("</svg>\n")
    return "\n".join(out)


def _svg_edge(a: dict[str, Any], b: dict[str, Any], label: str) -> str:
    ax, ay, bx, by = a["x"], a["y"], b["x"], b["y"]
    length = math.hypot(bx - ax, by - ay) or 1.0
    trim = (b["size"] + 4) / length
    ex, ey = bx - (bx - ax) * trim, by - (by - ay) * trim
    if a is b or length < 1:
        return ""
    mx, my = (ax + ex) / 2, (ay + ey) / 2
    return (f'<g class="edge"><line x1="{ax}" y1="{ay}" x2="{ex:.1f}" y2="{ey:.1f}" '
            'stroke="#a3adb3" stroke-width="1" marker-end="url(#arrow)"/>'
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" font-size="9" fill="#5d6a70" '
            f'text-anchor="middle">{html_text(label)}</text></g>')


def _svg_node(node: dict[str, Any], style: dict[str, str]) -> str:
    x, y, r = node["x"], node["y"], node["size"]
    dash = {"inherited": ' stroke-dasharray="4 3"', "contained": ' stroke-dasharray="1.5 2"'
            }.get(node.get("scope", ""), "")
    label = html_text(node["short"])
    tip = f"<title>{html_text(node['label'])} ({html_text(node['id'])})</title>"
    if style["shape"] == "box":
        w = 7 * columns(node["short"]) + 16
        return (f'<g class="node">{tip}<rect x="{x - w / 2:.1f}" y="{y - 12}" width="{w}" '
                f'height="24" rx="4" fill="{style["color"]}" stroke="{style["border"]}"{dash}/>'
                f'<text x="{x}" y="{y + 4}" font-size="12" fill="#ffffff" '
                f'text-anchor="middle">{label}</text></g>')
    width = "3" if node.get("focal") else "1.5"
    shape = _svg_shape(style["shape"], x, y, r, style["color"], style["border"], dash)
    shape = shape.replace('stroke-width="1.5"', f'stroke-width="{width}"')
    return (f'<g class="node">{tip}{shape}<text x="{x}" y="{y + r + 14}" font-size="12" '
            f'fill="#222222" text-anchor="middle">{label}</text></g>')


def _svg_legend(data: dict[str, Any], x: float, y: float) -> str:
    rows = [f'<g id="legend"><text x="{x}" y="{y}" font-size="13" font-weight="bold">'
            f'{html_text(data["ui"]["legend"])}</text>']
    for i, (_name, group) in enumerate(data["groups"].items()):
        cy = y + 20 + i * 20
        rows.append(_svg_shape(group["shape"] if group["shape"] != "box" else "square",
                               x + 7, cy - 4, 6, group["color"], group["border"], ""))
        rows.append(f'<text x="{x + 20}" y="{cy}" font-size="12">'
                    f'{html_text(group["label"])}</text>')
    rows.append("</g>")
    return "".join(rows)
