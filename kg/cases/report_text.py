"""The `kg screen` report as terminal text and as Markdown, every data string escaped for
its medium."""

from __future__ import annotations

import re

from kg.cases.report import (
    UI,
    Group,
    actor_name,
    coverage_lines,
    mitigation_title,
    mitigation_uses,
    precedent_groups,
    report,
    summary_rows,
    totals,
    uses_text,
)
from kg.cases.screen import Screening
from kg.pipeline.sourcepolicy import mark_words


def to_text(screening: Screening, lang: str = "en") -> str:
    import textwrap

    from kg.core.textsafe import terminal
    from kg.views.terminal import text_table

    ui = UI[lang]
    groups = report(screening, lang)
    out = [ui["title"].format(name=actor_name(screening, screening.company, lang)),
           ui["meta"].format(profile=screening.profile, as_of=screening.as_of.isoformat()),
           *textwrap.wrap(ui["note"], 100), "", ui["profile_says"] + ":"]
    out += [f"  {s.get(lang) or s['en']}" for s in screening.statements]
    if screening.warnings:
        out += ["", ui["warnings"] + ":"] + [
            "  " + w.render().replace("\n", "\n  ") for w in screening.warnings]
    rows = summary_rows(screening, lang)
    table = text_table(rows, list(rows[0]), {ui["categories"]: 70}, "")
    out += ["", totals(screening, lang), table]
    out += ["", ui["coverage_heading"] + ":"]
    out += [f"  {'    ' * depth}{text}" for depth, text in coverage_lines(screening, lang)]
    out += ["", ui["precedents_heading"] + ":"]
    for market, lines in precedent_groups(screening, lang):
        out.append(f"  {market}: {'' if lines else ui['no_precedents']}".rstrip())
        out += [f"    - {line}" for line in lines]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        out.append(ui["exposures_of"].format(
            name=actor_name(screening, actor, lang), role=ui[role],
            n=sum(len(g.items) for g in actor_groups), m=len(actor_groups)))
        out += [_text_group(group, ui) for group in actor_groups] or [f"  ({ui['none']})"]
        out.append("")
    out.append(f"{ui['mitigation_heading']} ({ui['mitigation_note']}):")
    uses = mitigation_uses(screening, groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"  M{index + 1} {mitigation_title(mitigation, lang)}")
        out.append(f"      {ui['addresses']}: {', '.join(mitigation.addresses)}; "
                   f"{uses_text(uses, index, ui)}")
        out += _text_urls(ui["sources"], mitigation.sources, 6, mitigation.marks, lang)
    return terminal("\n".join(out)) + "\n"


def marked(url: str, marks: dict[str, str], lang: str) -> str:
    """`` [official text]`` or `` [reputable]`` after a source, in the report's language."""
    words = mark_words(marks.get(url), lang)
    return f" [{words}]" if words else ""


def _text_urls(name: str, urls: list[str], indent: int, marks: dict[str, str], lang: str
               ) -> list[str]:
    pad = " " * indent
    return [f"{pad}{name if i == 0 else ' ' * len(name)}{':' if i == 0 else ' '} {url}"
            f"{marked(url, marks, lang)}" for i, url in enumerate(urls)]


def _text_group(group: Group, ui: dict[str, str]) -> str:
    lang = ui["lang"]
    lines = ["", f"  ■ {group.source}", f"    {group.detail}",
             *_text_urls(ui["sources"], group.sources, 4, group.marks, lang)]
    for item in group.items:
        lines.append(f"    [{item.number}] {item.status} {item.dates} — {item.kind}"
                     .replace("  —", " —"))
        if item.provision:
            lines.append(f"        {ui['provision']}: {item.provision}")
        lines.append(f"        {ui['risks']}: " + "; ".join(
            f"{name} ({', '.join(c)})" if c else name for name, c in item.risks))
        lines.append(f"        {ui['path']}: " + " ".join(
            f"→ {rel} → {text}" if rel else text for rel, text in item.path))
        lines += _text_urls(ui["path_sources"], item.sources, 8, group.marks, lang)
        if item.mitigations:
            lines.append(f"        {ui['mitigations']}: "
                         + ", ".join(f"M{i + 1}" for i in item.mitigations))
    return "\n".join(lines)


# -- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>&~])")


def md(text: str) -> str:
    """Text that Markdown shows literally: no emphasis, links, tables or raw HTML."""
    from kg.core.textsafe import terminal

    return _MD_SPECIAL.sub(r"\\\1", terminal(text).replace("\n", " "))


def md_link(url: str) -> str:
    if re.match(r"^https?://[^\s<>]+$", url):
        return f"<{url}>"
    return md(url)


def to_markdown(screening: Screening, lang: str = "en") -> str:
    ui = UI[lang]
    groups = report(screening, lang)
    out = [f"# {md(ui['title'].format(name=actor_name(screening, screening.company, lang)))}",
           "", md(ui["meta"].format(profile=screening.profile,
                                    as_of=screening.as_of.isoformat())),
           "", f"> {md(ui['note'])}", "", f"## {md(ui['profile_says'])}", ""]
    out += [f"- {md(s.get(lang) or s['en'])}" for s in screening.statements]
    if screening.warnings:
        out += ["", f"## {md(ui['warnings'])}", ""] + [
            f"- {md(w.render())}" for w in screening.warnings]
    out += ["", md(totals(screening, lang)), ""]
    rows = summary_rows(screening, lang)
    out += ["| " + " | ".join(md(c) for c in rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(md(v) for v in row.values()) + " |" for row in rows]
    out += ["", f"## {md(ui['coverage_heading'])}", ""]
    out += [f"{'  ' * depth}- {md(text)}" for depth, text in coverage_lines(screening, lang)]
    out += ["", f"## {md(ui['precedents_heading'])}", ""]
    for market, lines in precedent_groups(screening, lang):
        out.append(f"- **{md(market)}**" + ("" if lines else f": {md(ui['no_precedents'])}"))
        out += [f"  - {md(line)}" for line in lines]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        out += ["", "## " + md(ui["exposures_of"].format(
            name=actor_name(screening, actor, lang), role=ui[role],
            n=sum(len(g.items) for g in actor_groups), m=len(actor_groups)))]
        out += [_md_group(group, ui) for group in actor_groups] or ["", f"*{md(ui['none'])}*"]
    out += ["", f"## {md(ui['mitigation_heading'])}", "", f"*{md(ui['mitigation_note'])}*", ""]
    uses = mitigation_uses(screening, groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"- **M{index + 1} {md(mitigation_title(mitigation, lang))}** — "
                   f"{md(ui['addresses'])}: {md(', '.join(mitigation.addresses))}; "
                   f"{md(uses_text(uses, index, ui))}. "
                   + " ".join(md_link(url) + md(marked(url, mitigation.marks, lang))
                              for url in mitigation.sources))
    return "\n".join(out) + "\n"


def _md_group(group: Group, ui: dict[str, str]) -> str:
    def linked(url: str) -> str:
        return md_link(url) + md(marked(url, group.marks, ui["lang"]))

    lines = ["", f"### {md(group.source)}", "", f"{md(group.detail)} — {md(ui['sources'])}: "
             + " ".join(linked(u) for u in group.sources), ""]
    for item in group.items:
        lines.append(f"- **\\[{item.number}\\] {md(item.status)}** {md(item.dates)} — "
                     f"{md(item.kind)}")
        if item.provision:
            lines.append(f"  - {md(ui['provision'])}: {md(item.provision)}")
        lines.append(f"  - {md(ui['risks'])}: " + "; ".join(
            f"{md(n)} ({md(', '.join(c))})" if c else md(n) for n, c in item.risks))
        lines.append(f"  - {md(ui['path'])}: " + " ".join(
            f"→ {md(rel)} → {md(text)}" if rel else md(text) for rel, text in item.path))
        if item.sources:
            lines.append(f"  - {md(ui['path_sources'])}: "
                         + " ".join(linked(u) for u in item.sources))
        if item.mitigations:
            lines.append(f"  - {md(ui['mitigations'])}: "
                         + ", ".join(f"M{i + 1}" for i in item.mitigations))
    return "\n".join(lines)


# -- HTML
