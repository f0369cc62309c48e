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
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from typing import Any, overload

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.core.namespaces import AIG, short_name
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline.sourcepolicy import OFFICIAL_TEXT, SourcePolicy

RISK_CATEGORY_SCHEME = AIG.RiskTaxonomy
KIND_ORDER = ["MarketExposure", "ExtraterritorialExposure", "TargetedMeasureExposure",
              "AllegationExposure", "ValueChainExposure"]
STATUSES = ("current", "upcoming", "pending", "ended")


NODE_FIELDS = {
    "status": AIG.status, "identifier": DCTERMS.identifier, "issued": AIG.issuedOn,
    "effective_from": AIG.effectiveFrom, "effective_until": AIG.effectiveUntil,
    "start": AIG.startDate, "end": AIG.endDate, "curated": AIG.curatedOn,
    "founded": AIG.foundedOn, "founded_year": AIG.foundedInYear,
}


# Properties read for every exposure, made once (rdflib builds a new URIRef per access).
P = {name: AIG[name] for name in (
    "exposedActor", "throughSource", "throughProvision", "viaActivity", "viaArtefact",
    "viaSupplyOf", "activityJurisdiction", "sourceJurisdiction", "derivedByRule",
    "exposedToRisk", "validFrom", "validFromBasis", "validUntil", "Exposure",
    "headquarteredIn", "contextCategory")}
LABEL = RDFS.label
ILLUSTRATIVE = AIG.illustrative


def _strip(term: str) -> str:
    return term[1:-1] if term.startswith("<") else term


class TableView:
    """Read helpers over the closed table (asserted + inferred + derived)."""

    def __init__(self, table: Table, asserted: Iterable[tuple[int, int, int]] | None = None,
                 policy: SourcePolicy | None = None):
        self.t = table
        self.policy = policy
        i = table.iri_id
        self.TYPE, self.SUBCLASS, self.LABEL = i(str(RDF.type)), i(str(RDFS.subClassOf)), i(
            str(RDFS.label))
        self.SOURCE, self.WITHIN = i(str(DCTERMS.source)), i(str(AIG.within))
        # the asserted `within` links: a path shows these, not the transitive closure
        self.asserted_within = None if asserted is None else {
            (s, o) for s, p, o in asserted if p == self.WITHIN}
        self.top_concepts = set(table.subjects(i(str(SKOS.topConceptOf)),
                                               i(str(RISK_CATEGORY_SCHEME))))
        self._ancestors: dict[int, set[int]] = {}
        self._nodes: dict[int, dict[str, Any]] = {}
        self._short: dict[int, str] = {}
        self._chains: dict[tuple[int, int], list[int]] = {}
        self._categories: dict[int, list[str]] = {}
        self._risks: dict[int, dict[str, Any]] = {}
        self._pids: dict[URIRef, int] = {}
        self._props = {prop: i(str(prop)) for prop in (*NODE_FIELDS.values(), ILLUSTRATIVE)}

    def iri(self, node: int) -> str:
        return _strip(self.t.term(node))

    def short(self, node: int) -> str:
        found = self._short.get(node)
        if found is None:
            found = self._short[node] = short_name(self.iri(node))
        return found

    def pid(self, prop: URIRef) -> int:
        found = self._pids.get(prop)
        if found is None:
            found = self._pids[prop] = self.t.iri_id(str(prop))
        return found

    def one(self, node: int, prop: URIRef) -> int | None:
        values = self.t.objects(node, self.pid(prop))
        return min(values, key=self.t.term) if values else None

    def all(self, node: int, prop: URIRef) -> list[int]:
        return sorted(self.t.objects(node, self.pid(prop)), key=self.t.term)

    def labels(self, node: int) -> dict[str, str]:
        out: dict[str, str] = {}
        for label in sorted(self.t.objects(node, self.LABEL), key=self.t.term):
            lexical, lang, _ = parse_literal(self.t.term(label))
            out.setdefault((lang or "en").split("-")[0], lexical)
        if "en" not in out:
            out["en"] = self.short(node)
        return out

    def ancestors(self, cls: int) -> set[int]:
        if cls not in self._ancestors:
            seen: set[int] = set()
            stack = [cls]
            while stack:
                for sup in self.t.objects(stack.pop(), self.SUBCLASS):
                    if sup not in seen:
                        seen.add(sup)
                        stack.append(sup)
            seen.discard(cls)
            self._ancestors[cls] = seen
        return self._ancestors[cls]

    def categories(self, risk: int) -> list[str]:
        if risk not in self._categories:
            found = ({risk} | self.ancestors(risk)) & self.top_concepts
            self._categories[risk] = sorted(self.short(c) for c in found)
        return list(self._categories[risk])

    def risk(self, risk: int) -> dict[str, Any]:
        """A risk as an exposure record lists it (computed once per risk)."""
        if risk not in self._risks:
            self._risks[risk] = {
                "id": self.short(risk), "label": self.labels(risk),
                "categories": self.categories(risk),
                "ancestors": sorted(self.short(a) for a in self.ancestors(risk)
                                    if self.iri(a).startswith(str(AIG)))}
        found = self._risks[risk]
        return {**found, "label": dict(found["label"]), "categories": list(found["categories"]),
                "ancestors": list(found["ancestors"])}

    def context_bases(self) -> dict[int, set[int]]:
        """For each category a category context adds, the risk concepts it applies to."""
        if not hasattr(self, "_context_bases"):
            found: dict[int, set[int]] = {}
            for context in self.t.subjects(self.TYPE, self.pid(AIG.CategoryContext)):
                for category in self.t.objects(context, self.pid(AIG.inCategory)):
                    found.setdefault(category, set()).update(
                        self.t.objects(context, self.pid(AIG.forRisk)))
            self._context_bases = found
        return self._context_bases

    def most_specific_type(self, node: int) -> str:
        types = {t for t in self.t.objects(node, self.TYPE)
                 if self.t.term(t).startswith("<" + str(AIG))}
        specific = [t for t in types if not any(t in self.ancestors(o) for o in types if o != t)]
        return ", ".join(sorted(self.short(t) for t in specific))

    def value(self, node: int, prop: URIRef) -> str | None:
        values = self.t.objects(node, self.pid(prop))
        return min(self._text(v) for v in values) if values else None

    def _text(self, term_id: int) -> str:
        term = self.t.term(term_id)
        return parse_literal(term)[0] if term.startswith('"') else _strip(term)

    def sources(self, node: int) -> list[str]:
        """The official texts first, then the evidence, each once."""
        official = sorted(self._text(v) for v in self.t.objects(node, self.pid(AIG.officialText)))
        evidence = sorted(self._text(v) for v in self.t.objects(node, self.SOURCE))
        return list(dict.fromkeys(official + evidence))

    def source_marks(self, node: int) -> dict[str, str]:
        """What each source of ``node`` is: "official text", or the evidence's tier."""
        if self.policy is None:
            return {}
        marks = {self._text(v): OFFICIAL_TEXT
                 for v in self.t.objects(node, self.pid(AIG.officialText))}
        for value in self.t.objects(node, self.SOURCE):
            text = self._text(value)
            marks.setdefault(text, self.policy.tier(text))
        return marks

    def within(self, node: int) -> Collection[int]:
        return self.t.objects(node, self.WITHIN)

    def jurisdiction_chain(self, start: int, end: int) -> list[int]:
        """Shortest chain of asserted `within` links from start to end (inclusive)."""
        key = (start, end)
        if key not in self._chains:
            self._chains[key] = self._shortest_chain(start, end)
        return list(self._chains[key])

    def _shortest_chain(self, start: int, end: int) -> list[int]:
        if start == end:
            return [start]
        queue: deque[list[int]] = deque([[start]])
        seen = {start}
        while queue:
            path = queue.popleft()
            for nxt in sorted(self.within(path[-1]), key=self.t.term):
                if (self.asserted_within is not None
                        and (path[-1], nxt) not in self.asserted_within):
                    continue
                if nxt == end:
                    return [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append([*path, nxt])
        return [start, end]

    def _first(self, node: int, prop: URIRef) -> str | None:
        values = self.t.objects(node, self._props[prop])
        return min(self._text(v) for v in values) if values else None

    @overload
    def node(self, node: int, role: str) -> dict[str, Any]: ...

    @overload
    def node(self, node: int | None, role: str) -> dict[str, Any] | None: ...

    def node(self, node: int | None, role: str) -> dict[str, Any] | None:
        """What a path step shows about a node; computed once per node."""
        if node is None:
            return None
        if node not in self._nodes:
            iri = self.iri(node)
            info: dict[str, Any] = {
                "id": short_name(iri),
                "iri": iri,
                "type": self.most_specific_type(node),
                "label": self.labels(node),
                "sources": self.sources(node),
            }
            marks = self.source_marks(node)
            if marks:
                info["source_tiers"] = marks
            for key, prop in NODE_FIELDS.items():
                value = self._first(node, prop)
                if value is not None:
                    info[key] = short_name(value)
            if self._first(node, ILLUSTRATIVE) == "true":
                info["illustrative"] = True
            self._nodes[node] = info
        return {"role": role, **self._nodes[node]}


def extract(table: Table, asserted: Iterable[tuple[int, int, int]] | None = None,
            policy: SourcePolicy | None = None) -> list[dict[str, Any]]:
    """All exposures in the closed table as plain records, in a stable order; with a
    source ``policy``, each step says what each of its sources is (``source_tiers``)."""
    view = TableView(table, asserted, policy)
    exposures = table.subjects(view.TYPE, table.iri_id(str(AIG.Exposure)))
    records = [_record(view, e) for e in exposures]
    records.sort(key=lambda r: (r["actor"]["id"], KIND_ORDER.index(r["kind"])
                                if r["kind"] in KIND_ORDER else 99, r["source"]["id"], r["id"]))
    return records


def _record(view: TableView, exposure: int) -> dict[str, Any]:
    kinds = {view.short(t) for t in view.t.objects(exposure, view.TYPE)} & set(KIND_ORDER)
    kind = sorted(kinds)[0] if kinds else "Exposure"
    actor = view.one(exposure, P["exposedActor"])
    source = view.one(exposure, P["throughSource"])
    provision = view.one(exposure, P["throughProvision"])
    activity = view.one(exposure, P["viaActivity"])
    artefact = view.one(exposure, P["viaArtefact"]) or view.one(exposure, P["viaSupplyOf"])
    jurisdiction = view.one(exposure, P["activityJurisdiction"])
    source_jurisdiction = view.one(exposure, P["sourceJurisdiction"])
    rule = view.one(exposure, P["derivedByRule"])
    risks = view.all(exposure, P["exposedToRisk"])

    chain_nodes = (view.jurisdiction_chain(jurisdiction, source_jurisdiction)
                   if jurisdiction is not None and source_jurisdiction is not None
                   else [source_jurisdiction] if source_jurisdiction is not None else [])
    reach = set(chain_nodes)
    for node in chain_nodes:
        reach.update(view.within(node))

    path: list[dict[str, Any] | None] = [view.node(actor, "actor")]
    if kind == "ValueChainExposure":
        path.append(view.node(artefact, "supplied-product"))
        path.append(view.node(activity, "activity"))
    elif activity is not None:
        path.append(view.node(activity, "activity"))
    elif artefact is not None:
        path.append(view.node(artefact, "artefact"))
    for index, node in enumerate(chain_nodes):
        path.append(view.node(node, "jurisdiction" if index == 0 else "containing-jurisdiction"))
    path.append(view.node(source, "source"))
    if provision is not None:
        path.append(view.node(provision, "provision"))
    # a category the exposure counts under because of what it concerns (rule 80) goes to
    # the risks under the concept its category context applies to
    in_context = view.all(exposure, P["contextCategory"])
    bases = view.context_bases()
    listed = []
    for risk in risks:
        entry = view.risk(risk)
        lineage = {risk} | view.ancestors(risk)
        extra = [view.short(c) for c in in_context if bases.get(c, set()) & lineage]
        entry["categories"] = sorted(set(entry["categories"]) | set(extra))
        listed.append(entry)
        step = view.node(risk, "risk")
        step["categories"] = entry["categories"]
        path.append(step)

    valid_from = view.value(exposure, P["validFrom"])
    valid_until = view.value(exposure, P["validUntil"])
    # a rule of the actor's home: the source's jurisdiction is, or contains, its headquarters
    homes = view.t.objects(actor, view.pid(P["headquarteredIn"])) if actor is not None else ()
    home = source_jurisdiction is not None and any(
        source_jurisdiction == hq or source_jurisdiction in view.within(hq) for hq in homes)
    rule_iri = view.iri(rule) if rule is not None else ""
    return {
        "id": view.iri(exposure),
        "kind": kind,
        "rule": rule_iri.rsplit("/", 1)[-1],
        "rule_title": view.value(rule, LABEL) if rule is not None else "",
        "actor": view.node(actor, "actor"),
        "risks": listed,
        "context_categories": sorted(view.short(c) for c in in_context),
        "source": view.node(source, "source"),
        "provision": view.node(provision, "provision"),
        "activity": view.node(activity, "activity"),
        "artefact": view.node(artefact, "artefact"),
        "jurisdiction": view.short(jurisdiction) if jurisdiction is not None else None,
        "source_jurisdiction": view.short(source_jurisdiction)
        if source_jurisdiction is not None else None,
        "jurisdictions": sorted(view.short(j) for j in reach),
        "valid_from": valid_from,
        "valid_from_basis": view.value(exposure, P["validFromBasis"]),
        "valid_until": valid_until,
        "home": home,
        "path": [step for step in path if step is not None],
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
        if risk and not any(risk == r["id"] or risk in r["ancestors"] or risk in r["categories"]
                            for r in record["risks"]):
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
               "valid_from_basis", "valid_until", "status", "sources"]


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
        "valid_from_basis": record.get("valid_from_basis") or "",
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
    return "".join(json_lines(records))


def json_lines(records: list[Any]) -> Iterator[str]:
    """A JSON array with one record per line (keys sorted), as lines to write: diffs stay
    readable, and orjson encodes a million-triple build's records in well under a second
    where the standard library takes several."""
    import orjson

    if not records:
        yield "[]\n"
        return
    yield "[\n"
    last = len(records) - 1
    for index, record in enumerate(records):
        text = orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        yield text + (",\n" if index < last else "\n")
    yield "]\n"
