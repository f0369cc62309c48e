"""Graph views: the view graphs against the hand-checked mini world, and the pages in a
real headless Chromium — offline, inert with hostile labels, highlighting on click."""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli.viz import viz as viz_command
from kg.core.errors import UsageError
from kg.core.namespaces import AIG, ID
from kg.core.textsafe import json_for_script
from kg.pipeline.build import build
from kg.store.built import Built
from kg.views.graph import viz
from kg.views.graph.html import render_html
from kg.views.graph.model import View, exposure_view
from kg.views.graph.ontology import ontology_view
from kg.views.graph.payload import payload, short_label
from kg.views.graph.png import CHROMIUM_ARGS, chromium_path
from kg.views.graph.svg import render_svg
from kg.views.graph.words import SUBCLASS_RELATION
from tests.conftest import FIXTURES, make_project
from tests.test_exposures import EXPECTED

AS_OF = dt.date(2026, 12, 10)
HOSTILE_LABELS = ("<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=2</script>",
                  "</script><script>window.__pwned=4</script>")
HOSTILE = """\
# Hostile labels and descriptions: shown as text in every view, never run.
curated: 2026-11-28
records:
  - id: evil-co
    a: Company
    label: {en: "<img src=x onerror=window.__pwned=1>", zh: "<script>window.__pwned=2</script>"}
    description: "<img src=x onerror=window.__pwned=3> & \\u2028 </script>"
    headquarteredIn: cn
    source: https://example.org/evil
  - id: evil-processing-in-de
    a: ProcessingPersonalData
    label: {en: "</script><script>window.__pwned=4</script>",
            zh: "<b onmouseover=window.__pwned=5>x</b>"}
    performedBy: evil-co
    inJurisdiction: de
    source: https://example.org/evil
"""


def key(short: str) -> str:
    return str(AIG[short]) if short[:1].isupper() else str(ID[short])


def ids(view: View, group: str | None = None) -> set[str]:
    return {n["id"] for n in view.graph.nodes.values() if group is None or n["group"] == group}


def expected_for(actor: str, as_of: dt.date = AS_OF) -> set[tuple]:
    ended = {e for e in EXPECTED if e[6] and dt.date.fromisoformat(e[6]) <= as_of}
    return {e for e in EXPECTED if e[1] == actor and e not in ended}


# --------------------------------------------------------------------------- view graphs


@pytest.mark.parametrize("actor", sorted({e[1] for e in EXPECTED}))
def test_actor_view_holds_exactly_the_hand_checked_paths(mini_records, actor):
    view = exposure_view(mini_records, "actor", actor, as_of=AS_OF)
    wanted = expected_for(actor)
    assert len(view.paths) == len(wanted)
    assert ids(view, "actor") == {actor}
    sources = {e[2] for e in wanted}
    assert ids(view) & {e[2] for e in EXPECTED} == sources
    graph = view.graph
    for _kind, _actor, source, provision, via, _f, _u, risks in wanted:
        assert nx.has_path(graph, key(actor), key(source))
        if via:
            assert nx.has_path(graph, key(via), key(source))
        cause = key(provision) if provision else key(source)
        if provision:
            assert graph.has_edge(key(source), cause)
        for risk in risks:
            assert graph.has_edge(cause, key(risk))
    assert {n for p in view.paths for n in p.steps} == set(graph.nodes)


def test_ended_exposures_are_hidden_unless_asked(mini_records):
    shown = exposure_view(mini_records, "actor", "robo-co", as_of=AS_OF)
    everything = exposure_view(mini_records, "actor", "robo-co", as_of=AS_OF,
                                   include_ended=True)
    assert "mini-aild" not in ids(shown)
    assert "mini-aild" in ids(everything)
    assert {p.status for p in everything.paths} == {"current", "ended"}


def test_value_chain_and_jurisdiction_chain_are_edges(mini_records):
    graph = exposure_view(mini_records, "actor", "chip-co", as_of=AS_OF).graph
    assert [key("chip-co"), key("robo-1"), key("robo-1-in-germany"), key("de"), key("eu"),
            key("mini-pld"), key("ProductLiabilityRisk")] in [
        list(p) for p in nx.all_simple_paths(graph, key("chip-co"), key("ProductLiabilityRisk"))]
    assert ("within", "属于") in graph.edges[key("de"), key("eu")]["rels"]


def test_jurisdiction_view_marks_inherited_and_contained_instruments(mini_records):
    de = exposure_view(mini_records, "jurisdiction", "de", as_of=AS_OF)
    scopes = {n["id"]: (n["scope"], n["scope_from"]) for n in de.graph.nodes.values()
              if n["group"] in ("instrument", "measure", "event")}
    assert scopes == {s: ("inherited", "eu")
                      for s in ("mini-gdpr", "mini-pld", "mini-robot-standard")}
    it = exposure_view(mini_records, "jurisdiction", "it", as_of=AS_OF)
    assert it.graph.nodes[key("mini-it-order")]["scope"] == ""
    us = exposure_view(mini_records, "jurisdiction", "us", as_of=AS_OF)
    assert us.graph.nodes[key("mini-tx-device-ban")]["scope"] == "contained"
    assert us.graph.nodes[key("us")]["focal"]


def test_centrality_counts_exposure_paths_and_sizes_nodes(mini_records):
    view = exposure_view(mini_records, "all", as_of=AS_OF)
    graph = view.graph
    assert graph.nodes[key("mini-pld")]["npaths"] == 3
    assert graph.nodes[key("acme-lab")]["npaths"] == len(expected_for("acme-lab"))
    # gdpr, ai-act gpai, robot standard, pld ×3 (robo-co, chip-co, data-co); aild has ended
    assert graph.nodes[key("eu")]["npaths"] == 6
    assert all(0 <= n["betweenness"] <= 1 for n in graph.nodes.values())
    sizes = {n["id"]: n["size"] for n in payload(view)["nodes"]}
    assert sizes["mini-pld"] > sizes["mini-outbound-rule"]
    assert len(view.paths) == sum(len(expected_for(a)) for a in {e[1] for e in EXPECTED})


def test_risk_view_keeps_only_the_risk_asked_for(mini_records):
    view = exposure_view(mini_records, "risk", "MarketAccessSuspensionRisk", as_of=AS_OF)
    assert ids(view, "risk") == {"MarketAccessSuspensionRisk"}
    assert ids(view, "actor") == {"acme-lab"}
    liability = exposure_view(mini_records, "risk", "ProductLiabilityRisk", as_of=AS_OF)
    assert ids(liability, "actor") == {"robo-co", "chip-co", "data-co"}


def test_risk_category_view_adds_the_category_node(mini_records):
    record = next(r for r in mini_records if r["source"]["id"] == "mini-pld")
    category = record["risks"][0]["categories"][0]
    view = exposure_view(mini_records, "risk", category, as_of=AS_OF)
    node = view.graph.nodes[key(category)]
    assert node["group"] == "category" and node["focal"]
    assert view.graph.has_edge(key("ProductLiabilityRisk"), key(category))


def test_ontology_view_has_subclass_links_and_property_edges(mini_project):
    view = ontology_view(mini_project.root, None)
    graph = view.graph
    assert SUBCLASS_RELATION in graph.edges[key("Company"), key("Organisation")]["rels"]
    assert graph.has_edge(key("Activity"), key("Jurisdiction"))
    lit, _edges = view.highlight(key("Company"))
    assert {key("Company"), key("Organisation"), key("Actor")} <= lit
    assert graph.nodes[key("ProductLiabilityRisk")]["group"] == "risk"


def test_output_is_deterministic(mini_records):
    one = exposure_view(mini_records, "all", as_of=AS_OF)
    two = exposure_view(list(mini_records), "all", as_of=AS_OF)
    assert render_html(one) == render_html(two)
    assert render_svg(one) == render_svg(two)


def test_script_json_cannot_break_out():
    text = json_for_script({"a": "</script><b>&\u2028\u2029"})
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"a": "</script><b>&\u2028\u2029"}


def test_page_is_self_contained_with_the_vis_licence(mini_records):
    html = render_html(exposure_view(mini_records, "actor", "acme-lab", as_of=AS_OF))
    assert "@license" in html and "vis.js is dual licensed" in html
    assert "sourceMappingURL" not in html
    assert "<link" not in html and " src=" not in html.split('id="kg-data"')[0]
    assert "default-src 'none'" in html


# --------------------------------------------------------------------------- hostile data


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("viz")
    project = make_project(tmp, [FIXTURES / "mini"], extra={"hostile.yaml": HOSTILE})
    build(project)
    return Built.open(project)


def test_svg_keeps_hostile_labels_as_text(hostile_build):
    view = viz.view_of_build(hostile_build, "actor", "evil-co", as_of=AS_OF)
    svg = render_svg(view)
    root = ET.fromstring(svg)
    texts = " ".join(" ".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert short_label(HOSTILE_LABELS[0]) in texts
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert not tags & {"img", "script", "foreignObject", "b"}
    assert len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='node']")) == \
        view.graph.number_of_nodes()


def test_ontology_view_reads_the_build_or_the_ontology_alike(hostile_build):
    root = hostile_build.out_dir.parent
    from_build = ontology_view(root, hostile_build.out_dir)
    from_files = ontology_view(root, None)
    assert render_html(from_build) == render_html(from_files)


def test_cli_resolves_names_and_guards_the_output(hostile_build, tmp_path, monkeypatch):
    root = hostile_build.out_dir.parent
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(viz_command, list(args), obj={"root": str(root)})

    result = run("actor", "acme-lab", "--as-of", "2026-12-10", "--out", "acme.svg")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "acme.svg").read_text("utf-8").startswith("<svg")
    unknown = run("actor", "acme-lbb")
    assert isinstance(unknown.exception, UsageError) and unknown.exception.exit_code == 2
    assert "acme-lab" in str(unknown.exception)
    (tmp_path / "adir").mkdir()
    assert isinstance(run("all", "--out", "adir").exception, UsageError)
    assert isinstance(run("all", "--out", "../escape.html").exception, UsageError)
    assert isinstance(run("all", "--out", "x.png", "--format", "svg").exception, UsageError)
    assert isinstance(run("all", "deepseek").exception, UsageError)
    assert run("risk", "ProductLiabilityRisk", "--as-of", "2026-12-10").exit_code == 0
    assert (tmp_path / "viz-risk-ProductLiabilityRisk.html").is_file()
    assert run("risk", "Product liability risk", "--out", "label.svg").exit_code == 0
    typo = run("risk", "ProductLiabiltyRisk").exception
    assert isinstance(typo, UsageError) and "ProductLiabilityRisk" in str(typo)
    assert run("jurisdiction", "Germany", "--format", "svg").exit_code == 0
    assert (tmp_path / "viz-jurisdiction-de.svg").is_file()


# --------------------------------------------------------------------------- in Chromium


_SHARED: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test process, shared by every module that uses this
    fixture (two sync playwrights cannot run in one process)."""
    if not _SHARED["users"]:
        _SHARED["context"] = _chromium()
        _SHARED["browser"] = next(_SHARED["context"])
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED["context"].close()


def _chromium() -> Iterator[Any]:
    executable = chromium_path() or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed (pip install playwright)")
        pytest.skip("playwright is not installed: browser tests NOT run")
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {executable} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {executable}: browser tests NOT run")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Page:
    """A view opened from file:// with every other request refused and recorded."""

    def __init__(self, browser: Any, view: View, tmp_path: Path):
        path = tmp_path / f"{view.kind}-{view.lang}.html"
        path.write_bytes(viz.render(view, "html"))
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", lambda route: route.continue_()
                        if route.request.url == self.url else route.abort())
        self.page.goto(self.url)
        # The CSP forbids eval, so wait on a selector, not a JS predicate.
        self.page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                    timeout=20_000)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def click_node(self, node_key: str) -> None:
        point = self.js("k => kgViz.domPosition(k)", node_key)
        box = self.page.locator("#kg-net").bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def hover_node(self, node_key: str) -> None:
        point = self.js("k => kgViz.domPosition(k)", node_key)
        box = self.page.locator("#kg-net").bounding_box()
        self.page.mouse.move(box["x"] + point["x"] - 3, box["y"] + point["y"])
        self.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])


def check_page(page: Page, view: View) -> None:
    assert page.requests == [page.url]
    assert page.errors == []
    graph = view.graph
    stats = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert page.js("window.__kgStats") == stats
    assert page.js("[kgViz.nodes.length, kgViz.edges.length]") == [stats["nodes"],
                                                                   stats["edges"]]
    assert page.js("kgViz.counts()")["nodes"] == stats["nodes"]
    assert page.js("typeof window.__pwned") == "undefined"


VIEWS = [("actor", "acme-lab"), ("actor", "evil-co"), ("risk", "ProductLiabilityRisk"),
         ("jurisdiction", "de"), ("all", None)]


@pytest.mark.parametrize(("kind", "subject"), VIEWS)
def test_view_in_chromium(browser, hostile_build, tmp_path, kind, subject):
    view = viz.view_of_build(hostile_build, kind, subject, as_of=AS_OF)
    page = Page(browser, view, tmp_path)
    check_page(page, view)
    node = key(subject) if subject else key("mini-pld")
    page.click_node(node)
    # The view's own subject focuses on its neighbours; any other node lights its paths.
    lit_nodes, lit_edges = view.around(node) if subject else view.highlight(node)
    if subject:
        assert len(lit_nodes) < view.graph.number_of_nodes()
    assert page.page.locator("#kg-net").get_attribute("data-highlight") == f"node:{node}"
    assert page.js("kgViz.highlighted()") == {
        "origin": f"node:{node}", "nodes": sorted(lit_nodes),
        "edges": sorted([list(e) for e in lit_edges])}
    first = page.page.locator("#kg-panel button.kg-path").first
    first.click()
    steps = page.page.locator("#kg-panel .kg-step").evaluate_all(
        "els => els.map(e => e.dataset.key)")
    number = int(page.page.locator("#kg-panel .kg-path-detail").get_attribute("data-path"))
    assert steps == view.paths[number].steps
    assert page.page.locator("#kg-panel .kg-step").first.get_attribute("data-key") == \
        view.paths[number].steps[0]
    assert page.errors == [] and page.requests == [page.url]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_labels_render_as_text(browser, hostile_build, tmp_path, lang):
    view = viz.view_of_build(hostile_build, "actor", "evil-co", as_of=AS_OF, lang=lang)
    page = Page(browser, view, tmp_path)
    check_page(page, view)
    label = view.graph.nodes[key("evil-co")]["label"]
    assert label in page.js("document.title")
    page.hover_node(key("evil-co"))
    tooltip = page.page.locator("#kg-tip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert label in tooltip.text_content()
    page.js("k => kgViz.selectNode(k)", key("evil-co"))
    panel = page.page.locator("#kg-panel").text_content()
    assert label in panel and "__pwned=3" in panel  # the description, as text
    activity = view.graph.nodes[key("evil-processing-in-de")]["label"]
    page.page.locator("#kg-panel button.kg-path").first.click()
    assert activity in page.page.locator("#kg-panel").text_content()
    assert page.js("document.querySelectorAll('img, b').length") == 0
    assert page.js("document.querySelectorAll('script').length") == 3
    assert page.js("typeof window.__pwned") == "undefined"
    assert page.errors == [] and page.requests == [page.url]


def test_only_http_sources_become_links(browser, mini_records, tmp_path):
    records = json.loads(json.dumps(mini_records))
    for record in records:
        for step in record["path"]:
            if step and step["id"] == "acme-lab":
                step["sources"] = ["javascript:window.__pwned=7", "https://example.org/ok"]
    view = exposure_view(records, "actor", "acme-lab", as_of=AS_OF)
    page = Page(browser, view, tmp_path)
    page.js("k => kgViz.selectNode(k)", key("acme-lab"))
    hrefs = page.js("[...document.querySelectorAll('#kg-panel a')].map(a => a.href)")
    assert hrefs == ["https://example.org/ok"]
    assert "javascript:window.__pwned=7" in page.page.locator("#kg-panel").text_content()
    page.page.locator("#kg-panel .kg-src-text").first.click()
    assert page.js("typeof window.__pwned") == "undefined"


def test_status_filter_hides_ended_paths(browser, mini_records, tmp_path):
    view = exposure_view(mini_records, "all", as_of=AS_OF, include_ended=True)
    current = exposure_view(mini_records, "all", as_of=AS_OF)
    page = Page(browser, view, tmp_path)
    check_page(page, view)
    page.page.locator("fieldset[data-key='status'] input[value='ended']").uncheck()
    assert page.js("kgViz.counts()") == {"nodes": current.graph.number_of_nodes(),
                                         "edges": current.graph.number_of_edges(),
                                         "paths": len(current.paths)}
    page.page.select_option("fieldset[data-key='jurisdiction'] select", "it")
    only_it = exposure_view(mini_records, "jurisdiction", "it", as_of=AS_OF)
    assert page.js("kgViz.counts()")["paths"] == len(only_it.paths)


def test_ontology_view_in_chromium(browser, mini_project, tmp_path):
    view = ontology_view(mini_project.root, None, lang="zh")
    page = Page(browser, view, tmp_path)
    check_page(page, view)
    page.click_node(key("Company"))
    lit, _edges = view.highlight(key("Company"))
    assert page.js("kgViz.highlighted()")["nodes"] == sorted(lit)


def test_png_is_rendered_offline(browser, mini_records):
    view = exposure_view(mini_records, "actor", "robo-co", as_of=AS_OF)
    # Playwright's sync API cannot nest in the running browser fixture's loop: use a thread.
    with ThreadPoolExecutor(1) as pool:
        png = pool.submit(viz.render, view, "png").result()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    from kg.views.graph.png import figure_size, png_scale  # the SVG figure, rasterised
    w, h = figure_size(render_svg(view))
    assert (width, height) == (round(w * png_scale(w)), round(h * png_scale(w)))
