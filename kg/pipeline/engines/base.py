"""The two engine protocols. An adapter is one module; adding it to the registry puts it
under the compliance suite (tests/test_engines.py), which holds it to the same answers as
the others on the same fixtures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import Graph

from kg.core.table import Span, Table
from kg.pipeline.engines.rules import Cap, Rule


class Reasoner(Protocol):
    """Closes a triple table under OWL 2 RL, then runs the domain rules on it."""

    name: str

    def unsupported(self, table: Table) -> str | None:
        """Why this engine cannot close ``table`` (a construct it lacks), or None."""

    def close(self, table: Table, rules: list[Rule], asserted_graph: Graph | None = None,
              oxi: Any = None, cap: Cap | None = None) -> tuple[Span, Span]:
        """Add the closure, then what the rules derive, to ``table`` (in place); return
        the two spans. ``asserted_graph`` is the same triples as rdflib, ``oxi`` a store
        already holding them, ``cap`` the growth budget: each engine uses what helps it."""


class ShaclUnsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, in N-Triples terms, whatever the engine."""

    focus: str      # N-Triples term of the focus node
    path: str       # IRI of the path, or "" for node-level constraints
    shape: str      # IRI (or blank label) of the shape that failed
    message: str
    value: str      # N-Triples term of the offending value, or ""


class ShaclEngine(Protocol):
    """Validates the asserted graph against SHACL shapes."""

    name: str

    def validate(self, shapes: Graph, table: Table,
                 graph: Callable[[], Graph]) -> list[ShaclResult]:
        """The results for ``table`` (``graph()`` gives the same triples as rdflib, made
        only if the engine needs them); ShaclUnsupported if the shapes are beyond it."""
