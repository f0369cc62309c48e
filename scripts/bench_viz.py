"""Benchmark the graph viewer: time-to-interactive in headless Chromium.

Generates seeded, exposure-shaped records whose whole-graph view has about 500, 2,000 and
5,000 nodes, renders each with ``kg.views.graph.html`` (the ``all`` view, ended exposures
included so every generated entity is on a path), opens the page from file:// with every other
request refused, and measures navigation start → ``window.__kgReady`` (the page records
``performance.now()`` when the network has first drawn; that clock starts at navigation
start). Also measured: Python time to build and lay out the view, page size, the time to
highlight the paths of the busiest node (click → next frame drawn), and (JSON only) where
the page's time goes: load and compile, JSON parse, DataSets, vis.Network, first draw.

    .venv/bin/python scripts/bench_viz.py
    .venv/bin/python scripts/bench_viz.py --sizes 500 2000 --runs 5 --json bench.json

Target: 2,000 nodes interactive in under 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kg.views.graph.html import render_html
from kg.views.graph.model import exposure_view
from kg.views.graph.png import CHROMIUM_ARGS, chromium_path

BASE = "https://w3id.org/aigov-kg/id/"
TERMS = "https://w3id.org/aigov-kg/ontology#"
AS_OF = dt.date(2026, 12, 1)
TARGET_SECONDS = 3.0
SOURCE_TYPES = ["Legislation", "ExecutiveRule", "TechnicalStandard", "Order", "DeviceBan",
                "Investigation", "Allegation", "Lawsuit"]
ACTIVITY_TYPES = ["OfferingService", "DistributingApp", "PublishingOpenWeights",
                  "ProcessingPersonalData", "PlacingProductOnMarket", "RaisingCapital"]
CATEGORIES = [f"SyntheticCategory{i}Risk" for i in range(6)]
RISKS = [f"SyntheticType{i}Risk" for i in range(36)]


def _step(role: str, ident: str, kind: str, label: str, **extra: Any) -> dict[str, Any]:
    iri = (TERMS if role == "risk" else BASE) + ident
    return {"role": role, "id": ident, "iri": iri, "type": kind,
            "label": {"en": label, "zh": label + "（合成）"},
            "sources": [] if role == "risk" else [f"https://example.org/{ident}"], **extra}


class World:
    """Entity pools sized so the view has about ``nodes`` nodes, all of them used."""

    def __init__(self, nodes: int, seed: int):
        self.rng = random.Random(seed)
        rest = max(nodes - len(RISKS), 60)
        count = {"jurisdiction": max(6, rest // 25), "actor": rest * 6 // 100,
                 "artefact": rest * 4 // 100, "provision": rest * 14 // 100}
        count["source"] = rest * 30 // 100
        count["activity"] = rest - sum(count.values())
        self.jurisdictions = [f"j{i}" for i in range(count["jurisdiction"])]
        unions = self.jurisdictions[:2]
        self.parent = {j: self.rng.choice(unions) for j in self.jurisdictions[2:]
                       if self.rng.random() < 0.6}
        self.actors = [f"actor-{i}" for i in range(count["actor"])]
        self.activities = [(f"activity-{i}", self.actors[i % len(self.actors)],
                            self.jurisdictions[i % len(self.jurisdictions)],
                            ACTIVITY_TYPES[i % len(ACTIVITY_TYPES)])
                           for i in range(count["activity"])]
        self.artefacts = [(f"artefact-{i}", self.actors[i % len(self.actors)])
                          for i in range(count["artefact"])]
        self.sources = [(f"source-{i}", self.jurisdictions[i % len(self.jurisdictions)],
                         SOURCE_TYPES[i % len(SOURCE_TYPES)]) for i in range(count["source"])]
        self.provisions: dict[str, list[str]] = {}
        for i in range(count["provision"]):
            self.provisions.setdefault(self.sources[i % len(self.sources)][0], []).append(
                f"provision-{i}")
        self.risk_cycle = 0

    def chain(self, jurisdiction: str) -> list[str]:
        return [jurisdiction] + ([self.parent[jurisdiction]] if jurisdiction in self.parent
                                 else [])

    def risks(self) -> list[dict[str, Any]]:
        picked = []
        for _ in range(self.rng.choice((1, 1, 2))):
            name = RISKS[self.risk_cycle % len(RISKS)]
            self.risk_cycle += 1
            picked.append(name)
        return [{"id": r, "label": {"en": r, "zh": r},
                 "categories": [CATEGORIES[RISKS.index(r) % len(CATEGORIES)]],
                 "ancestors": [CATEGORIES[RISKS.index(r) % len(CATEGORIES)], "GovernanceRisk"]}
                for r in dict.fromkeys(picked)]


def _record(world: World, n: int, actor: str, via: tuple[str, str, str] | None,
            chain: list[str], source: tuple[str, str, str], provision: str | None
            ) -> dict[str, Any]:
    risks = world.risks()
    start = dt.date(2018, 1, 1) + dt.timedelta(days=world.rng.randrange(3600))
    path = [_step("actor", actor, "Company", f"Synthetic actor {actor}")]
    if via:
        path.append(_step(via[0], via[1], via[2], f"Synthetic {via[2]} {via[1]}"))
    for i, j in enumerate(chain):
        path.append(_step("jurisdiction" if i == 0 else "containing-jurisdiction", j,
                          "Country", f"Jurisdiction {j}"))
    path.append(_step("source", source[0], source[2], f"Synthetic {source[2]} {source[0]}",
                      status="InForce", issued=start.isoformat()))
    if provision:
        path.append(_step("provision", provision, "Provision", f"Provision {provision}"))
    for risk in risks:
        path.append(_step("risk", risk["id"], "", risk["id"], categories=risk["categories"]))
    return {
        "id": f"{BASE}exposure/{n}", "kind": "ExtraterritorialExposure", "rule": "rule:x",
        "rule_title": "Synthetic", "actor": path[0], "risks": risks, "source": path[1 + bool(via)
                                                                                 + len(chain)],
        "provision": path[-len(risks) - 1] if provision else None,
        "activity": path[1] if via and via[0] == "activity" else None,
        "artefact": path[1] if via and via[0] == "artefact" else None,
        "jurisdiction": chain[0], "source_jurisdiction": chain[-1],
        "jurisdictions": sorted(set(chain)), "valid_from": start.isoformat(),
        "valid_until": None, "path": path,
    }


def synthetic_records(nodes: int, seed: int = 2026) -> list[dict[str, Any]]:
    """Exposure-shaped records over a seeded world of about ``nodes`` entities."""
    world = World(nodes, seed)
    by_place: dict[str, list[tuple[str, str, str]]] = {}
    for source in world.sources:
        by_place.setdefault(source[1], []).append(source)
    records: list[dict[str, Any]] = []
    used_provisions: set[str] = set()

    def provision_for(source_id: str) -> str | None:
        options = world.provisions.get(source_id, [])
        fresh = [p for p in options if p not in used_provisions]
        choice = fresh[0] if fresh else (world.rng.choice(options) if options and
                                         world.rng.random() < 0.5 else None)
        if choice:
            used_provisions.add(choice)
        return choice

    for ident, actor, place, kind in world.activities:
        chain = world.chain(place)
        candidates = [s for j in chain for s in by_place.get(j, [])]
        for source in world.rng.sample(candidates, min(len(candidates), world.rng.randint(1, 3))):
            reach = chain[: chain.index(source[1]) + 1]
            records.append(_record(world, len(records), actor, ("activity", ident, kind), reach,
                                   source, provision_for(source[0])))
    for ident, actor in world.artefacts:
        source = world.rng.choice(world.sources)
        records.append(_record(world, len(records), actor, ("artefact", ident, "AIService"),
                               [source[1]], source, None))
    used = {r["source"]["id"] for r in records}
    for source in world.sources:
        if source[0] not in used:
            actor = world.rng.choice(world.actors)
            records.append(_record(world, len(records), actor, None, [source[1]], source,
                                   provision_for(source[0])))
    return records


def time_to_interactive(html_path: Path, busiest: str, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    url = html_path.as_uri()
    ready, wall, highlight = [], [], []
    phases: list[dict[str, float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path() or "/usr/bin/chromium",
                                     args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            refused: list[str] = []

            def route(r: Any, refused: list[str] = refused) -> None:
                if r.request.url == url:
                    r.continue_()
                else:
                    refused.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                   timeout=120_000)
            wall.append(time.perf_counter() - start)
            ready.append(page.evaluate("window.__kgReadyAt") / 1000)
            phases.append(page.evaluate("window.__kgTimings"))
            highlight.append(page.evaluate("""async (k) => {
                const t = performance.now();
                const drawn = new Promise(r => kgViz.network.once('afterDrawing', r));
                kgViz.selectNode(k);
                kgViz.network.redraw();
                await drawn;
                return performance.now() - t; }""", busiest) / 1000)
            if refused:
                raise SystemExit(f"the page tried to fetch: {refused}")
            context.close()
        browser.close()
    steps = (("load_and_compile_s", None, "start"), ("parse_json_s", "start", "parsed"),
             ("datasets_s", "parsed", "datasets"), ("vis_network_s", "datasets", "network"),
             ("first_draw_s", "network", "drawn"))
    breakdown = {name: statistics.median((t[end] - (t[begin] if begin else 0)) / 1000
                                         for t in phases) for name, begin, end in steps}
    return {"tti_s": statistics.median(ready), "tti_max_s": max(ready),
            "wall_s": statistics.median(wall), "highlight_s": statistics.median(highlight),
            **breakdown}


def bench(size: int, runs: int, out_dir: Path) -> dict[str, Any]:
    records = synthetic_records(size)
    start = time.perf_counter()
    view = exposure_view(records, "all", as_of=AS_OF, include_ended=True)
    built = time.perf_counter() - start
    start = time.perf_counter()
    html = render_html(view)
    rendered = time.perf_counter() - start
    path = out_dir / f"bench-{size}.html"
    path.write_text(html, encoding="utf-8")
    busiest = max(view.graph.nodes, key=lambda k: (view.graph.nodes[k]["npaths"], k))
    result = {"target_nodes": size, "nodes": view.graph.number_of_nodes(),
              "edges": view.graph.number_of_edges(), "paths": len(view.paths),
              "python_view_s": round(built, 3), "python_html_s": round(rendered, 3),
              "html_mb": round(len(html.encode("utf-8")) / 1e6, 2)}
    browser = time_to_interactive(path, busiest, runs)
    result.update({k: round(v, 3) for k, v in browser.items()})
    return result


def table(rows: list[dict[str, Any]]) -> str:
    columns = ["nodes", "edges", "paths", "python_view_s", "html_mb", "tti_s", "tti_max_s",
               "highlight_s"]
    lines = ["  ".join(f"{c:>13}" for c in columns)]
    for row in rows:
        lines.append("  ".join(f"{row[c]!s:>13}" for c in columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        rows = [bench(size, args.runs, Path(tmp)) for size in args.sizes]
    print(table(rows))
    text = json.dumps(rows, indent=1)
    print(text)
    if args.json:
        from kg.core.atomic import write_text

        write_text(args.json, text + "\n")
    slow = [r for r in rows if r["nodes"] <= 2200 and r["tti_s"] >= TARGET_SECONDS]
    if slow:
        print(f"target missed: {slow[0]['nodes']} nodes took {slow[0]['tti_s']} s "
              f"(target < {TARGET_SECONDS} s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
