"""Stats: the counts the curation targets are judged by."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.exposures import GraphView
from kg.namespaces import AIG, ID, short_name


def compute(graph: Graph) -> dict[str, Any]:
    view = GraphView(graph)
    types: dict[URIRef, set[URIRef]] = {}
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and str(subject).startswith(str(ID)):
            types.setdefault(subject, set()).update({cls} | view.ancestors(cls))

    def members(cls: URIRef) -> list[URIRef]:
        return sorted((s for s, t in types.items() if cls in t), key=str)

    sources = members(AIG.RiskSource)
    provisions = members(AIG.Provision)
    by_category: Counter[str] = Counter()
    for category in sorted(graph.subjects(SKOS.topConceptOf, AIG.RiskTaxonomy), key=str):
        for node in sources:
            raised = set(graph.objects(node, AIG.raisesRisk))
            for provision in graph.subjects(AIG.partOf, node):
                raised |= set(graph.objects(provision, AIG.raisesRisk))
            if any(r == category or category in view.ancestors(r) for r in raised):
                by_category[short_name(str(category))] += 1
        by_category.setdefault(short_name(str(category)), 0)
    curated = sorted(types, key=str)
    with_source = [s for s in curated if (s, DCTERMS.source, None) in graph]
    by_class = Counter()
    for node in sources:
        by_class[view.most_specific_type(node)] += 1
    return {
        "instruments_and_events": len(sources),
        "provisions": len(provisions),
        "by_risk_category": dict(sorted(by_category.items())),
        "by_class": dict(sorted(by_class.items())),
        "jurisdictions": len(members(AIG.Jurisdiction)),
        "actors": len(members(AIG.Actor)),
        "activities": len(members(AIG.Activity)),
        "artefacts": len(members(AIG.Artefact)),
        "mitigations": len(members(AIG.Mitigation)),
        "illustrative_entities": len(list(graph.subjects(AIG.illustrative, None))),
        "curated_records": len(curated),
        "records_with_source": len(with_source),
        "share_with_source": round(len(with_source) / len(curated), 4) if curated else 1.0,
    }
