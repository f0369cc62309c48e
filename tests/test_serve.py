"""`kg serve` as a client meets it: a real server process over the mini build."""

from __future__ import annotations

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.build import build
from tests.test_queries import SLOW, mini_project

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
from kg.cli import cli, main
from kg.cli_query import publish, query, serve
for command in (query, publish, serve):
    if command.name not in cli.commands:
        cli.add_command(command)
sys.argv = ["kg", *sys.argv[1:]]
main()
"""

COUNTRIES = ("SELECT ?c WHERE { ?c a <https://w3id.org/aigov-kg/ontology#Country> } "
             "ORDER BY ?c")


@dataclass
class Server:
    url: str
    network_log: Path
    process: subprocess.Popen[bytes]


@dataclass
class Answer:
    status: int
    content_type: str
    body: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = mini_project(tmp_path_factory.mktemp("serve"))
    build(project)
    hooks = tmp_path_factory.mktemp("audit")
    (hooks / "sitecustomize.py").write_text(AUDIT, "utf-8")
    network_log = hooks / "network.log"
    err = hooks / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(hooks), str(Path(__file__).resolve().parent.parent),
         os.environ.get("PYTHONPATH", "")]), "KG_TEST_NETWORK_LOG": str(network_log)}
    with err.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "--root", str(project.root), "serve", "--port", "0",
             "--timeout", "2", "--max-rows", "100", "--workers", "2"],
            stdout=subprocess.DEVNULL, stderr=sink, env=env)
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
    try:
        yield Server(url, network_log, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def ask(server: Server, query: str | None = None, *, method: str = "POST",
        accept: str | None = "application/sparql-results+json", body: bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded", path: str = "/sparql",
        headers: dict[str, str] | None = None) -> Answer:
    url = server.url + path
    data = body
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        data = urllib.parse.urlencode({"query": query}).encode()
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


def test_select_answers_sparql_json(server):
    for answer in (ask(server, COUNTRIES), ask(server, COUNTRIES, method="GET"),
                   ask(server, None, body=COUNTRIES.encode(),
                       content_type="application/sparql-query")):
        assert answer.status == 200, answer.body
        assert answer.content_type == "application/sparql-results+json"
        assert countries(answer) == ["cn", "de", "it", "us"]


def test_content_negotiation(server):
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
    assert xml.status == 406
    assert "application/sparql-results+json" in xml.body


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


def test_a_foreign_host_header_is_refused(server):
    answer = ask(server, COUNTRIES, headers={"Host": "attacker.example"})
    assert answer.status == 403


def test_no_outbound_connection_was_made(server):
    ask(server, COUNTRIES)
    log = server.network_log.read_text("utf-8") if server.network_log.exists() else ""
    assert log == ""
