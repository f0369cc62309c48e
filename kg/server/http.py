"""The HTTP side of ``kg serve``: the threaded server (a cap on connections, a deadline for
receiving each request, no reverse DNS) and the request handler that routes ``/``,
``/sparql`` and ``/query``, checks the ``Host`` header and hands queries to the workers."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kg.core.errors import KgError
from kg.core.namespaces import PREFIXES
from kg.core.textsafe import terminal
from kg.server.formats import FORMAT_PARAMS, FORMATS, negotiate, render_graph
from kg.server.page import PAGE_CSP
from kg.server.protocol import FORMATS_NS, SD, Reply, dataset, not_acceptable, service_description
from kg.server.workers import WorkerPool
from kg.sparql.guard import MAX_QUERY_BYTES, check_query

DEFAULT_MAX_CONNECTIONS = 32
DEFAULT_IDLE_TIMEOUT = 10.0  # seconds a client may take to send its request (no slow loris)
WRITE_TIMEOUT = 60.0  # seconds for each write of an answer to a client that reads slowly
MAX_BODY_BYTES = MAX_QUERY_BYTES
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
QUERY_PATHS = ("/sparql", "/query")

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
        self.timeout = self.server.idle_timeout  # type: ignore[misc]  # per read and write
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
            self._send(not_acceptable("DESCRIBE"))
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
            form = check_query(text)
            spec = dataset(params, self.server.pool.graphs)
        except KgError as exc:
            self._send(Reply.text(400, str(exc)))
            return
        wanted = [value for key in FORMAT_PARAMS for value in params.get(key, [])]
        fmt = negotiate(self.headers.get("Accept"), form, wanted)
        if fmt is None:
            self._send(not_acceptable(form))
            return
        self._send(self.server.pool.run(text, fmt, self.server.query_timeout, spec))
