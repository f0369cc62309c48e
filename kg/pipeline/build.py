"""Build: load → validate → reason → exposures → write ``build/``, atomically.

Outputs (all deterministic for the same input):

- ``asserted.ttl``   ontology + curated data as loaded
- ``inferred.ttl``   what OWL 2 RL adds (trivial entailments dropped)
- ``derived.ttl``    what the domain rules add: exposures and effective dates
- ``graph.nt``       all of it as N-Triples, part after part, each part sorted
- ``graph.nq``       the same in three named graphs (asserted / inferred / derived)
- ``exposures.json`` / ``exposures.csv``  explainable exposure records
- ``index.json``     every labelled entity, for name look-up on the command line
- ``coverage.json``  what was reviewed in each jurisdiction (kg/pipeline/coverage.py)
- ``manifest.json``  input file hashes and counts (no timings, so builds diff cleanly)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg import __version__
from kg.core.atomic import replace_directory
from kg.core.budget import DEFAULT, Budget
from kg.core.errors import Finding, ValidationFailed
from kg.core.namespaces import AIG
from kg.core.project import Project
from kg.pipeline import casevocab
from kg.pipeline.engines.rules import Rule, load_rules
from kg.pipeline.load import LoadedKG
from kg.pipeline.reason import Reasoned
from kg.pipeline.sourcepolicy import SourcePolicy
from kg.store.built import input_hashes

Progress = Callable[[str], None]
HEARTBEAT = 10.0  # seconds between "still …" lines while a phase runs


class Steps:
    """Progress through the phases of a build on ``say``: a line when a phase starts, one
    when it ends with its time, and one every ``beat`` seconds while it runs, so a long
    build is never silent. Without ``say``, nothing is printed and nothing started."""

    def __init__(self, say: Progress | None, total: int, beat: float = HEARTBEAT) -> None:
        self.say, self.total, self.beat = say, total, beat
        self.number = 0
        self.elapsed = 0.0
        self._lock = threading.Lock()

    def tell(self, message: str) -> None:
        if self.say is not None:
            with self._lock:
                self.say(f"[{self.number}/{self.total}] {message}")

    @contextmanager
    def phase(self, doing: str, still: str) -> Iterator[None]:
        """Announce ``doing``; every ``beat`` seconds say it is ``still`` at it; keep the
        phase's time in ``elapsed``."""
        self.number += 1
        self.tell(f"{doing}…")
        start = time.perf_counter()
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.beat):
                self.tell(f"… still {still} ({time.perf_counter() - start:.0f}s)")

        ticker = threading.Thread(target=beat, daemon=True, name="kg-progress") \
            if self.say is not None and self.beat > 0 else None
        if ticker is not None:
            ticker.start()
        try:
            yield
        finally:
            stop.set()
            if ticker is not None:
                ticker.join()
            self.elapsed = time.perf_counter() - start


@dataclass
class BuildResult:
    out_dir: Path
    reasoner: str
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    exposures: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    writer_peak_mb: float = 0.0  # the graph-file writer's peak memory (a child process)


def rule_graph(project: Project, rules: list[Rule] | None = None) -> Graph:
    """The rules (read from the project unless given) described as data, so exposures can
    name the rule that made them."""
    graph = Graph()
    for rule in rules if rules is not None else load_rules(project.rules_dir):
        graph.add((rule.iri, RDF.type, AIG.InferenceRule))
        graph.add((rule.iri, RDFS.label, Literal(rule.title, lang="en")))
        if rule.description:
            graph.add((rule.iri, RDFS.comment, Literal(rule.description, lang="en")))
        graph.add((rule.iri, DCTERMS.source, Literal(project.relative(rule.path))))
    return graph


def entity_index(reasoned: Reasoned) -> dict[str, dict[str, Any]]:
    """Every labelled IRI with its labels, alternative labels (``skos:altLabel``, when it
    has any), aig: types and aig: superclasses."""
    from kg.core.terms import parse_literal
    from kg.pipeline.exposures import TableView

    table = reasoned.table
    view = TableView(table)
    terms, objects = table.terms, table.objects
    aig = "<" + str(AIG)
    alt = table.iri_id(str(SKOS.altLabel))
    index: dict[str, dict[str, Any]] = {}
    for subject in table.sp.get(view.LABEL, {}):
        if not terms[subject].startswith("<"):
            continue
        types = sorted(view.short(t) for t in objects(subject, view.TYPE)
                       if terms[t].startswith(aig))
        broader = sorted(view.short(c) for c in objects(subject, view.SUBCLASS)
                         if c != subject and terms[c].startswith(aig))
        index[view.iri(subject)] = {"id": view.short(subject), "label": view.labels(subject),
                                    "types": types, "broader": broader}
        alternatives = sorted({parse_literal(terms[a])[0] for a in objects(subject, alt)
                               if terms[a].startswith('"')})
        if alternatives:
            index[view.iri(subject)]["alt"] = alternatives
    return index


def object_lines(mapping: dict[str, Any]) -> Iterator[str]:
    """A JSON object with one entry per line (sorted keys), as lines to write."""
    import orjson

    yield "{\n"
    last = len(mapping) - 1
    for index, (key, value) in enumerate(sorted(mapping.items())):
        text = orjson.dumps({key: value}, option=orjson.OPT_SORT_KEYS).decode("utf-8")[1:-1]
        yield text + (",\n" if index < last else "\n")
    yield "}\n"


@dataclass
class Checked:
    kg: LoadedKG
    reasoned: Reasoned
    records: list[dict[str, Any]]
    timings: dict[str, float]
    warnings: list[Finding] = field(default_factory=list)


def check(project: Project, reasoner: str = "fast", files: list[Path] | None = None,
          progress: Progress | None = None, validator: str = "native",
          records: bool = True, strict: bool = False, budget: Budget | None = None,
          steps: Steps | None = None) -> Checked:
    """Load, validate and reason without writing anything; raise on any error (and on
    any warning when ``strict``). The warnings are reported through ``progress`` and
    kept. The exposure records are made too, unless ``records`` is false (the build
    makes them itself, while the graph files are being written). ``budget`` bounds the
    work (kg/core/budget.py; its time limit is the caller's, through kg.core.budget.deadline).
    Each phase is announced and timed on ``progress`` (or on ``steps``, the build's)."""
    import pyoxigraph as ox

    from kg.pipeline import exposures, reason, validate
    from kg.store import oxigraph as store

    steps = steps or Steps(progress, 4 if records else 3)
    timings: dict[str, float] = {}
    with steps.phase("loading the ontology and case files", "loading"):
        kg = validate.load_checked(project, files, budget, validator)  # fails telling all
        rules = load_rules(project.rules_dir)  # read, guarded and syntax-checked once
        described = rule_graph(project, rules)
        table = kg.table()
        too_deep = casevocab.depth_findings(kg, table, (budget or DEFAULT).max_depth)
        if too_deep:  # before anything grows with the square of the depth
            raise ValidationFailed(too_deep)
        table.add_oxigraph(store.quads(described))
    timings["load"] = steps.elapsed
    steps.tell(f"loaded {len(kg.files)} case files, {len(table):,} asserted triples "
               f"({timings['load']:.2f}s)")

    with steps.phase("validating: shapes and QC queries", "validating"):
        oxi = ox.Store()  # filled by validation for the QC queries, then used by the rules
        findings = validate.validate(project, kg, table, validator, oxi)
    timings["validate"] = steps.elapsed
    warnings = [f for f in findings if f.severity == "warning"]
    if findings and (strict or len(warnings) < len(findings)):
        raise ValidationFailed(findings)
    noted = f", {len(warnings)} warning(s) (`kg validate` lists them)" if warnings else ""
    steps.tell(f"validated: shapes and QC queries pass{noted} ({timings['validate']:.2f}s)")

    doing = ("reasoning with the owlrl reference (pure Python; this can take a while)"
             if reasoner == "owlrl" else f"reasoning ({reasoner}): OWL 2 RL closure and rules")
    with steps.phase(doing, "reasoning"):
        graph = None
        if reasoner == "owlrl":
            graph = kg.asserted()
            for triple in described:
                graph.add(triple)
        kg.drop_text()  # the table and the store hold it now
        reasoned = reason.reason(table, rules, reasoner, graph, oxi,
                                 (budget or DEFAULT).max_inferred)
        del oxi  # a second copy of the whole graph: free it before the exposures are made
    timings["reason"] = steps.elapsed
    if reasoned.note:
        steps.tell(reasoned.note)
    steps.tell(f"reasoned ({reasoned.reasoner}): {len(reasoned.inferred):,} inferred, "
               f"{len(reasoned.derived):,} derived triples ({timings['reason']:.2f}s)")

    made: list[dict[str, Any]] = []
    if records:
        with steps.phase("making the exposure records", "making exposure records"):
            made = exposures.extract(reasoned.table, reasoned.asserted,
                                     SourcePolicy.from_graph(kg.ontology))
        timings["exposures"] = steps.elapsed
        steps.tell(f"made {len(made):,} exposure records ({timings['exposures']:.2f}s)")
    return Checked(kg, reasoned, made, timings, warnings)


def build(project: Project, reasoner: str = "fast", out_dir: Path | None = None,
          progress: Progress | None = None, strict: bool = False,
          budget: Budget | None = None) -> BuildResult:
    """Check, then write ``build/`` whole. The graph files are written by a child process
    while this one makes the exposure records, so ``write`` times only what is left once
    the records are made."""
    from kg.pipeline import coverage
    from kg.pipeline.exposures import extract, json_lines, to_csv
    from kg.store import export

    out_dir = out_dir or project.build_dir
    hashes = input_hashes(project)
    steps = Steps(progress, 5)
    checked = check(project, reasoner, records=False, strict=strict, budget=budget,
                    steps=steps)
    reasoned, timings = checked.reasoned, checked.timings
    case_files = len(checked.kg.files)
    policy = SourcePolicy.from_graph(checked.kg.ontology)
    del checked  # the parsed input is no longer needed: free it before writing

    start = time.perf_counter()
    table = reasoned.table
    named = {"asserted": reasoned.asserted, "inferred": reasoned.inferred,
             "derived": reasoned.derived}
    with replace_directory(out_dir) as staging:
        writer = export.write_graph(table, named, staging)
        try:
            with steps.phase("making the exposure records (the graph files are written "
                             "meanwhile)", "making exposure records"):
                records = extract(table, reasoned.asserted, policy)
            timings["exposures"] = steps.elapsed
            steps.tell(f"made {len(records):,} exposure records "
                       f"({timings['exposures']:.2f}s)")
            counts = {
                "asserted_triples": len(reasoned.asserted),
                "inferred_triples": len(reasoned.inferred),
                "derived_triples": len(reasoned.derived),
                "exposures": len(records),
                "case_files": case_files,
            }
            manifest = {"kg_version": __version__, "reasoner": reasoned.reasoner,
                        "counts": counts, "inputs": hashes}
            with steps.phase("writing the records, the index and the coverage; finishing "
                             "the graph files", "writing"):
                with open(staging / "exposures.json", "w", encoding="utf-8") as handle:
                    handle.writelines(json_lines(records))
                (staging / "exposures.csv").write_text(to_csv(records), "utf-8")
                with open(staging / "index.json", "w", encoding="utf-8") as handle:
                    handle.writelines(object_lines(entity_index(reasoned)))
                (staging / "coverage.json").write_text(json.dumps(
                    coverage.read(table), indent=1, sort_keys=True, ensure_ascii=False)
                    + "\n", "utf-8")
                (staging / "manifest.json").write_text(
                    json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
                writer.wait()
        except BaseException:
            writer.stop()
            raise
    timings["write"] = time.perf_counter() - start - timings["exposures"]
    steps.tell(f"wrote {project.relative(out_dir)}/ ({timings['write']:.2f}s)")
    return BuildResult(out_dir, reasoned.reasoner, counts, timings, records, reasoned.note,
                       writer.peak_kb / 1024)
