"""`kg diff`: new, removed and changed exposures against a build; the new-case workflow."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

TASK_FORCE_SOURCE = ("https://www.channelnewsasia.com/business/european-data-protection-board-"
                     "creates-chatgpt-task-force-3415696?cid=cna_flip_070214")



@pytest.fixture(scope="session")
def mini_baseline(mini_built) -> Path:
    """The mini fixture, built once (conftest.py): the earlier build every mini test
    compares with, copied by each."""
    return mini_built.build_dir


@pytest.fixture
def mini(tmp_path, mini_baseline):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    shutil.copytree(mini_baseline, project.build_dir)
    return project


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def diff_json(capsys, root: Path, *args: str) -> dict:
    result = run_kg(capsys, root, "diff", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


# --------------------------------------------------------------------------- the workflow


def fill_task_force_case(text: str) -> str:
    """Fill the `kg new-case measure` template with the EDPB's ChatGPT task force."""
    values = {
        'en: "FILL-IN: what was done, to whom, in one line"':
            'en: "EDPB creates a task force on ChatGPT"',
        '# zh: "FILL-IN: 中文名称"': 'zh: "欧洲数据保护委员会成立ChatGPT工作组"',
        "jurisdiction: FILL-IN-jurisdiction-id": "jurisdiction: eu",
        "raisesRisk: [FILL-IN-RiskType]": "raisesRisk: [DataProtectionEnforcementRisk]",
        "status: FILL-IN-Status": "status: Ongoing",
        "issuedOn: FILL-IN-YYYY-MM-DD": "issuedOn: 2023-04-13",
        '"FILL-IN: the http(s) URL of a page you read that confirms it"': f'"{TASK_FORCE_SOURCE}"',
        "statusConfirmedOn: FILL-IN-YYYY-MM-DD": "statusConfirmedOn: 2023-04-13",
        '"FILL-IN: the http(s) URL of that page"': f'"{TASK_FORCE_SOURCE}"',
        "# targets: FILL-IN-actor-or-artefact-id": "targets: chatgpt",
        "# issuedBy: FILL-IN-actor-id": "issuedBy: edpb",
        "# verification: partial": "verification: verified",
    }
    for placeholder, value in values.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    return text


def test_a_real_case_through_new_case_validate_and_diff(tmp_path, capsys, repo_build):
    """The EDPB's ChatGPT task force of 2023-04-13, not yet its own record."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data", root / "data")
    assert "edpb-chatgpt-task-force-2023" not in "".join(
        p.read_text("utf-8") for p in (root / "data").rglob("*.yaml"))
    against = str(repo_build.out_dir)
    assert diff_json(capsys, root, "--against", against)["changes"] == []

    result = run_kg(capsys, root, "new-case", "measure", "--id", "edpb-chatgpt-task-force-2023",
                    "--out", "data/cases/edpb-chatgpt-task-force.yaml")
    assert result.code == 0, result.err
    case = root / "data" / "cases" / "edpb-chatgpt-task-force.yaml"
    failed = run_kg(capsys, root, "validate", str(case))
    assert failed.code == 1 and "FILL-IN" in failed.err

    case.write_text(fill_task_force_case(case.read_text("utf-8")), "utf-8")
    passed = run_kg(capsys, root, "validate", str(case))
    assert passed.code == 0, passed.err

    report = diff_json(capsys, root, "--against", against, "--as-of", "2026-11-28")
    assert report["counts"] == {"new": 1, "removed": 0, "changed": 0}
    (change,) = report["changes"]
    assert change["change"] == "new"
    assert change["actor"] == "openai" and change["kind"] == "TargetedMeasure"
    assert change["source"] == "edpb-chatgpt-task-force-2023"
    assert change["risks"] == ["DataProtectionEnforcementRisk"]
    assert change["categories"] == ["BaselineLegalRisk"]
    assert change["status"] == "current" and change["valid_from"] == "2023-04-13"
    steps = [step["id"] for step in change["record"]["path"]]
    assert steps[:2] == ["openai", "chatgpt"]  # OpenAI is exposed through its product
    assert TASK_FORCE_SOURCE in {s for step in change["record"]["path"] for s in step["sources"]}
    assert report["by_actor"] == {"openai": {"new": 1, "removed": 0, "changed": 0}}
    assert report["by_category"] == {"BaselineLegalRisk": {"new": 1, "removed": 0, "changed": 0}}
    assert not (root / "build").exists()  # diff and validate write nothing


# --------------------------------------------------------------------------- kinds of change


def test_no_change_is_said_and_is_not_an_error(capsys, mini, mini_baseline):
    result = run_kg(capsys, mini.root, "diff")
    assert result.code == 0
    assert result.out == ""
    assert "no change in exposures against build/" in result.err


def test_a_moved_date_is_a_changed_exposure_with_old_and_new(capsys, mini):
    sources = mini.data_dir / "sources.yaml"
    text = sources.read_text("utf-8")
    start = text.index("  - id: mini-pld")
    old = re.search(r"appliesFrom: (\S+)", text[start:]).group(1)
    block = text[start:].replace(f"appliesFrom: {old}", "appliesFrom: 2026-01-01", 1)
    sources.write_text(text[:start] + block, "utf-8")
    report = diff_json(capsys, mini.root, "--as-of", "2026-06-01")
    changed = [c for c in report["changes"] if c["source"] == "mini-pld"]
    assert changed and all(c["change"] == "changed" for c in changed)
    assert {c["actor"] for c in changed} >= {"robo-co", "chip-co", "data-co"}
    for change in changed:
        assert change["fields"]["valid_from"] == {"old": old, "new": "2026-01-01"}
        assert change["fields"]["status"] == {"old": "upcoming", "new": "current"}
    assert report["counts"]["changed"] == len(report["changes"])


def test_a_removed_activity_removes_its_exposures(capsys, mini):
    companies = mini.data_dir / "companies.yaml"
    text = companies.read_text("utf-8")
    start = text.index("  - id: robo-1-in-germany")
    end = text.find("\n  - id:", start + 1)
    companies.write_text(text[:start] + (text[end + 1:] if end > 0 else ""), "utf-8")
    report = diff_json(capsys, mini.root)
    assert report["changes"] and {c["change"] for c in report["changes"]} == {"removed"}
    assert {"robo-co", "chip-co", "data-co"} <= set(report["by_actor"])
    assert report["by_category"]["PhysicalAIProductRisk"]["removed"] > 0


def test_a_draft_case_given_on_the_command_line_is_included(capsys, mini, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text("""curated: 2026-11-28
records:
  - id: mini-new-claim
    a: Allegation
    label: {en: "Rival Co accuses Acme Lab of distillation (illustrative)"}
    illustrative: true
    jurisdiction: us
    targets: acme-lab
    raisesRisk: ModelDistillationAllegationRisk
    status: Published
    issuedOn: 2025-03-01
    source: https://example.org/claim
""", "utf-8")
    report = diff_json(capsys, mini.root, str(draft))
    assert [(c["change"], c["actor"], c["source"]) for c in report["changes"]] == [
        ("new", "acme-lab", "mini-new-claim")]


def test_table_and_csv_outputs(capsys, mini, tmp_path):
    (mini.data_dir / "companies.yaml").write_text(
        (mini.data_dir / "companies.yaml").read_text("utf-8").replace(
            "inJurisdiction: de", "inJurisdiction: it"), "utf-8")
    table = run_kg(capsys, mini.root, "diff")
    assert table.code == 0
    assert table.out.splitlines()[0].split()[:4] == ["change", "actor", "kind", "source"]
    assert "by actor:" in table.out and "by risk category:" in table.out
    assert re.search(r"\d+ new, \d+ removed, \d+ changed exposure", table.err)
    rows = list(csv.DictReader(io.StringIO(run_kg(capsys, mini.root, "diff", "--format",
                                                  "csv").out)))
    assert rows and set(rows[0]) >= {"change", "exposure", "actor", "risks", "what_changed"}
    assert {r["change"] for r in rows} <= {"new", "removed", "changed"}


# --------------------------------------------------------------------------- errors


def test_invalid_inputs_print_the_findings_and_write_nothing(capsys, mini):
    bad = mini.data_dir / "bad.yaml"
    bad.write_text("curated: 2026-11-28\nrecords:\n  - id: mini-bad\n    a: Ban\n"
                   "    label: {en: Bad}\n    jurisdiction: itt\n    raisesRisk: "
                   "GovernmentUseBanRisk\n    status: InForce\n    issuedOn: 2025-01-01\n"
                   "    source: https://example.org\n", "utf-8")
    before = tree_digest(mini.data_dir), tree_digest(mini.build_dir)
    result = run_kg(capsys, mini.root, "diff")
    assert result.code == 1
    assert "bad.yaml:6: [mini-bad] jurisdiction: unknown id 'itt'" in result.err
    assert "did you mean it" in result.err
    assert result.out == ""
    assert (tree_digest(mini.data_dir), tree_digest(mini.build_dir)) == before


def test_without_a_build_diff_says_to_build_first(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "diff")
    assert result.code == 2
    assert "no build found in build/; run `kg build` first" in result.err


def test_a_bad_as_of_date_is_a_usage_error(capsys, mini):
    result = run_kg(capsys, mini.root, "diff", "--as-of", "2026-13-01")
    assert result.code == 2
    assert "--as-of: '2026-13-01' is not a date" in result.err
