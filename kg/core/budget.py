"""Budgets: bounds on the work a small, valid input can cause, each a clear error that names
the limit and the option that raises it.

A case file of a few hundred kilobytes can still ask for hours of reasoning (a chain of
2,000 nested jurisdictions makes two million containment links), and a profile of one
megabyte for gigabytes (14,000 components). The budgets are checked where the input is
read, before the expensive work starts:

- ``max_depth``: levels of a transitive relation (``within``, ``componentOf``, or their
  inverses) in the case files — the closure grows with the square of the depth;
- ``max_records``: records in one case file;
- ``max_components`` / ``max_markets``: the size of a `kg screen` profile;
- ``max_inferred``: triples the reasoner may add per asserted triple, checked while it
  works;
- ``timeout``: wall-clock seconds for `kg validate`, `kg build` and `kg screen`
  (:func:`deadline`).

The defaults sit far above the curated data (containment 3 levels deep, 150 records in
the largest file, 0.4 inferred and derived triples per asserted one; 1.3 for the
million-triple synthetic benchmark of 20,000 records per file) and far below what hurts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kg.core.errors import KgError

F = TypeVar("F", bound=Callable[..., Any])

MAX_DEPTH = 8
MAX_RECORDS = 25_000
MAX_COMPONENTS = 500
MAX_MARKETS = 200
MAX_INFERRED = 10
TIMEOUT = 600.0
HARD_STOP_GRACE = 15.0  # after the deadline, for work stuck in native code (see deadline)


class BudgetExceeded(KgError):
    """An input asks for more work than a budget allows (exit 2)."""


@dataclass(frozen=True)
class Budget:
    max_depth: int = MAX_DEPTH
    max_records: int = MAX_RECORDS
    max_components: int = MAX_COMPONENTS
    max_markets: int = MAX_MARKETS
    max_inferred: float = MAX_INFERRED
    timeout: float | None = TIMEOUT


DEFAULT = Budget()


def _options(profile: bool) -> list[Callable[[F], F]]:
    import click

    found = [
        click.option("--max-depth", type=click.IntRange(min=1), default=MAX_DEPTH,
                     show_default=True, help="Levels of a transitive relation (within, "
                     "componentOf) a case file may build."),
        click.option("--max-records", type=click.IntRange(min=1), default=MAX_RECORDS,
                     show_default=True, help="Records in one case file."),
        click.option("--max-inferred", type=click.FloatRange(min=0.001), default=MAX_INFERRED,
                     show_default=True, help="Triples reasoning may add per asserted triple."),
        click.option("--timeout", type=click.FloatRange(min=0), default=TIMEOUT,
                     show_default=True, help="Wall-clock limit in seconds (0: none)."),
    ]
    if profile:
        found += [
            click.option("--max-components", type=click.IntRange(min=1),
                         default=MAX_COMPONENTS, show_default=True,
                         help="Products, components and suppliers in the profile."),
            click.option("--max-markets", type=click.IntRange(min=1), default=MAX_MARKETS,
                         show_default=True, help="Market, capital and data-transfer entries "
                         "in the profile."),
        ]
    return found


def options(profile: bool = False) -> Callable[[F], F]:
    """The budget options of a command, gathered into one ``budget`` argument."""

    def decorate(command: F) -> F:
        import functools

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            timeout = kwargs.pop("timeout")
            kwargs["budget"] = Budget(
                max_depth=kwargs.pop("max_depth"), max_records=kwargs.pop("max_records"),
                max_inferred=kwargs.pop("max_inferred"),
                max_components=kwargs.pop("max_components", MAX_COMPONENTS),
                max_markets=kwargs.pop("max_markets", MAX_MARKETS),
                timeout=timeout or None)
            return command(*args, **kwargs)

        for option in reversed(_options(profile)):
            wrapper = option(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------- the clock


class _Expired(BaseException):
    """Raised in the main thread at the deadline. A BaseException, so no ``except
    Exception`` in a library swallows it; :func:`deadline` turns it into a KgError."""


def _expired_message(what: str, seconds: float) -> str:
    return (f"{what} stopped at the {seconds:g} s time limit; nothing was written "
            "(raise it with --timeout)")


@contextlib.contextmanager
def deadline(seconds: float | None, what: str, hard: bool = False) -> Iterator[None]:
    """Stop the work inside at ``seconds`` of wall-clock time with a BudgetExceeded that
    names the limit and ``--timeout``. Python code is stopped at the deadline (SIGALRM);
    outputs are written atomically, so nothing half-written is left. Native work
    (a SPARQL query inside Oxigraph) cannot be interrupted: with ``hard``, a process
    still busy ``HARD_STOP_GRACE`` seconds after the deadline prints the message and
    exits with status 2. Works in the main thread on POSIX; elsewhere it does nothing."""
    usable = (hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not seconds or not usable:
        yield
        return
    message = _expired_message(what, seconds)

    def alarm(_signum: int, _frame: object) -> None:
        raise _Expired()

    def hard_stop() -> None:
        import multiprocessing

        for child in multiprocessing.active_children():
            child.kill()
        sys.stdout.flush()
        os.write(2, f"error: {message}\n".encode())
        os._exit(2)

    previous = signal.signal(signal.SIGALRM, alarm)
    watchdog = threading.Timer(seconds + HARD_STOP_GRACE, hard_stop) if hard else None
    try:
        if watchdog is not None:
            watchdog.daemon = True
            watchdog.start()
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        raise BudgetExceeded(message) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        signal.signal(signal.SIGALRM, previous)
