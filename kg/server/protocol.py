"""The SPARQL 1.1 Protocol side of ``kg serve``: the reply to a request, the dataset a
request names (``default-graph-uri`` / ``named-graph-uri``), the 406 answer, and the
Service Description of the endpoint."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.core.errors import KgError
from kg.core.namespaces import GRAPH
from kg.server.formats import GRAPH_FORMATS, RDF_NS, ROW_FORMATS

UNION_GRAPH = str(GRAPH["all"])  # the default graph: the union of the build's named graphs


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())

    def reason(self) -> str:
        """The first line of a text reply (why a request was refused), for the log."""
        if not self.content_type.startswith("text/plain"):
            return ""
        line = self.body[:300].decode("utf-8", "replace").split("\n", 1)[0].strip()
        return line if len(line) < 200 else line[:199] + "…"


def not_acceptable(form: str) -> Reply:
    offered = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else ROW_FORMATS
    what = "a graph" if form in ("CONSTRUCT", "DESCRIBE") else f"a {form} result"
    return Reply.text(406, f"not acceptable; this endpoint gives {what} as "
                           + ", ".join(f.media[0] for f in offered)
                           + " (or format=" + "|".join(f.names[0] for f in offered) + ")")


# --------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (SPARQL 1.1 Protocol, 2.1.4): ``union`` when the
    default graph is the union of every graph; otherwise the graphs merged into it.
    ``named`` None leaves every named graph available to GRAPH."""

    union: bool
    default: tuple[str, ...] = ()
    named: tuple[str, ...] | None = None


class DatasetRefused(KgError):
    pass


def _shown(value: str) -> str:
    return value if len(value) <= 120 else value[:119] + "…"


def dataset(params: Mapping[str, Sequence[str]], served: Sequence[str]) -> Dataset | None:
    """The dataset asked for by ``default-graph-uri`` / ``named-graph-uri``, or None (the
    endpoint's own); DatasetRefused names a graph that is not served here."""
    defaults = [value.strip() for value in params.get("default-graph-uri", [])]
    named = [value.strip() for value in params.get("named-graph-uri", [])]
    if not defaults and not named:
        return None
    known = ", ".join(f"<{g}>" for g in served)
    for value in defaults:
        if value != UNION_GRAPH and value not in served:
            raise DatasetRefused(
                f"default-graph-uri <{_shown(value)}> is not a graph of this endpoint; it "
                f"serves <{UNION_GRAPH}> (the union, the default) and {known}")
    for value in named:
        if value not in served:
            why = (" is the union, not a named graph" if value == UNION_GRAPH else
                   " is not a named graph of this endpoint")
            raise DatasetRefused(f"named-graph-uri <{_shown(value)}>{why}; the named graphs "
                                 f"are {known}")
    union = UNION_GRAPH in defaults
    return Dataset(union, () if union else tuple(dict.fromkeys(defaults)),
                   tuple(dict.fromkeys(named)) if named else None)


def query_options(spec: Dataset | None) -> dict[str, Any] | None:
    """Store.query keyword arguments for a dataset (None: the union default graph)."""
    if spec is None:
        return None
    options: dict[str, Any] = {}
    if spec.union:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in spec.default]  # [] is empty
    if spec.named is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in spec.named]
    return options


# --------------------------------------------------------------------------- description

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, graphs: Sequence[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint: a read-only SPARQL 1.1 Query
    service, its answer formats, its default dataset (the union as the default graph, the
    build's named graphs) and the graphs a request may name in ``default-graph-uri`` /
    ``named-graph-uri``."""
    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = n(RDF_NS + "type")
    service = n(endpoint)
    data = ox.BlankNode("dataset")
    default = ox.BlankNode("union")
    available = ox.BlankNode("available")
    triples = [
        ox.Triple(service, rdf_type, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultDataset"), data),
        ox.Triple(service, n(SD + "availableGraphs"), available),
        ox.Triple(service, n("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "aigov-kg, read-only: SPARQL Update, SERVICE, LOAD and FROM are refused. "
            f"default-graph-uri may name <{UNION_GRAPH}> (the union of the build's graphs, "
            "the default) or one of the named graphs; named-graph-uri one of the named "
            "graphs.")),
        ox.Triple(data, rdf_type, n(SD + "Dataset")),
        ox.Triple(data, n(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, n(SD + "Graph")),
        ox.Triple(available, rdf_type, n(SD + "GraphCollection")),
    ]
    triples += [ox.Triple(service, n(SD + "resultFormat"), n(FORMATS_NS + name))
                for name in RESULT_FORMATS]
    for index, iri in enumerate((UNION_GRAPH, *graphs)):
        node = ox.BlankNode(f"g{index}")
        triples += [ox.Triple(node, rdf_type, n(SD + "NamedGraph")),
                    ox.Triple(node, n(SD + "name"), n(iri)),
                    ox.Triple(available, n(SD + "namedGraph"), node)]
        if iri != UNION_GRAPH:
            triples.append(ox.Triple(data, n(SD + "namedGraph"), node))
    return triples
