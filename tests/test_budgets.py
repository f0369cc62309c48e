"""Budgets (kg/core/budget.py) and the memory cap of `kg query` (kg/query/isolate.py).

The hostile corpus (tests/test_hostile.py, "budgets" and "engine-limits") checks each
refusal end to end; these check what the corpus cannot: that a limit raised lets the work
through, that the cap holds the whole process tree under 2 GB, and that a capped query
answers exactly as the embedded store does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from kg.core.budget import BudgetExceeded, deadline
from kg.query import isolate
from kg.query.library import load_library
from kg.query.run import QueryTimeout, ResultTooLarge, run_embedded
from kg.sparql.bind import bind
from kg.store.oxigraph import open_build
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

CARTESIAN = "SELECT ?a ?c ?d ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?d ?c ?a LIMIT 1\n"


def _chain(depth: int) -> str:
    lines = ["curated: 2026-11-28", "records:"]
    for i in range(depth):
        lines += [f"  - id: j-{i}", "    a: SubnationalJurisdiction",
                  f"    label: {{en: J {i}, zh: 地{i}}}", "    source: https://example.org/j"]
        lines += [f"    within: j-{i - 1}"] if i else ["    within: de"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def built(mini_built):
    """The built mini project, shared for the session (conftest.py): read only."""
    return mini_built


def test_a_raised_depth_limit_lets_a_deeper_chain_through(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"], {"chain.yaml": _chain(12)})
    refused = run_kg(capsys, project.root, "validate")
    assert refused.code == 2
    assert "[j-11] lies 13 levels deep in `within`" in refused.err  # j-0 within de within eu
    assert "over the limit of 8" in refused.err and "--max-depth" in refused.err
    assert run_kg(capsys, project.root, "validate", "--max-depth", "13").code == 0


def test_the_deadline_stops_python_work_and_names_the_option():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as error, deadline(0.2, "kg test"):
        while True:
            sum(range(1000))
    assert time.monotonic() - started < 2
    assert str(error.value) == ("kg test stopped at the 0.2 s time limit; nothing was "
                                "written (raise it with --timeout)")


def test_a_capped_query_answers_as_the_embedded_store(built):
    store = open_build(built.build_dir)
    for name in ("risk-taxonomy", "jurisdictions-by-risk-category", "actor-exposures"):
        named = load_library()[name]
        bindings = bind(named, {"actor": "acme-lab"} if name == "actor-exposures" else {})
        capped = isolate.run_limited(store, named.text, bindings, 30, 10_000, 512)
        plain = run_embedded(store, named.text, bindings, 30, 10_000)
        assert capped.form == plain.form and capped.variables == plain.variables
        assert capped.rows == plain.rows and capped.rows


def test_errors_of_a_capped_query_keep_their_kind(built):
    store = open_build(built.build_dir)
    with pytest.raises(ResultTooLarge, match="more than 3 rows"):
        isolate.run_limited(store, "SELECT * WHERE { ?s ?p ?o }", None, 30, 3, 512)
    with pytest.raises(QueryTimeout, match=r"query exceeded the 0\.5 s time limit"):
        isolate.run_limited(store, CARTESIAN, None, 0.5, 10, 4096)


def test_the_cartesian_query_stops_at_the_default_cap_under_2_gb(built, tmp_path):
    """Issue 18: it peaked at 7.6 GB. With the default --max-memory the whole process tree
    stays under 2 GB and the message names the limit and the option."""
    (tmp_path / "cartesian.rq").write_text(CARTESIAN, "utf-8")
    probe = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps([done.returncode, done.stderr, peak]))\n")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "kg", "--root",
                          str(built.root), "query", str(tmp_path / "cartesian.rq")],
                         capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    code, err, peak = json.loads(out.stdout)
    assert code == 2, err
    assert err == ("error: query stopped: it needs more than the 1,536 MiB memory limit "
                   "(raise it with --max-memory, or narrow the query)\n")
    assert peak < 2 * 10**9, f"peak {peak / 2**20:.0f} MiB"
    assert time.monotonic() - started < 60
