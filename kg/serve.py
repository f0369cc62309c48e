"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over build/, and a small offline
query page.

- ``GET /sparql?query=…`` and ``POST /sparql`` (form-encoded, or ``application/sparql-query``)
  answer SELECT and ASK in SPARQL XML, JSON, CSV or TSV, and CONSTRUCT and DESCRIBE in
  Turtle, N-Triples, JSON-LD or RDF/XML, chosen by the ``Accept`` header (q-values and
  wildcards) or by a ``format`` / ``output`` / ``results`` parameter (a short name such as
  ``json`` or ``turtle``, or a media type), so that rdflib's ``SPARQLStore`` and
  SPARQLWrapper work with their default settings. ``GET /sparql`` with no query is the
  SPARQL 1.1 Service Description of the endpoint.
- The dataset is the build's union graph (``…/graph/all``) as the default graph and its
  named graphs (``…/graph/asserted``, ``inferred``, ``derived``); ``default-graph-uri`` and
  ``named-graph-uri`` may name those, and anything else is 400.
- Refused before anything runs: SPARQL Update (405), and SERVICE, LOAD, FROM / FROM NAMED
  (400) — the guard of :mod:`kg.query`, so no query can make the server open a connection
  or read a file.
- Each query runs in a child process that holds its own copy of the store; at the time
  limit the child is killed (a pyoxigraph query cannot be cancelled in-thread) and
  replaced, and the client gets 503 — never a truncated 200. A result over the row cap
  is 422. A worker's own stderr goes nowhere (an allocation failure in Oxigraph prints a
  Rust backtrace): the server logs one line per request, with the reason of a refusal.
- At most ``max_connections`` connections are served at once (more get 503 straight
  away), and a client must send its whole request within ``idle_timeout`` seconds.
- On loopback the ``Host`` header must be exactly a loopback name with an optional port
  (DNS rebinding); anywhere, a malformed ``Host`` is 400.
- The page at ``/`` is self-contained (inline CSS/JS under a hash-based Content Security
  Policy, no CDN) and puts data into the page with ``textContent`` only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import pyoxigraph as ox

from kg import query as kq
from kg.errors import KgError
from kg.namespaces import GRAPH, PREFIXES
from kg.textsafe import html_text, terminal

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
DEFAULT_MAX_CONNECTIONS = 32
DEFAULT_IDLE_TIMEOUT = 10.0  # seconds a client may take to send its request (no slow loris)
WRITE_TIMEOUT = 60.0  # seconds for each write of an answer to a client that reads slowly
MAX_BODY_BYTES = kq.MAX_QUERY_BYTES
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
WORKER_START_TIMEOUT = 120.0
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
UNION_GRAPH = str(GRAPH["all"])  # the default graph: the union of the build's named graphs
QUERY_PATHS = ("/sparql", "/query")


# --------------------------------------------------------------------------- formats


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


def _xml_term(term: kq.Term) -> str:
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


def to_xml_results(result: kq.Result) -> str:
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


def _node_xml(term: kq.Term, about: str) -> str:
    if isinstance(term, ox.BlankNode):
        return f"rdf:nodeID={_xml_attr('b' + term.value)}"  # an NCName, whatever the id
    return f"rdf:{about}={_xml_attr(term.value)}"


def to_rdfxml(triples: Iterable[ox.Triple]) -> str:
    """RDF/XML, one ``rdf:Description`` per subject; each property element declares its
    own namespace. A predicate whose IRI does not end in an XML name cannot be written."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<rdf:RDF xmlns:rdf="{RDF_NS}">']
    subject: kq.Term | None = None
    for triple in kq.sort_triples(triples):
        if triple.subject != subject:
            if subject is not None:
                lines.append("</rdf:Description>")
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
            return kq.to_turtle(triples)
        data = ox.serialize(kq.sort_triples(triples), format=ox.RdfFormat.TURTLE,
                            prefixes=dict(prefixes))
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt == "nt":
        return kq.to_ntriples(triples)
    if fmt == "jsonld":
        data = ox.serialize(kq.sort_triples(triples), format=ox.RdfFormat.JSON_LD)
        text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
        return text + "\n"
    if fmt == "rdfxml":
        return to_rdfxml(triples)
    raise KgError(f"no graph format {fmt!r}")


def render(result: kq.Result, fmt: str) -> str:
    """The result as the body of an answer in format ``fmt`` (a name of :data:`FORMATS`)."""
    if result.is_graph:
        return render_graph(result.triples, fmt)
    if fmt == "xml":
        return to_xml_results(result)
    return kq.render(result, fmt)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())

    def reason(self) -> str:
        """The first line of a text reply (why a request was refused), for the log."""
        if not self.content_type.startswith("text/plain"):
            return ""
        line = self.body[:300].decode("utf-8", "replace").split("\n", 1)[0].strip()
        return line if len(line) < 200 else line[:199] + "…"


# --------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (SPARQL 1.1 Protocol, 2.1.4): ``union`` when the
    default graph is the union of every graph; otherwise the graphs merged into it.
    ``named`` None leaves every named graph available to GRAPH."""

    union: bool
    default: tuple[str, ...] = ()
    named: tuple[str, ...] | None = None


class DatasetRefused(KgError):
    pass


def _shown(value: str) -> str:
    return value if len(value) <= 120 else value[:119] + "…"


def dataset(params: Mapping[str, Sequence[str]], served: Sequence[str]) -> Dataset | None:
    """The dataset asked for by ``default-graph-uri`` / ``named-graph-uri``, or None (the
    endpoint's own); DatasetRefused names a graph that is not served here."""
    defaults = [value.strip() for value in params.get("default-graph-uri", [])]
    named = [value.strip() for value in params.get("named-graph-uri", [])]
    if not defaults and not named:
        return None
    known = ", ".join(f"<{g}>" for g in served)
    for value in defaults:
        if value != UNION_GRAPH and value not in served:
            raise DatasetRefused(
                f"default-graph-uri <{_shown(value)}> is not a graph of this endpoint; it "
                f"serves <{UNION_GRAPH}> (the union, the default) and {known}")
    for value in named:
        if value not in served:
            why = (" is the union, not a named graph" if value == UNION_GRAPH else
                   " is not a named graph of this endpoint")
            raise DatasetRefused(f"named-graph-uri <{_shown(value)}>{why}; the named graphs "
                                 f"are {known}")
    union = UNION_GRAPH in defaults
    return Dataset(union, () if union else tuple(dict.fromkeys(defaults)),
                   tuple(dict.fromkeys(named)) if named else None)


def _query_options(spec: Dataset | None) -> dict[str, Any] | None:
    """Store.query keyword arguments for a dataset (None: the union default graph)."""
    if spec is None:
        return None
    options: dict[str, Any] = {}
    if spec.union:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in spec.default]  # [] is empty
    if spec.named is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in spec.named]
    return options


# --------------------------------------------------------------------------- workers


def _quiet_stderr() -> None:
    """Send this process's stderr nowhere: Oxigraph's allocation failures and panics print
    Rust backtraces there, kilobytes per query. The parent logs one line instead."""
    try:
        sink = os.open(os.devnull, os.O_WRONLY)
        os.dup2(sink, 2)
        os.close(sink)
    except OSError:
        pass


def _worker_main(build_dir: str, conn: multiprocessing.connection.Connection,
                 max_rows: int, memory_mb: int | None) -> None:
    """A child process: load the store, then answer (query, format, dataset) messages
    until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _quiet_stderr()
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an out-of-memory abort leaves no core
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass  # best effort: not every platform has RLIMIT_AS
    try:
        from kg.store import open_build

        store = open_build(Path(build_dir))
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", graphs))
    while True:
        try:
            text, fmt, spec = conn.recv()
        except (EOFError, OSError):
            return
        reply = _answer(store, text, fmt, max_rows, spec)
        conn.send((reply.status, reply.content_type, reply.body))


def _answer(store: Any, text: str, fmt: str, max_rows: int,
            spec: Dataset | None = None) -> Reply:
    try:
        result = kq.execute(store, text, None, max_rows, dataset=_query_options(spec))
        body = render(result, fmt).encode("utf-8")
    except kq.ResultTooLarge as exc:
        return Reply.text(422, str(exc))
    except Unwritable as exc:
        return Reply.text(406, str(exc))
    except KgError as exc:  # refused by the guard, or a syntax error
        return Reply.text(400, str(exc))
    except MemoryError:
        return Reply.text(422, "the query needs more memory than the server allows")
    except UnicodeEncodeError:
        return Reply.text(422, "the result holds text that is not valid Unicode "
                               "(an unpaired surrogate)")
    except Exception as exc:
        return Reply.text(500, f"query failed: {type(exc).__name__}: {exc}")
    if len(body) > MAX_RESPONSE_BYTES:
        return Reply.text(422, f"the result is larger than {MAX_RESPONSE_BYTES // 2**20} MiB; "
                               "narrow the query or add LIMIT")
    return Reply(200, FORMATS[fmt].content_type, body)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection


class WorkerPool:
    """Child processes that each hold the store; one query at a time per child."""

    def __init__(self, build_dir: Path, size: int = DEFAULT_WORKERS,
                 max_rows: int = DEFAULT_MAX_ROWS, memory_mb: int | None = None,
                 log: Callable[[str], None] | None = None):
        # spawn, not fork: the server has threads, and each worker loads its own store
        self._context = multiprocessing.get_context("spawn")
        self._worker_args = (str(build_dir), max_rows, memory_mb)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._log = log or (lambda _message: None)
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.graphs: tuple[str, ...] = ()  # the named graphs of the build, as workers see them
        for _ in range(max(1, size)):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        build_dir, max_rows, memory_mb = self._worker_args
        process = self._context.Process(target=_worker_main, name="kg-serve-worker",
                                        args=(build_dir, child, max_rows, memory_mb),
                                        daemon=True)
        process.start()
        child.close()
        if not parent.poll(WORKER_START_TIMEOUT):
            process.kill()
            raise KgError("a query worker did not start in time")
        try:
            message = parent.recv()
        except EOFError:
            message = ("failed", "it exited while loading the graph")
        if message[0] != "ready":
            process.join(5)
            raise KgError(f"a query worker could not load the graph: {message[1]}")
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
            self.graphs = tuple(message[1])
        return worker

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker and start a replacement in the background."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

        def replace() -> None:
            try:
                if not self._closed:
                    self._idle.put(self._start())
            except KgError as exc:
                self._log(f"error: {exc}")

        threading.Thread(target=replace, name="kg-serve-respawn", daemon=True).start()

    def run(self, text: str, fmt: str, timeout: float, spec: Dataset | None = None) -> Reply:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Reply.text(503, "all query workers are busy; try again shortly")
        try:
            worker.conn.send((text, fmt, spec))
            if not worker.conn.poll(timeout):
                self._retire(worker)
                return Reply.text(503, f"query exceeded the {timeout:g} s time limit")
            status, content_type, body = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker)
            return Reply.text(503, "the query worker died (out of memory?); try a smaller "
                                   "query")
        self._idle.put(worker)
        return Reply(status, content_type, body)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.process.kill()
            worker.process.join(5)
            worker.conn.close()


# --------------------------------------------------------------------------- negotiation


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


# --------------------------------------------------------------------------- description

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, graphs: Sequence[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint: a read-only SPARQL 1.1 Query
    service, its answer formats, its default dataset (the union as the default graph, the
    build's named graphs) and the graphs a request may name in ``default-graph-uri`` /
    ``named-graph-uri``."""
    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = n(RDF_NS + "type")
    service = n(endpoint)
    data = ox.BlankNode("dataset")
    default = ox.BlankNode("union")
    available = ox.BlankNode("available")
    triples = [
        ox.Triple(service, rdf_type, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultDataset"), data),
        ox.Triple(service, n(SD + "availableGraphs"), available),
        ox.Triple(service, n("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "aigov-kg, read-only: SPARQL Update, SERVICE, LOAD and FROM are refused. "
            f"default-graph-uri may name <{UNION_GRAPH}> (the union of the build's graphs, "
            "the default) or one of the named graphs; named-graph-uri one of the named "
            "graphs.")),
        ox.Triple(data, rdf_type, n(SD + "Dataset")),
        ox.Triple(data, n(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, n(SD + "Graph")),
        ox.Triple(available, rdf_type, n(SD + "GraphCollection")),
    ]
    triples += [ox.Triple(service, n(SD + "resultFormat"), n(FORMATS_NS + name))
                for name in RESULT_FORMATS]
    for index, iri in enumerate((UNION_GRAPH, *graphs)):
        node = ox.BlankNode(f"g{index}")
        triples += [ox.Triple(node, rdf_type, n(SD + "NamedGraph")),
                    ox.Triple(node, n(SD + "name"), n(iri)),
                    ox.Triple(available, n(SD + "namedGraph"), node)]
        if iri != UNION_GRAPH:
            triples.append(ox.Triple(data, n(SD + "namedGraph"), node))
    return triples


# --------------------------------------------------------------------------- the page

_STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.3rem;margin:0 0 .8rem}
textarea{width:100%;height:16rem;font:13px/1.35 ui-monospace,monospace;box-sizing:border-box}
.bar{display:flex;gap:.6rem;align-items:center;margin:.5rem 0}
#status{color:#555;white-space:pre-wrap}
table{border-collapse:collapse;margin-top:.8rem;font-size:13px;background:#fff}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top;
max-width:36rem;word-break:keep-all;overflow-wrap:anywhere}
th{background:#eee;position:sticky;top:0;white-space:nowrap}
pre{background:#fff;border:1px solid #ccc;padding:.6rem;overflow:auto;font-size:12px}
""".strip()

_SCRIPT = """
"use strict";
const form = document.getElementById("form");
const text = document.getElementById("query");
const statusLine = document.getElementById("status");
const output = document.getElementById("output");
const pick = document.getElementById("pick");
const data = JSON.parse(document.getElementById("library").textContent);
const library = data.queries;
const namespaces = Object.entries(data.prefixes).sort((a, b) => b[1].length - a[1].length);
for (const item of library) {
  const option = document.createElement("option");
  option.value = item.name;
  option.textContent = item.name + " \\u2014 " + item.title;
  pick.appendChild(option);
}
pick.addEventListener("change", () => {
  const item = library.find((entry) => entry.name === pick.value);
  if (item) { text.value = item.text; }
});
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
});
function show(term) {
  if (!term) { return ""; }
  if (term.type === "bnode") { return "_:" + term.value; }
  if (term.type === "uri") {
    for (const [prefix, namespace] of namespaces) {
      if (term.value.startsWith(namespace) && term.value.length > namespace.length) {
        return prefix + ":" + term.value.slice(namespace.length);
      }
    }
  }
  return term.value;
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  output.replaceChildren();
  statusLine.textContent = "Running\\u2026";
  const started = performance.now();
  let response;
  try {
    response = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: text.value}),
    });
  } catch (error) {
    statusLine.textContent = "Request failed: " + error;
    return;
  }
  const body = await response.text();
  const took = Math.round(performance.now() - started) + " ms";
  if (!response.ok) {
    statusLine.textContent = response.status + " " + response.statusText + ": " + body;
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre");
    pre.textContent = body;
    output.appendChild(pre);
    statusLine.textContent = "Graph in " + took;
    return;
  }
  const data = JSON.parse(body);
  if ("boolean" in data) {
    statusLine.textContent = "ASK: " + data.boolean + " (" + took + ")";
    return;
  }
  const vars = data.head.vars;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const tbody = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = tbody.insertRow();
    for (const name of vars) {
      const cell = row.insertCell();
      const term = binding[name];
      cell.textContent = show(term);
      if (term) {
        cell.title = (term.type === "uri" ? term.value : term.type)
          + (term["xml:lang"] ? " @" + term["xml:lang"] : "")
          + (term.datatype ? " ^^" + term.datatype : "");
      }
    }
  }
  output.appendChild(table);
  statusLine.textContent = data.results.bindings.length + " row(s) in " + took;
});
""".strip()


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


PAGE_CSP = (f"default-src 'none'; script-src {_csp_hash(_SCRIPT)}; "
            f"style-src {_csp_hash(_STYLE)}; connect-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


def page(library: dict[str, kq.NamedQuery]) -> bytes:
    """The query page; library queries that need no parameter are offered as examples."""
    usable = [{"name": q.name, "title": q.title, "text": q.text}
              for q in library.values() if all(not p.required and p.default is None
                                                 for p in q.params)]
    data = json.dumps({"queries": usable, "prefixes": PREFIXES}, ensure_ascii=True).replace(
        "<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")
    first = html_text(usable[0]["text"] if usable else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aigov-kg SPARQL</title>
<style>{_STYLE}</style></head>
<body>
<h1>aigov-kg — SPARQL query</h1>
<form id="form" method="post" action="sparql">
<div class="bar"><label for="pick">Example:</label>
<select id="pick"><option value="">(choose a library query)</option></select></div>
<textarea id="query" name="query" spellcheck="false">{first}</textarea>
<div class="bar"><button type="submit">Run (Ctrl+Enter)</button>
<span id="status"></span></div>
</form>
<div id="output"></div>
<script type="application/json" id="library">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
    return document.encode("utf-8")


# --------------------------------------------------------------------------- HTTP

_HOST = re.compile(r"(?:(?P<name>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                   r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)"
                   r"|\[(?P<ip6>[0-9a-f:.]{2,45})\])(?::(?P<port>[0-9]{1,5}))?")
_BUSY_TEXT = b"too many connections at once; try again in a moment\n"
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s"
         % (len(_BUSY_TEXT), _BUSY_TEXT))


def host_refusal(values: Sequence[str], loopback_only: bool) -> Reply | None:
    """Why the ``Host`` header(s) of a request are refused, or None: exactly one, a host
    name or bracketed IPv6 address with an optional port and nothing else (so not
    ``localhost:1@evil.example``); on a loopback server a loopback name (DNS rebinding)."""
    if len(values) > 1:
        return Reply.text(400, "more than one Host header")
    if not values:
        return None  # HTTP/1.0 without Host: no browser sends that, so no rebinding
    host = values[0].strip().lower()
    match = _HOST.fullmatch(host) if len(host) <= 260 else None
    if match is None or (match["port"] and int(match["port"]) > 65535):
        return Reply.text(400, "malformed Host header")
    if match["ip6"]:
        try:
            address = ipaddress.IPv6Address(match["ip6"])
        except ValueError:
            return Reply.text(400, "malformed Host header")
        loopback = address == ipaddress.IPv6Address("::1")
    else:
        loopback = match["name"] in ("localhost", "127.0.0.1")
    if loopback_only and not loopback:
        return Reply.text(403, "unexpected Host header: this server answers only to "
                               "localhost, 127.0.0.1 or [::1]")
    return None


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is not a server error: no traceback for it."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        if self.log:
            self.log(terminal(f"error serving {client_address[0]}: "
                              f"{type(error).__name__}: {error}"))

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS look-up (socket.getfqdn): no lookups."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def __init__(self, address: tuple[str, int], pool: WorkerPool, timeout: float,
                 page_body: bytes, log: Callable[[str], None] | None,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.pool = pool
        self.query_timeout = timeout
        self.page_body = page_body
        self.log = log
        self.loopback_only = address[0] in LOOPBACK_NAMES
        self.max_connections = max(1, max_connections)
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._pending: dict[socket.socket, float] = {}
        self._pending_lock = threading.Lock()
        self._turned_away = 0
        self._turned_away_logged = 0.0
        self._stop = threading.Event()
        super().__init__(address, _Handler)
        threading.Thread(target=self._reap, name="kg-serve-reaper", daemon=True).start()

    # ---- connections: a cap, and a deadline for receiving each request

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._turn_away(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _turn_away(self, request: socket.socket) -> None:
        """503 to a connection over the cap, without a thread and without waiting for it."""
        try:
            request.setblocking(False)
            with contextlib.suppress(OSError):
                request.recv(65536)  # what has arrived, so that closing does not reset
            request.send(_BUSY)
        except OSError:
            pass
        self._turned_away += 1
        now = time.monotonic()
        if self.log and now - self._turned_away_logged >= 10:
            self.log(f"turned away {self._turned_away} connection(s) over the limit of "
                     f"{self.max_connections} (--max-connections) with 503")
            self._turned_away, self._turned_away_logged = 0, now

    def watch(self, connection: socket.socket) -> None:
        with self._pending_lock:
            self._pending[connection] = time.monotonic() + self.idle_timeout

    def received(self, connection: socket.socket) -> None:
        with self._pending_lock:
            self._pending.pop(connection, None)

    def _reap(self) -> None:
        """Close connections that have not sent their whole request in time (a client that
        trickles a byte at a time never trips the per-read socket timeout)."""
        pause = min(0.5, max(0.05, self.idle_timeout / 4))
        while not self._stop.wait(pause):
            now = time.monotonic()
            with self._pending_lock:
                late = [c for c, deadline in self._pending.items() if deadline <= now]
                for connection in late:
                    del self._pending[connection]
                    with contextlib.suppress(OSError):
                        connection.shutdown(socket.SHUT_RDWR)
            if late and self.log:
                self.log(f"closed {len(late)} connection(s) that did not send a request "
                         f"within {self.idle_timeout:g} s (--idle-timeout)")

    def server_close(self) -> None:
        self._stop.set()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "aigov-kg"

    def version_string(self) -> str:
        return self.server_version

    # ---- plumbing

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # per read and per write (StreamRequestHandler)
        super().setup()
        self.server.watch(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.received(self.connection)

    def _received(self) -> None:
        """The request is in: no more deadline for it, and the answer may take longer to
        write to a slow reader than the request could take to arrive."""
        self.server.received(self.connection)
        with contextlib.suppress(OSError):
            self.connection.settimeout(max(self.server.idle_timeout, WRITE_TIMEOUT))

    def log_message(self, format: str, *args: Any) -> None:
        """One line per event, escaped, and never longer than a line (a request line may
        be 64 KiB)."""
        if self.server.log:
            line = terminal(f"{self.address_string()} {format % args}").replace("\n", "\\n")
            self.server.log(line if len(line) <= 400 else line[:399] + "…")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: :meth:`_send` logs each answer in one line, with the reason of a
        refusal (and send_error logs its own)."""

    def _send(self, reply: Reply, extra: dict[str, str] | None = None) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        reason = reply.reason() if reply.status >= 400 else ""
        request = self.requestline if len(self.requestline) <= 160 else (
            self.requestline[:159] + "…")
        self.log_message('"%s" %s %s%s', request, reply.status, len(reply.body),
                         f" {reason}" if reason else "")

    def _host_refusal(self) -> Reply | None:
        return host_refusal(self.headers.get_all("Host") or [], self.server.loopback_only)

    def _base(self) -> str:
        """http://host:port as this client names the server (its Host header, checked)."""
        host = (self.headers.get("Host") or "").strip().lower()
        if not host:
            name, port = self.server.server_name, self.server.server_port
            host = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
        return f"http://{host}"

    def _refuse_method(self) -> None:
        self._send(Reply.text(405, "this endpoint is read-only: only GET and POST of SPARQL "
                                   "queries are allowed"), {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    # ---- routes

    def do_GET(self) -> None:
        self._received()
        refusal = self._host_refusal()
        if refusal:
            self._send(refusal)
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(Reply(200, "text/html; charset=utf-8", self.server.page_body),
                       {"Content-Security-Policy": PAGE_CSP, "Referrer-Policy": "no-referrer"})
        elif url.path in QUERY_PATHS:
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            if "query" in params or "update" in params:
                self._query(params)
            else:
                self._describe(params, url.path)
        elif url.path == "/update":
            self._refuse_method()
        else:
            self._send(Reply.text(404, "not found; the SPARQL endpoint is /sparql"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        refusal = self._host_refusal()
        if refusal:
            self._send(refusal)
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/update":
            self._refuse_method()
            return
        if url.path not in QUERY_PATHS:
            self._send(Reply.text(404, "not found; the SPARQL endpoint is /sparql"))
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._send(Reply.text(411, "a POST needs a Content-Length"))
            return
        try:
            length = int(length_header)
        except ValueError:
            self._send(Reply.text(400, "bad Content-Length"))
            return
        if length < 0 or length > MAX_BODY_BYTES:
            self._send(Reply.text(413, f"the request body is over {MAX_BODY_BYTES:,} bytes"))
            return
        raw = self.rfile.read(length)
        self._received()
        if len(raw) < length:
            self.close_connection = True
            return  # the client hung up, or was too slow: nobody to answer
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(Reply.text(400, "the request body is not UTF-8"))
            return
        if media == "application/sparql-update":
            self._send(Reply.text(405, "this endpoint is read-only: SPARQL Update is not "
                                       "accepted"), {"Allow": "GET, POST"})
        elif media == "application/sparql-query":
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            params["query"] = [body]
            self._query(params)
        elif media == "application/x-www-form-urlencoded":
            params = urllib.parse.parse_qs(body, keep_blank_values=True)
            for key, values in urllib.parse.parse_qs(url.query, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            self._query(params)
        else:
            self._send(Reply.text(415, "send the query form-encoded (query=…) or as "
                                       "application/sparql-query"))

    def _describe(self, params: dict[str, list[str]], path: str) -> None:
        """The SPARQL 1.1 Service Description, for a GET of the endpoint with no query."""
        wanted = [value for key in FORMAT_PARAMS for value in params.get(key, [])]
        fmt = negotiate(self.headers.get("Accept"), "DESCRIBE", wanted)
        if fmt is None:
            self._send(_not_acceptable("DESCRIBE"))
            return
        try:
            triples = service_description(self._base() + path, self.server.pool.graphs)
        except ValueError:  # not an IRI, whatever the Host header made of it
            triples = service_description("http://localhost" + path, self.server.pool.graphs)
        body = render_graph(triples, fmt, {"sd": SD, "formats": FORMATS_NS,
                                           "rdfs": PREFIXES["rdfs"]})
        self._send(Reply(200, FORMATS[fmt].content_type, body.encode("utf-8")))

    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(Reply.text(405, "this endpoint is read-only: SPARQL Update is not "
                                       "accepted"), {"Allow": "GET, POST"})
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._send(Reply.text(400, "give exactly one query parameter, e.g. "
                                       "/sparql?query=SELECT…"))
            return
        text = queries[0]
        try:
            form = kq.check_query(text)
            spec = dataset(params, self.server.pool.graphs)
        except KgError as exc:
            self._send(Reply.text(400, str(exc)))
            return
        wanted = [value for key in FORMAT_PARAMS for value in params.get(key, [])]
        fmt = negotiate(self.headers.get("Accept"), form, wanted)
        if fmt is None:
            self._send(_not_acceptable(form))
            return
        self._send(self.server.pool.run(text, fmt, self.server.query_timeout, spec))


def _not_acceptable(form: str) -> Reply:
    offered = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else ROW_FORMATS
    what = "a graph" if form in ("CONSTRUCT", "DESCRIBE") else f"a {form} result"
    return Reply.text(406, f"not acceptable; this endpoint gives {what} as "
                           + ", ".join(f.media[0] for f in offered)
                           + " (or format=" + "|".join(f.names[0] for f in offered) + ")")


def serve(build_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          workers: int = DEFAULT_WORKERS, memory_mb: int | None = None,
          log: Callable[[str], None] | None = None, *,
          max_connections: int = DEFAULT_MAX_CONNECTIONS,
          idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    if not (build_dir / "graph.nq").is_file():
        raise KgError(f"no graph.nq in {build_dir}; run `kg build` first")
    started = time.perf_counter()
    pool = WorkerPool(build_dir, workers, max_rows, memory_mb, say)
    try:
        server = SparqlServer((host, port), pool, timeout, page(kq.load_library()), say,
                              max_connections, idle_timeout)
    except (OSError, OverflowError) as exc:
        pool.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise KgError(f"cannot listen on {host}:{port}: {reason}") from None

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    if host not in LOOPBACK_NAMES:
        say(f"warning: listening on {host}, reachable from other machines")
    say(f"serving http://{shown}:{bound_port}/ (SPARQL endpoint /sparql, read-only; "
        f"{workers} worker(s) ready in {time.perf_counter() - started:.1f}s, "
        f"{timeout:g} s limit, {max_rows:,} rows max, {max_connections} connections max); "
        "Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        pool.close()
