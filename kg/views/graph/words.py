"""The words and colours of the graph views: node classes (colour, shape, name in each
language), path roles, relations, the viewer's interface words and the view titles."""

from __future__ import annotations

# Node classes: colour, border, shape (as drawn in the SVG figure), legend symbol, the mark
# the page draws on its canvas (each class its own: instrument ◆ vs provision ⬟, risk type ▬
# vs risk category ◉), and the name in each language.
GROUPS: dict[str, dict[str, str]] = {
    "actor": {"color": "#2f6db5", "border": "#1d4677", "shape": "star", "symbol": "★",
              "mark": "star", "en": "Actor", "zh": "行为者"},
    "artefact": {"color": "#9c6b4e", "border": "#62412d", "shape": "square", "symbol": "■",
                 "mark": "square", "en": "Artefact / supplied product", "zh": "制品 / 供应的产品"},
    "activity": {"color": "#3a9a48", "border": "#23612c", "shape": "triangle", "symbol": "▲",
                 "mark": "triangle", "en": "Activity", "zh": "活动"},
    "jurisdiction": {"color": "#1fb1c4", "border": "#12707c", "shape": "hexagon",
                     "symbol": "⬢", "mark": "hexagon", "en": "Jurisdiction", "zh": "法域"},
    "instrument": {"color": "#f08c1a", "border": "#9c5607", "shape": "diamond", "symbol": "◆",
                   "mark": "diamond", "en": "Instrument", "zh": "法律政策文件"},
    "measure": {"color": "#d9423a", "border": "#8a211b", "shape": "triangleDown",
                "symbol": "▼", "mark": "triangleDown", "en": "Government measure",
                "zh": "政府措施"},
    "event": {"color": "#8e5cc2", "border": "#58347d", "shape": "dot", "symbol": "●",
              "mark": "dot", "en": "Allegation / proceeding / incident",
              "zh": "指控 / 诉讼 / 事件"},
    "provision": {"color": "#f5c16c", "border": "#a5771f", "shape": "diamond", "symbol": "⬟",
                  "mark": "pentagon", "en": "Provision", "zh": "条款"},
    "risk": {"color": "#b3204d", "border": "#6e0f2d", "shape": "box", "symbol": "▬",
             "mark": "pill", "en": "Risk type", "zh": "风险类型"},
    "category": {"color": "#5b0f27", "border": "#2e0612", "shape": "box", "symbol": "◉",
                 "mark": "ring", "en": "Risk category", "zh": "风险类别"},
    "other": {"color": "#c9ced4", "border": "#6d737b", "shape": "ellipse", "symbol": "✚",
              "mark": "plus", "en": "Other class", "zh": "其他类"},
    "external": {"color": "#eef0f2", "border": "#9aa1a8", "shape": "ellipse", "symbol": "○",
                 "mark": "hollow", "en": "External class", "zh": "外部类"},
}
# Classes whose labels the page keeps readable at the default fit (level of detail 1);
# the others are labelled when there is room, or when zoomed in, and always on hover.
KEY_GROUPS = ("actor", "artefact", "activity", "jurisdiction", "instrument", "category")
# Exposure status on the page: edge colour and dash pattern (and the node badges).
STATUS_STYLE: dict[str, dict[str, object]] = {
    "current": {"color": "#2e7d32", "dashes": False},
    "upcoming": {"color": "#c77c0e", "dashes": [8, 5]},
    "pending": {"color": "#6a4fc1", "dashes": [2, 4]},
    "ended": {"color": "#9aa1a8", "dashes": [1, 6]},
}
# Risk categories get these colours in turn (their badges on risk nodes and the legend).
CATEGORY_COLOURS = ("#d1495b", "#00798c", "#edae49", "#66a182", "#8d5a97", "#2e4057",
                    "#e07a5f", "#3d405b", "#81b29a", "#b5838d")
ROLE_NAMES = {"actor": ("actor", "行为者"), "supplied-product": ("supplied product", "供应的产品"),
              "activity": ("activity", "活动"), "artefact": ("artefact", "制品"),
              "jurisdiction": ("jurisdiction", "法域"),
              "containing-jurisdiction": ("containing jurisdiction", "上级法域"),
              "source": ("risk source", "风险来源"), "provision": ("provision", "条款"),
              "risk": ("risk", "风险"), "category": ("risk category", "风险类别")}
CATEGORY_RELATION = ("is a kind of", "属于")
SUBCLASS_RELATION = ("subclass of", "子类")

UI: dict[str, dict[str, str]] = {
    "en": {
        "legend": "Legend", "filters": "Filters", "status": "Exposure status",
        "category": "Risk category", "jurisdiction": "Jurisdiction", "any": "(any)",
        "family": "Class family", "paths": "Paths", "hint": (
            "Click a node or an edge to highlight its exposure paths; pick a path below to "
            "follow it step by step."),
        "type": "Type", "roles": "Role", "state": "Status", "issued": "Issued",
        "effective_from": "Effective from", "effective_until": "Effective until",
        "start": "Start", "end": "End", "curated": "Curated", "sources": "Sources",
        "npaths": "Exposure paths through it", "betweenness": "Betweenness",
        "inherited": "Inherited from containing jurisdiction",
        "contained": "From contained jurisdiction", "categories": "Categories",
        "showing": "Showing {n} of {N} nodes, {m} of {M} edges, {p} paths",
        "clear": "Clear", "fit": "Fit", "more": "… and {n} more",
        "dashed": "dashed border: inherited from a containing jurisdiction",
        "dotted": "dotted border: from a contained jurisdiction",
        "focal": "thick border: the subject of this view",
        "size": "node size: exposure paths through the node", "illustrative": "ILLUSTRATIVE",
        "description": "Description", "kind": "Kind", "rule": "Rule", "valid": "Valid",
        "no_paths": "No exposure paths match.", "selected": "Selected",
        "properties": "Properties", "uncategorised": "(no category)",
        "search": "Search nodes and paths", "search_hint": "↑/↓ to move, Enter to open, Esc to "
        "clear", "no_match": "Nothing matches.", "node": "node", "path": "path",
        "close": "Close", "edges_by_status": "Edge: exposure status",
        "badges": "Badge on a risk: its category",
        "badge_status": "Dot on a node: the most current status of its paths",
        "budget": ("This view has {N} nodes, more than the {B} this page draws smoothly. "
                   "Showing the {n} actors with the most exposure paths; narrow it by "
                   "jurisdiction or category, or choose more actors below."),
        "top": "Actors shown", "top_option": "top {n} by exposure paths",
        "all_actors": "all (slow)", "zoom_hint": "Zoom in for every label; hover for the full "
        "name.",
    },
    "zh": {
        "legend": "图例", "filters": "筛选", "status": "风险暴露状态", "category": "风险类别",
        "jurisdiction": "法域", "any": "（全部）", "family": "类族", "paths": "路径",
        "hint": "点击节点或连线以高亮其风险暴露路径；在下方选择一条路径可逐步查看。",
        "type": "类型", "roles": "角色", "state": "状态", "issued": "发布",
        "effective_from": "生效", "effective_until": "失效", "start": "开始", "end": "结束",
        "curated": "整理于", "sources": "来源", "npaths": "经过此节点的风险暴露路径",
        "betweenness": "介数中心性", "inherited": "继承自上级法域",
        "contained": "来自下级法域", "categories": "类别",
        "showing": "显示 {n}/{N} 个节点，{m}/{M} 条连线，{p} 条路径",
        "clear": "清除", "fit": "适应窗口", "more": "……另有 {n} 条",
        "dashed": "虚线边框：继承自上级法域", "dotted": "点线边框：来自下级法域",
        "focal": "粗边框：本视图的主体", "size": "节点大小：经过该节点的风险暴露路径数",
        "illustrative": "示例", "description": "说明", "kind": "类型", "rule": "规则",
        "valid": "有效期", "no_paths": "没有匹配的风险暴露路径。", "selected": "已选",
        "properties": "属性", "uncategorised": "（无类别）",
        "search": "搜索节点与路径", "search_hint": "↑/↓ 移动，回车打开，Esc 清除",
        "no_match": "没有匹配项。", "node": "节点", "path": "路径", "close": "关闭",
        "edges_by_status": "连线：风险暴露状态", "badges": "风险节点上的色块：风险类别",
        "badge_status": "节点上的圆点：其路径中最现行的状态",
        "budget": "本视图有 {N} 个节点，超过本页可流畅绘制的 {B} 个。当前显示风险暴露路径最多的 "
                  "{n} 个行为者；可按法域或风险类别缩小范围，或在下方选择更多行为者。",
        "top": "显示的行为者", "top_option": "按风险暴露路径数前 {n} 个",
        "all_actors": "全部（较慢）",
        "zoom_hint": "放大可见全部标签；悬停可见全名。",
    },
}
# The ontology view has classes and links, not exposure paths.
ONTOLOGY_UI: dict[str, dict[str, str]] = {
    "en": {"paths": "Classes", "hint": (
        "Click a class to highlight its superclasses and the properties that link it; pick a "
        "class below to follow its chain up to the root."),
        "showing": "Showing {n} of {N} classes, {m} of {M} links",
        "search": "Search classes", "no_paths": "No classes."},
    "zh": {"paths": "类",
           "hint": "点击一个类以高亮其上级类及相连的属性；在下方选择一个类可沿继承链查看。",
           "showing": "显示 {n}/{N} 个类，{m}/{M} 条连线", "search": "搜索类",
           "no_paths": "没有类。"},
}
TITLES = {
    "actor": ("Exposure paths of {name}", "{name}的风险暴露路径"),
    "risk": ("Exposure to {name}", "{name}：风险暴露"),
    "jurisdiction": ("Instruments and exposures in {name}", "{name}：法律政策文件与风险暴露"),
    "all": ("All exposure paths", "全部风险暴露路径"),
    "ontology": ("Ontology: classes and properties", "本体：类与属性"),
}


def tr(pair: tuple[str, str], lang: str) -> str:
    """The word of a bilingual ``(en, zh)`` pair in ``lang``."""
    return pair[1] if lang == "zh" else pair[0]


def view_title(kind: str, name: str, lang: str) -> str:
    """The title of a view of ``kind`` whose subject is called ``name``."""
    return tr(TITLES[kind], lang).format(name=name)
