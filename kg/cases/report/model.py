"""The `kg screen` report, medium-free: an executive summary per jurisdiction, a deadline
timeline, then the exposures — one entry per instrument × activity, with all its paths
under it — and the coverage, precedents and mitigations. The writers in this package
(text and Markdown in :mod:`.text`, HTML in :mod:`.html`, JSON, CSV and iCalendar in
:mod:`.data`) read the :class:`Brief` made here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kg.cases.precedents import Precedent
from kg.cases.report.words import BASIS_WORDS, HOME_WORDS, KIND_WORDS, UI
from kg.cases.screen import STATUS_ORDER, Mitigation, Screening, is_profile_node
from kg.core.namespaces import ID

# --------------------------------------------------------------------------- the report


def label(step: dict[str, Any] | None, lang: str) -> str:
    """A node's label in ``lang``; profile records lose their "(illustrative)" suffix."""
    if not step:
        return ""
    labels = step.get("label") or {}
    text: str = labels.get(lang) or labels.get("en") or step.get("id", "")
    if is_profile_node(step):
        text = text.removesuffix(" (illustrative)").removesuffix("（示例）")
    return text


@dataclass
class Item:
    """One exposure (one path), ready to print in any format."""

    number: int
    record: dict[str, Any]
    status: str
    dates: str
    kind: str
    provision: str
    risks: list[tuple[str, list[str]]]
    path: list[tuple[str, str]]  # (relation, label); the first relation is empty
    sources: list[str]  # sources of the path beyond the instrument's own
    mitigations: list[int] = field(default_factory=list)
    route: str = ""  # the path up to the instrument, as one line, less the actor


@dataclass
class Entry:
    """One instrument × activity: the route to the instrument, and every path under it."""

    activity: str  # the activity's id ("" when the path has none)
    route: str  # the steps from the actor to the instrument (the actor left out)
    kind: str  # the rule that joined the paths (when they all share it)
    items: list[Item] = field(default_factory=list)

    def mitigations(self) -> list[int]:
        return sorted({i for item in self.items for i in item.mitigations})


@dataclass
class Group:
    """An instrument or event, and one actor's exposures through it."""

    source: str
    detail: str
    sources: list[str]
    entries: list[Entry] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # URL -> official text / tier
    source_id: str = ""

    @property
    def items(self) -> list[Item]:
        return [item for entry in self.entries for item in entry.items]

    def official(self) -> list[str]:
        """The instrument's official texts (the sources the policy marks so)."""
        from kg.pipeline.sourcepolicy import OFFICIAL_TEXT

        return [url for url in self.sources if self.marks.get(url) == OFFICIAL_TEXT]


def report(screening: Screening, lang: str) -> dict[str, list[Group]]:
    """Each actor's exposures grouped by instrument, then by activity, numbered in the
    order shown."""
    out: dict[str, list[Group]] = {}
    number = 0
    for actor, _role in screening.actors:
        by_source: dict[str, list[dict[str, Any]]] = {}
        for record in screening.exposures[actor]:
            by_source.setdefault(record["source"]["id"], []).append(record)
        groups = []
        for records in sorted(by_source.values(), key=lambda rs: min(map(_order, rs))):
            source = records[0]["source"]
            group = Group(label(source, lang), "; ".join(
                str(source[k]) for k in ("type", "status", "identifier") if source.get(k)),
                source["sources"], marks=screening.source_marks, source_id=source["id"])
            by_activity: dict[str, list[dict[str, Any]]] = {}
            for record in records:
                by_activity.setdefault((record.get("activity") or {}).get("id", ""),
                                       []).append(record)
            for key, found in sorted(by_activity.items(),
                                     key=lambda kv: min(map(_order, kv[1]))):
                entry = Entry(key, "", "")
                for record in sorted(found, key=_order):
                    number += 1
                    entry.items.append(_item(number, record, group, screening, lang))
                routes = {item.route for item in entry.items}
                kinds = {item.kind for item in entry.items}
                entry.route = routes.pop() if len(routes) == 1 else ""
                entry.kind = kinds.pop() if len(kinds) == 1 else ""
                group.entries.append(entry)
            groups.append(group)
        out[actor] = groups
    return out


def _order(record: dict[str, Any]) -> tuple[int, str, str, str]:
    return (STATUS_ORDER.index(record["status"]), record.get("valid_from") or "9999",
            (record.get("provision") or {}).get("id", ""), record["id"])


def _item(number: int, record: dict[str, Any], group: Group, screening: Screening,
          lang: str) -> Item:
    from kg.views.explain import STATUS_WORDS

    zh = 1 if lang == "zh" else 0
    ui = UI[lang]
    basis = BASIS_WORDS.get(record.get("valid_from_basis") or "")
    dates = " ".join(part for part in (
        f"{ui['from']} {record['valid_from']}" if record.get("valid_from") else "",
        f"({basis[zh]})" if basis and record.get("valid_from") else "",
        f"{ui['until']} {record['valid_until']}" if record.get("valid_until") else "") if part)
    kind = HOME_WORDS if record["kind"] == "MarketExposure" and record.get("home") else \
        KIND_WORDS.get(record["kind"], (record["kind"],) * 2)
    steps = path_steps(record, lang)
    roles = [s["role"] for s in record["path"] if s and s["role"] != "risk"]
    route = [step for step, role in zip(steps, roles, strict=True)
             if role not in ("actor", "source", "provision")]
    if route and roles[1:2] == ["activity"] and record["kind"] != "ValueChainExposure":
        route[0] = ("", route[0][1])  # "Acme offers services in de", not "performs Acme …"
    return Item(number, record, STATUS_WORDS[record["status"]][zh], dates, kind[zh],
                label(record.get("provision"), lang),
                [(label(r, lang), r["categories"]) for r in record["risks"]],
                steps, [s for s in path_sources(record) if s not in group.sources],
                screening.links.get(record["id"], []),
                " → ".join(f"{rel} {text}".strip() for rel, text in route))


def path_steps(record: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    from kg.views.explain import RELATION, SOURCE_RELATION

    zh = 1 if lang == "zh" else 0
    steps: list[tuple[str, str]] = []
    for index, step in enumerate(s for s in record["path"] if s and s["role"] != "risk"):
        words = RELATION.get(step["role"], (step["role"], step["role"]))
        if step["role"] == "source":
            words = SOURCE_RELATION.get(record["kind"], words)
        if step["role"] == "activity" and record["kind"] == "ValueChainExposure":
            words = ("is placed on the market through", "通过以下活动投放市场")
        steps.append(("" if index == 0 else words[zh], label(step, lang)))
    return steps


def path_sources(record: dict[str, Any]) -> list[str]:
    """The curated sources along the path: instrument and provision first, then the rest."""
    order = {"source": 0, "provision": 1}
    steps = sorted((s for s in record["path"] if s and not is_profile_node(s)),
                   key=lambda s: order.get(s["role"], 2))
    return list(dict.fromkeys(src for step in steps for src in step["sources"]))


def counts(records: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for r in records if r["status"] == s) for s in STATUS_ORDER[:3]}


def summary_rows(screening: Screening, lang: str) -> list[dict[str, str]]:
    ui = UI[lang]
    rows = []
    for actor, role in screening.actors:
        records = screening.exposures[actor]
        categories = sorted({c for r in records for risk in r["risks"]
                             for c in risk["categories"]})
        rows.append({ui["actor"]: actor_name(screening, actor, lang), ui["role"]: ui[role],
                     ui["total"]: str(len(records)),
                     **{ui[k]: str(v) for k, v in counts(records).items()},
                     ui["categories"]: ", ".join(c.removesuffix("Risk") for c in categories)})
    return rows


def actor_name(screening: Screening, actor: str, lang: str) -> str:
    return label({"id": actor, "iri": str(ID[actor]), "label": screening.labels(actor)}, lang)


def totals(screening: Screening, lang: str) -> str:
    statuses = [r["status"] for rs in screening.exposures.values() for r in rs]
    return UI[lang]["total_line"].format(n=len(statuses), **{
        s: statuses.count(s) for s in ("current", "upcoming", "pending")})


# --------------------------------------------------------------------------- the summary


@dataclass
class Deadline:
    """A date from the as-of date on which an instrument (or one provision) starts or
    stops applying to some of the exposures; a pending one has no date."""

    date: str  # YYYY-MM-DD, or "" when pending
    days: int | None  # days from the as-of date
    event: str  # "starts", "ends" or "pending"
    source_id: str
    source: str
    provision_id: str
    provision: str
    numbers: list[int] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)  # actor ids, in the report's order
    jurisdictions: list[str] = field(default_factory=list)  # where the activities are


@dataclass
class Place:
    """One jurisdiction of the executive summary: where the profile's activities are."""

    id: str
    label: str
    counts: dict[str, int]
    rules_from: list[str]  # the jurisdictions of the instruments that reach it
    nearest: Deadline | None
    precedents: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def items_of(groups: dict[str, list[Group]]) -> list[tuple[str, Group, Item]]:
    return [(actor, group, item) for actor, gs in groups.items() for group in gs
            for item in group.items]


def timeline(screening: Screening, groups: dict[str, list[Group]]) -> list[Deadline]:
    """What starts or stops applying when, from the as-of date, soonest first; one entry per
    date × instrument × provision; the pending ones (no date yet) last."""
    found: dict[tuple[str, str, str, str], Deadline] = {}
    as_of = screening.as_of.isoformat()
    for actor, group, item in items_of(groups):
        record = item.record
        provision = record.get("provision") or {}
        events = [("starts", record.get("valid_from") or ""), ("ends", record.get("valid_until")
                                                                or "")]
        if record["status"] == "pending":
            events = [("pending", "")]
        for event, date in events:
            if event != "pending" and not date > as_of:
                continue
            key = (date or "9999", event, group.source_id, provision.get("id", ""))
            if key not in found:
                days = (dt.date.fromisoformat(date) - screening.as_of).days if date else None
                found[key] = Deadline(date, days, event, group.source_id, group.source,
                                      provision.get("id", ""), item.provision)
            deadline = found[key]
            deadline.numbers.append(item.number)
            if actor not in deadline.actors:
                deadline.actors.append(actor)
            if record["jurisdiction"] not in deadline.jurisdictions:
                deadline.jurisdictions.append(record["jurisdiction"])
    return [found[key] for key in sorted(found)]


def places(screening: Screening, groups: dict[str, list[Group]], lang: str,
           deadlines: list[Deadline]) -> list[Place]:
    """Per jurisdiction where the profile acts (and any other an exposure is in): the
    exposures by status, where their rules come from, the nearest dated deadline from the
    as-of date, and how many precedents were found for activities there."""
    from kg.pipeline.coverage import label as place_label

    records = [r for rs in screening.exposures.values() for r in rs]
    order = list(dict.fromkeys([j for _a, j in screening.markets]
                               + [r["jurisdiction"] for r in records]))
    out = []
    for where in order:
        mine = [r for r in records if r["jurisdiction"] == where]
        dated = [d for d in deadlines if d.date and d.event == "starts"
                 and where in d.jurisdictions]
        measures = {p.measure for (_a, j), found in screening.precedents.items() if j == where
                    for p in found}
        out.append(Place(where, place_label(screening.coverage, where, lang), counts(mine),
                         sorted({r["source_jurisdiction"] for r in mine}),
                         dated[0] if dated else None, len(measures)))
    return out


# --------------------------------------------------------------------------- mitigations


def mitigation_uses(screening: Screening, groups: dict[str, list[Group]]) -> dict[int, str]:
    """For each mitigation, the exposure numbers it is linked to, as ranges ("3-5, 9")."""
    numbers = mitigation_numbers(groups)
    total = len(items_of(groups))
    return {index: "*" if len(found) == total else ranges(found)
            for index, found in numbers.items()}


def mitigation_numbers(groups: dict[str, list[Group]]) -> dict[int, list[int]]:
    numbers: dict[int, list[int]] = {}
    for _actor, _group, item in items_of(groups):
        for index in item.mitigations:
            numbers.setdefault(index, []).append(item.number)
    return numbers


def ranges(numbers: list[int], prefix: str = "") -> str:
    """``[1, 2, 3, 5]`` as ``1–3, 5``."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{prefix}{a}" if a == b else f"{prefix}{a}, {prefix}{b}" if b == a + 1
                     else f"{prefix}{a}–{prefix}{b}" for a, b in spans)


def uses_text(uses: dict[int, str], index: int, ui: dict[str, str]) -> str:
    found = uses.get(index, "")
    return ui["every"] if found == "*" else f"{ui['for']} {found}"


def mitigation_title(mitigation: Mitigation, lang: str) -> str:
    return mitigation.label.get(lang) or mitigation.label.get("en") or mitigation.id


# --------------------------------------------------------------------------- coverage, precedents


def coverage_places(screening: Screening, lang: str) -> list[tuple[str, str, list[str]]]:
    """(jurisdiction, verdict, activities): the coverage of each jurisdiction of the
    profile, with those containing it after semicolons, once per distinct verdict."""
    from kg.pipeline.coverage import chain, label, verdict

    cov = screening.coverage
    found: dict[tuple[str, str], list[str]] = {}
    for activity, jurisdiction in screening.markets:
        text = "; ".join(
            (f"{label(cov, where, lang)}: " if depth else "")
            + verdict(cov, where, [activity]).text(cov, lang)
            for depth, where in enumerate(chain(cov, jurisdiction)))
        found.setdefault((label(cov, jurisdiction, lang), text), []).append(
            label(cov, activity, lang))
    return [(where, text, activities) for (where, text), activities in found.items()]


def coverage_data(screening: Screening) -> list[dict[str, Any]]:
    """The coverage verdicts as data: per market, the jurisdiction and those containing it."""
    from kg.pipeline.coverage import chain, verdict

    cov = screening.coverage
    return [{"activity": activity, "jurisdiction": jurisdiction,
             "verdicts": [verdict(cov, where, [activity]).as_dict()
                          for where in chain(cov, jurisdiction)]}
            for activity, jurisdiction in screening.markets]


@dataclass
class Precedents:
    """Every precedent once, numbered P1…, and per market the numbers found there."""

    measures: list[Precedent]
    markets: list[tuple[str, str, str, list[int]]]  # (activity, jurisdiction, label, numbers)


def precedent_index(screening: Screening, lang: str) -> Precedents:
    from kg.pipeline.coverage import label

    cov = screening.coverage
    measures: list[Precedent] = []
    index: dict[str, int] = {}
    markets = []
    for key in screening.markets:
        numbers = []
        for p in screening.precedents.get(key, []):
            if p.measure not in index:
                measures.append(p)
                index[p.measure] = len(measures)
            numbers.append(index[p.measure])
        activity, jurisdiction = key
        markets.append((activity, jurisdiction, f"{label(cov, activity, lang)} · "
                        f"{label(cov, jurisdiction, lang)}", numbers))
    return Precedents(measures, markets)


def precedent_line(p: Precedent) -> str:
    return (f"{p.issued_on} {p.type}: {p.label} — {p.actor_label} [{p.jurisdiction}; {p.status}"
            + (f", ended {p.ended_on}" if p.ended_on else
               f", confirmed {p.confirmed_on}" if p.confirmed_on else "") + "]")


def precedent_markets(found: Precedents, ui: dict[str, str]) -> list[str]:
    """One line per jurisdiction and set of precedents, naming the activities; the markets
    without any on one last line."""
    same: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for _a, _j, market, numbers in found.markets:
        activity, _sep, where = market.partition(" · ")
        same.setdefault((where, tuple(numbers)), []).append(activity)
    lines = [ui["precedent_refs"].format(market=f"{where} — {', '.join(activities)}",
                                         refs=ranges(list(numbers), "P"))
             for (where, numbers), activities in same.items() if numbers]
    empty = [f"{where} — {', '.join(activities)}"
             for (where, numbers), activities in same.items() if not numbers]
    if empty:
        lines.append(f"{ui['none_for']} {'; '.join(empty)}")
    return lines


# --------------------------------------------------------------------------- the brief


@dataclass
class Brief:
    """Everything a writer shows, in the report's language."""

    screening: Screening
    lang: str
    ui: dict[str, str]
    groups: dict[str, list[Group]]
    deadlines: list[Deadline]
    places: list[Place]
    precedents: Precedents

    @property
    def title(self) -> str:
        return self.ui["title"].format(name=actor_name(self.screening, self.screening.company,
                                                       self.lang))

    @property
    def meta(self) -> str:
        return self.ui["meta"].format(profile=self.screening.profile,
                                      as_of=self.screening.as_of.isoformat())

    def place_rows(self) -> list[dict[str, str]]:
        ui = self.ui
        return [{ui["code"]: p.id, ui["total"]: str(p.total),
                 **{ui[k]: str(v) for k, v in p.counts.items()},
                 ui["rules_from"]: ", ".join(p.rules_from),
                 ui["nearest"]: p.nearest.date if p.nearest else "—",
                 ui["precedents"]: str(p.precedents), ui["jurisdiction"]: p.label}
                for p in self.places]

    def place_lines(self) -> list[str]:
        """One line per jurisdiction: ``Germany: 26 current, 13 upcoming; rules from eu; …``"""
        ui, out = self.ui, []
        for p in self.places:
            shown = [ui["count_status"].format(n=n, status=ui[s]) for s, n in p.counts.items()
                     if n]
            if not shown:
                out.append(ui["place_none"].format(label=f"{p.id} {p.label}", p=p.precedents))
                continue
            nearest = self.when(p.nearest) if p.nearest else ui["no_date"]
            out.append(ui["place_line"].format(
                label=f"{p.id} {p.label}", counts=ui["list_sep"].join(shown),
                rules=", ".join(p.rules_from), nearest=nearest, p=p.precedents))
        return out

    def deadline_text(self, d: Deadline) -> str:
        """``applies: EU AI Act · Art. 111(3) — Acme Robotics (de, eu) [27, 28]``"""
        names = ", ".join(actor_name(self.screening, a, self.lang) for a in d.actors)
        what = f"{d.source} · {d.provision}" if d.provision else d.source
        event = "" if d.event == "pending" else f"{self.ui[d.event]}: "
        return (f"{event}{what} — {names} ({', '.join(d.jurisdictions)}) "
                f"[{ranges(d.numbers)}]")

    def when(self, d: Deadline) -> str:
        return (f"{d.date} ({self.ui['in_days'].format(n=d.days)})" if d.date
                else self.ui["pending_when"])

    def heading(self, actor: str, role: str) -> str:
        actor_groups = self.groups[actor]
        return self.ui["exposures_of"].format(
            name=actor_name(self.screening, actor, self.lang), role=self.ui[role],
            n=sum(len(g.items) for g in actor_groups), m=len(actor_groups))


def brief(screening: Screening, lang: str = "en") -> Brief:
    groups = report(screening, lang)
    deadlines = timeline(screening, groups)
    return Brief(screening, lang, UI[lang], groups, deadlines,
                 places(screening, groups, lang, deadlines), precedent_index(screening, lang))

