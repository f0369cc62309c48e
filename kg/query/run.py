"""Running a query on the embedded store: the guard first, parameters bound as terms
(SEP-0007 substitutions, and stated in a LATERAL group so Oxigraph plans with them), a time
limit and a result cap."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

import pyoxigraph as ox

from kg.core.errors import KgError, UsageError
from kg.sparql.bind import lateral_values
from kg.sparql.guard import check_query
from kg.sparql.results import Result, Term, sort_triples

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
T = TypeVar("T")


class QueryTimeout(KgError):
    """The query ran past its time limit."""


class ResultTooLarge(KgError):
    """The result has more rows (or triples) than the cap allows."""



def execute(store: ox.Store, text: str, bindings: Mapping[str, Term] | None = None,
            max_rows: int = DEFAULT_MAX_ROWS, *,
            dataset: Mapping[str, object] | None = None) -> Result:
    """Run a (guarded) query on the store, over the union of its graphs, with parameters
    bound as terms; stop reading at ``max_rows`` + 1 and refuse the result. ``dataset``:
    other ``Store.query`` dataset options instead of the union (``kg serve`` takes them
    from ``default-graph-uri`` / ``named-graph-uri``)."""
    form = check_query(text)
    graphs = dict(dataset) if dataset is not None else {"use_default_graph_as_union": True}
    substitutions: dict[ox.Variable, Term | ox.Triple] = {
        ox.Variable(name): term for name, term in (bindings or {}).items()}
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | None
    planned = lateral_values(text, bindings or {})
    try:
        try:
            answer = store.query(planned, **graphs,
                                 substitutions=substitutions)
        except SyntaxError:
            if planned == text:
                raise
            # the error (and its position) as the author wrote the query
            answer = store.query(text, **graphs,
                                 substitutions=substitutions)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {exc}") from None
    except RuntimeError as exc:
        if "projection" not in str(exc):
            raise
        raise UsageError(f"{exc}: a SELECT query must project each of its parameters "
                         "(SEP-0007 substitution binds only projected variables)") from None
    # pyoxigraph result iterators must be dropped on the thread that made them, so none
    # may outlive this frame inside an exception's traceback: read, drop, then raise.
    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer))
    over = False
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows: list[tuple[Term | None, ...]] = []
        for solution in answer:
            if len(rows) >= max_rows:
                over = True
                break
            rows.append(tuple(solution))
        solution = answer = None
        if over:
            raise ResultTooLarge(_too_many(max_rows, "rows"))
        return Result("SELECT", variables, rows)
    triples: set[ox.Triple] = set()
    for triple in answer:
        triples.add(triple)
        if len(triples) > max_rows:
            over = True
            break
    answer = None
    if over:
        raise ResultTooLarge(_too_many(max_rows, "triples"))
    return Result(form if form == "DESCRIBE" else "CONSTRUCT", triples=sort_triples(triples))


def _too_many(limit: int, what: str) -> str:
    return (f"the result has more than {limit:,} {what}, over the cap; narrow the query "
            "or add LIMIT (or raise the cap)")



def with_time_limit(work: Callable[[], T], timeout: float) -> T:
    """``work()`` in a worker thread; QueryTimeout if it is not done in ``timeout`` s.

    Oxigraph releases the GIL while it evaluates but cannot be cancelled, so a timed-out
    query keeps running in its (daemon) thread until it ends or the process exits: fine
    for a one-shot command; ``kg serve`` runs queries in child processes it can kill.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"query exceeded the {timeout:g} s time limit")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def run_embedded(store: ox.Store, text: str, bindings: Mapping[str, Term] | None = None,
                 timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS
                 ) -> Result:
    check_query(text)  # refuse before starting a thread
    return with_time_limit(lambda: execute(store, text, bindings, max_rows), timeout)


