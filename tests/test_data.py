"""The curated knowledge base: coverage targets, sourcing, identifiers, and exposures."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.core.namespaces import AIG, ID
from kg.pipeline.build import check
from kg.pipeline.load import load
from kg.views.stats import compute

CATEGORIES = ["CybersecurityThreatNarrativeRisk", "TechnologyTheftAllegationRisk",
              "StateBackingAllegationRisk", "OpenSourceModelRegulationRisk",
              "PhysicalAIProductRisk", "GeopoliticalUncertaintyRisk"]


@pytest.fixture(scope="session")
def loaded(repo_project):
    return load(repo_project)


@pytest.fixture(scope="session")
def figures(loaded):
    return compute(loaded.table())


def test_coverage_targets_hold(figures):
    assert figures["instruments_and_events"] >= 60
    assert figures["jurisdictions"] >= 12
    for category in CATEGORIES:
        assert figures["by_risk_category"][category] >= 5, category


def test_every_curated_record_has_a_source(figures):
    assert figures["share_with_source"] == 1.0
    assert figures["curated_records"] > 200


def test_named_actors_and_authorities_are_present(loaded):
    data = loaded.data
    for actor in ("deepseek", "openai", "huawei", "it-garante", "kr-pipc", "us-bis", "cn-cac"):
        assert (ID[actor], RDF.type, None) in data, actor


def test_china_outbound_rules_are_present(loaded):
    identifiers = " ".join(str(o) for o in loaded.data.objects(None, DCTERMS.identifier))
    for name in ("个人信息保护法", "数据安全法", "生成式人工智能服务管理暂行办法",
                 "促进和规范数据跨境流动规定", "中国禁止出口限制出口技术目录"):
        assert name in identifiers, name


def test_status_changes_are_recorded_with_their_dates(loaded):
    ended = {(s, str(loaded.data.value(s, AIG.status)), str(loaded.data.value(s, AIG.endedOn)))
             for s in loaded.data.subjects(AIG.endedOn, None)}
    labels = {str(s): [str(x) for x in loaded.data.objects(s, URIRef(
        "http://www.w3.org/2000/01/rdf-schema#label"))] for s, _, _ in ended}
    found = {" ".join(labels[str(s)]) + f" {status} {date}" for s, status, date in ended}
    assert any("Liability" in f and "Withdrawn" in f and "2025-10-06" in f for f in found)
    assert any("Diffusion" in f and "Rescinded" in f and "2025-05-13" in f for f in found)


def test_illustrative_companies_are_marked(loaded):
    illustrative = set(loaded.data.subjects(AIG.illustrative, None))
    companies = {s for s in illustrative if (s, RDF.type, AIG.Company) in loaded.data}
    assert len(companies) >= 3
    for company in companies:
        labels = [str(x) for x in loaded.data.objects(company, URIRef(
            "http://www.w3.org/2000/01/rdf-schema#label"))]
        assert any(label.endswith("(illustrative)") for label in labels)


def test_instance_iris_follow_one_pattern_and_data_has_no_blank_nodes(loaded):
    pattern = re.compile(r"^https://w3id\.org/aigov-kg/id/[a-z0-9]+(-[a-z0-9]+)*$")
    for s, _p, o in loaded.data:
        assert not isinstance(s, BNode) and not isinstance(o, BNode)
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(str(ID)):
                assert pattern.match(str(term)), term


@pytest.fixture(scope="session")
def records(repo_project):
    return check(repo_project).records


def test_deepseek_is_exposed_in_every_category_but_physical_ai(records):
    """DeepSeek makes no physical product: its GDPR and data-rule exposures are baseline
    data compliance, not physical-AI risk (issue 14)."""
    deepseek = [r for r in records if r["actor"]["id"] == "deepseek"]
    categories = {c for r in deepseek for risk in r["risks"] for c in risk["categories"]}
    assert categories == (set(CATEGORIES) - {"PhysicalAIProductRisk"}) | {"BaselineLegalRisk"}


def test_the_korean_suspension_is_ended_since_it_was_lifted(records):
    from kg.pipeline.exposures import select

    suspension = "kr-pipc-deepseek-download-suspension-2025"
    current = select(records, actor="deepseek", statuses=("current",))
    assert suspension not in {r["source"]["id"] for r in current}
    ended = select(records, actor="deepseek", statuses=("ended",))
    (lifted,) = [r for r in ended if r["source"]["id"] == suspension]
    assert lifted["valid_until"] == "2025-04-28"


def test_example_profiles_have_exposure_paths(records):
    by_actor = {r["actor"]["id"] for r in records}
    assert {"example-openweights-lab", "example-robotics-co", "example-ai-startup"} <= by_actor
    suppliers = {r["actor"]["id"] for r in records if r["kind"] == "ValueChainExposure"}
    assert "example-sensor-maker" in suppliers


def test_reference_reasoner_agrees_on_the_shipped_data(repo_project, records):
    assert check(repo_project, reasoner="owlrl").records == records


def test_a_home_robot_makers_personal_data_exposure_counts_as_physical_ai(records):
    from kg.pipeline.exposures import select

    robot = select(records, actor="example-robotics-co", risk="PhysicalAIProductRisk")
    gdpr = [r for r in robot if r["source"]["id"] == "eu-gdpr"]
    assert gdpr and gdpr[0]["activity"]["id"] == "example-home-robot-de-personal-data"
    personal = [risk for risk in gdpr[0]["risks"]
                if risk["id"] == "PersonalInformationProtectionRisk"]
    assert personal[0]["categories"] == ["BaselineLegalRisk", "PhysicalAIProductRisk"]
