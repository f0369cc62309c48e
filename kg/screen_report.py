"""The `kg screen` report: terminal text, Markdown and a self-contained HTML page, every
data string escaped for its medium."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.namespaces import ID
from kg.screen import STATUS_ORDER, Mitigation, Screening, is_profile_node
from kg.sourcepolicy import mark_words

# --------------------------------------------------------------------------- the report

KIND_WORDS = {
    "MarketExposure": ("market rule", "市场规则"),
    "ExtraterritorialExposure": ("extraterritorial reach", "域外适用"),
    "TargetedMeasureExposure": ("targeted measure", "针对性措施"),
    "AllegationExposure": ("allegation", "指控"),
    "ValueChainExposure": ("value-chain liability", "价值链责任"),
}
# a market rule of the jurisdiction the company is headquartered in (or one containing it)
HOME_WORDS = ("home rule", "本国规则")
# why an exposure starts when it does, unless the instrument's own date decides it
BASIS_WORDS = {"activity start": ("activity start", "活动开始"),
               "actor founded": ("company founded", "企业成立"),
               "maker founded": ("maker founded", "制造者成立")}
UI: dict[str, dict[str, str]] = {
    "en": {
        "lang": "en",
        "title": "Screening of {name}",
        "meta": "profile {profile}; status as of {as_of}",
        "note": "Reasoned in memory from the profile and the curated graph: nothing was "
                "written to data/ or build/. The profile's records are illustrative; the "
                "instruments, measures and their sources are curated data. Not legal advice.",
        "profile_says": "What the profile says",
        "actor": "actor", "role": "role", "company": "company", "supplier": "supplier",
        "total": "exposures", "categories": "risk categories",
        "current": "current", "upcoming": "upcoming", "pending": "pending",
        "exposures_of": "{name} ({role}): {n} exposure(s) through {m} instrument(s) or "
                        "event(s)",
        "none": "no exposures",
        "coverage_heading": "What the graph has reviewed in these markets (silence is not "
                            "clearance)",
        "precedents_heading": "Precedents: measures already taken against other companies for "
                              "the same activity there (not exposures of this company)",
        "no_precedents": "none recorded",
        "provision": "provision", "risks": "risks", "path": "path", "sources": "sources",
        "path_sources": "path sources", "mitigations": "mitigations",
        "from": "from", "until": "until",
        "warnings": "Warnings",
        "mitigation_heading": "Mitigations the graph links to these risks",
        "mitigation_note": "linked by aig:addressesRisk to the risk or to a broader risk type",
        "addresses": "addresses", "for": "for exposures", "every": "for every exposure",
        "diagram": "Exposure paths of {name}",
        "total_line": "{n} exposure(s): {current} current, {upcoming} upcoming, "
                      "{pending} pending",
    },
    "zh": {
        "lang": "zh",
        "title": "{name} 风险筛查",
        "meta": "画像文件 {profile}；状态截至 {as_of}",
        "note": "依据画像与已整理的图谱在内存中推理得出，未写入 data/ 或 build/。"
                "画像生成的记录为示例；法律政策文件、措施及其来源为已整理数据。不构成法律意见。",
        "profile_says": "画像内容",
        "actor": "行为者", "role": "角色", "company": "企业", "supplier": "供应商",
        "total": "风险暴露", "categories": "风险类别",
        "current": "当前适用", "upcoming": "即将适用", "pending": "待定",
        "exposures_of": "{name}（{role}）：经由 {m} 项法律政策文件或事件的 {n} 项风险暴露",
        "none": "无风险暴露",
        "coverage_heading": "图谱在这些市场已审查的范围（沉默不等于放行）",
        "precedents_heading": "先例：在当地已对从事同类活动的其他公司采取的措施"
                              "（并非本公司的风险暴露）",
        "no_precedents": "无记录",
        "provision": "条款", "risks": "风险", "path": "路径", "sources": "来源",
        "path_sources": "路径来源", "mitigations": "缓解措施",
        "from": "自", "until": "至",
        "warnings": "警告",
        "mitigation_heading": "图谱中与这些风险相关的缓解措施",
        "mitigation_note": "通过 aig:addressesRisk 关联到该风险或其上位风险类型",
        "addresses": "针对", "for": "适用于风险暴露", "every": "适用于全部风险暴露",
        "diagram": "{name} 的风险暴露路径",
        "total_line": "共 {n} 项风险暴露：当前适用 {current}，即将适用 {upcoming}，待定 {pending}",
    },
}


def label(step: dict[str, Any] | None, lang: str) -> str:
    """A node's label in ``lang``; profile records lose their "(illustrative)" suffix."""
    if not step:
        return ""
    labels = step.get("label") or {}
    text = labels.get(lang) or labels.get("en") or step.get("id", "")
    if is_profile_node(step):
        text = text.removesuffix(" (illustrative)").removesuffix("（示例）")
    return text


@dataclass
class Item:
    """One exposure, ready to print in any format."""

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


@dataclass
class Group:
    """An instrument or event, and one actor's exposures through it."""

    source: str
    detail: str
    sources: list[str]
    items: list[Item] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # URL -> official text / tier


def report(screening: Screening, lang: str) -> dict[str, list[Group]]:
    """Each actor's exposures grouped by instrument, numbered in the order shown."""
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
                source["sources"], marks=screening.source_marks)
            for record in sorted(records, key=_order):
                number += 1
                group.items.append(_item(number, record, group, screening, lang))
            groups.append(group)
        out[actor] = groups
    return out


def _order(record: dict[str, Any]) -> tuple[int, str, str, str]:
    return (STATUS_ORDER.index(record["status"]), record.get("valid_from") or "9999",
            (record.get("provision") or {}).get("id", ""), record["id"])


def _item(number: int, record: dict[str, Any], group: Group, screening: Screening,
          lang: str) -> Item:
    from kg.explain import STATUS_WORDS

    zh = 1 if lang == "zh" else 0
    ui = UI[lang]
    basis = BASIS_WORDS.get(record.get("valid_from_basis") or "")
    dates = " ".join(part for part in (
        f"{ui['from']} {record['valid_from']}" if record.get("valid_from") else "",
        f"({basis[zh]})" if basis and record.get("valid_from") else "",
        f"{ui['until']} {record['valid_until']}" if record.get("valid_until") else "") if part)
    kind = HOME_WORDS if record["kind"] == "MarketExposure" and record.get("home") else \
        KIND_WORDS.get(record["kind"], (record["kind"],) * 2)
    return Item(number, record, STATUS_WORDS[record["status"]][zh], dates, kind[zh],
                label(record.get("provision"), lang),
                [(label(r, lang), r["categories"]) for r in record["risks"]],
                path_steps(record, lang),
                [s for s in path_sources(record) if s not in group.sources],
                screening.links.get(record["id"], []))


def path_steps(record: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    from kg.explain import RELATION, SOURCE_RELATION

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


def summary_rows(screening: Screening, lang: str) -> list[dict[str, str]]:
    ui = UI[lang]
    rows = []
    for actor, role in screening.actors:
        records = screening.exposures[actor]
        counts = {s: sum(1 for r in records if r["status"] == s)
                  for s in ("current", "upcoming", "pending")}
        categories = sorted({c for r in records for risk in r["risks"]
                             for c in risk["categories"]})
        rows.append({ui["actor"]: actor_name(screening, actor, lang), ui["role"]: ui[role],
                     ui["total"]: str(len(records)),
                     **{ui[k]: str(v) for k, v in counts.items()},
                     ui["categories"]: ", ".join(c.removesuffix("Risk") for c in categories)})
    return rows


def actor_name(screening: Screening, actor: str, lang: str) -> str:
    return label({"id": actor, "iri": str(ID[actor]), "label": screening.labels(actor)}, lang)


def totals(screening: Screening, lang: str) -> str:
    statuses = [r["status"] for rs in screening.exposures.values() for r in rs]
    return UI[lang]["total_line"].format(n=len(statuses), **{
        s: statuses.count(s) for s in ("current", "upcoming", "pending")})


def mitigation_uses(screening: Screening, groups: dict[str, list[Group]]) -> dict[int, str]:
    """For each mitigation, the exposure numbers it is linked to, as ranges ("3-5, 9")."""
    numbers: dict[int, list[int]] = {}
    total = 0
    for actor_groups in groups.values():
        for group in actor_groups:
            for item in group.items:
                total += 1
                for index in item.mitigations:
                    numbers.setdefault(index, []).append(item.number)
    return {index: "*" if len(found) == total else _ranges(sorted(found))
            for index, found in numbers.items()}


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def _uses_text(uses: dict[int, str], index: int, ui: dict[str, str]) -> str:
    found = uses.get(index, "")
    return ui["every"] if found == "*" else f"{ui['for']} {found}"


def _mitigation_title(mitigation: Mitigation, lang: str) -> str:
    return mitigation.label.get(lang) or mitigation.label.get("en") or mitigation.id


# -- text


def to_text(screening: Screening, lang: str = "en") -> str:
    import textwrap

    from kg.cliutil import text_table
    from kg.textsafe import terminal

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
        out.append(f"  M{index + 1} {_mitigation_title(mitigation, lang)}")
        out.append(f"      {ui['addresses']}: {', '.join(mitigation.addresses)}; "
                   f"{_uses_text(uses, index, ui)}")
        out += _text_urls(ui["sources"], mitigation.sources, 6, mitigation.marks, lang)
    return terminal("\n".join(out)) + "\n"


def coverage_lines(screening: Screening, lang: str) -> list[tuple[int, str]]:
    """(depth, text): each market of the profile with the graph's coverage of it, then the
    coverage of each jurisdiction it lies within."""
    from kg.coverage import chain, label, verdict

    cov = screening.coverage
    out: list[tuple[int, str]] = []
    for activity, jurisdiction in screening.markets:
        for depth, where in enumerate(chain(cov, jurisdiction)):
            text = verdict(cov, where, [activity]).text(cov, lang)
            head = (f"{label(cov, activity, lang)} · " if depth == 0 else "")
            out.append((depth, f"{head}{label(cov, where, lang)}: {text}"))
    return out


def precedent_groups(screening: Screening, lang: str) -> list[tuple[str, list[str]]]:
    """Per market (activity · jurisdiction), the precedents found, each once per market."""
    from kg.coverage import label

    cov = screening.coverage
    groups = []
    for key in screening.markets:
        found = screening.precedents.get(key, [])
        activity, jurisdiction = key
        lines = [f"{p.issued_on} {p.type}: {p.label} — {p.actor_label} "
                 f"[{p.jurisdiction}; {p.status}"
                 + (f", ended {p.ended_on}" if p.ended_on else
                    f", confirmed {p.confirmed_on}" if p.confirmed_on else "") + "]"
                 for p in found]
        groups.append((f"{label(cov, activity, lang)} · {label(cov, jurisdiction, lang)}", lines))
    return groups


def _marked(url: str, marks: dict[str, str], lang: str) -> str:
    """`` [official text]`` or `` [reputable]`` after a source, in the report's language."""
    words = mark_words(marks.get(url), lang)
    return f" [{words}]" if words else ""


def _text_urls(name: str, urls: list[str], indent: int, marks: dict[str, str], lang: str
               ) -> list[str]:
    pad = " " * indent
    return [f"{pad}{name if i == 0 else ' ' * len(name)}{':' if i == 0 else ' '} {url}"
            f"{_marked(url, marks, lang)}" for i, url in enumerate(urls)]


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
    from kg.textsafe import terminal

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
        out.append(f"- **M{index + 1} {md(_mitigation_title(mitigation, lang))}** — "
                   f"{md(ui['addresses'])}: {md(', '.join(mitigation.addresses))}; "
                   f"{md(_uses_text(uses, index, ui))}. "
                   + " ".join(md_link(url) + md(_marked(url, mitigation.marks, lang))
                              for url in mitigation.sources))
    return "\n".join(out) + "\n"


def _md_group(group: Group, ui: dict[str, str]) -> str:
    def linked(url: str) -> str:
        return md_link(url) + md(_marked(url, group.marks, ui["lang"]))

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

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1d2327}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}
h3{margin:1.5rem 0 .25rem}.detail{color:#555;margin:0}
.note{background:#f6f8fa;border-left:4px solid #8a9499;padding:.5rem 1rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}
.exposure{border:1px solid #d0d7de;border-radius:6px;padding:.25rem 1rem;margin:.5rem 0}
.status{font-weight:bold;border-radius:3px;padding:0 .4rem;color:#fff}
.current{background:#b3204d}.upcoming{background:#c46a07}.pending{background:#6b7078}
.diagram img{max-width:100%;height:auto;border:1px solid #d0d7de}
dt{font-weight:bold;float:left;clear:left;width:9rem}dd{margin:0 0 .2rem 9.5rem}
"""
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")


def h(text: str) -> str:
    from kg.textsafe import html_text

    return html_text(text)


def h_link(url: str) -> str:
    if re.match(r"^https?://", url):
        return f'<a href="{h(url)}" rel="noreferrer noopener">{h(url)}</a>'
    return h(url)


def to_html(screening: Screening, lang: str = "en") -> str:
    ui = UI[lang]
    groups = report(screening, lang)
    title = ui["title"].format(name=actor_name(screening, screening.company, lang))
    body = [f"<h1>{h(title)}</h1>",
            f"<p>{h(ui['meta'].format(profile=screening.profile, as_of=screening.as_of))}</p>",
            f'<p class="note">{h(ui["note"])}</p>',
            f"<h2>{h(ui['profile_says'])}</h2><ul>" + "".join(
                f"<li>{h(s.get(lang) or s['en'])}</li>" for s in screening.statements) + "</ul>",
            (f"<h2>{h(ui['warnings'])}</h2><ul>" + "".join(
                f"<li>{h(w.render())}</li>" for w in screening.warnings) + "</ul>")
            if screening.warnings else "",
            f"<p>{h(totals(screening, lang))}</p>", _html_table(summary_rows(screening, lang)),
            _html_coverage(screening, lang)]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        name = actor_name(screening, actor, lang)
        heading = ui["exposures_of"].format(name=name, role=ui[role], m=len(actor_groups),
                                            n=sum(len(g.items) for g in actor_groups))
        body.append(f"<h2>{h(heading)}</h2>")
        body.append(_diagram(screening, actor, name, lang) if actor_groups else "")
        body += [_html_group(g, ui) for g in actor_groups] or [f"<p>{h(ui['none'])}</p>"]
    body.append(_html_mitigations(screening, groups, lang))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{h(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _html_coverage(screening: Screening, lang: str) -> str:
    ui = UI[lang]
    items = "".join(f'<li style="margin-left:{depth * 1.5}em">{h(text)}</li>'
                    for depth, text in coverage_lines(screening, lang))
    out = [f"<h2>{h(ui['coverage_heading'])}</h2><ul>{items}</ul>",
           f"<h2>{h(ui['precedents_heading'])}</h2><ul>"]
    for market, lines in precedent_groups(screening, lang):
        inner = "".join(f"<li>{h(line)}</li>" for line in lines)
        out.append(f"<li><b>{h(market)}</b>" + (f"<ul>{inner}</ul>" if lines else
                                                 f": {h(ui['no_precedents'])}") + "</li>")
    out.append("</ul>")
    return "".join(out)


def _html_table(rows: list[dict[str, str]]) -> str:
    head = "".join(f"<th>{h(c)}</th>" for c in rows[0])
    cells = "".join("<tr>" + "".join(f"<td>{h(v)}</td>" for v in row.values()) + "</tr>"
                    for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


def _html_group(group: Group, ui: dict[str, str]) -> str:
    out = [f"<h3>{h(group.source)}</h3>", f'<p class="detail">{h(group.detail)}</p>',
           f"<p>{h(ui['sources'])}: " + "<br>".join(_h_source(u, group.marks, ui)
                                                    for u in group.sources) + "</p>"]
    out += [_html_item(item, ui, group.marks) for item in group.items]
    return "\n".join(out)


def _h_source(url: str, marks: dict[str, str], ui: dict[str, str]) -> str:
    return h_link(url) + h(_marked(url, marks, ui["lang"]))


def _html_item(item: Item, ui: dict[str, str], marks: dict[str, str]) -> str:
    path = " ".join(f"→ {h(rel)} → <b>{h(text)}</b>" if rel else f"<b>{h(text)}</b>"
                    for rel, text in item.path)
    rows = [(ui["provision"], h(item.provision))] if item.provision else []
    rows.append((ui["risks"], "; ".join(f"{h(n)} <small>({h(', '.join(c))})</small>"
                                        for n, c in item.risks)))
    rows.append((ui["path"], path))
    if item.sources:
        rows.append((ui["path_sources"], "<br>".join(_h_source(u, marks, ui)
                                                      for u in item.sources)))
    if item.mitigations:
        rows.append((ui["mitigations"], ", ".join(
            f'<a href="#m{i + 1}">M{i + 1}</a>' for i in item.mitigations)))
    fields = "".join(f"<dt>{h(k)}</dt><dd>{v}</dd>" for k, v in rows)
    status = item.record["status"] if item.record["status"] in STATUS_ORDER[:3] else "pending"
    return (f'<div class="exposure" id="e{item.number}"><p>[{item.number}] '
            f'<span class="status {status}">{h(item.status)}</span> '
            f"{h(item.dates)} — {h(item.kind)}</p><dl>{fields}</dl></div>")


def _html_mitigations(screening: Screening, groups: dict[str, list[Group]], lang: str) -> str:
    ui = UI[lang]
    uses = mitigation_uses(screening, groups)
    out = [f"<h2>{h(ui['mitigation_heading'])}</h2><p><small>{h(ui['mitigation_note'])}"
           "</small></p><ul>"]
    for index, mitigation in enumerate(screening.mitigations):
        text = mitigation.description.get(lang) or mitigation.description.get("en") or ""
        out.append(f'<li id="m{index + 1}"><b>M{index + 1} '
                   f"{h(_mitigation_title(mitigation, lang))}</b> — {h(ui['addresses'])}: "
                   f"{h(', '.join(mitigation.addresses))}; {h(_uses_text(uses, index, ui))}"
                   f"<br><small>{h(text)}</small><br>"
                   + "<br>".join(_h_source(u, mitigation.marks, ui)
                                 for u in mitigation.sources) + "</li>")
    out.append("</ul>")
    return "".join(out)


def _diagram(screening: Screening, actor: str, name: str, lang: str) -> str:
    """The actor's exposure paths as an inline SVG image, drawn by kg.viz when available."""
    import base64

    try:
        from kg.viz import exposure_view, render_svg
    except ImportError:
        return ""
    view = exposure_view(screening.all_records, "actor", actor, as_of=screening.as_of, lang=lang)
    svg = base64.b64encode(render_svg(view).encode("utf-8")).decode("ascii")
    alt = UI[lang]["diagram"].format(name=name)
    return f'<p class="diagram"><img alt="{h(alt)}" src="data:image/svg+xml;base64,{svg}"></p>'


RENDERERS = {"text": to_text, "md": to_markdown, "html": to_html}


def render(screening: Screening, fmt: str, lang: str = "en") -> str:
    return RENDERERS[fmt](screening, lang)

