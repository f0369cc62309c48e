"""Explain: print each exposure path step by step, with rule, dates and sources."""

from __future__ import annotations

from typing import Any

from kg.sourcepolicy import OFFICIAL_TEXT, mark_words
from kg.textsafe import terminal

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


def _label(step: dict[str, Any], lang: str) -> str:
    return step["label"].get(lang) or step["label"].get("en") or step["id"]


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
        until = f" until {record['valid_until']}" if record.get("valid_until") else ""
        lines.append(f"[{number}] {record['kind']} — {status}{since}{until}")
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
