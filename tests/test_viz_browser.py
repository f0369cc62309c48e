"""The graph page as a person reads it, in headless Chromium at 1440×900: labels legible at
the default fit, status and category on the graph, search with the keyboard, tooltips that
pin, the ontology's own wording and the node budget. Chromium is /usr/bin/chromium (or
$KG_CHROMIUM); under CI=1 a missing browser fails, it never skips."""

from __future__ import annotations

import copy
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kg.views.graph import viz
from kg.views.graph.model import View, exposure_view
from kg.views.graph.ontology import ontology_view
from tests import test_viz as base
from tests.test_viz import AS_OF

browser = base.browser  # headless Chromium, one per session; fails under CI=1 if missing
hostile_build = base.hostile_build  # the mini world with hostile labels, built

REPO = Path(__file__).resolve().parent.parent
KEY = ("actor", "activity", "jurisdiction", "instrument")


def synthetic(nodes: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "scripts"))
    from bench_viz import synthetic_records

    return synthetic_records(nodes)


@pytest.fixture(scope="module")
def big_actor() -> View:
    """An actor view the size of the busiest real one (DeepSeek: 130 nodes): the four
    busiest synthetic actors' records, given to one actor."""
    records = copy.deepcopy(synthetic(2000))
    top = [a for a, _n in Counter(r["actor"]["id"] for r in records).most_common(4)]
    chosen = [r for r in records if r["actor"]["id"] in top]
    actor = chosen[0]["actor"]
    step = next(s for s in chosen[0]["path"] if s and s["role"] == "actor")
    for record in chosen:
        record["actor"] = actor
        record["path"] = [step if s and s["role"] == "actor" else s for s in record["path"]]
    view = exposure_view(chosen, "actor", actor["id"], as_of=AS_OF)
    assert 120 <= view.graph.number_of_nodes() <= 400
    return view


class Page:
    """A view at 1440×900 from file://, every other request refused and recorded."""

    def __init__(self, browser: Any, view: View, tmp_path: Path, name: str = "view"):
        path = tmp_path / f"{name}.html"
        path.write_bytes(viz.render(view, "html"))
        self.url = path.as_uri()
        self.view = view
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1440, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", lambda route: route.continue_()
                        if route.request.url == self.url else route.abort())
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                    timeout=30_000)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def label_sizes(self) -> dict[str, list[float]]:
        """The rendered size (CSS px) of every drawn label, by class: read from the
        canvas transform as each label is drawn."""
        self.js("kgViz.network.redraw()")
        sizes = self.js("kgViz.labelSizes()")
        out: dict[str, list[float]] = {}
        for node_key, px in sizes.items():
            out.setdefault(self.view.graph.nodes[node_key]["group"], []).append(px)
        return out

    def point(self, node_key: str) -> tuple[float, float]:
        """A point on the node's mark (its label is to the right of it)."""
        at = self.js("""k => { const i = kgViz.data.nodes.findIndex(n => n.key === k);
            const p = kgViz.network.getPositions([i])[i];
            const s = kgViz.network.body.nodes[i].shape;
            return kgViz.network.canvasToDOM({x: s.left + kgViz.data.nodes[i].r, y: p.y}); }""",
                     node_key)
        box = self.page.locator("#kg-net").bounding_box()
        return box["x"] + at["x"], box["y"] + at["y"]


def test_actor_labels_are_legible_at_the_default_fit(browser, big_actor, tmp_path):
    page = Page(browser, big_actor, tmp_path)
    assert big_actor.graph.number_of_nodes() >= 100
    sizes = page.label_sizes()
    for group in KEY:
        assert sizes.get(group), f"no {group} in the view"
        assert min(sizes[group]) >= 11, (group, min(sizes[group]))
    assert page.errors == [] and page.requests == [page.url]


def test_status_and_category_are_on_the_graph_with_a_legend(browser, mini_records, tmp_path):
    view = exposure_view(mini_records, "all", as_of=AS_OF, include_ended=True)
    page = Page(browser, view, tmp_path)
    statuses = {p.status for p in view.paths}
    assert page.js("[...document.querySelectorAll('.kg-legend-status li')]"
                   ".map(li => li.dataset.status)") == [
        s for s in ("current", "upcoming", "pending", "ended") if s in statuses]
    styles = page.js("""() => kgViz.edges.get().map(e => [kgViz.data.edges[e.id].status,
                       e.color.color, JSON.stringify(e.dashes)])""")
    by_status = {s: {(c, d) for st, c, d in styles if st == s} for s in statuses}
    assert all(len(v) == 1 for v in by_status.values())  # one look per status
    assert len({next(iter(v)) for v in by_status.values()}) == len(statuses)  # all differ
    cats = page.js("[...document.querySelectorAll('.kg-legend-cats li')]"
                   ".map(li => li.dataset.category)")
    wanted = sorted({c for p in view.paths for c in p.facets["category"]})
    assert cats == wanted
    marks = page.js("[...document.querySelectorAll('#kg-legend li[data-group] canvas')]"
                    ".map(c => c.dataset.mark)")
    assert len(marks) == len(set(marks))  # every class its own mark
    legend = page.page.locator("#kg-legend").text_content()
    assert "Provision" in legend and "Instrument" in legend
    assert page.errors == []


def test_search_finds_nodes_and_paths_with_the_keyboard(browser, big_actor, tmp_path):
    page = Page(browser, big_actor, tmp_path)
    box = page.page.locator("#kg-search")
    target = next(n for n in big_actor.graph.nodes.values() if n["group"] == "jurisdiction")
    box.fill(target["label"])
    first = page.page.locator("#kg-results li").first
    assert first.get_attribute("data-key") == next(
        k for k, n in big_actor.graph.nodes.items() if n is target)
    box.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    box.press("Enter")
    wanted = next(k for k, n in big_actor.graph.nodes.items() if n is target)
    assert page.page.locator("#kg-net").get_attribute("data-searched") == f"node:{wanted}"
    assert page.js("kgViz.highlighted()")["origin"] == f"node:{wanted}"
    title = big_actor.paths[3].title
    box.fill(title)
    paths = page.page.locator("#kg-results li[data-kind='path']")
    assert paths.count() >= 1
    box.press("ArrowDown")
    n = page.page.locator("#kg-results li").count()
    for _ in range(n - 1):  # down to the last, wrapping: the path row is among them
        if page.page.locator("#kg-results li[aria-selected='true']").get_attribute(
                "data-kind") == "path":
            break
        box.press("ArrowDown")
    row = page.page.locator("#kg-results li[aria-selected='true']")
    number = row.get_attribute("data-path")
    box.press("Enter")
    assert page.page.locator("#kg-panel .kg-path-detail").get_attribute("data-path") == number
    box.fill("zzzz-no-such-thing")
    assert page.page.locator("#kg-results").text_content() == "Nothing matches."
    box.press("Escape")
    assert box.input_value() == ""
    assert page.page.locator("#kg-results li").count() == 0


def test_tooltip_pins_on_click_and_its_links_work(browser, hostile_build, tmp_path):
    view = viz.view_of_build(hostile_build, "actor", "acme-lab", as_of=AS_OF)
    page = Page(browser, view, tmp_path)
    node = next(k for k, n in view.graph.nodes.items() if n["sources"] and not n["focal"])
    x, y = page.point(node)
    page.page.mouse.move(x - 2, y)
    page.page.mouse.move(x, y)
    tip = page.page.locator("#kg-tip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.get_attribute("class") == "kg-tip-box"  # hover: not pinned, no links
    assert tip.locator("a").count() == 0
    page.page.mouse.click(x, y)
    assert "kg-pinned" in tip.get_attribute("class")
    link = tip.locator("a.kg-src").first
    box = link.bounding_box()
    page.page.mouse.move(box["x"] + 2, box["y"] + 2, steps=5)  # the pointer moves in
    assert tip.is_visible()
    assert link.get_attribute("href") == view.graph.nodes[node]["sources"][0]
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.page.keyboard.press("Escape")
    assert tip.is_hidden()
    page.page.mouse.click(x, y)
    tip.locator(".kg-tip-close").click()
    assert tip.is_hidden()
    assert page.errors == [] and page.requests == [page.url]


def test_clicking_the_subject_focuses_not_floods(browser, big_actor, tmp_path):
    page = Page(browser, big_actor, tmp_path)
    subject = next(k for k, n in big_actor.graph.nodes.items() if n["focal"])
    page.page.mouse.click(*page.point(subject))
    lit = page.js("kgViz.highlighted()")
    nodes, _edges = big_actor.around(subject)
    assert lit["nodes"] == sorted(nodes)
    assert len(lit["nodes"]) < big_actor.graph.number_of_nodes() / 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_ontology_view_speaks_of_classes(browser, mini_project, tmp_path, lang):
    view = ontology_view(mini_project.root, None, lang=lang)
    page = Page(browser, view, tmp_path, f"ontology-{lang}")
    text = page.js("document.body.innerText")
    sub = page.page.locator("#kg-sub").text_content()
    if lang == "en":
        assert "exposure path" not in text.lower() and "Exposure path" not in text
        assert f"of {view.graph.number_of_nodes()} classes" in sub and "paths" not in sub
        assert page.page.locator("#kg-panel h3").first.text_content().startswith("Classes (")
    else:
        assert "风险暴露路径" not in text and "条路径" not in sub
        assert f"/{view.graph.number_of_nodes()} 个类" in sub


def test_a_view_over_the_budget_opens_narrowed_and_says_so(browser, tmp_path):
    records = synthetic(3000)
    view = exposure_view(records, "all", as_of=AS_OF)
    total = view.graph.number_of_nodes()
    assert total > 1500
    page = Page(browser, view, tmp_path)
    shown = page.js("kgViz.counts()")["nodes"]
    assert 0 < shown <= 1500
    note = page.page.locator("#kg-budget .kg-note").text_content()
    assert note.startswith(f"This view has {total} nodes, more than the 1500 this page")
    page.page.select_option("#kg-budget select", "0")
    assert page.js("kgViz.counts()")["nodes"] == total
    assert page.errors == []
