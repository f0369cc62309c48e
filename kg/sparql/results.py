"""A query answer in one shape for every engine, and the W3C result formats."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.core.namespaces import PREFIXES, short_name
from kg.core.textsafe import terminal

SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("ttl", "nt")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal


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
    """A plain-text table; every value passes through :func:`kg.core.textsafe.terminal`."""
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


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
