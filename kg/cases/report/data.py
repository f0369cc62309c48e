"""The `kg screen` report for other tools: JSON (the shape documented in docs/screening.md
and checked by ``schema/screening.schema.json``), CSV (one row per exposure) and iCalendar
(RFC 5545: one all-day event per dated deadline)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

from kg.cases.report.model import (
    Brief,
    Deadline,
    Group,
    Item,
    actor_name,
    counts,
    coverage_data,
    label,
    mitigation_numbers,
    mitigation_title,
)

FORMAT = "aigov-kg/screening"
VERSION = 1
SCHEMA_FILE = "schema/screening.schema.json"  # relative to this package


def schema() -> dict[str, Any]:
    """The JSON Schema of :func:`to_json`'s output, as shipped with the package."""
    from importlib.resources import files

    loaded: dict[str, Any] = json.loads(
        files("kg.cases.report").joinpath(SCHEMA_FILE).read_text("utf-8"))
    return loaded


# --------------------------------------------------------------------------- JSON


def _sources(urls: list[str], marks: dict[str, str]) -> list[dict[str, str | None]]:
    return [{"url": url, "mark": marks.get(url)} for url in urls]


def _deadline(b: Brief, d: Deadline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"date": d.date or None, "days": d.days, "event": d.event,
            "source": {"id": d.source_id, "label": d.source},
            "provision": {"id": d.provision_id, "label": d.provision} if d.provision_id
            else None,
            "exposures": d.numbers, "actors": d.actors, "jurisdictions": d.jurisdictions,
            "text": b.deadline_text(d)}


def _path(b: Brief, item: Item) -> dict[str, Any]:
    record = item.record
    provision = record.get("provision")
    steps = [s for s in record["path"] if s and s["role"] != "risk"]
    return {
        "number": item.number, "id": record["id"], "status": record["status"],
        "kind": record["kind"], "rule": item.kind,
        "valid_from": record.get("valid_from"), "valid_from_basis": record.get(
            "valid_from_basis"), "valid_until": record.get("valid_until"),
        "jurisdiction": record["jurisdiction"],
        "source_jurisdiction": record["source_jurisdiction"],
        "provision": {"id": provision["id"], "label": item.provision,
                      "sources": _sources(provision.get("sources", []), b.screening.source_marks)}
        if provision else None,
        "risks": [{"id": r["id"], "label": label(r, b.lang), "categories": r["categories"]}
                  for r in record["risks"]],
        "steps": [{"role": s["role"], "id": s["id"], "label": text, "relation": rel}
                  for s, (rel, text) in zip(steps, item.path, strict=True)],
        "sources": _sources(item.sources, b.screening.source_marks),
        "mitigations": [f"M{i + 1}" for i in item.mitigations],
    }


def _item(b: Brief, actor: str, group: Group) -> list[dict[str, Any]]:
    source = group.items[0].record["source"]
    out = []
    for entry in group.entries:
        activity = entry.items[0].record.get("activity")
        out.append({
            "actor": actor,
            "source": {"id": group.source_id, "label": group.source, "type": source.get("type"),
                       "status": source.get("status"), "identifier": source.get("identifier"),
                       "jurisdiction": entry.items[0].record["source_jurisdiction"],
                       "sources": _sources(group.sources, group.marks)},
            "activity": {"id": activity["id"], "label": label(activity, b.lang),
                         "type": activity.get("type")} if activity else None,
            "route": entry.route or None, "rule": entry.kind or None,
            "counts": counts([i.record for i in entry.items]),
            "paths": [_path(b, item) for item in entry.items],
        })
    return out


def document(b: Brief) -> dict[str, Any]:
    """The report as plain data (see docs/screening.md, "The JSON report")."""
    s = b.screening
    numbers = mitigation_numbers(b.groups)
    records = [r for rs in s.exposures.values() for r in rs]
    return {
        "format": FORMAT, "version": VERSION, "profile": s.profile,
        "as_of": s.as_of.isoformat(), "lang": b.lang, "title": b.title, "note": b.ui["note"],
        "company": {"id": s.company, "label": actor_name(s, s.company, b.lang)},
        "totals": {"exposures": len(records), **counts(records)},
        "summary": [{"jurisdiction": p.id, "label": p.label, "exposures": p.total, **p.counts,
                     "rules_from": p.rules_from, "nearest_deadline": _deadline(b, p.nearest),
                     "precedents": p.precedents} for p in b.places],
        "actors": [{"id": actor, "label": actor_name(s, actor, b.lang), "role": role,
                    "exposures": len(s.exposures[actor]), **counts(s.exposures[actor]),
                    "categories": sorted({c for r in s.exposures[actor] for risk in r["risks"]
                                          for c in risk["categories"]})}
                   for actor, role in s.actors],
        "timeline": [_deadline(b, d) for d in b.deadlines],
        "statements": [st.get(b.lang) or st["en"] for st in s.statements],
        "warnings": [{"file": w.file, "line": w.line, "rule": w.rule, "message": w.message,
                      "hint": w.hint, "severity": w.severity} for w in s.warnings],
        "coverage": coverage_data(s),
        "precedents": {
            "measures": [{"ref": f"P{n}", **p.as_dict()}
                         for n, p in enumerate(b.precedents.measures, 1)],
            "markets": [{"activity": a, "jurisdiction": j, "label": text,
                         "refs": [f"P{n}" for n in found]}
                        for a, j, text, found in b.precedents.markets]},
        "items": [entry for actor, _role in s.actors for group in b.groups[actor]
                  for entry in _item(b, actor, group)],
        "mitigations": [{"ref": f"M{i + 1}", "id": m.id, "label": mitigation_title(m, b.lang),
                         "description": m.description.get(b.lang) or m.description.get("en")
                         or "", "addresses": m.addresses,
                         "sources": _sources(m.sources, m.marks),
                         "exposures": numbers.get(i, [])}
                        for i, m in enumerate(s.mitigations)],
    }


def to_json(b: Brief) -> str:
    return json.dumps(document(b), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    "number", "exposure_id", "actor_id", "actor", "role", "status", "valid_from",
    "valid_from_basis", "valid_until", "days_to_start", "jurisdiction", "source_jurisdiction",
    "instrument_id", "instrument", "instrument_type", "instrument_status", "identifier",
    "provision_id", "provision", "activity_id", "activity", "rule", "risk_ids", "risks",
    "categories", "mitigations", "official_text", "sources",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one that could start a formula gets a
    leading apostrophe (OWASP's advice against CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(b: Brief) -> str:
    """One row per exposure, in the report's order; lists joined by " | "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    roles = dict(b.screening.actors)
    for actor, groups in b.groups.items():
        for group in groups:
            official = group.official()
            for item in group.items:
                writer.writerow(cell(v) for v in _row(b, actor, roles[actor], group, official,
                                                      item))
    return buffer.getvalue()


def _row(b: Brief, actor: str, role: str, group: Group, official: list[str],
         item: Item) -> list[object]:
    record = item.record
    source, activity = record["source"], record.get("activity") or {}
    start = record.get("valid_from")
    days = (dt.date.fromisoformat(start) - b.screening.as_of).days if start else None
    return [
        item.number, record["id"], actor, actor_name(b.screening, actor, b.lang), role,
        record["status"], start, record.get("valid_from_basis"), record.get("valid_until"),
        days if days is not None and days > 0 else "", record["jurisdiction"],
        record["source_jurisdiction"], group.source_id, group.source, source.get("type"),
        source.get("status"), source.get("identifier"),
        (record.get("provision") or {}).get("id"), item.provision, activity.get("id"),
        label(activity, b.lang) if activity else "", item.kind,
        " | ".join(r["id"] for r in record["risks"]),
        " | ".join(name for name, _c in item.risks),
        " | ".join(sorted({c for _n, cs in item.risks for c in cs})),
        " | ".join(f"M{i + 1}" for i in item.mitigations), " | ".join(official),
        " | ".join(group.sources + item.sources),
    ]


# --------------------------------------------------------------------------- iCalendar


def ics_text(text: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says: backslash, semicolon, comma and
    newline; other control characters (not allowed in a content line) dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(c for c in text if c == "\t" or (ord(c) >= 0x20 and c != "\x7f"))


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1): CRLF and one space before each
    continuation, never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # the leading space takes one octet
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def to_ics(b: Brief, stamp: dt.datetime | None = None) -> str:
    """Each dated deadline of the timeline as an all-day VEVENT; pending ones have no date
    and are left out. The UID is stable for the same company, date, instrument and
    provision, so a re-import updates an event instead of doubling it."""
    stamp = stamp or dt.datetime.now(dt.UTC)
    s = b.screening
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//aigov-kg//kg screen//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{ics_text(b.title)}"]
    for d in b.deadlines:
        if not d.date:
            continue
        key = "|".join((s.company, d.date, d.event, d.source_id, d.provision_id))
        uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        day = dt.date.fromisoformat(d.date)
        summary = f"{d.source} · {d.provision}" if d.provision else d.source
        description = (f"{b.deadline_text(d)}\n{b.meta}\n{b.ui['note']}")
        lines += ["BEGIN:VEVENT", f"UID:{uid}@aigov-kg", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{ics_text(f'{b.ui[d.event]}: {summary}')}",
                  f"DESCRIPTION:{ics_text(description)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
