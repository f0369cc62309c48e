"""The view model: a networkx graph of nodes (keyed by IRI) and edges plus the highlightable
paths through it, and the exposure views (``actor``, ``risk``, ``jurisdiction``, ``all``)
built from the exposure records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.core.errors import UsageError
from kg.core.namespaces import AIG
from kg.pipeline.exposures import STATUSES, select
from kg.pipeline.sourcepolicy import mark_words
from kg.views.explain import RELATION, SOURCE_RELATION, STATUS_WORDS
from kg.views.graph.layout import analyse
from kg.views.graph.words import CATEGORY_RELATION, UI, tr, view_title

ROLE_GROUP = {"actor": "actor", "supplied-product": "artefact", "artefact": "artefact",
              "activity": "activity", "jurisdiction": "jurisdiction",
              "containing-jurisdiction": "jurisdiction", "provision": "provision",
              "risk": "risk", "category": "category"}
INSTRUMENT_TYPES = {"Instrument", "Legislation", "ExecutiveRule", "TechnicalStandard",
                    "NonBindingInstrument", "Declaration"}
MEASURE_TYPES = {"GovernmentMeasure", "Order", "Ban", "DeviceBan", "EntityListing",
                 "TradeMeasure", "Investigation", "AppStoreRemoval"}
DATE_FIELDS = ("issued", "effective_from", "effective_until", "start", "end", "curated")


@dataclass
class ViewPath:
    """One highlightable path: an exposure (actor → … → risk) or an ontology class chain."""

    title: str
    steps: list[str]
    edges: list[tuple[str, str]]
    extra: list[str] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    status: str = ""

    def nodes(self) -> list[str]:
        return list(dict.fromkeys([*self.steps, *self.extra]))


@dataclass
class View:
    """A graph (nodes keyed by IRI) plus its paths, filters and layout."""

    kind: str
    title: str
    lang: str
    graph: nx.DiGraph
    paths: list[ViewPath]
    filters: list[dict[str, Any]] = field(default_factory=list)
    as_of: dt.date | None = None
    sized: bool = False
    notes: list[str] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    page: dict[str, dict[str, float]] = field(default_factory=dict)

    def highlight(self, key: str) -> tuple[set[str], set[tuple[str, str]]]:
        """The nodes and edges lit when ``key`` is clicked: the union of its paths."""
        nodes: set[str] = set()
        edges: set[tuple[str, str]] = set()
        for index in self.graph.nodes[key]["member_of"]:
            nodes.update(self.paths[index].nodes())
            edges.update(self.paths[index].edges)
        return nodes, edges

    def around(self, key: str) -> tuple[set[str], set[tuple[str, str]]]:
        """What the page lights when the view's own subject is clicked: the subject, its
        neighbours and the edges between them (its paths would light everything)."""
        edges = set(self.graph.in_edges(key)) | set(self.graph.out_edges(key))
        return {key} | {n for e in edges for n in e}, edges


def label_of(entry: dict[str, Any] | None, lang: str, fallback: str = "") -> str:
    labels = (entry or {}).get("label") or {}
    return labels.get(lang) or labels.get("en") or fallback


# --------------------------------------------------------------------------- exposure views


def _source_group(step: dict[str, Any], index: dict[str, dict[str, Any]]) -> str:
    types = set(index.get(step["iri"], {}).get("types", ()))
    types |= {t.strip() for t in (step.get("type") or "").split(",") if t.strip()}
    if types & INSTRUMENT_TYPES:
        return "instrument"
    if types & MEASURE_TYPES:
        return "measure"
    return "event"


def _relation(step: dict[str, Any], record: dict[str, Any]) -> tuple[str, str]:
    role = step["role"]
    if role == "source":
        return SOURCE_RELATION.get(record["kind"], RELATION["source"])
    if role == "activity" and record["kind"] == "ValueChainExposure":
        return ("is placed on the market through", "通过以下活动投放市场")
    return RELATION.get(role, (role, role))


def _add_node(graph: nx.DiGraph, step: dict[str, Any], group: str, lang: str) -> str:
    key: str = step["iri"]
    if key not in graph:
        graph.add_node(key, id=step["id"], label=label_of(step, lang, step["id"]), group=group,
                       type=step.get("type") or "", roles=set(), sources=list(step["sources"]),
                       marks={url: mark_words(mark, lang)
                              for url, mark in step.get("source_tiers", {}).items()},
                       status=step.get("status", ""), categories=list(step.get("categories", [])),
                       dates={k: step[k] for k in DATE_FIELDS if step.get(k)},
                       illustrative=bool(step.get("illustrative")), member_of=[],
                       statuses=defaultdict(int), focal=False, scope="", scope_from="")
    graph.nodes[key]["roles"].add(step["role"])
    return key


def _risk_matches(risk: dict[str, Any], wanted: str) -> bool:
    return risk["id"] == wanted or wanted in risk.get("ancestors", ())


def _exposure_path(graph: nx.DiGraph, record: dict[str, Any], *,
                   index: dict[str, dict[str, Any]], lang: str, risk: str | None,
                   category_key: str | None) -> ViewPath:
    steps = [s for s in record["path"] if s]
    if risk:
        keep = {r["id"] for r in record["risks"] if _risk_matches(r, risk)}
        steps = [s for s in steps if s["role"] != "risk" or s["id"] in keep]
    chain = [s for s in steps if s["role"] != "risk"]
    risks = [s for s in steps if s["role"] == "risk"]
    keys: list[str] = []
    edges: list[tuple[str, str]] = []

    def link(a: str, b: str, relation: tuple[str, str]) -> None:
        if a == b:
            return
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, rels=set(), member_of=[])
        graph.edges[a, b]["rels"].add(relation)
        edges.append((a, b))

    for step in chain:
        group = (_source_group(step, index) if step["role"] == "source"
                 else ROLE_GROUP.get(step["role"], "other"))
        key = _add_node(graph, step, group, lang)
        if keys:
            link(keys[-1], key, _relation(step, record))
        keys.append(key)
    last = keys[-1]
    for step in risks:
        key = _add_node(graph, step, "risk", lang)
        link(last, key, _relation(step, record))
        keys.append(key)
        if category_key and step["iri"] != category_key:
            link(key, category_key, CATEGORY_RELATION)
            keys.append(category_key)
    keys = list(dict.fromkeys(keys))
    return ViewPath(
        title=_pathview_title(record, lang), steps=keys, edges=list(dict.fromkeys(edges)),
        meta=_path_meta(record, lang), status=record["status"],
        facets={"status": [record["status"]],
                "jurisdiction": sorted(record["jurisdictions"]),
                "category": sorted({c for s in risks for c in s.get("categories", [])})
                or ["-"]})


def _pathview_title(record: dict[str, Any], lang: str) -> str:
    """Actor: what it does (or where it is named) → the provision or instrument."""
    actor = label_of(record["actor"], lang, record["actor"]["id"])
    via = record.get("activity") or record.get("artefact")
    place = next((s for s in record["path"] if s and s["role"] == "jurisdiction"), None)
    where = label_of(via or place, lang, (via or place or {}).get("id", ""))
    cause = record.get("provision") or record["source"]
    return f"{actor}: {where} → {label_of(cause, lang, cause['id'])}"


def _path_meta(record: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    ui = UI[lang]
    valid = f"{record.get('valid_from') or '?'} – {record.get('valid_until') or ''}".strip()
    risks = ", ".join(label_of(r, lang, r["id"]) for r in record["risks"])
    return [(ui["kind"], record["kind"]), (ui["state"], tr(STATUS_WORDS[record["status"]],
                                                            lang)),
            (ui["valid"], valid), (ui["rule"], record.get("rule_title") or record["rule"]),
            (tr(("Risks", "风险"), lang), risks)]


def _mark_scope(graph: nx.DiGraph, records: list[dict[str, Any]], jurisdiction: str) -> None:
    """In a jurisdiction view, mark sources that come from a containing (inherited) or a
    contained jurisdiction rather than the jurisdiction itself."""
    for record in records:
        home = record.get("source_jurisdiction")
        if not home or home == jurisdiction:
            continue
        chain = [s["id"] for s in record["path"]
                 if s and s["role"] in ("jurisdiction", "containing-jurisdiction")]
        node = graph.nodes.get(record["source"]["iri"])
        if node is None:
            continue
        node["scope"] = "inherited" if jurisdiction in chain else "contained"
        node["scope_from"] = home


def _count_memberships(graph: nx.DiGraph, paths: list[ViewPath]) -> None:
    for number, path in enumerate(paths):
        for key in path.steps:
            node = graph.nodes[key]
            node["member_of"].append(number)
            node["statuses"][path.status] += 1
        for edge in path.edges:
            graph.edges[edge]["member_of"].append(number)


def exposure_view(records: list[dict[str, Any]], kind: str, subject: str | None = None, *,
                  index: dict[str, dict[str, Any]] | None = None, as_of: dt.date | None = None,
                  lang: str = "en", include_ended: bool = False) -> View:
    """The ``actor``, ``risk``, ``jurisdiction`` or ``all`` view over exposure records.

    ``subject`` is the short id of the actor, risk type/category or jurisdiction.
    """
    if kind not in ("actor", "risk", "jurisdiction", "all"):
        raise UsageError(f"unknown exposure view '{kind}'")
    if kind != "all" and not subject:
        raise UsageError(f"the {kind} view needs a name")
    index = index or {}
    as_of = as_of or dt.date.today()
    statuses = STATUSES if include_ended else ("current", "upcoming", "pending")
    chosen = select(records, actor=subject if kind == "actor" else None,
                    risk=subject if kind == "risk" else None,
                    jurisdiction=subject if kind == "jurisdiction" else None,
                    as_of=as_of, statuses=statuses)
    graph = nx.DiGraph()
    category_key = _category_node(graph, subject, chosen, index, lang) if kind == "risk" else None
    paths = [_exposure_path(graph, record, index=index, lang=lang,
                            risk=subject if kind == "risk" else None,
                            category_key=category_key)
             for record in chosen]
    _count_memberships(graph, paths)
    if category_key and not graph.nodes[category_key]["member_of"]:
        graph.remove_node(category_key)
    if kind == "jurisdiction":
        _mark_scope(graph, chosen, subject or "")
    name = _subject_label(graph, subject, index, lang, kind)
    for node in graph.nodes.values():
        node["focal"] = bool(subject) and node["id"] == subject
    view = View(kind=kind, title=view_title(kind, name, lang), lang=lang, graph=graph, paths=paths,
                as_of=as_of, sized=kind in ("jurisdiction", "all"))
    view.filters = _exposure_filters(chosen, paths, graph, index, lang)
    if not paths:
        view.notes.append(UI[lang]["no_paths"])
    return analyse(view)


def _category_node(graph: nx.DiGraph, subject: str | None, records: list[dict[str, Any]],
                   index: dict[str, dict[str, Any]], lang: str) -> str | None:
    """The risk view's subject as a node when paths reach it only through subtypes."""
    if not subject:
        return None
    if any(r["id"] == subject for record in records for r in record["risks"]):
        return None
    key = str(AIG[subject])
    graph.add_node(key, id=subject, label=label_of(index.get(key), lang, subject),
                   group="category", type="", roles={"category"}, sources=[], status="",
                   categories=[], dates={}, illustrative=False, member_of=[],
                   statuses=defaultdict(int), focal=True, scope="", scope_from="")
    return key


def _subject_label(graph: nx.DiGraph, subject: str | None, index: dict[str, dict[str, Any]],
                   lang: str, kind: str) -> str:
    if not subject:
        return ""
    for node in graph.nodes.values():
        if node["id"] == subject:
            return str(node["label"])
    prefix = str(AIG) if kind == "risk" else "https://w3id.org/aigov-kg/id/"
    return label_of(index.get(prefix + subject), lang, subject)


def _exposure_filters(records: list[dict[str, Any]], paths: list[ViewPath],
                      graph: nx.DiGraph, index: dict[str, dict[str, Any]],
                      lang: str) -> list[dict[str, Any]]:
    ui = UI[lang]
    present = {p.status for p in paths}
    status_options = [{"value": s, "label": tr(STATUS_WORDS[s], lang), "checked": True}
                      for s in STATUSES if s in present]
    categories = sorted({c for p in paths for c in p.facets["category"]})
    category_options = [
        {"value": c, "label": ui["uncategorised"] if c == "-" else
         label_of(index.get(str(AIG[c])), lang, c), "checked": True} for c in categories]
    jurisdictions = sorted({j for r in records for j in r["jurisdictions"]})
    names = {n["id"]: n["label"] for _k, n in graph.nodes(data=True)
             if n["group"] == "jurisdiction"}
    jurisdiction_options = [{"value": "", "label": ui["any"], "checked": True}] + [
        {"value": j, "label": names.get(j) or label_of(
            index.get("https://w3id.org/aigov-kg/id/" + j), lang, j), "checked": False}
        for j in sorted(jurisdictions, key=lambda j: (names.get(j) or j).casefold())]
    for node in graph.nodes.values():
        if node["group"] == "risk":
            node["facets"] = {"category": node["categories"] or ["-"]}
    return [
        {"key": "status", "label": ui["status"], "type": "checkbox", "options": status_options},
        {"key": "category", "label": ui["category"], "type": "checkbox", "node": True,
         "options": category_options},
        {"key": "jurisdiction", "label": ui["jurisdiction"], "type": "select",
         "options": jurisdiction_options},
    ]
