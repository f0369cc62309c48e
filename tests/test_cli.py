"""The command line as users meet it: help, exit codes, formats, names, escaping."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg


@pytest.fixture(scope="session")
def built(mini_built):
    """The built mini project, shared for the session (conftest.py): read only."""
    return mini_built


def test_every_command_has_help_with_an_example(capsys, built):
    from kg.cli.main import cli

    for name in sorted(cli.commands):
        result = run_kg(capsys, built.root, name, "--help")
        assert result.code == 0, name
        assert "Example" in result.out, name


def test_python_dash_m_kg_works(built):
    result = subprocess.run([sys.executable, "-m", "kg", "--root", str(built.root), "exposures",
                             "--actor", "robo-co", "--format", "csv"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "mini-pld" in result.stdout


def test_exposures_formats(capsys, built):
    as_json = run_kg(capsys, built.root, "exposures", "--actor", "acme-lab", "--format", "json")
    records = json.loads(as_json.out)
    assert {r["status"] for r in records} <= {"current", "upcoming", "pending"}
    as_csv = run_kg(capsys, built.root, "exposures", "--actor", "acme-lab", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert len(rows) == len(records)
    as_tsv = run_kg(capsys, built.root, "exposures", "--actor", "acme-lab", "--format", "tsv")
    assert as_tsv.out.splitlines()[0].split("\t")[0] == "exposure"


def test_filters_by_risk_category_and_jurisdiction(capsys, built):
    result = run_kg(capsys, built.root, "exposures", "--risk", "PhysicalAIProductRisk",
                    "--jurisdiction", "eu", "--as-of", "2027-01-01", "--format", "json")
    records = json.loads(result.out)
    # acme-lab's GDPR exposure is baseline data compliance: it makes no physical product
    assert {r["actor"]["id"] for r in records} == {"robo-co", "chip-co", "data-co"}
    assert all(r["status"] == "current" for r in records)


def test_names_can_be_ids_prefixed_names_iris_or_labels(capsys, built):
    outputs = set()
    for name in ("robo-co", "id:robo-co", "https://w3id.org/aigov-kg/id/robo-co",
                 "Robo Co (illustrative)"):
        result = run_kg(capsys, built.root, "exposures", "--actor", name, "--format", "csv")
        assert result.code == 0, result.err
        outputs.add(result.out)
    assert len(outputs) == 1


@pytest.mark.parametrize(("args", "message"), [
    (("exposures", "--actor", "acme-lb"),
     "--actor: unknown actor 'acme-lb'; did you mean: acme-lab"),
    (("exposures", "--risk", "ProductLiability"), "did you mean: ProductLiabilityRisk"),
    (("exposures", "--as-of", "2025-02-30"), "--as-of: '2025-02-30' is not a date"),
    (("explain", "nobody"), "unknown actor 'nobody'"),
])
def test_usage_errors_exit_2_with_a_message(capsys, built, args, message):
    result = run_kg(capsys, built.root, *args)
    assert result.code == 2
    assert message in result.err
    assert result.out == ""


def test_explain_shows_a_multi_hop_path_with_rule_and_sources(capsys, built):
    result = run_kg(capsys, built.root, "explain", "acme-lab", "--source", "mini-gdpr")
    assert result.code == 0, result.err
    text = result.out
    assert "rule: market-exposure (Market exposure)" in text
    for step in ("Acme Lab (illustrative)", "└─ performs → Acme processes personal data",
                 "└─ in → Germany", "└─ within → European Union",
                 "└─ is governed by → Mini data protection regulation",
                 "└─ raises → "):
        assert step in text, step
    # the official text first, then the evidence marked with its tier
    official = text.index("official text: http://data.europa.eu/eli/reg/2016/679/oj")
    assert official < text.index("source [official]: https://eur-lex.europa.eu/eli/reg/2016/679/oj")
    assert "Precedents (measures already taken against other actors" in text


def test_explain_in_chinese(capsys, built):
    result = run_kg(capsys, built.root, "explain", "chip-co", "--lang", "zh")
    assert "Chip公司（示例）" in result.out
    assert "供应" in result.out


def test_terminal_escape_sequences_in_labels_are_neutralised(tmp_path, capsys):
    """ESC (a C0 control) is refused at load; the 8-bit CSI (a C1 control) is text, shown
    escaped."""
    hostile = ("curated: 2026-11-28\nrecords:\n  - id: evil-co\n    a: Company\n"
               "    label: \"Evil \\e[31mRED\\e[0m Co\"\n    source: https://example.org/e\n")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"evil.yaml": hostile})
    refused = run_kg(capsys, project.root, "build")
    assert refused.code == 2
    assert "data/evil.yaml:5: a control character (U+001B) in a value" in refused.err
    (project.root / "data" / "evil.yaml").write_text(hostile.replace("\\e", "\\x9b"), "utf-8")
    project_build = run_kg(capsys, project.root, "build")
    assert project_build.code == 0, project_build.err
    result = run_kg(capsys, project.root, "exposures", "--actor", "evil-co")
    assert "\x1b" not in result.out + result.err and "\x9b" not in result.out + result.err


def test_query_side_commands_need_a_build(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "exposures")
    assert result.code == 2
    assert "no build found in build/; run `kg build` first" in result.err


def test_stats_and_export(capsys, built, tmp_path):
    stats = json.loads(run_kg(capsys, built.root, "stats", "--format", "json").out)
    assert stats["share_with_source"] == 1.0
    out = tmp_path / "kg.graphml"
    result = run_kg(capsys, built.root, "export", "--format", "graphml", "--out", str(out))
    assert result.code == 0, result.err
    assert out.read_text("utf-8").startswith("<graphml")
    nt = run_kg(capsys, built.root, "export", "--format", "nt", "--graph", "derived")
    assert "aigov-kg/ontology#exposedActor" in nt.out
    jsonld = run_kg(capsys, built.root, "export", "--format", "jsonld", "--graph", "asserted")
    assert json.loads(jsonld.out)
