"""The benchmark's smoke run: both paths build the same synthetic graph, same exposures."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_benchmark_smoke_run_reports_identical_exposures(tmp_path):
    out = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "benchmark.py"), "--smoke", "--no-commands",
         "--json", str(out)], capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr
    results = json.loads(out.read_text("utf-8"))
    (entry,) = results["sizes"]
    assert entry["identical_exposures"] is True
    assert entry["fast"]["counts"]["exposures"] > 0
    assert entry["fast"]["counts"]["exposures"] == entry["reference"]["counts"]["exposures"]
    assert "kg build (fast)" in completed.stdout and "reference (owlrl)" in completed.stdout


def test_generator_is_seeded_and_reproducible(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    from generate_synthetic import write_project

    write_project(tmp_path / "a", 3000, seed=7)
    write_project(tmp_path / "b", 3000, seed=7)
    write_project(tmp_path / "c", 3000, seed=8)
    a = (tmp_path / "a" / "data" / "synthetic-000.ttl").read_bytes()
    assert a == (tmp_path / "b" / "data" / "synthetic-000.ttl").read_bytes()
    assert a != (tmp_path / "c" / "data" / "synthetic-000.ttl").read_bytes()


def test_importing_kg_stays_light():
    code = ("import sys, kg, kg.cli.main; heavy = {'pyvis', 'networkx', 'owlrl', 'pyshacl'}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True)
    assert completed.stdout.strip() == "[]"
