"""A terminal that fits: widths in display columns, COLUMNS, colour only on a terminal, names
in any case with "did you mean", a quiet --quiet, progress per phase, and kg explain's
summary, --limit and --full."""

from __future__ import annotations

import io
import re
import time

import pytest

from kg.core.errors import UsageError
from kg.core.namespaces import ID
from kg.query.names import resolve
from kg.views import colour
from kg.views.terminal import cut, display_width, text_table, wrap
from tests.conftest import FIXTURES, make_project
from tests.kgrun import run_kg


def widest(text: str) -> int:
    return max((display_width(line) for line in text.splitlines()), default=0)


# --------------------------------------------------------------------------- widths

def test_cjk_characters_take_two_columns_and_rows_align():
    assert display_width("欧盟") == 4 and display_width("EU") == 2
    assert display_width("e\u0301") == 1  # a combining accent takes none
    rows = [{"name": "欧洲联盟（欧盟）", "n": "1"}, {"name": "Germany", "n": "22"}]
    lines = text_table(rows, ["name", "n"], {}, width=100).splitlines()
    starts = set()
    for line in lines:
        # the second column starts at the same display column on every line
        before = line.rstrip().rsplit("  ", 1)[0] + "  "
        starts.add(display_width(before))
    assert starts == {len("欧洲联盟（欧盟）") * 2 + 2}


def test_cut_and_wrap_count_display_columns_and_mark_what_is_left_out():
    assert cut("Regulation", 6) == "Regul…"
    assert cut("人工智能法案", 5) == "人工…"  # 4 columns and the ellipsis
    assert display_width(cut("人工智能法案", 5)) <= 5
    assert wrap("Cross-border data risk; Data-protection enforcement risk", 24) == [
        "Cross-border data risk;", "Data-protection", "enforcement risk"]
    assert wrap("巴西国家数据保护局国际数据传输条例", 10, 2) == ["巴西国家数", "据保护局…"]


def test_a_wide_table_fits_the_width_given_and_wrapped_cells_keep_their_text():
    rows = [{"a": "x" * 50, "b": "one two three four five six seven eight nine ten"}]
    text = text_table(rows, ["a", "b"], {"a": 80, "b": 80}, width=40, wrapped=("b",))
    assert widest(text) <= 40
    assert "…" in text.splitlines()[2]  # a is abbreviated
    assert "one two" in text and "three" in text  # b wraps


def test_optional_columns_are_left_out_when_the_floors_do_not_fit():
    rows = [{"a": "a" * 30, "b": "b" * 30, "c": "c" * 30}]
    dropped: list[str] = []
    text = text_table(rows, ["a", "b", "c"], {}, width=50, floors={"a": 20, "b": 20, "c": 20},
                      optional=("c",), dropped=dropped)
    assert dropped == ["c"] and "ccc" not in text and widest(text) <= 50


def test_escaping_is_kept_in_tables():
    text = text_table([{"a": "Evil\x1b[31m\x9b"}], ["a"], {}, width=80)
    assert "\x1b" not in text and "\x9b" not in text and "Evil\\x1b[31m\\x9b" in text


# --------------------------------------------------------------------------- colour

class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour.enabled(Tty()) is True
    assert colour.enabled(io.StringIO()) is False  # a pipe or a file
    monkeypatch.setenv("NO_COLOR", "1")
    assert colour.enabled(Tty()) is False
    assert colour.paint("current", "red", on=True) == "\x1b[31mcurrent\x1b[0m"
    assert colour.paint("current", "red", on=False) == "current"


# --------------------------------------------------------------------------- the commands

@pytest.fixture(scope="module")
def built(mini_built):
    return mini_built


@pytest.mark.parametrize("columns", ["100", "60"])
def test_exposures_fit_columns_on_every_line(capsys, built, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    result = run_kg(capsys, built.root, "exposures", "--as-of", "2027-01-01")
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) > 5
    for line in result.out.splitlines():
        assert display_width(line) <= int(columns), line
    assert "\x1b" not in result.out  # not a terminal: no colour


def test_exposures_in_chinese_align_and_use_the_ontology_words(capsys, built, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    result = run_kg(capsys, built.root, "exposures", "--actor", "acme-lab", "--lang", "zh")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split()[:2] == ["状态", "类型"]
    assert "当前适用" in result.out and "instrument" not in result.out
    assert "Exposure" not in result.out  # kinds from the ontology's zh labels
    assert re.search(r"共 \d+ 项风险暴露", result.err)
    # the gaps between columns are blank at the same display columns on every line
    gaps = [m.start() for m in re.finditer("  ", lines[1])]
    assert len(gaps) >= 4
    for line in lines:
        cells = [part for c in line for part in ([c, ""] if display_width(c) == 2 else [c])]
        cells += [" "] * (len(lines[1]) - len(cells))
        assert all(cells[g] == " " and cells[g + 1] == " " for g in gaps), line


def test_jurisdiction_ids_in_any_case_and_common_names(capsys, built):
    lower = run_kg(capsys, built.root, "exposures", "--jurisdiction", "eu", "--format", "csv")
    upper = run_kg(capsys, built.root, "exposures", "--jurisdiction", "EU", "--format", "csv")
    assert upper.code == 0, upper.err
    assert upper.out == lower.out and upper.out.count("\n") > 1
    usa = run_kg(capsys, built.root, "exposures", "--jurisdiction", "usa", "--format", "csv")
    us = run_kg(capsys, built.root, "exposures", "--jurisdiction", "US", "--format", "csv")
    assert usa.code == 0 and usa.out == us.out


INDEX = {
    str(ID[i]): {"id": i, "types": ["Country", "Jurisdiction"], "label": {"en": en}}
    for i, en in (("kr", "South Korea (Republic of Korea)"), ("uk", "United Kingdom"),
                  ("us", "United States"), ("ke", "Kenya"), ("de", "Germany"))
}


def where(text: str, index: dict | None = None) -> str:
    return resolve(text, index or INDEX, "jurisdiction", "--jurisdiction", ("Jurisdiction",))


@pytest.mark.parametrize(("text", "found"), [
    ("UK", "uk"), ("gb", "uk"), ("GBR", "uk"), ("Britain", "uk"), ("united kingdom", "uk"),
    ("usa", "us"), ("United States of America", "us"), ("KOR", "kr"), ("South Korea", "kr"),
    ("republic of korea", "kr"), ("Deutschland", "de")])
def test_codes_and_common_names_name_the_builds_jurisdiction(text, found):
    assert where(text) == str(ID[found])


def test_korea_is_not_guessed_but_suggested():
    with pytest.raises(UsageError) as raised:
        where("korea")
    assert str(raised.value) == ("--jurisdiction: unknown jurisdiction 'korea'; did you mean: "
                                 "kr?")
    both = INDEX | {str(ID["kp"]): {"id": "kp", "types": ["Jurisdiction"],
                                    "label": {"en": "North Korea"}}}
    with pytest.raises(UsageError) as raised:
        where("Korea", both)
    assert str(raised.value).endswith("did you mean: kp, kr?")


def test_a_misspelt_country_name_is_suggested_by_its_common_name():
    with pytest.raises(UsageError) as raised:
        where("germny")
    assert str(raised.value).endswith("did you mean: de?")


def test_aliases_follow_the_build_not_a_fixed_answer():
    """A build that calls the United Kingdom ``gb`` gets ``uk`` resolved to ``gb``."""
    index = {str(ID["gb"]): {"id": "gb", "types": ["Jurisdiction"],
                             "label": {"en": "United Kingdom"}}}
    assert where("UK", index) == str(ID["gb"])
    index[str(ID["gb"])]["alt"] = ["Blighty"]
    assert where("blighty", index) == str(ID["gb"])


# --------------------------------------------------------------------------- build progress

def test_build_reports_every_phase_with_its_time_and_quiet_is_silent(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "build")
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    for pattern in (r"\[1/5\] loading the ontology and case files…",
                    r"\[1/5\] loaded \d+ case files, [\d,]+ asserted triples \(\d+\.\d\ds\)",
                    r"\[2/5\] validated: shapes and QC queries pass.* \(\d+\.\d\ds\)",
                    r"\[3/5\] reasoned \(fast\): [\d,]+ inferred, [\d,]+ derived triples "
                    r"\(\d+\.\d\ds\)",
                    r"\[4/5\] making the exposure records \(the graph files are written "
                    r"meanwhile\)…",
                    r"\[4/5\] made 14 exposure records \(\d+\.\d\ds\)",
                    r"\[5/5\] wrote build/ \(\d+\.\d\ds\)"):
        assert any(re.fullmatch(pattern, line) for line in lines), pattern
    quiet = run_kg(capsys, project.root, "build", "--quiet")
    assert quiet.code == 0
    assert quiet.err == "" and quiet.out == ""


def test_a_long_phase_says_it_is_still_at_work():
    from kg.pipeline.build import Steps

    said: list[str] = []
    steps = Steps(said.append, 2, beat=0.02)
    with steps.phase("reasoning", "reasoning"):
        time.sleep(0.11)
    assert said[0] == "[1/2] reasoning…"
    assert len(said) >= 3 and all(re.fullmatch(r"\[1/2\] … still reasoning \(\d+s\)", s)
                                  for s in said[1:])
    assert steps.elapsed >= 0.1
    silent = Steps(None, 1, beat=0.01)
    with silent.phase("x", "x"):
        time.sleep(0.03)  # nothing printed, no thread started


# --------------------------------------------------------------------------- explain

def test_explain_leads_with_a_summary_and_cites_each_source_once(capsys, built):
    result = run_kg(capsys, built.root, "explain", "acme-lab", "--as-of", "2027-01-01",
                    "--no-precedents")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert re.fullmatch(r"Summary: Acme Lab \(illustrative\) \(acme-lab\): \d+ exposure path\(s\) "
                        r"\(current \d+.*\).*", lines[0])
    assert lines[2].startswith("By jurisdiction") and "By instrument or event" in result.out
    assert "Paths by jurisdiction and instrument:" in result.out
    urls = re.findall(r"https?://\S+", result.out)
    assert urls and len(urls) == len(set(urls))  # each source once
    sources = result.out.split("Sources (each once; [n] in the text refers here):\n", 1)[1]
    numbers = [int(n) for n in re.findall(r"^  \[(\d+)\] ", sources, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_explain_limit_and_full(capsys, built):
    every = run_kg(capsys, built.root, "explain", "acme-lab", "--as-of", "2027-01-01",
                   "--no-precedents", "--full")
    paths = len(re.findall(r"^    \[\d+\] ", every.out, re.M))
    assert paths >= 2
    assert every.out.count("    rule: ") == paths  # step by step, every path
    one = run_kg(capsys, built.root, "explain", "acme-lab", "--as-of", "2027-01-01",
                 "--no-precedents", "--limit", "1")
    assert len(re.findall(r"^    \[\d+\] ", one.out, re.M)) == 1
    assert f"… and {paths - 1} more path(s): --limit N for more, --full for every step" in one.out
