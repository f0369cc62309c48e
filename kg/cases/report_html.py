"""The `kg screen` report as one self-contained HTML page (no script, a strict CSP), every
data string escaped."""

from __future__ import annotations

import re

from kg.cases import report as model
from kg.cases.report_text import marked
from kg.cases.screen import STATUS_ORDER, Screening

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
    from kg.core.textsafe import html_text

    return html_text(text)


def h_link(url: str) -> str:
    if re.match(r"^https?://", url):
        return f'<a href="{h(url)}" rel="noreferrer noopener">{h(url)}</a>'
    return h(url)


def to_html(screening: Screening, lang: str = "en") -> str:
    ui = model.UI[lang]
    groups = model.report(screening, lang)
    title = ui["title"].format(name=model.actor_name(screening, screening.company, lang))
    body = [f"<h1>{h(title)}</h1>",
            f"<p>{h(ui['meta'].format(profile=screening.profile, as_of=screening.as_of))}</p>",
            f'<p class="note">{h(ui["note"])}</p>',
            f"<h2>{h(ui['profile_says'])}</h2><ul>" + "".join(
                f"<li>{h(s.get(lang) or s['en'])}</li>" for s in screening.statements) + "</ul>",
            (f"<h2>{h(ui['warnings'])}</h2><ul>" + "".join(
                f"<li>{h(w.render())}</li>" for w in screening.warnings) + "</ul>")
            if screening.warnings else "",
            f"<p>{h(model.totals(screening, lang))}</p>",
            _html_table(model.summary_rows(screening, lang)),
            _html_coverage(screening, lang)]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        name = model.actor_name(screening, actor, lang)
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
    ui = model.UI[lang]
    items = "".join(f'<li style="margin-left:{depth * 1.5}em">{h(text)}</li>'
                    for depth, text in model.coverage_lines(screening, lang))
    out = [f"<h2>{h(ui['coverage_heading'])}</h2><ul>{items}</ul>",
           f"<h2>{h(ui['precedents_heading'])}</h2><ul>"]
    for market, lines in model.precedent_groups(screening, lang):
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


def _html_group(group: model.Group, ui: dict[str, str]) -> str:
    out = [f"<h3>{h(group.source)}</h3>", f'<p class="detail">{h(group.detail)}</p>',
           f"<p>{h(ui['sources'])}: " + "<br>".join(_h_source(u, group.marks, ui)
                                                    for u in group.sources) + "</p>"]
    out += [_html_item(item, ui, group.marks) for item in group.items]
    return "\n".join(out)


def _h_source(url: str, marks: dict[str, str], ui: dict[str, str]) -> str:
    return h_link(url) + h(marked(url, marks, ui["lang"]))


def _html_item(item: model.Item, ui: dict[str, str], marks: dict[str, str]) -> str:
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


def _html_mitigations(screening: Screening, groups: dict[str, list[model.Group]], lang: str) -> str:
    ui = model.UI[lang]
    uses = model.mitigation_uses(screening, groups)
    out = [f"<h2>{h(ui['mitigation_heading'])}</h2><p><small>{h(ui['mitigation_note'])}"
           "</small></p><ul>"]
    for index, mitigation in enumerate(screening.mitigations):
        text = mitigation.description.get(lang) or mitigation.description.get("en") or ""
        out.append(f'<li id="m{index + 1}"><b>M{index + 1} '
                   f"{h(model.mitigation_title(mitigation, lang))}</b> — {h(ui['addresses'])}: "
                   f"{h(', '.join(mitigation.addresses))}; {h(model.uses_text(uses, index, ui))}"
                   f"<br><small>{h(text)}</small><br>"
                   + "<br>".join(_h_source(u, mitigation.marks, ui)
                                 for u in mitigation.sources) + "</li>")
    out.append("</ul>")
    return "".join(out)


def _diagram(screening: Screening, actor: str, name: str, lang: str) -> str:
    """The actor's exposure paths as an inline SVG image (drawn by kg.views.graph.svg)."""
    import base64

    try:
        from kg.views.graph.model import exposure_view
        from kg.views.graph.svg import render_svg
    except ImportError:
        return ""
    view = exposure_view(screening.all_records, "actor", actor, as_of=screening.as_of, lang=lang)
    svg = base64.b64encode(render_svg(view).encode("utf-8")).decode("ascii")
    alt = model.UI[lang]["diagram"].format(name=name)
    return f'<p class="diagram"><img alt="{h(alt)}" src="data:image/svg+xml;base64,{svg}"></p>'
