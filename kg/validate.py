"""Validate: SHACL shapes (native or pySHACL) and ODK-style QC queries.

Shapes say what each kind of record must carry; QC queries catch what SHACL says
badly (cycles, dangling IRIs, alignments outside the allow-list, an empty risk
category, the source policy). ``ontology/qc/*-violation.rq`` are errors,
``*-warning.rq`` are warnings (errors under ``--strict``). Beside the data, the QC
queries read each cited URL's source tier (``?url aig:sourceTier ?tier``, from
kg/sourcepolicy.py, the one classifier) in a graph of the QC store only, never in the
build. Every result becomes a Finding located at the
case file and line of its subject where the loader knows them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import Finding, InputError
from kg.load import LoadedKG, parse_turtle, read_text
from kg.namespaces import SH, short_name
from kg.project import Project
from kg.table import Table

if TYPE_CHECKING:
    from kg.query import NamedQuery


# what each kind of query file must be: its form, and the variables it must project
QUERY_FILE_KINDS = {"rule": ("CONSTRUCT", ()), "QC query": ("SELECT", ("subject",))}
QC_GRAPH = ox.NamedNode("urn:aigov-kg:qc-preparation")  # source tiers: QC store only
SOURCE_TIER = ox.NamedNode("https://w3id.org/aigov-kg/ontology#sourceTier")
STALE_AFTER_DAYS = 180  # a non-final status not confirmed for this long is a warning


def read_query_file(path: Path, kind: str) -> NamedQuery:
    """A rule or QC query file (``kind``) with its header, read through the bounded reader
    and passed through the same guard as every user query (so no SERVICE, LOAD or FROM
    runs at build time). Its form, its syntax and what it projects are checked here, so
    a broken file is an InputError naming it and the line, before anything runs."""
    from kg.query import MAX_QUERY_BYTES, parse_query

    display = f"ontology/{path.parent.name}/{path.name}"
    named = parse_query(read_text(path, display, MAX_QUERY_BYTES), path.stem, display)
    form, needed = QUERY_FILE_KINDS[kind]
    if named.form != form:
        raise InputError(f"{display}: a {kind} must be a {form} query, not {named.form}")
    try:
        answer = ox.Store().query(named.text)  # an empty store: only the parse costs
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        match = re.search(r"\bat (\d+):\d+", message)
        line = f"{match.group(1)}:" if match else ""
        raise InputError(f"{display}:{line} SPARQL syntax error: {message[:300]}") from None
    projected = {v.value for v in answer.variables} if form == "SELECT" else set()
    answer = None  # pyoxigraph results are dropped on the thread that made them
    missing = [name for name in needed if name not in projected]
    if missing:
        raise InputError(f"{display}: a {kind} must SELECT "
                         + ", ".join(f"?{name}" for name in missing)
                         + " (and may SELECT ?message)")
    return named


def load_qc_queries(qc_dir: Path) -> list[NamedQuery]:
    """The QC queries: ``*-violation.rq`` (errors) then ``*-warning.rq`` (warnings)."""
    return [read_query_file(path, "QC query")
            for pattern in ("*-violation.rq", "*-warning.rq")
            for path in sorted(qc_dir.glob(pattern))]


def severity(query: NamedQuery) -> str:
    return "warning" if query.name.endswith("-warning") else "error"


def qc_substitutions(as_of: dt.date) -> dict[ox.Variable, ox.Literal]:
    """Dates a QC query may use: ``?asOf`` and ``?staleBefore`` (STALE_AFTER_DAYS before)."""
    def date(value: dt.date) -> ox.Literal:
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#date"))
    return {ox.Variable("asOf"): date(as_of),
            ox.Variable("staleBefore"): date(as_of - dt.timedelta(days=STALE_AFTER_DAYS))}


def _focus_iri(term: str) -> str:
    return term[1:-1] if term.startswith("<") else term


def shacl_findings(kg: LoadedKG, table: Table, shapes: Graph,
                   engine: str = "native") -> list[Finding]:
    """SHACL results as findings: the native validator, or pySHACL (the reference, and
    the fallback when the shapes use a component the native one lacks)."""
    from kg import shacl

    if engine == "native":
        try:
            results = shacl.validate(shapes, table)
        except shacl.Unsupported:
            engine = "pyshacl"
    if engine == "pyshacl":
        results = pyshacl_results(kg, shapes)
    findings = []
    for result in results:
        focus = _focus_iri(result.focus)
        file, line = kg.locate(focus, result.path or None)
        shape_name = short_name(result.shape) if result.shape.startswith("http") else "shape"
        text = result.message or "does not conform"
        if result.value:
            value = shacl.parse_literal(result.value)[0] if result.value.startswith('"') else (
                _focus_iri(result.value))
            if value not in text:
                text += f" (value: {value[:80]})"
        findings.append(Finding(file, line, short_name(focus), f"shacl:{shape_name}", text))
    return findings


def pyshacl_results(kg: LoadedKG, shapes: Graph) -> list:
    """pySHACL over (ontology + data), without inference, as native-style results."""
    import pyshacl

    from kg.shacl import Result

    conforms, results, _ = pyshacl.validate(
        kg.asserted(), shacl_graph=shapes, inference="none", abort_on_first=False,
        allow_warnings=True, advanced=True,
    )
    if conforms:
        return []
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        shape = results.value(result, SH.sourceShape)
        value = results.value(result, SH.value)
        out.append(Result(focus.n3(), str(path) if isinstance(path, URIRef) else "",
                          str(shape), str(message or ""), value.n3() if value is not None else ""))
    return sorted(set(out), key=lambda r: (r.focus, r.shape, r.value))


def qc_findings(kg: LoadedKG, table: Table, queries: list[NamedQuery],
                oxi: ox.Store | None = None, as_of: dt.date | None = None
                ) -> list[Finding]:
    """QC query results as findings. ``table`` is loaded into ``oxi`` first (an empty
    store, left holding it for the fast path's rules), or into a store of their own; the
    source tier of every cited URL goes to a graph of its own, which the QC queries read
    beside the default graph and which nothing else reads."""
    from kg import store
    from kg.sourcepolicy import SourcePolicy, cited_tiers

    oxi = oxi if oxi is not None else ox.Store()
    store.load_chunks(oxi, kg.ntriples_chunks(table))
    policy = SourcePolicy.from_graph(kg.ontology)
    oxi.extend(ox.Quad(ox.NamedNode(url), SOURCE_TIER, ox.NamedNode(tier), QC_GRAPH)
               for url, tier in cited_tiers(table, policy))
    graphs = [ox.DefaultGraph(), QC_GRAPH]
    dates = qc_substitutions(as_of or dt.date.today())
    findings = []
    for query in queries:
        used = {v: value for v, value in dates.items() if f"?{v.value}" in query.text}
        level = severity(query)
        for row in oxi.query(query.text, default_graph=graphs, substitutions=used or None):
            subject = row["subject"]
            message = row["message"]
            iri = subject.value if subject is not None else ""
            file, line = kg.locate(iri)
            text = message.value if message is not None else query.title
            findings.append(Finding(file, line, short_name(iri), query.name, text,
                                    severity=level))
    return findings


def load_shapes(project: Project) -> Graph:
    display = project.relative(project.shapes_file)
    return parse_turtle(read_text(project.shapes_file, display), display)


def validate(project: Project, kg: LoadedKG, table: Table, engine: str = "native",
             oxi: ox.Store | None = None, as_of: dt.date | None = None) -> list[Finding]:
    """Every finding from shapes and QC queries, sorted by file and line.

    ``table`` is loaded into Oxigraph (into ``oxi`` if given: an empty store, left
    holding it) and the QC queries run there, in a second thread, while the shapes are
    checked in Python. Oxigraph releases the GIL while it loads and queries, so with two
    cores the two overlap.
    """
    from concurrent.futures import ThreadPoolExecutor

    shapes = load_shapes(project)
    queries = load_qc_queries(project.qc_dir)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-qc") as pool:
        qc = pool.submit(qc_findings, kg, table, queries, oxi, as_of)
        findings = shacl_findings(kg, table, shapes, engine)
        findings += qc.result()
    return sorted(set(findings))
