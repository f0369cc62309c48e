"""Validate: SHACL shapes (through a :mod:`kg.pipeline.engines` validator) and ODK-style QC
queries.

Shapes say what each kind of record must carry; QC queries catch what SHACL says
badly (cycles, dangling IRIs, alignments outside the allow-list, an empty risk
category, the source policy). ``ontology/qc/*-violation.rq`` are errors,
``*-warning.rq`` are warnings (errors under ``--strict``). Beside the data, the QC
queries read each cited URL's source tier (``?url aig:sourceTier ?tier``, from
kg/pipeline/sourcepolicy.py, the one classifier) in a graph of the QC store only, never in the
build. Every result becomes a Finding located at the
case file and line of its subject where the loader knows them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.core.budget import DEFAULT, Budget
from kg.core.errors import Finding, ValidationFailed, ordered
from kg.core.namespaces import short_name
from kg.core.project import Project
from kg.core.reader import parse_turtle, read_text
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline import casevocab
from kg.pipeline.load import LoadedKG, read_cases
from kg.sparql.queryfile import read_query_file

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from kg.pipeline.sourcepolicy import SchemeMatch
    from kg.sparql.queryfile import NamedQuery


QC_GRAPH = ox.NamedNode("urn:aigov-kg:qc-preparation")  # source tiers: QC store only
SOURCE_TIER = ox.NamedNode("https://w3id.org/aigov-kg/ontology#sourceTier")

STALE_AFTER_DAYS = 180  # a non-final status not confirmed for this long is a warning


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
    from kg.pipeline.engines.base import ShaclUnsupported
    from kg.pipeline.engines.registry import REFERENCE_SHACL, shacl_engine_named

    try:
        results = shacl_engine_named(engine).validate(shapes, table, kg.asserted)
    except ShaclUnsupported:  # beyond this engine: the reference checks them
        results = shacl_engine_named(REFERENCE_SHACL).validate(shapes, table, kg.asserted)
    findings = []
    for result in results:
        focus = _focus_iri(result.focus)
        if (URIRef(focus), URIRef(result.path or "urn:x-none")) in kg.unread or (
                result.value.startswith("<")
                and (URIRef(_focus_iri(result.value)), RDF.type) in kg.unread):
            continue  # a value, or the class of one, could not be read: a load finding says so
        file, line = kg.locate(focus, result.path or None)
        shape_name = short_name(result.shape) if result.shape.startswith("http") else "shape"
        text = result.message or "does not conform"
        if result.value:
            value = parse_literal(result.value)[0] if result.value.startswith('"') else (
                _focus_iri(result.value))
            if value not in text:
                text += f" (value: {value[:80]})"
        findings.append(Finding(file, line, short_name(focus), f"shacl:{shape_name}", text))
    return findings




def qc_findings(kg: LoadedKG, table: Table, queries: list[NamedQuery],
                oxi: ox.Store | None = None, as_of: dt.date | None = None
                ) -> list[Finding]:
    """QC query results as findings. ``table`` is loaded into ``oxi`` first (an empty
    store, left holding it for the fast path's rules), or into a store of their own; the
    source tier of every cited URL goes to a graph of its own, which the QC queries read
    beside the default graph and which nothing else reads."""
    from kg.pipeline.sourcepolicy import SourcePolicy, cited_tiers, scheme_matches
    from kg.store import oxigraph as store

    oxi = oxi if oxi is not None else ox.Store()
    store.load_chunks(oxi, kg.ntriples_chunks(table))
    policy = SourcePolicy.from_graph(kg.ontology)
    oxi.extend(ox.Quad(ox.NamedNode(url), SOURCE_TIER, ox.NamedNode(tier), QC_GRAPH)
               for url, tier in cited_tiers(table, policy))
    oxi.extend(scheme_quads(scheme_matches(table, policy)))
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph(), QC_GRAPH]
    dates = qc_substitutions(as_of or dt.date.today())
    findings = []
    for query in queries:
        used: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            v: value for v, value in dates.items() if f"?{v.value}" in query.text}
        level = severity(query)
        rows = oxi.query(query.text, default_graph=graphs, substitutions=used or None)
        if not isinstance(rows, ox.QuerySolutions):  # refused when the query file was read
            raise TypeError(f"QC query {query.name} is not a SELECT query")
        for row in rows:
            subject = row["subject"]
            message = row["message"]
            iri = subject.value if subject is not None else ""
            if (URIRef(iri), RDF.type) in kg.unread:
                continue  # a record whose class could not be read: the load finding says so
            file, line = kg.locate(iri)
            text = message.value if message is not None else query.title
            findings.append(Finding(file, line, short_name(iri), query.name, text,
                                    severity=level))
    return findings


def scheme_quads(matches: Iterable[SchemeMatch]) -> Iterator[ox.Quad]:
    """Each record whose identifier follows an official-text scheme, as a node of the QC
    store: ``aig:schemeRecord``, ``aig:scheme``, ``aig:schemeIdentifier``,
    ``aig:canonicalLink``, and its links of the scheme (``aig:schemeLink``), those naming
    the same act (``aig:agreeingLink``) and its parent's (``aig:parentSchemeLink``)."""
    aig = "https://w3id.org/aigov-kg/ontology#"
    for match in matches:
        node = ox.BlankNode()
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            ("schemeRecord", ox.NamedNode(match.record)),
            ("scheme", ox.NamedNode(match.scheme.iri)),
            ("schemeIdentifier", ox.Literal(match.identifier)),
            ("canonicalLink", ox.NamedNode(match.canonical)),
            *(("schemeLink", ox.NamedNode(url)) for url in match.links),
            *(("agreeingLink", ox.NamedNode(url)) for url in match.agreeing),
            *(("parentSchemeLink", ox.NamedNode(url)) for url in match.parent_links)]
        for name, value in facts:
            yield ox.Quad(node, ox.NamedNode(aig + name), value, QC_GRAPH)


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
    return ordered(findings)


def load_checked(project: Project, files: Iterable[Path] | None = None,
                 budget: Budget | None = None, engine: str = "native",
                 as_of: dt.date | None = None) -> LoadedKG:
    """:func:`kg.pipeline.load.load`, telling everything when it fails: if any case file
    has a problem, raise ValidationFailed with the load findings and what the shapes and
    QC queries find in what could be loaded (:func:`with_load_findings`), sorted by file
    and line. What loads cleanly is returned, for :func:`validate` to check."""
    kg, problems = read_cases(project, files, budget)
    if problems:
        raise ValidationFailed(with_load_findings(project, kg, problems, budget or DEFAULT,
                                                  engine, as_of))
    return kg


def with_load_findings(project: Project, kg: LoadedKG, problems: list[Finding],
                       budget: Budget, engine: str = "native", as_of: dt.date | None = None
                       ) -> list[Finding]:
    """Every finding of a run whose case files have ``problems`` (the load's): those, and
    what the shapes and QC queries find in what could be loaded (``kg``: the files that
    could be parsed, the records with a readable id, the values that could be read), so
    one run tells everything. A shape that fails only because a value could not be read
    is not reported again. A transitive relation deeper than the ``budget`` allows is
    reported instead of the shapes, before anything grows with the square of the depth."""
    table = kg.table()
    too_deep = casevocab.depth_findings(kg, table, budget.max_depth)
    if too_deep:
        return ordered([*problems, *too_deep])
    return ordered([*problems, *validate(project, kg, table, engine, as_of=as_of)])
