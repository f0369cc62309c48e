"""Coverage: what the graph has reviewed in each jurisdiction, so silence is never clearance.

A coverage record (aig:CoverageRecord, in each
``data/jurisdictions/CODE/jurisdiction.yaml``) says which scopes of law
and measures the curators reviewed in a jurisdiction and when, and what is known to be
missing. For a jurisdiction and the activities done there, the verdict is one of:

* ``covered`` — every scope that matters for those activities was reviewed;
* ``partly covered`` — some were not (they are named);
* ``not curated`` — there is no coverage record: no conclusion can be drawn.

The build writes ``coverage.json`` (the records, the scopes, which scope matters for which
activity type, and each jurisdiction's containing ones) so the query-side commands need
no graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.core.namespaces import AIG
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline.exposures import TableView

COVERED, PARTLY, NOT_CURATED = "covered", "partly covered", "not curated"
WORDS = {
    "en": {COVERED: "covered, reviewed on {date}",
           PARTLY: "partly covered (reviewed on {date}): not reviewed: {missing}",
           NOT_CURATED: "not curated: no conclusion can be drawn",
           "gap": "known gaps"},
    "zh": {COVERED: "已覆盖，审查日期 {date}",
           PARTLY: "部分覆盖（审查日期 {date}）：未审查：{missing}",
           NOT_CURATED: "未整理：无法得出任何结论",
           "gap": "已知缺口"},
}


@dataclass(frozen=True)
class Verdict:
    jurisdiction: str
    state: str
    reviewed_on: str = ""
    missing: tuple[str, ...] = ()  # scope ids that matter here and were not reviewed
    gap: str = ""  # the record's own words on what is missing

    def text(self, coverage: dict[str, Any], lang: str = "en") -> str:
        words = WORDS.get(lang, WORDS["en"])
        labels = coverage.get("scopes", {})
        missing = ", ".join(labels.get(s, {}).get(lang) or labels.get(s, {}).get("en") or s
                            for s in self.missing)
        return words[self.state].format(date=self.reviewed_on, missing=missing)

    def as_dict(self) -> dict[str, Any]:
        return {"jurisdiction": self.jurisdiction, "state": self.state,
                "reviewed_on": self.reviewed_on, "missing": list(self.missing), "gap": self.gap}


def read(table: Table) -> dict[str, Any]:
    """The coverage records, scopes and containment of a closed table, as plain data."""
    view = TableView(table)
    iri = table.iri_id
    record_class, scope_class = iri(str(AIG.CoverageRecord)), iri(str(AIG.CoverageScope))
    covers, reviewed = iri(str(AIG.coversJurisdiction)), iri(str(AIG.reviewedOn))
    scope_of, gap_of = iri(str(AIG.reviewedScope)), iri(str(AIG.coverageGap))
    relevant_to = iri(str(AIG.relevantToActivity))
    records: dict[str, dict[str, Any]] = {}
    for node in sorted(table.subjects(view.TYPE, record_class), key=table.term):
        gaps = {}
        for term in table.objects(node, gap_of):
            text, lang, _ = parse_literal(table.term(term))
            gaps[(lang or "en").split("-")[0]] = text
        dates = sorted(parse_literal(table.term(d))[0] for d in table.objects(node, reviewed))
        for jurisdiction in table.objects(node, covers):
            records[view.short(jurisdiction)] = {
                "record": view.short(node), "reviewed_on": dates[-1] if dates else "",
                "scopes": sorted(view.short(s) for s in table.objects(node, scope_of)),
                "gap": gaps}
    scopes = {view.short(s): view.labels(s)
              for s in sorted(table.subjects(view.TYPE, scope_class), key=table.term)}
    direct: dict[int, set[int]] = {}
    for scope, activity in table.pairs(relevant_to):
        direct.setdefault(activity, set()).add(scope)
    # an activity type inherits the scopes of the types above it (an app is a service)
    relevant: dict[str, list[str]] = {}
    for kind in table.subjects(view.SUBCLASS, iri(str(AIG.Activity))):
        found = {s for a in {kind} | view.ancestors(kind) for s in direct.get(a, ())}
        if found:
            relevant[view.short(kind)] = sorted(view.short(s) for s in found)
    jurisdictions = sorted(table.subjects(view.TYPE, iri(str(AIG.Jurisdiction))), key=table.term)
    within = {view.short(j): sorted(view.short(p) for p in view.within(j)) for j in jurisdictions}
    activities = sorted(table.subjects(view.SUBCLASS, iri(str(AIG.Activity))), key=table.term)
    return {"records": records, "scopes": scopes,
            "relevant": dict(sorted(relevant.items())),
            "within": within,
            "labels": {view.short(n): view.labels(n) for n in [*jurisdictions, *activities]}}


def verdict(coverage: dict[str, Any], jurisdiction: str,
            activity_types: list[str] | None = None) -> Verdict:
    """How far the graph covers ``jurisdiction``'s own law for these activity types (each
    inherits the scopes of the types above it); every scope when none is given or none
    is declared relevant to them."""
    record = coverage["records"].get(jurisdiction)
    if record is None:
        return Verdict(jurisdiction, NOT_CURATED)
    wanted = {scope for kind in activity_types or ()
              for scope in coverage["relevant"].get(kind, [])}
    if not wanted:  # no activity, or one no scope is declared for: every scope matters
        wanted = set(coverage["scopes"])
    missing = tuple(sorted(wanted - set(record["scopes"])))
    return Verdict(jurisdiction, PARTLY if missing else COVERED, record["reviewed_on"], missing,
                   record["gap"].get("en", ""))


def label(coverage: dict[str, Any], name: str, lang: str = "en") -> str:
    """A jurisdiction's or an activity type's label in ``lang`` (its id when it has none)."""
    labels = coverage.get("labels", {}).get(name, {})
    return labels.get(lang) or labels.get("en") or name


def chain(coverage: dict[str, Any], jurisdiction: str) -> list[str]:
    """The jurisdiction and those it lies within, nearest first (EU law reaches Italy)."""
    parents = coverage["within"].get(jurisdiction, [])
    ordered = sorted(parents, key=lambda p: (-len(coverage["within"].get(p, [])), p))
    return [jurisdiction, *ordered]
