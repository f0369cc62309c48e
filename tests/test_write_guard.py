"""The write guard (`kg.core.outputs.check`): every output option of every command, in every
place an output must never go, and the places it may.

Each refused run must exit 2 with one line that names the option, the path and the rule,
change nothing on disk (the project, and the folder beside it that links point to), and
happen before any work: loading, reasoning, rendering and opening the build are replaced
by traps that fail the run if reached.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

import kg
from kg.core import atomic, outputs
from kg.core.errors import UsageError
from kg.views.graph.png import sign_png
from tests.conftest import REPO
from tests.kgrun import run_kg

PROFILE = (REPO / "tests" / "hostile" / "profiles" / "good.yaml").read_text("utf-8")
PACKAGE = Path(kg.__file__).resolve().parent

# --------------------------------------------------------------------------- the table

# Every command with an output option: how it is called with a path, which option that
# is, and whether it names a file or a folder.
COMMANDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "viz": (("viz", "all", "--out"), "--out", "file"),
    "export": (("export", "--format", "ttl", "--out"), "--out", "file"),
    "screen": (("screen", "profile.yaml", "--format", "md", "--out"), "--out", "file"),
    "docs-dictionary": (("docs", "--dictionary"), "--dictionary", "file"),
    "docs-out": (("docs", "--out"), "--out", "folder"),
    "build": (("build", "--quiet", "--out"), "--out", "folder"),
    "new-case": (("new-case", "measure", "--id", "guard-probe", "--out"), "--out", "file"),
}

INSIDE = "outputs never go into kg/, ontology/, data/, tests/, .git/ or build/"
# Each forbidden place: the path given (a file name is added for file outputs) and the
# rule the message must state.
PLACES: dict[str, tuple[str, str]] = {
    "kg": ("kg", "' is inside kg/, the program's source; " + INSIDE),
    "installed-program": (str(PACKAGE), "' is inside kg/ (the installed program, "),
    "ontology": ("ontology", "' is inside ontology/, the ontology, changed only as reviewed "
                 "code; " + INSIDE),
    "data": ("data/cases", "' is inside data/, where every file is read as a case file; "
             + INSIDE),
    "tests": ("tests", "' is inside tests/, the test suite; " + INSIDE),
    "git": (".git", "' is inside .git/, the repository; " + INSIDE),
    "build": ("build", "' is inside build/, which `kg build` replaces whole; " + INSIDE),
    "dot-dot": ("..", "' leaves the current directory through '..'; give an absolute path"),
    "symlink-out": ("elsewhere", "' leaves the current directory through a symbolic link (to "),
    "symlink-into-ontology": ("views", "' is inside ontology/ (through a symbolic link, to "),
}
# File outputs over what is not a file of theirs; folder outputs over what is not a folder.
FILE_PLACES: dict[str, tuple[str, str]] = {
    "a-directory": ("adir", "' is a directory; give a file name"),
    "through-a-file": ("afile/x.out", "': cannot write (a part of the path is a file, not a "
                       "directory); nothing was changed"),
    "another-kind-of-file": ("notes.yaml", "' exists and is not "),
    "not-a-regular-file": ("fifo", "' exists and is not a regular file"),
}
FOLDER_PLACES: dict[str, tuple[str, str]] = {
    "a-file": ("afile", "' is not a folder; give a folder name"),
    "the-project": (".", "' contains the project ("),
    "the-root": ("/", "' contains the project ("),
}
NAMES = {"viz": "view.html", "export": "graph.ttl", "screen": "report.md",
         "docs-dictionary": "dictionary.md", "new-case": "probe.yaml"}
# Where a command's own rule speaks first (new-case writes only into data/ or here, and
# never over anything), or where the place is the command's own.
OVERRIDES: dict[tuple[str, str], str] = {
    ("new-case", "dot-dot"): "' is outside data/ and the current directory",
    ("new-case", "symlink-out"): "' is outside data/ and the current directory",
    ("new-case", "installed-program"): "' is outside data/ and the current directory",
    ("new-case", "a-directory"): "already exists; choose another --out or --id (new-case "
                                 "never overwrites a file)",
    ("new-case", "another-kind-of-file"): "already exists; choose another --out or --id "
                                          "(new-case never overwrites a file)",
    ("new-case", "not-a-regular-file"): "already exists; choose another --out or --id "
                                        "(new-case never overwrites a file)",
    ("new-case", "through-a-file"): "' must end in .yaml or .yml",
}
ALLOWED_INSIDE = {("new-case", "data")}  # kg new-case writes its case into data/


def _path(command: str, place: str) -> str:
    kind = COMMANDS[command][2]
    base = {**PLACES, **FILE_PLACES, **FOLDER_PLACES}[place][0]
    if place in FILE_PLACES or place in FOLDER_PLACES:
        if command == "new-case" and place == "a-directory":
            return "adir.yaml"
        if command == "new-case" and place == "another-kind-of-file":
            return "data/world.yaml"
        if command == "new-case" and place == "not-a-regular-file":
            return "fifo.yaml"
        return base
    return f"{base}/out" if kind == "folder" else f"{base}/{NAMES[command]}"


def _cases() -> list:
    params = []
    for command, (_argv, _option, kind) in COMMANDS.items():
        places = [*PLACES, *(FILE_PLACES if kind == "file" else FOLDER_PLACES)]
        for place in places:
            if (command, place) in ALLOWED_INSIDE:
                continue
            params.append(pytest.param(command, place, id=f"{command}-into-{place}"))
    return params


# --------------------------------------------------------------------------- the project


@pytest.fixture(scope="session")
def built(mini_built) -> Path:
    """The built mini project, shared for the session (conftest.py): copied by each test."""
    return mini_built.root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the built mini project, with the things a path can run into: a folder, a
    file, an unrelated file, a FIFO, a link out of the project and one into ontology/,
    and the program's own folders (kg/, tests/, .git/) as in a checkout."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    (root / "profile.yaml").write_text(PROFILE, "utf-8")
    (root / "adir").mkdir()
    (root / "adir.yaml").mkdir()
    (root / "afile").write_text("a file, not a folder\n", "utf-8")
    (root / "notes.yaml").write_text("notes: mine, not an output\n", "utf-8")
    os.mkfifo(root / "fifo")
    os.mkfifo(root / "fifo.yaml")
    (tmp_path / "outside").mkdir()
    (root / "elsewhere").symlink_to(Path("..") / "outside")
    (root / "views").symlink_to(Path("ontology"))
    for folder in ("kg", "tests", ".git"):
        (root / folder).mkdir()
        (root / folder / "keep.txt").write_text("keep\n", "utf-8")
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed), with its kind and content."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "link:" + os.readlink(path)
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[key] = "dir" if path.is_dir() else "other"
    return out


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind of work a command does, replaced by a trap: a refusal must come first."""

    def trap(*_args, **_kwargs):
        raise AssertionError("work started before the write guard refused the output")

    from kg.cases import scaffold, screen
    from kg.pipeline import build as building
    from kg.pipeline import load
    from kg.store.built import Built

    monkeypatch.setattr(load, "load", trap)
    monkeypatch.setattr(load, "load_ontology", trap)
    monkeypatch.setattr(scaffold, "load_ontology", trap)
    monkeypatch.setattr(building, "build", trap)
    monkeypatch.setattr(Built, "open", classmethod(trap))
    monkeypatch.setattr(screen, "screen", trap)


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(("command", "place"), _cases())
def test_every_output_refuses_every_forbidden_place(command, place, project, capsys, no_work):
    argv, option, _kind = COMMANDS[command]
    path = _path(command, place)
    before = snapshot(project.parent)
    result = run_kg(capsys, project, *argv, path)
    rule = OVERRIDES.get((command, place)) or {**PLACES, **FILE_PLACES, **FOLDER_PLACES}[place][1]
    assert result.code == 2, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err  # one line …
    assert lines[0].startswith("error: "), result.err
    assert path in lines[0] and rule in lines[0], result.err  # … naming the path and rule
    if (command, place) not in OVERRIDES or command != "new-case":
        assert lines[0].startswith(f"error: {option}: '{path}'"), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert snapshot(project.parent) == before


def test_the_table_covers_every_command_with_an_output_option():
    """A new output option must join the table: find every option that names a path."""
    from kg.cli.main import cli

    found = set()
    for name, command in cli.commands.items():
        for param in command.params:
            if any(flag in ("--out", "--dictionary") for flag in getattr(param, "opts", ())):
                found.add(f"{name} {param.opts[0]}")
    expected = {f"{argv[0]} {option}" for argv, option, _kind in COMMANDS.values()}
    assert found == expected


# --------------------------------------------------------------------------- allowed

OUTSIDE = "{outside}"  # replaced by an absolute path beside the project

ALLOWED: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # (name, argv, files that must exist afterwards)
    ("viz-new-file-here", ("viz", "all", "--out", "view.html"), ("view.html",)),
    ("viz-default-name", ("viz", "all"), ("viz-all.html",)),
    ("viz-svg-in-a-new-folder", ("viz", "all", "--out", "views-out/all.svg"),
     ("views-out/all.svg",)),
    ("viz-absolute-outside", ("viz", "all", "--out", f"{OUTSIDE}/view.html"),
     (f"{OUTSIDE}/view.html",)),
    ("viz-force-over-another-kind", ("viz", "all", "--out", "notes.yaml", "--force"),
     ("notes.yaml",)),
    ("export-new-file", ("export", "--format", "nt", "--out", "graph.nt"), ("graph.nt",)),
    ("export-absolute-outside", ("export", "--format", "jsonld", "--out",
                                 f"{OUTSIDE}/g.jsonld"), (f"{OUTSIDE}/g.jsonld",)),
    ("export-force", ("export", "--format", "ttl", "--out", "notes.yaml", "--force"),
     ("notes.yaml",)),
    ("screen-new-report", ("screen", "profile.yaml", "--format", "html", "--out",
                           "report.html"), ("report.html",)),
    ("screen-absolute-outside", ("screen", "profile.yaml", "--out", f"{OUTSIDE}/r.txt"),
     (f"{OUTSIDE}/r.txt",)),
    ("docs-defaults", ("docs",), ("docs/ontology.html", "docs/data-dictionary.md")),
    ("docs-elsewhere", ("docs", "--out", f"{OUTSIDE}/site", "--dictionary",
                        f"{OUTSIDE}/dictionary.md"),
     (f"{OUTSIDE}/site/ontology.html", f"{OUTSIDE}/dictionary.md")),
    ("build-new-folder", ("build", "--quiet", "--out", "other-build"),
     ("other-build/manifest.json", "other-build/.kg-output")),
    ("build-itself", ("build", "--quiet", "--out", "build"), ("build/manifest.json",)),
    ("build-default", ("build", "--quiet"), ("build/manifest.json",)),
    ("build-absolute-outside", ("build", "--quiet", "--out", f"{OUTSIDE}/b"),
     (f"{OUTSIDE}/b/manifest.json",)),
    ("new-case-default-into-data", ("new-case", "measure", "--id", "guard-probe"),
     ("data/cases/guard-probe.yaml",)),
    ("new-case-into-data", ("new-case", "measure", "--out", "data/cases/x.yaml"),
     ("data/cases/x.yaml",)),
    ("new-case-draft-here", ("new-case", "measure", "--out", "draft.yaml"), ("draft.yaml",)),
]


@pytest.mark.parametrize(("argv", "made"), [pytest.param(a, m, id=n) for n, a, m in ALLOWED])
def test_allowed_outputs_are_written(argv, made, project, capsys):
    outside = str(project.parent / "outside")
    argv = tuple(a.replace(OUTSIDE, outside) for a in argv)
    result = run_kg(capsys, project, *argv)
    assert result.code == 0, result.err
    for name in made:
        path = Path(name.replace(OUTSIDE, outside))
        assert (project / path).is_file(), name


# The same kind of output may be replaced by the next run; another kind needs --force.
AGAIN = [
    ("viz-html", ("viz", "all", "--out", "v.html")),
    ("viz-svg", ("viz", "all", "--out", "v.svg")),
    ("export-ttl", ("export", "--format", "ttl", "--out", "g.ttl")),
    ("export-nt", ("export", "--format", "nt", "--out", "g.nt")),
    ("export-jsonld", ("export", "--format", "jsonld", "--out", "g.jsonld")),
    ("export-graphml", ("export", "--format", "graphml", "--out", "g.graphml")),
    ("screen-text", ("screen", "profile.yaml", "--out", "r.txt")),
    ("screen-md-zh", ("screen", "profile.yaml", "--format", "md", "--lang", "zh", "--out",
                      "r.md")),
    ("screen-html", ("screen", "profile.yaml", "--format", "html", "--out", "r.html")),
    ("docs", ("docs", "--out", "site", "--dictionary", "site/dictionary.md")),
    ("build", ("build", "--quiet", "--out", "b2")),
]


@pytest.mark.parametrize("argv", [pytest.param(a, id=n) for n, a in AGAIN])
def test_an_earlier_output_of_the_same_kind_is_replaced(argv, project, capsys):
    first = run_kg(capsys, project, *argv)
    assert first.code == 0, first.err
    again = run_kg(capsys, project, *argv)
    assert again.code == 0, again.err


def test_another_kind_of_output_is_not_replaced_without_force(project, capsys):
    assert run_kg(capsys, project, "viz", "all", "--out", "v.html").code == 0
    before = (project / "v.html").read_bytes()
    report = run_kg(capsys, project, "screen", "profile.yaml", "--format", "html", "--out",
                    "v.html")
    assert report.code == 2
    assert "--out: 'v.html' exists and is not an earlier report written by `kg screen`; " \
           "refusing to replace it — give another name, or --force to replace it" in report.err
    assert (project / "v.html").read_bytes() == before
    export = run_kg(capsys, project, "export", "--format", "nt", "--out", "v.html")
    assert export.code == 2 and "is not an N-Triples file" in export.err
    forced = run_kg(capsys, project, "screen", "profile.yaml", "--format", "html", "--out",
                    "v.html", "--force")
    assert forced.code == 0, forced.err
    assert (project / "v.html").read_bytes() != before


def test_an_empty_file_may_be_replaced(project, capsys):
    (project / "empty.html").write_bytes(b"")
    assert run_kg(capsys, project, "viz", "all", "--out", "empty.html").code == 0


# --------------------------------------------------------------------------- the check itself


def test_the_check_returns_the_path_to_write(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    assert outputs.check("a/./b/../v.html", root) == Path("a/v.html")
    assert outputs.check(str(tmp_path / "x.html"), root) == tmp_path / "x.html"
    assert outputs.check("data/cases/x.yaml", root, allow=("data",)) == \
        Path("data/cases/x.yaml")


@pytest.mark.parametrize(("raw", "message"), [
    ("", "--out: '' is not a file name"),
    (" ", "--out: ' ' is not a file name"),
    ("a\x00b", "is not a file name"),
    ("x/", "--out: 'x/' is a directory; give a file name"),
    ("/dev/null", "--out: '/dev/null' exists and is not a regular file"),
    ("loop/x.html", "--out: 'loop/x.html' cannot be followed (a loop of symbolic links)"),
    ("a\nb/../../x", "--out: 'a\\x0ab/../../x' leaves the current directory through '..'"),
])
def test_the_check_refuses(raw, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(UsageError) as error:
        outputs.check(raw, tmp_path / "project", kind=outputs.VIEW)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_link_into_a_protected_folder_is_refused_even_by_an_absolute_path(tmp_path):
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (tmp_path / "innocent").symlink_to(root / "data")
    with pytest.raises(UsageError, match="is inside data/ \\(through a symbolic link"):
        outputs.check(str(tmp_path / "innocent" / "x.html"), root)


def test_the_kinds_recognise_what_kg_writes_and_nothing_else():
    docs_page = (REPO / "docs" / "data-dictionary.md").read_bytes()
    assert outputs.DICTIONARY.recognise(docs_page)
    for other in (REPO / "README.md", REPO / "docs" / "security.md", REPO / "pyproject.toml",
                  REPO / "kg" / "cli" / "main.py", REPO / "ontology" / "aigov.ttl"):
        head = other.read_bytes()[: outputs.HEAD]
        kinds = [outputs.VIEW, outputs.REPORT, outputs.DOCS_PAGE, outputs.DICTIONARY,
                 *(outputs.EXPORTS[f] for f in ("nt", "jsonld", "graphml"))]
        assert not any(kind.recognise(head) for kind in kinds), other
    assert outputs.EXPORTS["ttl"].recognise(b"@prefix a: <urn:a> .\n")
    assert not outputs.EXPORTS["nt"].recognise(b"<!DOCTYPE html>\n<html>")
    assert not outputs.EXPORTS["nt"].recognise(b"# Heading\n\nSome prose.\n")


def _png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00" * height)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def test_a_png_view_is_signed_and_stays_a_valid_png():
    plain = _png()
    assert not outputs.VIEW.recognise(plain)
    signed = sign_png(plain)
    assert outputs.VIEW.recognise(signed)
    offset, kinds = 8, []
    while offset < len(signed):  # every chunk well-formed, its CRC right
        (length,) = struct.unpack(">I", signed[offset:offset + 4])
        kind = signed[offset + 4:offset + 8]
        body = signed[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", signed[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + body)
        kinds.append(kind)
        offset += 12 + length
    assert kinds == [b"IHDR", b"tEXt", b"IDAT", b"IEND"]
    assert sign_png(b"not a png") == b"not a png"


# --------------------------------------------------------------------------- stale staging


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path):
    """A run killed with SIGKILL in the middle of writing leaves its staging folder; the
    next run removes it (its lock died with the process) and writes the output."""
    out = tmp_path / "build"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from kg.core import atomic
        with atomic.replace_directory(Path({str(out)!r})) as staging:
            (staging / "graph.nt").write_text("half", "utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".build.")
    with atomic.replace_directory(out) as staging:
        (staging / "graph.nt").write_text("whole\n", "utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    assert (out / "graph.nt").read_text("utf-8") == "whole\n"


def test_a_staging_folder_in_use_or_not_ours_is_left_alone(tmp_path):
    out = tmp_path / "build"
    mine = tmp_path / ".build.zzzzzzzz"  # the same name shape, someone else's files
    mine.mkdir()
    (mine / "notes.txt").write_text("keep\n", "utf-8")
    fresh = tmp_path / ".build.fresh000"  # made by a run that has not locked it yet
    fresh.mkdir()
    (fresh / atomic.MARKER).write_bytes(b"")
    with atomic.replace_directory(out) as staging:
        # another run starting now sees this one's staging folder, locked: it stays
        assert atomic.remove_stale_staging(out) == []
        assert staging.is_dir()
        (staging / "graph.nt").write_text("ok\n", "utf-8")
    assert (out / "graph.nt").read_text("utf-8") == "ok\n"
    assert (mine / "notes.txt").is_file() and fresh.is_dir()
    old = 1_000_000_000
    os.utime(fresh / atomic.MARKER, (old, old))  # … but one left empty for long is stale
    assert atomic.remove_stale_staging(out) == [fresh]


def test_build_removes_stale_staging_folders(project, capsys):
    stale = project / ".build.k1lled00"
    stale.mkdir()
    (stale / atomic.MARKER).write_text("written by kg\n", "utf-8")
    (stale / "graph.nt").write_text("half", "utf-8")
    assert run_kg(capsys, project, "build", "--quiet").code == 0
    assert not stale.exists()
