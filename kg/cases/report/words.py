"""The screening report's words, English and Chinese: what the writers of
:mod:`kg.cases.report` read as ``UI[lang][key]``."""

from __future__ import annotations

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
    'summary': ('Summary', '摘要'),
    'jurisdiction': ('jurisdiction', '法域'),
    'code': ('code', '代码'),
    'list_sep': (', ', '，'),
    'place_line': ('{label}: {counts}; rules from {rules}; nearest deadline {nearest}; '
                   '{p} precedent(s)',
                   '{label}：{counts}；规则来源 {rules}；最近期限 {nearest}；先例 {p} 项'),
    'place_none': ('{label}: no exposure; {p} precedent(s)', '{label}：无风险暴露；先例 {p} 项'),
    'count_status': ('{n} {status}', '{status} {n}'),
    'rules_from': ('rules from', '规则来源'),
    'nearest': ('nearest deadline', '最近期限'),
    'precedents': ('precedents', '先例'),
    'no_date': ('no date', '无日期'),
    'in_days': ('in {n} d', '{n} 天后'),
    'timeline_heading': ('Deadlines from {as_of}, soonest first',
                         '自 {as_of} 起的期限（由近及远）'),
    'no_deadlines': ('no dated deadline after {as_of}', '{as_of} 之后无具日期的期限'),
    'starts': ('applies', '开始适用'),
    'ends': ('stops applying', '停止适用'),
    'pending_when': ('pending, no date yet', '待定，尚无日期'),
    'exposures_heading': ('Exposures', '风险暴露'),
    'instrument_itself': ('the instrument itself', '文件本身'),
    'via': ('via', '经由'),
    'official_text': ('official text', '官方文本'),
    'more_sources': ('+{n} more source(s)', '另有 {n} 个来源'),
    'see_full': ('(all sources: --full, or --format md, html or json)',
                 '（全部来源：--full，或 --format md、html、json）'),
    'precedent_refs': ('{market}: {refs}', '{market}：{refs}'),
    'none_for': ('none recorded for', '无记录：'),
    'total_line': (
        '{n} exposure(s): {current} current, {upcoming} upcoming, {pending} pending',
        '共 {n} 项风险暴露：当前适用 {current}，即将适用 {upcoming}，待定 {pending}',
    ),
}
UI: dict[str, dict[str, str]] = {
    lang: {"lang": lang, **{key: pair[i] for key, pair in REPORT_WORDS.items()}}
    for i, lang in enumerate(("en", "zh"))
}
