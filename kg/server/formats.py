"""The answer formats of ``kg serve``: the table of them, content negotiation (``Accept``
with q-values and wildcards, or a ``format`` / ``output`` / ``results`` parameter), and the
writers for the formats :mod:`kg.sparql.results` does not have (SPARQL XML, RDF/XML,
JSON-LD)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

import pyoxigraph as ox

from kg.core.errors import KgError
from kg.sparql import results
from kg.sparql.results import Result, Term, sort_triples


@dataclass(frozen=True)
class Format:
    """One answer format: what it is called internally, the Content-Type it is sent with,
    the media types that ask for it in ``Accept`` and the names ``format=`` may give."""

    name: str
    content_type: str
    media: tuple[str, ...]
    names: tuple[str, ...]


ROW_FORMATS = (
    Format("json", "application/sparql-results+json",
           ("application/sparql-results+json", "application/json"), ("json",)),
    Format("xml", "application/sparql-results+xml",
           ("application/sparql-results+xml", "application/xml", "text/xml"), ("xml",)),
    Format("csv", "text/csv; charset=utf-8", ("text/csv",), ("csv",)),
    Format("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",),
           ("tsv",)),
)
GRAPH_FORMATS = (
    Format("ttl", "text/turtle; charset=utf-8",
           ("text/turtle", "application/x-turtle", "application/turtle"),
           ("turtle", "ttl", "n3")),  # Turtle is N3 too
    Format("nt", "application/n-triples", ("application/n-triples",),
           ("ntriples", "nt", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/x-json+ld"),
           ("jsonld", "json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml",),
           ("rdfxml", "rdf+xml", "rdf", "xml")),
)
FORMATS = {f.name: f for f in (*ROW_FORMATS, *GRAPH_FORMATS)}
# the names a format parameter may carry for the other query forms (skipped, not refused)
_ALL_NAMES = frozenset(n for f in FORMATS.values() for n in (*f.names, *f.media))
FORMAT_PARAMS = ("format", "output", "results")  # Virtuoso, Joseki, others; SPARQLWrapper


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; parameters other than q are ignored, and a
    range with an unreadable q is left out."""
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        media = media.lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: Sequence[tuple[str, float]]) -> tuple[float, int]:
    """The q of the most specific range matching the format (RFC 9110, 12.5.1) and how
    specific it was (2 exact, 1 type/*, 0 */*); (0, -1) when none matches. Wildcards
    match only the media type the answer is sent with, so ``application/*`` never brings
    a ``text/turtle`` answer through its ``application/x-turtle`` alias."""
    major = fmt.media[0].split("/")[0]
    best = (0.0, -1)
    for candidate, q in ranges:
        rank = 2 if candidate in fmt.media else 1 if candidate == f"{major}/*" else (
            0 if candidate == "*/*" else -1)
        if rank > best[1]:
            best = (q, rank)
    return best


def negotiate(accept: str | None, form: str, wanted: Sequence[str] = ()) -> str | None:
    """The answer format for a query form: the first ``format=`` value that names one this
    form can have (values meant for the other forms are passed over, as a client sends the
    same ``format=xml`` for every form), else the best of ``Accept`` by q, then
    specificity, then the server's order; None when nothing acceptable is offered (or
    ``format=`` names no format at all)."""
    choices = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else ROW_FORMATS
    names = [w.split(";")[0].strip().lower() for w in wanted if w and w.strip()]
    for name in names:
        for fmt in choices:
            if name in fmt.names or name in fmt.media:
                return fmt.name
    if any(name not in _ALL_NAMES for name in names):
        return None
    if not accept or not accept.strip():
        return choices[0].name
    ranges = _accept_ranges(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, fmt in enumerate(choices):
        q, rank = _quality(fmt, ranges)
        if q > 0 and (best is None or (q, rank, -index) > best):
            best, chosen = (q, rank, -index), fmt.name
    return chosen


# --------------------------------------------------------------------------- writers

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_LANG_STRING = RDF_NS + "langString"
# XML 1.0 cannot carry these, not even as character references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")


class Unwritable(KgError):
    """The answer cannot be written in the format asked for (XML 1.0 cannot hold it)."""


def _xml_text(value: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise Unwritable(f"the result holds U+{ord(bad.group()):04X}, which XML 1.0 cannot "
                         "carry; ask for JSON, CSV, TSV, Turtle or N-Triples")
    return _xml_escape(value).replace("\r", "&#13;")


def _xml_attr(value: str) -> str:
    return '"' + _xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace(
        "\t", "&#9;") + '"'


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if not isinstance(term, ox.Literal):
        raise Unwritable("the result holds a quoted triple; ask for JSON")
    if term.language:
        return f"<literal xml:lang={_xml_attr(term.language)}>{_xml_text(term.value)}</literal>"
    if term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        return (f"<literal datatype={_xml_attr(term.datatype.value)}>"
                f"{_xml_text(term.value)}</literal>")
    return f"<literal>{_xml_text(term.value)}</literal>"


def to_xml_results(result: Result) -> str:
    """SPARQL Query Results XML Format (a SELECT or ASK result)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.form == "ASK":
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append("<head>" + "".join(f"<variable name={_xml_attr(v)}/>"
                                        for v in result.variables) + "</head>")
        lines.append("<results>")
        for row in result.rows:
            cells = "".join(f"<binding name={_xml_attr(var)}>{_xml_term(term)}</binding>"
                            for var, term in zip(result.variables, row, strict=True)
                            if term is not None)
            lines.append(f"<result>{cells}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _node_xml(term: Term, about: str) -> str:
    if isinstance(term, ox.BlankNode):
        return f"rdf:nodeID={_xml_attr('b' + term.value)}"  # an NCName, whatever the id
    return f"rdf:{about}={_xml_attr(term.value)}"


def to_rdfxml(triples: Iterable[ox.Triple]) -> str:
    """RDF/XML, one ``rdf:Description`` per subject; each property element declares its
    own namespace. A predicate whose IRI does not end in an XML name cannot be written."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<rdf:RDF xmlns:rdf="{RDF_NS}">']
    subject: Term | None = None
    for triple in sort_triples(triples):
        if triple.subject != subject:
            if subject is not None:
                lines.append("</rdf:Description>")
            if isinstance(triple.subject, ox.Triple):  # RDF-star: RDF/XML has no syntax for it
                raise Unwritable("a quoted triple cannot be written as RDF/XML; ask for "
                                 "Turtle, N-Triples or JSON-LD")
            subject = triple.subject
            lines.append(f"<rdf:Description {_node_xml(subject, 'about')}>")
        predicate = triple.predicate.value
        tail = _NCNAME_TAIL.search(predicate)
        if tail is None or tail.start() == 0:
            raise Unwritable(f"the predicate <{predicate}> cannot be written as RDF/XML; ask "
                             "for Turtle, N-Triples or JSON-LD")
        name = f"p:{tail.group()} xmlns:p={_xml_attr(predicate[:tail.start()])}"
        value = triple.object
        if isinstance(value, ox.Literal):
            extra = (f" xml:lang={_xml_attr(value.language)}" if value.language else
                     f" rdf:datatype={_xml_attr(value.datatype.value)}"
                     if value.datatype.value not in (XSD_STRING, RDF_LANG_STRING) else "")
            lines.append(f"  <{name}{extra}>{_xml_text(value.value)}</p:{tail.group()}>")
        elif isinstance(value, (ox.NamedNode, ox.BlankNode)):
            lines.append(f"  <{name} {_node_xml(value, 'resource')}/>")
        else:
            raise Unwritable("the result holds a quoted triple; ask for N-Triples")
    if subject is not None:
        lines.append("</rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


def render_graph(triples: Sequence[ox.Triple], fmt: str,
                 prefixes: Mapping[str, str] | None = None) -> str:
    if fmt == "ttl":
        if prefixes is None:
            return results.to_turtle(triples)
        data = ox.serialize(sort_triples(triples), format=ox.RdfFormat.TURTLE,
                            prefixes=dict(prefixes))
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt == "nt":
        return results.to_ntriples(triples)
    if fmt == "jsonld":
        data = ox.serialize(sort_triples(triples), format=ox.RdfFormat.JSON_LD)
        text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
        return text + "\n"
    if fmt == "rdfxml":
        return to_rdfxml(triples)
    raise KgError(f"no graph format {fmt!r}")


def render(result: Result, fmt: str) -> str:
    """The result as the body of an answer in format ``fmt`` (a name of :data:`FORMATS`)."""
    if result.is_graph:
        return render_graph(result.triples, fmt)
    if fmt == "xml":
        return to_xml_results(result)
    return results.render(result, fmt)
