"""Validate: SHACL shapes (pySHACL) and ODK-style QC queries (``*-violation.rq``).

Shapes say what each kind of record must carry; QC queries catch what SHACL says
badly (cycles, dangling IRIs, alignments outside the allow-list, an empty risk
category). Every result becomes a Finding located at the case file and line of its
subject where the loader knows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import Finding
from kg.load import LoadedKG, parse_turtle, read_text
from kg.namespaces import SH, short_name
from kg.project import Project

HEADER = re.compile(r"^#\s*(title|description):\s*(.*)$")


@dataclass(frozen=True)
class QCQuery:
    name: str
    title: str
    description: str
    text: str


def load_qc_queries(qc_dir: Path) -> list[QCQuery]:
    queries = []
    for path in sorted(qc_dir.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        for line in text.splitlines():
            match = HEADER.match(line)
            if match:
                header[match.group(1)] = match.group(2).strip()
        queries.append(QCQuery(path.stem, header.get("title", path.stem),
                               header.get("description", ""), text))
    return queries


def shacl_findings(kg: LoadedKG, graph: Graph, shapes: Graph) -> list[Finding]:
    import pyshacl

    conforms, results, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", abort_on_first=False,
        allow_warnings=True, advanced=True,
    )
    if conforms:
        return []
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        shape = results.value(result, SH.sourceShape)
        value = results.value(result, SH.value)
        file, line = kg.locate(str(focus), str(path) if isinstance(path, URIRef) else None)
        shape_name = short_name(str(shape)) if isinstance(shape, URIRef) else "shape"
        text = str(message) if message else "does not conform"
        if value is not None and str(value) not in text:
            text += f" (value: {str(value)[:80]})"
        findings.append(Finding(file, line, short_name(str(focus)), f"shacl:{shape_name}", text))
    return findings


def qc_findings(kg: LoadedKG, graph: Graph, queries: list[QCQuery]) -> list[Finding]:
    from kg import store

    oxi = store.from_rdflib(graph)
    findings = []
    for query in queries:
        for row in oxi.query(query.text):
            subject = row["subject"]
            message = row["message"]
            iri = subject.value if subject is not None else ""
            file, line = kg.locate(iri)
            text = message.value if message is not None else query.title
            findings.append(Finding(file, line, short_name(iri), query.name, text))
    return findings


def validate(project: Project, kg: LoadedKG, graph: Graph | None = None) -> list[Finding]:
    """Every finding from shapes and QC queries, sorted by file and line."""
    graph = graph if graph is not None else kg.asserted()
    display = project.relative(project.shapes_file)
    shapes = parse_turtle(read_text(project.shapes_file, display), display)
    findings = shacl_findings(kg, graph, shapes)
    findings += qc_findings(kg, graph, load_qc_queries(project.qc_dir))
    return sorted(set(findings))
