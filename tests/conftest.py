"""Shared fixtures: the real project, and small real-shaped projects built in tmp dirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(tmp_path: Path, data_dirs: list[Path], extra: dict[str, str] | None = None
                 ) -> Project:
    """A project with the real ontology, rules and QC queries and the given case files."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data").mkdir(parents=True)
    for directory in data_dirs:
        for path in sorted(directory.glob("*.yaml")):
            shutil.copy(path, root / "data" / path.name)
    for name, text in (extra or {}).items():
        (root / "data" / name).write_text(text, encoding="utf-8")
    return Project(root)


@pytest.fixture(scope="session")
def repo_project() -> Project:
    return Project(REPO)


@pytest.fixture
def mini_project(tmp_path: Path) -> Project:
    return make_project(tmp_path, [FIXTURES / "mini"])


@pytest.fixture(scope="session")
def mini_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from kg.build import check

    project = make_project(tmp_path_factory.mktemp("mini"), [FIXTURES / "mini"])
    return check(project).records


@pytest.fixture(scope="session")
def repo_build(tmp_path_factory: pytest.TempPathFactory):
    """The shipped data, built once per test session into a temporary directory."""
    from kg.build import build

    out = tmp_path_factory.mktemp("build") / "build"
    return build(Project(REPO), out_dir=out)
