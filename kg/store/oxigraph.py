"""The embedded Oxigraph store: loading the triple table and built graph files into it, and
converting between rdflib and Oxigraph terms (rdflib remains for the case files' mapped
triples, pySHACL and the owlrl reference; Oxigraph answers every query).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.core.table import Table


def to_oxigraph_resource(term: Node) -> ox.NamedNode | ox.BlankNode:
    """An IRI or blank node (what a subject can be) as an Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot store {term!r} as a subject")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef | BNode):
        return to_oxigraph_resource(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def quads(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[ox.Quad]:
    """rdflib triples as Oxigraph quads in the default graph."""
    target = ox.DefaultGraph()
    for s, p, o in triples:
        if isinstance(s, Literal):
            continue  # owlrl can entail triples about literals; RDF cannot state them
        if not isinstance(p, URIRef):
            raise TypeError(f"cannot store {p!r} as a predicate")
        yield ox.Quad(to_oxigraph_resource(s), ox.NamedNode(str(p)), to_oxigraph(o), target)


def line_chunks(lines: Iterable[str], chunk: int = 200_000) -> Iterator[bytes]:
    """N-Triples lines joined into chunks, so a million-triple graph is never one string."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= chunk:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    if batch:
        yield "".join(batch).encode("utf-8")


def load_lines(store: ox.Store, lines: Iterable[str]) -> None:
    load_chunks(store, line_chunks(lines))


def load_chunks(store: ox.Store, chunks: Iterable[bytes]) -> None:
    """Bulk-load N-Triples chunks (Oxigraph releases the GIL while it loads)."""
    for chunk in chunks:
        store.bulk_load(chunk, ox.RdfFormat.N_TRIPLES)


def from_table(table: Table, triples: Iterable[tuple[int, int, int]] | None = None) -> ox.Store:
    """An in-memory store holding the table's triples (or the given ones)."""
    store = ox.Store()
    load_lines(store, table.lines(triples))
    return store


def table_to_rdflib(table: Table, triples: Iterable[tuple[int, int, int]] | None = None
                    ) -> Graph:
    graph = Graph()
    graph.parse(data="".join(table.lines(triples)), format="nt")
    return graph


def open_build(build_dir: Path) -> ox.Store:
    """The built graph in memory: asserted, inferred and exposure triples as named graphs
    and, for queries that name no graph, their union as the default graph."""
    from kg.core.errors import InputError
    from kg.store.built import Built

    store = ox.Store()
    path = Built.graph_file(build_dir)
    try:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, OSError) as exc:
        raise InputError(f"{path}: unreadable build output ({exc}); run `kg build` again"
                         ) from exc
    return store
