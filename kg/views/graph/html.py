"""A view as one self-contained HTML page: vis-network (from the installed pyvis package,
licence header kept) and the viewer script (assets/app.js, app.css) inlined, the data as
JSON in a non-executed script block, and a Content-Security-Policy that allows only those
two scripts (by hash) and no network request at all. Every string from the data is shown
with ``textContent`` or drawn on the canvas, never parsed as HTML; links are made only for
http(s) URLs."""

from __future__ import annotations

from importlib import resources

from kg.core.textsafe import csp_hash, html_text, json_for_script
from kg.views.graph.model import View
from kg.views.graph.payload import payload


def _asset(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text("utf-8")


def vis_assets() -> tuple[str, str]:
    """vis-network's standalone script and stylesheet, read from the installed pyvis.

    The script keeps its licence header; the trailing source-map comment is dropped so
    that even developer tools have nothing to fetch.
    """
    script = _asset("pyvis", "lib", "vis-9.1.2", "vis-network.min.js")
    # split("\n"), not splitlines(): the script holds U+2028 and friends inside strings.
    script = "\n".join(line for line in script.split("\n")
                       if not line.startswith("//# sourceMappingURL"))
    if "</script" in script.lower() or "@license" not in script:
        raise RuntimeError("unexpected vis-network.min.js in the installed pyvis")
    css = _asset("pyvis", "lib", "vis-9.1.2", "vis-network.css")
    return script, css


def render_html(view: View) -> str:
    vis_js, vis_css = vis_assets()
    app_js = _asset("kg", "views", "graph", "assets", "app.js")
    app_css = _asset("kg", "views", "graph", "assets", "app.css")
    csp = ("default-src 'none'; "
           f"script-src {csp_hash(vis_js)} {csp_hash(app_js)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    css_note = ("/* vis-network 9.1.2 stylesheet — (c) 2011-2017 Almende B.V., 2017-2019 "
                "visjs contributors; Apache-2.0 OR MIT (see the script header). */\n")
    return "".join([
        "<!DOCTYPE html>\n",
        f'<html lang="{html_text(view.lang)}">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{html_text(view.title)}</title>\n",
        f"<style>\n{css_note}{vis_css}\n</style>\n<style>\n{app_css}</style>\n</head>\n",
        "<body>\n",
        '<aside id="kg-side"><h1 id="kg-title"></h1><p id="kg-sub"></p>'
        '<section id="kg-legend"></section><section id="kg-filters"></section></aside>\n',
        '<main id="kg-net" aria-label="graph"></main>\n',
        '<aside id="kg-panel"></aside>\n',
        '<script type="application/json" id="kg-data">', json_for_script(payload(view)),
        "</script>\n",
        f"<script>{vis_js}</script>\n",
        f"<script>{app_js}</script>\n",
        "</body>\n</html>\n",
    ])
