"""One writer for every output: write beside the target, then rename over it.

A failure or an interrupt part-way leaves the previous output intact and no
half-written file behind. A failure to write is an :class:`OutputError` (exit 2) that
names the path and the problem. A directory output replaces only a directory this writer
made (it carries a ``.kg-output`` marker), an empty one, or an earlier build — never a
directory of someone else's files (``kg build --out data`` must not wipe data/).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import OutputError

MARKER = ".kg-output"
LEGACY_MARKERS = ("manifest.json",)  # builds written before the marker existed


def output_file(out: str, option: str = "--out") -> Path:
    """A user-given output file, checked before any work is done: a file name (not empty,
    not a directory), and a relative path may not climb out of the current directory
    through ``..`` (an absolute path says where it goes; a relative one should not
    surprise). UsageError otherwise."""
    from kg.errors import UsageError

    if not out.strip() or "\x00" in out:
        raise UsageError(f"{option}: '{out}' is not a file name")
    path = Path(out)
    if ".." in path.parts and not path.is_absolute():
        if not Path(os.path.abspath(path)).is_relative_to(os.path.abspath(os.curdir)):
            raise UsageError(f"{option}: '{out}' leaves the current directory through '..'; "
                             "give an absolute path if you mean it")
        path = Path(os.path.normpath(path))  # so no directory is made on the way through
    if path.is_dir() or out.endswith(("/", os.sep)):
        raise UsageError(f"{option}: '{out}' is a directory; give a file name")
    return path


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
    return OutputError(f"{path}: cannot write ({reason}); nothing was changed")


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
    if not target.name:
        raise OutputError(f"{target}: cannot replace the root directory")
    if not replaceable(target):
        raise OutputError(f"{target}: exists and is not an output of kg (no {MARKER} file); "
                          "refusing to replace it — give a new or empty directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())
        (staging / MARKER).write_text("written by kg; replaced whole by the next run\n",
                                      "utf-8")
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        yield staging
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from None
        raise
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
