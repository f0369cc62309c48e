"""`kg serve` as a client meets it: a real server process over the mini build, driven by
plain HTTP, by rdflib's SPARQLStore and SPARQLWrapper with their default settings, and by
`kg query --endpoint`; every answer is compared with the embedded store's."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result as RdflibResult

from kg.core.namespaces import GRAPH
from kg.core.project import Project
from kg.core.terms import to_rdflib
from kg.query import remote
from kg.query.library import load_library
from kg.query.run import execute
from kg.server import formats as ks
from kg.sparql.results import Result, _csv_value
from kg.store.oxigraph import open_build
from tests.kgrun import run_kg
from tests.test_queries import SLOW, VARIANTS, sample_params

pytestmark = pytest.mark.filterwarnings(  # rdflib's JSON-LD parser, not this project
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

# Records every outbound socket operation of the server and its workers (inherited via
# PYTHONPATH by the spawned worker processes too).
AUDIT = """\
import os, sys
_log = os.environ.get("KG_TEST_NETWORK_LOG")
if _log:
    def _hook(event, args):
        if event.startswith(("socket.connect", "socket.getaddrinfo", "socket.gethostby",
                             "socket.sendto", "urllib.Request")):
            with open(_log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {event} {args!r}\\n")
    sys.addaudithook(_hook)
"""

LAUNCH = """\
import sys
from kg.cli.main import cli, main
from kg.cli.query import publish, query, serve
for command in (query, publish, serve):
    if command.name not in cli.commands:
        cli.add_command(command)
sys.argv = ["kg", *sys.argv[1:]]
main()
"""

COUNTRIES = ("SELECT ?c WHERE { ?c a <https://w3id.org/aigov-kg/ontology#Country> } "
             "ORDER BY ?c")
PREFIXES = ("PREFIX aig: <https://w3id.org/aigov-kg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> ")
# IRIs, literals in English and Chinese, dates, booleans and unbound cells
ROWS = PREFIXES + """SELECT ?s ?label ?from ?reach WHERE {
  ?s aig:jurisdiction ?j ; rdfs:label ?label .
  OPTIONAL { ?s aig:effectiveFrom ?from } OPTIONAL { ?s aig:hasExtraterritorialReach ?reach }
} ORDER BY ?s ?label"""
BNODES = PREFIXES + "SELECT ?list ?first WHERE { ?list rdf:first ?first } ORDER BY ?first ?list"
ASK_TRUE = PREFIXES + "ASK { ?c a aig:Country }"
ASK_FALSE = PREFIXES + "ASK { ?c a aig:NoSuchClass }"
TRIPLES = PREFIXES + """CONSTRUCT { ?s rdfs:label ?l ; aig:effectiveFrom ?d ; aig:jurisdiction ?j }
WHERE { ?s aig:jurisdiction ?j ; rdfs:label ?l . OPTIONAL { ?s aig:effectiveFrom ?d } }"""
LISTS = PREFIXES + """CONSTRUCT { ?x rdf:first ?f ; rdf:rest ?r } WHERE {
  ?x rdf:first ?f ; rdf:rest ?r . FILTER (?f = aig:InForce || ?f = aig:Proposed) }"""
# each step doubles the string: it needs more memory than any worker is given
DOUBLING = ('SELECT ?v0 WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?v0) '
            + " ".join(f"BIND(CONCAT(?v{i - 1}, ?v{i - 1}) AS ?v{i})" for i in range(1, 40))
            + " }")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
UNION = str(GRAPH["all"])
NAMED = sorted(str(GRAPH[name]) for name in ("asserted", "inferred", "derived"))


@dataclass
class Server:
    url: str
    network_log: Path
    log: Path
    process: subprocess.Popen[bytes]
    project: Project


@dataclass
class Answer:
    status: int
    content_type: str
    body: str
    headers: dict[str, str]


def start(project: Project, hooks: Path, *options: str) -> Server:
    (hooks / "sitecustomize.py").write_text(AUDIT, "utf-8")
    network_log = hooks / "network.log"
    err = hooks / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(hooks), str(Path(__file__).resolve().parent.parent),
         os.environ.get("PYTHONPATH", "")]), "KG_TEST_NETWORK_LOG": str(network_log)}
    with err.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "--root", str(project.root), "serve", "--port", "0",
             *options], stdout=subprocess.DEVNULL, stderr=sink, env=env)
    deadline = time.monotonic() + 60
    url = ""
    while not url:
        text = err.read_text("utf-8", "replace")
        for line in text.splitlines():
            if line.startswith("serving http://"):
                url = line.split()[1].rstrip("/")
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"kg serve did not start:\n{text}")
        time.sleep(0.05)
    return Server(url, network_log, err, process, project)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def project(queries_built: Project) -> Project:
    """tests/test_queries.py's mini_project, built once for the session (conftest.py)."""
    return queries_built


@pytest.fixture(scope="session")
def store(project: Project) -> ox.Store:
    return open_build(project.build_dir)


@pytest.fixture(scope="session")
def server(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    served = start(project, tmp_path_factory.mktemp("audit"), "--timeout", "2", "--max-rows",
                   "100", "--workers", "2")
    try:
        yield served
    finally:
        stop(served)


@pytest.fixture(scope="session")
def tight(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with little room: three connections, two seconds to send a request, one
    worker with 400 MiB."""
    served = start(project, tmp_path_factory.mktemp("tight"), "--timeout", "5", "--workers",
                   "1", "--max-connections", "3", "--idle-timeout", "2", "--max-memory", "400")
    try:
        yield served
    finally:
        stop(served)


def ask(server: Server, query: str | None = None, *, method: str = "POST",
        accept: str | None = "application/sparql-results+json", body: bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded", path: str = "/sparql",
        headers: dict[str, str] | None = None,
        fields: list[tuple[str, str]] | None = None) -> Answer:
    url = server.url + path
    data = body
    form = ([("query", query)] if query is not None else []) + (fields or [])
    if form and method in ("GET", "HEAD"):
        url += "?" + urllib.parse.urlencode(form)
    elif form:
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", content_type)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""),
                          response.read().decode("utf-8"), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers.get("Content-Type", ""),
                      exc.read().decode("utf-8"), dict(exc.headers))


def countries(answer: Answer) -> list[str]:
    document = json.loads(answer.body)
    assert document["head"]["vars"] == ["c"]
    return [b["c"]["value"].rsplit("/", 1)[1] for b in document["results"]["bindings"]]


# --------------------------------------------------------------------------- embedded answers


def embedded(store: ox.Store, text: str) -> Result:
    return execute(store, text, None, 1000)


def embedded_rows(store: ox.Store, text: str) -> list[tuple]:
    return [tuple(None if term is None else to_rdflib(term) for term in row)
            for row in embedded(store, text).rows]


def embedded_csv(store: ox.Store, text: str) -> list[list[str]]:
    result = embedded(store, text)
    return [result.variables, *([_csv_value(term) for term in row] for row in result.rows)]


def embedded_graph(store: ox.Store, text: str) -> Graph:
    graph = Graph()
    for triple in embedded(store, text).triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                   to_rdflib(triple.object)))
    return graph


def comparable(rows: list) -> list:
    """Rows with blank nodes masked and then sorted: a blank node's label (and so the order
    of an ORDER BY on it) is the loading process's own."""
    def mask(value: object) -> object:
        if isinstance(value, BNode) or (isinstance(value, str) and value.startswith("_:")):
            return "_:"
        return value

    masked = [tuple(mask(value) for value in row) for row in rows]
    return masked if masked == [tuple(row) for row in rows] else sorted(masked, key=repr)


def parsed_rows(body: str | bytes, fmt: str) -> list[tuple]:
    """Rows read back by rdflib's own SPARQL result parsers (xml, json, tsv)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    result = RdflibResult.parse(io.BytesIO(data), format=fmt)
    return [tuple(row) for row in result]


def parsed_graph(body: str | bytes, fmt: str) -> Graph:
    return Graph().parse(data=body, format=fmt)


def as_graph(converted: object) -> Graph:
    graph = Graph()
    for triple in converted.triples((None, None, None)):  # type: ignore[attr-defined]
        graph.add(triple)
    return graph


# --------------------------------------------------------------------------- protocol


def test_select_answers_sparql_json(server):
    for answer in (ask(server, COUNTRIES), ask(server, COUNTRIES, method="GET"),
                   ask(server, None, body=COUNTRIES.encode(),
                       content_type="application/sparql-query")):
        assert answer.status == 200, answer.body
        assert answer.content_type == "application/sparql-results+json"
        assert countries(answer) == ["cn", "de", "it", "us"]


@pytest.mark.parametrize(("accept", "form", "wanted", "chosen"), [
    (None, "SELECT", (), "json"),
    ("", "CONSTRUCT", (), "ttl"),
    ("*/*", "SELECT", (), "json"),
    ("*/*", "DESCRIBE", (), "ttl"),
    ("application/sparql-results+xml", "SELECT", (), "xml"),
    ("application/sparql-results+xml", "ASK", (), "xml"),
    ("application/xml", "SELECT", (), "xml"),
    # rdflib's SPARQLStore, for every query form
    ("application/rdf+xml, application/sparql-results+xml", "SELECT", (), "xml"),
    ("application/rdf+xml, application/sparql-results+xml", "CONSTRUCT", (), "rdfxml"),
    ("text/tab-separated-values;q=0.9, text/csv;q=0.5", "SELECT", (), "tsv"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "SELECT", (), "tsv"),
    ("TEXT/CSV; charset=utf-8", "SELECT", (), "csv"),
    ("text/*", "SELECT", (), "csv"),
    ("text/*;q=0.5, text/csv;q=0", "SELECT", (), "tsv"),  # the specific range wins
    ("application/sparql-results+xml, */*", "SELECT", (), "xml"),  # exact beats wildcard
    ("*/*;q=0.1, application/sparql-results+json;q=0.2", "SELECT", (), "json"),
    ("application/*", "CONSTRUCT", (), "nt"),  # not Turtle: it is text/turtle
    ("application/ld+json", "DESCRIBE", (), "jsonld"),
    ("application/n-triples;q=0.4, text/turtle;q=0.8", "CONSTRUCT", (), "ttl"),
    ("text/html", "SELECT", (), None),
    ("text/html, text/csv;q=0", "SELECT", (), None),
    ("application/sparql-results+json", "CONSTRUCT", (), None),
    ("text/turtle", "SELECT", (), None),
    ("application/json;q=oops", "SELECT", (), None),
    # format= / output= / results=, short names or media types, before Accept
    ("text/csv", "SELECT", ("json",), "json"),
    ("*/*", "SELECT", ("xml",), "xml"),
    ("*/*", "CONSTRUCT", ("xml",), "rdfxml"),
    ("*/*", "CONSTRUCT", ("json",), "jsonld"),
    ("application/turtle,text/turtle", "CONSTRUCT", ("turtle", "turtle", "turtle"), "ttl"),
    ("*/*", "CONSTRUCT", ("n3",), "ttl"),
    ("*/*", "CONSTRUCT", ("ntriples",), "nt"),
    ("*/*", "CONSTRUCT", ("jsonld",), "jsonld"),
    ("*/*", "CONSTRUCT", ("json-ld", "application/ld+json"), "jsonld"),
    ("*/*", "SELECT", ("tsv", "text/tab-separated-values"), "tsv"),
    ("*/*", "SELECT", ("text/csv",), "csv"),
    ("text/csv", "SELECT", ("turtle",), "csv"),  # a graph format for rows: Accept decides
    ("*/*", "SELECT", ("", "csv"), "csv"),
    ("*/*", "SELECT", ("bogus",), None),
])
def test_negotiation(accept, form, wanted, chosen):
    assert ks.negotiate(accept, form, wanted) == chosen


def test_content_negotiation_over_http(server):
    csv_answer = ask(server, COUNTRIES, accept="text/csv")
    assert csv_answer.content_type.startswith("text/csv")
    assert csv_answer.body.split("\r\n")[:2] == ["c", "https://w3id.org/aigov-kg/id/cn"]
    tsv_answer = ask(server, COUNTRIES, accept="text/tab-separated-values;q=0.9, text/csv;q=0.5")
    assert tsv_answer.body.splitlines()[:2] == ["?c", "<https://w3id.org/aigov-kg/id/cn>"]
    graph = ask(server, "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t . FILTER (?c = "
                "<https://w3id.org/aigov-kg/id/cn>) }", accept="application/n-triples")
    assert graph.status == 200 and graph.content_type == "application/n-triples"
    assert "<https://w3id.org/aigov-kg/ontology#Country>" in graph.body
    xml = ask(server, COUNTRIES, accept="application/sparql-results+xml")
    assert xml.status == 200 and xml.content_type == "application/sparql-results+xml"
    assert ET.fromstring(xml.body).tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    refused = ask(server, COUNTRIES, accept="text/html")
    assert refused.status == 406
    assert refused.body.startswith("not acceptable; this endpoint gives a SELECT result as "
                                   "application/sparql-results+json, "
                                   "application/sparql-results+xml, text/csv, "
                                   "text/tab-separated-values (or format=json|xml|csv|tsv)")
    # SPARQLWrapper's parameters: format, output and results, all three
    turtle = ask(server, TRIPLES, method="GET", accept="application/turtle,text/turtle",
                 fields=[("format", "turtle"), ("output", "turtle"), ("results", "turtle")])
    assert turtle.status == 200 and turtle.content_type == "text/turtle; charset=utf-8"
    unknown = ask(server, COUNTRIES, fields=[("format", "yaml")])
    assert unknown.status == 406


@pytest.mark.parametrize("text", [ROWS, BNODES, COUNTRIES])
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_rows_in_every_format_are_the_embedded_rows(server, store, text, fmt):
    answer = ask(server, text, accept=ks.FORMATS[fmt].media[0])
    assert answer.status == 200, answer.body
    assert answer.content_type == ks.FORMATS[fmt].content_type
    if fmt == "csv":
        assert comparable(list(csv.reader(io.StringIO(answer.body)))) == comparable(
            embedded_csv(store, text))
    else:
        assert comparable(parsed_rows(answer.body, fmt)) == comparable(
            embedded_rows(store, text))
    assert len(embedded_rows(store, text)) > 3


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_ask_in_every_format(server, fmt):
    for text, expected in ((ASK_TRUE, True), (ASK_FALSE, False)):
        answer = ask(server, text, method="GET", accept=ks.FORMATS[fmt].media[0])
        assert answer.status == 200, answer.body
        if fmt in ("json", "xml"):
            assert RdflibResult.parse(io.BytesIO(answer.body.encode()),
                                      format=fmt).askAnswer is expected
        else:
            assert answer.body.strip() == str(expected).lower()


@pytest.mark.parametrize("text", [TRIPLES, LISTS])
@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"),
                                             ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_graphs_in_every_format_are_the_embedded_graph(server, store, text, fmt, parser):
    answer = ask(server, text, accept=ks.FORMATS[fmt].media[0])
    assert answer.status == 200, answer.body
    assert answer.content_type == ks.FORMATS[fmt].content_type
    expected = embedded_graph(store, text)
    assert len(expected) >= 4
    assert isomorphic(parsed_graph(answer.body, parser), expected)


def test_hostile_text_stays_well_formed_xml():
    hostile = ox.Literal('<a href="x">&amp; ]]> "quoted"\r\n\t</a> 中文', language="zh")
    iri = ox.NamedNode("https://example.org/x?a=1&b=<2>".replace("<", "%3C").replace(">", "%3E"))
    rows = Result("SELECT", ["x", "y"], [(iri, hostile), (None, ox.BlankNode("b0"))])
    parsed = parsed_rows(ks.to_xml_results(rows), "xml")
    assert parsed == [(URIRef(iri.value), Literal(hostile.value, lang="zh")),
                      (None, parsed[1][1])]
    triples = [ox.Triple(iri, ox.NamedNode("https://example.org/p-1.x"), hostile),
               ox.Triple(ox.BlankNode("0abc"), ox.NamedNode("https://example.org/q"), iri)]
    graph = parsed_graph(ks.to_rdfxml(triples), "xml")
    assert (URIRef(iri.value), URIRef("https://example.org/p-1.x"),
            Literal(hostile.value, lang="zh")) in graph
    assert len(graph) == 2
    # what XML 1.0 cannot carry is refused, not written
    with pytest.raises(ks.Unwritable, match="U\\+0001"):
        ks.to_xml_results(Result("SELECT", ["x"], [(ox.Literal("a\x01b"),)]))
    with pytest.raises(ks.Unwritable, match="cannot be written as RDF/XML"):
        ks.to_rdfxml([ox.Triple(iri, ox.NamedNode("https://example.org/1"), iri)])


# --------------------------------------------------------------------------- clients


def test_rdflib_sparqlstore_with_default_settings(server, store):
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    assert [tuple(row) for row in graph.query(ROWS)] == embedded_rows(store, ROWS)
    assert comparable([tuple(row) for row in graph.query(BNODES)]) == comparable(
        embedded_rows(store, BNODES))
    assert graph.query(ASK_TRUE).askAnswer is True
    assert graph.query(ASK_FALSE).askAnswer is False
    for text in (TRIPLES, LISTS):
        constructed = graph.query(text).graph
        assert isomorphic(as_graph(constructed), embedded_graph(store, text))
    assert len(graph) == len(store)  # a COUNT on the server
    cn = URIRef("https://w3id.org/aigov-kg/id/cn")
    assert set(graph.triples((cn, None, None))) == {
        (cn, to_rdflib(q.predicate), to_rdflib(q.object))
        for q in store.quads_for_pattern(ox.NamedNode(cn), None, None)}


SELECT_FORMATS = ("xml", "json", "csv", "tsv")
CONSTRUCT_FORMATS = ("xml", "rdf+xml", "turtle", "n3", "json-ld")


def wrapper(server: Server, text: str, fmt: str, method: str):
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(text)
    client.setReturnFormat(fmt)
    if method == "POST":
        client.setMethod(POST)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.query()
        converted = response.convert()
    complaints = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert complaints == []  # no "Format requested was X, but Y has been returned"
    return converted


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_sparqlwrapper_select_and_ask(server, store, fmt, method):
    converted = wrapper(server, ROWS, fmt, method)
    if fmt == "xml":
        rows = parsed_rows(converted.toxml(), "xml")
    elif fmt == "json":
        rows = parsed_rows(json.dumps(converted), "json")
    elif fmt == "tsv":
        rows = parsed_rows(converted, "tsv")
    else:
        rows = list(csv.reader(io.StringIO(converted.decode("utf-8"))))
    assert rows == (embedded_csv(store, ROWS) if fmt == "csv" else embedded_rows(store, ROWS))
    for text, expected in ((ASK_TRUE, True), (ASK_FALSE, False)):
        converted = wrapper(server, text, fmt, method)
        if fmt == "xml":
            answer = converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        elif fmt == "json":
            answer = converted["boolean"]
        else:
            answer = converted.strip() == b"true"
        assert answer is expected


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", CONSTRUCT_FORMATS)
def test_sparqlwrapper_construct(server, store, fmt, method):
    for text in (TRIPLES, LISTS):
        converted = wrapper(server, text, fmt, method)
        graph = (parsed_graph(converted, "turtle") if fmt in ("turtle", "n3")
                 else as_graph(converted))
        assert isomorphic(graph, embedded_graph(store, text)), fmt


def test_kg_query_endpoint_gives_the_embedded_rows_for_every_named_query(capsys, server,
                                                                        store):
    library = load_library()
    cases = [(name, sample_params(store, name)) for name in library] + VARIANTS
    for name, params in cases:
        fmt = "nt" if library[name].form in ("CONSTRUCT", "DESCRIBE") else "json"
        args = ["query", name, "--format", fmt]
        for key, value in params.items():
            args += ["--param", f"{key}={value}"]
        local = run_kg(capsys, server.project.root, *args)
        assert local.code == 0, (name, local.err)
        served = run_kg(capsys, server.project.root, *args, "--endpoint", server.url)
        assert served.code == 0, (name, served.err)
        assert served.out == local.out, (name, params)
        assert served.out.strip(), name
    # and the table a person reads, byte for byte
    args = ["query", "actor-exposures", "--param", "actor=acme-lab", "--param",
            "asOf=2026-01-01"]
    assert run_kg(capsys, server.project.root, *args, "--endpoint", server.url).out == run_kg(
        capsys, server.project.root, *args).out


def test_endpoint_and_graph_arguments_are_usage_errors(capsys, server):
    root = server.project.root
    for args, message in (
            (("--endpoint", "http://[::1"), "error: --endpoint: 'http://[::1' is not a valid "
                                            "URL (Invalid IPv6 URL)"),
            (("--endpoint", "http://127.0.0.1:70000"), "is not a valid URL (Port out of range"),
            (("--endpoint", "http://local host"), "is not a valid URL: it contains ' '"),
            (("--endpoint", server.url, "--graph", "https://w3id.org/aigov-kg/graph/all>"),
             "error: --graph 'https://w3id.org/aigov-kg/graph/all>' is not a valid IRI: it "
             "contains '>'"),
            (("--endpoint", server.url, "--graph", "no such graph"), "is not a valid IRI"),
            (("--endpoint", server.url, "--graph", "https://example.org/elsewhere"),
             "HTTP 400 Bad Request: default-graph-uri <https://example.org/elsewhere> is not "
             "a graph of this endpoint")):
        run = run_kg(capsys, root, "query", "risk-taxonomy", *args)
        assert run.code == 2, (args, run.err)
        assert message in run.err, run.err
        assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1


def test_dataset_parameters_name_the_served_graphs(server, store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def size(*fields: tuple[str, str]) -> int:
        answer = ask(server, count, fields=list(fields))
        assert answer.status == 200, answer.body
        return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])

    parts = {g: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
             for g in NAMED}
    assert all(parts.values())
    total = size()
    assert total == sum(parts.values()) == size(("default-graph-uri", UNION))
    for graph, triples in parts.items():
        assert size(("default-graph-uri", graph)) == triples
    asserted, derived, inferred = NAMED
    assert size(("default-graph-uri", asserted), ("default-graph-uri", inferred)) == (
        parts[asserted] + parts[inferred])
    # named graphs only: the default graph is empty, GRAPH sees just those
    assert size(("named-graph-uri", inferred)) == 0
    by_graph = ask(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
                   fields=[("default-graph-uri", UNION), ("named-graph-uri", inferred),
                           ("named-graph-uri", derived)])
    assert [b["g"]["value"] for b in json.loads(by_graph.body)["results"]["bindings"]] == [
        derived, inferred]
    # kg's own client with --graph
    rows = remote.remote_select(server.url, count, graph_iri=asserted)
    assert int(rows[0]["n"].value) == parts[asserted]
    # anything else is a clear 400
    unknown = ask(server, count, fields=[("default-graph-uri", "http://example.org/g")])
    assert unknown.status == 400
    assert unknown.body.strip() == (
        f"default-graph-uri <http://example.org/g> is not a graph of this endpoint; it serves "
        f"<{UNION}> (the union, the default) and <{asserted}>, <{derived}>, <{inferred}>")
    union_named = ask(server, count, method="GET", fields=[("named-graph-uri", UNION)])
    assert union_named.status == 400
    assert union_named.body.startswith(f"named-graph-uri <{UNION}> is the union, not a named "
                                       "graph; the named graphs are")


def test_the_service_description(server):
    endpoint = URIRef(server.url + "/sparql")
    answer = ask(server, None, method="GET", accept="text/turtle")
    assert answer.status == 200 and answer.content_type == "text/turtle; charset=utf-8"
    graph = parsed_graph(answer.body, "turtle")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert graph.value(endpoint, SD.supportedLanguage) == SD.SPARQL11Query
    assert set(graph.objects(endpoint, SD.resultFormat)) == {FORMATS[name] for name in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
        "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")}
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert sorted(str(graph.value(node, SD.name))
                  for node in graph.objects(dataset, SD.namedGraph)) == NAMED
    available = graph.value(endpoint, SD.availableGraphs)
    assert sorted(str(graph.value(node, SD.name))
                  for node in graph.objects(available, SD.namedGraph)) == sorted([UNION, *NAMED])
    # the same description in the other graph formats, by Accept or format=
    for accept, fields, parser in (("application/ld+json", [], "json-ld"),
                                   ("*/*", [("format", "ntriples")], "nt"),
                                   ("application/rdf+xml", [], "xml")):
        other = ask(server, None, method="GET", accept=accept, fields=fields)
        assert other.status == 200, other.body
        assert isomorphic(parsed_graph(other.body, parser), graph)
    head = ask(server, None, method="HEAD", accept=None)
    assert head.status == 200 and head.body == ""
    assert ask(server, None, method="GET", accept="text/csv").status == 406


def test_updates_are_refused_and_change_nothing(server):
    size = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = json.loads(ask(server, size).body)["results"]["bindings"][0]["n"]["value"]
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    as_update = ask(server, None, body=urllib.parse.urlencode({"update": insert}).encode())
    assert as_update.status == 405
    assert "read-only" in as_update.body
    as_body = ask(server, None, body=insert.encode(), content_type="application/sparql-update")
    assert as_body.status == 405
    assert ask(server, None, path="/update", body=b"update=DROP+ALL").status == 405
    assert ask(server, None, method="PUT", body=b"<a:b> <a:b> <a:b> .").status == 405
    in_query = ask(server, "DROP ALL")
    assert in_query.status == 400
    assert "query refused: DROP is SPARQL Update" in in_query.body
    after = json.loads(ask(server, size).body)["results"]["bindings"][0]["n"]["value"]
    assert after == before


def test_service_is_refused_and_no_connection_is_made(server):
    hits: list[object] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            hits.append(connection)
            connection.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                      f"select * where {{ # comment\n sErViCe SILENT <http://127.0.0.1:{port}/>"
                      " { ?s ?p ?o } }",
                      f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
                      f"LOAD <http://127.0.0.1:{port}/data.ttl>"):
            answer = ask(server, query, method="GET")
            assert answer.status == 400, query
            assert answer.body.startswith("query refused:"), answer.body
        dataset = ask(server, None, body=urllib.parse.urlencode({
            "query": COUNTRIES, "default-graph-uri": f"http://127.0.0.1:{port}/g"}).encode())
        assert dataset.status == 400
        time.sleep(0.3)
    finally:
        stop.set()
        watcher.join(2)
        listener.close()
    assert hits == []


def test_a_slow_query_is_stopped_at_the_time_limit(server):
    started = time.monotonic()
    answer = ask(server, SLOW)
    took = time.monotonic() - started
    assert answer.status == 503
    assert answer.body.strip() == "query exceeded the 2 s time limit"
    assert 1.9 < took < 10
    # the killed worker is replaced, and the server keeps answering
    for _ in range(3):
        assert countries(ask(server, COUNTRIES)) == ["cn", "de", "it", "us"]


def test_the_result_cap_is_an_error_not_a_truncated_200(server):
    answer = ask(server, "SELECT * WHERE { ?s ?p ?o }")
    assert answer.status == 422
    assert "the result has more than 100 rows" in answer.body
    assert ask(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 100").status == 200


def test_the_query_page_is_offline_and_escapes_data(server):
    page = ask(server, None, method="GET", path="/", accept="text/html")
    assert page.status == 200 and page.content_type.startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert "connect-src 'self'" in policy
    assert "textContent" in page.body and "innerHTML" not in page.body
    for external in ("src=\"http", "href=\"http", "cdn", "@import"):
        assert external not in page.body
    library = page.body.split('id="library">')[1].split("</script>")[0]
    assert "<" not in library  # data cannot close its script element
    assert "risk-taxonomy" in {q["name"] for q in json.loads(library)["queries"]}


@pytest.mark.parametrize(("host", "status"), [
    ("localhost:1@evil.example", 400),
    ("localhost@evil.example", 400),
    ("evil.example", 403),
    ("attacker.example:7878", 403),
    ("localhost.evil.example", 403),
    ("127.0.0.1.nip.io", 403),
    ("[::2]:80", 403),
    ("localhost.", 400),
    ("localhost:", 400),
    ("localhost:99999", 400),
    ("localhost:80:80", 400),
    ("[::1", 400),
    ("local host", 400),
    ("localhost/x", 400),
    ("", 400),
    ("localhost", 200),
    ("LOCALHOST:7878", 200),
    ("127.0.0.1:1", 200),
    ("[::1]:7878", 200),
    ("[0:0:0:0:0:0:0:1]", 200),
])
def test_the_host_header_is_checked_strictly(server, host, status):
    answer = ask(server, COUNTRIES, headers={"Host": host})
    assert answer.status == status, answer.body
    if status == 403:
        assert answer.body.startswith("unexpected Host header")
    elif status == 400:
        assert answer.body.strip() == "malformed Host header"


def raw(server: Server, request: bytes, timeout: float = 10) -> bytes:
    parts = urllib.parse.urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_two_host_headers_are_refused(server):
    reply = raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Host: evil.example\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 400 ") and reply.endswith(b"more than one Host header\n")


def test_no_outbound_connection_was_made(server):
    ask(server, COUNTRIES)
    log = server.network_log.read_text("utf-8") if server.network_log.exists() else ""
    assert log == ""


# --------------------------------------------------------------------------- bounds


def connect(server: Server) -> socket.socket:
    parts = urllib.parse.urlsplit(server.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def closed_within(sock: socket.socket, seconds: float, drip: bytes = b"") -> float | None:
    """How long until the server closes the connection (None: not within ``seconds``),
    sending ``drip`` every 0.3 s meanwhile."""
    started = time.monotonic()
    sock.settimeout(0.3)
    while time.monotonic() - started < seconds:
        try:
            if drip:
                sock.sendall(drip)
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - started
    return None


def test_connections_are_capped_and_silent_clients_dropped(tight):
    assert ask(tight, ASK_TRUE).status == 200
    silent = [connect(tight) for _ in range(3)]
    try:
        time.sleep(0.3)
        started = time.monotonic()
        reply = raw(tight, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert reply.startswith(b"HTTP/1.0 503 Service Unavailable\r\n"), reply
        assert reply.endswith(b"too many connections at once; try again in a moment\n")
        assert time.monotonic() - started < 1
        # the silent ones are closed at the idle timeout, and their places freed
        for sock in silent:
            took = closed_within(sock, 6)
            assert took is not None and took < 4
    finally:
        for sock in silent:
            sock.close()
    # a client that trickles its request a header at a time is closed at the deadline too
    with connect(tight) as trickle:
        trickle.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        took = closed_within(trickle, 8, drip=b"X-Drip: 1\r\n")
        assert took is not None and took < 4
    assert ask(tight, ASK_TRUE).status == 200
    log = tight.log.read_text("utf-8")
    assert "turned away 1 connection(s) over the limit of 3 (--max-connections) with 503" in log


def test_a_failed_query_is_one_log_line_never_a_backtrace(tight):
    died = ask(tight, DOUBLING)
    assert died.status == 503
    assert died.body.strip() == "the query worker died (out of memory?); try a smaller query"
    refused = ask(tight, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert refused.status == 400
    deadline = time.monotonic() + 60  # the dead worker is replaced
    while ask(tight, ASK_TRUE).status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(0.2)
    log = tight.log.read_text("utf-8", "replace")
    for noise in ("backtrace", "Traceback", "panicked", "memory allocation", "RUST"):
        assert noise not in log, log
    lines = log.splitlines()
    assert sum(' 503 ' in line and line.endswith(
        "the query worker died (out of memory?); try a smaller query") for line in lines) == 1
    assert sum(' 400 ' in line and "query refused: SERVICE (federated query) is not allowed" in line
               for line in lines) == 1
    assert all(len(line) < 400 for line in lines)
