"""The ontology view: classes, subclass links and object properties (domain → range), read
from a build's asserted graph or from the ontology modules."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from kg.core.namespaces import AIG, short_name
from kg.views.graph.layout import analyse
from kg.views.graph.model import View, ViewPath
from kg.views.graph.words import GROUPS, SUBCLASS_RELATION, UI, view_title

# Ontology class families, most specific first.
FAMILIES = (("GovernanceRisk", "risk"), ("Instrument", "instrument"),
            ("GovernmentMeasure", "measure"), ("RiskSource", "event"),
            ("Provision", "provision"), ("Jurisdiction", "jurisdiction"),
            ("Activity", "activity"), ("Artefact", "artefact"), ("Actor", "actor"))


def _ontology_graph(project_root: Path, build_dir: Path | None) -> Any:
    """The asserted graph of a build when there is one, else the ontology modules."""
    from rdflib import Graph

    from kg.core.namespaces import GRAPH
    from kg.store.built import Built

    graph = Graph()
    if build_dir is not None and Built.has_graph(build_dir):
        wanted = f"<{GRAPH['asserted']}> ."
        lines = Built.graph_lines(build_dir, lambda line: line.rstrip().endswith(wanted))
        graph.parse(data="".join(lines), format="nt")
        return graph
    from kg.core.reader import parse_turtle, read_text

    for path in sorted((project_root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            display = f"ontology/{path.name}"
            parse_turtle(read_text(path, display), display, graph)
    return graph


def _family(cls: Any, ancestors: set[Any]) -> str:
    if not str(cls).startswith(str(AIG)):
        return "external"
    names = {str(a) for a in ancestors | {cls}}
    for root, group in FAMILIES:
        if str(AIG[root]) in names:
            return group
    return "other"


def ontology_view(project_root: Path, build_dir: Path | None = None, *,
                  lang: str = "en") -> View:
    """Classes, subclass links and object properties (domain → range)."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    rdf = _ontology_graph(project_root, build_dir)
    classes = {c for c in rdf.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(AIG))}
    parents: dict[Any, set[Any]] = defaultdict(set)
    for sub, sup in rdf.subject_objects(RDFS.subClassOf):
        if sub in classes and isinstance(sup, URIRef) and sup != sub:
            parents[sub].add(sup)
    properties = []
    for prop in sorted(set(rdf.subjects(RDF.type, OWL.ObjectProperty)), key=str):
        domains = sorted((d for d in rdf.objects(prop, RDFS.domain) if isinstance(d, URIRef)),
                         key=str)
        ranges = sorted((r for r in rdf.objects(prop, RDFS.range) if isinstance(r, URIRef)),
                        key=str)
        properties.append((prop, domains, ranges))
    nodes = set(classes) | {p for ps in parents.values() for p in ps}
    nodes |= {x for _p, ds, rs in properties if ds and rs for x in ds + rs}
    graph = _class_graph(rdf, sorted(nodes, key=str), parents, properties, lang)
    paths = [_class_path(graph, str(cls), [str(a) for a in _ancestors(parents, cls)], lang)
             for cls in sorted(nodes, key=str)]
    for number, path in enumerate(paths):
        graph.nodes[path.steps[0]]["member_of"].append(number)
        for edge in path.edges:
            graph.edges[edge]["member_of"].append(number)
    view = View(kind="ontology", title=view_title("ontology", "", lang), lang=lang, graph=graph,
                paths=paths)
    for node in graph.nodes.values():
        node["facets"] = {"family": [node["group"]]}
    families = sorted({n["group"] for n in graph.nodes.values()}, key=list(GROUPS).index)
    view.filters = [{"key": "family", "label": UI[lang]["family"], "type": "checkbox",
                     "node": True, "options": [{"value": g, "label": GROUPS[g][lang],
                                                "checked": True} for g in families]}]
    return analyse(view)


def _ancestors(parents: dict[Any, set[Any]], cls: Any) -> list[Any]:
    """The superclasses of ``cls``, nearest first (breadth-first, each once)."""
    seen: list[Any] = []
    queue = [cls]
    while queue:
        for sup in sorted(parents.get(queue.pop(0), ()), key=str):
            if sup not in seen:
                seen.append(sup)
                queue.append(sup)
    return seen


def _text(rdf: Any, node: Any, prop: Any, lang: str) -> str:
    """The value of ``prop`` in ``lang``, else in English, else ''."""
    found: dict[str, str] = {}
    for value in sorted(rdf.objects(node, prop), key=str):
        found.setdefault(getattr(value, "language", None) or "en", str(value))
    return found.get(lang) or found.get("en") or ""


def _class_graph(rdf: Any, classes: list[Any], parents: dict[Any, set[Any]],
                 properties: list[tuple[Any, list[Any], list[Any]]], lang: str) -> nx.DiGraph:
    """The classes as nodes, with subclass edges and domain → range property edges."""
    from rdflib.namespace import RDFS, SKOS

    graph = nx.DiGraph()
    for cls in classes:
        graph.add_node(str(cls), id=short_name(str(cls)),
                       label=_text(rdf, cls, RDFS.label, lang) or short_name(str(cls)),
                       group=_family(cls, set(_ancestors(parents, cls))), type="owl:Class",
                       roles=set(), sources=[], status="", categories=[], dates={},
                       illustrative=False, member_of=[], statuses=defaultdict(int),
                       focal=False, scope="", scope_from="",
                       description=_text(rdf, cls, SKOS.definition, lang), props=[])
    for sub in sorted(parents, key=str):
        for sup in sorted(parents[sub], key=str):
            graph.add_edge(str(sub), str(sup), rels={SUBCLASS_RELATION}, member_of=[])
    for prop, domains, ranges in properties:
        name = _text(rdf, prop, RDFS.label, lang) or short_name(str(prop))
        for domain in domains:
            if str(domain) in graph:
                targets = ", ".join(short_name(str(r)) for r in ranges) or "—"
                graph.nodes[str(domain)]["props"].append(f"{short_name(str(prop))} → {targets}")
            for rng in ranges:
                if str(domain) in graph and str(rng) in graph:
                    if not graph.has_edge(str(domain), str(rng)):
                        graph.add_edge(str(domain), str(rng), rels=set(), member_of=[])
                    graph.edges[str(domain), str(rng)]["rels"].add((name, name))
    return graph


def _class_path(graph: nx.DiGraph, cls: str, chain: list[str], lang: str) -> ViewPath:
    """A class, its superclasses, and the properties it has (its own and inherited)."""
    lineage = [cls, *chain]
    edges = [(a, b) for a in lineage for b in lineage if graph.has_edge(a, b)
             and SUBCLASS_RELATION in graph.edges[a, b]["rels"]]
    extra = []
    for a in lineage:
        for _a, b, data in graph.out_edges(a, data=True):
            if data["rels"] - {SUBCLASS_RELATION}:
                edges.append((a, b))
                extra.append(b)
    node = graph.nodes[cls]
    meta = [(UI[lang]["description"], node["description"])] if node["description"] else []
    props = [p for a in lineage for p in graph.nodes[a]["props"]]
    if props:
        meta.append((UI[lang]["properties"], "; ".join(props)))
    return ViewPath(title=node["label"], steps=lineage, edges=list(dict.fromkeys(edges)),
                    extra=[e for e in dict.fromkeys(extra) if e not in lineage], meta=meta)
