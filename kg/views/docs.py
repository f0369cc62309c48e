"""Docs: the ontology's classes and properties as a browsable HTML page and a Markdown
data dictionary, both generated from ``ontology/aigov.ttl`` (one source for each fact).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.core.namespaces import AIG, ONTOLOGY_IRI, short_name
from kg.core.textsafe import html_text

KINDS = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Annotation properties", OWL.AnnotationProperty),
)

# Under the heading of a kind, what a reader of the data dictionary should know first.
NOTES = {
    OWL.AnnotationProperty: "Dates, text notes and links. They are annotation properties, so "
    "that the datatypes an OWL 2 DL reasoner must understand stay within the OWL 2 datatype "
    "map (docs/owl.md); in case files they are keys like any other, and their range is "
    "checked all the same.",
}


@dataclass(frozen=True)
class Term:
    iri: URIRef
    name: str
    en: str
    zh: str
    definition: str
    parents: tuple[str, ...]
    domain: str
    range: str
    note: str


def _text(graph: Graph, node: URIRef, prop: URIRef, lang: str) -> str:
    for value in sorted(graph.objects(node, prop), key=str):
        if isinstance(value, Literal) and (value.language or "en").startswith(lang):
            return str(value)
    return ""


def terms(graph: Graph, kind: URIRef) -> list[Term]:
    out = []
    parent_prop = RDFS.subClassOf if kind == OWL.Class else RDFS.subPropertyOf
    for node in sorted(set(graph.subjects(RDF.type, kind)), key=str):
        if not isinstance(node, URIRef) or not str(node).startswith(str(AIG)):
            continue
        parents = tuple(sorted(short_name(str(p)) for p in graph.objects(node, parent_prop)
                               if isinstance(p, URIRef)))
        domain = ", ".join(sorted(short_name(str(d)) for d in graph.objects(node, RDFS.domain)
                                  if isinstance(d, URIRef)))
        rng = ", ".join(sorted(short_name(str(r)) for r in graph.objects(node, RDFS.range)
                               if isinstance(r, URIRef)))
        out.append(Term(node, short_name(str(node)), _text(graph, node, RDFS.label, "en"),
                        _text(graph, node, RDFS.label, "zh"),
                        _text(graph, node, SKOS.definition, "en"), parents, domain, rng,
                        _text(graph, node, SKOS.scopeNote, "en")))
    return out


def markdown(graph: Graph) -> str:
    lines = ["# Data dictionary", "",
             "Generated from `ontology/aigov.ttl` by `kg docs`; do not edit by hand. In case "
             "files, a key is a property's name and `a:` takes a class name.", ""]
    for title, kind in KINDS:
        lines += [f"## {title}", ""]
        if kind in NOTES:
            lines += [NOTES[kind], ""]
        if kind == OWL.Class:
            lines += ["| class | label (en) | label (zh) | subclass of | definition |",
                      "|---|---|---|---|---|"]
            for t in terms(graph, kind):
                lines.append(f"| `{t.name}` | {t.en} | {t.zh} | {', '.join(t.parents)} | "
                             f"{t.definition} |")
        else:
            lines += ["| property (case-file key) | label (en) | label (zh) | domain | range |"
                      " definition |", "|---|---|---|---|---|---|"]
            for t in terms(graph, kind):
                lines.append(f"| `{t.name}` | {t.en} | {t.zh} | {t.domain} | {t.range} | "
                             f"{t.definition} |")
        lines.append("")
    return "\n".join(line.replace("\n", " ") for line in lines)


def html(graph: Graph) -> str:
    title = _text(graph, URIRef(ONTOLOGY_IRI), URIRef("http://purl.org/dc/terms/title"), "en")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html_text(title or 'aigov-kg ontology')}</title>",
        "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;"
        "padding:0 1rem}nav a{margin-right:1rem}section{border-top:1px solid #ddd;"
        "padding:.6rem 0}h3{margin:.2rem 0}code{background:#f4f4f4;padding:0 .2rem}"
        ".zh{color:#555}.meta{color:#444;font-size:90%}</style></head><body>",
        f"<h1>{html_text(title or 'aigov-kg ontology')}</h1>",
        f"<p><code>{html_text(ONTOLOGY_IRI)}</code></p><nav>",
    ]
    for heading, kind in KINDS:
        parts.append(f'<a href="#{kind.fragment}">{html_text(heading)}</a>')
    parts.append("</nav>")
    for heading, kind in KINDS:
        parts.append(f'<h2 id="{kind.fragment}">{html_text(heading)}</h2>')
        if kind in NOTES:
            parts.append(f"<p>{html_text(NOTES[kind])}</p>")
        for t in terms(graph, kind):
            anchor = html_text(t.name)
            links = ", ".join(f'<a href="#{html_text(p)}">{html_text(p)}</a>' for p in t.parents)
            meta = []
            if links:
                meta.append(f"{'subclass' if kind == OWL.Class else 'subproperty'} of {links}")
            if t.domain:
                meta.append(f"domain {html_text(t.domain)}")
            if t.range:
                meta.append(f"range {html_text(t.range)}")
            parts.append(
                f'<section id="{anchor}"><h3>{html_text(t.en)} '
                f'<span class="zh">{html_text(t.zh)}</span></h3>'
                f"<p><code>aig:{anchor}</code></p><p>{html_text(t.definition)}</p>"
                + (f'<p class="meta">{"; ".join(meta)}</p>' if meta else "")
                + (f'<p class="meta">{html_text(t.note)}</p>' if t.note else "")
                + "</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
