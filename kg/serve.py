"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over build/, and a small offline
query page.

- ``GET /sparql?query=…`` and ``POST /sparql`` (form-encoded, or ``application/sparql-query``)
  answer with SPARQL JSON, CSV or TSV (SELECT, ASK) or Turtle / N-Triples (CONSTRUCT,
  DESCRIBE), chosen by the ``Accept`` header or a ``format`` parameter.
- Refused before anything runs: SPARQL Update (405), and SERVICE, LOAD, FROM / FROM NAMED
  and dataset parameters (400) — the guard of :mod:`kg.query`, so no query can make the
  server open a connection or read a file.
- Each query runs in a child process that holds its own copy of the store; at the time
  limit the child is killed (a pyoxigraph query cannot be cancelled in-thread) and
  replaced, and the client gets 503 — never a truncated 200. A result over the row cap
  is 422.
- The page at ``/`` is self-contained (inline CSS/JS under a hash-based Content Security
  Policy, no CDN) and puts data into the page with ``textContent`` only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import queue
import signal
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg import query as kq
from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.textsafe import html_text, terminal

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_BODY_BYTES = kq.MAX_QUERY_BYTES
CLIENT_TIMEOUT = 30.0  # seconds a client may take to send a request (no slow-loris holds)
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
WORKER_START_TIMEOUT = 120.0
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

# format -> media type; the first of each list is the default
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
}
ROW_CHOICES = [("application/sparql-results+json", "json"), ("application/json", "json"),
               ("text/csv", "csv"), ("text/tab-separated-values", "tsv")]
GRAPH_CHOICES = [("text/turtle", "ttl"), ("application/n-triples", "nt"),
                 ("application/x-turtle", "ttl")]


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


# --------------------------------------------------------------------------- workers


def _worker_main(build_dir: str, conn: multiprocessing.connection.Connection,
                 max_rows: int, memory_mb: int | None) -> None:
    """A child process: load the store, then answer (query, format) messages until the
    parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            text, fmt = conn.recv()
        except (EOFError, OSError):
            return
        reply = _answer(store, text, fmt, max_rows)
        conn.send((reply.status, reply.content_type, reply.body))


def _answer(store: Any, text: str, fmt: str, max_rows: int) -> Reply:
    try:
        result = kq.execute(store, text, None, max_rows)
        body = kq.render(result, fmt).encode("utf-8")
    except kq.ResultTooLarge as exc:
        return Reply.text(422, str(exc))
    except KgError as exc:  # refused by the guard, or a syntax error
        return Reply.text(400, str(exc))
    except MemoryError:
        return Reply.text(422, "the query needs more memory than the server allows")
    except Exception as exc:
        return Reply.text(500, f"query failed: {type(exc).__name__}: {exc}")
    if len(body) > MAX_RESPONSE_BYTES:
        return Reply.text(422, f"the result is larger than {MAX_RESPONSE_BYTES // 2**20} MiB; "
                               "narrow the query or add LIMIT")
    return Reply(200, MEDIA_TYPES[fmt], body)


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

    def run(self, text: str, fmt: str, timeout: float) -> Reply:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Reply.text(503, "all query workers are busy; try again shortly")
        try:
            worker.conn.send((text, fmt))
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


def negotiate(accept: str | None, form: str, wanted: str | None = None) -> str | None:
    """The output format for this Accept header (q-values honoured, server order on ties),
    or None when nothing acceptable is offered."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    choices = GRAPH_CHOICES if graph else ROW_CHOICES
    if wanted:
        names = {name for _type, name in choices}
        return wanted if wanted in names else None
    if not accept or not accept.strip():
        return choices[0][1]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    best: tuple[float, int] | None = None
    chosen = None
    for index, (media, name) in enumerate(choices):
        major = media.split("/")[0]
        quality = max((q for r, q in ranges if r in (media, f"{major}/*", "*/*")), default=0.0)
        if quality > 0 and (best is None or (quality, -index) > best):
            best, chosen = (quality, -index), name
    return chosen


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


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is not a server error: no traceback for it."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
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
                 page_body: bytes, log: Callable[[str], None] | None):
        super().__init__(address, _Handler)
        self.pool = pool
        self.query_timeout = timeout
        self.page_body = page_body
        self.log = log
        self.loopback_only = address[0] in LOOPBACK_NAMES


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "aigov-kg"
    timeout = CLIENT_TIMEOUT  # socket timeout per connection (StreamRequestHandler)

    def version_string(self) -> str:
        return self.server_version

    # ---- plumbing

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            self.server.log(terminal(f"{self.address_string()} {format % args}"))

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

    def _host_ok(self) -> bool:
        """Against DNS rebinding: a loopback server answers only to loopback host names."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return not host or name in LOOPBACK_NAMES

    def _refuse_method(self) -> None:
        self._send(Reply.text(405, "this endpoint is read-only: only GET and POST of SPARQL "
                                   "queries are allowed"), {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    # ---- routes

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(Reply.text(403, "unexpected Host header"))
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(Reply(200, "text/html; charset=utf-8", self.server.page_body),
                       {"Content-Security-Policy": PAGE_CSP, "Referrer-Policy": "no-referrer"})
        elif url.path in ("/sparql", "/query"):
            self._query(urllib.parse.parse_qs(url.query, keep_blank_values=True))
        elif url.path == "/update":
            self._refuse_method()
        else:
            self._send(Reply.text(404, "not found; the SPARQL endpoint is /sparql"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if not self._host_ok():
            self._send(Reply.text(403, "unexpected Host header"))
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/update":
            self._refuse_method()
            return
        if url.path not in ("/sparql", "/query"):
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

    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(Reply.text(405, "this endpoint is read-only: SPARQL Update is not "
                                       "accepted"), {"Allow": "GET, POST"})
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._send(Reply.text(400, "query refused: default-graph-uri / named-graph-uri "
                                       "are not supported; the endpoint serves the built graph"))
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._send(Reply.text(400, "give exactly one query parameter, e.g. "
                                       "/sparql?query=SELECT…"))
            return
        text = queries[0]
        try:
            form = kq.check_query(text)
        except kq.QueryRefused as exc:
            self._send(Reply.text(400, str(exc)))
            return
        wanted = (params.get("format") or [None])[0]
        fmt = negotiate(self.headers.get("Accept"), form, wanted)
        if fmt is None:
            offered = GRAPH_CHOICES if form in ("CONSTRUCT", "DESCRIBE") else ROW_CHOICES
            self._send(Reply.text(406, "not acceptable; this endpoint offers "
                                  + ", ".join(media for media, _name in offered)))
            return
        self._send(self.server.pool.run(text, fmt, self.server.query_timeout))


def serve(build_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          workers: int = DEFAULT_WORKERS, memory_mb: int | None = None,
          log: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    if not (build_dir / "graph.nq").is_file():
        raise KgError(f"no graph.nq in {build_dir}; run `kg build` first")
    started = time.perf_counter()
    pool = WorkerPool(build_dir, workers, max_rows, memory_mb, say)
    try:
        server = SparqlServer((host, port), pool, timeout, page(kq.load_library()), say)
    except OSError as exc:
        pool.close()
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = server.server_address[:2]
    if host not in LOOPBACK_NAMES:
        say(f"warning: listening on {host}, reachable from other machines")
    say(f"serving http://{bound_host}:{bound_port}/ (SPARQL endpoint /sparql, read-only; "
        f"{workers} worker(s) ready in {time.perf_counter() - started:.1f}s, "
        f"{timeout:g} s limit, {max_rows:,} rows max); Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        pool.close()
