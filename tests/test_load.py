"""Reading case files: every kind of bad input gets a message naming file, line and fix."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg

GOOD_RECORD = """\
curated: 2026-11-28
records:
  - id: extra-ban
    a: DeviceBan
    label: {{en: Extra ban, zh: 额外禁令}}
    jurisdiction: us-tx
    issuedBy: us-tx-governor
    targets: acme-lab
    raisesRisk: GovernmentUseBanRisk
    status: InForce
    statusConfirmedOn: 2026-11-20
    statusSource: https://gov.texas.gov/
    issuedOn: 2025-02-01
    source: https://statescoop.com/texas-bans-deepseek-rednote-government-devices
{extra}"""


def validate_with(tmp_path, capsys, name: str, content: str | bytes):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    path = project.root / "data" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return run_kg(capsys, project.root, "validate")


@pytest.mark.parametrize(("content", "code", "expected"), [
    (GOOD_RECORD.format(extra="    sourse: https://example.org\n"), 1,
     ["data/case.yaml:15", "unknown key 'sourse'", "did you mean source"]),
    (GOOD_RECORD.replace("targets: acme-lab", "targets: acme-lap").format(extra=""), 1,
     ["data/case.yaml:8", "unknown id 'acme-lap'", "did you mean acme-lab"]),
    (GOOD_RECORD.replace("2025-02-01", "2025-02-30").format(extra=""), 1,
     ["data/case.yaml:13", "'2025-02-30' is not a real date"]),
    (GOOD_RECORD.replace("2025-02-01", "01/02/2025").format(extra=""), 1,
     ["data/case.yaml:13", "'01/02/2025' is not a date", "YYYY-MM-DD"]),
    (GOOD_RECORD.replace("status: InForce", "status: InForse").format(extra=""), 1,
     ["data/case.yaml:10", "unknown ontology term 'InForse'", "did you mean InForce"]),
    (GOOD_RECORD.replace("a: DeviceBan", "a: DeviseBan").format(extra=""), 1,
     ["data/case.yaml:4", "'DeviseBan' is not a class", "did you mean DeviceBan"]),
    (GOOD_RECORD.replace("https://statescoop.com/texas-bans-deepseek-rednote-government-devices",
                         "javascript:alert(1)").format(extra=""), 1,
     ["data/case.yaml:14", "uses the 'javascript:' scheme", "http(s) URL"]),
    (GOOD_RECORD.format(extra="    illustrative: yes\n"), 1,
     ["data/case.yaml:15", "'yes' is not true or false"]),
    (GOOD_RECORD.replace("id: extra-ban", "id: Extra Ban").format(extra=""), 1,
     ["data/case.yaml:3", "id 'Extra Ban' is not a valid id", "kebab-case"]),
    (GOOD_RECORD.replace("id: extra-ban", "id: acme-lab").format(extra=""), 1,
     ["id 'acme-lab' is already defined at", "data/case.yaml:3", "data/companies.yaml:4"]),
    (GOOD_RECORD.format(extra="    status: Closed\n"), 1,
     ["data/case.yaml:15", "duplicate key 'status' (first on line 10)"]),
    (GOOD_RECORD.replace("    targets: acme-lab", "    targets: <http://exa mple.org/x>"
                         ).format(extra=""), 1,
     ["data/case.yaml:8", "is not a valid IRI"]),
    (GOOD_RECORD.format(extra="  - id: [broken\n"), 2,
     ["data/case.yaml:", "YAML syntax error"]),
    (GOOD_RECORD.format(extra="\tnote: tab\n"), 2,
     ["data/case.yaml:15", "YAML syntax error", "tabs"]),
    ("", 2, ["data/case.yaml:1", "the case file is empty"]),
    ("curated: 2026-11-28\nrecords:\n  - &a {id: x-1}\n  - *a\n", 2,
     ["data/case.yaml:3", "anchors and aliases are not supported"]),
    ("- just\n- a list\n", 2, ["data/case.yaml:1", "a case file is a mapping"]),
    (b"curated: 2026-11-28\nrecords:\n  - id: caf\xe9\n", 2,
     ["data/case.yaml:3", "not valid UTF-8"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, ["data/case.yaml:3", "binary content"]),
])
def test_bad_case_file_gets_a_located_message(tmp_path, capsys, content, code, expected):
    result = validate_with(tmp_path, capsys, "case.yaml", content)
    assert result.code == code, result.err
    for text in expected:
        assert text in result.err
    assert "Traceback" not in result.err


def test_all_problems_are_reported_in_one_run(tmp_path, capsys):
    content = GOOD_RECORD.replace("targets: acme-lab", "targets: nobody").replace(
        "2025-02-01", "2025-13-01").format(extra="    colour: red\n")
    result = validate_with(tmp_path, capsys, "case.yaml", content)
    assert result.code == 1
    assert "unknown id 'nobody'" in result.err
    assert "'2025-13-01' is not a real date" in result.err
    assert "unknown key 'colour'" in result.err
    assert "validation failed: 3 problems" in result.err


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    content = "\ufeff" + GOOD_RECORD.format(extra="")
    result = validate_with(tmp_path, capsys, "case.yaml", content.encode("utf-8"))
    assert result.code == 0, result.err


def test_plain_scalars_are_not_retyped(tmp_path, capsys):
    """YAML 1.1 would read `no` as false and dates as datetime; case files keep strings."""
    content = GOOD_RECORD.replace("label: {en: Extra ban, zh: 额外禁令}",
                                  "label: {en: no, zh: 否}").format(extra="")
    result = validate_with(tmp_path, capsys, "case.yaml", content)
    assert result.code == 0, result.err


def test_an_oversized_file_is_refused(tmp_path, capsys, monkeypatch):
    from kg.core import reader

    monkeypatch.setattr(reader, "MAX_INPUT_BYTES", 1000)
    result = validate_with(tmp_path, capsys, "case.yaml", "# " + "x" * 2000 + "\n")
    assert result.code == 2
    assert "over the 1,000-byte input limit" in result.err


def test_turtle_syntax_error_names_file_and_line(tmp_path, capsys):
    result = validate_with(tmp_path, capsys, "extra.ttl",
                           "@prefix aig: <https://w3id.org/aigov-kg/ontology#> .\n\n"
                           "<https://w3id.org/aigov-kg/id/x> aig:within .\n")
    assert result.code == 2
    assert "data/extra.ttl:3: Turtle syntax error" in result.err


def test_blank_nodes_are_refused_in_curated_turtle(tmp_path, capsys):
    result = validate_with(tmp_path, capsys, "extra.ttl",
                           "@prefix aig: <https://w3id.org/aigov-kg/ontology#> .\n"
                           "<https://w3id.org/aigov-kg/id/acme-lab> aig:within [] .\n")
    assert result.code == 1
    assert "curated data may not use blank nodes" in result.err


def test_line_separators_inside_a_turtle_literal_survive(tmp_path):
    """N-Triples leaves U+2028, U+2029 and U+0085 raw inside literals; the table must not
    split a line there (str.splitlines would)."""
    from kg.pipeline.build import check

    comment = "first\u2028second\u2029third\u0085fourth"
    project = make_project(tmp_path, [FIXTURES / "mini"], {"extra.ttl": (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/aigov-kg/id/acme-lab> rdfs:comment "{comment}"@en .\n')})
    table = check(project).reasoned.table
    assert f'"{comment}"@en' in table.ids


def error_lines(err: str) -> list[str]:
    """The findings of a run's stderr that are errors (first line of each), in order."""
    return [line for line in err.splitlines()
            if line.startswith("data/") and "warning:" not in line]


def test_a_missing_source_an_unknown_id_and_a_bad_date_come_back_in_one_run(tmp_path, capsys):
    """The missing source is a shape's finding, the others the loader's: the shapes run on
    what could be loaded, and a shape that fails only because a value could not be read
    (the target, the issue date) does not say it again."""
    content = without_source(GOOD_RECORD.replace("targets: acme-lab", "targets: acme-lap")
                             .replace("2025-02-01", "2025-02-30").format(extra=""))
    result = validate_with(tmp_path, capsys, "case.yaml", content)
    assert result.code == 1, result.err
    assert error_lines(result.err) == [
        "data/case.yaml:3: [extra-ban] no official or reputable source: cite the issuing "
        "body's announcement, a court record, a wire service or a law firm's client alert "
        "(docs/source-policy.md) (event-without-credible-source-violation)",
        "data/case.yaml:3: [extra-ban] Every record needs evidence (key `evidence`): the "
        "http(s) URL of a page you read that confirms it, or a precise citation "
        "(docs/source-policy.md). (shacl:shapes:CuratedRecord-source)",
        "data/case.yaml:8: [extra-ban] targets: unknown id 'acme-lap' (unknown-reference)",
        "data/case.yaml:13: [extra-ban] issuedOn: '2025-02-30' is not a real date (day is out "
        "of range for month) (bad-date)",
    ]
    assert result.err.endswith("error: validation failed: 4 problems\n")


def without_source(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines()
                   if not line.strip().startswith("source:"))


def test_a_syntax_error_in_one_file_hides_nothing_in_another(tmp_path, capsys):
    """A file that cannot be parsed adds nothing, and every other file is still mapped and
    checked; exit 2, since a file could not be read."""
    project = make_project(tmp_path, [FIXTURES / "mini"], {
        "broken.yaml": "curated: 2026-11-28\nrecords:\n  - id: [broken\n",
        "case.yaml": without_source(GOOD_RECORD.format(extra="")),
        "patch.ttl": "@prefix aig: <https://w3id.org/aigov-kg/ontology#> .\n"
                     "<https://w3id.org/aigov-kg/id/acme-lab> aig:within .\n"})
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 2, result.err
    assert [line.split(" ", 1)[0] for line in error_lines(result.err)] == [
        "data/broken.yaml:4:", "data/case.yaml:3:", "data/case.yaml:3:", "data/patch.ttl:2:"]
    assert "data/broken.yaml:4: YAML syntax error: expected ',' or ']'" in result.err
    assert "(shacl:shapes:CuratedRecord-source)" in result.err
    assert "data/patch.ttl:2: Turtle syntax error" in result.err
    assert result.err.endswith("error: validation failed: 4 problems\n")


def test_a_file_with_an_unusable_value_is_checked_but_not_kept(tmp_path, capsys):
    """A value no output can carry (here an unpaired surrogate) keeps its file out of the
    graph the shapes see; a record elsewhere naming one of its ids is no dangling
    reference, since the id is defined there."""
    project = make_project(tmp_path, [FIXTURES / "mini"], {
        "lone.yaml": "curated: 2026-11-28\nrecords:\n  - id: lone-co\n    a: Company\n"
                     "    label: {en: \"Lone \\ud800 Co (illustrative)\"}\n"
                     "    illustrative: true\n    headquarteredIn: cn-nowhere\n"
                     "    source: https://example.org/lone\n",
        "refers.yaml": "curated: 2026-11-28\nrecords:\n  - id: refers-co\n    a: Company\n"
                       "    label: {en: Refers Co (illustrative), zh: 引用公司}\n"
                       "    illustrative: true\n    affiliateOf: lone-co\n"
                       "    source: https://www.reuters.com/technology/\n"})
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 2, result.err
    assert error_lines(result.err) == [
        "data/lone.yaml:5: an unpaired surrogate (U+D800) in a value (bad-character)",
        "data/lone.yaml:7: [lone-co] headquarteredIn: unknown id 'cn-nowhere' "
        "(unknown-reference)"]
    assert "internal error" not in result.err


def test_a_misspelt_key_is_not_reported_again_as_a_missing_value(tmp_path, capsys):
    content = GOOD_RECORD.replace("    issuedOn:", "    issuedOnn:").format(extra="")
    result = validate_with(tmp_path, capsys, "case.yaml", content)
    assert result.code == 1, result.err
    assert error_lines(result.err) == [
        "data/case.yaml:13: [extra-ban] unknown key 'issuedOnn' (unknown-key)"]
    assert "did you mean issuedOn, issuedBy?" in result.err
