"""Benchmark one named query on the embedded engines: pyoxigraph vs rdflib.

Builds the mini test fixture (tests/fixtures/mini) in a temporary project, or uses an
existing build, then runs ``actor-exposures`` with the same parameters on

- pyoxigraph: the store ``kg query`` uses (graph.nq, union of its named graphs),
  parameters bound by SEP-0007 substitution, every row read;
- rdflib: ``Graph.query`` on the same triples (graph.nt), parameters as ``initBindings``,

and prints the median (and p90) wall time over the runs, after warm-up runs.

    .venv/bin/python scripts/bench_queries.py
    .venv/bin/python scripts/bench_queries.py --build build --actor deepseek --runs 50
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.query.library import load_library
from kg.query.run import execute
from kg.sparql.bind import bind
from kg.store.oxigraph import open_build

ROOT = Path(__file__).resolve().parent.parent


def build_mini(workdir: Path) -> Path:
    from kg.core.project import Project
    from kg.pipeline.build import build

    root = workdir / "project"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "data").mkdir(parents=True)
    for path in sorted((ROOT / "tests" / "fixtures" / "mini").glob("*.yaml")):
        shutil.copy(path, root / "data" / path.name)
    project = Project(root)
    build(project)
    return project.build_dir


def timed(work: Callable[[], int], runs: int, warmup: int = 3) -> tuple[list[float], int]:
    rows = 0
    for _ in range(warmup):
        rows = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = work()
        times.append(time.perf_counter() - start)
    return times, rows


def summary(name: str, times: list[float], rows: int) -> str:
    ordered = sorted(times)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return (f"{name:<22} median {statistics.median(times) * 1000:8.2f} ms   "
            f"p90 {p90 * 1000:8.2f} ms   {rows} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="an existing build/ directory "
                        "(default: build the mini fixture in a temporary directory)")
    parser.add_argument("--query", default="actor-exposures")
    parser.add_argument("--actor", default="acme-lab")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        build_dir = args.build or build_mini(Path(tmp))
        named = load_library()[args.query]
        values = {"actor": args.actor, "asOf": args.as_of}
        bindings = bind(named, {k: v for k, v in values.items() if named.param(k)})

        store = open_build(build_dir)
        oxigraph_times, oxigraph_rows = timed(
            lambda: len(execute(store, named.text, bindings).rows), args.runs)

        graph = Graph()
        graph.parse(build_dir / "graph.nt", format="nt")
        init = {name: URIRef(term.value) if isinstance(term, ox.NamedNode) else
                Literal(term.value, datatype=XSD.date) for name, term in bindings.items()}
        rdflib_times, rdflib_rows = timed(
            lambda: len(list(graph.query(named.text, initBindings=init))), args.runs)

        print(f"{args.query} {values} on {build_dir} ({len(store):,} quads, "
              f"{len(graph):,} triples), {args.runs} runs after 3 warm-up runs")
        print(summary("pyoxigraph 0.5", oxigraph_times, oxigraph_rows))
        print(summary("rdflib Graph.query", rdflib_times, rdflib_rows))
        ratio = statistics.median(rdflib_times) / statistics.median(oxigraph_times)
        print(f"rdflib / pyoxigraph: {ratio:.0f}x")
        if oxigraph_rows != rdflib_rows:
            print("warning: the engines returned different row counts", file=sys.stderr)


if __name__ == "__main__":
    main()
