"""`kg explain`'s text (kg/views/explain.py ``render``), on hand-made exposure records."""

from __future__ import annotations

import copy

from kg.cases.precedents import Precedent
from kg.views.explain import render, render_precedents, source_line

LAW = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
NEWS = "https://www.reuters.com/technology/a-story"
BLOG = "https://blog.example.org/post"


def step(role: str, id_: str, en: str, zh: str | None = None, **extra) -> dict:
    label = {"en": en} | ({"zh": zh} if zh else {})
    return {"role": role, "id": id_, "label": label, "sources": [], **extra}


MARKET = {
    "kind": "MarketExposure",
    "status": "current",
    "valid_from": "2025-02-02",
    "valid_from_basis": "instrument",
    "rule": "market-exposure",
    "rule_title": "Actors active in a market meet its rules",
    "path": [
        step("actor", "acme", "Acme Lab", "阿克米", type="Company", founded_year=2019),
        step("activity", "acme-offers", "Acme offers chat", start="2023-05-01"),
        step("jurisdiction", "eu", "European Union", "欧盟"),
        step("source", "eu-ai-act", "EU AI Act", "欧盟人工智能法", type="Regulation",
             status="InForce", identifier="2024/1689", effective_from="2024-08-01",
             issued="2024-06-13", sources=[LAW, NEWS, BLOG],
             source_tiers={LAW: "official text", NEWS: "reputable"}),
        step("risk", "ProhibitedPracticeRisk", "Prohibited practice risk",
             categories=["ComplianceRisk", "MarketAccessRisk"]),
    ],
}


def test_a_market_exposure_step_by_step():
    assert render([MARKET]) == "\n".join([
        "[1] MarketExposure — current from 2025-02-02 (the instrument applies)",
        "    rule: market-exposure (Actors active in a market meet its rules)",
        "    Acme Lab  [Company; founded 2019]",
        "      └─ performs → Acme offers chat  [from 2023-05-01]",
        "      └─ in → European Union",
        "      └─ is governed by → EU AI Act  [Regulation; InForce; 2024/1689; "
        "effective 2024-08-01]",
        f"           official text: {LAW}",
        f"           source [reputable]: {NEWS}",
        f"           source: {BLOG}",
        "      └─ raises → Prohibited practice risk",
        "           category: ComplianceRisk, MarketAccessRisk",
        "",
    ])


def test_chinese_words_and_labels_with_english_then_id_as_fallback():
    record = copy.deepcopy(MARKET)
    record["path"][2]["label"] = {}
    text = render([record], "zh")
    lines = text.splitlines()
    assert lines[0] == "[1] MarketExposure — 当前适用 自 2025-02-02 (文件开始适用)"
    assert lines[2] == "    阿克米  [Company; 成立 2019]"
    assert lines[3] == "      └─ 从事 → Acme offers chat  [自 2023-05-01]"  # no zh label
    assert lines[4] == "      └─ 位于 → eu"  # no label at all: the id
    assert lines[5].startswith("      └─ 受其约束 → 欧盟人工智能法  [")
    assert lines[6] == f"           官方文本: {LAW}"
    assert lines[7] == f"           来源 [可信]: {NEWS}"
    assert lines[8] == f"           来源: {BLOG}"
    assert lines[9] == "      └─ 引发风险 → Prohibited practice risk"


def test_records_are_numbered_and_separated_by_a_blank_line():
    ended = copy.deepcopy(MARKET) | {"status": "ended", "valid_until": "2025-12-31"}
    lines = render([MARKET, ended]).split("\n")
    heads = [line for line in lines if line.startswith("[")]
    assert heads == [
        "[1] MarketExposure — current from 2025-02-02 (the instrument applies)",
        "[2] MarketExposure — ended from 2025-02-02 (the instrument applies) until 2025-12-31"]
    assert lines[11] == "" and lines[12].startswith("[2]")


def test_no_records_render_as_nothing():
    assert render([]) == ""


def test_home_rule_is_marked_only_on_market_exposures():
    home = MARKET | {"home": True}
    assert render([home]).startswith("[1] MarketExposure (home rule) — current")
    assert render([home], "zh").startswith("[1] MarketExposure (本国规则) — 当前适用")
    other = home | {"kind": "TargetedMeasureExposure"}
    assert render([other]).startswith("[1] TargetedMeasureExposure — current")


def test_the_basis_of_the_start_date_names_the_founding_year():
    record = MARKET | {"valid_from": "2019-01-01", "valid_from_basis": "actor founded"}
    assert render([record]).splitlines()[0] == (
        "[1] MarketExposure — current from 2019-01-01 (the actor was founded in 2019; the "
        "activity's start is unknown)")
    assert render([record], "zh").splitlines()[0] == (
        "[1] MarketExposure — 当前适用 自 2019-01-01 (行为者成立于 2019；活动开始日期不明)")
    unknown = copy.deepcopy(record)
    del unknown["path"][0]["founded_year"]
    assert render([unknown]).splitlines()[0] == (
        "[1] MarketExposure — current from 2019-01-01 (the actor was founded; the activity's "
        "start is unknown)")


def test_no_start_date_means_no_basis_and_an_unknown_basis_is_not_shown():
    bare = MARKET | {"valid_from": None, "status": "pending"}
    assert render([bare]).splitlines()[0] == (
        "[1] MarketExposure — pending (not adopted or no date yet)")
    odd = MARKET | {"valid_from_basis": "something new"}
    assert render([odd]).splitlines()[0] == "[1] MarketExposure — current from 2025-02-02"


def test_targeted_measures_and_allegations_name_the_actor():
    measure = {
        "kind": "TargetedMeasureExposure", "status": "ended", "rule": "targeted",
        "path": [step("actor", "acme", "Acme Lab"), None,
                 step("source", "ban", "Device ban", issued="2025-01-30",
                      effective_until="2025-06-30", illustrative=True)],
    }
    assert render([measure]).splitlines() == [
        "[1] TargetedMeasureExposure — ended",
        "    rule: targeted ()",
        "    Acme Lab",
        "      └─ is named by → Device ban  [issued 2025-01-30; until 2025-06-30; ILLUSTRATIVE]",
    ]
    alleged = measure | {"kind": "AllegationExposure"}
    assert "      └─ is accused in → Device ban" in render([alleged], "en")
    assert "      └─ 被指控于 → Device ban" in render([alleged], "zh")


def test_value_chain_activity_and_unknown_roles():
    record = {
        "kind": "ValueChainExposure", "status": "upcoming", "rule": "chain",
        "rule_title": "Suppliers", "valid_from": "2026-08-02",
        "path": [step("actor", "maker", "Maker", founded="2001-03-04"),
                 step("supplied-product", "robo", "Robo 1"),
                 step("activity", "sell", "Selling Robo 1"),
                 step("made-up-role", "x", "X")],
    }
    assert render([record]).splitlines() == [
        "[1] ValueChainExposure — upcoming from 2026-08-02",
        "    rule: chain (Suppliers)",
        "    Maker  [founded 2001-03-04]",
        "      └─ supplies → Robo 1",
        "      └─ is placed on the market through → Selling Robo 1",
        "      └─ made-up-role → X",
    ]


def test_control_characters_in_data_are_shown_escaped():
    record = copy.deepcopy(MARKET)
    record["path"][0]["label"] = {"en": "Evil\x1b[31m Co\x07\u202e"}
    first = render([record]).splitlines()[2]
    assert first == "    Evil\\x1b[31m Co\\x07\\u202e  [Company; founded 2019]"
    assert "\x1b" not in render([record])


def test_source_line_marks():
    assert source_line(LAW, "official text") == f"official text: {LAW}"
    assert source_line(LAW, "official text", "zh") == f"官方文本: {LAW}"
    assert source_line(NEWS, "unofficial copy") == f"source [unofficial copy]: {NEWS}"
    assert source_line(NEWS, "deny", "zh") == f"来源 [禁止引用]: {NEWS}"
    assert source_line(NEWS, None) == f"source: {NEWS}"
    assert source_line(NEWS, "no such tier") == f"source: {NEWS}"


def precedent(measure: str, issued: str, ended: str = "") -> Precedent:
    return Precedent(measure=measure, label=f"{measure} label", type="Ban", actor="rival",
                     actor_label="Rival Co", jurisdiction="it", status="Lifted" if ended
                     else "InForce", issued_on=issued, ended_on=ended, confirmed_on="")


def test_precedents_per_market_in_order_with_labels():
    coverage = {"labels": {"it": {"en": "Italy", "zh": "意大利"},
                           "OfferingService": {"en": "offering a service"}}}
    groups = {("OfferingService", "kr"): [],
              ("OfferingService", "it"): [precedent("ban-1", "2025-01-30", "2025-04-01"),
                                          precedent("order-2", "2024-03-01")]}
    assert render_precedents(groups, coverage) == "\n".join([
        "Precedents (measures already taken against other actors for the same kind of "
        "activity in the same market; not exposures of this actor):",
        "  offering a service · Italy:",
        "    - 2025-01-30 Ban: ban-1 label — Rival Co [it; Lifted, ended 2025-04-01]",
        "    - 2024-03-01 Ban: order-2 label — Rival Co [it; InForce]",
        "  offering a service · kr: none recorded",
    ]) + "\n"
    zh = render_precedents(groups, coverage, "zh").splitlines()
    assert zh[0].startswith("先例（")
    assert zh[1] == "  offering a service · 意大利:"
    assert zh[4] == "  offering a service · kr: 无记录"
