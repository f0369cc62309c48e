"""Exposure periods, home and foreign actors, the direction of data transfers and the
worldwide scope (issue 14, items 2-4), on the hand-checked mini world plus the records below."""

from __future__ import annotations

import pytest

from kg.pipeline.build import check
from kg.pipeline.exposures import select
from kg.views.explain import render as explain
from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg

# Added to the mini world: actors with founding dates, rules of China with a foreign- and a
# domestic-scoped provision, an outbound-data rule, a German data-import rule, a US rule on
# open weights, an EU rule on services and an international forum.
EXTRA = """curated: 2026-11-28
records:
  - id: international
    a: InternationalArena
    label: {en: International arena, zh: 多边国际场合}
    evidence: https://www.itu.int/
  - id: old-lab
    a: Company
    label: {en: Old Lab (illustrative)}
    illustrative: true
    headquarteredIn: cn
    foundedOn: 2020-06-15
    evidence: https://example.org/old
  - id: old-processing-in-de
    a: ProcessingPersonalData
    label: {en: Old Lab processes personal data in Germany (illustrative)}
    illustrative: true
    performedBy: old-lab
    inJurisdiction: de
    fromJurisdiction: cn
    endDate: 2024-01-01
    evidence: https://example.org/old
  - id: young-lab
    a: Company
    label: {en: Young Lab (illustrative)}
    illustrative: true
    headquarteredIn: cn
    foundedInYear: 2023
    manufactures: young-bot
    evidence: https://example.org/young
  - id: young-bot
    a: Robot
    label: {en: Young Bot (illustrative)}
    illustrative: true
    evidence: https://example.org/young
  - id: parts-co
    a: Company
    label: {en: Parts Co (illustrative)}
    illustrative: true
    headquarteredIn: us
    suppliesHardwareFor: young-bot
    evidence: https://example.org/parts
  - id: eu-parts-co
    a: Company
    label: {en: EU Parts Co (illustrative)}
    illustrative: true
    headquarteredIn: de
    suppliesSoftwareFor: young-bot
    evidence: https://example.org/parts
  - id: young-processing-in-de
    a: ProcessingPersonalData
    label: {en: Young Lab processes personal data in Germany (illustrative)}
    illustrative: true
    performedBy: young-lab
    inJurisdiction: de
    fromJurisdiction: cn
    evidence: https://example.org/young
  - id: young-bot-in-de
    a: PlacingProductOnMarket
    label: {en: Young Bot sold in Germany (illustrative)}
    illustrative: true
    performedBy: young-lab
    concernsArtefact: young-bot
    inJurisdiction: de
    fromJurisdiction: cn
    evidence: https://example.org/young
  - id: home-processing-in-cn
    a: ProcessingPersonalData
    label: {en: "Young Lab processes data in China, said to act from Germany (illustrative)"}
    illustrative: true
    performedBy: young-lab
    inJurisdiction: cn
    fromJurisdiction: de
    startDate: 2024-02-01
    evidence: https://example.org/young
  - id: rival-processing-in-cn
    a: ProcessingPersonalData
    label: {en: Rival Co processes personal data in China from the US (illustrative)}
    illustrative: true
    performedBy: rival-co
    inJurisdiction: cn
    fromJurisdiction: us
    evidence: https://example.org/rival
  - id: mini-old-liability-law
    a: Legislation
    label: {en: Mini old liability law}
    jurisdiction: eu
    issuedBy: eu-legislature
    governsActivity: PlacingProductOnMarket
    raisesRisk: ProductLiabilityRisk
    hasExtraterritorialReach: true
    extendsLiabilityToSuppliers: true
    status: InForce
    issuedOn: 1985-07-25
    inForceFrom: 1988-07-30
    officialText: http://data.europa.eu/eli/dir/1985/374/oj
    evidence: https://eur-lex.europa.eu/eli/dir/1985/374/oj
    statusConfirmedOn: 2026-11-28
    statusSource: https://eur-lex.europa.eu/eli/dir/1985/374/oj
  - id: mini-eu-importer-rule
    a: ExecutiveRule
    label: {en: Mini EU liability rule for makers and suppliers from outside the EU}
    jurisdiction: eu
    governsActivity: PlacingProductOnMarket
    raisesRisk: ProductLiabilityRisk
    hasExtraterritorialReach: true
    extendsLiabilityToSuppliers: true
    appliesToActorsFrom: foreign
    status: InForce
    issuedOn: 2024-01-01
    inForceFrom: 2024-06-01
    officialText: http://data.europa.eu/eli/reg/2023/988/oj
    evidence: https://eur-lex.europa.eu/eli/reg/2023/988/oj
    statusConfirmedOn: 2026-11-28
    statusSource: https://eur-lex.europa.eu/eli/reg/2023/988/oj
  - id: mini-eu-domestic-supplier-rule
    a: ExecutiveRule
    label: {en: Mini EU liability rule for makers and suppliers established in the EU}
    jurisdiction: eu
    governsActivity: PlacingProductOnMarket
    raisesRisk: ProductLiabilityRisk
    hasExtraterritorialReach: true
    extendsLiabilityToSuppliers: true
    appliesToActorsFrom: domestic
    status: InForce
    issuedOn: 2024-01-01
    inForceFrom: 2024-06-01
    officialText: http://data.europa.eu/eli/reg/2023/988/oj
    evidence: https://eur-lex.europa.eu/eli/reg/2023/988/oj
    statusConfirmedOn: 2026-11-28
    statusSource: https://eur-lex.europa.eu/eli/reg/2023/988/oj
  - id: mini-cn-data-law
    a: Legislation
    label: {en: Mini Chinese personal-information law}
    jurisdiction: cn
    governsActivity: ProcessingPersonalData
    raisesRisk: PersonalInformationProtectionRisk
    hasExtraterritorialReach: true
    status: InForce
    issuedOn: 2021-08-20
    inForceFrom: 2021-11-01
    officialText: https://www.gov.cn/mini-pipl
    evidence: https://www.gov.cn/mini-pipl
    statusConfirmedOn: 2026-11-28
    statusSource: https://www.gov.cn/mini-pipl
  - id: mini-cn-data-law-representative
    a: Provision
    label: {en: Mini Chinese law - foreign processors designate a representative}
    partOf: mini-cn-data-law
    governsActivity: ProcessingPersonalData
    appliesToActorsFrom: foreign
    raisesRisk: LongArmJurisdictionRisk
    appliesFrom: 2021-11-01
    evidence: https://www.gov.cn/mini-pipl
  - id: mini-cn-filing-rule
    a: ExecutiveRule
    label: {en: Mini Chinese filing rule for domestic processors}
    jurisdiction: cn
    governsActivity: ProcessingPersonalData
    appliesToActorsFrom: domestic
    raisesRisk: DataSecurityRisk
    hasExtraterritorialReach: true
    status: InForce
    issuedOn: 2022-01-01
    inForceFrom: 2022-03-01
    officialText: https://www.gov.cn/mini-filing
    evidence: https://www.gov.cn/mini-filing
    statusConfirmedOn: 2026-11-28
    statusSource: https://www.gov.cn/mini-filing
  - id: mini-cn-filing-rule-annex
    a: Provision
    label: {en: Mini Chinese filing rule - annex}
    partOf: mini-cn-filing-rule
    governsActivity: ProcessingPersonalData
    raisesRisk: DataSecurityRisk
    appliesFrom: 2022-03-01
    evidence: https://www.gov.cn/mini-filing
  - id: mini-cn-outbound-rule
    a: ExecutiveRule
    label: {en: Mini Chinese outbound-data assessment measures}
    jurisdiction: cn
    governsActivity: TransferringDataAcrossBorder
    raisesRisk: CrossBorderDataRisk
    status: InForce
    issuedOn: 2022-07-07
    inForceFrom: 2022-09-01
    officialText: https://www.gov.cn/mini-outbound
    evidence: https://www.gov.cn/mini-outbound
    statusConfirmedOn: 2026-11-28
    statusSource: https://www.gov.cn/mini-outbound
  - id: mini-de-import-rule
    a: ExecutiveRule
    label: {en: Mini German rule on holding imported personal data}
    jurisdiction: de
    governsActivity: ReceivingTransferredData
    raisesRisk: CrossBorderDataRisk
    status: InForce
    issuedOn: 2020-01-01
    inForceFrom: 2020-02-01
    officialText: https://www.bund.de/mini-import
    evidence: https://www.bund.de/mini-import
    statusConfirmedOn: 2026-11-28
    statusSource: https://www.bund.de/mini-import
  - id: mini-us-weights-rule
    a: ExecutiveRule
    label: {en: Mini US rule on publishing model weights}
    jurisdiction: us
    governsActivity: PublishingOpenWeights
    raisesRisk: ExportControlRisk
    hasExtraterritorialReach: true
    status: InForce
    issuedOn: 2025-01-15
    inForceFrom: 2025-03-01
    officialText: https://www.federalregister.gov/d/mini-weights
    evidence: https://www.federalregister.gov/d/mini-weights
    statusConfirmedOn: 2026-11-28
    statusSource: https://www.federalregister.gov/d/mini-weights
  - id: mini-eu-service-rule
    a: ExecutiveRule
    label: {en: Mini EU rule on online services}
    jurisdiction: eu
    governsActivity: OfferingService
    raisesRisk: NewLegislationRisk
    hasExtraterritorialReach: true
    status: InForce
    issuedOn: 2024-01-01
    inForceFrom: 2024-02-17
    officialText: http://data.europa.eu/eli/reg/2022/2065/oj
    evidence: https://eur-lex.europa.eu/eli/reg/2022/2065/oj
    statusConfirmedOn: 2026-11-28
    statusSource: https://eur-lex.europa.eu/eli/reg/2022/2065/oj
"""


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("periods"), [FIXTURES / "mini"],
                        {"periods.yaml": EXTRA})


@pytest.fixture(scope="session")
def records(world):
    return check(world).records


def find(records, actor: str, source: str, via: str | None = None) -> list[dict]:
    return [r for r in records if r["actor"]["id"] == actor
            and source in (r["source"]["id"], (r["provision"] or {}).get("id"))
            and (via is None or (r["activity"] or {}).get("id") == via)]


def one(records, actor: str, source: str, via: str | None = None) -> dict:
    (record,) = [r for r in find(records, actor, source, via)
                 if source == ((r["provision"] or {}).get("id") or r["source"]["id"])]
    return record


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(("actor", "source", "via", "valid_from", "basis", "valid_until"), [
    # the activity's start is unknown: the founding day bounds it
    ("old-lab", "mini-gdpr", "old-processing-in-de", "2020-06-15", "actor founded",
     "2024-01-01"),
    # only the founding year is known: from 1 January of that year
    ("young-lab", "mini-gdpr", "young-processing-in-de", "2023-01-01", "actor founded", None),
    ("young-lab", "mini-old-liability-law", "young-bot-in-de", "2023-01-01",
     "actor founded", None),
    # the instrument applies later than the actor was founded
    ("young-lab", "mini-pld", "young-bot-in-de", "2026-12-09", "instrument", None),
    # a known start decides, whatever the founding
    ("young-lab", "mini-cn-data-law", "home-processing-in-cn", "2024-02-01",
     "activity start", None),
    ("robo-co", "mini-old-liability-law", "robo-1-in-germany", "2026-01-01",
     "activity start", None),
    # no start and no founding: the instrument's date, as before
    ("acme-lab", "mini-gdpr", "acme-processing-in-de", "2018-05-25", "instrument", None),
    # liability up the value chain: the maker's founding bounds the maker's activity
    ("parts-co", "mini-old-liability-law", "young-bot-in-de", "2023-01-01", "maker founded",
     None),
])
def test_an_exposure_holds_from_the_later_of_instrument_and_activity(
        records, actor, source, via, valid_from, basis, valid_until):
    record = one(records, actor, source, via)
    assert (record["valid_from"], record["valid_from_basis"], record["valid_until"]) == (
        valid_from, basis, valid_until)


def test_targeted_measures_and_pending_sources_keep_their_own_dates(records):
    order = one(records, "acme-lab", "mini-it-order")
    assert (order["valid_from"], order["valid_from_basis"]) == ("2025-01-30", "instrument")
    bill = one(records, "acme-lab", "mini-app-bill")
    assert (bill["valid_from"], bill["valid_from_basis"]) == (None, None)


def test_no_exposure_starts_before_its_actor_was_founded(records):
    founded = {"old-lab": "2020-06-15", "young-lab": "2023-01-01"}
    for record in records:
        if record["actor"]["id"] in founded and record["valid_from"]:
            assert record["valid_from"] >= founded[record["actor"]["id"]], record["id"]


def test_both_reasoners_give_the_same_periods_and_scopes(world, records):
    assert check(world, reasoner="owlrl").records == records


def test_explain_says_which_bound_applied(records):
    import datetime as dt

    chosen = select(records, actor="young-lab", source="mini-gdpr", as_of=dt.date(2026, 1, 1))
    text = explain(chosen)
    assert text.startswith("[1] ExtraterritorialExposure — current from 2023-01-01 (the actor "
                           "was founded in 2023; the activity's start is unknown)\n")
    assert "Young Lab (illustrative)  [Company, ProductManufacturer; founded 2023; " \
           "ILLUSTRATIVE]" in text
    chain = select(records, actor="parts-co", source="mini-old-liability-law",
                   as_of=dt.date(2026, 1, 1))
    assert "current from 2023-01-01 (the product's maker was founded; its activity's start " \
           "is unknown)" in explain(chain)


def test_a_founding_year_or_date_that_is_not_one_is_reported(tmp_path, capsys):
    bad = EXTRA.replace("foundedInYear: 2023", "foundedInYear: 23").replace(
        "foundedOn: 2020-06-15", "foundedOn: 2020-13-15")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"periods.yaml": bad})
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 1
    assert "foundedInYear: '23' is not a year" in result.err and "write the year as YYYY" \
        in result.err
    assert "foundedOn: '2020-13-15' is not a real date" in result.err


# --------------------------------------------------------------------------- home and abroad


def test_a_home_rule_never_reaches_its_own_company_extraterritorially(records):
    # the activity claims to act from Germany, but Young Lab is headquartered in China
    record = one(records, "young-lab", "mini-cn-data-law", "home-processing-in-cn")
    assert record["kind"] == "MarketExposure" and record["home"] is True
    assert not [r for r in records if r["actor"]["id"] == "young-lab"
                and r["source_jurisdiction"] == "cn" and r["kind"] != "MarketExposure"]


def test_explain_marks_home_rules(records):
    import datetime as dt

    text = explain(select(records, actor="young-lab", source="mini-cn-data-law",
                          as_of=dt.date(2026, 1, 1)))
    assert text.startswith("[1] MarketExposure (home rule) — current from 2024-02-01 (the "
                           "activity started)\n")
    foreign = explain(select(records, actor="rival-co", source="mini-cn-data-law",
                             as_of=dt.date(2026, 1, 1)))
    assert "home rule" not in foreign and foreign.startswith("[1] ExtraterritorialExposure — ")


def test_a_foreign_company_is_reached_from_abroad(records):
    record = one(records, "rival-co", "mini-cn-data-law", "rival-processing-in-cn")
    assert record["kind"] == "ExtraterritorialExposure" and record["home"] is False


def test_provisions_for_foreign_actors_reach_only_foreign_actors(records):
    assert one(records, "rival-co", "mini-cn-data-law-representative")["kind"] == \
        "ExtraterritorialExposure"
    assert not find(records, "young-lab", "mini-cn-data-law-representative")


def test_rules_for_domestic_actors_reach_only_domestic_actors(records):
    assert one(records, "young-lab", "mini-cn-filing-rule")["kind"] == "MarketExposure"
    assert not find(records, "rival-co", "mini-cn-filing-rule")
    # a provision without its own scope takes its instrument's
    assert one(records, "young-lab", "mini-cn-filing-rule-annex")["home"] is True
    assert not find(records, "rival-co", "mini-cn-filing-rule-annex")


def test_supplier_liability_follows_the_suppliers_home(records):
    # one supplier is headquartered in Germany; every other maker and supplier outside the EU
    reached = {(r["actor"]["id"], r["kind"]) for r in records
               if r["source"]["id"] == "mini-eu-importer-rule"}
    assert reached == {("young-lab", "ExtraterritorialExposure"),
                       ("robo-co", "ExtraterritorialExposure"),
                       ("parts-co", "ValueChainExposure"), ("chip-co", "ValueChainExposure"),
                       ("data-co", "ValueChainExposure")}
    assert {(r["actor"]["id"], r["kind"]) for r in records
            if r["source"]["id"] == "mini-eu-domestic-supplier-rule"} == {
        ("eu-parts-co", "ValueChainExposure")}


def test_an_actor_scope_other_than_foreign_or_domestic_is_refused(tmp_path, capsys):
    bad = EXTRA.replace("appliesToActorsFrom: foreign", "appliesToActorsFrom: abroad")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"periods.yaml": bad})
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 1
    assert "The key `appliesToActorsFrom` takes one value: `foreign`" in result.err


# --------------------------------------------------------------------------- screening


@pytest.fixture
def screening(world):
    def run(capsys, text: str, *args: str):
        (world.root / "profile.yaml").write_text(text, "utf-8")
        return run_kg(capsys, world.root, "screen", "profile.yaml", "--as-of", "2026-01-01",
                      *args)
    return run


def screened(world, text: str):
    import datetime as dt

    from kg.cases.screen import screen

    path = world.root / "profile.yaml"
    path.write_text(text, "utf-8")
    return screen(world, path, "profile.yaml", dt.date(2026, 1, 1))


def by_source(result) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for record in result.exposures[result.company]:
        out.setdefault((record["provision"] or record["source"])["id"], []).append(record)
    return out


FLOW = """company: {name: "Flow Co", headquartered: cn, founded: 2024-05-01}
transfers-data:
  - {from: cn, to: de}
"""


def test_data_leaving_china_meets_chinas_outbound_rules_as_home_rules(world):
    found = by_source(screened(world, FLOW))
    (outbound,) = found["mini-cn-outbound-rule"]
    assert outbound["kind"] == "MarketExposure" and outbound["home"] is True
    assert outbound["activity"]["id"] == "screen-flow-co-transfer-data-cn-to-de"
    assert (outbound["valid_from"], outbound["valid_from_basis"]) == ("2024-05-01",
                                                                      "actor founded")
    (law,) = found["mini-cn-data-law"]
    assert law["kind"] == "MarketExposure" and law["home"] is True
    assert "mini-cn-data-law-representative" not in found  # for foreign processors only
    # the data arrives in Germany: its import rule, as a rule of the place
    (arrival,) = found["mini-de-import-rule"]
    assert arrival["kind"] == "MarketExposure" and arrival["home"] is False
    assert arrival["activity"]["id"] == "screen-flow-co-receive-data-de-from-cn"
    assert "mini-gdpr" not in found


def test_no_rule_of_china_is_extraterritorial_for_a_company_in_china(world):
    result = screened(world, FLOW.replace("from: cn, to: de", "from: de, to: cn"))
    found = by_source(result)
    assert found["mini-gdpr"][0]["kind"] == "ExtraterritorialExposure"
    assert "mini-cn-outbound-rule" not in found  # the data leaves Germany, not China
    assert not [r for rs in found.values() for r in rs
                if r["source_jurisdiction"] == "cn" and r["kind"] != "MarketExposure"]


def test_the_report_calls_them_home_rules(capsys, world, screening):
    result = screening(capsys, FLOW)
    assert result.code == 0, result.err
    assert "Flow Co transfers personal data from cn to de" in result.out
    assert "Flow Co receives personal data from cn in de" in result.out
    # the rule that joined them heads the instrument × activity entry, its paths under it
    assert ("→ in China · home rule\n      [4] current from 2024-05-01 (company founded) — "
            in result.out)
    assert "extraterritorial reach" not in result.out
    chinese = screening(capsys, FLOW, "--lang", "zh")
    assert "本国规则" in chinese.out


WEIGHTS = """company: {name: "Open Co", headquartered: cn}
builds:
  - {kind: open-weight-model, name: "Open-1"}
  - {kind: app, name: "Open Chat", based-on: "Open-1"}
publishes-open-weights-in: [worldwide]
"""


def test_worldwide_weights_reach_every_jurisdiction_with_a_rule_for_them(world):
    result = screened(world, WEIGHTS)
    assert "Open Co publishes the weights of Open-1 worldwide: in eu, us (the 2 " \
           "jurisdiction(s) of the graph with a rule for it)" in [
               s["en"] for s in result.statements]
    found = by_source(result)
    assert {r["activity"]["id"] for r in found["mini-ai-act-gpai"]} == {
        "screen-open-co-publish-open-weights-eu-open-1"}
    assert {r["activity"]["id"] for r in found["mini-us-weights-rule"]} == {
        "screen-open-co-publish-open-weights-us-open-1"}
    assert not result.warnings


def test_worldwide_services_meet_a_union_rule_once(world):
    text = WEIGHTS.replace("publishes-open-weights-in: [worldwide]",
                           "markets:\n  - {jurisdiction: worldwide, does: [offer-service]}")
    result = screened(world, text)
    assert "Open Co offers Open Chat worldwide: in eu, it (the 2 jurisdiction(s) of the graph " \
           "with a rule for it)" in [s["en"] for s in result.statements]
    # the activity in Italy also lies within the EU; the EU rule is shown once, on the EU's own
    (record,) = by_source(result)["mini-eu-service-rule"]
    assert record["jurisdiction"] == "eu"


def test_a_profile_line_of_its_own_wins_over_worldwide(world):
    text = WEIGHTS.replace("[worldwide]", "[worldwide]\nmarkets:\n"
                           "  - {jurisdiction: us, does: [publish-open-weights], "
                           "since: 2025-06-01}")
    (record,) = by_source(screened(world, text))["mini-us-weights-rule"]
    assert (record["valid_from"], record["valid_from_basis"]) == ("2025-06-01",
                                                                  "activity start")


@pytest.mark.parametrize(("change", "line", "message"), [
    (("publishes-open-weights-in: [worldwide]",
      "markets:\n  - {jurisdiction: worldwide, does: [sell-product]}"), 6,
     "profile.yaml:6: jurisdiction: sell-product cannot be worldwide (profile-worldwide)"),
    (("publishes-open-weights-in: [worldwide]",
      "transfers-data:\n  - {from: cn, to: worldwide}"), 6,
     "profile.yaml:6: to: must be one jurisdiction, not worldwide (profile-worldwide)"),
    (("headquartered: cn", "headquartered: worldwide"), 1,
     "profile.yaml:1: company.headquartered: a company is headquartered in one jurisdiction"),
])
def test_worldwide_only_where_it_means_something(capsys, world, screening, change, line,
                                                  message):
    result = screening(capsys, WEIGHTS.replace(*change))
    assert result.code == 1
    assert message in result.err


def test_a_scope_that_matches_nothing_is_a_warning_at_its_line(capsys, world, screening):
    text = WEIGHTS.replace("publishes-open-weights-in: [worldwide]",
                           "markets:\n  - {jurisdiction: international, does: [offer-service]}")
    result = screening(capsys, text)
    assert result.code == 0
    expected = ("profile.yaml:6: warning: jurisdiction 'international': no rule in the graph "
                "governs OfferingService in international or a jurisdiction containing it, so "
                "\"Open Co offers Open Chat in international\" matches nothing "
                "(profile-scope-unmatched)")
    assert expected in result.err
    assert "'international' is a multilateral forum, not a market: for a release or service " \
           "offered everywhere, write `worldwide`" in result.err
    assert "Warnings:" in result.out and expected in result.out
    markdown = screening(capsys, text, "--format", "md")
    assert "## Warnings" in markdown.out


def test_worldwide_becomes_the_jurisdictions_with_a_rule(world):
    text = WEIGHTS.replace("publishes-open-weights-in: [worldwide]",
                           "markets:\n  - {jurisdiction: worldwide, does: [distribute-app]}")
    result = screened(world, text)
    # DistributingApp is governed in the US (mini-app-bill), and as a kind of OfferingService
    # in the EU and Italy
    assert "Open Co distributes Open Chat as an app worldwide: in eu, it, us (the 3 " \
           "jurisdiction(s) of the graph with a rule for it)" in [
               s["en"] for s in result.statements]


def test_worldwide_with_no_rule_anywhere_is_a_warning(capsys, tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    sources = project.data_dir / "sources.yaml"
    sources.write_text(sources.read_text("utf-8").replace(
        "governsActivity: DistributingApp", "governsActivity: RaisingCapital").replace(
        "governsActivity: OfferingService", "governsActivity: RaisingCapital"), "utf-8")
    (project.root / "profile.yaml").write_text(WEIGHTS.replace(
        "publishes-open-weights-in: [worldwide]",
        "markets:\n  - {jurisdiction: worldwide, does: [distribute-app]}\n"
        "  - {jurisdiction: eu, does: [process-personal-data]}"), "utf-8")
    result = run_kg(capsys, project.root, "screen", "profile.yaml")
    assert result.code == 0, result.err
    assert "profile.yaml:6: warning: jurisdiction: distribute-app worldwide matches nothing: " \
           "no jurisdiction in the graph has a rule for DistributingApp" in result.err
    assert "this is not a clearance" in result.err


# --------------------------------------------------------------------------- the shipped data


def test_deepseek_is_not_exposed_to_the_gdpr_before_it_existed(repo_build):
    gdpr = [r for r in repo_build.exposures
            if r["actor"]["id"] == "deepseek" and r["source"]["id"] == "eu-gdpr"]
    assert gdpr
    for record in gdpr:
        # no page gives the day DeepSeek began serving EU users; it was founded in 2023
        assert record["valid_from"] >= "2023-01-01", record["id"]
        assert record["valid_from_basis"] in ("actor founded", "activity start")


def test_a_company_in_china_exporting_data_meets_chinas_outbound_rules(tmp_path):
    import datetime as dt

    from kg.cases.screen import screen
    from kg.core.project import Project
    from tests.conftest import REPO

    profile = tmp_path / "profile.yaml"
    profile.write_text(FLOW, "utf-8")
    result = screen(Project(REPO), profile, "profile.yaml", dt.date(2026, 12, 1))
    found = by_source(result)
    for rule in ("cn-cac-outbound-data-security-assessment",
                 "cn-cac-cross-border-data-flow-provisions"):
        assert {(r["kind"], r["home"]) for r in found[rule]} == {("MarketExposure", True)}
    assert {r["kind"] for r in found["cn-pipl"]} == {"MarketExposure"}
    assert "cn-pipl-foreign-processor-representative" not in found
    assert not [r for rs in found.values() for r in rs
                if r["source_jurisdiction"] == "cn" and r["kind"] == "ExtraterritorialExposure"]
