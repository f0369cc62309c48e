"""The `kg screen` report as terminal text and as Markdown, every data string escaped for
its medium. Both open with the executive summary and the deadline timeline, then what the
profile says, the coverage, the precedents, the exposures (instrument → activity → paths)
and the mitigations."""

from __future__ import annotations

import re
import textwrap
import unicodedata

from kg.cases.report.model import (
    Brief,
    Entry,
    Group,
    Item,
    coverage_places,
    mitigation_title,
    mitigation_uses,
    precedent_line,
    precedent_markets,
    ranges,
    summary_rows,
    totals,
    uses_text,
)
from kg.pipeline.sourcepolicy import mark_words

WIDTH = 100  # the note and the profile's statements wrap at this width


def marked(url: str, marks: dict[str, str], lang: str) -> str:
    """`` [official text]`` or `` [reputable]`` after a source, in the report's language."""
    words = mark_words(marks.get(url), lang)
    return f" [{words}]" if words else ""


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def markets_line(b: Brief) -> list[str]:
    """Each jurisdiction of the profile with the graph's coverage of it (and of those
    containing it), once per distinct verdict, naming the activities it is for."""
    return [f"{where}: {text} — {', '.join(activities)}"
            for where, text, activities in coverage_places(b.screening, b.lang)]


# -- text


def to_text(b: Brief, full: bool = False) -> str:
    from kg.core.textsafe import terminal
    from kg.views.terminal import text_table

    ui, screening = b.ui, b.screening
    out = [b.title, b.meta, *textwrap.wrap(ui["note"], WIDTH), "", f"{ui['summary']}:",
           totals(screening, b.lang)]
    out += [f"  {line}" for line in b.place_lines()]
    rows = summary_rows(screening, b.lang)
    out += ["", text_table(rows, list(rows[0]), {ui["categories"]: 70}, "",
                           wrapped=(ui["categories"],)).rstrip("\n")]
    out += ["", ui["timeline_heading"].format(as_of=screening.as_of.isoformat()) + ":"]
    whens = [b.when(d) for d in b.deadlines]
    pad = max(map(_width, whens), default=0)
    out += [f"  {_ljust(when, pad)}  {b.deadline_text(d)}" for when, d in zip(
        whens, b.deadlines, strict=True)] or [
        "  " + ui["no_deadlines"].format(as_of=screening.as_of.isoformat())]
    if screening.warnings:
        out += ["", ui["warnings"] + ":"] + [
            "  " + w.render().replace("\n", "\n  ") for w in screening.warnings]
    out += ["", ui["profile_says"] + ":"]
    said = "; ".join(s.get(b.lang) or s["en"] for s in screening.statements)
    out += textwrap.wrap(said, WIDTH, initial_indent="  ", subsequent_indent="  ")
    out += ["", ui["coverage_heading"] + ":"]
    out += [f"  {line}" for line in markets_line(b)]
    out += ["", ui["precedents_heading"] + ":"]
    out += [f"  {line}" for line in precedent_markets(b.precedents, ui)]
    out += [f"  P{n} {precedent_line(p)}" for n, p in enumerate(b.precedents.measures, 1)]
    out += ["", f"{ui['exposures_heading']}:"]
    for actor, role in screening.actors:
        out.append(b.heading(actor, role))
        out += [_text_group(group, ui, full) for group in b.groups[actor]] or [
            f"  ({ui['none']})"]
    out += ["", f"{ui['mitigation_heading']} ({ui['mitigation_note']}):"]
    uses = mitigation_uses(screening, b.groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"  M{index + 1} {mitigation_title(mitigation, b.lang)} — {ui['addresses']}: "
                   f"{', '.join(mitigation.addresses)}; {uses_text(uses, index, ui)}")
        if full:
            out += _text_urls(ui["sources"], mitigation.sources, 6, mitigation.marks, b.lang)
    if not full:
        out += ["", ui["see_full"]]
    return terminal("\n".join(out)) + "\n"


def _text_urls(name: str, urls: list[str], indent: int, marks: dict[str, str], lang: str
               ) -> list[str]:
    pad = " " * indent
    return [f"{pad}{name if i == 0 else ' ' * len(name)}{':' if i == 0 else ' '} {url}"
            f"{marked(url, marks, lang)}" for i, url in enumerate(urls)]


def _text_group(group: Group, ui: dict[str, str], full: bool) -> str:
    lang = ui["lang"]
    lines = [f"  ■ {group.source}"]
    if full:
        lines += [f"    {group.detail}",
                  *_text_urls(ui["sources"], group.sources, 4, group.marks, lang)]
    else:
        official = group.official() or group.sources[:1]
        more = len(group.sources) - len(official)
        shown = ", ".join(official)
        lines.append(f"    {group.detail} — {ui['official_text']}: {shown}"
                     + (f" ({ui['more_sources'].format(n=more)})" if more else ""))
    for entry in group.entries:
        lines += _text_entry(entry, group, ui, full)
    return "\n".join(lines)


def _text_entry(entry: Entry, group: Group, ui: dict[str, str], full: bool) -> list[str]:
    tail = [entry.kind] if entry.kind else []
    if entry.mitigations():
        tail.append(f"{ui['mitigations']} {ranges([m + 1 for m in entry.mitigations()], 'M')}")
    lines = [f"    ▸ {entry.route or ui['via'] + ' …'}" + "".join(f" · {t}" for t in tail)]
    for item in entry.items:
        lines.append(f"      [{item.number}] {_item_head(item, entry)}")
        if full:
            lines += _text_urls(ui["path_sources"], item.sources, 10, group.marks, lang=ui["lang"])
    return lines


def _item_head(item: Item, entry: Entry) -> str:
    parts = [f"{item.status} {item.dates}".strip()]
    if not entry.kind:
        parts.append(item.kind)
    if item.provision:
        parts.append(item.provision)
    if not entry.route:
        parts.append(item.route)
    risks = "; ".join(name for name, _c in item.risks)
    return " · ".join(parts) + (f" — {risks}" if risks else "")


# -- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>&~])")


def md(text: str) -> str:
    """Text that Markdown shows literally: no emphasis, links, tables or raw HTML."""
    from kg.core.textsafe import terminal

    return _MD_SPECIAL.sub(r"\\\1", terminal(text).replace("\n", " "))


def md_link(url: str) -> str:
    if re.match(r"^https?://[^\s<>()]+$", url):
        return f"<{url}>"
    return md(url)


def md_table(rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return []
    return (["| " + " | ".join(md(c) for c in rows[0]) + " |", "|" + "---|" * len(rows[0])]
            + ["| " + " | ".join(md(v) for v in row.values()) + " |" for row in rows])


def to_markdown(b: Brief) -> str:
    ui, screening = b.ui, b.screening
    out = [f"# {md(b.title)}", "", md(b.meta), "", f"> {md(ui['note'])}", "",
           f"## {md(ui['summary'])}", "", md(totals(screening, b.lang)), ""]
    out += [*md_table(b.place_rows()), "", *md_table(summary_rows(screening, b.lang))]
    out += ["", f"## {md(ui['timeline_heading'].format(as_of=screening.as_of.isoformat()))}", ""]
    out += [f"- **{md(b.when(d))}** — {md(b.deadline_text(d))}" for d in b.deadlines] or [
        md(ui["no_deadlines"].format(as_of=screening.as_of.isoformat()))]
    if screening.warnings:
        out += ["", f"## {md(ui['warnings'])}", ""] + [
            f"- {md(w.render())}" for w in screening.warnings]
    out += ["", f"## {md(ui['profile_says'])}", ""]
    out += [f"- {md(s.get(b.lang) or s['en'])}" for s in screening.statements]
    out += ["", f"## {md(ui['coverage_heading'])}", ""]
    out += [f"- {md(line)}" for line in markets_line(b)]
    out += ["", f"## {md(ui['precedents_heading'])}", ""]
    out += [f"- {md(line)}" for line in precedent_markets(b.precedents, ui)]
    out += ["", *(f"{n}. {md(precedent_line(p))}" for n, p in
                  enumerate(b.precedents.measures, 1))] if b.precedents.measures else []
    out += ["", f"## {md(ui['exposures_heading'])}"]
    for actor, role in screening.actors:
        out += ["", f"### {md(b.heading(actor, role))}"]
        out += [_md_group(group, ui) for group in b.groups[actor]] or ["", f"*{md(ui['none'])}*"]
    out += ["", f"## {md(ui['mitigation_heading'])}", "", f"*{md(ui['mitigation_note'])}*", ""]
    uses = mitigation_uses(screening, b.groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"- **M{index + 1} {md(mitigation_title(mitigation, b.lang))}** — "
                   f"{md(ui['addresses'])}: {md(', '.join(mitigation.addresses))}; "
                   f"{md(uses_text(uses, index, ui))}. "
                   + " ".join(md_link(url) + md(marked(url, mitigation.marks, b.lang))
                              for url in mitigation.sources))
    return "\n".join(out) + "\n"


def _md_group(group: Group, ui: dict[str, str]) -> str:
    def linked(url: str) -> str:
        return md_link(url) + md(marked(url, group.marks, ui["lang"]))

    lines = ["", f"#### {md(group.source)}", "", f"{md(group.detail)} — {md(ui['sources'])}: "
             + " ".join(linked(u) for u in group.sources)]
    for entry in group.entries:
        tail = f" · {md(entry.kind)}" if entry.kind else ""
        lines += ["", f"- ▸ {md(entry.route or ui['via'] + ' …')}{tail}"]
        for item in entry.items:
            lines.append(f"  - **\\[{item.number}\\] {md(item.status)}** {md(item.dates)}"
                         + (f" — {md(item.kind)}" if not entry.kind else "")
                         + (f" — {md(item.provision)}" if item.provision else "")
                         + (f" — {md(item.route)}" if not entry.route else ""))
            lines.append(f"    - {md(ui['risks'])}: " + "; ".join(
                f"{md(n)} ({md(', '.join(c))})" if c else md(n) for n, c in item.risks))
            if item.sources:
                lines.append(f"    - {md(ui['path_sources'])}: "
                             + " ".join(linked(u) for u in item.sources))
            if item.mitigations:
                lines.append(f"    - {md(ui['mitigations'])}: "
                             + ", ".join(f"M{i + 1}" for i in item.mitigations))
    return "\n".join(lines)
