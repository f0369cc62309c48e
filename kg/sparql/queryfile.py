"""The query-file format shared by QC checks, rules and named queries: a header of
``# title:``, ``# description:`` and ``# param:`` lines, then the query, which the guard checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError, UsageError
from kg.core.reader import read_text
from kg.sparql.bind import parse_value
from kg.sparql.guard import MAX_QUERY_BYTES, check_query

PARAM_TYPES = ("IRI", "date", "string", "integer", "boolean")
# Oxigraph parses and plans a query recursively and crashes the process (a native stack
# overflow, not an exception) on deep nesting or long chains: these bounds keep every
# query far below the depths that do (found at ~1,000 nested groups, ~10,000 `!`).


class QueryFileError(UsageError):
    """A query file whose header cannot be read."""



@dataclass(frozen=True)
class Param:
    name: str
    type: str  # one of PARAM_TYPES
    required: bool
    default: str | None
    doc: str

    def signature(self) -> str:
        need = "required" if self.required else (
            f"default {self.default}" if self.default is not None else "optional")
        return f"{self.name} ({self.type}, {need})"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    origin: str
    form: str = field(default="")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_HEADER_KEY = re.compile(r"^#\s?(title|description|param):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<spec>[^)]*)\)\s*(?:[—–-]+\s*(?P<doc>.*))?$")


def parse_query(text: str, name: str, origin: str) -> NamedQuery:
    """A query with its header read: ``# title:``, ``# description:`` (continued on lines
    indented after the ``#``) and ``# param: name (type, required|optional[, default X])
    — doc`` lines, all in the leading comment block."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    last: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key = _HEADER_KEY.match(line)
        if key:
            last = key.group(1)
            if last == "param":
                params.append(_parse_param(key.group(2), origin, number))
            else:
                fields[last] = key.group(2).strip()
            continue
        more = _CONTINUATION.match(line)
        if more and last in ("title", "description"):
            fields[last] = f"{fields[last]} {more.group(1).strip()}"
        elif more and last == "param":
            old = params[-1]
            params[-1] = Param(old.name, old.type, old.required, old.default,
                               f"{old.doc} {more.group(1).strip()}".strip())
    names = [p.name for p in params]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise QueryFileError(f"{origin}: parameter declared twice: {', '.join(duplicates)}")
    form = check_query(text, origin)
    return NamedQuery(name, fields.get("title", name), fields.get("description", ""),
                      tuple(params), text, origin, form)


def _parse_param(spec_line: str, origin: str, line: int) -> Param:
    match = _PARAM_LINE.match(spec_line.strip())
    if not match:
        raise QueryFileError(
            f"{origin}:{line}: cannot read the param line; write "
            "'# param: name (IRI|date|string|integer|boolean, required|optional"
            "[, default X]) — what it is'")
    parts = [p.strip() for p in match.group("spec").split(",")]
    kind = next((t for t in PARAM_TYPES if t.lower() == parts[0].lower()), None)
    if kind is None:
        raise QueryFileError(f"{origin}:{line}: parameter {match.group('name')}: unknown "
                                f"type '{parts[0]}' (use {', '.join(PARAM_TYPES)})")
    required, default = False, None
    for part in parts[1:]:
        if part == "required":
            required = True
        elif part == "optional":
            required = False
        elif part.startswith("default "):
            default = part[len("default "):].strip()
        else:
            raise QueryFileError(f"{origin}:{line}: parameter {match.group('name')}: "
                                    f"unknown option '{part}'")
    param = Param(match.group("name"), kind, required, default, (match.group("doc") or "").strip())
    if default is not None:
        parse_value(param, default)  # a broken default is a bug in the file: say so early
    return param


# what each kind of query file must be: its form, and the variables it must project
QUERY_FILE_KINDS = {"rule": ("CONSTRUCT", ()), "QC query": ("SELECT", ("subject",))}


def read_query_file(path: Path, kind: str) -> NamedQuery:
    """A rule or QC query file (``kind``) with its header, read through the bounded reader
    and passed through the same guard as every user query (so no SERVICE, LOAD or FROM
    runs at build time). Its form, its syntax and what it projects are checked here, so
    a broken file is an InputError naming it and the line, before anything runs."""
    display = f"ontology/{path.parent.name}/{path.name}"
    named = parse_query(read_text(path, display, MAX_QUERY_BYTES), path.stem, display)
    form, needed = QUERY_FILE_KINDS[kind]
    if named.form != form:
        raise InputError(f"{display}: a {kind} must be a {form} query, not {named.form}")
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | None
    try:
        answer = ox.Store().query(named.text)  # an empty store: only the parse costs
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        match = re.search(r"\bat (\d+):\d+", message)
        line = f"{match.group(1)}:" if match else ""
        raise InputError(f"{display}:{line} SPARQL syntax error: {message[:300]}") from None
    projected = ({v.value for v in answer.variables}
                 if form == "SELECT" and isinstance(answer, ox.QuerySolutions) else set())
    answer = None  # pyoxigraph results are dropped on the thread that made them
    missing = [name for name in needed if name not in projected]
    if missing:
        raise InputError(f"{display}: a {kind} must SELECT "
                         + ", ".join(f"?{name}" for name in missing)
                         + " (and may SELECT ?message)")
    return named
