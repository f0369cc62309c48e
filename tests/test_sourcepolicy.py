"""The source policy: tiers of cited URLs, links built from identifiers, shares in kg stats."""

from __future__ import annotations

import pytest

from kg.core.project import Project
from kg.pipeline.load import load, load_ontology
from kg.pipeline.sourcepolicy import SourcePolicy
from kg.views.stats import compute
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg


@pytest.fixture(scope="session")
def policy() -> SourcePolicy:
    return SourcePolicy.from_graph(load_ontology(Project(REPO)))


@pytest.mark.parametrize(("url", "tier"), [
    ("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32016R0679", "official"),
    ("http://data.europa.eu/eli/reg/2024/1689/oj", "official"),
    ("https://oag.ca.gov/news", "official"),                      # any .gov host
    ("https://www.legislation.gov.uk/ukpga/2022/46", "official"),  # a parent domain covers it
    ("https://www.reuters.com/technology/x", "reputable"),
    ("https://artificialintelligenceact.eu/article/5/", "unofficial copy"),
    ("https://en.wikipedia.org/wiki/Texas", "unofficial copy"),
    ("http://51haodu.com/t/Q1lISn", "deny"),
    ("https://raw.githubusercontent.com/x/y/main/skill.md", "deny"),
    ("https://staging.globalbankingandfinance.com/a", "deny"),     # a host below a domain
    ("https://ff-fieldfishercom-uat-web.azurewebsites.net/x", "deny"),  # a URL pattern
    ("https://www.chinaiplawyer.com/tag/deepseek/", "deny"),       # tag pages only
    ("https://no-such-host.example/a", "unclassified"),
    ("Garante, provvedimento n. 10098477", "citation"),
])
def test_each_cited_url_gets_its_tier(policy, url, tier):
    assert policy.tier(url) == tier


@pytest.mark.parametrize(("identifier", "link"), [
    ("Regulation (EU) 2016/679", "http://data.europa.eu/eli/reg/2016/679/oj"),
    ("Commission Implementing Regulation (EU) 2024/1866",
     "http://data.europa.eu/eli/reg/2024/1866/oj"),
    ("Regulation (EC) No 765/2008", "http://data.europa.eu/eli/reg/2008/765/oj"),
    ("Directive (EU) 2024/2853", "http://data.europa.eu/eli/dir/2024/2853/oj"),
    ("Directive 2001/95/EC", "http://data.europa.eu/eli/dir/2001/95/oj"),
    ("COM(2025) 836", "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52025PC0836"),
    ("31 CFR Part 850; FR Doc 2024-25422", "https://www.ecfr.gov/current/title-31/part-850"),
    ("31 CFR Part 850; FR Doc 2024-25422", "https://www.federalregister.gov/d/2024-25422"),
    ("S. 321 (119th Congress)", "https://www.congress.gov/bill/119th-congress/senate-bill/321"),
    ("H.R. 1121, 119th Congress", "https://www.congress.gov/bill/119th-congress/house-bill/1121"),
    ("Product Security and Telecommunications Infrastructure Act 2022 (c. 46)",
     "https://www.legislation.gov.uk/ukpga/2022/46"),
    ("S.I. 2023/1007", "https://www.legislation.gov.uk/uksi/2023/1007"),
])
def test_an_identifier_gives_its_official_link(policy, identifier, link):
    assert link in [found for _pattern, found in policy.official_links(identifier)]


def test_a_reference_without_a_public_pattern_gives_no_link(policy):
    assert policy.official_links("国家互联网信息办公室令第16号") == []
    assert policy.official_links("PIPA; PIPC corrective recommendation") == []


def test_source_check_prints_tiers_and_links(capsys):
    run = run_kg(capsys, REPO, "source-check", "Regulation (EU) 2024/1689",
                 "https://www.reuters.com/x")
    assert run.code == 0, run.err
    assert "http://data.europa.eu/eli/reg/2024/1689/oj" in run.out
    assert "https://www.reuters.com/x\treputable" in run.out
    run = run_kg(capsys, REPO, "source-check", "https://no-such-host.example/a")
    assert run.code == 1 and "unclassified" in run.out


def test_stats_give_the_sourcing_shares(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    loaded = load(project)
    figures = compute(loaded.table(), SourcePolicy.from_graph(loaded.ontology))["sourcing"]
    # the fixture: 10 instruments, 6 with an official text on an official host (three EU
    # acts, the Italian code, the Treasury rule, the House bill), 4 saying why they have none
    assert figures["instruments"] == 10
    assert figures["instruments_with_official_text"] == 6
    assert figures["instruments_without_official_text_with_reason"] == 4
    assert figures["instruments_without_official_text_or_reason"] == 0
    assert figures["deny_tier_citations"] == 0
    assert figures["statuses_without_confirmation"] == 0
    assert figures["share_events_with_official_or_reputable_source"] == 1.0
