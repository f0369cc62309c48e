"""One writer for every output: write beside the target, then rename over it.

A failure or an interrupt part-way leaves the previous output intact and no
half-written file behind. A failure to write is an :class:`OutputError` (exit 2) that
names the path and the problem. A directory output replaces only a directory this writer
made (it carries a ``.kg-output`` marker), an empty one, or an earlier build — never a
directory of someone else's files (``kg build --out data`` must not wipe data/). Where an
output may go at all is :func:`kg.core.outputs.check`, done before any work.

A directory is staged as ``.NAME.XXXXXXXX`` beside it, its marker locked while the
writer lives; a staging folder whose lock nobody holds was left by a killed run, and the
next run removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kg.core.errors import OutputError
from kg.core.textsafe import file_name

try:
    import fcntl
except ImportError:  # not POSIX: stale staging folders are left for the user
    fcntl = None  # type: ignore[assignment]

MARKER = ".kg-output"
LEGACY_MARKERS = ("manifest.json",)  # builds written before the marker existed


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a part of the path is a file, not a directory"
    return OutputError(f"{file_name(str(path))}: cannot write ({reason}); nothing was changed")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replaceable(target: Path) -> bool:
    """May ``target`` be replaced whole: absent, an empty directory, or our output?"""
    try:
        if not target.exists() and not target.is_symlink():
            return True
        if target.is_symlink() or not target.is_dir():
            return False
        if (target / MARKER).is_file() or any((target / m).is_file() for m in LEGACY_MARKERS):
            return True
        return not any(target.iterdir())
    except OSError:
        return False


@contextlib.contextmanager
def replace_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh staging directory; on success it replaces ``target`` whole.

    ``target`` must be absent, empty, or an earlier output (OutputError otherwise, before
    anything is written)."""
    target = Path(os.path.abspath(target))
    shown = file_name(str(target))
    if not target.name:
        raise OutputError(f"{shown}: cannot replace the root directory")
    if not replaceable(target):
        raise OutputError(f"{shown}: exists and is not an output of kg (no {MARKER} file); "
                          "refusing to replace it — give a new or empty directory")
    lock = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())
        lock = _lock_marker(staging / MARKER)
    except OSError as exc:
        if lock is not None:
            os.close(lock)
        raise _cannot_write(target, exc) from None
    try:
        try:
            yield staging
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise _cannot_write(target, exc) from None
            raise
        _swap(staging, target)
    finally:
        os.close(lock)


STAGING_NAME = r"\.{name}\.[a-z0-9_]{{8}}"  # tempfile.mkdtemp's random part: 8 of [a-z0-9_]
UNLOCKED_GRACE = 60.0  # seconds a marker may stay empty (made, not yet locked) before removal


def _lock_marker(marker: Path) -> int:
    """Create the staging marker and hold a lock on it while this run lives; it gets its
    text only once locked, so an empty marker is never mistaken for an abandoned one."""
    fd = os.open(marker, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, b"written by kg; replaced whole by the next run\n")
    except BaseException:
        os.close(fd)
        raise
    return fd


def remove_stale_staging(target: Path) -> list[Path]:
    """Remove the staging folders of ``target`` that a killed run left behind: those whose
    marker nobody holds locked (a run in progress holds its own). Returns those removed."""
    if fcntl is None:
        return []
    pattern = re.compile(STAGING_NAME.format(name=re.escape(target.name)))
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not pattern.fullmatch(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        if _abandoned(entry / MARKER):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        elif not (entry / MARKER).exists() and _old(entry):
            with contextlib.suppress(OSError):  # made, then killed before its marker
                entry.rmdir()  # only if empty: a folder of someone else's files stays
                removed.append(entry)
    return removed


def _old(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime >= UNLOCKED_GRACE
    except OSError:
        return False


def _abandoned(marker: Path) -> bool:
    try:
        fd = os.open(marker, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # not a staging folder of kg (or not readable): leave it alone
    try:
        info = os.fstat(fd)
        if info.st_size == 0 and time.time() - info.st_mtime < UNLOCKED_GRACE:
            return False  # just made by a run that is about to lock it
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # locked: a run is writing it
    finally:
        os.close(fd)
    return True


def _swap(staging: Path, target: Path) -> None:
    """Put the finished ``staging`` in place of ``target``, keeping the old one until the
    new one is there."""
    old = target.with_name(f".{target.name}.old")
    moved = False
    try:
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
            moved = True
        os.replace(staging, target)
    except OSError as exc:
        if moved and not target.exists():
            os.replace(old, target)  # put the previous output back
        shutil.rmtree(staging, ignore_errors=True)
        raise _cannot_write(target, exc) from None
    shutil.rmtree(old, ignore_errors=True)
