"""Render the documentation screenshots: the interactive page of the actor, jurisdiction and
whole-graph views at 1440×900 in headless Chromium (every network request refused), as
docs/screenshot-actor.png, docs/screenshot-jurisdiction.png and docs/screenshot-all.png.
Each run also prints the smallest size (CSS px) at which the key labels (subject,
activities, jurisdictions, instruments) were drawn at the default fit.

    .venv/bin/kg build && .venv/bin/python scripts/screenshot.py
    .venv/bin/python scripts/screenshot.py --actor deepseek --jurisdiction eu --as-of 2026-12-01
    .venv/bin/python scripts/screenshot.py --fixture   # the mini test world, actor acme-lab

``--fixture`` is for when the real data does not build: it builds tests/fixtures/mini in a
temporary project instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

from kg.core.atomic import write_bytes
from kg.core.project import Project
from kg.pipeline.build import build
from kg.store.built import Built
from kg.views.graph import viz

REPO = Path(__file__).resolve().parent.parent


def fixture_build(tmp: Path) -> Built:
    """The mini fixture built in a throw-away project (real ontology, rules and QC)."""
    root = tmp / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data").mkdir(parents=True)
    for path in sorted((REPO / "tests" / "fixtures" / "mini").glob("*.yaml")):
        shutil.copy(path, root / "data" / path.name)
    project = Project(root)
    build(project)
    return Built.open(project)


KEY_GROUPS = ("actor", "activity", "jurisdiction", "instrument")


def shoot(html: bytes, out: Path, tmp: Path) -> dict[str, float]:
    """The page at 1440×900 as PNG, and the smallest drawn label size of each key class."""
    from playwright.sync_api import sync_playwright

    from kg.views.graph.png import CHROMIUM_ARGS, chromium_path, sign_png

    page_file = tmp / "view.html"
    page_file.write_bytes(html)
    url = page_file.as_uri()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path() or "/usr/bin/chromium",
                                     args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
            page.goto(url)
            page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                   timeout=60_000)
            sizes = page.evaluate("""() => { kgViz.network.redraw(); const s = kgViz.labelSizes();
                const out = {}; for (const n of kgViz.data.nodes) if (n.key in s)
                  (out[n.group] = out[n.group] || []).push(s[n.key]); return out; }""")
            write_bytes(out, sign_png(page.screenshot(type="png")))
        finally:
            browser.close()
    return {g: round(min(v), 1) for g, v in sizes.items() if g in KEY_GROUPS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actor", default=None, help="Actor id (default deepseek, or "
                        "acme-lab with --fixture).")
    parser.add_argument("--jurisdiction", default=None, help="Jurisdiction id (default eu, "
                        "or de with --fixture).")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default today).")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    parser.add_argument("--fixture", action="store_true",
                        help="Use the mini test fixture instead of the project's build.")
    args = parser.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    with tempfile.TemporaryDirectory(prefix="kg-shot-") as tmp:
        built = fixture_build(Path(tmp)) if args.fixture else Built.open(Project.locate(REPO))
        shots = [("actor", args.actor or ("acme-lab" if args.fixture else "deepseek")),
                 ("jurisdiction", args.jurisdiction or ("de" if args.fixture else "eu")),
                 ("all", None)]
        for kind, subject in shots:
            view = viz.view_of_build(built, kind, subject, as_of=as_of, lang=args.lang)
            if not view.paths:
                print(f"no exposure paths in the {kind} view {subject or ''} as of {as_of}",
                      file=sys.stderr)
                return 1
            out = args.out_dir / f"screenshot-{kind}.png"
            sizes = shoot(viz.render(view, "html"), out, Path(tmp))
            print(f"wrote {out}: {view.graph.number_of_nodes()} nodes, "
                  f"{view.graph.number_of_edges()} edges, as of {as_of}; smallest key label "
                  "at fit: " + ", ".join(f"{g} {px} px" for g, px in sorted(sizes.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
