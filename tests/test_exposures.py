"""The exposure rules, checked against exposures written out by hand for a tiny world."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.pipeline.build import check
from kg.pipeline.exposures import select, status_as_of

# (kind, actor, source, provision, via activity or artefact, valid_from, valid_until, risks)
EXPECTED = {
    ("MarketExposure", "acme-lab", "mini-gdpr", None, "acme-processing-in-de",
     "2018-05-25", None, ("PersonalInformationProtectionRisk",)),
    ("ExtraterritorialExposure", "acme-lab", "mini-ai-act", "mini-ai-act-gpai",
     "acme-weights-in-eu", "2025-08-02", None, ("OpenModelObligationRisk",)),
    ("ExtraterritorialExposure", "robo-co", "mini-pld", None, "robo-1-in-germany",
     "2026-12-09", None, ("ProductLiabilityRisk",)),
    ("ExtraterritorialExposure", "robo-co", "mini-aild", None, "robo-1-in-germany",
     None, "2025-02-11", ("ProductLiabilityRisk",)),
    ("ExtraterritorialExposure", "robo-co", "mini-robot-standard", None, "robo-1-in-germany",
     "2026-01-01", None, ("ProductTechnicalStandardRisk",)),
    ("ValueChainExposure", "chip-co", "mini-pld", None, "robo-1-in-germany",
     "2026-12-09", None, ("ProductLiabilityRisk",)),
    ("ValueChainExposure", "data-co", "mini-pld", None, "robo-1-in-germany",
     "2026-12-09", None, ("ProductLiabilityRisk",)),
    ("ExtraterritorialExposure", "acme-lab", "mini-outbound-rule", None, "acme-raise-in-us",
     "2025-03-01", None, ("InvestmentRestrictionRisk",)),
    ("ExtraterritorialExposure", "acme-lab", "mini-diffusion-rule", None, "acme-raise-in-us",
     "2025-05-15", "2025-05-13", ("ExportControlRisk",)),
    ("ExtraterritorialExposure", "acme-lab", "mini-app-bill", None, "acme-app-in-us",
     None, None, ("NationalSecurityReviewRisk",)),
    ("TargetedMeasureExposure", "acme-lab", "mini-it-order", None, "acme-app",
     "2025-01-30", None, ("DataProtectionEnforcementRisk", "MarketAccessSuspensionRisk")),
    ("TargetedMeasureExposure", "acme-lab", "mini-tx-device-ban", None, None,
     "2025-01-31", None, ("GovernmentUseBanRisk",)),
    ("AllegationExposure", "acme-lab", "mini-distillation-claim", None, None,
     "2025-01-29", None, ("ModelDistillationAllegationRisk",)),
    ("AllegationExposure", "acme-lab", "mini-state-control-claim", None, "acme-model",
     "2025-03-13", None, ("StateControlAllegationRisk",)),
}


def summarise(record: dict) -> tuple:
    via = (record["activity"] or record["artefact"] or {}).get("id")
    return (record["kind"], record["actor"]["id"], record["source"]["id"],
            (record["provision"] or {}).get("id"), via, record["valid_from"],
            record["valid_until"], tuple(r["id"] for r in record["risks"]))


def test_exposures_match_the_hand_checked_list(mini_records):
    assert {summarise(r) for r in mini_records} == EXPECTED


def test_reference_reasoner_gives_identical_exposures(mini_owlrl_build, mini_records):
    """The owlrl build's exposure records (made as check() makes them; the build is shared
    with tests/test_build.py, see conftest.py) equal the fast path's."""
    assert mini_owlrl_build.reasoner == "owlrl"
    assert mini_owlrl_build.exposures == mini_records


def test_transitive_jurisdiction_is_on_the_path(mini_records):
    gdpr = next(r for r in mini_records if r["source"]["id"] == "mini-gdpr")
    chain = [s["id"] for s in gdpr["path"] if s["role"].endswith("jurisdiction")]
    assert chain == ["de", "eu"]
    assert "eu" in gdpr["jurisdictions"]


def test_territorial_law_does_not_reach_an_activity_from_abroad(mini_records):
    assert not [r for r in mini_records if r["source"]["id"] == "mini-it-consumer-code"]


def test_a_source_scoped_to_another_artefact_type_does_not_apply(mini_records):
    assert not [r for r in mini_records if r["source"]["id"] == "mini-drone-rule"]


def test_exemption_provision_raises_no_exposure(mini_records):
    assert not [r for r in mini_records
                if (r["provision"] or {}).get("id") == "mini-ai-act-open-source-exemption"]


def test_supplier_liability_travels_through_a_component(mini_records):
    chip = next(r for r in mini_records if r["actor"]["id"] == "chip-co")
    roles = [step["role"] for step in chip["path"]]
    assert roles[:3] == ["actor", "supplied-product", "activity"]
    assert chip["path"][1]["id"] == "robo-1"


@pytest.mark.parametrize(("source", "as_of", "status"), [
    ("mini-pld", "2026-11-28", "upcoming"),
    ("mini-pld", "2026-12-09", "current"),
    ("mini-aild", "2026-11-28", "ended"),
    ("mini-diffusion-rule", "2025-05-14", "ended"),
    ("mini-app-bill", "2030-01-01", "pending"),
    ("mini-gdpr", "2018-05-24", "upcoming"),
])
def test_status_as_of_a_date(mini_records, source, as_of, status):
    record = next(r for r in mini_records if r["source"]["id"] == source
                  and r["actor"]["id"] == ("robo-co" if source.startswith("mini-pld") else
                                           r["actor"]["id"]))
    assert status_as_of(record, dt.date.fromisoformat(as_of)) == status


def test_rescinded_exposures_are_not_listed_as_current(mini_records):
    current = select(mini_records, as_of=dt.date(2026, 11, 28), statuses=("current",))
    assert not {r["source"]["id"] for r in current} & {"mini-aild", "mini-diffusion-rule"}


def test_every_link_carries_its_sources(mini_records):
    for record in mini_records:
        for step in record["path"]:
            if step["role"] != "risk":
                assert step["sources"], (record["id"], step["id"])


def test_exposure_iris_are_deterministic(mini_project, mini_records):
    again = check(mini_project).records
    assert [r["id"] for r in again] == [r["id"] for r in mini_records]


ROBOT_DATA = """\
curated: 2026-11-28
records:
  - id: robo-1-data-in-de
    a: ProcessingPersonalData
    label: {en: Robo Co's robot processes household data in Germany (illustrative), zh: 示例}
    illustrative: true
    performedBy: robo-co
    concernsArtefact: robo-1
    inJurisdiction: de
    evidence: https://example.org/robo
"""


def test_personal_data_of_a_physical_product_counts_as_physical_ai(tmp_path):
    """The article's baseline data risks are physical-AI risks for a robot, not a chatbot."""
    from tests.conftest import FIXTURES, make_project

    project = make_project(tmp_path, [FIXTURES / "mini"], {"robot-data.yaml": ROBOT_DATA})
    records = check(project).records

    def categories(actor: str, source: str) -> list[str]:
        (record,) = [r for r in records if r["actor"]["id"] == actor
                     and r["source"]["id"] == source]
        return record["risks"][0]["categories"]

    assert categories("robo-co", "mini-gdpr") == ["BaselineLegalRisk", "PhysicalAIProductRisk"]
    assert categories("acme-lab", "mini-gdpr") == ["BaselineLegalRisk"]
    physical = select(records, actor="robo-co", risk="PhysicalAIProductRisk")
    assert "mini-gdpr" in {r["source"]["id"] for r in physical}
    assert not select(records, actor="acme-lab", risk="PhysicalAIProductRisk")
