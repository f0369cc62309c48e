"""The named SPARQL queries, checked against answers written out by hand for the mini
fixture (tests/fixtures/mini/*.yaml, exposures listed in tests/test_exposures.py), plus
the parameter binding, the guard, the limits and the output formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli.main import cli
from kg.cli.query import publish, query, serve
from kg.core.errors import UsageError
from kg.core.namespaces import AIG, GRAPH
from kg.core.project import Project
from kg.query.library import load_library
from kg.query.run import execute
from kg.sparql.bind import bind, inject_values, lateral_values, parse_iri
from kg.sparql.guard import QueryRefused, check_query
from kg.sparql.queryfile import NamedQuery, parse_query
from kg.sparql.results import XSD, Result, display, sort_triples, to_tsv
from kg.store.oxigraph import open_build
from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg

for _command in (query, publish, serve):
    cli.add_command(_command)

# The mini fixture has no mitigation and no counterpart: these records add them. They
# raise no exposure (no activity takes place in cn).
EXTRA = """\
# Additions for the query tests: a Chinese counterpart of the mini GDPR and three mitigations.
curated: 2026-11-28
records:
  - id: mini-pipl
    a: Legislation
    label: {en: Mini personal information protection law, zh: 迷你个人信息保护法}
    jurisdiction: cn
    governsActivity: ProcessingPersonalData
    raisesRisk: PersonalInformationProtectionRisk
    counterpart: mini-gdpr
    status: InForce
    statusConfirmedOn: 2026-11-20
    statusSource: https://example.org/pipl
    issuedOn: 2021-08-20
    inForceFrom: 2021-11-01
    noOfficialText: {en: "A fixture law with no published text."}
    source: https://example.org/pipl
  - id: mini-pipl-localisation
    a: Provision
    label: {en: Mini PIPL Art. 40 local storage, zh: 迷你个人信息保护法第四十条境内存储}
    partOf: mini-pipl
    governsActivity: ProcessingPersonalData
    dataLocalisationDuty:
      en: >-
        Operators of critical information infrastructure store personal information
        collected in the territory within it.
      zh: 关键信息基础设施运营者应当将在境内收集的个人信息存储在境内。
    raisesRisk: CrossBorderDataRisk
    inForceFrom: 2021-11-01
    noOfficialText: {en: "A fixture provision with no published text."}
    source: https://example.org/pipl
  - id: mini-mitigation-local-dpo
    a: Mitigation
    label:
      en: Appoint a local data protection officer (illustrative)
      zh: 任命当地数据保护官（示例）
    illustrative: true
    addressesRisk: DataProtectionEnforcementRisk
    source: https://example.org/mitigations
  - id: mini-mitigation-licence-review
    a: Mitigation
    label:
      en: Review open-model duties before release (illustrative)
      zh: 发布前审查开放模型义务（示例）
    illustrative: true
    addressesRisk: OpenSourceModelRegulationRisk
    source: https://example.org/mitigations
  - id: mini-mitigation-liability-contracts
    a: Mitigation
    label: {en: Allocate liability by contract (illustrative), zh: 以合同分配责任（示例）}
    illustrative: true
    addressesRisk: ProductLiabilityRisk
    source: https://example.org/mitigations
"""

# A parameter value for every named query that needs one (shared with test_remote.py).
SAMPLES: dict[str, dict[str, str]] = {
    "actor-exposures": {"actor": "acme-lab", "asOf": "2026-01-01"},
    "actor-roles": {},
    "actors-exposed-to-risk": {"risk": "PhysicalAIProductRisk"},
    "allegations-and-status": {},
    "exposure-path": {},  # filled in from actor-exposures (exposure IRIs are hashes)
    "facts-by-source": {"source": "eur-lex.europa.eu"},
    "instruments-in-force-on": {"date": "2026-01-01"},
    "instruments-in-jurisdiction": {"jurisdiction": "it"},
    "instruments-without-chinese-counterpart": {},
    "is-actor-exposed-to-category": {"actor": "robo-co", "category": "PhysicalAIProductRisk"},
    "jurisdictions-by-risk-category": {},
    "measures-targeting-actor": {"actor": "acme-lab"},
    "mitigations-for-actor": {"actor": "acme-lab"},
    "open-weight-providers-and-exemptions": {},
    "precedents": {"activity": "OfferingService", "jurisdiction": "it", "other_than": "rival-co"},
    "rescinded-or-withdrawn": {},
    "risk-taxonomy": {},
    "statuses-to-recheck": {},
    "suppliers-exposed-through-product": {"product": "robo-1"},
    "upcoming-phases": {"after": "2025-06-01"},
    "rules-reaching-foreign-provider": {"jurisdiction": "it", "date": "2026-01-01"},
    "data-localisation": {"jurisdiction": "cn"},
    "measures-against-firms-from": {"jurisdiction": "it"},
    "applies-in-jurisdiction-on": {"jurisdiction": "de", "date": "2027-01-01",
                                   "today": "2026-01-01"},
}

INJECTION = 'x" } ; DROP ALL ; #'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def mini_project(tmp_path: Path) -> Project:
    return make_project(tmp_path, [FIXTURES / "mini"], {"mini-extra.yaml": EXTRA})


@pytest.fixture(scope="session")
def project(queries_built: Project) -> Project:
    """mini_project, built once for the session (conftest.py): read only."""
    return queries_built


@pytest.fixture(scope="session")
def store(project: Project) -> ox.Store:
    return open_build(project.build_dir)


@pytest.fixture(scope="session")
def library() -> dict[str, NamedQuery]:
    return load_library()


def sample_params(store: ox.Store, name: str) -> dict[str, str]:
    """The sample parameters of a query; exposure-path gets the Texas device-ban exposure."""
    if name != "exposure-path":
        return SAMPLES[name]
    rows = table(store, "actor-exposures", actor="acme-lab", asOf="2026-01-01")[1]
    return {"exposure": next(r[-1] for r in rows if r[5] == "mini-tx-device-ban")}


def result(store: ox.Store, name: str, **params: str) -> Result:
    named = load_library()[name]
    return execute(store, named.text, bind(named, params))


def full(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """Short ids and names for a readable expected table; full IRIs for exposure nodes."""
    if isinstance(term, ox.NamedNode) and "/id/exposure/" in term.value:
        return term.value
    return display(term)


def table(store: ox.Store, name: str, **params: str) -> tuple[list[str], list[tuple[str, ...]]]:
    answer = result(store, name, **params)
    return answer.variables, [tuple(full(term) for term in row) for row in answer.rows]


# --------------------------------------------------------------------------- the library


def test_the_library_has_the_analysts_questions(library):
    assert set(SAMPLES) <= set(library)
    assert len(library) >= 17
    for named in library.values():
        assert named.title and named.description, named.name
        assert named.form in ("SELECT", "ASK", "CONSTRUCT"), named.name
        body = "\n".join(line for line in named.text.splitlines()
                         if not line.lstrip().startswith("#"))
        select_clause = body[body.find("SELECT"):body.find("WHERE")]
        for param in named.params:
            assert f"?{param.name}" in body, (named.name, param.name)
            assert f"BOUND(?{param.name})" not in body, (named.name, param.name)
            if named.form == "SELECT":  # SEP-0007 substitution needs it projected
                assert f"?{param.name}" in select_clause, (named.name, param.name)
        assert "VALUES" not in body.split("}")[-1], named.name  # no trailing VALUES block


def test_header_is_parsed(library):
    named = library["actor-exposures"]
    assert named.title == "Exposures of an actor"
    assert named.description.startswith("every exposure of ?actor with instrument")
    assert [(p.name, p.type, p.required, p.default) for p in named.params] == [
        ("actor", "IRI", True, None), ("asOf", "date", False, "today")]
    assert named.params[0].doc == "the actor, e.g. id:deepseek"


# --------------------------------------------------------------------------- one test a query


def test_actor_exposures(store, project):
    variables, rows = table(store, "actor-exposures", actor="acme-lab", asOf="2026-01-01")
    assert variables == ["actor", "asOf", "status", "kind", "risk", "source", "sourceLabel",
                         "provision", "jurisdiction", "market", "via", "product", "validFrom",
                         "validUntil", "rule", "exposure"]
    assert [r[:-1] for r in rows] == [
        ("acme-lab", "2026-01-01", "current", "MarketExposure",
         "PersonalInformationProtectionRisk", "mini-gdpr", "Mini data protection regulation", "",
         "eu", "de", "acme-processing-in-de", "", "2018-05-25", "", "rule:market-exposure"),
        ("acme-lab", "2026-01-01", "current", "AllegationExposure",
         "ModelDistillationAllegationRisk", "mini-distillation-claim",
         "Mini distillation allegation", "", "us", "", "", "", "2025-01-29", "",
         "rule:allegation-exposure"),
        ("acme-lab", "2026-01-01", "current", "TargetedMeasureExposure",
         "DataProtectionEnforcementRisk", "mini-it-order",
         "Mini restriction order against Acme app", "", "it", "", "acme-app", "", "2025-01-30",
         "", "rule:targeted-measure-exposure"),
        ("acme-lab", "2026-01-01", "current", "TargetedMeasureExposure",
         "MarketAccessSuspensionRisk", "mini-it-order",
         "Mini restriction order against Acme app", "", "it", "", "acme-app", "", "2025-01-30",
         "", "rule:targeted-measure-exposure"),
        ("acme-lab", "2026-01-01", "current", "TargetedMeasureExposure", "GovernmentUseBanRisk",
         "mini-tx-device-ban", "Mini Texas device ban", "", "us-tx", "", "", "", "2025-01-31",
         "", "rule:targeted-measure-exposure"),
        ("acme-lab", "2026-01-01", "current", "ExtraterritorialExposure",
         "InvestmentRestrictionRisk", "mini-outbound-rule", "Mini outbound investment rule", "",
         "us", "us", "acme-raise-in-us", "", "2025-03-01", "",
         "rule:extraterritorial-exposure"),
        ("acme-lab", "2026-01-01", "current", "AllegationExposure", "StateControlAllegationRisk",
         "mini-state-control-claim", "Mini state-control allegation", "", "us", "",
         "acme-model", "", "2025-03-13", "", "rule:allegation-exposure"),
        ("acme-lab", "2026-01-01", "current", "ExtraterritorialExposure",
         "OpenModelObligationRisk", "mini-ai-act", "Mini AI act", "mini-ai-act-gpai", "eu", "eu",
         "acme-weights-in-eu", "", "2025-08-02", "", "rule:extraterritorial-exposure"),
        ("acme-lab", "2026-01-01", "pending", "ExtraterritorialExposure",
         "NationalSecurityReviewRisk", "mini-app-bill", "Mini app ban bill", "", "us", "us",
         "acme-app-in-us", "", "", "", "rule:extraterritorial-exposure"),
        ("acme-lab", "2026-01-01", "ended", "ExtraterritorialExposure", "ExportControlRisk",
         "mini-diffusion-rule", "Mini diffusion rule", "", "us", "us", "acme-raise-in-us", "",
         "2025-05-15", "2025-05-13", "rule:extraterritorial-exposure"),
    ]
    # the exposure nodes are the ones the build lists for the actor
    records = json.loads((project.build_dir / "exposures.json").read_text("utf-8"))
    assert {(r[-1], r[4]) for r in rows} == {
        (rec["id"], risk["id"]) for rec in records if rec["actor"]["id"] == "acme-lab"
        for risk in rec["risks"]}


def test_actor_exposures_status_follows_the_date(store):
    rows = table(store, "actor-exposures", actor="acme-lab", asOf="2025-06-01")[1]
    status = {(r[5], r[4]): r[2] for r in rows}
    assert status[("mini-ai-act", "OpenModelObligationRisk")] == "upcoming"
    assert status[("mini-diffusion-rule", "ExportControlRisk")] == "ended"
    assert status[("mini-gdpr", "PersonalInformationProtectionRisk")] == "current"


def test_instruments_in_jurisdiction_marks_inherited_ones(store):
    variables, rows = table(store, "instruments-in-jurisdiction", jurisdiction="it")
    assert variables == ["jurisdiction", "instrument", "label", "type", "status",
                         "sourceJurisdiction", "inherited", "effectiveFrom", "effectiveUntil"]
    assert rows == [
        ("it", "mini-it-consumer-code", "Mini Italian consumer code", "Legislation", "InForce",
         "it", "false", "2005-10-23", ""),
        ("it", "mini-ai-act", "Mini AI act", "Legislation", "InForce", "eu", "true",
         "2026-08-02", ""),
        ("it", "mini-aild", "Mini AI liability proposal", "Legislation", "Withdrawn", "eu",
         "true", "", "2025-02-11"),
        ("it", "mini-drone-rule", "Mini drone market rule", "ExecutiveRule", "InForce", "eu",
         "true", "2025-05-01", ""),
        ("it", "mini-gdpr", "Mini data protection regulation", "Legislation", "InForce", "eu",
         "true", "2018-05-25", ""),
        ("it", "mini-pld", "Mini product liability directive", "Legislation", "InForce", "eu",
         "true", "2026-12-09", ""),
        ("it", "mini-robot-standard", "Mini connected-robot security standard",
         "TechnicalStandard", "InForce", "eu", "true", "2025-08-01", ""),
    ]
    # Texas inherits the US federal instruments; the order and the ban are not instruments
    texas = table(store, "instruments-in-jurisdiction", jurisdiction="us-tx")[1]
    assert [(r[1], r[6]) for r in texas] == [
        ("mini-app-bill", "true"), ("mini-diffusion-rule", "true"),
        ("mini-outbound-rule", "true")]


def test_actors_exposed_to_a_category(store):
    variables, rows = table(store, "actors-exposed-to-risk", risk="PhysicalAIProductRisk")
    assert variables == ["risk", "actor", "actorLabel", "exposedRisk", "exposures", "sources"]
    assert rows == [
        ("PhysicalAIProductRisk", "robo-co", "Robo Co (illustrative)", "ProductLiabilityRisk",
         "2", "2"),
        ("PhysicalAIProductRisk", "chip-co", "Chip Co (illustrative)", "ProductLiabilityRisk",
         "1", "1"),
        ("PhysicalAIProductRisk", "data-co", "Data Co (illustrative)", "ProductLiabilityRisk",
         "1", "1"),
        ("PhysicalAIProductRisk", "robo-co", "Robo Co (illustrative)",
         "ProductTechnicalStandardRisk", "1", "1"),
    ]
    # a leaf risk type works the same way
    leaf = table(store, "actors-exposed-to-risk", risk="aig:ExportControlRisk")[1]
    assert [(r[1], r[3], r[4]) for r in leaf] == [("acme-lab", "ExportControlRisk", "1")]


def test_measures_targeting_an_actor_or_its_products(store):
    variables, rows = table(store, "measures-targeting-actor", actor="acme-lab")
    assert variables == ["actor", "measure", "label", "type", "target", "issuer",
                         "issuerLabel", "jurisdiction", "status", "issuedOn", "effectiveUntil"]
    assert rows == [
        ("acme-lab", "mini-it-order", "Mini restriction order against Acme app", "Order",
         "acme-app", "it-dpa", "Italian DPA", "it", "InForce", "2025-01-30", ""),
        ("acme-lab", "mini-tx-device-ban", "Mini Texas device ban", "DeviceBan", "acme-lab",
         "us-tx-governor", "Governor of Texas", "us-tx", "InForce", "2025-01-31", ""),
    ]
    assert table(store, "measures-targeting-actor", actor="robo-co")[1] == []


def test_instruments_in_force_on_a_date(store):
    variables, rows = table(store, "instruments-in-force-on", date="2026-01-01")
    assert variables == ["date", "instrument", "label", "type", "jurisdiction", "status",
                         "effectiveFrom"]
    assert [r[1:] for r in rows] == [
        ("mini-pipl", "Mini personal information protection law", "Legislation", "cn",
         "InForce", "2021-11-01"),
        ("mini-gdpr", "Mini data protection regulation", "Legislation", "eu", "InForce",
         "2018-05-25"),
        ("mini-drone-rule", "Mini drone market rule", "ExecutiveRule", "eu", "InForce",
         "2025-05-01"),
        ("mini-robot-standard", "Mini connected-robot security standard", "TechnicalStandard",
         "eu", "InForce", "2025-08-01"),
        ("mini-it-consumer-code", "Mini Italian consumer code", "Legislation", "it", "InForce",
         "2005-10-23"),
        ("mini-outbound-rule", "Mini outbound investment rule", "ExecutiveRule", "us",
         "InForce", "2025-01-02"),
    ]
    # the diffusion rule ended (2025-05-13) before it would have applied (2025-05-15)
    may = [r[1] for r in table(store, "instruments-in-force-on", date="2025-05-14")[1]]
    assert "mini-diffusion-rule" not in may
    assert set(may) == {"mini-pipl", "mini-gdpr", "mini-drone-rule", "mini-it-consumer-code",
                        "mini-outbound-rule"}


def test_upcoming_phases(store):
    variables, rows = table(store, "upcoming-phases", after="2025-06-01")
    assert variables == ["after", "effectiveFrom", "item", "label", "kind", "instrument",
                         "jurisdiction"]
    assert [r[1:] for r in rows] == [
        ("2025-08-01", "mini-robot-standard", "Mini connected-robot security standard",
         "instrument", "mini-robot-standard", "eu"),
        ("2025-08-02", "mini-ai-act-gpai", "Mini AI act GPAI obligations", "provision",
         "mini-ai-act", "eu"),
        ("2025-08-02", "mini-ai-act-open-source-exemption", "Mini AI act open-source exemption",
         "provision", "mini-ai-act", "eu"),
        ("2026-08-02", "mini-ai-act", "Mini AI act", "instrument", "mini-ai-act", "eu"),
        ("2026-12-09", "mini-pld", "Mini product liability directive", "instrument",
         "mini-pld", "eu"),
    ]
    # rescinded before it applied: never upcoming
    early = [r[2] for r in table(store, "upcoming-phases", after="2025-01-01")[1]]
    assert "mini-diffusion-rule" not in early
    assert early[:2] == ["mini-outbound-rule", "mini-drone-rule"]


def test_jurisdictions_by_risk_category(store):
    variables, rows = table(store, "jurisdictions-by-risk-category")
    assert variables == ["jurisdiction", "jurisdictionLabel", "category", "instruments"]
    # data-protection laws count under the baseline of traditional legal issues
    assert rows == [
        ("eu", "European Union", "PhysicalAIProductRisk", "3"),
        ("us", "United States", "GeopoliticalUncertaintyRisk", "2"),
        ("cn", "China", "BaselineLegalRisk", "1"),
        ("cn", "China", "GeopoliticalUncertaintyRisk", "1"),  # the PIPL's storage duty
        ("eu", "European Union", "BaselineLegalRisk", "1"),
        ("eu", "European Union", "CybersecurityThreatNarrativeRisk", "1"),
        ("eu", "European Union", "OpenSourceModelRegulationRisk", "1"),
        ("it", "Italy", "BaselineLegalRisk", "1"),
        ("us", "United States", "OpenSourceModelRegulationRisk", "1"),
    ]


def test_jurisdictions_by_risk_category_with_a_label_in_two_graphs(project, store):
    """The default graph is the union of the named graphs, so a label stated in two of them
    matches twice; the label is looked up after the counting, and still gives one row."""
    doubled = open_build(project.build_dir)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    eu = ox.NamedNode("https://w3id.org/aigov-kg/id/eu")
    doubled.extend([ox.Quad(eu, label, quad.object, ox.NamedNode(str(GRAPH["derived"])))
                    for quad in doubled.quads_for_pattern(eu, label, None)])
    assert table(doubled, "jurisdictions-by-risk-category") == table(
        store, "jurisdictions-by-risk-category")


def test_suppliers_exposed_through_a_product(store):
    variables, rows = table(store, "suppliers-exposed-through-product", product="robo-1")
    assert variables == ["supplier", "supplierLabel", "product", "maker", "market", "source",
                         "provision", "risk", "validFrom", "validUntil"]
    assert rows == [
        ("chip-co", "Chip Co (illustrative)", "robo-1", "robo-co", "de", "mini-pld", "",
         "ProductLiabilityRisk", "2026-12-09", ""),
        ("data-co", "Data Co (illustrative)", "robo-1", "robo-co", "de", "mini-pld", "",
         "ProductLiabilityRisk", "2026-12-09", ""),
    ]
    assert table(store, "suppliers-exposed-through-product")[1] == rows  # every product
    assert table(store, "suppliers-exposed-through-product", product="acme-app")[1] == []


def test_open_weight_providers_and_exemptions(store):
    variables, rows = table(store, "open-weight-providers-and-exemptions")
    assert variables == ["provider", "model", "publication", "market", "exemption",
                         "instrument", "exemptionFrom"]
    assert rows == [("acme-lab", "acme-model", "acme-weights-in-eu", "eu",
                     "mini-ai-act-open-source-exemption", "mini-ai-act", "2025-08-02")]


def test_allegations_and_status(store):
    variables, rows = table(store, "allegations-and-status")
    assert variables == ["allegation", "label", "accuser", "target", "exposedActor", "risk",
                         "jurisdiction", "status", "issuedOn", "endedOn"]
    assert rows == [
        ("mini-distillation-claim", "Mini distillation allegation", "rival-co", "acme-lab",
         "acme-lab", "ModelDistillationAllegationRisk", "us", "Published", "2025-01-29", ""),
        ("mini-state-control-claim", "Mini state-control allegation", "rival-co", "acme-model",
         "acme-lab", "StateControlAllegationRisk", "us", "Published", "2025-03-13", ""),
    ]


def test_instruments_without_chinese_counterpart(store):
    variables, rows = table(store, "instruments-without-chinese-counterpart")
    assert variables == ["counterpartIn", "instrument", "label", "type", "jurisdiction",
                         "status"]
    # mini-gdpr has one (mini-pipl names it; the symmetric link is found either way)
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        ("cn", "mini-ai-act", "eu", "InForce"),
        ("cn", "mini-aild", "eu", "Withdrawn"),
        ("cn", "mini-drone-rule", "eu", "InForce"),
        ("cn", "mini-pld", "eu", "InForce"),
        ("cn", "mini-robot-standard", "eu", "InForce"),
        ("cn", "mini-it-consumer-code", "it", "InForce"),
        ("cn", "mini-app-bill", "us", "Proposed"),
        ("cn", "mini-diffusion-rule", "us", "Rescinded"),
        ("cn", "mini-outbound-rule", "us", "InForce"),
    ]
    # seen from the EU: every non-EU instrument but the PIPL lacks an EU counterpart
    eu = table(store, "instruments-without-chinese-counterpart", counterpartIn="eu")[1]
    assert [r[1] for r in eu] == ["mini-app-bill", "mini-diffusion-rule", "mini-outbound-rule"]


def test_facts_by_source(store):
    variables, rows = table(store, "facts-by-source", source="EUR-Lex.europa.eu")
    assert variables == ["source", "record", "label", "citation", "citedAs", "curatedOn"]
    ai_act, gdpr, pld = ("https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
                         "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
                         "https://eur-lex.europa.eu/eli/dir/2024/2853/oj")
    assert [r[1:] for r in rows] == [
        ("mini-ai-act", "Mini AI act", ai_act, "evidence", "2026-11-28"),
        ("mini-ai-act", "Mini AI act", ai_act, "status source", "2026-11-28"),
        ("mini-ai-act-gpai", "Mini AI act GPAI obligations", ai_act, "evidence", "2026-11-28"),
        ("mini-ai-act-open-source-exemption", "Mini AI act open-source exemption", ai_act,
         "evidence", "2026-11-28"),
        ("mini-gdpr", "Mini data protection regulation", gdpr, "evidence", "2026-11-28"),
        ("mini-gdpr", "Mini data protection regulation", gdpr, "status source", "2026-11-28"),
        ("mini-pld", "Mini product liability directive", pld, "evidence", "2026-11-28"),
        ("mini-pld", "Mini product liability directive", pld, "status source", "2026-11-28"),
    ]
    # the official texts are on the ELI host: found by their own domain
    official = table(store, "facts-by-source", source="data.europa.eu/eli/reg/2016")[1]
    assert [(r[1], r[4]) for r in official] == [("mini-gdpr", "official text")]
    full_url = table(store, "facts-by-source", source="https://example.org/robo")[1]
    assert [r[1] for r in full_url] == ["robo-1", "robo-1-in-germany", "robo-co"]


def test_risk_taxonomy_with_both_labels(store):
    variables, rows = table(store, "risk-taxonomy")
    assert variables == ["category", "level", "concept", "broader", "en", "zh"]
    top = [(r[0], r[4], r[5]) for r in rows if r[1] == "1"]
    assert top == [
        ("BaselineLegalRisk",
         "Baseline legal risk (data security, cybersecurity, personal information)",
         "传统法律问题（数据安全、网络安全、个人信息保护）"),
        ("CybersecurityThreatNarrativeRisk", "Cybersecurity-threat narrative risk",
         "网络安全威胁论"),
        ("GeopoliticalUncertaintyRisk", "Geopolitical uncertainty risk", "地缘政治不确定性"),
        ("OpenSourceModelRegulationRisk", "Open-source model regulation risk", "开源模型监管"),
        ("PhysicalAIProductRisk", "Physical AI product risk", "物理实体AI产品"),
        ("StateBackingAllegationRisk", "State-backing allegation risk", "政府背后指使论"),
        ("TechnologyTheftAllegationRisk", "Technology-theft allegation risk", "窃取技术秘密论"),
    ]
    # 4 + 3 + 3 + 7 + 2 + 5 sub-risks under the article's six categories and 4 under the
    # baseline; training-data IP sits under open-source regulation only (issue 14)
    assert len(rows) == 7 + 4 + 3 + 3 + 7 + 2 + 5 + 4
    assert [r[:4] for r in rows if r[2] == "TrainingDataIPRisk"] == [
        ("OpenSourceModelRegulationRisk", "2", "TrainingDataIPRisk",
         "OpenSourceModelRegulationRisk")]
    assert all(r[4] and r[5] for r in rows)


def test_exposure_path_is_the_subgraph_of_one_exposure(store):
    exposure = sample_params(store, "exposure-path")["exposure"]
    answer = result(store, "exposure-path", exposure=exposure)
    got = {tuple(display(t) for t in (x.subject, x.predicate, x.object))
           for x in answer.triples}
    e = display(ox.NamedNode(exposure))
    assert got == {
        (e, "rdf:type", "Exposure"), (e, "rdf:type", "TargetedMeasureExposure"),
        (e, "exposedActor", "acme-lab"), (e, "exposedToRisk", "GovernmentUseBanRisk"),
        (e, "throughSource", "mini-tx-device-ban"), (e, "sourceJurisdiction", "us-tx"),
        (e, "validFrom", "2025-01-31"), (e, "validFromBasis", "instrument"),
        (e, "derivedByRule", "rule:targeted-measure-exposure"),
        (e, "prov:wasDerivedFrom", "mini-tx-device-ban"),
        ("acme-lab", "rdf:type", "Company"),
        ("acme-lab", "rdf:type", "OpenWeightModelProvider"),
        ("acme-lab", "rdf:type", "SoftwareServiceProvider"),
        ("acme-lab", "rdfs:label", "Acme Lab (illustrative)"),
        ("acme-lab", "rdfs:label", "Acme实验室（示例）"),
        ("mini-tx-device-ban", "rdf:type", "DeviceBan"),
        ("mini-tx-device-ban", "rdfs:label", "Mini Texas device ban"),
        ("mini-tx-device-ban", "rdfs:label", "迷你得州设备禁令"),
        ("mini-tx-device-ban", "targets", "acme-lab"),
        ("mini-tx-device-ban", "jurisdiction", "us-tx"),
        ("mini-tx-device-ban", "raisesRisk", "GovernmentUseBanRisk"),
        ("us-tx", "rdf:type", "SubnationalJurisdiction"),
        ("us-tx", "rdfs:label", "Texas"), ("us-tx", "rdfs:label", "得克萨斯州"),
        ("GovernmentUseBanRisk", "rdfs:label", "Government-use ban risk"),
        ("GovernmentUseBanRisk", "rdfs:label", "政府使用禁令风险"),
        ("rule:targeted-measure-exposure", "rdf:type", "InferenceRule"),
        ("rule:targeted-measure-exposure", "rdfs:label", "Targeted measure exposure"),
    }


def test_exposure_path_of_a_supplier_shows_the_part_and_the_chain(store):
    rows = table(store, "actor-exposures", actor="chip-co", asOf="2026-01-01")[1]
    answer = result(store, "exposure-path", exposure=rows[0][-1])
    links = {tuple(display(t) for t in (x.subject, x.predicate, x.object))
             for x in answer.triples if x.predicate.value.startswith(str(AIG))}
    assert {("chip-co", "suppliesHardwareFor", "chip-1"), ("chip-1", "componentOf", "robo-1"),
            ("de", "within", "eu"), ("robo-1-in-germany", "inJurisdiction", "de"),
            ("robo-1-in-germany", "concernsArtefact", "robo-1"),
            ("mini-pld", "jurisdiction", "eu"),
            ("mini-pld", "raisesRisk", "ProductLiabilityRisk")} <= links
    nodes = {part for triple in links for part in (triple[0], triple[2])}
    assert "chip-1" in nodes  # the part, though the exposure does not name it
    assert not nodes & {"mini-aild", "data-co", "acme-lab"}  # nothing off the path


def test_mitigations_for_actor_cover_narrower_risks(store):
    variables, rows = table(store, "mitigations-for-actor", actor="acme-lab")
    assert variables == ["actor", "mitigation", "label", "addressedRisk", "exposedRisk",
                         "exposures"]
    assert [r[1:] for r in rows] == [
        ("mini-mitigation-licence-review", "Review open-model duties before release "
         "(illustrative)", "OpenSourceModelRegulationRisk", "NationalSecurityReviewRisk", "1"),
        ("mini-mitigation-licence-review", "Review open-model duties before release "
         "(illustrative)", "OpenSourceModelRegulationRisk", "OpenModelObligationRisk", "1"),
        ("mini-mitigation-local-dpo", "Appoint a local data protection officer (illustrative)",
         "DataProtectionEnforcementRisk", "DataProtectionEnforcementRisk", "1"),
    ]
    robo = table(store, "mitigations-for-actor", actor="robo-co")[1]
    assert [(r[1], r[4], r[5]) for r in robo] == [
        ("mini-mitigation-liability-contracts", "ProductLiabilityRisk", "2")]


def test_rescinded_or_withdrawn(store):
    variables, rows = table(store, "rescinded-or-withdrawn")
    assert variables == ["since", "source", "label", "type", "status", "jurisdiction",
                         "issuedOn", "endedOn", "supersededBy"]
    assert rows == [
        ("", "mini-diffusion-rule", "Mini diffusion rule", "ExecutiveRule", "Rescinded", "us",
         "2025-01-15", "2025-05-13", ""),
        ("", "mini-aild", "Mini AI liability proposal", "Legislation", "Withdrawn", "eu",
         "2022-09-28", "2025-02-11", ""),
    ]
    since = table(store, "rescinded-or-withdrawn", since="2025-03-01")[1]
    assert [(r[0], r[1]) for r in since] == [("2025-03-01", "mini-diffusion-rule")]


def test_actor_roles_with_evidence(store):
    variables, rows = table(store, "actor-roles")
    assert variables == ["actor", "role", "evidenceProperty", "evidence"]
    assert rows == [
        ("acme-lab", "ModelDeveloper", "developsModel", "acme-model"),
        ("acme-lab", "OpenWeightModelProvider", "developsModel", "acme-model"),
        ("acme-lab", "SoftwareServiceProvider", "providesService", "acme-app"),
        # chip-1 is a component of robo-1, so OWL RL adds the second supply link
        ("chip-co", "HardwareManufacturer", "suppliesHardwareFor", "chip-1"),
        ("chip-co", "HardwareManufacturer", "suppliesHardwareFor", "robo-1"),
        ("data-co", "TrainingDataProvider", "suppliesTrainingDataFor", "robo-1"),
        ("robo-co", "ProductManufacturer", "manufactures", "robo-1"),
    ]
    assert table(store, "actor-roles", actor="rival-co")[1] == []


def test_ask_is_actor_exposed_to_category(store):
    def ask(actor: str, category: str) -> bool | None:
        return result(store, "is-actor-exposed-to-category", actor=actor,
                      category=category).boolean

    assert ask("acme-lab", "PhysicalAIProductRisk") is False  # the GDPR is baseline for it
    assert ask("acme-lab", "BaselineLegalRisk") is True
    assert ask("robo-co", "aig:PhysicalAIProductRisk") is True
    assert ask("robo-co", "CybersecurityThreatNarrativeRisk") is False
    assert ask("chip-co", "GeopoliticalUncertaintyRisk") is False


# --------------------------------------------------------------------------- engines agree


# More parameter sets, so that optional parameters are tried both given and left out.
VARIANTS: list[tuple[str, dict[str, str]]] = [
    ("actor-exposures", {"actor": "robo-co", "asOf": "2025-01-01"}),
    ("actor-roles", {"actor": "chip-co"}),
    ("instruments-without-chinese-counterpart", {"counterpartIn": "eu"}),
    ("suppliers-exposed-through-product", {}),
    ("rescinded-or-withdrawn", {"since": "2025-03-01"}),
    ("is-actor-exposed-to-category", {"actor": "robo-co",
                                      "category": "CybersecurityThreatNarrativeRisk"}),
    ("instruments-in-force-on", {}),
    ("upcoming-phases", {}),
]


def test_values_injection_gives_the_same_answers_as_substitution(store, library):
    """The remote path binds by VALUES; on the same store it must answer as SEP-0007
    substitution does, query by query."""
    cases = [(name, sample_params(store, name)) for name in library] + VARIANTS
    for name, params in cases:
        named = library[name]
        bindings = bind(named, params)
        direct = execute(store, named.text, bindings)
        injected = execute(store, inject_values(named.text, bindings))
        assert injected == direct, (name, params)
        if params is SAMPLES.get(name):
            assert direct.rows or direct.triples or direct.boolean, name


def test_embedded_binding_answers_as_plain_substitution(store, library):
    """The embedded path also states the terms as VALUES … LATERAL { group } (for Oxigraph's
    planner): row for row, in order, it answers as SEP-0007 substitution alone."""
    cases = [(name, sample_params(store, name)) for name in library] + VARIANTS
    for name, params in cases:
        named = library[name]
        bindings = bind(named, params)
        planned = lateral_values(named.text, bindings)
        assert ("LATERAL {" in planned) == bool(bindings), name
        plain = store.query(named.text, use_default_graph_as_union=True,
                            substitutions={ox.Variable(k): v for k, v in bindings.items()})
        direct = execute(store, named.text, bindings)
        if isinstance(plain, ox.QueryBoolean):
            assert direct.boolean == bool(plain), (name, params)
        elif isinstance(plain, ox.QuerySolutions):
            assert direct.rows == [tuple(row) for row in plain], (name, params)
        else:
            assert direct.triples == sort_triples(set(plain)), (name, params)


def test_lateral_values_leaves_what_it_cannot_wrap():
    term = {"x": ox.NamedNode("http://example.org/x")}
    assert lateral_values("SELECT ?x WHERE { ?x ?p ?o }", {}) == "SELECT ?x WHERE { ?x ?p ?o }"
    for text in ("CONSTRUCT WHERE { ?x ?p ?o }", "DESCRIBE <http://example.org/x>"):
        assert lateral_values(text, term) == text
    assert lateral_values("ASK { ?x ?p ?o }", {"x": ox.BlankNode()}) == "ASK { ?x ?p ?o }"
    assert lateral_values("ASK { ?x ?p ?o }", term) == (
        "ASK { VALUES (?x) { (<http://example.org/x>) } LATERAL { ?x ?p ?o } }")


def test_queries_also_work_without_the_owl_rl_graph(project, store, library):
    """Property paths (rdfs:subClassOf*, aig:within*) stand in for the reasoner."""
    plain = open_build(project.build_dir)
    plain.remove_graph(ox.NamedNode(str(GRAPH["inferred"])))
    assert len(plain) < len(store)
    differs = {"exposure-path", "actor-roles"}  # they show inferred types and links
    for name, named in library.items():
        if name in differs:
            continue
        bindings = bind(named, sample_params(store, name))
        assert execute(plain, named.text, bindings) == execute(store, named.text,
                                                                      bindings), name


# --------------------------------------------------------------------------- parameters


def test_parameters_accept_ids_prefixed_names_and_iris():
    def iri(text: str) -> str:
        return parse_iri(text).value

    assert iri("deepseek") == "https://w3id.org/aigov-kg/id/deepseek"
    assert iri("id:eu") == "https://w3id.org/aigov-kg/id/eu"
    assert iri("aig:Ban") == iri("Ban") == "https://w3id.org/aigov-kg/ontology#Ban"
    assert iri("<https://example.org/x>") == "https://example.org/x"
    for bad, why in [("https://example.org/a b", "' '"), ("x\" } ; DROP ALL ; #", "'\"'"),
                     ("no scheme here", "' '"), ("{x}", "'{'"), ("http://a/b>c", "'>'"),
                     ("foo:bar", "unknown prefix 'foo:'"), ("Not An IRI", "' '")]:
        with pytest.raises(ValueError, match=r"not a valid IRI|unknown prefix") as caught:
            parse_iri(bad)
        assert why in str(caught.value), bad


def test_typed_values_are_checked(library):
    echo = parse_query("# title: t\n# param: n (integer, required) — n\n"
                          "# param: b (boolean, optional, default false) — b\n"
                          "SELECT ?n ?b WHERE { }\n", "t", "t.rq")
    assert bind(echo, {"n": "-3"}) == {
        "n": ox.Literal("-3", datatype=ox.NamedNode(XSD + "integer")),
        "b": ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))}
    for params, message in [({"n": "3.5"}, "--param n: '3.5' is not an integer"),
                            ({"n": "1", "b": "yes"}, "--param b: 'yes' is not a boolean"),
                            ({}, "--param n: missing"),
                            ({"n": "1", "m": "2"}, "--param m: unknown parameter")]:
        with pytest.raises(UsageError, match=message):
            bind(echo, params)
    exposures = library["actor-exposures"]
    for value in ("2025-02-30", "20250101", "2025-W01-1", "01/02/2025"):
        with pytest.raises(UsageError, match=r"--param asOf: .* date"):
            bind(exposures, {"actor": "deepseek", "asOf": value})


ECHO = ("# title: Echo\n# description: the string parameter, back\n"
        "# param: text (string, required) — any text\n"
        "SELECT ?text (STRLEN(?text) AS ?length) WHERE { }\n")


@pytest.mark.parametrize("value", [
    INJECTION, 'a"b', "a\\b", "\\u0022 } ; DROP ALL ; #", "\\\\u0041", '"""', "'''", "}",
    "line\nbreak\ttab\r", "# not a comment", "SERVICE <http://example.org/>", "中文 ✓",
    "\x01\x1b[31m",
])
def test_string_parameters_arrive_as_one_literal_on_both_paths(store, value):
    named = parse_query(ECHO, "echo", "echo.rq")
    bindings = bind(named, {"text": value})
    for text, extra in ((named.text, bindings), (inject_values(named.text, bindings), {})):
        answer = execute(store, text, extra)
        assert answer.rows == [(ox.Literal(value), ox.Literal(
            str(len(value)), datatype=ox.NamedNode(XSD + "integer")))], text


def test_a_parameter_must_be_projected(capsys, queries_copy):
    project = queries_copy  # it writes a query file into the project: a copy of its own
    file = project.root / "hidden.rq"
    file.write_text("# title: t\n# param: x (IRI, required) — x\n"
                    "SELECT ?y WHERE { BIND(?x AS ?y) }\n", "utf-8")
    run = run_kg(capsys, project.root, "query", str(file), "--param", "x=eu")
    assert run.code == 2
    assert "a SELECT query must project each of its parameters" in run.err


def test_sparql_in_a_parameter_is_data_and_changes_nothing(capsys, project, store):
    size = len(store)
    assert table(store, "facts-by-source", source=INJECTION)[1] == []
    run = run_kg(capsys, project.root, "query", "facts-by-source", "--param",
                 f"source={INJECTION}")
    assert run.code == 0, run.err
    assert "(no rows)" in run.out
    run = run_kg(capsys, project.root, "query", "actor-exposures", "--param",
                 f"actor={INJECTION}")
    assert run.code == 2
    assert "--param actor:" in run.err and "is not a valid IRI" in run.err
    assert len(store) == size
    assert len(open_build(project.build_dir)) == size


@pytest.mark.parametrize(("args", "message"), [
    (["actor-exposures"], "--param actor: missing; actor-exposures needs actor (IRI, required)"),
    (["actor-exposures", "--param", "actor=acme-lab", "--param", "asOf=2025-13-01"],
     "--param asOf: '2025-13-01' is not a real date"),
    (["actor-exposures", "--param", "actor=acme-lab", "--param", "colour=red"],
     "--param colour: unknown parameter of actor-exposures (it takes actor, asOf)"),
    (["actor-exposures", "--param", "actor"], "--param 'actor': write NAME=VALUE"),
    (["actor-exposures", "--param", "actor=a b"], "--param actor: value 'a b' is not a valid IRI"),
    (["no-such-query"], "unknown query 'no-such-query'"),
    (["actor-exposure"], "did you mean actor-exposures"),
])
def test_bad_parameters_exit_2_naming_the_parameter(capsys, project, args, message):
    run = run_kg(capsys, project.root, "query", *args)
    assert run.code == 2
    assert message in run.err
    assert run.out == ""


# --------------------------------------------------------------------------- the guard

REFUSED = [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("select * where { sErViCe SILENT <http://example.org/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o # a comment }\n SERVICE <file:///etc/passwd> { ?x ?y ?z } }",
     "SERVICE"),
    ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "SERVICE"),
    ('SELECT * WHERE { ?s ?p "a" .#"\nSERVICE <http://x/> {} }', "SERVICE"),
    ("SELECT * FROM <http://example.org/graph> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * from named <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("load silent <file:///etc/passwd> into graph <http://x/>", "LOAD"),
    ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", "INSERT"),
    ("PREFIX ex: <http://e/>\n# SELECT in a comment\ndelete WHERE { ?s ?p ?o }", "DELETE"),
    ("DROP ALL", "DROP"),
    ("CLEAR DEFAULT", "CLEAR"),
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a/> <http://b/> <http://c/> }",
     "INSERT"),
    # `<` after an operand is a comparison to Oxigraph, though `<?b)SERVICE>` lexes as an IRI
    ("SELECT * WHERE { FILTER(?a<?b)SERVICE>\n<http://127.0.0.1:9/> { ?x ?y ?z } }",
     "SERVICE"),
    ("SELECT * WHERE { FILTER(?a<?b)SERVICE#>\n<http://127.0.0.1:9/> { ?x ?y ?z } }",
     "ambiguous '<'"),
    # an escape that ends the string for an engine that decodes \\u before parsing
    ('SELECT * WHERE { BIND("a\\u0022 AS ?x) SERVICE <http://x/> { } #" AS ?y) }', "SERVICE"),
]


@pytest.mark.parametrize(("text", "word"), REFUSED)
def test_guard_refuses(text, word):
    with pytest.raises(QueryRefused, match=f"query refused: {word}"):
        check_query(text)


def test_guard_refuses_what_it_cannot_read():
    for text in ("SELECT * WHERE { \\u0053ERVICE <http://x/> { } }",
                 'SELECT * WHERE { BIND("unterminated AS ?x) SERVICE <http://x/> { } }'):
        with pytest.raises(QueryRefused, match="query refused: cannot read the query"):
            check_query(text)


ALLOWED = [
    'SELECT ?x WHERE { BIND("SERVICE <http://example.org/> { }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''LOAD <http://x/>\nINSERT DATA { }''' AS ?x) }",
    'SELECT ?x WHERE { BIND("say \\"SERVICE\\" and FROM" AS ?x) }',
    "SELECT ?x WHERE { BIND(<http://example.org/service/from/load/drop> AS ?x) }",
    "PREFIX service: <http://example.org/>\nSELECT ?service WHERE { BIND(service:from AS "
    "?service) }",
    'SELECT ?x WHERE { BIND("x" AS ?x) } # SERVICE <http://x/> in a comment',
    'SELECT ?x WHERE { BIND("x"@en AS ?x) FILTER(?x != "y") }',
    "SELECT ?a WHERE { BIND(1 AS ?a) FILTER(?a<2&&?a>0) }",
    "SELECT ?a WHERE { BIND(<http://e/#x> AS ?a) FILTER(?a IN (<http://e/#x>, <http://e/#y>)) }",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_guard_lets_the_words_through_inside_strings_iris_and_names(store, text):
    assert check_query(text) == "SELECT"
    assert len(execute(store, text).rows) == 1


def test_refused_query_exits_2_with_the_reason(capsys, queries_copy):
    project = queries_copy  # it writes a query file into the project: a copy of its own
    file = project.root / "federated.rq"
    file.write_text("# title: f\nSELECT * WHERE {\n  # harmless?\n  SeRvIcE <http://127.0.0.1:9/> "
                    "{ ?s ?p ?o }\n}\n", "utf-8")
    run = run_kg(capsys, project.root, "query", str(file))
    assert run.code == 2
    assert "query refused: SERVICE (federated query) is not allowed" in run.err
    assert "(line 4)" in run.err


# --------------------------------------------------------------------------- limits


def test_time_limit_stops_waiting(project):
    launcher = ("import sys\nfrom kg.cli.main import cli, main\nfrom kg.cli.query import query\n"
                "cli.add_command(query)\nsys.argv = ['kg', *sys.argv[1:]]\nmain()\n")
    done = subprocess.run([sys.executable, "-c", launcher, "--root", str(project.root), "query",
                           "-", "--timeout", "1"], input=SLOW, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 2
    assert "error: query exceeded the 1 s time limit" in done.stderr


def test_result_cap_is_an_error_not_a_cut(capsys, project):
    run = run_kg(capsys, project.root, "query", "risk-taxonomy", "--limit", "3", "--format",
                 "csv")
    assert run.code == 2
    assert "the result has more than 3 rows" in run.err
    assert run.out == ""


# --------------------------------------------------------------------------- output formats


def test_json_follows_the_w3c_format(capsys, project):
    run = run_kg(capsys, project.root, "query", "measures-targeting-actor", "--param",
                 "actor=acme-lab", "--format", "json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["head"]["vars"][:3] == ["actor", "measure", "label"]
    first = document["results"]["bindings"][0]
    assert first["measure"] == {"type": "uri",
                                "value": "https://w3id.org/aigov-kg/id/mini-it-order"}
    assert first["label"] == {"type": "literal", "value": "Mini restriction order against Acme "
                              "app", "xml:lang": "en"}
    assert first["issuedOn"] == {"type": "literal", "value": "2025-01-30",
                                 "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert "effectiveUntil" not in first  # unbound


def test_csv_and_tsv_follow_the_w3c_formats(capsys, project):
    run = run_kg(capsys, project.root, "query", "measures-targeting-actor", "--param",
                 "actor=acme-lab", "--format", "csv")
    assert run.code == 0, run.err
    assert run.out.split("\r\n")[0].startswith("actor,measure,label,type,")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert rows[1]["measure"] == "https://w3id.org/aigov-kg/id/mini-tx-device-ban"
    assert rows[1]["label"] == "Mini Texas device ban"
    assert rows[1]["issuedOn"] == "2025-01-31"
    assert rows[1]["effectiveUntil"] == ""
    run = run_kg(capsys, project.root, "query", "measures-targeting-actor", "--param",
                 "actor=acme-lab", "--format", "tsv")
    lines = run.out.splitlines()
    assert lines[0].startswith("?actor\t?measure\t?label\t")
    cells = dict(zip(lines[0].split("\t"), lines[2].split("\t"), strict=True))
    assert cells["?measure"] == "<https://w3id.org/aigov-kg/id/mini-tx-device-ban>"
    assert cells["?label"] == '"Mini Texas device ban"@en'
    assert cells["?issuedOn"] == '"2025-01-31"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert cells["?effectiveUntil"] == ""


def test_tsv_escapes_tabs_and_newlines():
    answer = Result("SELECT", ["x"], [(ox.Literal("a\tb\nc"),)])
    assert to_tsv(answer) == '?x\n"a\\tb\\nc"\n'


def test_table_escapes_terminal_control_characters(capsys, queries_copy):
    project = queries_copy  # it writes a query file into the project: a copy of its own
    file = project.root / "echo.rq"
    file.write_text(ECHO, "utf-8")
    run = run_kg(capsys, project.root, "query", str(file), "--param", "text=\x1b[2Jhi\x07")
    assert run.code == 0, run.err
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "\\x1b[2Jhi\\x07" in run.out


def test_graph_and_boolean_formats(capsys, project, store):
    exposure = sample_params(store, "exposure-path")["exposure"]
    run = run_kg(capsys, project.root, "query", "exposure-path", "--param",
                 f"exposure={exposure}", "--format", "nt")
    assert run.code == 0, run.err
    assert len(run.out.splitlines()) == 28
    assert run.out.splitlines() == sorted(run.out.splitlines())
    run = run_kg(capsys, project.root, "query", "exposure-path", "--param",
                 f"exposure={exposure}", "--format", "ttl")
    assert "@prefix aig: <https://w3id.org/aigov-kg/ontology#>" in run.out
    assert "aig:DeviceBan" in run.out
    run = run_kg(capsys, project.root, "query", "exposure-path", "--param",
                 f"exposure={exposure}", "--format", "csv")
    assert run.code == 2
    assert "--format csv: a CONSTRUCT query gives a graph; use ttl or nt" in run.err
    run = run_kg(capsys, project.root, "query", "is-actor-exposed-to-category", "--param",
                 "actor=robo-co", "--param", "category=PhysicalAIProductRisk", "--format", "json")
    assert json.loads(run.out) == {"head": {}, "boolean": True}


def test_list_shows_titles_and_parameters(capsys, project):
    run = run_kg(capsys, project.root, "query", "--list")
    assert run.code == 0
    assert "actor-exposures  —  Exposures of an actor" in run.out
    assert "--param asOf (date, default today)" in run.out
    run = run_kg(capsys, project.root, "query", "--list", "--format", "json")
    listed = {q["name"]: q for q in json.loads(run.out)}
    assert listed["facts-by-source"]["params"] == [
        {"name": "source", "type": "string", "required": True, "default": None,
         "doc": "a URL, or part of one, e.g. eur-lex.europa.eu"}]


def test_stdin_query(capsys, project, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "SELECT ?j WHERE { ?j a <https://w3id.org/aigov-kg/ontology#SupranationalUnion> }"))
    run = run_kg(capsys, project.root, "query", "-", "--format", "csv")
    assert run.code == 0, run.err
    assert run.out == "j\r\nhttps://w3id.org/aigov-kg/id/eu\r\n"


# --------------------------------------------------------------------------- market questions


def test_rules_reaching_a_foreign_open_weight_provider(store):
    variables, rows = table(store, "rules-reaching-foreign-provider", jurisdiction="it",
                            date="2026-01-01")
    assert variables == ["jurisdiction", "activity", "date", "rule", "label", "kind",
                         "governed", "instrument", "issuedIn", "reach", "status",
                         "effectiveFrom", "officialText"]
    found = {(r[3], r[5], r[6], r[7], r[9]) for r in rows}
    # the EU AI Act's GPAI provisions, inherited by Italy from the EU, reach a provider
    # publishing open weights from abroad (the exemption is listed beside them), and the
    # GDPR reaches its processing of Italian users' data
    assert found == {
        ("mini-ai-act-gpai", "provision", "PublishingOpenWeights", "mini-ai-act",
         "extraterritorial"),
        ("mini-ai-act-open-source-exemption", "provision", "PublishingOpenWeights",
         "mini-ai-act", "extraterritorial"),
        ("mini-gdpr", "instrument", "ProcessingPersonalData", "mini-gdpr", "extraterritorial")}
    other = table(store, "rules-reaching-foreign-provider", jurisdiction="it",
                  activity="aig:ProcessingPersonalData", date="2026-01-01")[1]
    assert {(r[3], r[6]) for r in other} == {("mini-gdpr", "ProcessingPersonalData")}
    assert table(store, "rules-reaching-foreign-provider", jurisdiction="us",
                 date="2026-01-01")[1] == []


def test_data_localisation_duties(store):
    variables, rows = table(store, "data-localisation", jurisdiction="cn")
    assert variables == ["jurisdiction", "date", "rule", "label", "issuedIn", "duty",
                         "activities", "status", "effectiveFrom", "officialText"]
    assert [(r[2], r[4], r[6], r[8]) for r in rows] == [
        ("mini-pipl-localisation", "cn", "ProcessingPersonalData", "2021-11-01")]
    assert rows[0][5].startswith("Operators of critical information infrastructure store")
    assert table(store, "data-localisation", jurisdiction="it")[1] == []
    assert len(table(store, "data-localisation")[1]) == 1  # every market


def test_measures_against_chinese_firms(store):
    rows = table(store, "measures-against-firms-from", jurisdiction="it")[1]
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("mini-it-order", "Order", "it", "acme-app", "acme-lab")]
    # the Texas ban is in the US (through us-tx), not in Italy; none target US firms
    us = table(store, "measures-against-firms-from", jurisdiction="us")[1]
    assert [(r[2], r[5]) for r in us] == [("mini-tx-device-ban", "us-tx")]
    assert table(store, "measures-against-firms-from", jurisdiction="us", home="us")[1] == []


def test_what_applies_in_a_market_on_a_future_date(store):
    rows = table(store, "applies-in-jurisdiction-on", jurisdiction="de", date="2027-01-01",
                 today="2026-01-01")[1]
    items = {r[5]: (r[4], r[7]) for r in rows}  # item: (startsLater, kind)
    assert items["mini-gdpr"] == ("false", "instrument")
    assert all(r[3] <= "2027-01-01" for r in rows)
    later = {item for item, (starts, _) in items.items() if starts == "true"}
    assert later == {r[5] for r in rows if r[3] > "2026-01-01"}
    assert "mini-pipl" not in items  # a Chinese law does not apply in Germany
