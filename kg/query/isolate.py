"""`kg query` on the embedded store with a memory cap, as `kg serve` applies per worker.

A small query can ask Oxigraph for gigabytes (``SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER
BY ?f`` sorts the square of the graph), and Oxigraph cannot be stopped from outside while
it evaluates. So the query runs in a child process forked from this one — it shares the
loaded store, nothing is loaded twice — with an address-space limit (``RLIMIT_AS``). A
query that needs more makes the child's allocation fail, and the child ends (Rust aborts
on a failed allocation; Python raises MemoryError): the parent reports the limit and the
option that raises it, and the parent's own memory never grows. The child is killed at
the time limit, so a query past it does not go on in the background either.

Where ``fork`` or ``RLIMIT_AS`` is missing (not Linux or another POSIX system), the query
runs as before, in a thread of this process, with the time limit only.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Mapping
from types import ModuleType

import pyoxigraph as ox

from kg.core.errors import KgError
from kg.query.run import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    QueryTimeout,
    ResultTooLarge,
    execute,
    run_embedded,
)
from kg.sparql.guard import QueryRefused, check_query
from kg.sparql.results import Result, Term

DEFAULT_MAX_MEMORY_MB = 1536
HEADROOM_MB = 256  # the least a query gets beyond what the process already maps
_CHUNK = 1 << 16


class QueryMemoryExceeded(KgError):
    """The query needed more memory than ``--max-memory`` allows (exit 2)."""


def _mapped_bytes() -> int:
    """This process's address space now (``VmSize``), or 0 where /proc is missing."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def address_limit(memory_mb: int) -> int:
    """The address-space limit for a query child: ``memory_mb`` MiB in all, and never less
    than HEADROOM_MB beyond what is mapped already (a large store, a test runner)."""
    return max(memory_mb << 20, _mapped_bytes() + (HEADROOM_MB << 20))


def _too_much(memory_mb: int) -> QueryMemoryExceeded:
    return QueryMemoryExceeded(f"query stopped: it needs more than the {memory_mb:,} MiB "
                               "memory limit (raise it with --max-memory, or narrow the "
                               "query)")


def run_limited(store: ox.Store, text: str, bindings: Mapping[str, Term] | None = None,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                memory_mb: int | None = DEFAULT_MAX_MEMORY_MB) -> Result:
    """:func:`kg.query.run.run_embedded` in a child process limited to ``memory_mb`` MiB of
    address space (None or 0: no limit, and no child) and killed at ``timeout``."""
    check_query(text)  # refuse before forking
    try:
        import resource
    except ImportError:
        resource = None  # type: ignore[assignment]
    if not memory_mb or resource is None or not hasattr(os, "fork") \
            or not hasattr(resource, "RLIMIT_AS"):
        return run_embedded(store, text, bindings, timeout, max_rows)
    limit = address_limit(memory_mb)
    result_r, result_w = os.pipe()
    error_r, error_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(result_r)
        os.close(error_r)
        _child(store, text, bindings, max_rows, limit, result_w, error_w, resource)
    os.close(result_w)
    os.close(error_w)
    try:
        payload, errors, ended = _collect(pid, result_r, error_r, timeout)
    finally:
        os.close(result_r)
        os.close(error_r)
    if not ended:
        raise QueryTimeout(f"query exceeded the {timeout:g} s time limit")
    if payload and ended == "exit status 0":
        answer = pickle.loads(payload)
        if answer[0] == "ok":
            result: Result = answer[1]
            return result
        if answer[0] == "memory":
            raise _too_much(memory_mb)
        kind, message, code = answer[1], answer[2], answer[3]
        cls = {"QueryTimeout": QueryTimeout, "ResultTooLarge": ResultTooLarge,
               "QueryRefused": QueryRefused}.get(kind, KgError)
        raise cls(message, exit_code=code)
    if b"memory allocation" in errors or b"MemoryError" in errors or b"out of memory" in errors:
        raise _too_much(memory_mb)
    raise KgError(f"query stopped: the query process ended abnormally ({ended}); it may "
                  f"need more than the {memory_mb:,} MiB memory limit (--max-memory)")


def _child(store: ox.Store, text: str, bindings: Mapping[str, Term] | None,
           max_rows: int, limit: int, result_w: int, error_w: int,
           resource: ModuleType) -> None:
    """Run the query under the limit and send back ("ok", Result), ("memory",) or
    ("error", kind, message, exit code); then leave without running any exit handler."""
    status = 0
    try:
        os.dup2(error_w, 2)  # Rust's "memory allocation of … failed" comes here
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY
                                                else min(limit, hard), hard))
        try:
            answer: tuple[object, ...] = ("ok", execute(store, text, bindings, max_rows))
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory",))
        except KgError as exc:
            data = pickle.dumps(("error", type(exc).__name__, exc.message, exc.exit_code))
        except Exception as exc:  # reported by the parent as a query failure
            data = pickle.dumps(("error", type(exc).__name__,
                                 f"query failed: {type(exc).__name__}: {exc}", 2))
        view = memoryview(data)
        while view:
            view = view[os.write(result_w, view[:_CHUNK]):]
    except BaseException:  # the child must end here, whatever happened
        status = 1
    finally:
        os._exit(status)


def _collect(pid: int, result_r: int, error_r: int, timeout: float
             ) -> tuple[bytes, bytes, str]:
    """Read the child's answer and its stderr until it ends or ``timeout`` passes; kill
    it then. Returns (answer, stderr, how it ended: "" when killed at the time limit)."""
    payload, errors = bytearray(), bytearray()
    open_fds = {result_r: payload, error_r: errors}
    deadline = time.monotonic() + timeout
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return bytes(payload), bytes(errors), ""
        ready, _, _ = select.select(list(open_fds), [], [], left)
        for fd in ready:
            chunk = os.read(fd, _CHUNK)
            if chunk:
                if fd == result_r or len(errors) < _CHUNK:
                    open_fds[fd].extend(chunk)
            else:
                del open_fds[fd]
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        ended = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        ended = f"exit status {os.WEXITSTATUS(status)}"
    return bytes(payload), bytes(errors), ended
