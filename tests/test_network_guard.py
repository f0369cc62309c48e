"""No command opens a network connection: every command of `kg` runs here with outbound
network access blocked, and the test proves that none was attempted.

Two witnesses, because not every connection goes through Python:

- an audit hook (``sys.addaudithook``) that, while armed, records and refuses every
  outbound socket use of this process — ``socket.connect`` on an internet socket, DNS
  look-ups, ``urllib.Request``, ``http.client.connect`` — so an attempt fails loudly and is
  on record;
- a trap: a TCP listener on 127.0.0.1 that records every connection made to it. Hostile
  inputs point their URLs (SERVICE, FROM, sources, DTDs, JSON-LD contexts) at the trap, so
  an attempt by native code — Oxigraph's own HTTP client, which ignores Python's socket
  module — is seen as well.

``kg serve`` runs in a child process with the same hook installed by a ``sitecustomize``
(inherited by its spawned workers). The guard is shared with tests/test_hostile.py and
tests/test_fuzz.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
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

from kg.pipeline.build import build
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import Run, run_kg

BLOCKED_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg",
    "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
    "webbrowser.open",
})
INTERNET = (socket.AF_INET, socket.AF_INET6)


class NetworkGuard:
    """Refuses and records outbound network use of this process while armed."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._armed = 0
        self._installed = False

    def install(self) -> None:
        if not self._installed:  # an audit hook cannot be removed: install it once
            sys.addaudithook(self._hook)
            self._installed = True

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self._armed or event not in BLOCKED_EVENTS:
            return
        if event.startswith(("socket.connect", "socket.send")):
            family = getattr(args[0], "family", None)
            if family not in INTERNET:  # local pipes and socketpairs (AF_UNIX) are fine
                return
        self.attempts.append(f"{event} {args!r:.300}")
        raise PermissionError(f"network access is blocked in this test ({event})")

    @contextlib.contextmanager
    def blocked(self) -> Iterator[NetworkGuard]:
        self.install()
        self._armed += 1
        try:
            yield self
        finally:
            self._armed -= 1


GUARD = NetworkGuard()


class Trap:
    """A TCP listener on 127.0.0.1 that records each connection (and its first bytes)."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="network-trap", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            connection.settimeout(0.5)
            try:
                first = connection.recv(200)
            except OSError:
                first = b""
            self.hits.append(first or b"(connected)")
            connection.close()

    def settle(self) -> list[bytes]:
        """The connections seen so far, after giving a late one time to arrive."""
        time.sleep(0.05)
        return list(self.hits)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._listener.close()


@pytest.fixture(scope="session")
def trap() -> Iterator[Trap]:
    catcher = Trap()
    yield catcher
    catcher.close()


def run_offline(capsys: pytest.CaptureFixture[str], trap: Trap, root: Path, *args: str,
                stdin: bytes | None = None) -> Run:
    """``kg --root ROOT ARGS`` in-process with the network blocked; fails the test if any
    connection was attempted (through Python, or to the trap)."""
    before, hits = len(GUARD.attempts), len(trap.hits)
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with GUARD.blocked():
            result = run_kg(capsys, root, *args)
    finally:
        sys.stdin = old_stdin
    assert GUARD.attempts[before:] == [], f"kg {' '.join(args)} tried the network"
    assert trap.settle()[hits:] == [], f"kg {' '.join(args)} connected to the trap"
    return result


# --------------------------------------------------------------------------- the guard works


def test_the_guard_refuses_and_records_python_connections(trap):
    before = len(GUARD.attempts)
    with GUARD.blocked(), pytest.raises(OSError):  # PermissionError, or URLError wrapping it
        urllib.request.urlopen(trap.url + "/probe", timeout=2)
    with GUARD.blocked(), pytest.raises(PermissionError):
        socket.getaddrinfo("example.org", 80)
    assert len(GUARD.attempts) - before == 2
    del GUARD.attempts[before:]
    assert trap.settle() == []  # refused before the connection was made


def test_the_trap_sees_what_native_code_does(trap):
    """Oxigraph's SERVICE client bypasses Python's sockets: only the trap can see it, and
    it does — which is why hostile inputs point their URLs at the trap."""
    import pyoxigraph as ox

    hits = len(trap.hits)
    with GUARD.blocked(), contextlib.suppress(Exception):
        ox.Store().query(f"SELECT * WHERE {{ SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}")
    assert len(trap.settle()) == hits + 1
    del trap.hits[hits:]


# --------------------------------------------------------------------------- every command

HOSTILE_SOURCES = """\
curated: 2026-11-28
records:
  - id: remote-co
    a: Company
    label: {{en: Remote Co (illustrative), zh: 远程公司（示例）}}
    description: "See {trap}/about and SERVICE <{trap}/sparql>"
    illustrative: true
    headquarteredIn: cn
    source: {trap}/remote-co
  - id: remote-in-de
    a: ProcessingPersonalData
    label:
      en: Remote Co processes data in Germany (illustrative)
      zh: 远程公司在德国处理数据（示例）
    illustrative: true
    performedBy: remote-co
    inJurisdiction: de
    source: {trap}/remote-in-de
"""
HOSTILE_TURTLE = """\
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/aigov-kg/id/> .
id:remote-co dcterms:source <{trap}/turtle-source> .
"""
PROFILE = """\
company: {{name: "Fetch Bots {trap}/x", headquartered: cn}}
builds:
  - kind: home-robot
    name: "Fetch Home"
    components: [{{name: "Camera", supplier: "Lens Co"}}]
markets:
  - {{jurisdiction: de, does: [sell-product, process-personal-data]}}
"""
QUERY_FILE = """\
# title: Sources that mention the trap (a string, never a fetch)
SELECT ?s ?src WHERE { ?s <http://purl.org/dc/terms/source> ?src .
  FILTER (CONTAINS(STR(?src), "127.0.0.1")) } ORDER BY ?s ?src
"""


@pytest.fixture(scope="session")
def offline_project(tmp_path_factory: pytest.TempPathFactory, trap: Trap):
    tmp = tmp_path_factory.mktemp("offline")
    project = make_project(tmp, [FIXTURES / "mini"], {
        "remote.yaml": HOSTILE_SOURCES.format(trap=trap.url),
        "remote-patch.ttl": HOSTILE_TURTLE.format(trap=trap.url)})
    (project.root / "profile.yaml").write_text(PROFILE.format(trap=trap.url), "utf-8")
    (project.root / "sources.rq").write_text(QUERY_FILE, "utf-8")
    return project


COMMANDS: list[tuple[str, ...]] = [
    ("build", "--quiet"),
    ("validate",),
    ("validate", "profile.yaml"),  # a profile is not a case file: exit 2, located findings
    ("stats",),
    ("stats", "--format", "json"),
    ("exposures",),
    ("exposures", "--actor", "remote-co", "--format", "json"),
    ("exposures", "--jurisdiction", "eu", "--format", "csv"),
    ("explain", "remote-co"),
    ("export", "--format", "ttl", "--out", "out/graph.ttl"),
    ("export", "--format", "nt", "--out", "out/graph.nt"),
    ("export", "--format", "jsonld", "--out", "out/graph.jsonld"),
    ("export", "--format", "graphml", "--out", "out/graph.graphml"),
    ("docs", "--out", "out/docs", "--dictionary", "out/dictionary.md"),
    ("query", "--list"),
    ("query", "risk-taxonomy", "--format", "json"),
    ("query", "actor-exposures", "--param", "actor=remote-co", "--param", "asOf=2026-12-01"),
    ("query", "facts-by-source", "--param", "source=127.0.0.1"),
    ("query", "sources.rq", "--format", "csv"),
    ("query", "-", "--format", "tsv"),
    ("viz", "actor", "remote-co", "--out", "out/remote.html"),
    ("viz", "all", "--format", "svg", "--out", "out/all.svg"),
    ("viz", "ontology", "--out", "out/ontology.html"),
    ("screen", "profile.yaml"),
    ("screen", "profile.yaml", "--format", "md"),
    ("screen", "profile.yaml", "--format", "html", "--out", "out/report.html"),
    ("new-case", "measure", "--id", "offline-check", "--out", "-"),
    ("diff",),
    ("diff", "--format", "json"),
]


def test_every_command_runs_with_the_network_blocked(capsys, trap, offline_project):
    """Each command succeeds offline, and none attempts a connection: not through Python
    (the audit hook would have refused and recorded it) and not natively (the trap)."""
    root = offline_project.root
    for args in COMMANDS:
        stdin = QUERY_FILE.encode() if args[:2] == ("query", "-") else None
        result = run_offline(capsys, trap, root, *args, stdin=stdin)
        if args == ("validate", "profile.yaml"):
            assert result.code == 2 and "profile.yaml:1: missing `records:` list" in result.err
        else:
            assert result.code == 0, (args, result.err)
        assert "internal error" not in result.err and "Traceback" not in result.err
    out = root / "out"
    assert {p.name for p in out.iterdir()} >= {"graph.ttl", "graph.jsonld", "remote.html",
                                                "all.svg", "report.html", "docs"}
    # the trap URLs were read as data and written as data
    assert f"{trap.url}/turtle-source" in (out / "graph.nt").read_text("utf-8")
    assert f"{trap.url}/remote-co" in (out / "graph.ttl").read_text("utf-8")


def test_png_rendering_is_offline(capsys, trap, offline_project):
    """The PNG view drives headless Chromium (another process, every request but the page
    itself refused by the page's router); this process makes no connection for it."""
    from kg.views.graph.png import chromium_path

    executable = chromium_path() or "/usr/bin/chromium"
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {executable}")
        pytest.skip("Chromium not found: PNG rendering NOT checked offline")
    root = offline_project.root
    assert run_offline(capsys, trap, root, "build", "--quiet").code == 0
    result = run_offline(capsys, trap, root, "viz", "actor", "remote-co", "--out",
                         "out/remote.png")
    assert result.code == 0, result.err
    assert (root / "out" / "remote.png").read_bytes().startswith(b"\x89PNG")


# --------------------------------------------------------------------------- kg serve

SITECUSTOMIZE = """\
import os, socket, sys
_LOG = os.environ.get("KG_TEST_NETWORK_LOG")
_EVENTS = {events!r}
if _LOG:
    def _hook(event, args):
        if event not in _EVENTS:
            return
        if event.startswith(("socket.connect", "socket.send")):
            if getattr(args[0], "family", None) not in (socket.AF_INET, socket.AF_INET6):
                return
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{{os.getpid()}} {{event}} {{args!r:.300}}\\n")
        raise PermissionError("network access is blocked in this test")
    sys.addaudithook(_hook)
"""


@dataclass
class Served:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def network_log(self) -> str:
        return self.log.read_text("utf-8") if self.log.exists() else ""


def start_server(project_root: Path, hooks: Path, *extra: str) -> Served:
    """`kg serve` in a child process whose outbound network use is refused and logged."""
    (hooks / "sitecustomize.py").write_text(
        SITECUSTOMIZE.format(events=sorted(BLOCKED_EVENTS)), "utf-8")
    log, err = hooks / "network.log", hooks / "stderr.txt"
    env = {**os.environ, "KG_TEST_NETWORK_LOG": str(log), "PYTHONPATH": os.pathsep.join(
        [str(hooks), str(REPO), os.environ.get("PYTHONPATH", "")])}
    with err.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "--root", str(project_root), "serve", "--port", "0",
             *extra], stdout=subprocess.DEVNULL, stderr=sink, env=env)
    deadline = time.monotonic() + 90
    while True:
        text = err.read_text("utf-8", "replace")
        url = next((line.split()[1].rstrip("/") for line in text.splitlines()
                    if line.startswith("serving http://")), "")
        if url:
            return Served(url, log, process)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"kg serve did not start:\n{text}")
        time.sleep(0.05)


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait(5)


def test_serve_makes_no_connection(tmp_path, trap, offline_project):
    root = tmp_path / "project"
    shutil.copytree(offline_project.root, root)
    build(type(offline_project)(root))
    served = start_server(root, tmp_path, "--timeout", "5", "--workers", "1")
    try:
        hits = len(trap.hits)
        for query in ("SELECT ?s WHERE { ?s a <https://w3id.org/aigov-kg/ontology#Company> }",
                      f"SELECT * WHERE {{ SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}",
                      f"SELECT * FROM <{trap.url}/g> WHERE {{ ?s ?p ?o }}",
                      f"LOAD <{trap.url}/data.ttl>",
                      "DESCRIBE <https://w3id.org/aigov-kg/id/remote-co>"):
            data = urllib.parse.urlencode({"query": query}).encode()
            request = urllib.request.Request(served.url + "/sparql", data=data)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
            assert status in (200, 400), body
            if status == 200 and query.startswith("SELECT"):
                assert json.loads(body)["results"]["bindings"]
        with urllib.request.urlopen(served.url + "/", timeout=30) as response:
            assert response.status == 200
        assert trap.settle()[hits:] == []
        assert served.network_log() == ""
    finally:
        stop_server(served)


# --------------------------------------------------------------------------- rules and QC

SERVICE_QC = """\
# title: A contributed QC query that reaches out
SELECT ?subject ?message WHERE {{
  SERVICE <{trap}/sparql> {{ ?subject ?p ?o }}
  BIND ("remote" AS ?message)
}}
"""


def test_a_qc_query_with_service_is_refused_before_it_runs(tmp_path, capsys, trap):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.qc_dir / "remote-violation.rq").write_text(SERVICE_QC.format(trap=trap.url),
                                                         "utf-8")
    hits = len(trap.hits)
    with GUARD.blocked():
        result = run_kg(capsys, project.root, "validate")
    seen = trap.settle()[hits:]
    del trap.hits[hits:]
    assert seen == []
    assert result.code == 2
    assert "query refused: SERVICE" in result.err and "remote-violation.rq" in result.err


SERVICE_RULE = """\
# title: A contributed rule that reaches out
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  SERVICE <{trap}/sparql> {{ ?s ?p ?o }}
}}
"""


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_rule_with_service_is_refused_before_it_runs(command, tmp_path, capsys, trap):
    """Rules pass the same guard as QC queries (kg.sparql.queryfile.read_query_file): a contributed
    rule with SERVICE never reaches Oxigraph's SERVICE client (docs/security.md)."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.rules_dir / "99-remote.rq").write_text(SERVICE_RULE.format(trap=trap.url),
                                                    "utf-8")
    hits = len(trap.hits)
    with GUARD.blocked():
        result = run_kg(capsys, project.root, command)
    seen = trap.settle()[hits:]
    del trap.hits[hits:]
    assert seen == []
    assert result.code == 2
    assert "ontology/rules/99-remote.rq: query refused: SERVICE" in result.err
    assert not project.build_dir.exists()
