"""Stats: the counts the curation targets are judged by."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.exposures import TableView
from kg.namespaces import AIG, ID
from kg.table import Table


def compute(table: Table) -> dict[str, Any]:
    """Counts over an asserted table (superclasses are followed, no reasoning needed)."""
    view = TableView(table)
    iri = table.iri_id
    types: dict[int, set[int]] = {}
    for subject, cls in table.pairs(iri(str(RDF.type))):
        if table.term(subject).startswith("<" + str(ID)):
            types.setdefault(subject, set()).update({cls} | view.ancestors(cls))

    def members(cls) -> list[int]:
        cls_id = iri(str(cls))
        return sorted(s for s, t in types.items() if cls_id in t)

    sources = members(AIG.RiskSource)
    raises, part_of = iri(str(AIG.raisesRisk)), iri(str(AIG.partOf))
    by_category: Counter[str] = Counter()
    for category in sorted(table.subjects(iri(str(SKOS.topConceptOf)), iri(str(AIG.RiskTaxonomy))),
                           key=table.term):
        name = view.short(category)
        by_category[name] += 0
        for node in sources:
            raised = set(table.objects(node, raises))
            for provision in table.subjects(part_of, node):
                raised.update(table.objects(provision, raises))
            if any(r == category or category in view.ancestors(r) for r in raised):
                by_category[name] += 1
    with_source = [s for s in types if table.objects(s, iri(str(DCTERMS.source)))]
    by_class: Counter[str] = Counter(view.most_specific_type(node) for node in sources)
    return {
        "instruments_and_events": len(sources),
        "provisions": len(members(AIG.Provision)),
        "by_risk_category": dict(sorted(by_category.items())),
        "by_class": dict(sorted(by_class.items())),
        "jurisdictions": len(members(AIG.Jurisdiction)),
        "actors": len(members(AIG.Actor)),
        "activities": len(members(AIG.Activity)),
        "artefacts": len(members(AIG.Artefact)),
        "mitigations": len(members(AIG.Mitigation)),
        "illustrative_entities": len(list(table.pairs(iri(str(AIG.illustrative))))),
        "curated_records": len(types),
        "records_with_source": len(with_source),
        "share_with_source": round(len(with_source) / len(types), 4) if types else 1.0,
    }
