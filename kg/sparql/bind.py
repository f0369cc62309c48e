"""Parameters as RDF terms, never pasted into query text as strings.

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
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.core.namespaces import AIG, ID, PREFIXES
from kg.sparql.guard import CACHED_TEXT, FORMS, QueryRefused, Token, tokenize
from kg.sparql.results import XSD, Term

if TYPE_CHECKING:
    from kg.sparql.queryfile import NamedQuery, Param

MAX_STRING_PARAM = 10_000


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
    group = _where_group(text) if len(text) <= CACHED_TEXT else _find_where_group(text)
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
                    if t.kind == "word" and t.text.upper() in FORMS), None)
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


