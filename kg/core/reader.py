"""The one bounded reader for every input file, and the YAML composer.

Every file (ontology, case, query, profile) is read here: a size limit, UTF-8 only, no binary
or control characters. YAML is composed into nodes that keep their line numbers, with no
implicit typing (``no`` and ``2025-01-30`` stay strings) and no anchors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph

from kg.core.errors import Finding, InputError
from kg.core.namespaces import ID

# Below Oxigraph's 16 MiB parser buffer (a longer line or literal makes it fail): with
# MAX_VALUE_CHARS, no literal or line ever reaches it, even escaped.
MAX_INPUT_BYTES = 16_000_000
MAX_VALUE_CHARS = 1_000_000  # one value (a label, a description): 1 M characters at most
# What a value may not hold: C0 control characters but tab, newline and carriage return
# (ESC and NUL among them), unpaired surrogates (no UTF-8 can carry them) and the
# noncharacters U+FFFE and U+FFFF: none has a place in a label or a source, and XML 1.0
# (GraphML) cannot hold any of them. C1 controls (U+0085, a line separator) are allowed;
# the terminal shows them escaped (kg.core.textsafe.terminal).
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same in Oxigraph's N-Triples, which escapes them as \b, \f or \u00XX (a match is
# one if an even run of backslashes comes before it: kg.pipeline.casevocab checks).
BAD_NT_CHARACTER = re.compile(r"\\(?:[bf]|u00(?:0[0-8BCEF]|1[0-9A-F])|uFFF[EF])")




def _unreadable(display: str, line: int, problem: str) -> InputError:
    where = f"{display}:{line}" if line else display
    return InputError(f"{where}: {problem}", [Finding(display, line, "", "unreadable", problem)])


_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
              (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def read_text(path: Path, display: str, max_bytes: int | None = None) -> str:
    """The file's text, or an InputError naming the file (and line) and the problem.

    The one bounded reader for every input file: at most ``max_bytes`` (default
    MAX_INPUT_BYTES) are ever read, even from a file that grows while it is read; binary
    content (a NUL byte) and anything but UTF-8 are refused; a UTF-8 byte order mark is
    dropped.
    """
    limit = max_bytes or MAX_INPUT_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise _unreadable(display, 0, f"file is {size:,} bytes, over the {limit:,}-byte "
                              "input limit; split it into smaller files")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(display, 0, f"cannot read ({exc.strerror or exc})") from exc
    if len(raw) > limit:
        raise _unreadable(display, 0, f"file is over the {limit:,}-byte input limit; split it "
                          "into smaller files")
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            raise _unreadable(display, 1, f"the file is {encoding}-encoded; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise _unreadable(display, line, "binary content (NUL byte); expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _unreadable(display, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                          "save the file as UTF-8") from exc


def parse_turtle(text: str, display: str, graph: Graph | None = None) -> Graph:
    """Parse Turtle into ``graph``; syntax errors name the file and line. Oxigraph parses
    (a strict, fast parser: the ontology in milliseconds where rdflib's takes a third of
    a second), and the triples go into the rdflib graph the callers use."""
    import pyoxigraph as ox

    from kg.core.terms import to_rdflib

    target = graph if graph is not None else Graph()
    try:
        triples = list(ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.TURTLE,
                                base_iri=str(ID)))
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        match = re.search(r"line (\d+)", message)
        where = f"{display}:{match.group(1)}" if match else display
        raise InputError(f"{where}: Turtle syntax error: {message[:300]}") from exc
    add = target.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return target




# --------------------------------------------------------------------------- YAML nodes


@dataclass
class Scalar:
    value: str
    line: int


@dataclass
class YList:
    items: list[YValue]
    line: int


@dataclass
class YMap:
    items: dict[str, tuple[int, YValue]]
    line: int

    def get(self, key: str) -> YValue | None:
        entry = self.items.get(key)
        return entry[1] if entry else None


YValue = Scalar | YList | YMap


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader with no implicit scalar typing: every plain scalar is a string."""


_PlainLoader.yaml_implicit_resolvers = {}


class _FastPlainLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser, when PyYAML has it: about ten times faster on the
    curated data, with the same nodes and line marks. A file it refuses is read again by
    the pure-Python parser, whose syntax errors point at the offending line."""


_FastPlainLoader.yaml_implicit_resolvers = {}


MAX_YAML_DEPTH = 32  # case files nest 3 deep, profiles 5; PyYAML composes recursively
_OPENERS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def compose_yaml(text: str, display: str, findings: list[Finding],
                 max_records: int | None = None) -> YValue | None:
    """Compose YAML into line-numbered nodes. The token stream is checked first, so these
    are refused before anything is built: anchors and aliases (a "billion laughs" document
    never grows), tags (``!!python/object`` and friends mean nothing here), nesting
    deeper than MAX_YAML_DEPTH (which would exhaust the recursion of the composer) and,
    with ``max_records``, a case file with more records (``id:`` keys) than that."""
    try:
        return _compose(text, display, findings, _FastPlainLoader, max_records)
    except yaml.YAMLError:
        return _compose(text, display, findings, _PlainLoader, max_records)


def _compose(text: str, display: str, findings: list[Finding], loader: type,
             max_records: int | None = None) -> YValue | None:
    """compose_yaml with one parser; a syntax error escapes only from the fast one."""
    try:
        depth = ids = 0
        previous = None
        for token in yaml.scan(text, Loader=loader):
            problem = ""
            if (max_records and depth in (2, 3) and isinstance(token, yaml.ScalarToken)
                    and token.value == "id" and isinstance(previous, yaml.KeyToken)):
                ids += 1  # a record's id: counted while scanning, so a huge file stops early
                if ids > max_records:
                    rule, problem, hint = ("budget", f"more than {max_records:,} records in "
                                           "one file", "split the file, or raise the limit "
                                           "with --max-records")
            previous = token
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                rule, problem, hint = ("yaml-alias", "YAML anchors and aliases are not "
                                       "supported", "write the value out in full")
            elif isinstance(token, yaml.TagToken):
                rule, problem, hint = ("yaml-tag", "YAML tags (`!…`, `!!…`) are not supported",
                                       "write the value as plain text, quoted if need be")
            elif isinstance(token, _OPENERS):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    rule, problem, hint = ("yaml-depth", f"nested more than {MAX_YAML_DEPTH} "
                                           "levels deep", "a case file nests records, maps "
                                           "and lists only a few levels")
            elif isinstance(token, _CLOSERS):
                depth -= 1
            if problem:
                findings.append(Finding(display, token.start_mark.line + 1, "", rule,
                                        problem, hint))
                return None
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        if loader is not _PlainLoader:
            raise
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        lines = text.splitlines()
        near = lines[max(line - 2, 0):line] if line else lines
        hint = ("YAML indents with spaces, never tabs" if any("\t" in row for row in near)
                else "check the indentation and quoting on that line")
        findings.append(Finding(display, line, "", "yaml-syntax", f"YAML syntax error: {problem}",
                                hint))
        return None
    if root is None:
        return None
    seen: set[int] = set()
    return _convert(root, display, findings, seen)


def value_finding(value: str, display: str, line: int, subject: str = "") -> Finding:
    """The finding for a value that is too long or holds a character no value may hold
    (BAD_CHARACTER), named by its code point, never shown raw."""
    bad = BAD_CHARACTER.search(value)
    if bad is None:
        return Finding(display, line, subject, "value-too-long", f"a value of {len(value):,} "
                       f"characters, over the limit of {MAX_VALUE_CHARS:,}",
                       "a label or a description is a few sentences; cite the rest")
    char = bad.group()
    what = ("an unpaired surrogate" if "\ud800" <= char <= "\udfff" else
            "a noncharacter" if char in "\ufffe\uffff" else "a control character")
    return Finding(display, line, subject, "bad-character",
                   f"{what} (U+{ord(char):04X}) in a value",
                   "remove it: values are text, and no output format can carry it")


def _convert(node: yaml.Node, display: str, findings: list[Finding], seen: set[int]) -> YValue:
    line = node.start_mark.line + 1
    if id(node) in seen:
        findings.append(Finding(display, line, "", "yaml-alias",
                                "YAML anchors and aliases are not supported in case files",
                                "write the value out in full"))
        return Scalar("", line)
    seen.add(id(node))  # aliases are refused earlier; this guards against any that slip by
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if len(value) > MAX_VALUE_CHARS or BAD_CHARACTER.search(value):
            findings.append(value_finding(value, display, line))
        return Scalar(value, line)
    if isinstance(node, yaml.SequenceNode):
        return YList([_convert(item, display, findings, seen) for item in node.value], line)
    items: dict[str, tuple[int, YValue]] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            findings.append(Finding(display, key_line, "", "yaml-key", "a key must be plain text"))
            continue
        key = str(key_node.value)
        if BAD_CHARACTER.search(key):
            findings.append(value_finding(key, display, key_line))
            continue
        if key in items:
            findings.append(Finding(display, key_line, "", "duplicate-key",
                                    f"duplicate key '{key}' (first on line {items[key][0]})",
                                    "keep one; use a list for several values"))
            continue
        items[key] = (key_line, _convert(value_node, display, findings, seen))
    return YMap(items, line)


