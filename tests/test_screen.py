"""`kg screen`: a company profile, screened against the curated graph without touching it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from kg.cases.profile import DOINGS, PRODUCT_KINDS, RELATION_WORDS, SUPPLIES
from kg.cases.profile_read import read_profile
from kg.cases.profile_records import emit, to_records
from kg.cases.report import render
from kg.cases.screen import screen
from kg.core.namespaces import AIG
from kg.core.project import Project
from kg.core.reader import compose_yaml
from kg.pipeline.load import load_ontology
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

EXAMPLE = REPO / "examples" / "profiles" / "open-weights-robot-maker.yaml"
AS_OF = dt.date(2026, 11, 28)
MINI_PROFILE = """company: {name: "Tiny Bots", headquartered: cn}
builds:
  - kind: home-robot
    name: "Tiny Home"
    components: [{name: "Camera", supplier: "Lens Co"}]
markets:
  - {jurisdiction: de, does: [sell-product]}
"""



@pytest.fixture(scope="session")
def example():
    """The illustrative profile, screened once against the shipped data."""
    return screen(Project(REPO), EXAMPLE, "examples/profiles/open-weights-robot-maker.yaml",
                  AS_OF)


@pytest.fixture
def mini(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.build_dir).mkdir()
    (project.build_dir / "manifest.json").write_text("{}\n", "utf-8")
    return project


def exposures(example, actor: str, source: str) -> list[dict]:
    return [r for r in example.exposures[actor] if r["source"]["id"] == source]


def mitigation_ids(example, record: dict) -> set[str]:
    return {example.mitigations[i].id for i in example.links[record["id"]]}


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def screen_mini(capsys, project, text: str, *args: str):
    profile = project.root / "profile.yaml"
    profile.write_text(text, "utf-8")
    return run_kg(capsys, project.root, "screen", "profile.yaml", *args)


# --------------------------------------------------------------------------- the example


def test_the_company_and_its_suppliers_are_screened(example):
    assert example.company == "screen-acme-robotics"
    assert [role for _actor, role in example.actors] == ["company", "supplier", "supplier"]
    assert {a for a, _ in example.actors} == {"screen-acme-robotics",
                                              "screen-acme-robotics-supplier-sensor-co",
                                              "screen-acme-robotics-supplier-data-co"}


def test_eu_product_liability_reaches_the_hardware_and_data_suppliers(example):
    for supplier in ("sensor-co", "data-co"):
        records = exposures(example, f"screen-acme-robotics-supplier-{supplier}",
                            "eu-product-liability-directive")
        assert records and {r["kind"] for r in records} == {"ValueChainExposure"}
        record = records[0]
        assert "ProductLiabilityRisk" in {r["id"] for r in record["risks"]}
        assert record["valid_from"] == "2026-12-09" and record["status"] == "upcoming"
        roles = [step["role"] for step in record["path"] if step]
        assert roles[:3] == ["actor", "supplied-product", "activity"]
        assert record["source"]["sources"]
        assert {"mitigation-reliable-partners", "mitigation-contractual-liability-allocation"
                } <= mitigation_ids(example, record)


def test_eu_product_safety_rules_reach_the_robot_maker(example):
    (record,) = exposures(example, example.company, "eu-general-product-safety-regulation")
    assert record["kind"] == "ExtraterritorialExposure" and record["status"] == "current"
    assert record["activity"]["id"].endswith("sell-product-de-acme-home")
    assert "mitigation-comprehensive-local-compliance" in mitigation_ids(example, record)


def test_the_gdpr_reaches_processing_and_transfers_from_germany(example):
    records = exposures(example, example.company, "eu-gdpr")
    activities = {r["activity"]["id"].removeprefix("screen-acme-robotics-") for r in records}
    assert activities == {"process-personal-data-de", "transfer-data-de-to-cn"}
    for record in records:
        assert [s["id"] for s in record["path"] if s and "jurisdiction" in s["role"]] == [
            "de", "eu"]
        # the official text is listed first, and marked as such
        assert record["source"]["sources"][0] == "http://data.europa.eu/eli/reg/2016/679/oj"
        assert record["source"]["source_tiers"][record["source"]["sources"][0]] == (
            "official text")
        assert {"mitigation-comprehensive-local-compliance",
                "mitigation-investment-and-data-vigilance"} <= mitigation_ids(example, record)


def test_publishing_open_weights_meets_the_ai_acts_gpai_provisions(example):
    records = exposures(example, example.company, "eu-ai-act")
    gpai = [r for r in records if (r.get("provision") or {}).get("id")
            == "eu-ai-act-gpai-obligations"]
    assert gpai and {r["activity"]["type"] for r in gpai} >= {"PublishingOpenWeights"}
    assert "OpenModelObligationRisk" in {risk["id"] for risk in gpai[0]["risks"]}
    assert gpai[0]["provision"]["sources"]
    exemptions = {"eu-ai-act-art-53-2-open-source-exemption",
                  "eu-ai-act-art-54-6-open-source-exemption"}
    assert not [r for r in records if (r.get("provision") or {}).get("id") in exemptions]


def test_us_investors_bring_the_outbound_investment_rule(example):
    (record,) = exposures(example, example.company, "us-outbound-investment-rule")
    assert record["activity"]["type"] == "RaisingCapital" and record["status"] == "current"
    assert "InvestmentRestrictionRisk" in {r["id"] for r in record["risks"]}
    assert "https://home.treasury.gov/policy-issues/international/outbound-investment-program/" \
           "program-regulations" in record["source"]["sources"]
    assert "mitigation-investment-and-data-vigilance" in mitigation_ids(example, record)


def test_every_exposure_has_a_path_a_source_and_mitigations(example):
    assert example.count() > 20
    for records in example.exposures.values():
        for record in records:
            assert record["path"][0]["id"] == record["actor"]["id"]
            assert record["source"]["sources"]
            assert record["status"] in ("current", "upcoming", "pending")
            assert example.links[record["id"]]


def test_specific_mitigations_are_numbered_before_general_ones(example):
    general = [i for i, m in enumerate(example.mitigations) if m.addresses == ["GovernanceRisk"]]
    assert general == list(range(len(example.mitigations) - len(general),
                                 len(example.mitigations)))


def test_the_text_report(example):
    text = render(example, "text")
    assert text.startswith("Screening of Acme Robotics\n")
    assert "Sensor Co supplies Lidar module → Acme Home" in text
    assert "Sensor Co (supplier): 2 exposure(s)" in text
    assert "■ EU Product Liability Directive (Directive (EU) 2024/2853)" in text
    assert "value-chain liability" in text and "for every exposure" in text
    assert "(illustrative)" not in text  # profile records are named plainly in the report


def test_the_markdown_and_html_reports(example):
    markdown = render(example, "md")
    assert markdown.startswith("# Screening of Acme Robotics")
    assert "### EU General Data Protection Regulation" in markdown
    assert "<http://data.europa.eu/eli/reg/2016/679/oj> \\[official text\\]" in markdown
    assert "## What the graph has reviewed in these markets" in markdown
    assert "## Precedents: measures already taken against other companies" in markdown
    html = render(example, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html and "<script" not in html
    assert 'src="data:image/svg+xml;base64,' in html  # the actor's diagram, inline
    assert ('href="http://data.europa.eu/eli/reg/2016/679/oj" rel="noreferrer noopener">'
            'http://data.europa.eu/eli/reg/2016/679/oj</a> [official text]') in html
    assert "What the graph has reviewed in these markets" in html


def test_the_chinese_report(example):
    text = render(example, "text", "zh")
    assert text.startswith("艾克米机器人 风险筛查")
    assert "欧盟通用数据保护条例" in text and "Data Co为Acme Home供应训练数据" in text


# --------------------------------------------------------------------------- the mapping


def test_the_mapping_table_names_only_ontology_terms():
    ontology = load_ontology(Project(REPO))
    terms = {str(s)[len(str(AIG)):] for s in ontology.subjects() if str(s).startswith(str(AIG))}
    classes = {c for kind in PRODUCT_KINDS.values() for c in kind.classes}
    classes |= {doing.activity for doing in DOINGS.values()}
    properties = {kind.relation for kind in PRODUCT_KINDS.values()} | set(SUPPLIES.values())
    properties |= set(RELATION_WORDS)
    assert classes <= terms and properties <= terms


def test_profile_records_are_namespaced_and_illustrative():
    root = compose_yaml(EXAMPLE.read_text("utf-8"), "p.yaml", [])
    records, _statements = to_records(read_profile(root, "p.yaml"), "p.yaml")
    text, origins = emit(records, AS_OF)
    assert all(r.id.startswith("screen-acme-robotics") for r in records)
    assert text.count('illustrative: ["true"]') == len(records)
    assert all(origins[n].line for n in origins)  # every generated line maps to the profile


def test_the_profile_never_enters_data_or_build(capsys, mini, tmp_path):
    before = tree_digest(mini.data_dir), tree_digest(mini.build_dir)
    result = screen_mini(capsys, mini, MINI_PROFILE)
    assert result.code == 0, result.err
    assert "Lens Co (supplier): 1 exposure(s)" in result.out
    assert screen_mini(capsys, mini, MINI_PROFILE.replace("de,", "dee,")).code == 1
    report = tmp_path / "report.html"
    assert screen_mini(capsys, mini, MINI_PROFILE, "--format", "html", "--out",
                       str(report)).code == 0
    assert report.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert (tree_digest(mini.data_dir), tree_digest(mini.build_dir)) == before
    assert not list(mini.root.rglob("*screen*"))


def test_a_report_is_not_written_into_data_or_build(capsys, mini):
    for out in ("data/report.md", "build/report.md"):
        result = screen_mini(capsys, mini, MINI_PROFILE, "--format", "md", "--out", out)
        assert result.code == 2
        assert f"--out: '{out}' is inside {out.split('/')[0]}/" in result.err
        assert not (mini.root / out).exists()


def test_text_from_the_profile_is_escaped(capsys, mini):
    """C1 controls (CSI) and markup are text, shown inert; C0 controls such as ESC are
    refused at the profile's line (no output format can carry them)."""
    refused = screen_mini(capsys, mini, MINI_PROFILE.replace('"Tiny Bots"', '"\\e[31mBots"'))
    assert refused.code == 2 and refused.out == ""
    assert "a control character (U+001B) in a value" in refused.err
    assert "\x1b" not in refused.err
    hostile = MINI_PROFILE.replace('"Tiny Bots"', '"<script>alert(1)</script> \\x9b31mBots"')
    text = screen_mini(capsys, mini, hostile)
    assert text.code == 0, text.err
    assert "\x9b" not in text.out and "\\x9b31mBots" in text.out
    html = screen_mini(capsys, mini, hostile, "--format", "html")
    assert "<script>" not in html.out and "&lt;script&gt;alert(1)&lt;/script&gt;" in html.out
    markdown = screen_mini(capsys, mini, hostile, "--format", "md")
    assert "<script>" not in markdown.out and "\\<script\\>" in markdown.out


# --------------------------------------------------------------------------- profile errors


@pytest.mark.parametrize(("change", "line", "message", "hint"), [
    (("de,", "dee,"), 7, "jurisdiction: unknown jurisdiction 'dee'", "did you mean de"),
    (("de,", "acme-lab,"), 7, "jurisdiction: unknown jurisdiction 'acme-lab'",
     "jurisdictions in the graph: cn, de, eu, it, us, us-tx"),
    (("headquartered: cn", "headquartered: China!"), 1,
     "company.headquartered: 'China!' is not a jurisdiction id", "e.g. cn, de, eu, us"),
    (("home-robot", "home-robt"), 3, "builds[0].kind: unknown kind 'home-robt'",
     "did you mean home-robot"),
    (('name: "Tiny Bots", ', ""), 1, "company: missing `name`", 'name: "Acme Robotics"'),
    (("[sell-product]", "[sell-product], since: 2025-02-30"), 7,
     "markets[0].since: '2025-02-30' is not a date", "day is out of range for month"),
    (("[sell-product]", "[sell-product], since: 1/2/2025"), 7,
     "markets[0].since: '1/2/2025' is not a date", "write dates as YYYY-MM-DD"),
    (("[sell-product]", "[sell-products]"), 7, "markets[0].does: unknown activity "
     "'sell-products'", "did you mean sell-product"),
    (("markets:", "market:"), 6, "profile: unknown key 'market'", "did you mean markets"),
    (('supplier: "Lens Co"', 'supplier: "tiny bots"'), 5,
     "the supplier 'tiny bots' is the company itself", "only other companies"),
    (("[sell-product]", "[sell-product], products: [Tiny Hom]"), 7,
     "products: no product 'Tiny Hom' in `builds`", "did you mean Tiny Home"),
    (("[sell-product]", "[publish-open-weights]"), 7,
     "publish-open-weights in de needs a product of kind model or open-weight-model",
     "add it under `builds`"),
])
def test_profile_errors_name_the_file_line_and_fix(capsys, mini, change, line, message, hint):
    before = tree_digest(mini.data_dir), tree_digest(mini.build_dir)
    result = screen_mini(capsys, mini, MINI_PROFILE.replace(*change))
    assert result.code == 1, result.err
    assert f"profile.yaml:{line}: {message}" in result.err
    assert hint in result.err
    assert result.out == ""
    assert (tree_digest(mini.data_dir), tree_digest(mini.build_dir)) == before


def test_duplicate_product_names_are_reported_with_the_first_line(capsys, mini):
    text = MINI_PROFILE.replace("markets:", '  - {kind: robot, name: "tiny home"}\nmarkets:')
    result = screen_mini(capsys, mini, text)
    assert result.code == 1
    assert "profile.yaml:6: duplicate product name 'tiny home' (first on line 4)" in result.err


def test_an_activity_listed_twice_is_reported(capsys, mini):
    text = MINI_PROFILE + "  - {jurisdiction: de, does: [sell-product]}\n"
    result = screen_mini(capsys, mini, text)
    assert result.code == 1
    assert "profile.yaml:8: sell-product in de for 'Tiny Home' is listed twice (first on " \
           "line 7)" in result.err


def test_every_problem_is_reported_at_once(capsys, mini):
    text = MINI_PROFILE.replace("home-robot", "home-robt").replace("[sell-product]",
                                                                   "[sell-products]")
    result = screen_mini(capsys, mini, text.replace('name: "Tiny Bots", ', ""))
    assert result.code == 1
    assert "validation failed: 3 problems" in result.err


@pytest.mark.parametrize(("text", "code", "message"), [
    ("", 1, "profile.yaml:1: the profile is empty"),
    ("company: [\n", 2, "YAML syntax error"),
    ("- just a list\n", 1, "profile: expected a mapping of keys"),
    ("company: {name: A, headquartered: cn}\n", 1, "the profile lists nothing the company "
     "does abroad"),
])
def test_unusable_profiles(capsys, mini, text, code, message):
    result = screen_mini(capsys, mini, text)
    assert result.code == code
    assert message in result.err


def test_a_missing_profile_file_is_a_usage_error(capsys, mini):
    result = run_kg(capsys, mini.root, "screen", "nowhere.yaml")
    assert result.code == 2
    assert "nowhere.yaml: no such file" in result.err


CHATBOT = """\
company:
  name: "Example Chat Co"
  headquartered: cn
builds:
  - kind: ai-service
    name: "Example Chat"
markets:
  - jurisdiction: it
    does: [offer-service]
  - jurisdiction: kr
    does: [offer-service]
  - jurisdiction: es
    does: [offer-service]
"""


@pytest.fixture(scope="session")
def chatbot(tmp_path_factory):
    path = tmp_path_factory.mktemp("chat") / "chat.yaml"
    path.write_text(CHATBOT, "utf-8")
    return screen(Project(REPO), path, "chat.yaml", AS_OF)


def test_measures_against_a_similar_company_are_shown_as_precedents(chatbot):
    """A chatbot offered in Italy and Korea: the Garante's and the PIPC's DeepSeek measures
    are precedents (not exposures of this company), with dates and outcomes."""
    italy = {p.measure: p for p in chatbot.precedents[("OfferingService", "it")]}
    assert italy["it-garante-deepseek-restriction-2025"].issued_on == "2025-01-30"
    assert italy["it-garante-deepseek-restriction-2025"].actor == "deepseek"
    korea = {p.measure: p for p in chatbot.precedents[("OfferingService", "kr")]}
    lifted = korea["kr-pipc-deepseek-download-suspension-2025"]
    assert (lifted.status, lifted.ended_on) == ("Lifted", "2025-04-28")
    assert chatbot.precedents[("OfferingService", "es")] == []
    text = render(chatbot, "text")
    assert "Precedents: measures already taken against other companies" in text
    assert "PIPC suspends new downloads of the DeepSeek app in South Korea — DeepSeek" in text


def test_every_market_of_a_profile_says_how_far_the_graph_covers_it(chatbot):
    """One line per jurisdiction and verdict: its coverage, then that of the jurisdictions
    containing it, then the activities it is for."""
    text = render(chatbot, "text")
    assert ("  Italy: partly covered (reviewed on 2026-12-03): not reviewed: data protection; "
            "European Union: covered, reviewed on 2026-12-03 — Offering a service\n") in text
    assert "  none recorded for Spain — Offering a service\n" in text
    zh = render(chatbot, "text", "zh")
    assert "部分覆盖（审查日期 2026-12-03）" in zh


def test_an_uncurated_jurisdiction_is_named_as_such_by_kg_exposures(tmp_path, capsys):
    import shutil

    shutil.copytree(REPO / "ontology", tmp_path / "ontology")
    shutil.copytree(REPO / "data", tmp_path / "data")
    assert run_kg(capsys, tmp_path, "build", "--quiet").code == 0
    run = run_kg(capsys, tmp_path, "exposures", "--jurisdiction", "bg")
    assert run.code == 0
    assert "no exposures found. That is not a clearance" in run.err
    assert "coverage of bg: not curated: no conclusion can be drawn" in run.err


# --------------------------------------------------------------------------- the brief


def test_the_text_report_opens_with_the_summary_and_fits_200_lines(example):
    text = render(example, "text")
    lines = text.splitlines()
    assert len(lines) <= 200
    assert lines[0] == "Screening of Acme Robotics"
    summary = lines.index("Summary:")
    assert summary < 8  # right after the title, the profile line and the note
    total = example.count()
    assert lines[summary + 1].startswith(f"{total} exposure(s): ")
    germany = next(line for line in lines if line.startswith("  de Germany: "))
    assert re.fullmatch(r"  de Germany: \d+ current, \d+ upcoming(, \d+ pending)?; rules from eu; "
                        r"nearest deadline \d{4}-\d\d-\d\d \(in \d+ d\); \d+ precedent\(s\)",
                        germany), germany
    assert "  cn People's Republic of China (mainland): no exposure; 0 precedent(s)" in lines
    # the summary comes before the timeline, which comes before the exposures
    assert summary < lines.index("Deadlines from 2026-11-28, soonest first:") < lines.index(
        "Exposures:")


def test_each_instrument_and_activity_is_one_entry_with_its_paths(example):
    """The AI Act's Art. 99 is one path under each activity it reaches, not an item each."""
    document = json.loads(render(example, "json"))
    keys = [(i["actor"], i["source"]["id"], (i["activity"] or {}).get("id"))
            for i in document["items"]]
    assert len(keys) == len(set(keys))
    assert sum(len(i["paths"]) for i in document["items"]) == example.count()
    art99 = [i for i in document["items"] if any(
        (p["provision"] or {}).get("id") == "eu-ai-act-art-99-penalties" for p in i["paths"])]
    text = render(example, "text")
    assert text.count("EU AI Act Art. 99: penalties") == len(art99) >= 1
    company = text[text.index("Acme Robotics (company)"):text.index("Data Co (supplier)")]
    assert company.count("■ EU Artificial Intelligence Act") == 1
    numbers = [p["number"] for i in document["items"] for p in i["paths"]]
    assert numbers == list(range(1, example.count() + 1))


def test_the_deadline_timeline_runs_from_the_as_of_date(example):
    document = json.loads(render(example, "json"))
    timeline = document["timeline"]
    dated = [d["date"] for d in timeline if d["date"]]
    assert dated == sorted(dated) and all(d > "2026-11-28" for d in dated)
    assert [d["event"] for d in timeline if not d["date"]] == ["pending"] * (
        len(timeline) - len(dated))
    assert timeline[-1]["date"] is None  # pending last
    paths = {p["number"]: p for i in document["items"] for p in i["paths"]}
    listed = {n for d in timeline for n in d["exposures"]}
    assert {n for n, p in paths.items() if p["status"] in ("upcoming", "pending")} <= listed
    first = timeline[0]
    assert first["days"] == (dt.date.fromisoformat(first["date"]) - AS_OF).days
    germany = next(s for s in document["summary"] if s["jurisdiction"] == "de")
    assert germany["nearest_deadline"]["date"] == min(
        d["date"] for d in timeline if d["date"] and "de" in d["jurisdictions"])
    assert germany["exposures"] == sum(germany[s] for s in ("current", "upcoming", "pending"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_json_report_validates_against_the_shipped_schema(example, lang):
    import jsonschema

    from kg.cases.report.data import schema

    shipped = schema()
    jsonschema.Draft202012Validator.check_schema(shipped)
    document = json.loads(render(example, "json", lang))
    jsonschema.validate(document, shipped, cls=jsonschema.Draft202012Validator)
    assert document["format"] == "aigov-kg/screening" and document["lang"] == lang
    broken = json.loads(json.dumps(document))
    broken["items"][0]["paths"][0]["status"] = "ended"
    with pytest.raises(jsonschema.ValidationError, match="'ended' is not one of"):
        jsonschema.validate(broken, shipped, cls=jsonschema.Draft202012Validator)


def test_the_schema_ships_with_the_package():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["kg"]
    assert "cases/report/schema/*.json" in globs
    assert (REPO / "kg" / "cases" / "report" / "schema" / "screening.schema.json").is_file()


def test_the_csv_report_has_one_row_per_exposure(example):
    import csv
    import io

    from kg.cases.report.data import CSV_COLUMNS

    rows = list(csv.DictReader(io.StringIO(render(example, "csv"))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [int(r["number"]) for r in rows] == list(range(1, example.count() + 1))
    gdpr = next(r for r in rows if r["instrument_id"] == "eu-gdpr")
    assert gdpr["official_text"] == "http://data.europa.eu/eli/reg/2016/679/oj"
    assert gdpr["actor"] == "Acme Robotics" and gdpr["role"] == "company"
    upcoming = next(r for r in rows if r["status"] == "upcoming")
    assert int(upcoming["days_to_start"]) == (
        dt.date.fromisoformat(upcoming["valid_from"]) - AS_OF).days


def test_csv_cells_cannot_start_a_formula():
    from kg.cases.report.data import cell

    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [cell(v) for v in ("+1", "-1", "@a", "\tx", "ok", None, 3)] == [
        "'+1", "'-1", "'@a", "'\tx", "ok", "", "3"]


def test_the_calendar_has_one_event_per_dated_deadline(example):
    text = render(example, "ics")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    document = json.loads(render(example, "json"))
    dated = [d for d in document["timeline"] if d["date"]]
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == len(dated)
    uids = re.findall(r"^UID:(.+)$", unfolded, re.M)
    assert len(set(uids)) == len(dated)
    assert f"DTSTART;VALUE=DATE:{dated[0]['date'].replace('-', '')}\r\n" in unfolded
    assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z\r$", unfolded, re.M)
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))


def test_calendar_text_is_escaped_and_folded():
    from kg.cases.report.data import fold, ics_text

    assert ics_text("a;b,c\\d\nEND:VEVENT") == "a\\;b\\,c\\\\d\\nEND:VEVENT"
    assert ics_text("bell\x07") == "bell"
    line = "SUMMARY:" + "风险" * 40
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode("utf-8")) <= (75 if i == 0 else 74) for i, p in enumerate(parts))


def test_hostile_names_are_inert_in_json_csv_and_ics(capsys, mini):
    hostile = MINI_PROFILE.replace('"Tiny Bots"', '"=cmd|\' /C calc\'!A0; <b>x</b>, y"')
    as_json = screen_mini(capsys, mini, hostile, "--format", "json")
    assert as_json.code == 0, as_json.err
    document = json.loads(as_json.out)
    assert document["company"]["label"] == "=cmd|' /C calc'!A0; <b>x</b>, y"
    as_csv = screen_mini(capsys, mini, hostile, "--format", "csv")
    assert ",'=cmd|' /C calc'!A0; <b>x</b>, y," not in as_csv.out
    assert "\"'=cmd|' /C calc'!A0; <b>x</b>, y\"" in as_csv.out
    as_ics = screen_mini(capsys, mini, hostile, "--format", "ics")
    assert as_ics.code == 0, as_ics.err
    assert "X-WR-CALNAME:Screening of =cmd|' /C calc'!A0\\; <b>x</b>\\, y" in as_ics.out.replace(
        "\r\n ", "")


def test_json_and_csv_reports_can_be_rewritten_in_place(capsys, mini):
    for fmt in ("json", "csv", "ics"):
        for _ in range(2):
            run = screen_mini(capsys, mini, MINI_PROFILE, "--format", fmt, "--out",
                              f"report.{fmt}")
            assert run.code == 0, run.err
