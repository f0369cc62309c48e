"""The documented workflow for adding a case works as docs/adding-a-case.md says."""

from __future__ import annotations

import re
import shutil

from tests.conftest import REPO
from tests.kgrun import run_kg

GUIDE = REPO / "docs" / "adding-a-case.md"


def guide_case() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text("utf-8"), flags=re.S)
    return blocks[0]


def test_the_guides_case_validates_builds_and_exposes_the_company(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data", root / "data")
    case = root / "data" / "jurisdictions" / "us" / "us-bis-entity-list-sophgo.yaml"
    case.write_text(guide_case(), "utf-8")

    result = run_kg(capsys, root, "validate", str(case))
    assert result.code == 0, result.err
    assert run_kg(capsys, root, "build", "--quiet").code == 0
    result = run_kg(capsys, root, "exposures", "--actor", "sophgo", "--format", "csv")
    assert "us-bis-entity-list-sophgo-2025" in result.out
    assert "EntityListingRisk;ExportControlRisk" in result.out


def test_a_misspelt_id_is_reported_with_a_suggestion_and_nothing_written(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data", root / "data")
    case = root / "data" / "jurisdictions" / "us" / "us-bis-entity-list-sophgo.yaml"
    case.write_text(guide_case().replace("targets: sophgo", "targets: sophco"), "utf-8")
    result = run_kg(capsys, root, "validate")
    assert result.code == 1
    assert "targets: unknown id 'sophco'" in result.err
    assert "did you mean sophgo?" in result.err
    assert not (root / "build").exists()


def test_the_data_dictionary_is_up_to_date():
    from kg.core.project import Project
    from kg.pipeline.load import load_ontology
    from kg.views.docs import markdown

    assert (REPO / "docs" / "data-dictionary.md").read_text("utf-8") == markdown(
        load_ontology(Project(REPO)))
