"""Report-ready figures (``kg viz --format svg|png``): a title, the as-of date and a data note,
the legend outside the drawing, no label shortened without "…" and its full form in a
<title>, and no two edge labels on top of each other — checked on the SVG's geometry (text
widths estimated here, independently: 0.62 em a character, wide CJK ones two) and, for the
PNG, on the boxes Chromium actually draws."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.store.built import Built
from kg.views.graph import viz
from kg.views.graph.layout import analyse
from kg.views.graph.model import View, ViewPath
from kg.views.graph.ontology import ontology_view
from kg.views.graph.png import CHROMIUM_ARGS, PAGE, chromium_path, figure_size, png_scale
from kg.views.graph.svg import render_svg, wrap

AS_OF = dt.date(2026, 12, 10)
NS = {"s": "http://www.w3.org/2000/svg"}
Box = tuple[float, float, float, float]


# --------------------------------------------------------------------------- geometry


def est_width(text: str, size: float) -> float:
    wide = sum(unicodedata.east_asian_width(c) in ("W", "F") for c in text)
    return (len(text) + wide) * 0.62 * size


def shift(element: ET.Element) -> tuple[float, float]:
    found = re.search(r"translate\(([-\d.]+),([-\d.]+)\)", element.get("transform", ""))
    return (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)


def text_boxes(text: ET.Element, dx: float, dy: float) -> list[Box]:
    """The estimated box of each line of a <text> (its own x/y, or each <tspan>'s)."""
    size = float(text.get("font-size", "12"))
    lines = text.findall("s:tspan", NS) or [text]
    boxes = []
    for line in lines:
        x, y = float(line.get("x", text.get("x", "0"))), float(line.get("y", text.get("y", "0")))
        w = est_width(line.text or "", size)
        left = x - w / 2 if text.get("text-anchor") == "middle" else x
        boxes.append((left + dx, y - 0.8 * size + dy, left + w + dx, y + 0.25 * size + dy))
    return boxes


def shape_box(el: ET.Element, dx: float, dy: float) -> Box | None:
    tag = el.tag.split("}")[1]
    if tag == "circle":
        x, y, r = (float(el.get(k, "0")) for k in ("cx", "cy", "r"))
        return (x - r + dx, y - r + dy, x + r + dx, y + r + dy)
    if tag == "rect":
        x, y, w, h = (float(el.get(k, "0")) for k in ("x", "y", "width", "height"))
        return (x + dx, y + dy, x + w + dx, y + h + dy)
    if tag == "polygon":
        pts = [tuple(map(float, p.split(","))) for p in (el.get("points") or "").split()]
        return (min(p[0] for p in pts) + dx, min(p[1] for p in pts) + dy,
                max(p[0] for p in pts) + dx, max(p[1] for p in pts) + dy)
    if tag == "line":
        xs = [float(el.get("x1", "0")), float(el.get("x2", "0"))]
        ys = [float(el.get("y1", "0")), float(el.get("y2", "0"))]
        return (min(xs) + dx, min(ys) + dy, max(xs) + dx, max(ys) + dy)
    return None


def union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Figure:
    """A rendered SVG figure, parsed: its parts and their boxes in figure coordinates."""

    def __init__(self, svg: str) -> None:
        self.svg = svg
        self.root = ET.fromstring(svg)
        _x, _y, self.width, self.height = map(float, self.root.get("viewBox", "").split())
        self.drawing_group = self.part("drawing")
        self.dx, self.dy = shift(self.drawing_group)

    def part(self, name: str) -> ET.Element:
        found = self.root.find(f".//*[@id='{name}']")
        assert found is not None, f"no #{name} in the figure"
        return found

    def text(self, name: str) -> str:
        return " ".join("".join(self.part(name).itertext()).split())

    def drawing(self) -> Box:
        boxes = [b for el in self.drawing_group.iter() if (b := shape_box(el, self.dx, self.dy))]
        for text in self.drawing_group.iter(f"{{{NS['s']}}}text"):
            boxes += text_boxes(text, self.dx, self.dy)
        return union(boxes)

    def legend(self) -> Box:
        group = self.part("legend")
        dx, dy = shift(group)
        box = shape_box(group.find("s:rect[@class='legend-box']", NS), dx, dy)  # type: ignore
        assert box is not None
        return box

    def edge_labels(self) -> list[tuple[Box, str]]:
        out = []
        for edge in self.drawing_group.iterfind(".//s:g[@class='edge']", NS):
            text = edge.find("s:text[@class='edge-label']", NS)
            if text is not None:
                out.append((text_boxes(text, self.dx, self.dy)[0], text.text or ""))
        return out

    def node_labels(self) -> list[tuple[list[str], str, list[Box]]]:
        """(visible lines, <title> text, line boxes) of every node."""
        out = []
        for node in self.drawing_group.iterfind(".//s:g[@class='node']", NS):
            text, title = node.find("s:text", NS), node.find("s:title", NS)
            assert text is not None and title is not None
            lines = ["".join(t.itertext()) for t in text.findall("s:tspan", NS)] or \
                [text.text or ""]
            out.append((lines, title.text or "", text_boxes(text, self.dx, self.dy)))
        return out


# --------------------------------------------------------------------------- views


@pytest.fixture(scope="module")
def built(mini_build_result: Any) -> Built:
    return Built.open(mini_build_result[0])


def crowded(lang: str = "en") -> View:
    """A synthetic view that crowds the drawing: 40 activities with long (and CJK) names,
    every one linked to five of 12 instruments, and a hostile label."""
    graph = nx.DiGraph()

    def add(key: str, label: str, group: str, role: str) -> None:
        graph.add_node(key, id=key, label=label, group=group, type="", roles={role},
                       sources=[f"https://example.org/{key}"], marks={}, status="",
                       categories=[], dates={}, illustrative=False, member_of=[],
                       statuses={}, focal=key == "a", scope="", scope_from="")

    add("a", "Acme Frontier Model Laboratory and Holdings", "actor", "actor")
    paths = []
    for i in range(40):
        name = (f"Acme processes personal data of users in region number {i} for model "
                f"training and product improvement at scale") if i % 3 else \
            f"艾克米在第{i}号地区处理用户个人数据以训练模型并改进产品和服务的活动"
        add(f"act{i}", name if i != 7 else "<script>alert(1)</script> " * 6, "activity",
            "activity")
        graph.add_edge("a", f"act{i}", rels={("performs", "实施")}, member_of=[])
        for j in range(5):
            key = f"ins{(i * 7 + j) % 12}"
            if key not in graph:
                add(key, f"Regulation (EU) 2016/{679 + (i * 7 + j) % 12} on the protection "
                         "of natural persons with regard to the processing of personal data",
                    "instrument", "source")
            graph.add_edge(f"act{i}", key, rels={("is named by", "被列名于")}, member_of=[])
            paths.append(ViewPath(title=f"p{i}-{j}", steps=["a", f"act{i}", key],
                                  edges=[("a", f"act{i}"), (f"act{i}", key)]))
    for n, path in enumerate(paths):
        for key in path.steps:
            graph.nodes[key]["member_of"].append(n)
        for edge in path.edges:
            graph.edges[edge]["member_of"].append(n)
    view = View(kind="actor", title="Exposure paths of Acme Frontier Model Laboratory",
                lang=lang, graph=graph, paths=paths, as_of=AS_OF)
    return analyse(view)


def figures(built: Built) -> Iterator[tuple[str, Figure]]:
    root = built.out_dir.parent
    for kind, subject in (("actor", "robo-co"), ("jurisdiction", "de"), ("all", None)):
        view = viz.view_of_build(built, kind, subject, as_of=AS_OF)
        yield f"{kind} {subject}", Figure(render_svg(view, built))
    yield "ontology", Figure(render_svg(ontology_view(root, built.out_dir), built))
    yield "ontology zh", Figure(render_svg(ontology_view(root, None, lang="zh")))
    yield "crowded", Figure(render_svg(crowded()))
    yield "crowded zh", Figure(render_svg(crowded("zh")))


# --------------------------------------------------------------------------- the SVG


def test_title_date_and_data_note_come_from_the_view_and_the_build(built):
    view = viz.view_of_build(built, "actor", "robo-co", as_of=AS_OF)
    figure = Figure(render_svg(view, built))
    assert figure.text("figure-title") == view.title == "Exposure paths of Robo Co (illustrative)"
    assert figure.text("figure-date") == (
        f"As of 2026-12-10 · {view.graph.number_of_nodes()} nodes · "
        f"{view.graph.number_of_edges()} edges · {len(view.paths)} exposure paths")
    records = built.exposures()
    total = len({u for r in records for step in r["path"] for u in step["sources"]})
    cited = len({u for _k, n in view.graph.nodes(data=True) for u in n["sources"]})
    note = (f"Data: kg build of {built.built_at.date().isoformat()}; {len(records)} exposure "
            f"records from {built.manifest['counts']['case_files']} case files; {cited} "
            f"sources cited in this figure ({total} in the build)")
    assert figure.text("data-note") == note
    assert figure.root.findtext("s:desc", namespaces=NS) == note
    assert figure.root.findtext("s:title", namespaces=NS) == view.title


def test_ontology_figure_is_dated_and_notes_its_sources_without_a_build(built):
    root = built.out_dir.parent
    figure = Figure(render_svg(ontology_view(root, None, lang="zh"), today=AS_OF))
    assert figure.text("figure-title") == "本体：类与属性"
    assert figure.text("figure-date").startswith("绘制于 2026-12-10 · ")
    assert figure.text("data-note") == "数据：本体文件（无构建）"
    with_build = Figure(render_svg(ontology_view(root, built.out_dir), built))
    assert with_build.text("data-note") == (
        f"Data: kg build of {built.built_at.date().isoformat()}; {len(built.exposures())} "
        f"exposure records from {built.manifest['counts']['case_files']} case files")


def test_the_legend_is_outside_the_drawing_and_everything_inside_the_figure(built):
    for name, figure in figures(built):
        drawing, legend = figure.drawing(), figure.legend()
        assert not overlap(drawing, legend), f"{name}: legend {legend} over drawing {drawing}"
        assert legend[1] >= drawing[3], name  # below it
        title = union(text_boxes(figure.part("figure-title"), 0, 0)
                      + text_boxes(figure.part("figure-date"), 0, 0))
        assert title[3] <= drawing[1], f"{name}: the title runs into the drawing"
        every = [drawing, legend, title]
        for text in figure.root.iter(f"{{{NS['s']}}}text"):
            every += text_boxes(text, 0, 0) if text.get("class") is None and \
                text not in figure.drawing_group.iter() else []
        whole = union(every)
        assert whole[0] >= 0 and whole[1] >= 0, f"{name}: clipped at the top or left"
        assert whole[2] <= figure.width and whole[3] <= figure.height, \
            f"{name}: {whole} clipped by the figure's {figure.width} x {figure.height}"


def test_edge_labels_never_overlap_each_other_or_node_labels(built):
    shown = 0
    for name, figure in figures(built):
        labels = figure.edge_labels()
        shown += len(labels)
        for (a, text_a), (b, text_b) in combinations(labels, 2):
            assert not overlap(a, b), f"{name}: '{text_a}' {a} overlaps '{text_b}' {b}"
        nodes = [box for _lines, _title, boxes in figure.node_labels() for box in boxes]
        for box, text in labels:
            hit = [n for n in nodes if overlap(box, n)]
            assert not hit, f"{name}: edge label '{text}' {box} over node labels {hit}"
    assert shown > 20


def test_crowded_edge_labels_are_left_out_and_said_so():
    figure = Figure(render_svg(crowded()))
    edges = len(figure.drawing_group.findall(".//s:g[@class='edge']", NS))
    shown = len(figure.edge_labels())
    assert 0 < shown < edges == 240
    assert (f"Edge labels: {shown} of {edges} shown; repeats and those that would overlap "
            "are left out (each edge's tooltip names its relation)") in figure.text("legend")
    for edge in figure.drawing_group.iterfind(".//s:g[@class='edge']", NS):
        assert re.fullmatch(r".+ — (performs|is named by) → .+", edge.findtext("s:title", "",
                                                                               NS))


def test_every_shortened_label_ends_in_an_ellipsis_and_keeps_its_full_form(built):
    shortened = 0
    for name, figure in figures(built):
        for lines, title, _boxes in figure.node_labels():
            full = re.sub(r" \([^()]*\)$", "", title)  # "<label> (<id>)"
            shown = "".join("".join(lines).split())
            if lines[-1].endswith("…") and not full.endswith("…"):
                shortened += 1
                assert "".join(full.split()).startswith(shown[:-1]), (name, lines, title)
            else:
                assert shown == "".join(full.split()), f"{name}: {lines} cut without '…'"
    assert shortened >= 10


def test_node_labels_do_not_overlap_each_other(built):
    for name, figure in figures(built):
        boxes = [(box, lines[0]) for lines, _t, bs in figure.node_labels() for box in bs]
        for (a, text_a), (b, text_b) in combinations(boxes, 2):
            assert not overlap(a, b), f"{name}: '{text_a}' overlaps '{text_b}'"


def test_hostile_label_stays_text():
    svg = render_svg(crowded())
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_wrap_counts_wide_characters_twice_and_marks_the_cut():
    assert wrap("Data protection enforcement risk", 200, 2) == ["Data protection",
                                                                "enforcement risk"]
    assert wrap("Data protection enforcement risk", 200, 1) == ["Data protection…"]
    assert wrap("一二三四五六七八九十", 5 * 2 * 0.62 * 12, 1) == ["一二三四…"]
    assert wrap("Supercalifragilistic", 8 * 0.62 * 12, 1) == ["Superca…"]
    assert wrap("a b", 100, 1) == ["a b"]


# --------------------------------------------------------------------------- the PNG


@pytest.fixture(scope="module")
def chromium() -> str:
    executable = chromium_path() or "/usr/bin/chromium"
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed (pip install playwright)")
        pytest.skip("playwright is not installed: PNG figure tests NOT run")
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {executable} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {executable}: PNG figure tests NOT run")
    return executable


def test_png_is_the_figure(chromium, built):
    view = viz.view_of_build(built, "actor", "robo-co", as_of=AS_OF)
    with ThreadPoolExecutor(1) as pool:  # playwright's sync API in a thread of its own
        png = pool.submit(viz.render, view, "png", built).result()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = figure_size(render_svg(view, built))
    scale = png_scale(width)
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (
        round(width * scale), round(height * scale))
    assert b"tEXtSoftware\x00aigov-kg" in png


MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
  return {drawing: box(document.querySelector('#drawing')),
          legend: box(document.querySelector('#legend .legend-box')),
          title: box(document.querySelector('#figure-title')),
          edges: [...document.querySelectorAll('.edge-label')].map(box),
          width: document.querySelector('svg').getBoundingClientRect().width};
}"""


def _measure(executable: str, svg: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    width, height = figure_size(svg)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_content(PAGE.format(svg=svg))
            measured: dict[str, Any] = page.evaluate(MEASURE)
        finally:
            browser.close()
    return measured


def test_in_chromium_the_drawn_boxes_keep_apart(chromium, built):
    view = viz.view_of_build(built, "all", None, as_of=AS_OF)
    for svg in (render_svg(view, built), render_svg(crowded()), render_svg(crowded("zh"))):
        with ThreadPoolExecutor(1) as pool:
            got = pool.submit(_measure, chromium, svg).result()
        assert got["width"] == figure_size(svg)[0]
        assert not overlap(got["drawing"], got["legend"])
        assert got["title"][3] <= got["drawing"][1]
        assert got["edges"]
        for a, b in combinations(got["edges"], 2):
            assert not overlap(a, b), (a, b)
