"""Stats: the counts the curation targets are judged by, and the sourcing shares."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.core.namespaces import AIG, ID
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline.exposures import TableView
from kg.pipeline.sourcepolicy import DENY, OFFICIAL, REPUTABLE, UNCLASSIFIED, SourcePolicy
from kg.pipeline.validate import STALE_AFTER_DAYS

NON_FINAL = ("Proposed", "Adopted", "InForce", "Published", "Ongoing", "OnAppeal")
EVENT_CLASSES = (AIG.GovernmentMeasure, AIG.LegalProceeding, AIG.Allegation, AIG.Incident)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def sourcing(table: Table, view: TableView, types: dict[int, set[int]],
             policy: SourcePolicy, as_of: dt.date) -> dict[str, Any]:
    """How citable the knowledge is: official texts per instrument (and how many are
    checked against their identifier by a public pattern), official or reputable sources
    per event, deny-tier and unclassified citations, and dated statuses."""
    iri = table.iri_id
    official_text, no_official = iri(str(AIG.officialText)), iri(str(AIG.noOfficialText))
    source, identifier = iri(str(DCTERMS.source)), iri(str(DCTERMS.identifier))
    illustrative = iri(str(AIG.illustrative))
    status, confirmed = iri(str(AIG.status)), iri(str(AIG.statusConfirmedOn))
    status_source = iri(str(AIG.statusSource))

    def urls(node: int, prop: int) -> list[str]:
        return [parse_literal(table.term(v))[0] if table.is_literal(v) else view.iri(v)
                for v in table.objects(node, prop)]

    def real(node: int) -> bool:
        return not table.objects(node, illustrative)

    def of(cls: str) -> list[int]:
        cls_id = iri(str(cls))
        return sorted(s for s, kinds in types.items() if cls_id in kinds and real(s))

    instruments = of(AIG.Instrument)
    with_text = [n for n in instruments
                 if any(policy.tier(u) == OFFICIAL for u in urls(n, official_text))]
    with_reason = [n for n in instruments if n not in with_text and table.objects(n, no_official)]
    patterned = checked = 0
    for node in instruments:
        ids = [parse_literal(table.term(v))[0] for v in table.objects(node, identifier)]
        schemes = [pattern for text in ids for pattern, _ in policy.official_links(text)]
        if schemes:
            patterned += 1
            links = urls(node, official_text)
            checked += any(s.link_host.search(u) for s in schemes for u in links)
    events = [n for cls in EVENT_CLASSES for n in of(cls)]
    credible = [n for n in events if any(
        policy.tier(u) in (OFFICIAL, REPUTABLE)
        for u in urls(n, official_text) + urls(n, source))]
    tiers: Counter[str] = Counter()
    for prop in (official_text, source, status_source):
        for _subject, value in table.pairs(prop):
            text = view.iri(value) if not table.is_literal(value) else ""
            tiers[policy.tier(text) if text else "citation"] += 1
    statuses = [n for n in types if real(n) and any(
        view.short(s) in NON_FINAL for s in table.objects(n, status))]
    unconfirmed = [n for n in statuses
                   if not table.objects(n, confirmed) or not table.objects(n, status_source)]
    stale_before = (as_of - dt.timedelta(days=STALE_AFTER_DAYS)).isoformat()
    stale = [n for n in statuses if any(parse_literal(table.term(d))[0] < stale_before
                                        for d in table.objects(n, confirmed))]
    verification: Counter[str] = Counter(
        parse_literal(table.term(v))[0] for _s, v in table.pairs(iri(str(AIG.verification))))
    return {
        "instruments": len(instruments),
        "instruments_with_official_text": len(with_text),
        "share_instruments_with_official_text": _share(len(with_text), len(instruments)),
        "instruments_without_official_text_with_reason": len(with_reason),
        "instruments_without_official_text_or_reason": len(instruments) - len(with_text)
        - len(with_reason),
        "instruments_whose_identifier_gives_the_link": patterned,
        "share_of_those_linked_by_the_pattern": _share(checked, patterned),
        "events": len(events),
        "share_events_with_official_or_reputable_source": _share(len(credible), len(events)),
        "citations_by_tier": dict(sorted(tiers.items())),
        "deny_tier_citations": tiers[DENY],
        "unclassified_citations": tiers[UNCLASSIFIED],
        "non_final_statuses": len(statuses),
        "statuses_without_confirmation": len(unconfirmed),
        "statuses_stale": len(stale),
        "stale_if_confirmed_before": stale_before,
        "by_verification": dict(sorted(verification.items())),
    }


def coverage_matrix(table: Table, sources: list[int], jurisdictions: list[int]
                    ) -> dict[str, dict[str, Any]]:
    """Jurisdiction × scope: the review date, which scopes were reviewed, and how many
    instruments and events the jurisdiction itself has (not those it lies within)."""
    from kg.pipeline import coverage

    found = coverage.read(table)
    jurisdiction = table.iri_id(str(AIG.jurisdiction))
    counts: Counter[str] = Counter()
    view = TableView(table)
    for node in sources:
        for where in table.objects(node, jurisdiction):
            counts[view.short(where)] += 1
    matrix = {}
    for name in sorted({view.short(j) for j in jurisdictions} | set(found["records"])):
        record = found["records"].get(name)
        matrix[name] = {
            "reviewed_on": record["reviewed_on"] if record else "not curated",
            **{scope: bool(record and scope in record["scopes"]) for scope in found["scopes"]},
            "instruments_and_events": counts[name]}
    return matrix


def compute(table: Table, policy: SourcePolicy | None = None,
            as_of: dt.date | None = None) -> dict[str, Any]:
    """Counts over an asserted table (superclasses are followed, no reasoning needed)."""
    view = TableView(table)
    iri = table.iri_id
    types: dict[int, set[int]] = {}
    for subject, cls in table.pairs(iri(str(RDF.type))):
        if table.term(subject).startswith("<" + str(ID)):
            types.setdefault(subject, set()).update({cls} | view.ancestors(cls))

    def members(cls: str) -> list[int]:
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
    # coverage records are the curators' own statement of what they reviewed: no source
    coverage_records = set(members(AIG.CoverageRecord))
    curated = [s for s in types if s not in coverage_records]
    with_source = [s for s in curated if table.objects(s, iri(str(DCTERMS.source)))]
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
        "curated_records": len(curated),
        "records_with_source": len(with_source),
        "share_with_source": round(len(with_source) / len(curated), 4) if curated else 1.0,
        "coverage_records": len(coverage_records),
        **({"sourcing": sourcing(table, view, types, policy, as_of or dt.date.today())}
           if policy is not None else {}),
        "coverage": coverage_matrix(table, sources, members(AIG.Jurisdiction)),
    }


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _counts(counts: dict[str, int], label: Callable[[str], str]) -> str:
    return ", ".join(f"{label(name)} {count:,}" for name, count in counts.items()) or "none"


def sentences(figures: dict[str, Any], label: Callable[[str], str]) -> str:
    """The figures of ``compute`` (but the coverage matrix) in labelled sections of plain
    sentences; ``label`` gives an ontology term's label from its id."""
    from kg.views.terminal import screen_width, text_table, wrap

    f = figures
    width = min(screen_width(), 100) - 2
    out: list[str] = []

    def section(title: str, lines: list[str]) -> None:
        out.append(title)
        for line in lines:
            out.extend("  " + part for part in wrap(line, width, 99))
        out.append("")

    section("What the graph holds", [
        f"{f['instruments_and_events']:,} instruments and events, with {f['provisions']:,} "
        f"provisions, in {f['jurisdictions']:,} jurisdictions.",
        f"{f['actors']:,} actors, {f['activities']:,} activities, {f['artefacts']:,} artefacts "
        f"(models and products) and {f['mitigations']:,} mitigations.",
        f"{f['illustrative_entities']:,} entities are marked illustrative."])
    rows = [{"category": label(name), "count": f"{count:,}"}
            for name, count in f["by_risk_category"].items()]
    out.append("Instruments and events by risk category (one may raise several)")
    out += ["  " + line for line in text_table(
        rows, ["category", "count"], {"category": 60},
        headings={"category": "risk category", "count": "instruments and events"}
        ).splitlines()] + [""]
    section("Instruments and events by kind", [_counts(f["by_class"], label) + "."])
    lines = [f"{f['records_with_source']:,} of {f['curated_records']:,} curated records "
             f"({_pct(f['share_with_source'])}) cite a source; {f['coverage_records']:,} "
             "coverage records state what was reviewed where."]
    s = f.get("sourcing")
    if s:
        lines += [
            f"{s['instruments']:,} instruments: {s['instruments_with_official_text']:,} "
            f"({_pct(s['share_instruments_with_official_text'])}) link an official text, "
            f"{s['instruments_without_official_text_with_reason']:,} say why they cannot, "
            f"{s['instruments_without_official_text_or_reason']:,} do neither.",
            f"{s['instruments_whose_identifier_gives_the_link']:,} instruments have an "
            "identifier that gives the official link by a public pattern; "
            f"{_pct(s['share_of_those_linked_by_the_pattern'])} of them link it.",
            f"{s['events']:,} events: {_pct(s['share_events_with_official_or_reputable_source'])}"
            " have an official or reputable source.",
            f"Citations by tier: {_counts(s['citations_by_tier'], str)}; "
            f"{s['deny_tier_citations']:,} in the deny tier, {s['unclassified_citations']:,} "
            "unclassified.",
            f"{s['non_final_statuses']:,} statuses are not final: "
            f"{s['statuses_without_confirmation']:,} lack a confirmation date or source, "
            f"{s['statuses_stale']:,} were last confirmed before "
            f"{s['stale_if_confirmed_before']} (stale).",
            f"By verification: {_counts(s['by_verification'], str)}."]
    section("Sourcing", lines)
    return "\n".join(out)
