"""The named-query library (kg/query/named/*.rq) and where a query spec comes from: a
library name, a file, or standard input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from kg.core.errors import UsageError
from kg.sparql.guard import MAX_QUERY_BYTES
from kg.sparql.queryfile import NamedQuery, parse_query

LIBRARY_DIR = Path(__file__).resolve().parent / "named"


def load_library(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every ``*.rq`` in the library directory, by file stem."""
    directory = directory or LIBRARY_DIR
    return {path.stem: parse_query(path.read_text("utf-8"), path.stem, f"queries/{path.name}")
            for path in sorted(directory.glob("*.rq"))}


def resolve(spec: str, stdin: Callable[[], str] | None = None) -> NamedQuery:
    """A library NAME, a ``.rq`` FILE, or ``-`` for the query text on stdin."""
    if spec == "-":
        text = stdin() if stdin else _read_stdin()
        return parse_query(text, "<stdin>", "<stdin>")
    path = Path(spec)
    if spec.endswith(".rq") or path.is_file():
        from kg.core.textsafe import file_name  # a newline in the name must not forge a line

        shown = file_name(spec)
        if not path.is_file():
            raise UsageError(f"{shown}: no such query file")
        from kg.core.reader import read_text

        return parse_query(read_text(path, shown, MAX_QUERY_BYTES), path.stem, shown)
    library = load_library()
    if spec in library:
        return library[spec]
    import difflib

    close = difflib.get_close_matches(spec, list(library), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see kg query --list"
    raise UsageError(f"unknown query '{spec}'{hint}")


def _read_stdin() -> str:
    """The query on standard input: at most MAX_QUERY_BYTES of UTF-8."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream (tests, embedding): already decoded
        raw = sys.stdin.read(MAX_QUERY_BYTES + 1).encode("utf-8", "surrogateescape")
    else:
        raw = buffer.read(MAX_QUERY_BYTES + 1)
    if len(raw) > MAX_QUERY_BYTES:
        raise UsageError(f"<stdin>: the query is over the {MAX_QUERY_BYTES:,}-byte limit")
    if b"\x00" in raw:
        raise UsageError("<stdin>: binary content (NUL byte); expected a SPARQL query")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"<stdin>: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                         f"{exc.start})") from None

