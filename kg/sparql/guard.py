"""The guard: refuse anything but a read-only query on the local store.

It tokenises the query (comments, strings and IRIs are single tokens, so a word inside them
is never a keyword) and refuses SERVICE, LOAD, SPARQL Update keywords and FROM / FROM
NAMED. Because SPARQL 1.1 lets an engine decode ``\\uXXXX`` escapes before parsing, it
checks the decoded reading too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.core.errors import UsageError

# Oxigraph parses and plans a query recursively and crashes the process (a native stack
# overflow, not an exception) on deep nesting or long chains: these bounds keep every
# query far below the depths that do (found at ~1,000 nested groups, ~10,000 `!`).
MAX_QUERY_BYTES = 1024 * 1024
MAX_QUERY_TOKENS = 10_000
MAX_QUERY_DEPTH = 64
MAX_OPERATOR_RUN = 32


class QueryRefused(UsageError):
    """The guard refused the query before it ran."""



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
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
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
    if origin == "query" and len(text) <= CACHED_TEXT:
        return _check_cached(text)  # a refusal is an exception, never cached
    return _check_query(text, origin)


# Tokenising a library query takes about a millisecond, as long as Oxigraph takes to answer
# it, and the same few texts run again and again: their checks and WHERE groups are cached.
CACHED_TEXT = 64 * 1024


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
        if not form and word in FORMS:
            form = word
    if not form:
        raise QueryRefused("query refused: not a SPARQL query (expected SELECT, CONSTRUCT, "
                           "ASK or DESCRIBE)")
    return form


