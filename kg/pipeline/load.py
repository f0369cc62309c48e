"""Load: the ontology (Turtle) and the curated cases (YAML or Turtle) as one asserted graph.

Reading is :mod:`kg.core.reader`'s, mapping a case file to triples :mod:`kg.pipeline.caseloader`'s;
:class:`LoadedKG` keeps where each curated subject came from, for messages.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.core.budget import DEFAULT, Budget
from kg.core.errors import Finding, ValidationFailed, ordered
from kg.core.namespaces import PREFIXES
from kg.core.project import Project
from kg.core.reader import parse_turtle, read_text
from kg.core.table import Table
from kg.pipeline import casevocab
from kg.pipeline.caseloader import CaseLoader, Location
from kg.pipeline.casevocab import Vocabulary


@dataclass
class LoadedKG:
    """The asserted graph, split by origin, with where each curated subject came from."""

    ontology: Graph
    data: Graph
    bulk: list[str] = field(default_factory=list)  # N-Triples text of the Turtle data files
    bulk_positions: range = range(0)  # where the bulk text's triples sit in the table
    locations: dict[URIRef, Location] = field(default_factory=dict)
    key_lines: dict[tuple[URIRef, URIRef], int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    text_dropped: bool = False
    # (subject, property) of each record key whose value could not be read: a shape that
    # then misses the value says again what the load finding said (kg/pipeline/validate.py)
    unread: set[tuple[URIRef, URIRef]] = field(default_factory=set)

    def drop_text(self) -> None:
        """Free the Turtle data's N-Triples text once the table and the store hold it (a
        million-triple build then reasons with ~120 MB less); :meth:`asserted` and
        :meth:`ntriples_chunks` need it, so they refuse afterwards."""
        self.bulk = []
        self.text_dropped = True

    def _need_text(self) -> None:
        if self.text_dropped:
            raise RuntimeError("the Turtle data's text was dropped after loading")

    def asserted(self) -> Graph:
        """Everything asserted, as one rdflib graph (for pySHACL, owlrl and stats)."""
        self._need_text()
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        for triple in self.ontology:
            graph.add(triple)
        for triple in self.data:
            graph.add(triple)
        for text in self.bulk:
            graph.parse(data=text, format="nt")
        return graph

    def table(self) -> Table:
        """Everything asserted, as an interned triple table (for the fast path)."""
        from kg.store.oxigraph import quads

        table = Table()
        table.add_oxigraph(quads(self.ontology))
        table.add_oxigraph(quads(self.data))
        start = len(table)
        for text in self.bulk:
            table.add_lines(text)
        self.bulk_positions = range(start, len(table))
        return table

    def ntriples_chunks(self, table: Table) -> Iterator[bytes]:
        """``table`` (made by :meth:`table`, perhaps added to since) as N-Triples chunks
        for Oxigraph: the Turtle data files' text as parsed, then every other triple —
        so the bulk of the data is never re-serialised triple by triple in Python."""
        from kg.store.oxigraph import line_chunks

        self._need_text()
        for text in self.bulk:
            yield text.encode("utf-8")
        bulk = self.bulk_positions
        others = itertools.chain(table.span(0, bulk.start), table.span(bulk.stop))
        yield from line_chunks(table.lines(others))

    def locate(self, subject: str, predicate: str | None = None) -> tuple[str, int]:
        loc = self.locations.get(URIRef(subject))
        if loc is None:
            return "", 0
        line = self.key_lines.get((URIRef(subject), URIRef(predicate)), 0) if predicate else 0
        return loc.file, line or loc.line


def load_ontology(project: Project) -> Graph:
    graph = Graph()
    for path in project.ontology_files():
        display = project.relative(path)
        parse_turtle(read_text(path, display), display, graph)
    return graph


def load(project: Project, files: Iterable[Path] | None = None,
         budget: Budget | None = None) -> LoadedKG:
    """Load the ontology and the case files (all of ``data/`` unless ``files`` is given).

    Every problem in the case files is collected and raised together as one
    ValidationFailed. :func:`kg.pipeline.validate.load_checked` (what `kg validate` and
    `kg build` use) adds what the shapes and QC queries find in what could be loaded.
    """
    kg, problems = read_cases(project, files, budget)
    if problems:
        raise ValidationFailed(problems)
    return kg


def read_cases(project: Project, files: Iterable[Path] | None = None,
               budget: Budget | None = None) -> tuple[LoadedKG, list[Finding]]:
    """The ontology and the case files as loaded, and every problem found on the way.

    A file that cannot be read or parsed (or holds more records than the ``budget``
    allows) adds nothing; a record whose id cannot be read is left out; a key whose value
    cannot be read is left out of its record (and noted in ``unread``). Case files assert
    data, not schema (:mod:`kg.pipeline.casevocab`); :func:`kg.pipeline.build.check`
    checks the depth of transitive relations on the table.
    """
    ontology = load_ontology(project)
    paths = list(project.data_files() if files is None else files)
    kg = LoadedKG(ontology=ontology, data=Graph(store="SimpleMemory"))  # cheaper adds
    loader = CaseLoader(Vocabulary.from_ontology(ontology), kg, project, budget or DEFAULT)
    loader.refuse(project.refused_data_files())
    loader.run(paths)
    loader.findings += casevocab.new_class_findings(loader.new_classes, kg)
    kg.files = [project.relative(p) for p in paths]
    return kg, ordered(loader.findings)
