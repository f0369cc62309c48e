"""The build: deterministic, atomic, and reporting what it did."""

from __future__ import annotations

import json

import pytest

from kg.core.errors import OutputError
from kg.pipeline.build import build
from kg.store import export, graphfiles
from kg.store.built import Built
from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg


def test_two_builds_are_byte_identical(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project, out_dir=tmp_path / "one")
    build(project, out_dir=tmp_path / "two")
    for name in ("exposures.json", "exposures.csv", "graph.nt", "graph.nq", "asserted.ttl",
                 "inferred.ttl", "derived.ttl", "manifest.json"):
        one, two = tmp_path / "one" / name, tmp_path / "two" / name
        assert one.read_bytes() == two.read_bytes(), name


def test_an_interrupted_build_leaves_the_previous_output(tmp_path, monkeypatch):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    out = project.root / "build"
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "ntriples", interrupted)  # mid-way through writing
    with pytest.raises(KeyboardInterrupt):
        build(project)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in project.root.iterdir()) == ["build", "data", "ontology"]


def test_a_failed_graph_writer_fails_the_build_and_keeps_the_previous_output(
        tmp_path, monkeypatch):
    """The graph files are written by a child process; if it fails, so does the build."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    out = project.root / "build"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "broken_writer.py"
    broken.write_text("raise SystemExit('No space left on device')\n", "utf-8")
    monkeypatch.setattr(graphfiles, "__file__", str(broken))
    with pytest.raises(OutputError, match="writing the graph files failed: "
                                          "No space left on device"):
        build(project)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in project.root.iterdir()) == ["build", "data", "ontology"]


def test_without_a_child_process_the_graph_files_are_the_same(tmp_path, monkeypatch):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project, out_dir=tmp_path / "child")

    def no_process(*_args, **_kwargs):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(graphfiles.subprocess, "Popen", no_process)
    build(project, out_dir=tmp_path / "here")
    for name in ("graph.nt", "graph.nq", "asserted.ttl", "inferred.ttl", "derived.ttl"):
        assert ((tmp_path / "child" / name).read_bytes()
                == (tmp_path / "here" / name).read_bytes()), name
    assert sorted(p.name for p in (tmp_path / "here").iterdir()) == sorted(
        p.name for p in (tmp_path / "child").iterdir())


def test_inferred_triples_are_kept_apart_from_asserted_ones(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    graphs = {line.rsplit(" ", 2)[1] for line in
              (project.root / "build" / "graph.nq").read_text("utf-8").splitlines()}
    assert graphs == {f"<https://w3id.org/aigov-kg/graph/{n}>"
                      for n in ("asserted", "inferred", "derived")}
    inferred = (project.root / "build" / "inferred.ttl").read_text("utf-8")
    assert "owl:sameAs" not in inferred          # trivial entailments are dropped
    assert "aig:OpenWeightModelProvider" in inferred  # a derived role is kept


def test_build_prints_counts_timings_and_a_summary(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "build")
    assert result.code == 0, result.err
    assert "validated: shapes and QC queries pass" in result.err
    assert "reasoned (fast)" in result.err
    assert "14 exposures" in result.err
    assert "Acme Lab (illustrative) (acme-lab)" in result.out
    manifest = json.loads((project.root / "build" / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["exposures"] == 14
    assert "data/sources.yaml" in manifest["inputs"]


def test_a_changed_input_makes_the_build_stale(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    assert not Built.open(project).is_stale(project)
    path = project.root / "data" / "world.yaml"
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    assert Built.open(project).is_stale(project)
    result = run_kg(capsys, project.root, "exposures", "--actor", "acme-lab")
    assert "the build is older than ontology/ or data/" in result.err


def test_reference_reasoner_is_selectable(mini_build_result, mini_owlrl_build):
    """The mini fixture built with each reasoner (both builds shared, see conftest.py)."""
    project, fast = mini_build_result
    reference = mini_owlrl_build
    assert fast.reasoner == "fast"
    assert reference.reasoner == "owlrl"
    assert reference.out_dir != project.build_dir
    assert (project.build_dir / "exposures.json").read_bytes() == (
        reference.out_dir / "exposures.json").read_bytes()
    assert fast.counts["exposures"] == reference.counts["exposures"]


def test_fast_path_falls_back_to_owlrl_for_unsupported_constructs(same_as_build):
    """A case file may not state owl:sameAs (kg.pipeline.casevocab); an ontology module, reviewed
    as code, may, and the fast path hands it to owlrl (the build: conftest.py same_as_build)."""
    result = same_as_build
    assert result.reasoner == "owlrl"
    assert "owl:sameAs" in result.note
