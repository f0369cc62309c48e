"""Explain: print each exposure path step by step, with rule, dates and sources.

``render`` gives the paths one after another, each source in full under its step.
``explanation`` is what `kg explain` prints: a summary first (paths by status,
jurisdiction and instrument), then the paths grouped by jurisdiction and instrument (one
line each, or step by step when there are few or ``full`` is asked), then every source
once, numbered, the paths citing them by number.

Words of the ontology (kinds, categories, statuses, types) are read from its labels
(``words``: id → {language: label}, from the build's index); the other words are in the
tables below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from kg.core.textsafe import terminal
from kg.pipeline.sourcepolicy import OFFICIAL_TEXT, mark_words

Words = dict[str, dict[str, str]]

RELATION = {
    "activity": ("performs", "从事"),
    "artefact": ("develops or provides", "开发或提供"),
    "supplied-product": ("supplies", "供应"),
    "jurisdiction": ("in", "位于"),
    "containing-jurisdiction": ("within", "属于"),
    "source": ("is governed by", "受其约束"),
    "provision": ("through provision", "依据条款"),
    "risk": ("raises", "引发风险"),
}
SOURCE_RELATION = {
    "TargetedMeasureExposure": ("is named by", "被点名于"),
    "AllegationExposure": ("is accused in", "被指控于"),
}
# the words of kg explain and kg exposures that are not the ontology's, in (en, zh)
WORDS = {
    "rule": ("rule", "规则"), "category": ("category", "类别"), "effective": ("effective", "生效"),
    "issued": ("issued", "发布"), "until": ("until", "至"), "from": ("from", "自"),
    "founded": ("founded", "成立"), "illustrative": ("ILLUSTRATIVE", "示例"),
    "paths": ("exposure path(s)", "条风险暴露路径"), "summary": ("Summary", "概要"),
    "by jurisdiction": ("By jurisdiction", "按法域"),
    "by instrument": ("By instrument or event", "按法律文件或事件"),
    "jurisdiction": ("jurisdiction", "法域"), "instrument": ("instrument", "法律文件或事件"),
    "count": ("paths", "路径数"), "grouped": ("Paths by jurisdiction and instrument",
                                          "按法域和法律文件分组的路径"),
    "sources": ("Sources (each once; [n] in the text refers here)",
                "来源（每个只列一次；正文中的 [n] 指向此处）"),
    "more": ("… and {n} more path(s): --limit N for more, --full for every step",
             "……另有 {n} 条路径：用 --limit N 显示更多，--full 显示每一步"),
    "top": ("(top {n} of {m})", "（前 {n} 个，共 {m} 个）"),
    "none": ("(none)", "（无）"), "via": ("via", "经由"), "risks": ("risks", "风险"),
    "kind": ("kind", "类型"), "status": ("status", "状态"), "actor": ("actor", "行为者"),
    "where": ("where", "地域"), "valid_from": ("from", "起始"), "valid_until": ("until", "截止"),
    "exposures": ("{n} exposure(s)", "共 {n} 项风险暴露"), "ended on": ("ended", "终止于"),
    "none recorded": ("none recorded", "无记录"),
    "dropped": ("(left out to fit the screen: {columns}; a wider terminal or --format csv "
                "shows them)",
                "（为适应屏幕宽度省略了：{columns}；加宽终端或用 --format csv 可显示）"),
}
# the exposure statuses, short, for tables
STATUS_SHORT = {"current": ("current", "当前适用"), "upcoming": ("upcoming", "即将适用"),
                "pending": ("pending", "待定"), "ended": ("ended", "已终止")}
STATUS_ORDER = ("current", "upcoming", "pending", "ended")
STATUS_WORDS = {
    "current": ("current", "当前适用"),
    "upcoming": ("upcoming", "即将适用"),
    "pending": ("pending (not adopted or no date yet)", "待定（尚未通过或无适用日期）"),
    "ended": ("ended", "已终止"),
}
# What bounds an exposure's start (aig:validFromBasis), in the reader's language.
BASIS_WORDS = {
    "instrument": ("the instrument applies", "文件开始适用"),
    "activity start": ("the activity started", "活动开始"),
    "actor founded": ("the actor was founded{founded}; the activity's start is unknown",
                      "行为者成立{founded}；活动开始日期不明"),
    "maker founded": ("the product's maker was founded; its activity's start is unknown",
                      "产品制造者成立；其活动开始日期不明"),
}


def word(key: str, lang: str) -> str:
    """A word of the ``WORDS`` table in ``lang`` (English for a language it lacks)."""
    return WORDS[key][1 if lang == "zh" else 0]


def term(name: str, words: Words | None, lang: str) -> str:
    """An ontology term (a class, category or status id) as its label in ``lang``, else in
    English; without ``words``, or when it has no label, the id itself."""
    labels = (words or {}).get(name.strip(), {})
    return labels.get(lang) or labels.get("en") or name.strip()


def kind_words(kind: str, words: Words | None, lang: str) -> str:
    """An exposure kind, short, for a table: its label without the label of ``Exposure``
    ("Market exposure" → "Market", "市场活动风险暴露" → "市场活动"); the id without
    ``Exposure`` when there is no label."""
    label, whole = term(kind, words, lang), term("Exposure", words, lang)
    if label == kind:
        return kind.removesuffix("Exposure") or kind
    for suffix in (" " + whole.lower(), whole):
        if label.endswith(suffix) and label != suffix:
            return label.removesuffix(suffix).strip()
    return label


def _label(step: dict[str, Any], lang: str) -> str:
    return str(step["label"].get(lang) or step["label"].get("en") or step["id"])


def _details(step: dict[str, Any], lang: str = "en", words: Words | None = None) -> str:
    def say(key: str, value: Any) -> str:
        return f"{word(key, lang)} {value}"

    types = [term(t, words, lang) for t in str(step.get("type") or "").split(",") if t.strip()]
    parts = [("、" if lang == "zh" and words else ", ").join(types)] if types else []
    if step.get("status"):
        parts.append(term(str(step["status"]), words, lang))
    if step.get("identifier"):
        parts.append(str(step["identifier"]))
    if step.get("effective_from"):
        parts.append(say("effective", step["effective_from"]))
    elif step.get("issued"):
        parts.append(say("issued", step["issued"]))
    if step.get("effective_until"):
        parts.append(say("until", step["effective_until"]))
    if step.get("start"):
        parts.append(say("from", step["start"]))
    if step.get("founded") or step.get("founded_year"):
        parts.append(say("founded", step.get("founded") or step.get("founded_year")))
    if step.get("illustrative"):
        parts.append(word("illustrative", lang))
    return "; ".join(parts)


def source_line(source: str, mark: str | None, lang: str = "en") -> str:
    """``official text: URL`` or ``source [tier]: URL``, in the reader's language."""
    if mark == OFFICIAL_TEXT:
        return f"{mark_words(mark, lang)}: {source}"
    tier = mark_words(mark, lang)
    label = "来源" if lang == "zh" else "source"
    return f"{label} [{tier}]: {source}" if tier else f"{label}: {source}"


def _head(record: dict[str, Any], lang: str, words: Words | None) -> str:
    zh = lang == "zh"
    status = STATUS_WORDS[record["status"]][1 if zh else 0]
    since = f" {word('from', lang)} {record['valid_from']}" if record.get("valid_from") else ""
    basis = BASIS_WORDS.get(record.get("valid_from_basis") or "")
    if since and basis:
        actor = record["path"][0] if record.get("path") else {}
        founded = actor.get("founded") or actor.get("founded_year") or ""
        since += " (" + basis[1 if zh else 0].format(
            founded=f"{'于' if zh else ' in'} {founded}" if founded else "") + ")"
    until = f" {word('until', lang)} {record['valid_until']}" if record.get("valid_until") \
        else ""
    home = (" (本国规则)" if zh else " (home rule)") if record.get("home") and \
        record["kind"] == "MarketExposure" else ""
    kind = term(record["kind"], words, lang) if words else record["kind"]
    return f"{kind}{home} — {status}{since}{until}"


def _relation(record: dict[str, Any], step: dict[str, Any], lang: str) -> str:
    words = RELATION.get(step["role"], (step["role"], step["role"]))
    if step["role"] == "source":
        words = SOURCE_RELATION.get(record["kind"], words)
    if step["role"] == "activity" and record["kind"] == "ValueChainExposure":
        words = ("is placed on the market through", "通过以下活动投放市场")
    return str(words[1 if lang == "zh" else 0])


def _steps(record: dict[str, Any], lang: str, words: Words | None,
           refs: dict[str, int] | None) -> list[str]:
    """The path of one record, step by step; each source in full under its step, or
    (given ``refs``, which it adds to) cited by number at the end of the step's line."""
    lines = []
    for index, step in enumerate(record["path"]):
        if step is None:
            continue
        details = _details(step, lang, words)
        text = f"{_label(step, lang)}  [{details}]" if details else _label(step, lang)
        if refs is not None and step["sources"]:
            text += "  " + "".join(f"[{refs.setdefault(s, len(refs) + 1)}]"
                                   for s in step["sources"])
        lines.append(f"    {text}" if index == 0 else
                     f"      └─ {_relation(record, step, lang)} → {text}")
        if step["role"] == "risk" and step.get("categories"):
            names = ", ".join(term(c, words, lang) for c in step["categories"])
            lines.append(f"           {word('category', lang)}: {names}")
        marks = step.get("source_tiers", {})
        if refs is None:
            lines += [f"           {source_line(source, marks.get(source), lang)}"
                      for source in step["sources"]]
    return lines


def render(records: list[dict[str, Any]], lang: str = "en", words: Words | None = None,
           refs: dict[str, int] | None = None, first: int = 1) -> str:
    """Each record's path step by step, numbered from ``first``: its kind and status, the
    rule that made it, and every step with its details and sources (cited by number when
    ``refs`` is given; see ``_steps``)."""
    lines: list[str] = []
    for number, record in enumerate(records, first):
        lines.append(f"[{number}] {_head(record, lang, words)}")
        lines.append(f"    {word('rule', lang)}: {record['rule']} "
                     f"({record.get('rule_title', '')})")
        lines += _steps(record, lang, words, refs)
        lines.append("")
    return terminal("\n".join(lines))


DETAIL_UP_TO = 5  # this many paths or fewer are shown step by step without --full
COMPACT_LIMIT = 30  # paths shown one line each unless --limit or --full says otherwise
Paint = Callable[[str, str], str]  # (style, escaped text) -> text to print


def _where(record: dict[str, Any]) -> str:
    return str(record.get("jurisdiction") or record.get("source_jurisdiction") or "")


def _name(name: str, words: Words | None, lang: str) -> str:
    """``Label (id)``, or the id alone when it has no label."""
    label = term(name, words, lang)
    return f"{label} ({name})" if label != name else name


def _status_counts(records: list[dict[str, Any]], lang: str) -> str:
    counts = Counter(r["status"] for r in records)
    return ", ".join(f"{STATUS_SHORT[s][1 if lang == 'zh' else 0]} {counts[s]}"
                     for s in STATUS_ORDER if counts[s])


def summary(records: list[dict[str, Any]], lang: str = "en", words: Words | None = None,
            top: int = 10) -> list[str]:
    """The paths counted by status, by jurisdiction and by instrument (the ``top`` ones)."""
    from kg.views.terminal import text_table

    actor = records[0]["actor"] if records else {"id": "", "label": {}}
    actors = {r["actor"]["id"] for r in records}
    who = _label(actor, lang) + f" ({actor['id']})" if len(actors) == 1 else ""
    lines = [f"{word('summary', lang)}: {who}{': ' if who else ''}{len(records)} "
             f"{word('paths', lang)} ({_status_counts(records, lang)})", ""]
    for key, title, name in (
            (_where, "by jurisdiction", "jurisdiction"),
            (lambda r: str(r["source"]["id"]), "by instrument", "instrument")):
        groups: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            groups.setdefault(key(record) or "—", []).append(record)
        ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        more = word("top", lang).format(n=top, m=len(ranked)) if len(ranked) > top else ""
        lines.append(f"{word(title, lang)} {more}".rstrip() + ":")
        rows = [{name: _name(group, words, lang), "count": str(len(found)),
                 "status": _status_counts(found, lang)} for group, found in ranked[:top]]
        table = text_table(rows, [name, "count", "status"], {name: 70, "status": 60},
                           headings={c: word(c, lang) for c in (name, "count", "status")})
        lines += ["  " + line for line in table.splitlines()] + [""]
    return lines


def _one_line(number: int, record: dict[str, Any], lang: str, words: Words | None,
              refs: dict[str, int]) -> str:
    """A path in one line: its number, kind and status, what it goes through, its risks
    and (by number) the sources of its steps other than the instrument."""
    via = record.get("activity") or record.get("artefact") or {}
    risks = ", ".join(_label(r, lang) for r in record.get("risks", []))
    cited = [refs.setdefault(s, len(refs) + 1) for step in record["path"]
             if step and step["role"] not in ("source", "actor") for s in step["sources"]]
    parts = [f"[{number}] {_head(record, lang, words)}"]
    if via:
        parts.append(f"{word('via', lang)} {_label(via, lang)}")
    if risks:
        parts.append(f"{word('risks', lang)}: {risks}")
    text = " · ".join(parts)
    return text + ("  " + "".join(f"[{n}]" for n in dict.fromkeys(cited)) if cited else "")


def explanation(records: list[dict[str, Any]], lang: str = "en", words: Words | None = None,
                limit: int | None = None, full: bool = False, paint: Paint | None = None,
                width: int | None = None) -> str:
    """What `kg explain` prints (see the module's docstring): at most ``limit`` paths; step
    by step when ``full`` or when there are no more than ``DETAIL_UP_TO``; ``paint`` may
    colour a line by its style (headings, path heads), after escaping."""
    from kg.views.terminal import screen_width, wrap

    def out(style: str, text: str) -> str:
        text = terminal(text)
        return paint(style, text) if paint else text

    detail = full or len(records) <= DETAIL_UP_TO
    width = width or screen_width()
    refs: dict[str, int] = {}
    lines = [out("heading" if i == 0 else "", line)
             for i, line in enumerate(summary(records, lang, words))]
    if not detail and records:  # the actor's own sources, cited once here, not on each path
        cited = "".join(f"[{refs.setdefault(s, len(refs) + 1)}]"
                        for s in records[0]["path"][0]["sources"])
        lines[0] += f"  {cited}" if cited else ""
    if limit is None and not full:
        limit = COMPACT_LIMIT
    lines.append(out("heading", word("grouped", lang) + ":"))
    ordered = sorted(records, key=lambda r: (_where(r), r["source"]["id"],
                                             STATUS_ORDER.index(r["status"])))
    shown = ordered[:limit] if limit is not None else ordered
    group: tuple[str, str] | None = None
    for number, record in enumerate(shown, 1):
        where, source = _where(record), record["source"]
        if group is None or group[0] != where:
            lines.append(out("jurisdiction", _name(where or "—", words, lang)))
        if group != (where, source["id"]):
            cited = "".join(f"[{refs.setdefault(s, len(refs) + 1)}]" for s in source["sources"])
            details = _details(source, lang, words)
            lines += [out("instrument", ("  " if i == 0 else "    ") + line) for i, line in
                      enumerate(wrap(f"{_label(source, lang)}"
                                     f"{f'  [{details}]' if details else ''}  {cited}",
                                     width - 4, 4))]
        group = (where, source["id"])
        if detail:
            lines += [out("path" if line.startswith("[") else "", "    " + line)
                      for line in render([record], lang, words, refs, number).splitlines()]
        else:
            text = wrap(_one_line(number, record, lang, words, refs), width - 8, 3)
            lines += [out("path" if i == 0 else "", ("    " if i == 0 else "        ") + t)
                      for i, t in enumerate(text)]
    if len(shown) < len(records):
        lines.append(out("", word("more", lang).format(n=len(records) - len(shown))))
    lines += ["", out("heading", word("sources", lang) + ":")]
    tiers = {url: mark for r in shown for step in r["path"] if step
             for url, mark in step.get("source_tiers", {}).items()}
    lines += [out("", f"  [{n}] {source_line(url, tiers.get(url), lang)}")
              for url, n in refs.items()]
    return "\n".join(lines) + "\n"


def render_precedents(groups: dict[tuple[str, str], list[Any]], coverage: dict[str, Any],
                      lang: str = "en", words: Words | None = None) -> str:
    """The measures already taken against other actors for the same kind of activity in the
    same market, per market: not exposures of this actor, but what was done to others."""
    from kg.pipeline.coverage import label

    zh = lang == "zh"
    lines = ["先例（在同一市场对从事同类活动的其他行为者已采取的措施；并非该行为者的风险暴露）："
             if zh else "Precedents (measures already taken against other actors for the same "
             "kind of activity in the same market; not exposures of this actor):"]
    for (activity, jurisdiction), found in sorted(groups.items()):
        head = f"  {label(coverage, activity, lang)} · {label(coverage, jurisdiction, lang)}"
        lines.append(f"{head}: {word('none recorded', lang)}" if not found else f"{head}:")
        lines += [f"    - {p.issued_on} {term(p.type, words, lang)}: {p.label} — "
                  f"{p.actor_label} [{p.jurisdiction}; {term(p.status, words, lang)}"
                  + (f", {word('ended on', lang)} {p.ended_on}" if p.ended_on else "") + "]"
                  for p in found]
    return terminal("\n".join(lines)) + "\n"
