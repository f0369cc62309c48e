"""Benchmark `kg build` against the owlrl reference, side by side, on the same input.

For each size, a seeded synthetic project is generated (scripts/generate_synthetic.py);
then, each in its own process so peak memory is its own, the fast path (`kg build`) and
the reference (`kg build --reasoner owlrl`: owlrl's OWL 2 RL closure + the same rules
on rdflib) build it. The script reports per-phase times (parse/load, validate, reason,
exposures, write), peak memory, triple counts, the speed-up, and checks that both
produced the identical set of exposures — it exits 1 loudly if not. It also reports
the latency of the named queries on the embedded store (median and p95) and the
whole-process time of common commands on the curated data.

    python scripts/benchmark.py --sizes 10000 100000            # the README command
    python scripts/benchmark.py --sizes 1000000 --no-reference  # fast path only
    python scripts/benchmark.py --smoke                         # a quick run for CI
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))


def worker(project_dir: str, reasoner: str, out_dir: str) -> None:
    """Build once and print timings, counts and peak memory as JSON (child process)."""
    from kg.core.project import Project
    from kg.pipeline.build import build

    start = time.perf_counter()
    result = build(Project(Path(project_dir)), reasoner=reasoner, out_dir=Path(out_dir))
    wall = time.perf_counter() - start
    # the graph files are written by a child process alongside: its peak is added (an
    # upper bound of the two together, since their peaks need not coincide)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + result.writer_peak_mb
    print(json.dumps({"reasoner": result.reasoner, "timings": result.timings, "wall": wall,
                      "peak_mb": peak_mb, "counts": result.counts}))


def run_build(project: Path, reasoner: str, out: Path, timeout: float) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(project), reasoner, str(out)],
        capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{reasoner} build failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def exposure_set(out: Path) -> set[str]:
    records = json.loads((out / "exposures.json").read_text("utf-8"))
    return {json.dumps(r, sort_keys=True) for r in records}


def example_values(build_dir: Path) -> dict[str, str]:
    """A real value for each parameter name the named queries use, taken from the build:
    the actor, jurisdiction, exposure and cited URL of its first exposure record, a
    broad risk category (so actors-exposed-to-risk lists many) and an activity type."""
    first = json.loads((build_dir / "exposures.json").read_text("utf-8"))[0]
    cited = (first.get("source") or {}).get("sources") or ["https://"]
    return {"actor": first["actor"]["iri"], "jurisdiction": first["source_jurisdiction"],
            "exposure": first["id"], "risk": "aig:GeopoliticalUncertaintyRisk",
            "category": "aig:GeopoliticalUncertaintyRisk", "source": cited[0],
            "activity": "aig:OfferingService", "date": "2027-01-01"}


def query_latency(build_dir: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Median and p95 of each named query on the embedded store, with the rows it
    returned: required parameters bound to values from the build, optional ones left
    open (so the listing queries list the whole graph)."""
    from kg.query.library import load_library
    from kg.query.run import execute
    from kg.sparql.bind import bind
    from kg.store import oxigraph as store

    oxi = store.open_build(build_dir)
    values = example_values(build_dir)
    out: dict[str, dict[str, float]] = {}
    for name, named in sorted(load_library().items()):
        given = {p.name: values[p.name] for p in named.params
                 if p.required and p.name in values}
        bindings = bind(named, given)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = execute(oxi, named.text, bindings, max_rows=10_000_000)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[name] = {"median_ms": statistics.median(times),
                     "p95_ms": times[max(0, math.ceil(0.95 * len(times)) - 1)],
                     "rows": len(result.rows) if result.form == "SELECT" else 1}
    return out


def command_times(commands: list[list[str]], repeats: int) -> dict[str, float]:
    """Median whole-process wall time of each command, run from the repository."""
    kg = [sys.executable, "-m", "kg"]
    out = {}
    for command in commands:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([*kg, *command], cwd=REPO, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
        out["kg " + " ".join(command)] = statistics.median(times)
    return out


def table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns),
             "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the owlrl reference (for sizes it cannot finish)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="one tiny size, few repeats")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--no-commands", action="store_true",
                        help="skip the whole-process timings on the curated data")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    if args.smoke:
        args.sizes, args.repeats = [2000], 3

    from generate_synthetic import write_project

    results: dict = {"sizes": [], "queries": {}, "commands": {}}
    rows = []
    identical_everywhere = True
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        base = Path(tmp)
        for size in args.sizes:
            project = base / f"syn-{size}"
            triples = write_project(project, size, args.seed)
            fast = run_build(project, "fast", base / f"fast-{size}", args.timeout)
            entry = {"size": size, "data_triples": triples, "fast": fast}
            row = {"size": f"{size:,}", "path": "kg build (fast)", **_row(fast)}
            rows.append(row)
            if not args.no_reference:
                reference = run_build(project, "owlrl", base / f"ref-{size}", args.timeout)
                same = exposure_set(base / f"fast-{size}") == exposure_set(base / f"ref-{size}")
                identical_everywhere &= same
                entry.update(reference=reference, identical_exposures=same,
                             speedup=reference["wall"] / fast["wall"],
                             reason_speedup=reference["timings"]["reason"]
                             / max(fast["timings"]["reason"], 1e-9))
                rows.append({"size": f"{size:,}", "path": "reference (owlrl)",
                             **_row(reference),
                             "speed-up": f"{entry['speedup']:.0f}× (reason "
                                         f"{entry['reason_speedup']:.0f}×)",
                             "identical": "yes" if same else "NO"})
            results["sizes"].append(entry)
            if size == args.sizes[-1]:
                results["queries"] = query_latency(base / f"fast-{size}", args.repeats)
        walls = [(e["data_triples"], e["fast"]["wall"]) for e in results["sizes"]]
        if len(walls) >= 2:
            (n1, t1), (n2, t2) = walls[-2], walls[-1]
            results["exponent"] = math.log(t2 / t1) / math.log(n2 / n1)

    if not args.no_commands:
        subprocess.run([sys.executable, "-m", "kg", "build", "--quiet"], cwd=REPO,
                       capture_output=True, check=True)
        results["commands"] = command_times(
            [["build", "--quiet"], ["exposures", "--actor", "deepseek"],
             ["explain", "deepseek", "--risk", "ModelDistillationAllegationRisk"]],
            max(1, min(args.repeats, 5)))
        results["queries_curated"] = query_latency(REPO / "build", args.repeats)

    columns = ["size", "path", "load", "validate", "reason", "exposures", "write", "wall",
               "peak MB", "triples", "exposures#", "speed-up", "identical"]
    print(table(rows, columns))
    if "exponent" in results:
        print(f"\ncost exponent between the two largest sizes: {results['exponent']:.2f} "
              "(1.0 = linear)")
    for key, title in (("queries", f"the {args.sizes[-1]:,}-triple synthetic build"),
                       ("queries_curated", "the curated data")):
        if results.get(key):
            print(f"\nnamed queries on the embedded store, {title} (ms):")
            print(table([{"query": k, "median": f"{v['median_ms']:.2f}",
                          "p95": f"{v['p95_ms']:.2f}", "rows": f"{v['rows']:,}"}
                         for k, v in sorted(results[key].items())],
                        ["query", "median", "p95", "rows"]))
    if results["commands"]:
        print("\nwhole-process time on the curated data (s):")
        for command, seconds in results["commands"].items():
            print(f"  {seconds:6.2f}  {command}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    if not identical_everywhere:
        print("\nFAIL: the fast path and the reference produced different exposures",
              file=sys.stderr)
        return 1
    return 0


def _row(run: dict) -> dict:
    t = run["timings"]
    counts = run["counts"]
    return {"load": f"{t['load']:.2f}", "validate": f"{t['validate']:.2f}",
            "reason": f"{t['reason']:.2f}", "exposures": f"{t['exposures']:.2f}",
            "write": f"{t['write']:.2f}", "wall": f"{run['wall']:.2f}",
            "peak MB": f"{run['peak_mb']:.0f}",
            "triples": f"{counts['asserted_triples'] + counts['inferred_triples']:,}",
            "exposures#": f"{counts['exposures']:,}"}


if __name__ == "__main__":
    sys.exit(main())
