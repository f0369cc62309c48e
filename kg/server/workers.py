"""The query workers of ``kg serve``: child processes that each hold a copy of the store and
answer one query at a time, killed and replaced when a query runs past the time limit (a
pyoxigraph query cannot be cancelled in-thread)."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.errors import KgError
from kg.query import run as kq
from kg.server.formats import FORMATS, Unwritable, render
from kg.server.protocol import Dataset, Reply, query_options

DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
WORKER_START_TIMEOUT = 120.0


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
        from kg.store.oxigraph import open_build

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
        result = kq.execute(store, text, None, max_rows, dataset=query_options(spec))
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
