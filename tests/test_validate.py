"""Shapes and QC queries: each fires on a small bad case and stays silent on the real data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.core.errors import ValidationFailed
from kg.pipeline.build import check
from kg.pipeline.validate import load_qc_queries
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

HEAD = "curated: 2026-11-28\nrecords:\n"
BAN = """\
  - id: bad-ban
    a: DeviceBan
    label: {en: Bad ban, zh: 错误禁令}
    jurisdiction: us-tx
    issuedBy: us-tx-governor
    targets: acme-lab
    raisesRisk: GovernmentUseBanRisk
    status: InForce
    issuedOn: 2025-02-01
    statusConfirmedOn: 2026-11-20
    statusSource: https://gov.texas.gov/
    evidence: https://gov.texas.gov/
"""
LAW = """\
  - id: bad-law
    a: Legislation
    label: {en: Bad law, zh: 错误法律}
    identifier: Regulation (EU) 2024/1689
    jurisdiction: eu
    issuedBy: eu-legislature
    raisesRisk: NewLegislationRisk
    status: InForce
    issuedOn: 2024-07-12
    inForceFrom: 2024-08-01
    statusConfirmedOn: 2026-11-20
    statusSource: http://data.europa.eu/eli/reg/2024/1689/oj
    officialText: http://data.europa.eu/eli/reg/2024/1689/oj
    evidence: http://data.europa.eu/eli/reg/2024/1689/oj
"""
COMPANY = """\
  - id: cited-co
    a: Company
    label: {en: Cited Co, zh: 引用公司}
    evidence: https://www.reuters.com/technology/
"""


def without(text: str, key: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.strip().startswith(key))


def findings_for(tmp_path: Path, files: dict[str, str]) -> list:
    project = make_project(tmp_path, [FIXTURES / "mini"], files)
    with pytest.raises(ValidationFailed) as caught:
        check(project, strict=True)  # warnings too
    return caught.value.findings


SHAPE_CASES = {
    "source": (HEAD + without(BAN, "evidence:"), "RiskSource", "Every record needs evidence"),
    "jurisdiction": (HEAD + without(BAN, "jurisdiction:"), "",
                     "Every instrument or event needs a jurisdiction"),
    "raisesRisk": (HEAD + without(BAN, "raisesRisk:"), "", "at least one risk type"),
    "status": (HEAD + without(BAN, "status:"), "", "exactly one status"),
    "status-value": (HEAD + BAN.replace("status: InForce", "status: Robot"), "",
                     "exactly one status"),
    "issuedOn": (HEAD + without(BAN, "issuedOn:"), "", "exactly one issue date"),
    "issued-after-in-force": (HEAD + BAN + "    inForceFrom: 2025-01-01\n", "",
                              "is after the entry-into-force date"),
    "issued-after-end": (HEAD + BAN.replace("InForce", "Rescinded") + "    endedOn: 2024-01-01\n",
                         "", "is after the end date"),
    "targets": (HEAD + BAN.replace("targets: acme-lab", "targets: eu"), "",
                "must name an actor or an artefact"),
    "raisesRisk-value": (HEAD + BAN.replace("GovernmentUseBanRisk", "Robot"), "",
                         "from the risk taxonomy"),
    "governsActivity-value": (HEAD + BAN + "    governsActivity: Robot\n", "",
                              "takes activity types of the ontology"),
    "issuedBy": (HEAD + BAN.replace("issuedBy: us-tx-governor", "issuedBy: eu"), "",
                 "must be the id of an actor record"),
    "label": (HEAD + BAN.replace("{en: Bad ban, zh: 错误禁令}", "{zh: 错误禁令}"), "",
              "Every record needs an English label"),
    "provision-partOf": (HEAD + """\
  - id: bad-provision
    a: Provision
    label: Orphan provision
    raisesRisk: NewLegislationRisk
    source: https://eur-lex.europa.eu/eli/reg/2024/1689/oj
""", "", "Every provision needs exactly one parent instrument"),
    "activity-performer": (HEAD + """\
  - id: bad-activity
    a: OfferingService
    label: Nobody's activity
    inJurisdiction: it
    source: https://example.org/a
""", "", "Every activity needs exactly one performer"),
    "activity-jurisdiction": (HEAD + """\
  - id: bad-activity
    a: OfferingService
    label: Activity nowhere
    performedBy: acme-lab
    source: https://example.org/a
""", "", "Every activity needs the market where it takes effect"),
    "activity-dates": (HEAD + """\
  - id: bad-activity
    a: OfferingService
    label: Activity ending before it starts
    performedBy: acme-lab
    inJurisdiction: it
    startDate: 2025-02-01
    endDate: 2025-01-01
    source: https://example.org/a
""", "", "is after its `endDate`"),
    "within": (HEAD + """\
  - id: bad-region
    a: SubnationalJurisdiction
    label: Region within a company
    within: acme-lab
    source: https://example.org/a
""", "", "must be the id of a Jurisdiction record"),
    "mitigation": (HEAD + """\
  - id: bad-mitigation
    a: Mitigation
    label: A mitigation of nothing
    source: https://example.org/a
""", "", "addressesRisk"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_each_shape_fires_with_its_message(tmp_path, case):
    text, _, message = SHAPE_CASES[case]
    findings = findings_for(tmp_path, {"bad.yaml": text})
    hits = [f for f in findings if message in f.message]
    assert hits, [f.render() for f in findings]
    assert all(f.file == "data/bad.yaml" and f.line >= 3 for f in hits)
    assert all(f.rule.startswith("shacl:") for f in hits)


QC_CASES = {
    "alignment-not-allowlisted-violation": ("align.ttl", """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/aigov-kg/id/acme-lab> skos:closeMatch <https://w3id.org/airo#NoSuchTerm> .
""", "not in the alignment allow-list"),
    "dangling-reference-violation": ("dangling.ttl", """\
@prefix aig: <https://w3id.org/aigov-kg/ontology#> .
@prefix id: <https://w3id.org/aigov-kg/id/> .
id:acme-lab aig:headquarteredIn id:atlantis .
""", "never defined"),
    "term-without-bilingual-label-violation": ("term.yaml", HEAD + """\
  - id: DeepfakeRisk
    a: owl:Class
    subClassOf: PersonalInformationProtectionRisk
    label: Deepfake risk
    source: https://example.org/deepfakes
""", "a Chinese label"),
    "containment-cycle-violation": ("cycle.ttl", """\
@prefix aig: <https://w3id.org/aigov-kg/ontology#> .
<https://w3id.org/aigov-kg/id/eu> aig:within <https://w3id.org/aigov-kg/id/it> .
""", "lies within itself"),
    "self-supply-violation": ("self.yaml", HEAD + """\
  - id: self-co
    a: Company
    label: Self Co (illustrative)
    illustrative: true
    manufactures: robo-1
    suppliesHardwareFor: robo-1
    source: https://example.org/self
""", "which it develops itself"),
    "ended-without-end-date-violation": ("ended.yaml", HEAD + BAN.replace(
        "InForce", "Rescinded"), "there is no `endedOn` date"),
    "illustrative-not-marked-violation": ("ill.yaml", HEAD + """\
  - id: made-up-co
    a: Company
    label: Made Up Co
    illustrative: true
    source: https://example.org/made-up
""", "does not end with"),
    "verification-value-violation": ("ver.yaml", HEAD + BAN + "    verification: maybe\n",
                                     "use verified, partial or unverified"),
    "deny-tier-source-violation": ("deny.yaml", HEAD + BAN.replace(
        "    evidence: https://gov.texas.gov/",
        "    evidence:\n      - https://gov.texas.gov/\n      - http://51haodu.com/t/Q1lISn"),
        "cites a deny-tier source: <http://51haodu.com/t/Q1lISn>"),
    "instrument-without-official-text-violation": ("law.yaml", HEAD + without(LAW, "officialText:"),
                                                   "no `officialText` and no `noOfficialText`"),
    "official-text-not-official-violation": ("law.yaml", HEAD + LAW.replace(
        "officialText: http://data.europa.eu/eli/reg/2024/1689/oj",
        "officialText: https://artificialintelligenceact.eu/the-act/"),
        "is not on an official host"),
    "official-text-identifier-mismatch-violation": ("law.yaml", HEAD + LAW.replace(
        "officialText: http://data.europa.eu/eli/reg/2024/1689/oj",
        "officialText: http://data.europa.eu/eli/reg/2016/679/oj"),
        "by the pattern it is <http://data.europa.eu/eli/reg/2024/1689/oj>"),
    "official-text-by-pattern-warning": ("law.yaml", HEAD + LAW.replace(
        "officialText: http://data.europa.eu/eli/reg/2024/1689/oj",
        "noOfficialText: {en: not looked for}"),
        "add officialText <http://data.europa.eu/eli/reg/2024/1689/oj>"),
    "event-without-credible-source-violation": ("ban.yaml", HEAD + BAN.replace(
        "evidence: https://gov.texas.gov/", "evidence: https://unknown-news.example/ban"),
        "no official or reputable source"),
    "unofficial-copy-alone-violation": ("co.yaml", HEAD + COMPANY.replace(
        "https://www.reuters.com/technology/", "https://en.wikipedia.org/wiki/Cited_Co"),
        "with no official text or official/reputable source beside it"),
    "status-unconfirmed-violation": ("ban.yaml", HEAD + without(BAN, "statusConfirmedOn:"),
                                     "`statusConfirmedOn` is missing"),
    "status-stale-warning": ("ban.yaml", HEAD + BAN.replace("statusConfirmedOn: 2026-11-20",
                                                            "statusConfirmedOn: 2020-01-01"),
                             "was last confirmed on 2020-01-01, over 180 days ago"),
    "risk-type-without-article-passage-violation": ("term.yaml", HEAD + """\
  - id: DeepfakeRisk
    a: owl:Class
    subClassOf: PersonalInformationProtectionRisk
    label: {en: Deepfake risk, zh: 深度伪造风险}
    definition: The risk of deepfakes.
    evidence: https://example.org/deepfakes
""", "quote the article's own words"),
    "unclassified-source-warning": ("co.yaml", HEAD + COMPANY.replace(
        "https://www.reuters.com/technology/", "https://unknown-news.example/co"),
        "the host of <https://unknown-news.example/co> has no tier"),
    "placeholder-value-violation": ("fill.yaml", HEAD + BAN.replace(
        "{en: Bad ban, zh: 错误禁令}", "{en: 'FILL-IN: what it is called', zh: 错误禁令}"),
        "still holds the template placeholder"),
}


def test_every_qc_query_has_a_bad_case():
    names = {q.name for q in load_qc_queries(REPO / "ontology" / "qc")}
    assert names == set(QC_CASES) | {"risk-category-without-source-violation"}


@pytest.mark.parametrize("name", sorted(QC_CASES))
def test_each_qc_query_fires_on_its_bad_case(tmp_path, name):
    filename, text, message = QC_CASES[name]
    findings = findings_for(tmp_path, {filename: text})
    hits = [f for f in findings if f.rule == name]
    assert hits, [f.render() for f in findings]
    assert any(message in f.message for f in hits)
    assert all(f.severity == ("warning" if name.endswith("-warning") else "error")
               for f in hits)


# The source-policy QC queries tested the other way: a record that meets the policy passes.
GOOD_CASES = {
    "ban": HEAD + BAN,
    "law": HEAD + LAW,
    "law-with-reason": HEAD + without(LAW, "officialText:").replace(
        "    identifier: Regulation (EU) 2024/1689\n", "") + (
        "    noOfficialText: {en: no official copy found}\n"),
    "law-by-celex": HEAD + LAW.replace(
        "officialText: http://data.europa.eu/eli/reg/2024/1689/oj",
        "officialText: https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689"),
    "company": HEAD + COMPANY,
    "copy-beside-reputable": HEAD + COMPANY.replace(
        "    evidence: https://www.reuters.com/technology/",
        "    evidence:\n      - https://www.reuters.com/technology/\n"
        "      - https://en.wikipedia.org/wiki/Cited_Co"),
    "lifted": HEAD + BAN.replace("status: InForce", "status: Lifted").replace(
        "    statusConfirmedOn: 2026-11-20\n", "") + "    endedOn: 2025-04-28\n",
}


@pytest.mark.parametrize("case", sorted(GOOD_CASES))
def test_a_record_that_meets_the_source_policy_passes(tmp_path, case):
    project = make_project(tmp_path, [FIXTURES / "mini"], {"good.yaml": GOOD_CASES[case]})
    warnings = check(project).warnings
    assert not [w for w in warnings if w.file == "data/good.yaml"], [
        w.render() for w in warnings]


def test_warnings_fail_only_under_strict(tmp_path, capsys):
    stale = HEAD + BAN.replace("statusConfirmedOn: 2026-11-20", "statusConfirmedOn: 2020-01-01")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"stale.yaml": stale})
    assert [w.rule for w in check(project).warnings if w.file == "data/stale.yaml"] == [
        "status-stale-warning"]
    run = run_kg(capsys, project.root, "validate")
    assert run.code == 0 and "warning: status InForce was last confirmed on 2020-01-01" in run.err
    run = run_kg(capsys, project.root, "validate", "--strict")
    assert run.code == 1 and "status-stale-warning" in run.err


def test_empty_risk_category_is_reported(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    sources = project.root / "data" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    start = text.index("  - id: mini-state-control-claim")
    end = text.index("  - id:", start + 10)
    sources.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        check(project)
    hits = [f for f in caught.value.findings if f.rule == "risk-category-without-source-violation"]
    assert [f.subject for f in hits] == ["StateBackingAllegationRisk"]


def test_the_shipped_data_passes_every_shape_and_qc_query(repo_project):
    check(repo_project)


def test_an_invalid_case_leaves_data_and_build_unchanged(tmp_path):
    from kg.pipeline.build import build

    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    before = {p: p.read_bytes() for p in (project.root / "build").iterdir()}
    data_before = sorted(p.name for p in (project.root / "data").iterdir())
    (project.root / "data" / "bad.yaml").write_text(HEAD + without(BAN, "evidence:"), "utf-8")
    with pytest.raises(ValidationFailed):
        build(project)
    after = {p: p.read_bytes() for p in (project.root / "build").iterdir()}
    assert after == before
    assert sorted(p.name for p in (project.root / "data").iterdir()) == sorted(
        [*data_before, "bad.yaml"])


BROKEN_QUERY_FILES = [
    ("rules/80-broken.rq", "# title: Broken rule\nCONSTRUCT { ?s a ?o }\nWHERE { ?s ?p }\n",
     r"ontology/rules/80-broken\.rq:\d+: SPARQL syntax error: error at \d+:\d+"),
    ("rules/80-select.rq", "# title: Not a rule\nSELECT ?s WHERE { ?s ?p ?o }\n",
     r"ontology/rules/80-select\.rq: a rule must be a CONSTRUCT query, not SELECT"),
    ("qc/broken-violation.rq", "# title: Broken\nSELECT ?subject WHERE {\n  ?subject ?p\n}\n",
     r"ontology/qc/broken-violation\.rq:\d+: SPARQL syntax error: error at \d+:\d+"),
    ("qc/nameless-violation.rq", "# title: No subject\nSELECT ?s WHERE { ?s ?p ?o }\n",
     r"ontology/qc/nameless-violation\.rq: a QC query must SELECT \?subject"),
]


@pytest.mark.parametrize(("name", "text", "message"), BROKEN_QUERY_FILES,
                         ids=[case[0] for case in BROKEN_QUERY_FILES])
def test_a_broken_rule_or_qc_file_is_an_input_error_naming_it(tmp_path, capsys, name, text,
                                                             message):
    """Rules and QC queries are files anyone may add: a broken one is reported with its file
    (and line), exit 2, before anything is built."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.root / "ontology" / name).write_text(text, "utf-8")
    result = run_kg(capsys, project.root, "build")
    assert result.code == 2, result.err
    assert re.search(message, result.err), result.err
    assert "internal error" not in result.err
    assert not (project.root / "build").exists()


def test_a_rule_deriving_unexplainable_exposures_is_named(tmp_path, capsys):
    """A new rule whose exposures lack a risk or a source would leave records without a
    path; the build stops and names the rule's file instead of failing later."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.root / "ontology" / "rules" / "80-partial.rq").write_text(
        "# title: Partial exposures\n"
        "PREFIX aig: <https://w3id.org/aigov-kg/ontology#>\n"
        "CONSTRUCT { ?e a aig:Exposure ; aig:exposedActor ?a ;\n"
        "              aig:derivedByRule <https://w3id.org/aigov-kg/rule/partial> }\n"
        "WHERE { ?a a aig:Company BIND (IRI(CONCAT(STR(?a), \"/partial\")) AS ?e) }\n",
        "utf-8")
    result = run_kg(capsys, project.root, "build")
    assert result.code == 2, result.err
    assert ("ontology/rules/80-partial.rq: 5 exposures have no aig:exposedToRisk, "
            "aig:throughSource IRI, e.g. <https://w3id.org/aigov-kg/id/acme-lab/partial>"
            in result.err)
    assert not (project.root / "build").exists()


# `kg validate --format json`: one object on stdout, on success and on failure
# (docs/adding-a-case.md, "2. Validate it").
FINDING_KEYS = ["file", "line", "subject", "code", "severity", "message", "hint"]


def validation_json(run) -> dict:
    import json

    document = json.loads(run.out)
    assert list(document) == ["ok", "files", "errors", "warnings", "findings"]
    for finding in document["findings"]:
        assert list(finding) == FINDING_KEYS
        assert all(isinstance(finding[k], str) for k in FINDING_KEYS if k != "line")
        assert isinstance(finding["line"], int) and finding["severity"] in ("error", "warning")
    assert document["errors"] == sum(f["severity"] == "error" for f in document["findings"])
    assert document["warnings"] == sum(f["severity"] == "warning"
                                       for f in document["findings"])
    located = [(f["file"] == "", f["file"], f["line"]) for f in document["findings"]]
    assert located == sorted(located)  # by file and line
    return document


def test_validate_json_on_success_lists_the_warnings(tmp_path, capsys):
    stale = HEAD + BAN.replace("statusConfirmedOn: 2026-11-20", "statusConfirmedOn: 2020-01-01")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"stale.yaml": stale})
    run = run_kg(capsys, project.root, "validate", "--format", "json")
    assert run.code == 0 and run.err == ""
    document = validation_json(run)
    assert document["ok"] is True and document["files"] == 4 and document["errors"] == 0
    assert document["warnings"] == len(document["findings"]) > 1
    assert [f for f in document["findings"] if f["file"] == "data/stale.yaml"] == [{
        "file": "data/stale.yaml", "line": 3, "subject": "bad-ban",
        "code": "status-stale-warning", "severity": "warning",
        "message": "status InForce was last confirmed on 2020-01-01, over 180 days ago: "
                   "re-check it and update `statusConfirmedOn`", "hint": ""}]
    strict = run_kg(capsys, project.root, "validate", "--format", "json", "--strict")
    assert strict.code == 1 and strict.err.startswith("error: validation failed:")
    assert validation_json(strict) == {**document, "ok": False}


def test_validate_json_on_failure_gives_every_finding(tmp_path, capsys):
    """Three mistakes of three kinds in one record — no evidence (a shape and a QC
    query), an unknown id and a bad date (the loader) — all in one run."""
    bad = HEAD + without(BAN, "evidence:").replace("targets: acme-lab", "targets: acme-lap") \
        .replace("issuedOn: 2025-02-01", "issuedOn: 2025-02-30")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"bad.yaml": bad})
    run = run_kg(capsys, project.root, "validate", "--format", "json")
    assert run.code == 1
    assert run.err == "error: validation failed: 4 problems\n"  # the findings are on stdout
    document = validation_json(run)
    assert (document["ok"], document["files"], document["errors"]) == (False, 4, 4)
    errors = [f for f in document["findings"] if f["severity"] == "error"]
    assert [(f["file"], f["line"], f["subject"], f["code"]) for f in errors] == [
        ("data/bad.yaml", 3, "bad-ban", "event-without-credible-source-violation"),
        ("data/bad.yaml", 3, "bad-ban", "shacl:shapes:CuratedRecord-source"),
        ("data/bad.yaml", 8, "bad-ban", "unknown-reference"),
        ("data/bad.yaml", 11, "bad-ban", "bad-date")]
    assert errors[2] == {
        "file": "data/bad.yaml", "line": 8, "subject": "bad-ban", "code": "unknown-reference",
        "severity": "error", "message": "targets: unknown id 'acme-lap'",
        "hint": "did you mean acme-lab, acme-app, acme-model?"}
    assert errors[3]["message"] == ("issuedOn: '2025-02-30' is not a real date (day is out "
                                    "of range for month)")
    assert errors[3]["hint"] == "check the day and month"
    assert errors[1]["message"].startswith("Every record needs evidence (key `evidence`)")


def test_validate_json_on_unreadable_and_unknown_files(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"], {
        "broken.yaml": HEAD + "  - id: [broken\n"})
    run = run_kg(capsys, project.root, "validate", "--format", "json")
    assert run.code == 2 and run.err == "error: validation failed: 1 problem\n"
    document = validation_json(run)
    assert [(f["file"], f["line"], f["code"]) for f in document["findings"]
            if f["severity"] == "error"] == [("data/broken.yaml", 4, "yaml-syntax")]
    run = run_kg(capsys, project.root, "validate", "--format", "json", "no-such.yaml")
    assert run.code == 2 and run.err == "error: no-such.yaml: no such file\n"
    assert validation_json(run) == {"ok": False, "files": 4, "errors": 1, "warnings": 0,
                                    "findings": [{
                                        "file": "", "line": 0, "subject": "", "code": "usage",
                                        "severity": "error",
                                        "message": "no-such.yaml: no such file", "hint": ""}]}


def test_validate_json_is_inert_and_parses_back_to_the_text(tmp_path, capsys):
    """Bidi controls in a value (a right-to-left override, a left-to-right isolate) are
    escaped in the JSON text and come back whole when parsed."""
    hostile = "bad\u202eid\u2066"
    project = make_project(tmp_path, [FIXTURES / "mini"], {
        "odd.yaml": HEAD + f"  - id: {hostile}\n    a: Company\n"})
    run = run_kg(capsys, project.root, "validate", "--format", "json")
    assert run.code == 1
    assert "\u202e" not in run.out and "\u2066" not in run.out
    assert "id 'bad\\u202eid\\u2066' is not a valid id" in run.out
    document = validation_json(run)
    assert any(f["message"] == f"id '{hostile}' is not a valid id"
               for f in document["findings"]), document


def test_the_guide_documents_the_json_shape():
    """docs/adding-a-case.md names the keys `kg validate --format json` gives, in order."""
    guide = (REPO / "docs" / "adding-a-case.md").read_text("utf-8")
    section = guide[guide.index("### Findings as JSON"):guide.index("## 3. Rebuild")]
    tables = [re.findall(r"^\| `([^|]*)` \|", part, re.M)
              for part in section.split("Each finding has the same seven keys")]
    assert [k for row in tables[0] for k in row.split("`, `")] == [
        "ok", "files", "errors", "warnings", "findings"]
    assert tables[1] == FINDING_KEYS
