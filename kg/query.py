"""Named SPARQL queries: the library in kg/queries/, parameters bound as RDF terms, a guard
that refuses anything but a read-only local query, a time limit, a result cap, and the
W3C result formats.

Parameters are never pasted into query text as strings. On the embedded store they are
passed to Oxigraph as RDF terms (``substitutions``, SEP-0007); for a remote endpoint
:func:`inject_values` adds ``VALUES (?p …) { (<term> …) }`` at the start of the WHERE
group, each term serialised as N-Triples. The two agree as long as a query uses its
parameters in its top-level WHERE group (including FILTERs there, OPTIONAL filters and
(NOT) EXISTS) — never only inside a UNION branch or sub-select, where a VALUES block at the
start of the group cannot reach — and projects them in a SELECT (Oxigraph substitutes
only projected variables). ``BOUND(?param)`` is avoided: Oxigraph answers false for a
substituted variable, so an optional parameter is tested with ``COALESCE(… ?param …,
true)``. The library follows these rules and the tests check them.

Oxigraph's planner does not see substituted values: it orders joins as if the parameters
were unbound, so a query for one actor scans every exposure. The embedded path therefore
also states the values in the query, as ``{ VALUES (?p …) { (<term> …) } LATERAL { WHERE
group } }`` (:func:`lateral_values`): the group is planned and run with the parameters
known to be bound. Substitution is still passed, so the answers, and the projection check,
stay those of SEP-0007.

The guard tokenises the query (comments, strings and IRIs are single tokens, so a word
inside them is never a keyword) and refuses SERVICE, LOAD, SPARQL Update keywords and
FROM / FROM NAMED. Because SPARQL 1.1 lets an engine decode ``\\uXXXX`` escapes before
parsing, it checks the decoded reading too.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import KgError, UsageError
from kg.namespaces import AIG, ID, PREFIXES, short_name
from kg.textsafe import terminal

LIBRARY_DIR = Path(__file__).resolve().parent / "queries"
PARAM_TYPES = ("IRI", "date", "string", "integer", "boolean")
SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("ttl", "nt")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
MAX_STRING_PARAM = 10_000
# Oxigraph parses and plans a query recursively and crashes the process (a native stack
# overflow, not an exception) on deep nesting or long chains: these bounds keep every
# query far below the depths that do (found at ~1,000 nested groups, ~10,000 `!`).
MAX_QUERY_BYTES = 1024 * 1024
MAX_QUERY_TOKENS = 10_000
MAX_QUERY_DEPTH = 64
MAX_OPERATOR_RUN = 32

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
T = TypeVar("T")


class QueryRefused(UsageError):
    """The guard refused the query before it ran."""


class QueryTimeout(KgError):
    """The query ran past its time limit."""


class ResultTooLarge(KgError):
    """The result has more rows (or triples) than the cap allows."""


class QueryFileError(UsageError):
    """A query file whose header cannot be read."""


# --------------------------------------------------------------------------- the library


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
        from kg.textsafe import file_name  # a newline in the name must not forge a line

        shown = file_name(spec)
        if not path.is_file():
            raise UsageError(f"{shown}: no such query file")
        from kg.load import read_text  # the one bounded reader (size, binary, UTF-8)

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


# --------------------------------------------------------------------------- parameters

_INSTANCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TERM_ID = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_IRI_SCHEMES = frozenset({"http", "https", "urn", "tag", "mailto", "did", "doi", "file"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")


def parse_iri(text: str, what: str = "value") -> ox.NamedNode:
    """A short id (``deepseek``), an ontology term (``Ban``), a prefixed name (``aig:Ban``,
    ``id:eu``) or a full IRI (optionally in ``<…>``), checked: no spaces or ``<>"{}|^`\\``,
    and a scheme."""
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if _INSTANCE_ID.match(value):
        iri = str(ID) + value
    elif _TERM_ID.match(value):
        iri = str(AIG) + value
    elif (m := _PREFIXED.match(value)) and m.group(1) in PREFIXES:
        iri = PREFIXES[m.group(1)] + m.group(2)
    elif m and m.group(1).lower() not in _IRI_SCHEMES:
        raise ValueError(f"{what} '{text}': unknown prefix '{m.group(1)}:' (known: "
                         f"{', '.join(PREFIXES)}); or give the full IRI")
    else:
        bad = _IRI_FORBIDDEN.search(value)
        if bad:
            raise ValueError(f"{what} '{text}' is not a valid IRI: it contains "
                             f"{bad.group()!r}")
        if not _SCHEME.match(value):
            raise ValueError(f"{what} '{text}' is not a valid IRI: write a short id "
                             "(deepseek), a prefixed name (aig:Ban, id:eu) or a full IRI "
                             "with a scheme (https://…)")
        iri = value
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ValueError(f"{what} '{text}' is not a valid IRI ({exc})") from None


def parse_value(param: Param, text: str, today: dt.date | None = None) -> Term:
    """The RDF term for ``text`` as a value of ``param``; ValueError says what is wrong."""
    kind = param.type
    if kind == "IRI":
        return parse_iri(text)
    if kind == "date":
        if text == "today":
            return date_literal(today or dt.date.today())
        if not _ISO_DATE.match(text):
            raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD")
        try:
            return date_literal(dt.date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"'{text}' is not a real date") from None
    if kind == "integer":
        if not _INTEGER.match(text.strip()):
            raise ValueError(f"'{text}' is not an integer")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"'{text}' is not a boolean; write true or false")
        return ox.Literal(lowered, datatype=ox.NamedNode(XSD + "boolean"))
    if len(text) > MAX_STRING_PARAM:
        raise ValueError(f"the value is longer than {MAX_STRING_PARAM:,} characters")
    if "\x00" in text:
        raise ValueError("the value contains a NUL character")
    return ox.Literal(text)


def date_literal(day: dt.date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))


def parse_param_options(pairs: Iterable[str]) -> dict[str, str]:
    """``--param name=value`` options as a dict; a repeated name is an error."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param '{pair}': write NAME=VALUE, e.g. --param actor=deepseek")
        if name in values:
            raise UsageError(f"--param {name}: given twice")
        values[name] = value
    return values


def bind(query: NamedQuery, values: Mapping[str, str], today: dt.date | None = None
         ) -> dict[str, Term]:
    """The RDF terms for the query's parameters: given values, else defaults; an unknown or
    missing parameter, or an ill-typed value, is a UsageError naming the parameter."""
    known = {p.name for p in query.params}
    for name in values:
        if name not in known:
            takes = ", ".join(sorted(known)) if known else "no parameters"
            raise UsageError(f"--param {name}: unknown parameter of {query.name} "
                             f"(it takes {takes})")
    bound: dict[str, Term] = {}
    for param in query.params:
        if param.name in values:
            text = values[param.name]
        elif param.default is not None:
            text = param.default
        elif param.required:
            raise UsageError(f"--param {param.name}: missing; {query.name} needs "
                             f"{param.signature()}" + (f" — {param.doc}" if param.doc else ""))
        else:
            continue  # optional with no default: left unbound, so it matches anything
        try:
            bound[param.name] = parse_value(param, text, today)
        except ValueError as exc:
            raise UsageError(f"--param {param.name}: {exc} (expected {param.type})") from None
    return bound


# --------------------------------------------------------------------------- the guard

_TOKEN = re.compile(r"""
  (?P<ws>\s+)
| (?P<comment>\#[^\r\n]*)
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
            |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
            |\"(?:[^\"\\\r\n]|\\.)*\"
            |'(?:[^'\\\r\n]|\\.)*')
| (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
| (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
| (?P<bnode>_:[\w\u00b7\u0300-\u036f\u203f-\u2040]
           (?:[\w.\-\u00b7\u0300-\u036f\u203f-\u2040]*[\w\-\u00b7\u0300-\u036f\u203f-\u2040])?)
| (?P<pname>(?:[^\W\d_](?:[\w.\-\u00b7]*[\w\-\u00b7])?)?:
            (?:(?:[\w:\-\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])
               (?:(?:[\w.:\-\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                  (?:[\w:\-\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
| (?P<word>[^\W\d][\w]*)
| (?P<number>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
| (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*+/!=<>|^?\-])
""", re.VERBOSE)

_REFUSED = {
    "SERVICE": "SERVICE (federated query) is not allowed: queries run on the local graph only",
    "LOAD": "LOAD is not allowed: queries may not fetch documents",
    "FROM": "FROM / FROM NAMED is not allowed: the query runs on the built graph (use "
            "GRAPH <iri> { … } to read one of its named graphs)",
}
_UPDATE = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
           "USING")
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_CODEPOINT = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    line: int


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_COMPARISON = re.compile(r"<=?")
_OPERAND_KINDS = frozenset({"var", "string", "number", "iri", "pname", "bnode", "lang"})


def _ends_operand(token: Token | None) -> bool:
    if token is None:
        return False
    return (token.kind in _OPERAND_KINDS or token.text in (")", "]")
            or (token.kind == "word" and token.text.lower() in ("true", "false")))


def tokenize(text: str, origin: str = "query") -> list[Token]:
    """SPARQL tokens without whitespace and comments; QueryRefused if something cannot be
    read (an unterminated string, a stray character), since guessing could hide a word.

    ``<`` is ambiguous inside parentheses right after an operand: ``?a<?b)…>`` is the
    comparison ``?a < ?b`` to a parser like Oxigraph's, an IRI to a lexer. There it is
    read as the operator, so every word after it is seen; a candidate IRI holding ``#`` or
    ``'`` (which would start a comment or a string in that reading) is refused. VALUES
    blocks hold only terms, so their parentheses are not ambiguous.
    """
    tokens: list[Token] = []
    openers: list[str] = []  # "(", "{", "[", and "data" for parentheses in VALUES
    values_pending = False
    position, line = 0, 1
    while position < len(text):
        previous = tokens[-1] if tokens else None
        if (text[position] == "<" and openers and openers[-1] == "("
                and _ends_operand(previous) and (iri := _IRIREF.match(text, position))):
            if "#" in iri.group() or "'" in iri.group():
                raise QueryRefused(f"query refused: ambiguous '<' at line {line} (a comparison "
                                   "or an IRI?); put a space after a comparison '<', or use a "
                                   "prefixed name")
            match = _COMPARISON.match(text, position)
            assert match is not None
            tokens.append(Token("punct", match.group(), position, line))
            position = match.end()
            continue
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            snippet = text[position:position + 20].split("\n")[0]
            raise QueryRefused(f"query refused: cannot read the {origin} at line {line} "
                               f"near {snippet!r} (unterminated string or stray character?)")
        kind = match.lastgroup or ""
        value = match.group()
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, value, position, line))
            if kind == "word" and value.upper() == "VALUES":
                values_pending = True
            elif value == "(":
                in_data = values_pending or (openers and openers[-1] == "values")
                openers.append("data" if in_data else "(")
            elif value == "{":
                openers.append("values" if values_pending else "{")
                values_pending = False
            elif value == "[":
                openers.append("[")
            elif value in (")", "}", "]") and openers:
                openers.pop()
            if values_pending and not (kind == "var" or value in ("(", ")")
                                       or value.upper() == "VALUES"):
                values_pending = False  # VALUES is followed only by variables, then `{`
        line += value.count("\n")
        position = match.end()
    return tokens


def decode_codepoints(text: str) -> str:
    r"""``\uXXXX`` and ``\UXXXXXXXX`` decoded, as SPARQL 1.1 (19.2) lets an engine do before
    parsing; an escape preceded by an escaped backslash (``\\u0041``) is left alone."""
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(2) or match.group(3), 16)
        try:
            char = chr(code)
        except ValueError:
            return match.group()
        return match.group(1) + char

    return _CODEPOINT.sub(replace, text)


def check_query(text: str, origin: str = "query") -> str:
    """The query form (SELECT, CONSTRUCT, ASK or DESCRIBE), or QueryRefused saying why the
    query may not run: SERVICE, LOAD, FROM / FROM NAMED, or any SPARQL Update."""
    if origin == "query" and len(text) <= _CACHED_TEXT:
        return _check_cached(text)  # a refusal is an exception, never cached
    return _check_query(text, origin)


# Tokenising a library query takes about a millisecond, as long as Oxigraph takes to answer
# it, and the same few texts run again and again: their checks and WHERE groups are cached.
_CACHED_TEXT = 64 * 1024


@functools.lru_cache(maxsize=256)
def _check_cached(text: str) -> str:
    return _check_query(text, "query")


def _check_query(text: str, origin: str) -> str:
    if len(text) > MAX_QUERY_BYTES:
        raise QueryRefused(f"query refused: it is longer than {MAX_QUERY_BYTES:,} characters")
    readings = [text]
    decoded = decode_codepoints(text)
    if decoded != text:
        readings.append(decoded)
    form = ""
    for index, reading in enumerate(readings):
        try:
            tokens = tokenize(reading, origin)
        except QueryRefused:
            if index == 0:
                raise
            raise QueryRefused("query refused: its \\u escapes change how it reads; write "
                               "the characters themselves") from None
        try:
            _check_shape(tokens)
            found = _check_tokens(tokens)  # every reading is checked, not just the first
        except QueryRefused as exc:
            if origin == "query":
                raise
            raise QueryRefused(f"{origin}: {exc.message}") from None
        form = form or found
    return form


def _check_shape(tokens: list[Token]) -> None:
    """Refuse a query too large or too deeply nested for the engine to parse safely."""
    if len(tokens) > MAX_QUERY_TOKENS:
        raise QueryRefused(f"query refused: {len(tokens):,} tokens, over the limit of "
                           f"{MAX_QUERY_TOKENS:,}; split it into smaller queries")
    depth = run = 0
    for token in tokens:
        if token.text in ("(", "{", "["):
            depth += 1
            if depth > MAX_QUERY_DEPTH:
                raise QueryRefused(f"query refused: nested more than {MAX_QUERY_DEPTH} levels "
                                   f"deep (line {token.line})")
        elif token.text in (")", "}", "]"):
            depth -= 1
        run = run + 1 if token.kind == "punct" and token.text in ("!", "-", "+", "^") else 0
        if run > MAX_OPERATOR_RUN:
            raise QueryRefused(f"query refused: more than {MAX_OPERATOR_RUN} operators in a "
                               f"row (line {token.line})")


def _check_tokens(tokens: list[Token]) -> str:
    form = ""
    for token in tokens:
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in _REFUSED:
            raise QueryRefused(f"query refused: {_REFUSED[word]} (line {token.line})")
        if word in _UPDATE:
            raise QueryRefused(f"query refused: {word} is SPARQL Update; the graph is "
                               f"read-only here (line {token.line})")
        if not form and word in _FORMS:
            form = word
    if not form:
        raise QueryRefused("query refused: not a SPARQL query (expected SELECT, CONSTRUCT, "
                           "ASK or DESCRIBE)")
    return form


# --------------------------------------------------------------------------- remote binding


def nt_term(term: Term) -> str:
    """A term in N-Triples syntax, which is also valid SPARQL: IRIs were validated and
    pyoxigraph escapes ``"`` and ``\\`` in literals, so a value cannot end its token."""
    if isinstance(term, ox.NamedNode) and _IRI_FORBIDDEN.search(term.value):
        raise UsageError(f"cannot bind <{term.value}>: not a valid IRI")
    if isinstance(term, ox.BlankNode):
        raise UsageError("a parameter cannot be a blank node")
    return str(term)


def inject_values(text: str, bindings: Mapping[str, Term]) -> str:
    """``text`` with ``VALUES (?a ?b) { (<x> "y") }`` at the start of its WHERE group, the
    standard way to pre-bind variables over the SPARQL protocol."""
    if not bindings:
        return text
    tokens = tokenize(text)
    start = _where_brace(tokens)
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"--param {name}: not a variable name")
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(nt_term(bindings[n]) for n in names) + ") } ")
    brace = tokens[start]
    after = tokens[start + 1] if start + 1 < len(tokens) else None
    if after is not None and after.kind == "word" and after.text.upper() == "SELECT":
        # the WHERE group is a sub-select: wrap it so VALUES sits beside it
        close = _matching_brace(tokens, start)
        end = tokens[close].start
        return (text[:brace.start + 1] + block + "{" + text[brace.start + 1:end] + "} "
                + text[end:])
    return text[:brace.start + 1] + block + text[brace.start + 1:]


def lateral_values(text: str, bindings: Mapping[str, Term]) -> str:
    """``text`` with its WHERE group run ``LATERAL`` to a ``VALUES`` row of the bound terms,
    ``{ VALUES (?a ?b) { (<x> "y") } LATERAL { group } }``, so that Oxigraph plans the group
    knowing the parameters are bound (a substituted variable it plans as unbound). Terms are
    written as N-Triples (:func:`nt_term`). ``text`` as it is when nothing is bound, or when
    the rewrite does not apply (no WHERE group, a blank node, an odd variable name)."""
    if not bindings:
        return text
    names = sorted(bindings)
    if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) for name in names):
        return text
    try:
        row = " ".join(nt_term(bindings[name]) for name in names)
    except UsageError:
        return text
    group = _where_group(text) if len(text) <= _CACHED_TEXT else _find_where_group(text)
    if group is None:
        return text
    brace, end = group
    block = "VALUES (" + " ".join(f"?{name}" for name in names) + ") { (" + row + ") }"
    # on the brace's own line, so a line number in an error message still holds
    return (text[:brace + 1] + " " + block + " LATERAL {" + text[brace + 1:end] + "} "
            + text[end:])


@functools.lru_cache(maxsize=256)
def _where_group(text: str) -> tuple[int, int] | None:
    return _find_where_group(text)


def _find_where_group(text: str) -> tuple[int, int] | None:
    """The offsets of the braces that open and close the WHERE group; None if it has none."""
    try:
        tokens = tokenize(text)
        start = _where_brace(tokens)
        return tokens[start].start, tokens[_matching_brace(tokens, start)].start
    except UsageError:  # QueryRefused included
        return None


def _where_brace(tokens: list[Token]) -> int:
    form_at = next((i for i, t in enumerate(tokens)
                    if t.kind == "word" and t.text.upper() in _FORMS), None)
    if form_at is None:
        raise QueryRefused("query refused: not a SPARQL query")
    i = form_at + 1
    if tokens[form_at].text.upper() == "CONSTRUCT":
        if i < len(tokens) and tokens[i].kind == "word" and tokens[i].text.upper() == "WHERE":
            raise UsageError("parameters cannot be bound in a CONSTRUCT WHERE { } short form; "
                             "write CONSTRUCT { template } WHERE { pattern }")
        if i < len(tokens) and tokens[i].text == "{":
            i = _matching_brace(tokens, i) + 1
    depth = 0
    while i < len(tokens):
        text = tokens[i].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "{" and depth == 0:
            return i
        i += 1
    raise UsageError("the query has no WHERE group to bind parameters in")


def _matching_brace(tokens: list[Token], at: int) -> int:
    depth = 0
    for i in range(at, len(tokens)):
        if tokens[i].text == "{":
            depth += 1
        elif tokens[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    raise UsageError("unbalanced braces in the query")


# --------------------------------------------------------------------------- running


@dataclass
class Result:
    """A query answer in one shape for every engine: rows of terms (None = unbound) for
    SELECT, a boolean for ASK, triples for CONSTRUCT and DESCRIBE."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def execute(store: ox.Store, text: str, bindings: Mapping[str, Term] | None = None,
            max_rows: int = DEFAULT_MAX_ROWS, *,
            dataset: Mapping[str, object] | None = None) -> Result:
    """Run a (guarded) query on the store, over the union of its graphs, with parameters
    bound as terms; stop reading at ``max_rows`` + 1 and refuse the result. ``dataset``:
    other ``Store.query`` dataset options instead of the union (``kg serve`` takes them
    from ``default-graph-uri`` / ``named-graph-uri``)."""
    form = check_query(text)
    graphs = dict(dataset) if dataset is not None else {"use_default_graph_as_union": True}
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    planned = lateral_values(text, bindings or {})
    try:
        try:
            answer = store.query(planned, **graphs,
                                 substitutions=substitutions)
        except SyntaxError:
            if planned == text:
                raise
            # the error (and its position) as the author wrote the query
            answer = store.query(text, **graphs,
                                 substitutions=substitutions)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {exc}") from None
    except RuntimeError as exc:
        if "projection" not in str(exc):
            raise
        raise UsageError(f"{exc}: a SELECT query must project each of its parameters "
                         "(SEP-0007 substitution binds only projected variables)") from None
    # pyoxigraph result iterators must be dropped on the thread that made them, so none
    # may outlive this frame inside an exception's traceback: read, drop, then raise.
    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer))
    over = False
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows: list[tuple[Term | None, ...]] = []
        for solution in answer:
            if len(rows) >= max_rows:
                over = True
                break
            rows.append(tuple(solution))
        solution = answer = None
        if over:
            raise ResultTooLarge(_too_many(max_rows, "rows"))
        return Result("SELECT", variables, rows)
    triples: set[ox.Triple] = set()
    for triple in answer:
        triples.add(triple)
        if len(triples) > max_rows:
            over = True
            break
    answer = None
    if over:
        raise ResultTooLarge(_too_many(max_rows, "triples"))
    return Result(form if form == "DESCRIBE" else "CONSTRUCT", triples=sort_triples(triples))


def _too_many(limit: int, what: str) -> str:
    return (f"the result has more than {limit:,} {what}, over the cap; narrow the query "
            "or add LIMIT (or raise the cap)")


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def with_time_limit(work: Callable[[], T], timeout: float) -> T:
    """``work()`` in a worker thread; QueryTimeout if it is not done in ``timeout`` s.

    Oxigraph releases the GIL while it evaluates but cannot be cancelled, so a timed-out
    query keeps running in its (daemon) thread until it ends or the process exits: fine
    for a one-shot command; ``kg serve`` runs queries in child processes it can kill.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"query exceeded the {timeout:g} s time limit")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def run_embedded(store: ox.Store, text: str, bindings: Mapping[str, Term] | None = None,
                 timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS
                 ) -> Result:
    check_query(text)  # refuse before starting a thread
    return with_time_limit(lambda: execute(store, text, bindings, max_rows), timeout)


# --------------------------------------------------------------------------- formats


def term_json(term: Term) -> dict[str, str]:
    """A term as in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def term_from_json(value: Mapping[str, str]) -> Term:
    """The inverse of :func:`term_json` (accepting the older ``typed-literal``)."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text) if re.fullmatch(r"[A-Za-z0-9_]+", text) else ox.BlankNode()
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return ox.Literal(text, language=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
        return ox.Literal(text)
    raise ValueError(f"unsupported term type in SPARQL JSON results: {kind!r}")


def to_json(result: Result) -> str:
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    bindings = [{var: term_json(term) for var, term in zip(result.variables, row, strict=True)
                 if term is not None} for row in result.rows]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV: plain values (IRIs and lexical forms), RFC 4180 quoting, CRLF."""
    if result.form == "ASK":
        return "true\r\n" if result.boolean else "false\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(term) for term in row])
    return buffer.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV: ``?var`` header, terms N-Triples-encoded, empty when unbound."""
    if result.form == "ASK":
        return "true\n" if result.boolean else "false\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if term is None else str(term) for term in row))
    return "\n".join(lines) + "\n"


def to_ntriples(triples: Iterable[ox.Triple]) -> str:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in sort_triples(triples))


def to_turtle(triples: Iterable[ox.Triple]) -> str:
    ordered = sort_triples(triples)
    used = {term.value for t in ordered for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    used |= {t.object.datatype.value for t in ordered if isinstance(t.object, ox.Literal)}
    prefixes = {prefix: ns for prefix, ns in PREFIXES.items()
                if any(iri.startswith(ns) for iri in used)}
    data = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    return text if text.endswith("\n") or not text else text + "\n"


def display(term: Term | None) -> str:
    """A term as a person reads it in a table: ``deepseek``, ``aig:Ban`` style names."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return short_name(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_table(result: Result, max_width: int = 48) -> str:
    """A plain-text table; every value passes through :func:`kg.textsafe.terminal`."""
    if result.form == "ASK":
        return "true\n" if result.boolean else "false\n"
    if not result.rows:
        return "(no rows)\n"

    def cell(term: Term | None) -> str:
        text = terminal(display(term)).replace("\n", " ").replace("\t", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    header = [terminal(v) for v in result.variables]
    body = [[cell(term) for term in row] for row in result.rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in body]
    return "\n".join(lines) + "\n"


def render(result: Result, fmt: str) -> str:
    """The result in one of the output formats; a format that does not fit the query form
    is a UsageError."""
    if result.is_graph:
        if fmt in ("ttl", "table"):
            return to_turtle(result.triples)
        if fmt == "nt":
            return to_ntriples(result.triples)
        raise UsageError(f"--format {fmt}: a {result.form} query gives a graph; use ttl or nt")
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt}: a {result.form} query gives "
                         f"{'a boolean' if result.form == 'ASK' else 'rows'}; use "
                         f"{'|'.join(SELECT_FORMATS)}")
    renderers: dict[str, Callable[[Result], str]] = {
        "table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}
    return renderers[fmt](result)
