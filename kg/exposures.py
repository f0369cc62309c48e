"""Exposures: turn the derived exposure nodes into explainable records, and filter them.

A record carries everything ``kg exposures`` and ``kg explain`` print — the path from
actor to risk with labels in both languages, the rule that joined it, the dates, and
the sources of every link — so those commands read ``build/exposures.json`` and never
re-reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.namespaces import AIG, short_name

RISK_CATEGORY_SCHEME = AIG.RiskTaxonomy
KIND_ORDER = ["MarketExposure", "ExtraterritorialExposure", "TargetedMeasureExposure",
              "AllegationExposure", "ValueChainExposure"]
STATUSES = ("current", "upcoming", "pending", "ended")


@dataclass
class GraphView:
    """Read helpers over the full (asserted + inferred + derived) graph."""

    graph: Graph

    def __post_init__(self) -> None:
        self.superclasses: dict[Node, set[Node]] = defaultdict(set)
        for sub, sup in self.graph.subject_objects(RDFS.subClassOf):
            self.superclasses[sub].add(sup)
        self.top_concepts = set(self.graph.subjects(SKOS.topConceptOf, RISK_CATEGORY_SCHEME))
        self.within: dict[Node, set[Node]] = defaultdict(set)
        self.asserted_within: dict[Node, set[Node]] = defaultdict(set)
        for a, b in self.graph.subject_objects(AIG.within):
            self.within[a].add(b)

    def labels(self, node: Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for label in sorted(self.graph.objects(node, RDFS.label), key=str):
            if isinstance(label, Literal):
                lang = (label.language or "en").split("-")[0]
                out.setdefault(lang, str(label))
        if "en" not in out:
            out["en"] = short_name(str(node))
        return out

    def ancestors(self, cls: Node) -> set[Node]:
        seen: set[Node] = set()
        stack = [cls]
        while stack:
            node = stack.pop()
            for sup in self.superclasses.get(node, ()):
                if sup not in seen:
                    seen.add(sup)
                    stack.append(sup)
        return seen

    def categories(self, risk: Node) -> list[str]:
        found = ({risk} | self.ancestors(risk)) & self.top_concepts
        return sorted(short_name(str(c)) for c in found)

    def most_specific_type(self, node: Node) -> str:
        types = {t for t in self.graph.objects(node, RDF.type)
                 if isinstance(t, URIRef) and str(t).startswith(str(AIG))}
        specific = [t for t in types if not any(t in self.ancestors(o) for o in types if o != t)]
        return ", ".join(sorted(short_name(str(t)) for t in specific))

    def value(self, node: Node, prop: URIRef) -> str | None:
        found = sorted(str(v) for v in self.graph.objects(node, prop))
        return found[0] if found else None

    def sources(self, node: Node) -> list[str]:
        return sorted(str(s) for s in self.graph.objects(node, DCTERMS.source))

    def jurisdiction_chain(self, start: Node, end: Node) -> list[Node]:
        """Shortest chain of `within` links from start to end (inclusive)."""
        if start == end:
            return [start]
        queue: deque[list[Node]] = deque([[start]])
        seen = {start}
        while queue:
            path = queue.popleft()
            for nxt in sorted(self.within.get(path[-1], ()), key=str):
                if nxt == end:
                    return [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append([*path, nxt])
        return [start, end]

    def node(self, node: Node | None, role: str) -> dict[str, Any] | None:
        if node is None:
            return None
        record: dict[str, Any] = {
            "role": role,
            "id": short_name(str(node)),
            "iri": str(node),
            "type": self.most_specific_type(node),
            "label": self.labels(node),
            "sources": self.sources(node),
        }
        for key, prop in (("status", AIG.status), ("identifier", DCTERMS.identifier),
                          ("issued", AIG.issuedOn), ("effective_from", AIG.effectiveFrom),
                          ("effective_until", AIG.effectiveUntil), ("start", AIG.startDate),
                          ("end", AIG.endDate), ("curated", AIG.curatedOn)):
            value = self.value(node, prop)
            if value is not None:
                record[key] = short_name(value)
        if self.value(node, AIG.illustrative) == "true":
            record["illustrative"] = True
        return record


def extract(graph: Graph) -> list[dict[str, Any]]:
    """All exposures in ``graph`` as plain records, in a stable order."""
    view = GraphView(graph)
    records = []
    for exposure in set(graph.subjects(RDF.type, AIG.Exposure)):
        records.append(_record(view, exposure))
    records.sort(key=lambda r: (r["actor"]["id"], KIND_ORDER.index(r["kind"])
                                if r["kind"] in KIND_ORDER else 99, r["source"]["id"], r["id"]))
    return records


def _one(graph: Graph, node: Node, prop: URIRef) -> Node | None:
    values = sorted(graph.objects(node, prop), key=str)
    return values[0] if values else None


def _record(view: GraphView, exposure: Node) -> dict[str, Any]:
    g = view.graph
    kinds = {short_name(str(t)) for t in g.objects(exposure, RDF.type)} & set(KIND_ORDER)
    kind = sorted(kinds)[0] if kinds else "Exposure"
    actor = _one(g, exposure, AIG.exposedActor)
    source = _one(g, exposure, AIG.throughSource)
    provision = _one(g, exposure, AIG.throughProvision)
    activity = _one(g, exposure, AIG.viaActivity)
    artefact = _one(g, exposure, AIG.viaArtefact) or _one(g, exposure, AIG.viaSupplyOf)
    jurisdiction = _one(g, exposure, AIG.activityJurisdiction)
    source_jurisdiction = _one(g, exposure, AIG.sourceJurisdiction)
    rule = _one(g, exposure, AIG.derivedByRule)
    risks = sorted(g.objects(exposure, AIG.exposedToRisk), key=str)

    chain_nodes = (view.jurisdiction_chain(jurisdiction, source_jurisdiction)
                   if jurisdiction is not None and source_jurisdiction is not None
                   else [source_jurisdiction] if source_jurisdiction is not None else [])
    reach = set(chain_nodes)
    for node in chain_nodes:
        reach |= view.within.get(node, set())

    path: list[dict[str, Any]] = [view.node(actor, "actor")]
    if kind == "ValueChainExposure":
        path.append(view.node(artefact, "supplied-product"))
        path.append(view.node(activity, "activity"))
    elif activity is not None:
        path.append(view.node(activity, "activity"))
    elif artefact is not None:
        path.append(view.node(artefact, "artefact"))
    for index, node in enumerate(chain_nodes):
        role = "jurisdiction" if index == 0 else "containing-jurisdiction"
        path.append(view.node(node, role))
    path.append(view.node(source, "source"))
    if provision is not None:
        path.append(view.node(provision, "provision"))
    for risk in risks:
        step = view.node(risk, "risk")
        step["categories"] = view.categories(risk)
        path.append(step)

    valid_from = _one(g, exposure, AIG.validFrom)
    valid_until = _one(g, exposure, AIG.validUntil)
    return {
        "id": str(exposure),
        "kind": kind,
        "rule": str(rule).rsplit("/", 1)[-1] if rule is not None else "",
        "rule_title": view.value(rule, RDFS.label) if rule is not None else "",
        "actor": view.node(actor, "actor"),
        "risks": [{"id": short_name(str(r)), "label": view.labels(r),
                   "categories": view.categories(r),
                   "ancestors": sorted(short_name(str(a)) for a in view.ancestors(r)
                                       if str(a).startswith(str(AIG)))}
                  for r in risks],
        "source": view.node(source, "source"),
        "provision": view.node(provision, "provision"),
        "activity": view.node(activity, "activity"),
        "artefact": view.node(artefact, "artefact"),
        "jurisdiction": short_name(str(jurisdiction)) if jurisdiction is not None else None,
        "source_jurisdiction": short_name(str(source_jurisdiction))
        if source_jurisdiction is not None else None,
        "jurisdictions": sorted(short_name(str(j)) for j in reach),
        "valid_from": str(valid_from) if valid_from is not None else None,
        "valid_until": str(valid_until) if valid_until is not None else None,
        "path": path,
    }


# --------------------------------------------------------------------------- as-of, filters


def status_as_of(record: dict[str, Any], as_of: dt.date) -> str:
    until = record.get("valid_until")
    if until and dt.date.fromisoformat(until) <= as_of:
        return "ended"
    start = record.get("valid_from")
    if not start:
        return "pending"
    if dt.date.fromisoformat(start) > as_of:
        return "upcoming"
    return "current"


def select(records: list[dict[str, Any]], *, actor: str | None = None, risk: str | None = None,
           jurisdiction: str | None = None, source: str | None = None,
           as_of: dt.date | None = None, statuses: tuple[str, ...] = ("current", "upcoming",
                                                                      "pending"),
           ) -> list[dict[str, Any]]:
    """Records matching every given filter, each with its ``status`` as of the date."""
    as_of = as_of or dt.date.today()
    out = []
    for record in records:
        if actor and record["actor"]["id"] != actor:
            continue
        if risk and not any(risk == r["id"] or risk in r["ancestors"] for r in record["risks"]):
            continue
        if jurisdiction and jurisdiction not in record["jurisdictions"]:
            continue
        if source and source not in (record["source"]["id"],
                                     (record.get("provision") or {}).get("id")):
            continue
        status = status_as_of(record, as_of)
        if status not in statuses:
            continue
        out.append({**record, "status": status})
    return out


# --------------------------------------------------------------------------- rendering

CSV_COLUMNS = ["exposure", "kind", "actor", "risks", "categories", "source", "source_type",
               "provision", "activity", "jurisdiction", "source_jurisdiction", "valid_from",
               "valid_until", "status", "sources"]


def flat_row(record: dict[str, Any], lang: str = "en") -> dict[str, str]:
    provision = record.get("provision") or {}
    activity = record.get("activity") or {}
    link_sources = sorted({s for step in record["path"] if step for s in step["sources"]})
    return {
        "exposure": record["id"],
        "kind": record["kind"],
        "actor": record["actor"]["id"],
        "risks": ";".join(r["id"] for r in record["risks"]),
        "categories": ";".join(sorted({c for r in record["risks"] for c in r["categories"]})),
        "source": record["source"]["id"],
        "source_type": record["source"]["type"],
        "provision": provision.get("id", ""),
        "activity": activity.get("id", ""),
        "jurisdiction": record.get("jurisdiction") or "",
        "source_jurisdiction": record.get("source_jurisdiction") or "",
        "valid_from": record.get("valid_from") or "",
        "valid_until": record.get("valid_until") or "",
        "status": record.get("status", ""),
        "sources": " ".join(link_sources),
    }


def to_csv(records: list[dict[str, Any]], delimiter: str = ",",
           columns: list[str] | None = None) -> str:
    columns = columns or [c for c in CSV_COLUMNS
                          if c != "status" or any("status" in r for r in records)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter,
                            lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(flat_row(record))
    return buffer.getvalue()


def to_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
