"""Shared fixtures: the real project, and small real-shaped projects built in tmp dirs."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from kg.core.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
T = TypeVar("T")


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


def copy_project(source: Project, tmp_path: Path, name: str = "project") -> Project:
    """A private copy of a (built) project: what make_project and build would give again,
    for a test that changes its project, without building it again."""
    root = tmp_path / name
    shutil.copytree(source.root, root, symlinks=True)
    return Project(root)


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content hash (symbolic links by their target)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(folder))] = "-> " + os.readlink(path)
        elif path.is_file():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _shared(project: Project) -> Iterator[Project]:
    """Hand out a project shared by many tests, and fail at the end of the session if any
    of them changed it (such a test must work on a copy_project instead)."""
    before = digest(project.root)
    yield project
    assert digest(project.root) == before, f"a test changed the shared project {project.root}"


@pytest.fixture(scope="session")
def mini_build_result(tmp_path_factory: pytest.TempPathFactory):
    """The mini fixture built once per test session (once per xdist worker)."""
    from kg.pipeline.build import build

    project = make_project(tmp_path_factory.mktemp("mini-built"), [FIXTURES / "mini"])
    return project, build(project)


@pytest.fixture(scope="session")
def mini_built(mini_build_result) -> Iterator[Project]:
    """The built mini project, shared: read it, never change it (copy_project it)."""
    yield from _shared(mini_build_result[0])


def once_per_session(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]
                     ) -> T:
    """``make(folder)`` once for the whole test session, not once per xdist worker: the
    first worker to ask makes it (the others wait for it) and leaves the result, pickled,
    beside its folder in the session's temporary directory. For the slow session
    fixtures (the owlrl builds), which every worker would otherwise make again from the
    same inputs. Without xdist, simply ``make``."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make(factory.mktemp(name))
    shared = factory.getbasetemp().parent  # this session's, shared by its workers
    with open(shared / f"{name}.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        done = shared / f"{name}.pickle"
        if done.exists():
            return pickle.loads(done.read_bytes())
        folder = shared / name
        shutil.rmtree(folder, ignore_errors=True)  # a worker that failed to make it
        folder.mkdir()
        result = make(folder)
        done.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def mini_owlrl_build(mini_build_result, tmp_path_factory: pytest.TempPathFactory):
    """The mini fixture built with the owlrl reference reasoner, once per session (a slow
    run), into a folder outside the project: the BuildResult, its exposure records
    included. Read it, never change it."""
    from kg.pipeline.build import build

    project = mini_build_result[0]
    return once_per_session(tmp_path_factory, "mini-owlrl", lambda folder: build(
        project, reasoner="owlrl", out_dir=folder / "reference"))


@pytest.fixture(scope="session")
def queries_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The mini fixture plus tests/test_queries.py's EXTRA records, built once and shared
    by the query, server and remote-endpoint tests: read it, never change it."""
    from kg.pipeline.build import build
    from tests.test_queries import mini_project as extra_project

    project = extra_project(tmp_path_factory.mktemp("queries-built"))
    build(project)
    yield from _shared(project)


@pytest.fixture
def queries_copy(queries_built: Project, tmp_path: Path) -> Project:
    """A private copy of queries_built, for a test that writes into its project."""
    return copy_project(queries_built, tmp_path)


@pytest.fixture(scope="session")
def same_as_build(tmp_path_factory: pytest.TempPathFactory):
    """The mini fixture with ``acme-lab owl:sameAs acme-lab`` in an ontology module, built
    once per session: the fast path hands it to owlrl (a slow run, so one for the tests
    that need it). Read it, never change it."""
    from kg.pipeline.build import build

    def make(folder: Path):
        project = make_project(folder, [FIXTURES / "mini"])
        (project.ontology_dir / "same.ttl").write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "<https://w3id.org/aigov-kg/id/acme-lab> owl:sameAs "
            "<https://w3id.org/aigov-kg/id/acme-lab> .\n", "utf-8")
        return build(project)

    return once_per_session(tmp_path_factory, "same-as", make)


@pytest.fixture(scope="session")
def repo_project() -> Project:
    return Project(REPO)


@pytest.fixture
def mini_project(tmp_path: Path) -> Project:
    return make_project(tmp_path, [FIXTURES / "mini"])


@pytest.fixture(scope="session")
def mini_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from kg.pipeline.build import check

    project = make_project(tmp_path_factory.mktemp("mini"), [FIXTURES / "mini"])
    return check(project).records


@pytest.fixture(scope="session")
def repo_build(tmp_path_factory: pytest.TempPathFactory):
    """The shipped data, built once per test session into a temporary directory."""
    from kg.pipeline.build import build

    out = tmp_path_factory.mktemp("build") / "build"
    return build(Project(REPO), out_dir=out)
