"""Diff: what a change to data/ (or the ontology) does to the exposures.

The exposures of the current inputs are computed in memory (``build.check``: load,
validate, reason — nothing written) and compared with those of a finished build
(``build/`` or ``--against DIR``). Exposure IRIs are deterministic hashes of the path
(actor, instrument or provision, activity or target, jurisdiction), so the same path
keeps its id across builds: an id only in the new set is a new exposure, one only in
the old set a removed one, and one in both whose dates, risks, status or path sources
differ is a changed one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.core.errors import InputError
from kg.core.project import Project
from kg.pipeline.build import check
from kg.pipeline.exposures import status_as_of
from kg.store.built import Built
from kg.views.terminal import text_table

CHANGES = ("new", "removed", "changed")
COMPARED = ("valid_from", "valid_until", "status", "source_status", "risks", "sources")


@dataclass
class Change:
    change: str  # new | removed | changed
    record: dict[str, Any]  # the new record (the old one for a removed exposure)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (old, new)

    @property
    def actor(self) -> str:
        actor: str = self.record["actor"]["id"]
        return actor

    @property
    def categories(self) -> list[str]:
        return sorted({c for risk in self.record["risks"] for c in risk["categories"]})


@dataclass
class Diff:
    against: str
    as_of: dt.date
    changes: list[Change]

    def counts(self) -> dict[str, int]:
        counter = Counter(c.change for c in self.changes)
        return {name: counter[name] for name in CHANGES}

    def by(self, key: str) -> dict[str, dict[str, int]]:
        """Counts of each kind of change per actor (``key="actor"``) or risk category."""
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for change in self.changes:
            groups = [change.actor] if key == "actor" else change.categories
            for group in groups:
                table[group][change.change] += 1
        return {group: {name: counter[name] for name in CHANGES}
                for group, counter in sorted(table.items())}


# --------------------------------------------------------------------------- comparing


def facets(record: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The parts of an exposure a diff compares."""
    return {
        "valid_from": record.get("valid_from"),
        "valid_until": record.get("valid_until"),
        "status": status_as_of(record, as_of),
        "source_status": (record.get("source") or {}).get("status"),
        "risks": sorted(r["id"] for r in record["risks"]),
        "sources": sorted({s for step in record["path"] if step for s in step["sources"]}),
    }


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]],
            as_of: dt.date) -> list[Change]:
    old = {r["id"]: r for r in before}
    new = {r["id"]: r for r in after}
    changes = [Change("new", new[i]) for i in new.keys() - old.keys()]
    changes += [Change("removed", old[i]) for i in old.keys() - new.keys()]
    for exposure in new.keys() & old.keys():
        was, now = facets(old[exposure], as_of), facets(new[exposure], as_of)
        fields = {name: (was[name], now[name]) for name in COMPARED if was[name] != now[name]}
        if fields:
            changes.append(Change("changed", new[exposure], fields))
    changes.sort(key=lambda c: (c.actor, CHANGES.index(c.change), c.record["source"]["id"],
                                c.record["id"]))
    return changes


def run(project: Project, against: Path | None = None, files: list[Path] | None = None,
        as_of: dt.date | None = None) -> Diff:
    """Compare the current inputs (plus ``files``) with a finished build; writes nothing.

    Invalid inputs raise ValidationFailed from ``check``, before anything is compared.
    """
    as_of = as_of or dt.date.today()
    built = Built.open(project, against)  # an InputError if it cannot be read
    before = built.exposures()
    where = project.relative(built.out_dir)
    inputs = project.data_files()
    inputs += [p for p in files or [] if p not in inputs]
    records = check(project, files=inputs).records
    try:
        changes = compare(before, records, as_of)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{where}/exposures.json: not the exposures of a kg build "
                         f"({type(exc).__name__}: {exc})") from None
    return Diff(where, as_of, changes)


# --------------------------------------------------------------------------- rendering


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ";".join(value) or "—"
    return str(value)


def describe(change: Change) -> str:
    """What changed, e.g. ``valid_from 2026-12-09 → 2026-08-02``."""
    parts = []
    for name, (old, new) in change.fields.items():
        if isinstance(old, list):
            added = [v for v in new if v not in old]
            dropped = [v for v in old if v not in new]
            text = " ".join([*(f"+{v}" for v in added), *(f"-{v}" for v in dropped)])
            parts.append(f"{name} {text}")
        else:
            parts.append(f"{name} {_text(old)} → {_text(new)}")
    return "; ".join(parts)


def row(change: Change, as_of: dt.date) -> dict[str, str]:
    record = change.record
    source = record["source"]["id"]
    if record.get("provision"):
        source += " › " + record["provision"]["id"]
    return {
        "change": change.change,
        "exposure": record["id"],
        "actor": change.actor,
        "kind": record["kind"].replace("Exposure", ""),
        "source": source,
        "risks": ";".join(r["id"] for r in record["risks"]),
        "categories": ";".join(change.categories),
        "status": status_as_of(record, as_of),
        "valid_from": record.get("valid_from") or "",
        "valid_until": record.get("valid_until") or "",
        "what_changed": describe(change),
    }


def headline(diff: Diff) -> str:
    counts = diff.counts()
    if not diff.changes:
        return f"no change in exposures against {diff.against}/"
    return (f"{counts['new']} new, {counts['removed']} removed, {counts['changed']} changed "
            f"exposure(s) against {diff.against}/ (status as of {diff.as_of.isoformat()})")


def _count_rows(groups: dict[str, dict[str, int]], name: str) -> list[dict[str, str]]:
    return [{name: group, **{k: str(v) for k, v in counts.items()}}
            for group, counts in groups.items()]


def to_table(diff: Diff) -> str:
    rows = [row(c, diff.as_of) for c in diff.changes]
    if not rows:
        return ""
    columns = ["change", "actor", "kind", "source", "risks", "status", "valid_from",
               "valid_until", "what_changed"]
    widths = {"actor": 30, "source": 50, "risks": 40, "what_changed": 60}
    parts = [text_table(rows, columns, widths, ""), "\nby actor:\n",
             text_table(_count_rows(diff.by("actor"), "actor"), ["actor", *CHANGES],
                        {"actor": 40}, ""),
             "\nby risk category:\n",
             text_table(_count_rows(diff.by("category"), "category"), ["category", *CHANGES],
                        {"category": 40}, "")]
    return "".join(parts)


CSV_COLUMNS = ["change", "exposure", "actor", "kind", "source", "risks", "categories",
               "status", "valid_from", "valid_until", "what_changed"]


def to_csv(diff: Diff) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for change in diff.changes:
        writer.writerow(row(change, diff.as_of))
    return buffer.getvalue()


def to_json(diff: Diff) -> str:
    changes = []
    for change in diff.changes:
        item: dict[str, Any] = {k: v for k, v in row(change, diff.as_of).items()
                                if k != "what_changed"}
        item["risks"] = [r["id"] for r in change.record["risks"]]
        item["categories"] = change.categories
        item["fields"] = {name: {"old": old, "new": new}
                          for name, (old, new) in change.fields.items()}
        item["record"] = change.record
        changes.append(item)
    document = {"against": diff.against, "as_of": diff.as_of.isoformat(),
                "counts": diff.counts(), "by_actor": diff.by("actor"),
                "by_category": diff.by("category"), "changes": changes}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
