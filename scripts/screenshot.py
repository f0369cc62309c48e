"""Render the documentation screenshot: an actor view as PNG (docs/screenshot-actor.png).

The same as ``kg viz actor deepseek --format png``: the page rendered in headless Chromium
with every network request refused, graph and legend only.

    .venv/bin/kg build && .venv/bin/python scripts/screenshot.py
    .venv/bin/python scripts/screenshot.py --actor deepseek --as-of 2026-12-01
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actor", default=None, help="Actor id (default deepseek, or "
                        "acme-lab with --fixture).")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default today).")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot-actor.png")
    parser.add_argument("--fixture", action="store_true",
                        help="Use the mini test fixture instead of the project's build.")
    args = parser.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    with tempfile.TemporaryDirectory(prefix="kg-shot-") as tmp:
        built = fixture_build(Path(tmp)) if args.fixture else Built.open(Project.locate(REPO))
        actor = args.actor or ("acme-lab" if args.fixture else "deepseek")
        view = viz.view_of_build(built, "actor", actor, as_of=as_of, lang=args.lang)
        if not view.paths:
            print(f"no exposure paths for {actor} as of {as_of}", file=sys.stderr)
            return 1
        write_bytes(args.out, viz.render(view, "png"))
    print(f"wrote {args.out}: {view.graph.number_of_nodes()} nodes, "
          f"{view.graph.number_of_edges()} edges, as of {as_of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
