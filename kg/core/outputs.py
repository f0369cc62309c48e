"""Where an output may go: the one check every ``--out``, ``--dictionary`` and the like
passes, before any work is done.

An output never goes

- into ``kg/`` (the program, wherever it is installed), ``ontology/``, ``data/``,
  ``tests/``, ``.git/`` or ``build/`` of the project — except the case file that
  ``kg new-case`` writes into ``data/``, and ``kg build`` writing ``build/`` itself;
- out of the current directory through ``..`` or a symbolic link, when the path is
  relative (an absolute path says where it goes, and may leave the project);
- over a directory, over anything but a regular file, through a file, or into a folder
  that contains the project (``/``, ``~``, ``.``);
- over an existing file that is not the same kind of output (an earlier view for
  ``kg viz``, an earlier report for ``kg screen``…), unless ``--force`` is given.

Each refusal is a :class:`UsageError` (exit 2) with one line naming the option, the path
and the rule, raised before anything is read or written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.core.errors import UsageError
from kg.core.textsafe import file_name

# The project's own folders, and why nothing but their owner writes there.
PROTECTED: dict[str, str] = {
    "kg": "the program's source",
    "ontology": "the ontology, changed only as reviewed code",
    "data": "where every file is read as a case file",
    "tests": "the test suite",
    ".git": "the repository",
    "build": "which `kg build` replaces whole",
}
HEAD = 64 * 1024  # what is read of an existing file to recognise it


@dataclass(frozen=True)
class Kind:
    """A kind of output: what an existing file must be for a new one to replace it."""

    noun: str
    recognise: Callable[[bytes], bool]


def _text(head: bytes) -> str:
    return head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


def _html(head: bytes) -> bool:
    return _text(head)[:15].lower() == "<!doctype html>"


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SOFTWARE = b"tEXtSoftware\x00aigov-kg"  # the chunk kg.views.graph.viz adds to every PNG view
REPORT_NOTES = ("Reasoned in memory from the profile and the curated graph",
                "依据画像与已整理的图谱在内存中推理得出",
                # the CSV header and the iCalendar PRODID of `kg screen --format csv|ics`
                "number,exposure_id,actor_id,actor,role,", "PRODID:-//aigov-kg//kg screen//EN")

VIEW = Kind("an earlier view written by `kg viz`", lambda head: (
    (_html(head) and "/* vis-network" in _text(head))
    or (_text(head).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        and '<g id="edges">' in _text(head))
    or (head.startswith(PNG_SIGNATURE) and PNG_SOFTWARE in head)))
REPORT = Kind("an earlier report written by `kg screen`",
              lambda head: any(note in _text(head) for note in REPORT_NOTES))
DOCS_PAGE = Kind("an earlier ontology page written by `kg docs`", lambda head: (
    _html(head) and "<p><code>https://w3id.org/aigov-kg/ontology" in _text(head)))
DICTIONARY = Kind("an earlier data dictionary written by `kg docs`", lambda head: (
    _text(head).startswith("# Data dictionary")
    and "by `kg docs`; do not edit by hand" in _text(head)))


def _statement(head: bytes) -> str:
    """The first line of an RDF text that is not blank or a comment."""
    return next((line.strip() for line in _text(head).splitlines()
                 if line.strip() and not line.lstrip().startswith("#")), "")


IRI_OR_BLANK = r"<[A-Za-z][\w+.-]*:[^\s<>\"]*>|_:"  # how an N-Triples line starts
EXPORTS: dict[str, Kind] = {  # an export carries no signature: the same format is the same kind
    "ttl": Kind("a Turtle file", lambda head: bool(
        re.match(rf"@prefix\s|@base\s|prefix\s|base\s|{IRI_OR_BLANK}", _statement(head),
                 re.I))),
    "nt": Kind("an N-Triples file", lambda head: bool(re.match(IRI_OR_BLANK, _statement(head)))),
    "jsonld": Kind("a JSON-LD file", lambda head: _text(head)[:1] in ("[", "{")
                   and '"@' in _text(head)),
    "graphml": Kind("a GraphML file", lambda head: "<graphml" in _text(head)),
}


def protected(root: Path) -> list[tuple[str, Path]]:
    """The project's protected folders (resolved), and the installed ``kg`` package."""
    import kg

    found = [(name, (root / name).resolve()) for name in PROTECTED]
    package = Path(kg.__file__).resolve().parent
    if package not in {path for _name, path in found}:
        found.append(("kg", package))
    return found


def check(raw: str, root: Path, *, option: str = "--out", kind: Kind | None = None,
          force: bool = False, folder: bool = False, replaced: bool = False,
          allow: tuple[str, ...] = (), base: Path | None = None) -> Path:
    """The path to write ``raw`` to, or a UsageError naming the option, path and rule.

    ``kind`` is what an existing file must be to be replaced (``None``: never replaced);
    ``folder`` means ``raw`` names a folder that files go into, ``replaced`` one that is
    replaced whole (``kg build --out``). ``allow`` names protected folders this output
    may go into (``data`` for ``kg new-case``), or be (``build`` for ``kg build``).
    A relative path is taken from ``base`` (the current directory) and is returned
    relative, normalised; an absolute one is returned as given, normalised."""
    shown = f"{option}: '{file_name(raw)}'"
    if not raw.strip() or "\x00" in raw:
        raise UsageError(f"{shown} is not a {'folder' if folder else 'file'} name")
    base = Path(os.path.abspath(base or os.curdir))
    given = Path(raw)
    lexical = Path(os.path.normpath(base / given))
    if not given.is_absolute() and not lexical.is_relative_to(base):
        raise UsageError(f"{shown} leaves the current directory through '..'; give an "
                         "absolute path if you mean it")
    try:
        real = lexical.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise UsageError(f"{shown} cannot be followed (a loop of symbolic links)") from None
    root = root.resolve()

    _check_not_protected(shown, lexical, real, root, allow, replaced)
    if (folder or replaced) and (root.is_relative_to(real) or root.is_relative_to(lexical)):
        raise UsageError(f"{shown} contains the project ({file_name(str(root))}); give a "
                         "folder of its own")
    if not given.is_absolute() and not real.is_relative_to(base.resolve()):
        raise UsageError(f"{shown} leaves the current directory through a symbolic link (to "
                         f"{file_name(str(real))}); give an absolute path if you mean it")
    _check_parents(shown, lexical)

    if folder or replaced:
        if lexical.exists() and not lexical.is_dir():
            raise UsageError(f"{shown} is not a folder; give a folder name")
        if replaced:
            from kg.core.atomic import MARKER, replaceable

            if not replaceable(lexical):
                raise UsageError(f"{shown} exists and is not an output of kg (no {MARKER} "
                                 "file); refusing to replace it — give a new or empty folder")
    else:
        if raw.endswith(("/", os.sep)):
            raise UsageError(f"{shown} is a directory; give a file name")
        _check_file(lexical, shown, kind, force)
    return Path(os.path.normpath(given))


def _check_not_protected(shown: str, lexical: Path, real: Path, root: Path,
                         allow: tuple[str, ...], replaced: bool) -> None:
    """A UsageError if the path (as written, or resolved) is inside a protected folder
    that ``allow`` does not name."""
    for name, place in protected(root):
        lexical_place = Path(os.path.abspath(root / name))
        inside = [p for p in (lexical, real) if p.is_relative_to(place)
                  or p.is_relative_to(lexical_place)]
        if not inside:
            continue
        if name in allow and (not replaced or lexical == lexical_place):
            continue
        how = "" if lexical in inside else f" (through a symbolic link, to {file_name(str(real))})"
        own = "" if place.is_relative_to(root) else f" (the installed program, {place})"
        raise UsageError(f"{shown} is inside {name}/{own}{how}, {PROTECTED[name]}; outputs "
                         "never go into kg/, ontology/, data/, tests/, .git/ or build/")


def _check_parents(shown: str, lexical: Path) -> None:
    """A UsageError if the nearest existing parent of the path is not a directory."""
    for parent in lexical.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise UsageError(f"{shown}: cannot write (a part of the path is a file, not a "
                                 "directory); nothing was changed")
            break


def _check_file(path: Path, shown: str, kind: Kind | None, force: bool) -> None:
    if path.is_dir():
        raise UsageError(f"{shown} is a directory; give a file name")
    if not (path.exists() or path.is_symlink()):
        return
    if kind is None:
        raise UsageError(f"{shown} already exists; this command never replaces a file")
    if not path.is_file():
        raise UsageError(f"{shown} exists and is not a regular file; give a file name")
    if force:
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD)
    except OSError as exc:
        raise UsageError(f"{shown} cannot be read to check what it is "
                         f"({exc.strerror or exc}); give another name") from None
    if head and not kind.recognise(head):
        raise UsageError(f"{shown} exists and is not {kind.noun}; refusing to replace it — "
                         "give another name, or --force to replace it")
