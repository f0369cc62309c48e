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
  (400) — the guard of :mod:`kg.sparql.guard`, so no query can make the server open a
  connection or read a file.
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

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kg.core.errors import KgError
from kg.query.library import load_library
from kg.server.http import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    LOOPBACK_NAMES,
    SparqlServer,
)
from kg.server.page import page
from kg.server.workers import DEFAULT_MAX_ROWS, DEFAULT_WORKERS, WorkerPool
from kg.store.built import Built

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0


def serve(build_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          workers: int = DEFAULT_WORKERS, memory_mb: int | None = None,
          log: Callable[[str], None] | None = None, *,
          max_connections: int = DEFAULT_MAX_CONNECTIONS,
          idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    Built.graph_file(build_dir)  # a UsageError saying to build when there is none
    started = time.perf_counter()
    pool = WorkerPool(build_dir, workers, max_rows, memory_mb, say)
    try:
        server = SparqlServer((host, port), pool, timeout, page(load_library()), say,
                              max_connections, idle_timeout)
    except (OSError, OverflowError) as exc:
        pool.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise KgError(f"cannot listen on {host}:{port}: {reason}") from None

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = (str(part) for part in server.server_address[:2])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
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
