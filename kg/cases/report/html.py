"""The `kg screen` report as one self-contained HTML page (no script, a strict CSP), every
data string escaped."""

from __future__ import annotations

import re

from kg.cases.report import model
from kg.cases.report.text import marked, markets_line
from kg.cases.report.words import UI
from kg.cases.screen import STATUS_ORDER, Screening

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1d2327}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}
h3{margin:1.5rem 0 .25rem}.detail{color:#555;margin:0}
.note{background:#f6f8fa;border-left:4px solid #8a9499;padding:.5rem 1rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}
.entry{margin:.75rem 0 .25rem;font-weight:600}
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


def to_html(b: model.Brief) -> str:
    screening, ui, lang = b.screening, b.ui, b.lang
    as_of = screening.as_of.isoformat()
    body = [f"<h1>{h(b.title)}</h1>", f"<p>{h(b.meta)}</p>", f'<p class="note">{h(ui["note"])}</p>',
            f"<h2>{h(ui['summary'])}</h2>", f"<p>{h(model.totals(screening, lang))}</p>",
            _html_table(b.place_rows()), _html_table(model.summary_rows(screening, lang)),
            f"<h2>{h(ui['timeline_heading'].format(as_of=as_of))}</h2>",
            ("<table><tbody>" + "".join(
                f"<tr><td>{h(b.when(d))}</td><td>{h(b.deadline_text(d))}</td></tr>"
                for d in b.deadlines) + "</tbody></table>") if b.deadlines else
            f"<p>{h(ui['no_deadlines'].format(as_of=as_of))}</p>",
            (f"<h2>{h(ui['warnings'])}</h2><ul>" + "".join(
                f"<li>{h(w.render())}</li>" for w in screening.warnings) + "</ul>")
            if screening.warnings else "",
            f"<h2>{h(ui['profile_says'])}</h2><ul>" + "".join(
                f"<li>{h(s.get(lang) or s['en'])}</li>" for s in screening.statements) + "</ul>",
            _html_coverage(b), f"<h2>{h(ui['exposures_heading'])}</h2>"]
    for actor, role in screening.actors:
        actor_groups = b.groups[actor]
        body.append(f"<h3>{h(b.heading(actor, role))}</h3>")
        name = model.actor_name(screening, actor, lang)
        body.append(_diagram(screening, actor, name, lang) if actor_groups else "")
        body += [_html_group(g, ui) for g in actor_groups] or [f"<p>{h(ui['none'])}</p>"]
    body.append(_html_mitigations(b))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{h(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{h(b.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _html_coverage(b: model.Brief) -> str:
    ui = b.ui
    items = "".join(f"<li>{h(line)}</li>" for line in markets_line(b))
    out = [f"<h2>{h(ui['coverage_heading'])}</h2><ul>{items}</ul>",
           f"<h2>{h(ui['precedents_heading'])}</h2><ul>"]
    out += [f"<li>{h(line)}</li>" for line in model.precedent_markets(b.precedents, ui)]
    out.append("</ul><ol>")
    out += [f'<li id="p{n}">{h(model.precedent_line(p))}</li>'
            for n, p in enumerate(b.precedents.measures, 1)]
    out.append("</ol>")
    return "".join(out)


def _html_table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{h(c)}</th>" for c in rows[0])
    cells = "".join("<tr>" + "".join(f"<td>{h(v)}</td>" for v in row.values()) + "</tr>"
                    for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


def _html_group(group: model.Group, ui: dict[str, str]) -> str:
    out = [f"<h4>{h(group.source)}</h4>", f'<p class="detail">{h(group.detail)}</p>',
           f"<p>{h(ui['sources'])}: " + "<br>".join(_h_source(u, group.marks, ui)
                                                    for u in group.sources) + "</p>"]
    for entry in group.entries:
        tail = f" · {h(entry.kind)}" if entry.kind else ""
        out.append(f'<p class="entry">▸ {h(entry.route or ui["via"] + " …")}{tail}</p>')
        out += [_html_item(item, entry, ui, group.marks) for item in entry.items]
    return "\n".join(out)


def _h_source(url: str, marks: dict[str, str], ui: dict[str, str]) -> str:
    return h_link(url) + h(marked(url, marks, ui["lang"]))


def _html_item(item: model.Item, entry: model.Entry, ui: dict[str, str],
               marks: dict[str, str]) -> str:
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
            f"{h(item.dates)}" + ("" if entry.kind else f" — {h(item.kind)}")
            + f"</p><dl>{fields}</dl></div>")


def _html_mitigations(b: model.Brief) -> str:
    screening, ui, lang = b.screening, b.ui, b.lang
    uses = model.mitigation_uses(screening, b.groups)
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
    alt = UI[lang]["diagram"].format(name=name)
    return f'<p class="diagram"><img alt="{h(alt)}" src="data:image/svg+xml;base64,{svg}"></p>'
