"""The `kg screen` report, medium-free: items grouped by jurisdiction and status, with
their paths, sources, coverage and precedents; :func:`render` hands it to the text,
Markdown (kg.cases.report_text) or HTML (kg.cases.report_html) writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.cases.screen import STATUS_ORDER, Mitigation, Screening, is_profile_node
from kg.core.namespaces import ID

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
# The report's words: key -> (English, Chinese); UI[lang][key] is what the writers read.
REPORT_WORDS: dict[str, tuple[str, str]] = {
    'title': ('Screening of {name}', '{name} 风险筛查'),
    'meta': ('profile {profile}; status as of {as_of}', '画像文件 {profile}；状态截至 {as_of}'),
    'note': (
        'Reasoned in memory from the profile and the curated graph: nothing was written to'
        " data/ or build/. The profile's records are illustrative; the instruments, measures"
        ' and their sources are curated data. Not legal advice.',
        '依据画像与已整理的图谱在内存中推理得出，未写入 data/ 或 build/。'
        '画像生成的记录为示例；法律政策文件、措施及其来源为已整理数据。不构成法律意见。',
    ),
    'profile_says': ('What the profile says', '画像内容'),
    'actor': ('actor', '行为者'),
    'role': ('role', '角色'),
    'company': ('company', '企业'),
    'supplier': ('supplier', '供应商'),
    'total': ('exposures', '风险暴露'),
    'categories': ('risk categories', '风险类别'),
    'current': ('current', '当前适用'),
    'upcoming': ('upcoming', '即将适用'),
    'pending': ('pending', '待定'),
    'exposures_of': (
        '{name} ({role}): {n} exposure(s) through {m} instrument(s) or event(s)',
        '{name}（{role}）：经由 {m} 项法律政策文件或事件的 {n} 项风险暴露',
    ),
    'none': ('no exposures', '无风险暴露'),
    'coverage_heading': (
        'What the graph has reviewed in these markets (silence is not clearance)',
        '图谱在这些市场已审查的范围（沉默不等于放行）',
    ),
    'precedents_heading': (
        'Precedents: measures already taken against other companies for the same activity'
        ' there (not exposures of this company)',
        '先例：在当地已对从事同类活动的其他公司采取的措施（并非本公司的风险暴露）',
    ),
    'no_precedents': ('none recorded', '无记录'),
    'provision': ('provision', '条款'),
    'risks': ('risks', '风险'),
    'path': ('path', '路径'),
    'sources': ('sources', '来源'),
    'path_sources': ('path sources', '路径来源'),
    'mitigations': ('mitigations', '缓解措施'),
    'from': ('from', '自'),
    'until': ('until', '至'),
    'warnings': ('Warnings', '警告'),
    'mitigation_heading': ('Mitigations the graph links to these risks',
                           '图谱中与这些风险相关的缓解措施'),
    'mitigation_note': (
        'linked by aig:addressesRisk to the risk or to a broader risk type',
        '通过 aig:addressesRisk 关联到该风险或其上位风险类型',
    ),
    'addresses': ('addresses', '针对'),
    'for': ('for exposures', '适用于风险暴露'),
    'every': ('for every exposure', '适用于全部风险暴露'),
    'diagram': ('Exposure paths of {name}', '{name} 的风险暴露路径'),
    'total_line': (
        '{n} exposure(s): {current} current, {upcoming} upcoming, {pending} pending',
        '共 {n} 项风险暴露：当前适用 {current}，即将适用 {upcoming}，待定 {pending}',
    ),
}
UI: dict[str, dict[str, str]] = {
    lang: {"lang": lang, **{key: pair[i] for key, pair in REPORT_WORDS.items()}}
    for i, lang in enumerate(("en", "zh"))
}


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
    return Item(number, record, STATUS_WORDS[record["status"]][zh], dates, kind[zh],
                label(record.get("provision"), lang),
                [(label(r, lang), r["categories"]) for r in record["risks"]],
                path_steps(record, lang),
                [s for s in path_sources(record) if s not in group.sources],
                screening.links.get(record["id"], []))


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


def uses_text(uses: dict[int, str], index: int, ui: dict[str, str]) -> str:
    found = uses.get(index, "")
    return ui["every"] if found == "*" else f"{ui['for']} {found}"


def mitigation_title(mitigation: Mitigation, lang: str) -> str:
    return mitigation.label.get(lang) or mitigation.label.get("en") or mitigation.id


# -- text


def coverage_lines(screening: Screening, lang: str) -> list[tuple[int, str]]:
    """(depth, text): each market of the profile with the graph's coverage of it, then the
    coverage of each jurisdiction it lies within."""
    from kg.pipeline.coverage import chain, label, verdict

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
    from kg.pipeline.coverage import label

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


def render(screening: Screening, fmt: str, lang: str = "en") -> str:
    from kg.cases.report_html import to_html
    from kg.cases.report_text import to_markdown, to_text

    renderers = {"text": to_text, "md": to_markdown, "html": to_html}
    return renderers[fmt](screening, lang)
