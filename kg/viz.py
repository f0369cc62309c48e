"""Interactive graph views: exposure paths and the ontology as self-contained HTML pages.

A view is a networkx graph built from the exposure records (or the ontology), analysed
(exposure paths through each node, betweenness) and laid out in Python — layered along
the path roles, actor on the left and risk on the right — so the output is deterministic
and the browser runs no physics, whatever the size.

The page is one file: vis-network (from the installed pyvis package, licence header kept)
and the viewer script are inlined, the data travels as JSON in a non-executed script
block, and a Content-Security-Policy allows only those two scripts (by hash) and no
network request at all. Every string from the data is shown with ``textContent`` or
drawn on the canvas, never parsed as HTML; links are made only for http(s) URLs.

Static output: ``png`` is the same page rendered in headless Chromium and screenshotted
(pixel-identical to what the viewer shows); ``svg`` is drawn in Python from the same node
positions and styles (vector, text stays text, no browser needed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import UsageError
from kg.explain import RELATION, SOURCE_RELATION, STATUS_WORDS
from kg.exposures import STATUSES, select
from kg.namespaces import AIG, short_name
from kg.sourcepolicy import mark_words
from kg.textsafe import html_text

VIEWS = ("actor", "risk", "jurisdiction", "all", "ontology")
FORMATS = ("html", "png", "svg")
LANGS = ("en", "zh")

# Node classes: colour, border, vis shape, legend symbol, and the name in each language.
GROUPS: dict[str, dict[str, str]] = {
    "actor": {"color": "#2f6db5", "border": "#1d4677", "shape": "star", "symbol": "★",
              "en": "Actor", "zh": "行为者"},
    "artefact": {"color": "#9c6b4e", "border": "#62412d", "shape": "square", "symbol": "■",
                 "en": "Artefact / supplied product", "zh": "制品 / 供应的产品"},
    "activity": {"color": "#3a9a48", "border": "#23612c", "shape": "triangle", "symbol": "▲",
                 "en": "Activity", "zh": "活动"},
    "jurisdiction": {"color": "#1fb1c4", "border": "#12707c", "shape": "hexagon",
                     "symbol": "⬢", "en": "Jurisdiction", "zh": "法域"},
    "instrument": {"color": "#f08c1a", "border": "#9c5607", "shape": "diamond", "symbol": "◆",
                   "en": "Instrument", "zh": "法律政策文件"},
    "measure": {"color": "#d9423a", "border": "#8a211b", "shape": "triangleDown",
                "symbol": "▼", "en": "Government measure", "zh": "政府措施"},
    "event": {"color": "#8e5cc2", "border": "#58347d", "shape": "dot", "symbol": "●",
              "en": "Allegation / proceeding / incident", "zh": "指控 / 诉讼 / 事件"},
    "provision": {"color": "#f5c16c", "border": "#a5771f", "shape": "diamond", "symbol": "◆",
                  "en": "Provision", "zh": "条款"},
    "risk": {"color": "#b3204d", "border": "#6e0f2d", "shape": "box", "symbol": "▬",
             "en": "Risk type", "zh": "风险类型"},
    "category": {"color": "#5b0f27", "border": "#2e0612", "shape": "box", "symbol": "█",
                 "en": "Risk category", "zh": "风险类别"},
    "other": {"color": "#c9ced4", "border": "#6d737b", "shape": "ellipse", "symbol": "●",
              "en": "Other class", "zh": "其他类"},
    "external": {"color": "#eef0f2", "border": "#9aa1a8", "shape": "ellipse", "symbol": "○",
                 "en": "External class", "zh": "外部类"},
}
ROLE_GROUP = {"actor": "actor", "supplied-product": "artefact", "artefact": "artefact",
              "activity": "activity", "jurisdiction": "jurisdiction",
              "containing-jurisdiction": "jurisdiction", "provision": "provision",
              "risk": "risk", "category": "category"}
# Column of each path role, before jurisdiction nesting widens the jurisdiction columns.
ROLE_RANK = {"actor": 0, "supplied-product": 1, "activity": 2, "artefact": 2,
             "jurisdiction": 3, "containing-jurisdiction": 3, "source": 4, "provision": 5,
             "risk": 6, "category": 7}
ROLE_NAMES = {"actor": ("actor", "行为者"), "supplied-product": ("supplied product", "供应的产品"),
              "activity": ("activity", "活动"), "artefact": ("artefact", "制品"),
              "jurisdiction": ("jurisdiction", "法域"),
              "containing-jurisdiction": ("containing jurisdiction", "上级法域"),
              "source": ("risk source", "风险来源"), "provision": ("provision", "条款"),
              "risk": ("risk", "风险"), "category": ("risk category", "风险类别")}
INSTRUMENT_TYPES = {"Instrument", "Legislation", "ExecutiveRule", "TechnicalStandard",
                    "NonBindingInstrument", "Declaration"}
MEASURE_TYPES = {"GovernmentMeasure", "Order", "Ban", "DeviceBan", "EntityListing",
                 "TradeMeasure", "Investigation", "AppStoreRemoval"}
# Ontology class families, most specific first.
FAMILIES = (("GovernanceRisk", "risk"), ("Instrument", "instrument"),
            ("GovernmentMeasure", "measure"), ("RiskSource", "event"),
            ("Provision", "provision"), ("Jurisdiction", "jurisdiction"),
            ("Activity", "activity"), ("Artefact", "artefact"), ("Actor", "actor"))
CATEGORY_RELATION = ("is a kind of", "属于")
SUBCLASS_RELATION = ("subclass of", "子类")
DATE_FIELDS = ("issued", "effective_from", "effective_until", "start", "end", "curated")
LARGE = 300  # above this many nodes: straight edges, edges hidden while dragging/zooming
LABEL_MAX = 38

UI: dict[str, dict[str, str]] = {
    "en": {
        "legend": "Legend", "filters": "Filters", "status": "Exposure status",
        "category": "Risk category", "jurisdiction": "Jurisdiction", "any": "(any)",
        "family": "Class family", "paths": "Paths", "hint": (
            "Click a node or an edge to highlight its exposure paths; pick a path below to "
            "follow it step by step."),
        "type": "Type", "roles": "Role", "state": "Status", "issued": "Issued",
        "effective_from": "Effective from", "effective_until": "Effective until",
        "start": "Start", "end": "End", "curated": "Curated", "sources": "Sources",
        "npaths": "Exposure paths through it", "betweenness": "Betweenness",
        "inherited": "Inherited from containing jurisdiction",
        "contained": "From contained jurisdiction", "categories": "Categories",
        "showing": "Showing {n} of {N} nodes, {m} of {M} edges, {p} paths",
        "clear": "Clear", "fit": "Fit", "more": "… and {n} more",
        "dashed": "dashed border: inherited from a containing jurisdiction",
        "dotted": "dotted border: from a contained jurisdiction",
        "focal": "thick border: the subject of this view",
        "size": "node size: exposure paths through the node", "illustrative": "ILLUSTRATIVE",
        "description": "Description", "kind": "Kind", "rule": "Rule", "valid": "Valid",
        "no_paths": "No exposure paths match.", "selected": "Selected",
        "properties": "Properties", "uncategorised": "(no category)",
    },
    "zh": {
        "legend": "图例", "filters": "筛选", "status": "风险暴露状态", "category": "风险类别",
        "jurisdiction": "法域", "any": "（全部）", "family": "类族", "paths": "路径",
        "hint": "点击节点或连线以高亮其风险暴露路径；在下方选择一条路径可逐步查看。",
        "type": "类型", "roles": "角色", "state": "状态", "issued": "发布",
        "effective_from": "生效", "effective_until": "失效", "start": "开始", "end": "结束",
        "curated": "整理于", "sources": "来源", "npaths": "经过此节点的风险暴露路径",
        "betweenness": "介数中心性", "inherited": "继承自上级法域",
        "contained": "来自下级法域", "categories": "类别",
        "showing": "显示 {n}/{N} 个节点，{m}/{M} 条连线，{p} 条路径",
        "clear": "清除", "fit": "适应窗口", "more": "……另有 {n} 条",
        "dashed": "虚线边框：继承自上级法域", "dotted": "点线边框：来自下级法域",
        "focal": "粗边框：本视图的主体", "size": "节点大小：经过该节点的风险暴露路径数",
        "illustrative": "示例", "description": "说明", "kind": "类型", "rule": "规则",
        "valid": "有效期", "no_paths": "没有匹配的风险暴露路径。", "selected": "已选",
        "properties": "属性", "uncategorised": "（无类别）",
    },
}
TITLES = {
    "actor": ("Exposure paths of {name}", "{name}的风险暴露路径"),
    "risk": ("Exposure to {name}", "{name}：风险暴露"),
    "jurisdiction": ("Instruments and exposures in {name}", "{name}：法律政策文件与风险暴露"),
    "all": ("All exposure paths", "全部风险暴露路径"),
    "ontology": ("Ontology: classes and properties", "本体：类与属性"),
}


# --------------------------------------------------------------------------- the view model


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

    def highlight(self, key: str) -> tuple[set[str], set[tuple[str, str]]]:
        """The nodes and edges lit when ``key`` is clicked: the union of its paths."""
        nodes: set[str] = set()
        edges: set[tuple[str, str]] = set()
        for index in self.graph.nodes[key]["member_of"]:
            nodes.update(self.paths[index].nodes())
            edges.update(self.paths[index].edges)
        return nodes, edges


def label_of(entry: dict[str, Any] | None, lang: str, fallback: str = "") -> str:
    labels = (entry or {}).get("label") or {}
    return labels.get(lang) or labels.get("en") or fallback


def _tr(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


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
    key = step["iri"]
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
        title=_path_title(record, lang), steps=keys, edges=list(dict.fromkeys(edges)),
        meta=_path_meta(record, lang), status=record["status"],
        facets={"status": [record["status"]],
                "jurisdiction": sorted(record["jurisdictions"]),
                "category": sorted({c for s in risks for c in s.get("categories", [])})
                or ["-"]})


def _path_title(record: dict[str, Any], lang: str) -> str:
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
    return [(ui["kind"], record["kind"]), (ui["state"], _tr(STATUS_WORDS[record["status"]],
                                                            lang)),
            (ui["valid"], valid), (ui["rule"], record.get("rule_title") or record["rule"]),
            (_tr(("Risks", "风险"), lang), risks)]


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
    view = View(kind=kind, title=_title(kind, name, lang), lang=lang, graph=graph, paths=paths,
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
            return node["label"]
    prefix = str(AIG) if kind == "risk" else "https://w3id.org/aigov-kg/id/"
    return label_of(index.get(prefix + subject), lang, subject)


def _title(kind: str, name: str, lang: str) -> str:
    return _tr(TITLES[kind], lang).format(name=name)


def _exposure_filters(records: list[dict[str, Any]], paths: list[ViewPath],
                      graph: nx.DiGraph, index: dict[str, dict[str, Any]],
                      lang: str) -> list[dict[str, Any]]:
    ui = UI[lang]
    present = {p.status for p in paths}
    status_options = [{"value": s, "label": _tr(STATUS_WORDS[s], lang), "checked": True}
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


# --------------------------------------------------------------------------- ontology view


def _ontology_graph(project_root: Path, build_dir: Path | None) -> Any:
    """The asserted graph of a build when there is one, else the ontology modules."""
    from rdflib import Graph

    from kg.namespaces import GRAPH

    graph = Graph()
    nq = build_dir / "graph.nq" if build_dir else None
    if nq and nq.is_file():
        wanted = f"<{GRAPH['asserted']}> ."
        with open(nq, encoding="utf-8") as handle:
            lines = [line.rsplit(" ", 2)[0] + " .\n" for line in handle
                     if line.rstrip().endswith(wanted)]
        graph.parse(data="".join(lines), format="nt")
        return graph
    from kg.load import parse_turtle, read_text  # bounded reader, located syntax errors

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
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

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

    def ancestors(cls: Any) -> list[Any]:
        seen: list[Any] = []
        queue = [cls]
        while queue:
            for sup in sorted(parents.get(queue.pop(0), ()), key=str):
                if sup not in seen:
                    seen.append(sup)
                    queue.append(sup)
        return seen

    def text(node: Any, prop: Any) -> str:
        found = {}
        for value in sorted(rdf.objects(node, prop), key=str):
            found.setdefault(getattr(value, "language", None) or "en", str(value))
        return found.get(lang) or found.get("en") or ""

    graph = nx.DiGraph()
    for cls in sorted(nodes, key=str):
        graph.add_node(str(cls), id=short_name(str(cls)),
                       label=text(cls, RDFS.label) or short_name(str(cls)),
                       group=_family(cls, set(ancestors(cls))), type="owl:Class",
                       roles=set(), sources=[], status="", categories=[], dates={},
                       illustrative=False, member_of=[], statuses=defaultdict(int),
                       focal=False, scope="", scope_from="",
                       description=text(cls, SKOS.definition), props=[])
    for sub in sorted(parents, key=str):
        for sup in sorted(parents[sub], key=str):
            graph.add_edge(str(sub), str(sup), rels={SUBCLASS_RELATION}, member_of=[])
    for prop, domains, ranges in properties:
        name = text(prop, RDFS.label) or short_name(str(prop))
        for domain in domains:
            if str(domain) in graph:
                targets = ", ".join(short_name(str(r)) for r in ranges) or "—"
                graph.nodes[str(domain)]["props"].append(f"{short_name(str(prop))} → {targets}")
            for rng in ranges:
                if str(domain) in graph and str(rng) in graph:
                    if not graph.has_edge(str(domain), str(rng)):
                        graph.add_edge(str(domain), str(rng), rels=set(), member_of=[])
                    graph.edges[str(domain), str(rng)]["rels"].add((name, name))
    paths = [_class_path(graph, str(cls), [str(a) for a in ancestors(cls)], lang)
             for cls in sorted(nodes, key=str)]
    for number, path in enumerate(paths):
        graph.nodes[path.steps[0]]["member_of"].append(number)
        for edge in path.edges:
            graph.edges[edge]["member_of"].append(number)
    view = View(kind="ontology", title=_title("ontology", "", lang), lang=lang, graph=graph,
                paths=paths)
    for node in graph.nodes.values():
        node["facets"] = {"family": [node["group"]]}
    families = sorted({n["group"] for n in graph.nodes.values()}, key=list(GROUPS).index)
    view.filters = [{"key": "family", "label": UI[lang]["family"], "type": "checkbox",
                     "node": True, "options": [{"value": g, "label": GROUPS[g][lang],
                                                "checked": True} for g in families]}]
    return analyse(view)


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


# --------------------------------------------------------------------------- analysis, layout


def analyse(view: View) -> View:
    """Centrality and layout: paths through each node, betweenness, positions."""
    graph = view.graph
    for node in graph.nodes.values():
        node["npaths"] = len(node["member_of"])
    n = graph.number_of_nodes()
    if 0 < n <= 3000:
        # Exact up to 1,000 nodes; above that a fixed-seed sample keeps it deterministic.
        k = None if n <= 1000 else 256
        centrality = nx.betweenness_centrality(graph, k=k, seed=7, normalized=True)
        for key, value in centrality.items():
            graph.nodes[key]["betweenness"] = round(value, 4)
    view.positions = layered_layout(graph, _layers(view))
    return view


def _layers(view: View) -> dict[str, int]:
    graph = view.graph
    if view.kind == "ontology":
        subclass = [(a, b) for a, b, rels in graph.edges(data="rels")
                    if SUBCLASS_RELATION in rels]
        return _depths(graph.edge_subgraph(subclass).reverse(copy=False), graph.nodes)
    jurisdictions = [k for k, n in graph.nodes(data=True) if n["group"] == "jurisdiction"]
    nesting = _depths(graph.subgraph(jurisdictions), jurisdictions)
    widen = max(nesting.values(), default=0)
    layers = {}
    for key, node in graph.nodes(data=True):
        ranks = [ROLE_RANK.get(role, 4) for role in node["roles"]] or [4]
        rank = max(ranks)
        if node["group"] == "jurisdiction":
            rank = 3 + nesting.get(key, 0)
        elif rank > 3:
            rank += widen
        layers[key] = rank
    return layers


def _depths(graph: nx.DiGraph, keys: Iterable[str]) -> dict[str, int]:
    """Longest-path depth of each node from the nodes with no predecessor (0 on cycles)."""
    if not nx.is_directed_acyclic_graph(graph):
        return dict.fromkeys(keys, 0)
    depth: dict[str, int] = {}
    for key in nx.lexicographical_topological_sort(graph):
        preds = [depth[p] for p in graph.predecessors(key)]
        depth[key] = max(preds) + 1 if preds else 0
    return {k: depth.get(k, 0) for k in keys}


def layered_layout(graph: nx.DiGraph, layers: dict[str, int], *, dx: int = 330,
                   dy: int = 56, sub_dx: int = 250) -> dict[str, tuple[int, int]]:
    """Columns by layer, rows ordered by barycentre sweeps to cut crossings; a tall
    column wraps into sub-columns so big views keep a sensible aspect ratio."""
    columns: dict[int, list[str]] = defaultdict(list)
    group_order = list(GROUPS)
    for key in sorted(graph.nodes, key=lambda k: (group_order.index(graph.nodes[k]["group"]),
                                                  graph.nodes[k]["label"].casefold(), k)):
        columns[layers[key]].append(key)
    undirected = graph.to_undirected(as_view=True)
    order = _barycentre_order(columns, undirected)
    rows = max(30, math.ceil(2.2 * math.sqrt(max(graph.number_of_nodes(), 1))))
    positions: dict[str, tuple[int, int]] = {}
    x = 0
    for layer in sorted(order):
        keys = order[layer]
        width = math.ceil(len(keys) / rows)
        step = dy / width  # staggered: neighbours in the order sit in adjacent sub-columns
        for i, key in enumerate(keys):
            positions[key] = (x + (i % width) * sub_dx, round((i - (len(keys) - 1) / 2) * step))
        x += (width - 1) * sub_dx + dx
    return positions


def _barycentre_order(columns: dict[int, list[str]], graph: nx.Graph,
                      sweeps: int = 4) -> dict[int, list[str]]:
    order = {layer: list(keys) for layer, keys in columns.items()}
    where: dict[str, float] = {}

    def place(layer: int) -> None:
        size = max(len(order[layer]) - 1, 1)
        for i, key in enumerate(order[layer]):
            where[key] = i / size

    for layer in order:
        place(layer)
    layers = sorted(order)
    for sweep in range(sweeps):
        for layer in layers if sweep % 2 == 0 else reversed(layers):
            def score(key: str) -> tuple[float, float, str]:
                near = [where[n] for n in graph.neighbors(key) if n in where and n != key]
                return (sum(near) / len(near) if near else where[key], where[key], key)
            order[layer].sort(key=score)
            place(layer)
    return order


# --------------------------------------------------------------------------- page payload


def columns(text: str) -> int:
    """Display width: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    """``text`` cut to ``limit`` columns, wide (CJK) characters counting two."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > limit:
            return text[:i].rstrip() + "…"
    return text


def node_size(view: View, npaths: int, group: str) -> int:
    if group in ("risk", "category"):
        return 14
    if view.sized:
        return min(46, round(10 + 4 * math.sqrt(npaths)))
    return 18 if group == "actor" else 14


def _rel_text(rels: set[tuple[str, str]], lang: str) -> str:
    return " / ".join(sorted({_tr(r, lang) for r in rels}))


def payload(view: View) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data (nodes and edges by index)."""
    lang = view.lang
    keys = sorted(view.graph.nodes)
    number = {key: i for i, key in enumerate(keys)}
    nodes = []
    for key in keys:
        node = view.graph.nodes[key]
        x, y = view.positions.get(key, (0, 0))
        item: dict[str, Any] = {
            "key": key, "id": node["id"], "label": node["label"],
            "short": short_label(node["label"]), "group": node["group"],
            "type": node["type"], "roles": sorted(node["roles"]), "x": x, "y": y,
            "size": node_size(view, node["npaths"], node["group"]),
            "paths": node["member_of"], "npaths": node["npaths"],
            "sources": node["sources"], "status": node["status"], "dates": node["dates"],
            "statuses": dict(sorted(node["statuses"].items())),
        }
        optional = {"focal": node["focal"], "illustrative": node["illustrative"],
                    "scope": node["scope"], "scope_from": node["scope_from"],
                    "categories": node["categories"], "facets": node.get("facets"),
                    "description": node.get("description"), "marks": node.get("marks"),
                    "betweenness": node.get("betweenness")}
        item.update({k: v for k, v in optional.items() if v})
        nodes.append(item)
    edge_keys = sorted(view.graph.edges)
    edge_number = {edge: i for i, edge in enumerate(edge_keys)}
    edges = [{"from": number[a], "to": number[b],
              "label": _rel_text(view.graph.edges[a, b]["rels"], lang),
              "npaths": len(view.graph.edges[a, b]["member_of"])} for a, b in edge_keys]
    paths = [{"title": p.title, "steps": [number[k] for k in p.steps],
              "extra": [number[k] for k in p.extra],
              "edges": [edge_number[e] for e in p.edges], "meta": [list(m) for m in p.meta],
              "facets": p.facets, "status": p.status} for p in view.paths]
    present = sorted({n["group"] for n in nodes}, key=list(GROUPS).index)
    return {
        "view": view.kind, "title": view.title, "lang": lang,
        "asOf": view.as_of.isoformat() if view.as_of else None,
        "notes": view.notes, "sized": view.sized, "large": len(nodes) > LARGE,
        "groups": {g: {k: GROUPS[g][k] for k in ("color", "border", "shape", "symbol")}
                   | {"label": GROUPS[g][lang]} for g in present},
        "groupOrder": present,
        "roleNames": {role: _tr(names, lang) for role, names in ROLE_NAMES.items()},
        "statusLabels": {s: _tr(STATUS_WORDS[s], lang) for s in STATUSES},
        "ui": UI[lang] | ({"paths": _tr(("Classes", "类"), lang)}
                          if view.kind == "ontology" else {}),
        "filters": view.filters, "nodes": nodes, "edges": edges,
        "paths": paths,
    }


def json_for_script(data: Any) -> str:
    """JSON that cannot end or break out of the ``<script>`` element that holds it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# --------------------------------------------------------------------------- HTML


def _asset(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text("utf-8")


def vis_assets() -> tuple[str, str]:
    """vis-network's standalone script and stylesheet, read from the installed pyvis.

    The script keeps its licence header; the trailing source-map comment is dropped so
    that even developer tools have nothing to fetch.
    """
    script = _asset("pyvis", "lib", "vis-9.1.2", "vis-network.min.js")
    # split("\n"), not splitlines(): the script holds U+2028 and friends inside strings.
    script = "\n".join(line for line in script.split("\n")
                       if not line.startswith("//# sourceMappingURL"))
    if "</script" in script.lower() or "@license" not in script:
        raise RuntimeError("unexpected vis-network.min.js in the installed pyvis")
    css = _asset("pyvis", "lib", "vis-9.1.2", "vis-network.css")
    return script, css


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()
                                         ).decode("ascii") + "'"


def render_html(view: View) -> str:
    vis_js, vis_css = vis_assets()
    app_js = _asset("kg", "viz_assets", "app.js")
    app_css = _asset("kg", "viz_assets", "app.css")
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    css_note = ("/* vis-network 9.1.2 stylesheet — (c) 2011-2017 Almende B.V., 2017-2019 "
                "visjs contributors; Apache-2.0 OR MIT (see the script header). */\n")
    return "".join([
        "<!DOCTYPE html>\n",
        f'<html lang="{html_text(view.lang)}">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{html_text(view.title)}</title>\n",
        f"<style>\n{css_note}{vis_css}\n</style>\n<style>\n{app_css}</style>\n</head>\n",
        "<body>\n",
        '<aside id="kg-side"><h1 id="kg-title"></h1><p id="kg-sub"></p>'
        '<section id="kg-legend"></section><section id="kg-filters"></section></aside>\n',
        '<main id="kg-net" aria-label="graph"></main>\n',
        '<aside id="kg-panel"></aside>\n',
        '<script type="application/json" id="kg-data">', json_for_script(payload(view)),
        "</script>\n",
        f"<script>{vis_js}</script>\n",
        f"<script>{app_js}</script>\n",
        "</body>\n</html>\n",
    ])


# --------------------------------------------------------------------------- SVG


def _svg_shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str,
               dash: str) -> str:
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}'
    if shape in ("dot", "ellipse"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" ' \
               f'height="{2 * r:.1f}" {style}/>'
    points = {
        "diamond": [(0, -1), (1, 0), (0, 1), (-1, 0)],
        "triangle": [(0, -1), (0.87, 0.5), (-0.87, 0.5)],
        "triangleDown": [(0, 1), (0.87, -0.5), (-0.87, -0.5)],
        "hexagon": [(math.cos(a), math.sin(a)) for a in (i * math.pi / 3 for i in range(6))],
        "star": [((1 if i % 2 == 0 else 0.45) * math.cos(-math.pi / 2 + i * math.pi / 5),
                  (1 if i % 2 == 0 else 0.45) * math.sin(-math.pi / 2 + i * math.pi / 5))
                 for i in range(10)],
    }.get(shape, [(0, -1), (1, 0), (0, 1), (-1, 0)])
    text = " ".join(f"{x + px * r:.1f},{y + py * r:.1f}" for px, py in points)
    return f'<polygon points="{text}" {style}/>'


def render_svg(view: View) -> str:
    """The view drawn from the same positions and styles as the page, as standalone SVG."""
    data = payload(view)
    nodes = data["nodes"]
    margin = 160
    xs = [n["x"] for n in nodes] or [0]
    ys = [n["y"] for n in nodes] or [0]
    left, top = min(xs) - margin, min(ys) - margin
    width, height = max(xs) - left + margin, max(ys) - top + margin + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {width} {height}" '
           f'width="{width}" height="{height}" font-family="sans-serif">',
           f"<title>{html_text(view.title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#8a9499"/></marker></defs>',
           f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="#ffffff"/>',
           '<g id="edges">']
    for edge in data["edges"]:
        out.append(_svg_edge(nodes[edge["from"]], nodes[edge["to"]], edge["label"]))
    out.append('</g><g id="nodes">')
    for node in nodes:
        out.append(_svg_node(node, data["groups"][node["group"]]))
    out.append("</g>")
    out.append(_svg_legend(data, left + 20, top + 20))
    out.append("</svg>\n")
    return "\n".join(out)


def _svg_edge(a: dict[str, Any], b: dict[str, Any], label: str) -> str:
    ax, ay, bx, by = a["x"], a["y"], b["x"], b["y"]
    length = math.hypot(bx - ax, by - ay) or 1.0
    trim = (b["size"] + 4) / length
    ex, ey = bx - (bx - ax) * trim, by - (by - ay) * trim
    if a is b or length < 1:
        return ""
    mx, my = (ax + ex) / 2, (ay + ey) / 2
    return (f'<g class="edge"><line x1="{ax}" y1="{ay}" x2="{ex:.1f}" y2="{ey:.1f}" '
            'stroke="#a3adb3" stroke-width="1" marker-end="url(#arrow)"/>'
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" font-size="9" fill="#5d6a70" '
            f'text-anchor="middle">{html_text(label)}</text></g>')


def _svg_node(node: dict[str, Any], style: dict[str, str]) -> str:
    x, y, r = node["x"], node["y"], node["size"]
    dash = {"inherited": ' stroke-dasharray="4 3"', "contained": ' stroke-dasharray="1.5 2"'
            }.get(node.get("scope", ""), "")
    label = html_text(node["short"])
    tip = f"<title>{html_text(node['label'])} ({html_text(node['id'])})</title>"
    if style["shape"] == "box":
        w = 7 * columns(node["short"]) + 16
        return (f'<g class="node">{tip}<rect x="{x - w / 2:.1f}" y="{y - 12}" width="{w}" '
                f'height="24" rx="4" fill="{style["color"]}" stroke="{style["border"]}"{dash}/>'
                f'<text x="{x}" y="{y + 4}" font-size="12" fill="#ffffff" '
                f'text-anchor="middle">{label}</text></g>')
    width = "3" if node.get("focal") else "1.5"
    shape = _svg_shape(style["shape"], x, y, r, style["color"], style["border"], dash)
    shape = shape.replace('stroke-width="1.5"', f'stroke-width="{width}"')
    return (f'<g class="node">{tip}{shape}<text x="{x}" y="{y + r + 14}" font-size="12" '
            f'fill="#222222" text-anchor="middle">{label}</text></g>')


def _svg_legend(data: dict[str, Any], x: float, y: float) -> str:
    rows = [f'<g id="legend"><text x="{x}" y="{y}" font-size="13" font-weight="bold">'
            f'{html_text(data["ui"]["legend"])}</text>']
    for i, (_name, group) in enumerate(data["groups"].items()):
        cy = y + 20 + i * 20
        rows.append(_svg_shape(group["shape"] if group["shape"] != "box" else "square",
                               x + 7, cy - 4, 6, group["color"], group["border"], ""))
        rows.append(f'<text x="{x + 20}" y="{cy}" font-size="12">'
                    f'{html_text(group["label"])}</text>')
    rows.append("</g>")
    return "".join(rows)


# --------------------------------------------------------------------------- PNG

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """Chromium to drive: $KG_CHROMIUM, else the first chromium on PATH."""
    explicit = os.environ.get("KG_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_png(html: str, *, width: int = 1600, height: int = 1000, scale: int = 2) -> bytes:
    """Screenshot of the page's graph in headless Chromium, every network request refused."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("--format png needs the playwright package "
                         "(pip install playwright) and Chromium") from None
    executable = chromium_path()
    if not executable:
        raise UsageError("--format png needs Chromium (apt-get install chromium, or set "
                         "KG_CHROMIUM); --format svg needs no browser")
    with tempfile.TemporaryDirectory(prefix="kg-viz-") as tmp:
        page_path = Path(tmp) / "view.html"
        page_path.write_text(html, encoding="utf-8")
        url = page_path.as_uri()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": height},
                                        device_scale_factor=scale)
                refused: list[str] = []

                def route(r: Any) -> None:
                    if r.request.url == url:
                        r.continue_()
                    else:
                        refused.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(url)
                # The page's CSP forbids eval, so wait on a selector, not a JS predicate.
                page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                       timeout=120_000)
                page.evaluate("window.kgViz.staticMode()")
                png = page.locator("#kg-net").screenshot(type="png")
            finally:
                browser.close()
    if refused:
        raise RuntimeError(f"the page tried to fetch {refused[:3]}")
    return png


def sign_png(png: bytes) -> bytes:
    """The PNG with a ``Software: aigov-kg`` text chunk after its header, so that the write
    guard knows a later ``kg viz --out`` may replace it (``kg.outputs.VIEW``)."""
    import struct
    import zlib

    signature, header_end = b"\x89PNG\r\n\x1a\n", 8 + 4 + 4 + 13 + 4  # IHDR comes first
    if not png.startswith(signature) or png[12:16] != b"IHDR":
        return png
    body = b"tEXtSoftware\x00aigov-kg"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:header_end] + chunk + png[header_end:]


# --------------------------------------------------------------------------- entry points


def descriptions(build_dir: Path) -> dict[str, dict[str, str]]:
    """dcterms:description of every entity in a build, by IRI and language."""
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS

    path = build_dir / "graph.nq"
    if not path.is_file():
        return {}
    marker = f"<{DCTERMS.description}>"
    with open(path, encoding="utf-8") as handle:
        lines = [line.rsplit(" ", 2)[0] + " .\n" for line in handle if marker in line]
    graph = Graph()
    graph.parse(data="".join(lines), format="nt")
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for subject, text in sorted(graph.subject_objects(DCTERMS.description)):
        if isinstance(text, Literal):
            out[str(subject)].setdefault((text.language or "en").split("-")[0], str(text))
    return dict(out)


def add_descriptions(view: View, texts: dict[str, dict[str, str]]) -> View:
    for key, node in view.graph.nodes(data=True):
        text = texts.get(key)
        if text and not node.get("description"):
            node["description"] = text.get(view.lang) or text.get("en") or ""
    return view


def view_of_build(built: Any, kind: str, subject: str | None = None, *,
                  as_of: dt.date | None = None, lang: str = "en",
                  include_ended: bool = False) -> View:
    """An exposure view of a finished build (``kg.build.Built``), descriptions included."""
    view = exposure_view(built.exposures(), kind, subject, index=built.index(), as_of=as_of,
                         lang=lang, include_ended=include_ended)
    return add_descriptions(view, descriptions(built.out_dir))


def render(view: View, fmt: str) -> bytes:
    """The view as ``html``, ``svg`` or ``png`` bytes (UTF-8 for the text formats)."""
    if fmt == "html":
        return render_html(view).encode("utf-8")
    if fmt == "svg":
        return render_svg(view).encode("utf-8")
    if fmt == "png":
        return sign_png(render_png(render_html(view)))
    raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
