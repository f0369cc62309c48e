"""``kg viz``: a view of a build, and a view rendered as ``html``, ``svg`` or ``png``.

A view (:mod:`~kg.views.graph.model`, :mod:`~kg.views.graph.ontology`) is a networkx
graph, analysed and laid out in Python (:mod:`~kg.views.graph.layout`), then written as a
self-contained page (:mod:`~kg.views.graph.html`), drawn as SVG (:mod:`~kg.views.graph.svg`)
or rasterised from that figure in Chromium (:mod:`~kg.views.graph.png`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.core.errors import UsageError
from kg.views.graph.html import render_html
from kg.views.graph.model import View, exposure_view
from kg.views.graph.png import render_png, sign_png
from kg.views.graph.svg import render_svg

VIEWS = ("actor", "risk", "jurisdiction", "all", "ontology")
FORMATS = ("html", "png", "svg")
LANGS = ("en", "zh")


def descriptions(build_dir: Path) -> dict[str, dict[str, str]]:
    """dcterms:description of every entity in a build, by IRI and language."""
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS

    from kg.store.built import Built

    marker = f"<{DCTERMS.description}>"
    lines = Built.graph_lines(build_dir, lambda line: marker in line)
    if not lines:
        return {}
    graph = Graph()
    graph.parse(data="".join(lines), format="nt")
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for subject, text in sorted(graph.subject_objects(DCTERMS.description)):
        if isinstance(text, Literal):
            out[str(subject)].setdefault((text.language or "en").split("-")[0], str(text))
    return dict(out)


def add_descriptions(view: View, texts: dict[str, dict[str, str]]) -> View:
    for key, node in view.graph.nodes(data=True):
        text = texts.get(key)
        if text and not node.get("description"):
            node["description"] = text.get(view.lang) or text.get("en") or ""
    return view


def view_of_build(built: Any, kind: str, subject: str | None = None, *,
                  as_of: dt.date | None = None, lang: str = "en",
                  include_ended: bool = False) -> View:
    """An exposure view of a finished build (``kg.pipeline.build.Built``), descriptions included."""
    view = exposure_view(built.exposures(), kind, subject, index=built.index(), as_of=as_of,
                         lang=lang, include_ended=include_ended)
    return add_descriptions(view, descriptions(built.out_dir))


def render(view: View, fmt: str, built: Any = None) -> bytes:
    """The view as ``html``, ``svg`` or ``png`` bytes (UTF-8 for the text formats); the
    figures (svg, png) note the date and sources of ``built``, the build drawn from."""
    if fmt == "html":
        return render_html(view).encode("utf-8")
    if fmt == "svg":
        return render_svg(view, built).encode("utf-8")
    if fmt == "png":
        return sign_png(render_png(render_svg(view, built)))
    raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
