"""Export: serialise graphs deterministically (sorted N-Triples/N-Quads, Turtle, JSON-LD,
GraphML) so two builds of the same input diff cleanly.

Blank nodes (the ontology's class expressions and lists) get labels derived from their
own neighbourhood rather than parser-assigned ones.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import GRAPH, PREFIXES
from kg.core.table import Table
from kg.store import graphfiles

FORMATS = ("ttl", "nt", "jsonld", "graphml")
Triple = tuple[int, int, int]


def stable_labels(table: Table, triples: Iterable[Triple]) -> dict[int, str]:
    """A parse-independent label for every blank node, refined over its neighbourhood
    (as in Weisfeiler-Lehman hashing) so list cells and nested expressions differ."""
    terms = table.terms
    blank = {i for i, term in enumerate(terms) if term.startswith("_:")}
    edges: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    if not blank:
        return {}
    for s, p, o in triples:
        if s in blank:
            edges[s].append((">", p, o))
        if o in blank:
            edges[o].append(("<", p, s))
    names: dict[int, str] = dict.fromkeys(edges, "")
    for _ in range(4):
        names = {
            b: hashlib.sha1("\n".join([*sorted(
                f"{d} {terms[p]} {names[x] if x in names else terms[x]}" for d, p, x in out
            ), names[b]]).encode()).hexdigest()
            for b, out in edges.items()
        }
    labels: dict[int, str] = {}
    used: dict[str, int] = defaultdict(int)
    for node in sorted(edges, key=lambda b: names[b]):
        digest = names[node][:16]
        used[digest] += 1
        labels[node] = f"_:b{digest}" + (f"x{used[digest]}" if used[digest] > 1 else "")
    return labels


def ntriples(table: Table, triples: Iterable[Triple], suffix: str = " .\n",
             labels: dict[int, str] | None = None) -> list[str]:
    """Sorted N-Triples lines (or N-Quads lines when ``suffix`` names a graph)."""
    if labels is None:
        triples = list(triples)
        labels = stable_labels(table, triples)
    terms = table.terms
    if not labels:
        lines = [f"{terms[s]} {terms[p]} {terms[o]}{suffix}" for s, p, o in triples]
    else:
        named = [labels.get(i) or term for i, term in enumerate(terms)]
        lines = [f"{named[s]} {named[p]} {named[o]}{suffix}" for s, p, o in triples]
    lines.sort()
    return lines


def serialise_lines(lines: list[str], fmt: str) -> bytes:
    """Serialise sorted N-Triples lines as ``fmt``; subjects stay grouped and ordered."""
    data = "".join(lines).encode("utf-8")
    if fmt == "nt":
        return data
    triples = ox.parse(data, ox.RdfFormat.N_TRIPLES)
    if fmt in ("ttl", "jsonld"):
        rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.JSON_LD
        serialized = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
        assert serialized is not None  # with no output file, serialize returns the bytes
        return serialized
    if fmt == "graphml":
        return graphml(triples).encode("utf-8")
    raise ValueError(f"unknown format {fmt}")


def turtle(lines: list[str]) -> bytes:
    return serialise_lines(lines, "ttl")


def write_graph(table: Table, named: Mapping[str, Iterable[Triple]], out_dir: Path
                ) -> graphfiles.Writer:
    """Start writing the graph files: each part as Turtle (``<name>.ttl``), and all of them
    part after part, each part sorted, as ``graph.nt`` and ``graph.nq``.

    Each part's sorted lines go to a scratch file here, one part in memory at a time;
    a child process (:class:`kg.store.graphfiles.Writer`) makes the files from them while the
    caller goes on, and is returned to ``wait()`` for (or ``stop()``).
    """
    labels = stable_labels(table, itertools.chain.from_iterable(named.values()))
    for name, triples in named.items():
        lines = ntriples(table, triples, labels=labels)
        with open(graphfiles.scratch_path(out_dir, name), "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        del lines
    parts = [(name, str(GRAPH[name])) for name in named]
    return graphfiles.Writer(out_dir, parts, PREFIXES)


# Characters XML 1.0 cannot hold, even as character references. Case files may not hold
# them (kg.core.reader.BAD_CHARACTER), but a graph.nq from elsewhere might: they are written as
# visible escapes so the GraphML stays well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold shown as ``\\uXXXX``."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def graphml(triples: Iterable[ox.Triple]) -> str:
    """Resources as nodes, object-valued triples as labelled edges, literals as node data."""
    import networkx as nx

    from kg.core.namespaces import short_name

    def name(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
        if isinstance(term, ox.Triple):  # not in N-Triples read from the table
            raise TypeError(f"cannot export the quoted triple {term}")
        return short_name(term.value) if isinstance(term, ox.NamedNode) else f"_:{term.value}"

    g = nx.MultiDiGraph()
    for t in triples:
        subject = name(t.subject)
        relation = short_name(t.predicate.value)
        g.add_node(subject)
        if isinstance(t.object, ox.Literal):
            g.nodes[subject][relation.replace(":", "_")] = xml_text(t.object.value)
        else:
            g.add_edge(subject, name(t.object), key=relation, relation=relation)
    return "\n".join(nx.generate_graphml(g)) + "\n"
