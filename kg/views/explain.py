"""Explain: print each exposure path step by step, with rule, dates and sources."""

from __future__ import annotations

from typing import Any

from kg.core.textsafe import terminal
from kg.pipeline.sourcepolicy import OFFICIAL_TEXT, mark_words

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


def _label(step: dict[str, Any], lang: str) -> str:
    return str(step["label"].get(lang) or step["label"].get("en") or step["id"])


def _details(step: dict[str, Any]) -> str:
    parts = [step["type"]] if step.get("type") else []
    for key in ("status", "identifier"):
        if step.get(key):
            parts.append(str(step[key]))
    if step.get("effective_from"):
        parts.append(f"effective {step['effective_from']}")
    elif step.get("issued"):
        parts.append(f"issued {step['issued']}")
    if step.get("effective_until"):
        parts.append(f"until {step['effective_until']}")
    if step.get("start"):
        parts.append(f"from {step['start']}")
    if step.get("founded") or step.get("founded_year"):
        parts.append(f"founded {step.get('founded') or step.get('founded_year')}")
    if step.get("illustrative"):
        parts.append("ILLUSTRATIVE")
    return "; ".join(parts)


def source_line(source: str, mark: str | None, lang: str = "en") -> str:
    """``official text: URL`` or ``source [tier]: URL``, in the reader's language."""
    if mark == OFFICIAL_TEXT:
        return f"{mark_words(mark, lang)}: {source}"
    tier = mark_words(mark, lang)
    label = "来源" if lang == "zh" else "source"
    return f"{label} [{tier}]: {source}" if tier else f"{label}: {source}"


def render(records: list[dict[str, Any]], lang: str = "en") -> str:
    zh = lang == "zh"
    lines: list[str] = []
    for number, record in enumerate(records, 1):
        status = STATUS_WORDS[record["status"]][1 if zh else 0]
        since = f" from {record['valid_from']}" if record.get("valid_from") else ""
        basis = BASIS_WORDS.get(record.get("valid_from_basis") or "")
        if since and basis:
            actor = record["path"][0] if record.get("path") else {}
            founded = actor.get("founded") or actor.get("founded_year") or ""
            since += " (" + basis[1 if zh else 0].format(
                founded=f"{'于' if zh else ' in'} {founded}" if founded else "") + ")"
        until = f" until {record['valid_until']}" if record.get("valid_until") else ""
        home = (" (本国规则)" if zh else " (home rule)") if record.get("home") and \
            record["kind"] == "MarketExposure" else ""
        lines.append(f"[{number}] {record['kind']}{home} — {status}{since}{until}")
        lines.append(f"    rule: {record['rule']} ({record.get('rule_title', '')})")
        for index, step in enumerate(record["path"]):
            if step is None:
                continue
            text = f"{_label(step, lang)}  [{_details(step)}]" if _details(step) else _label(
                step, lang)
            if index == 0:
                lines.append(f"    {text}")
            else:
                words = RELATION.get(step["role"], (step["role"], step["role"]))
                if step["role"] == "source":
                    words = SOURCE_RELATION.get(record["kind"], words)
                if step["role"] == "activity" and record["kind"] == "ValueChainExposure":
                    words = ("is placed on the market through", "通过以下活动投放市场")
                lines.append(f"      └─ {words[1 if zh else 0]} → {text}")
                if step["role"] == "risk" and step.get("categories"):
                    lines.append(f"           category: {', '.join(step['categories'])}")
            marks = step.get("source_tiers", {})
            for source in step["sources"]:
                lines.append(f"           {source_line(source, marks.get(source), lang)}")
        lines.append("")
    return terminal("\n".join(lines))


def render_precedents(groups: dict[tuple[str, str], list[Any]], coverage: dict[str, Any],
                      lang: str = "en") -> str:
    """The measures already taken against other actors for the same kind of activity in the
    same market, per market: not exposures of this actor, but what was done to others."""
    from kg.pipeline.coverage import label

    zh = lang == "zh"
    lines = ["先例（在同一市场对从事同类活动的其他行为者已采取的措施；并非该行为者的风险暴露）："
             if zh else "Precedents (measures already taken against other actors for the same "
             "kind of activity in the same market; not exposures of this actor):"]
    for (activity, jurisdiction), found in sorted(groups.items()):
        head = f"  {label(coverage, activity, lang)} · {label(coverage, jurisdiction, lang)}"
        lines.append(f"{head}: {'无记录' if zh else 'none recorded'}" if not found else f"{head}:")
        lines += [f"    - {p.issued_on} {p.type}: {p.label} — {p.actor_label} "
                  f"[{p.jurisdiction}; {p.status}"
                  + (f", ended {p.ended_on}" if p.ended_on else "") + "]" for p in found]
    return terminal("\n".join(lines)) + "\n"
