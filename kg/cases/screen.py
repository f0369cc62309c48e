"""Screen: what the graph says about a company that describes itself in a small profile.

A profile (docs/screening.md) is plain YAML for non-ontologists: the company, what it builds
and who supplies it, the markets it serves and what it does there. It is read by
:mod:`kg.cases.profile_read` and mapped — by the tables of :mod:`kg.cases.profile`, from
profile words to ontology classes and properties — to temporary case records under
``screen-<company>-…``, all marked illustrative. They are written to a temporary directory
(never to data/ or build/), loaded with the curated data by the same loader, checked by the
same shapes and QC queries, and reasoned in memory with ``build.check``. Problems are
reported at the profile's file and line. The report lists every exposure of the company and
of its suppliers with its path, dates, sources, and the mitigations the graph links to each
risk (``aig:addressesRisk`` on the risk or on a broader risk type).
"""


from __future__ import annotations

import datetime as dt
import difflib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.cases import precedents
from kg.cases.precedents import Precedent
from kg.cases.profile import (
    MAX_PROFILE_BYTES,
    NAMESPACE,
    RECEIVING,
    WORLDWIDE,
    Profile,
    expand_worldwide,
    rule_places,
    slug,
)
from kg.cases.profile_read import check_size, read_profile
from kg.cases.profile_records import CaseRecord, Origin, emit, to_records
from kg.core import atomic
from kg.core.budget import DEFAULT, Budget
from kg.core.errors import Finding, KgError, ValidationFailed
from kg.core.namespaces import AIG, ID, short_name
from kg.core.project import Project
from kg.core.reader import compose_yaml, read_text
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline import coverage
from kg.pipeline.build import check
from kg.pipeline.exposures import TableView, select
from kg.pipeline.load import load
from kg.pipeline.sourcepolicy import OFFICIAL_TEXT, SourcePolicy
from kg.store import oxigraph as store

# --------------------------------------------------------------------------- screening


@dataclass
class Mitigation:
    id: str
    label: dict[str, str]
    description: dict[str, str]
    addresses: list[str]
    sources: list[str]
    marks: dict[str, str] = field(default_factory=dict)  # URL -> official text / tier


@dataclass
class Screening:
    profile: str
    company: str
    actors: list[tuple[str, str]]  # (id, role): the company, then its suppliers
    as_of: dt.date
    exposures: dict[str, list[dict[str, Any]]]  # actor id -> records, with status
    mitigations: list[Mitigation]  # those linked to a listed exposure: specific ones first
    links: dict[str, list[int]]  # exposure id -> indexes into mitigations
    all_records: list[dict[str, Any]]  # every exposure of the in-memory graph
    statements: list[dict[str, str]] = field(default_factory=list)  # the profile, in words
    seconds: float = 0.0
    source_marks: dict[str, str] = field(default_factory=dict)  # URL -> official text / tier
    # what the graph reviewed in each market of the profile, and what was done there to
    # other companies for the same activity (kg/pipeline/coverage.py, kg/cases/precedents.py)
    coverage: dict[str, Any] = field(default_factory=dict)
    markets: list[tuple[str, str]] = field(default_factory=list)  # (activity type, jurisdiction)
    precedents: dict[tuple[str, str], list[Precedent]] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)  # profile lines that match nothing

    def labels(self, actor: str) -> dict[str, str]:
        for record in self.exposures.get(actor, []):
            labels: dict[str, str] = record["actor"]["label"]
            return labels
        for record in self.all_records:
            if record["actor"]["id"] == actor:
                labels = record["actor"]["label"]
                return labels
        return {"en": actor}

    def count(self) -> int:
        return sum(len(v) for v in self.exposures.values())


def screen(project: Project, profile_path: Path, display: str,
           as_of: dt.date | None = None, budget: Budget | None = None) -> Screening:
    """Screen the profile at ``profile_path`` against the curated graph, in memory, within
    ``budget`` (the profile's size, and the work of checking and reasoning)."""
    start = time.perf_counter()
    budget = budget or DEFAULT
    findings: list[Finding] = []
    root = compose_yaml(read_text(profile_path, display, MAX_PROFILE_BYTES), display, findings)
    if findings:
        raise ValidationFailed(findings)
    check_size(root, display, budget.max_components, budget.max_markets)
    profile = read_profile(root, display)
    warnings: list[Finding] = []
    if any(act.where.text == WORLDWIDE for act in profile.acts):
        warnings += expand_worldwide(profile, rule_places(load(project, None, budget).asserted()),
                                     display)
    records, statements = to_records(profile, display)
    text, origins = emit(records, dt.date.today())
    with tempfile.TemporaryDirectory(prefix="kg-screen-") as tmp:
        case = Path(tmp) / "screening-profile.yaml"
        atomic.write_text(case, text)
        try:
            checked = check(project, files=[*project.data_files(), case], budget=budget)
        except ValidationFailed as exc:
            raise ValidationFailed(_translate(exc.findings, project.relative(case), origins,
                                              display, project)) from None
    policy = SourcePolicy.from_graph(checked.kg.ontology)
    pool = mitigations(checked.reasoned.table, policy)
    result = _assemble(profile, records, pool, checked.records, display,
                       as_of or dt.date.today())
    result.statements = statements
    result.source_marks = source_marks(checked.records, pool)
    result.markets = markets(records)
    result.coverage = coverage.read(checked.reasoned.table)
    result.precedents = precedents.find(store.from_table(checked.reasoned.table), result.markets,
                                        other_than=result.company)
    result.warnings = sorted(warnings + unmatched_scopes(checked.reasoned.table, records,
                                                         display))
    result.seconds = time.perf_counter() - start
    return result


def _translate(findings: list[Finding], case: str, origins: dict[int, Origin], display: str,
               project: Project) -> list[Finding]:
    """Findings in the generated case file, moved to the profile's lines and words."""
    out: list[Finding] = []
    known: list[str] | None = None
    for finding in findings:
        if finding.file != case:
            out.append(finding)
            continue
        origin = origins.get(finding.line, Origin(0))
        if origin.profile_key and (finding.rule == "unknown-reference"
                                   or finding.rule.startswith("shacl:")):
            known = known if known is not None else known_jurisdictions(project)
            close = difflib.get_close_matches(origin.value, [*known, WORLDWIDE], n=3,
                                              cutoff=0.6)
            hint = (f"did you mean {', '.join(close)}?" if close
                    else f"jurisdictions in the graph: {', '.join(known)}")
            out.append(Finding(display, origin.line, "", "profile-jurisdiction",
                               f"{origin.profile_key}: unknown jurisdiction '{origin.value}'",
                               hint))
        else:
            out.append(Finding(display, origin.line, "", finding.rule,
                               f"in the records made from this line: {finding.message}",
                               finding.hint))
    return sorted(set(out))


def unmatched_scopes(table: Table, records: list[CaseRecord], display: str) -> list[Finding]:
    """A warning at the profile line for each activity that no rule of the graph could
    reach — nothing governs its activity type in its jurisdiction or one containing it —
    so that a scope matching nothing (`international`, an uncurated market) is never
    silence. The arrival side of a transfer is left out: it only meets import rules where
    they are curated."""
    view = TableView(table)
    iri = table.iri_id
    governs, jurisdiction = iri(str(AIG.governsActivity)), iri(str(AIG.jurisdiction))
    located, arena = iri(str(AIG.inJurisdiction)), iri(str(AIG.InternationalArena))
    out = []
    for record in records:
        where = next((f for f in record.fields if f.key == "inJurisdiction"), None)
        kind = next((f.values for f in record.fields if f.key == "a"), [])
        if where is None or record.worldwide or RECEIVING.activity in kind:
            continue
        node = iri(str(ID[record.id]))
        places = set(table.objects(node, located))
        places |= {c for p in list(places) for c in view.within(p)}
        if any(places & set(table.objects(source, jurisdiction))
               for kind_id in table.objects(node, view.TYPE)
               for source in table.subjects(governs, kind_id)):
            continue
        place = where.values[0] if isinstance(where.values, list) else ""
        labels = next(f.values for f in record.fields if f.key == "label")
        if not isinstance(labels, dict):
            raise TypeError(f"the label of {record.id} is not a language map")
        label = labels["en"]
        hint = "the graph can draw no conclusion about it there; this is not a clearance"
        if any(arena in set(table.objects(p, view.TYPE)) for p in places):
            hint += (f". '{place}' is a multilateral forum, not a market: for a release or "
                     "service offered everywhere, write `worldwide`")
        out.append(Finding(display, record.line, "", "profile-scope-unmatched",
                           f"{where.profile_key} '{place}': no rule in the graph governs "
                           f"{', '.join(kind)} in {place} or a jurisdiction containing it, so "
                           f"\"{label.removesuffix(' (illustrative)')}\" matches nothing",
                           hint, "warning"))
    return out


def known_jurisdictions(project: Project) -> list[str]:
    """Ids of the jurisdiction records in data/ (for suggestions; empty if data/ is invalid)."""
    try:
        loaded = load(project)
    except KgError:
        return []
    classes = set(loaded.ontology.transitive_subjects(RDFS.subClassOf, AIG.Jurisdiction))
    return sorted({short_name(str(s)) for s, o in loaded.data.subject_objects(RDF.type)
                   if o in classes})


def markets(records: list[CaseRecord]) -> list[tuple[str, str]]:
    """(activity type, jurisdiction) for each activity the profile describes, in order."""
    found: list[tuple[str, str]] = []
    for record in records:
        fields = {f.key: f.values for f in record.fields}
        where = fields.get("inJurisdiction")
        if not where or isinstance(where, dict):
            continue
        for kind in fields.get("a", []):
            for jurisdiction in where:
                if (kind, jurisdiction) not in found:
                    found.append((kind, jurisdiction))
    return found


def source_marks(records: list[dict[str, Any]], pool: list[Mitigation]) -> dict[str, str]:
    """What each cited URL is (official text, or its tier), over every path and mitigation;
    being some record's official text wins over a tier."""
    marks: dict[str, str] = {}
    steps = (step for record in records for step in record["path"] if step)
    for found in [*(step.get("source_tiers", {}) for step in steps),
                  *(m.marks for m in pool)]:
        for url, mark in found.items():
            if marks.get(url) != OFFICIAL_TEXT:
                marks[url] = mark
    return marks


def mitigations(table: Table, policy: SourcePolicy | None = None) -> list[Mitigation]:
    """Every mitigation in the graph, with the risk types it addresses."""
    view = TableView(table, policy=policy)
    description = table.iri_id(str(DCTERMS.description))
    out = []
    for node in sorted(table.subjects(view.TYPE, table.iri_id(str(AIG.Mitigation))),
                       key=table.term):
        texts: dict[str, str] = {}
        for term in sorted(table.objects(node, description), key=table.term):
            lexical, lang, _ = parse_literal(table.term(term))
            texts.setdefault((lang or "en").split("-")[0], lexical)
        out.append(Mitigation(view.short(node), view.labels(node), texts,
                              sorted(view.short(r) for r in view.all(node, AIG.addressesRisk)),
                              view.sources(node), view.source_marks(node)))
    return out


STATUS_ORDER = ("current", "upcoming", "pending", "ended")


def _assemble(profile: Profile, records: list[CaseRecord], pool: list[Mitigation],
              exposures: list[dict[str, Any]], display: str, as_of: dt.date) -> Screening:
    base = NAMESPACE + slug(profile.name.text)
    suppliers = sorted({r.id for r in records if r.id.startswith(f"{base}-supplier-")})
    actors = [(base, "company"), *((s, "supplier") for s in suppliers)]
    # an activity `worldwide` became in a member state (it) also meets the rules of the
    # union (eu), which it became too: keep those exposures on the union's own activity
    expanded = {str(ID[r.id]) for r in records if r.worldwide}
    shown = [r for r in exposures if not ((r.get("activity") or {}).get("iri") in expanded
                                          and r["jurisdiction"] != r["source_jurisdiction"])]
    chosen = {actor: select(shown, actor=actor, as_of=as_of) for actor, _role in actors}
    used, links = _link_mitigations([r for rs in chosen.values() for r in rs], pool)
    return Screening(display, base, actors, as_of, chosen, used, links, exposures)


def _link_mitigations(records: list[dict[str, Any]], pool: list[Mitigation]
                      ) -> tuple[list[Mitigation], dict[str, list[int]]]:
    """Mitigations addressing each record's risks or broader risk types.

    The ones that address fewer exposures (the specific ones) are numbered first.
    """
    uses: dict[str, list[str]] = {}
    for record in records:
        wanted = {k for risk in record["risks"] for k in (risk["id"], *risk["ancestors"])}
        for mitigation in pool:
            if wanted & set(mitigation.addresses):
                uses.setdefault(mitigation.id, []).append(record["id"])
    used = sorted((m for m in pool if m.id in uses), key=lambda m: (len(uses[m.id]), m.id))
    links: dict[str, list[int]] = {}
    for index, mitigation in enumerate(used):
        for exposure in uses[mitigation.id]:
            links.setdefault(exposure, []).append(index)
    return used, links


def is_profile_node(step: dict[str, Any] | None) -> bool:
    if not step:
        return False
    return str(step.get("iri", "")).startswith(str(ID) + NAMESPACE)


