"""The remote engine path against a real Oxigraph server: publish the mini build, then every
named query must give the same answer through the server as on the embedded store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.core.errors import UsageError
from kg.core.project import Project
from kg.query import remote
from kg.query.library import load_library
from kg.query.run import execute
from kg.sparql.bind import bind, inject_values, parse_iri, parse_value
from kg.sparql.guard import check_query
from kg.sparql.queryfile import Param
from kg.store.oxigraph import open_build
from tests.kgrun import run_kg
from tests.test_queries import SAMPLES, VARIANTS, sample_params

OTHER_GRAPH = "http://example.org/someone-elses-graph"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = oxigraph_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("CI is set but the oxigraph server is not installed "
                        "(pip install 'oxigraph>=0.5,<0.6')")
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-db")
    log = (tmp_path_factory.mktemp("oxigraph-log") / "server.log").open("w")
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the oxigraph server did not start (exit {process.poll()})")
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def project(queries_built: Project) -> Project:
    """tests/test_queries.py's mini_project, built once for the session (conftest.py)."""
    return queries_built


def http(method: str, url: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def count(base: str, graph: str) -> int:
    target = remote.endpoint(base)
    rows = remote.remote_select(target, COUNT % graph, graph_iri=None)  # the whole dataset
    return int(rows[0]["n"].value)


@pytest.fixture(scope="session")
def published(server: str, project: Project) -> int:
    """Someone else's graph on the server; the number of triples the build has."""
    http("PUT", f"{server}/store?graph={urllib.parse.quote(OTHER_GRAPH, safe='')}",
         b"<http://example.org/a> <http://example.org/b> \"kept\" .\n"
         b"<http://example.org/a> <http://example.org/b> \"also kept\" .\n",
         {"Content-Type": "application/n-triples"})
    _body, triples = remote.union_ntriples(project.build_dir)
    return triples


def test_publish_then_every_named_query_answers_as_embedded(capsys, server, project, published):
    run = run_kg(capsys, project.root, "publish", "--endpoint", server)
    assert run.code == 0, run.err
    assert f"published {published:,} triples to <{remote.DEFAULT_GRAPH}>" in run.err
    assert count(server, remote.DEFAULT_GRAPH) == published

    store = open_build(project.build_dir)
    library = load_library()
    target = remote.endpoint(server)
    cases = [(name, sample_params(store, name)) for name in library] + VARIANTS
    assert {name for name, _params in cases} == set(library) == set(SAMPLES)
    for name, params in cases:
        named = library[name]
        bindings = bind(named, params)
        embedded = execute(store, named.text, bindings)
        served = remote.remote_query(target, named.text, bindings)
        assert served == embedded, (name, params)

    # and through the command line, byte for byte
    args = ["query", "actor-exposures", "--param", "actor=acme-lab", "--param",
            "asOf=2026-01-01", "--format", "csv"]
    local = run_kg(capsys, project.root, *args)
    over_http = run_kg(capsys, project.root, *args, "--endpoint", server)
    assert over_http.code == 0, over_http.err
    assert over_http.out == local.out and local.out.count("\r\n") == 11


def test_republishing_replaces_and_leaves_other_graphs_alone(capsys, server, project,
                                                            published):
    # stale content in our graph must go, not pile up
    http("PUT", f"{server}/store?graph={urllib.parse.quote(remote.DEFAULT_GRAPH, safe='')}",
         b"<http://example.org/stale> <http://example.org/p> \"old\" .\n",
         {"Content-Type": "application/n-triples"})
    for _ in range(2):
        run = run_kg(capsys, project.root, "publish", "--endpoint", server)
        assert run.code == 0, run.err
    assert count(server, remote.DEFAULT_GRAPH) == published
    stale = remote.remote_select(remote.endpoint(server), "SELECT ?o WHERE { "
                                 "<http://example.org/stale> ?p ?o }")
    assert stale == []
    assert count(server, OTHER_GRAPH) == 2


def test_a_second_graph_iri_is_its_own_graph(capsys, server, project, published):
    run = run_kg(capsys, project.root, "publish", "--store-url", f"{server}/store", "--graph",
                 "https://example.org/kg-copy")
    assert run.code == 0, run.err
    assert count(server, "https://example.org/kg-copy") == published
    assert count(server, remote.DEFAULT_GRAPH) == published
    assert count(server, OTHER_GRAPH) == 2


def test_remote_queries_are_guarded_before_sending(capsys, queries_copy):
    project = queries_copy  # it writes a query file into the project: a copy of its own
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: a send would fail differently
    file = project.root / "federated.rq"
    file.write_text("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", "utf-8")
    run = run_kg(capsys, project.root, "query", str(file), "--endpoint", closed)
    assert run.code == 2
    assert "query refused: SERVICE" in run.err
    run = run_kg(capsys, project.root, "query", "risk-taxonomy", "--endpoint", closed)
    assert run.code == 2
    assert "cannot reach" in run.err


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.org/", "is not an http(s) URL"),
    ("file:///etc/passwd", "is not an http(s) URL"),
    ("http://user:secret@example.org/", "put credentials in KG_ENDPOINT_USER"),
    ("example.org:7878", "is not an http(s) URL"),
    ("http://[::1", "'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
    ("http://[::1]:99999/", "is not a valid URL (Port out of range 0-65535)"),
    ("http://localhost:port/", "is not a valid URL (Port could not be cast"),
    ("http://exa mple.org/", "is not a valid URL: it contains ' '"),
    ("http://example.org/\x1b[2J", "'http://example.org/\\x1b[2J' is not a valid URL: it "
                                    "contains '\\x1b'"),
    ("http://example.org/a>b", "is not a valid URL: it contains '>'"),
])
def test_endpoint_urls_are_checked(url, message):
    with pytest.raises(UsageError) as caught:
        remote.endpoint(url)
    assert message in str(caught.value)
    with pytest.raises(UsageError):
        remote.endpoint(None, query_url=url)


@pytest.mark.parametrize("value", ["https://w3id.org/aigov-kg/graph/all>",
                                   "<https://example.org/a b>", "no scheme", "x:y\n"])
def test_graph_iris_are_checked_before_sending(value):
    with pytest.raises(UsageError, match="--graph"):
        remote.check_graph_iri(value)
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(UsageError, match="--graph"):  # not "cannot reach": nothing was sent
        remote.remote_query(closed, "ASK {}", graph_iri=value)


def test_credentials_come_from_the_environment_only():
    assert remote.auth_headers("https://kg.example.org/query", {}) == {}
    assert remote.auth_headers("https://kg.example.org/query", {"KG_ENDPOINT_TOKEN": "t0k"}) == {
        "Authorization": "Bearer t0k"}
    assert remote.auth_headers("http://127.0.0.1:7878/query", {
        "KG_ENDPOINT_USER": "ana", "KG_ENDPOINT_PASSWORD": "pw"}) == {
        "Authorization": "Basic YW5hOnB3"}
    with pytest.raises(UsageError, match="refusing to send credentials over plain http"):
        remote.auth_headers("http://kg.example.org/query", {"KG_ENDPOINT_TOKEN": "t0k"})


def test_values_block_goes_at_the_start_of_the_where_group():
    named = load_library()["actor-exposures"]
    text = inject_values(named.text, bind(named, {"actor": "acme-lab",
                                                        "asOf": "2026-01-01"}))
    where = text.index("WHERE {")
    assert text[where:].startswith(
        'WHERE { VALUES (?actor ?asOf) { (<https://w3id.org/aigov-kg/id/acme-lab> '
        '"2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) } ')
    assert text.rstrip().endswith("?exposure ?risk")  # nothing trailing
    sub = inject_values("SELECT ?x { SELECT ?x WHERE { BIND(1 AS ?x) } }",
                           {"y": parse_iri("id:eu")})
    assert sub == ("SELECT ?x { VALUES (?y) { (<https://w3id.org/aigov-kg/id/eu>) } { SELECT ?x "
                   "WHERE { BIND(1 AS ?x) } } }")
    # whatever the string, it stays inside its literal
    hostile = inject_values("SELECT ?s WHERE { }", {"s": parse_value(
        Param("s", "string", True, None, ""), 'x" } ; DROP ALL ; #\n')})
    assert check_query(hostile) == "SELECT"
    assert '"x\\" } ; DROP ALL ; #\\n"' in hostile
