"""kg/cases/diff.py on hand-made exposure records: what counts as new, removed and changed,
and how each is described (the end-to-end `kg diff` runs are in tests/test_diff.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from kg.cases.diff import (
    CSV_COLUMNS,
    Change,
    Diff,
    compare,
    describe,
    facets,
    headline,
    row,
    to_csv,
    to_json,
    to_table,
)

AS_OF = dt.date(2025, 6, 1)


def record(id_: str, actor: str = "acme", source: str = "eu-ai-act", *,
           valid_from: str | None = "2025-02-02", valid_until: str | None = None,
           risks: tuple[tuple[str, tuple[str, ...]], ...] = (("ProhibitedRisk", ("Compliance",)),),
           sources: tuple[str, ...] = ("https://a.example/1",), provision: str | None = None,
           source_status: str | None = "InForce") -> dict:
    return {
        "id": id_,
        "kind": "MarketExposure",
        "actor": {"id": actor},
        "source": {"id": source, "status": source_status},
        "provision": {"id": provision} if provision else None,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "risks": [{"id": r, "categories": list(c)} for r, c in risks],
        "path": [{"sources": list(sources)}, None, {"sources": ["https://b.example/2"]}],
    }


# --------------------------------------------------------------------------- facets


def test_facets_are_what_a_diff_compares():
    r = record("x", risks=(("B", ("c1",)), ("A", ("c2",))),
               sources=("https://z.example", "https://b.example/2"))
    assert facets(r, AS_OF) == {
        "valid_from": "2025-02-02", "valid_until": None, "status": "current",
        "source_status": "InForce", "risks": ["A", "B"],
        "sources": ["https://b.example/2", "https://z.example"],  # sorted, once, None skipped
    }


def test_status_is_as_of_the_date_asked():
    r = record("x", valid_from="2025-08-02", valid_until="2027-01-01")
    assert facets(r, AS_OF)["status"] == "upcoming"
    assert facets(r, dt.date(2026, 1, 1))["status"] == "current"
    assert facets(r, dt.date(2027, 1, 1))["status"] == "ended"
    assert facets(record("y", valid_from=None), AS_OF)["status"] == "pending"


def test_a_missing_source_is_no_source_status():
    r = record("x")
    r["source"] = None
    assert facets(r, AS_OF)["source_status"] is None


# --------------------------------------------------------------------------- compare


def test_new_removed_and_changed_by_exposure_id():
    before = [record("kept"), record("gone"), record("moved", valid_from="2026-12-09")]
    after = [record("kept"), record("fresh"), record("moved", valid_from="2026-08-02")]
    changes = compare(before, after, AS_OF)
    assert [(c.change, c.record["id"]) for c in changes] == [
        ("new", "fresh"), ("removed", "gone"), ("changed", "moved")]
    moved = changes[2]
    assert moved.fields == {"valid_from": ("2026-12-09", "2026-08-02")}
    assert moved.record is after[2]  # the new record
    assert changes[1].record is before[1]  # the old one, for a removed exposure


def test_identical_inputs_have_no_changes():
    records = [record("a"), record("b", actor="other")]
    assert compare(records, [dict(r) for r in records], AS_OF) == []


def test_a_field_outside_the_compared_ones_is_no_change():
    changed = record("a") | {"kind": "SomethingElse", "label": "renamed"}
    assert compare([record("a")], [changed], AS_OF) == []


def test_a_status_that_changes_only_because_of_dates_is_a_change():
    before = record("a", valid_until=None)
    after = record("a", valid_until="2025-05-01")
    (change,) = compare([before], [after], AS_OF)
    assert change.fields == {"valid_until": (None, "2025-05-01"),
                             "status": ("current", "ended")}


def test_every_compared_field():
    before = record("a", risks=(("R1", ("c",)),), sources=("https://old",),
                    source_status="Proposed")
    after = record("a", risks=(("R1", ("c",)), ("R2", ("d",))), sources=("https://new",),
                   source_status="InForce")
    (change,) = compare([before], [after], AS_OF)
    assert change.fields == {
        "source_status": ("Proposed", "InForce"),
        "risks": (["R1"], ["R1", "R2"]),
        "sources": (["https://b.example/2", "https://old"], ["https://b.example/2", "https://new"]),
    }
    assert list(change.fields) == ["source_status", "risks", "sources"]  # in COMPARED order


def test_changes_are_sorted_by_actor_then_kind_of_change_then_source_then_id():
    before = [record("r1", actor="b"), record("c1", actor="a", source="s2")]
    after = [record("n2", actor="b", source="s1"), record("n1", actor="b", source="s1"),
             record("c1", actor="a", source="s2", valid_from=None), record("n0", actor="a",
                                                                           source="z")]
    order = [(c.actor, c.change, c.record["id"]) for c in compare(before, after, AS_OF)]
    assert order == [("a", "new", "n0"), ("a", "changed", "c1"), ("b", "new", "n1"),
                     ("b", "new", "n2"), ("b", "removed", "r1")]


# --------------------------------------------------------------------------- describing


def test_describe_values_and_lists():
    change = Change("changed", record("a"), {
        "valid_from": ("2026-12-09", "2026-08-02"),
        "valid_until": (None, "2027-01-01"),
        "risks": (["R1", "R2"], ["R2", "R3", "R4"]),
    })
    assert describe(change) == ("valid_from 2026-12-09 → 2026-08-02; valid_until — → "
                                "2027-01-01; risks +R3 +R4 -R1")
    assert describe(Change("new", record("a"))) == ""


def test_change_actor_and_categories():
    change = Change("new", record("a", actor="zeta", risks=(("R1", ("c2", "c1")),
                                                            ("R2", ("c1",)))))
    assert change.actor == "zeta"
    assert change.categories == ["c1", "c2"]


def test_row_of_a_change():
    r = record("exp-1", provision="art-5", valid_until="2030-01-01",
               risks=(("R1", ("c1",)), ("R2", ("c2",))))
    change = Change("changed", r, {"valid_until": (None, "2030-01-01")})
    assert row(change, AS_OF) == {
        "change": "changed", "exposure": "exp-1", "actor": "acme", "kind": "Market",
        "source": "eu-ai-act › art-5", "risks": "R1;R2", "categories": "c1;c2",
        "status": "current", "valid_from": "2025-02-02", "valid_until": "2030-01-01",
        "what_changed": "valid_until — → 2030-01-01",
    }
    pending = row(Change("new", record("x", valid_from=None)), AS_OF)
    assert (pending["status"], pending["valid_from"], pending["valid_until"]) == (
        "pending", "", "")


# --------------------------------------------------------------------------- the diff


def sample() -> Diff:
    before = [record("gone", actor="beta", risks=(("R1", ("c1",)),)),
              record("moved", valid_from="2026-12-09", risks=(("R2", ("c1", "c2")),))]
    after = [record("fresh", risks=(("R3", ("c2",)),)),
             record("moved", valid_from="2026-08-02", risks=(("R2", ("c1", "c2")),))]
    return Diff("build", AS_OF, compare(before, after, AS_OF))


def test_counts_and_groups():
    diff = sample()
    assert diff.counts() == {"new": 1, "removed": 1, "changed": 1}
    assert diff.by("actor") == {"acme": {"new": 1, "removed": 0, "changed": 1},
                                "beta": {"new": 0, "removed": 1, "changed": 0}}
    assert diff.by("category") == {"c1": {"new": 0, "removed": 1, "changed": 1},
                                   "c2": {"new": 1, "removed": 0, "changed": 1}}


def test_headline():
    assert headline(sample()) == ("1 new, 1 removed, 1 changed exposure(s) against build/ "
                                  "(status as of 2025-06-01)")
    empty = Diff("elsewhere/build", AS_OF, [])
    assert headline(empty) == "no change in exposures against elsewhere/build/"
    assert empty.counts() == {"new": 0, "removed": 0, "changed": 0}
    assert to_table(empty) == ""


def test_csv_has_a_header_and_a_row_per_change():
    rows = list(csv.DictReader(io.StringIO(to_csv(sample()))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["change"], r["exposure"], r["actor"]) for r in rows] == [
        ("new", "fresh", "acme"), ("changed", "moved", "acme"), ("removed", "gone", "beta")]
    assert rows[1]["what_changed"] == "valid_from 2026-12-09 → 2026-08-02"
    assert rows[1]["status"] == "upcoming"
    assert to_csv(Diff("build", AS_OF, [])) == ",".join(CSV_COLUMNS) + "\n"


def test_json_document():
    document = json.loads(to_json(sample()))
    assert document["against"] == "build" and document["as_of"] == "2025-06-01"
    assert document["counts"] == {"new": 1, "removed": 1, "changed": 1}
    assert document["by_actor"]["beta"] == {"new": 0, "removed": 1, "changed": 0}
    assert document["by_category"]["c2"] == {"new": 1, "removed": 0, "changed": 1}
    changed = document["changes"][1]
    assert changed["exposure"] == "moved"
    assert changed["fields"] == {"valid_from": {"old": "2026-12-09", "new": "2026-08-02"}}
    assert changed["risks"] == ["R2"] and changed["categories"] == ["c1", "c2"]
    assert "what_changed" not in changed
    assert changed["record"]["valid_from"] == "2026-08-02"


def test_table_lists_changes_then_counts_by_actor_and_category(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: every heading in full
    text = to_table(sample())
    lines = text.splitlines()
    assert lines[0].split() == ["change", "actor", "kind", "source", "risks", "status",
                                "valid_from", "valid_until", "what_changed"]
    assert lines[2].split()[:2] == ["new", "acme"]
    assert lines[4].split()[:2] == ["removed", "beta"]
    assert "\nby actor:\n" in text and "\nby risk category:\n" in text
    after_actor = text.split("\nby actor:\n")[1].split("\nby risk category:\n")
    assert after_actor[0].splitlines()[2].split() == ["acme", "1", "0", "1"]
    assert after_actor[1].splitlines()[3].split() == ["c2", "1", "0", "1"]
