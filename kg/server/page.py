"""The query page that ``kg serve`` gives at ``/``: self-contained (its stylesheet and script,
kg/server/assets/page.css and page.js, inlined under a hash-based Content Security Policy,
no CDN), and the library queries offered as examples."""

from __future__ import annotations

from importlib import resources

from kg.core.namespaces import PREFIXES
from kg.core.textsafe import csp_hash, html_text, json_for_script
from kg.sparql.queryfile import NamedQuery


def _asset(name: str) -> str:
    return resources.files("kg.server").joinpath("assets", name).read_text("utf-8").strip()


STYLE = _asset("page.css")
SCRIPT = _asset("page.js")
PAGE_CSP = (f"default-src 'none'; script-src {csp_hash(SCRIPT)}; "
            f"style-src {csp_hash(STYLE)}; connect-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


def page(library: dict[str, NamedQuery]) -> bytes:
    """The query page; library queries that need no parameter are offered as examples."""
    usable = [{"name": q.name, "title": q.title, "text": q.text}
              for q in library.values() if all(not p.required and p.default is None
                                                 for p in q.params)]
    data = json_for_script({"queries": usable, "prefixes": PREFIXES})
    first = html_text(usable[0]["text"] if usable else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aigov-kg SPARQL</title>
<style>{STYLE}</style></head>
<body>
<h1>aigov-kg — SPARQL query</h1>
<form id="form" method="post" action="sparql">
<div class="bar"><label for="pick">Example:</label>
<select id="pick"><option value="">(choose a library query)</option></select></div>
<textarea id="query" name="query" spellcheck="false">{first}</textarea>
<div class="bar"><button type="submit">Run (Ctrl+Enter)</button>
<span id="status"></span></div>
</form>
<div id="output"></div>
<script type="application/json" id="library">{data}</script>
<script>{SCRIPT}</script>
</body></html>
"""
    return document.encode("utf-8")

