"""Scaffold: `kg new-case KIND` writes a commented case template for a curator to fill.

A template carries exactly the keys validation requires for its kind (the shapes'
``sh:minCount`` and the QC queries), with the optional keys commented out. Lists of
allowed values (status values, risk types, activity, artefact and record classes) are
read from the ontology, so a template never lags behind it. Every value to be filled in
contains ``FILL-IN`` and fails validation as written — a template cannot be committed by
accident.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.core import atomic
from kg.core.errors import UsageError
from kg.core.namespaces import AIG, short_name
from kg.core.project import DATA_SUFFIXES, Project
from kg.core.terms import INSTANCE_ID, TERM_ID
from kg.core.textsafe import file_name
from kg.pipeline.load import load_ontology

PLACEHOLDER = "FILL-IN"
ENDED_STATUSES = ("Closed", "Lifted", "Rescinded", "Withdrawn", "Superseded")  # as the QC query


@dataclass(frozen=True)
class Kind:
    """A kind of case: its template, default class, and where its class choices come from."""

    template: str
    default_class: str
    class_roots: tuple[str, ...]
    id_pattern: re.Pattern[str]
    id_example: str


KINDS: dict[str, Kind] = {
    "instrument": Kind("instrument.yaml", "Legislation", ("Instrument",), INSTANCE_ID,
                       "eu-data-act"),
    "measure": Kind("measure.yaml", "Investigation",
                    ("GovernmentMeasure", "LegalProceeding", "Incident"), INSTANCE_ID,
                    "it-garante-order-2025"),
    "allegation": Kind("allegation.yaml", "Allegation", ("Allegation",), INSTANCE_ID,
                       "openai-distillation-claim-2025"),
    "activity": Kind("activity.yaml", "OfferingService", ("Activity",), INSTANCE_ID,
                     "deepseek-app-in-italy"),
    "risk-type": Kind("risk-type.yaml", "owl:Class", (), TERM_ID, "DeepfakeContentRisk"),
}


# --------------------------------------------------------------------------- the ontology


def _local(node: object) -> str:
    return short_name(str(node))


def subclasses(graph: Graph, root: str, include_root: bool = False) -> list[str]:
    """Local names of the aig: classes below ``root`` (transitively), sorted."""
    found: set[URIRef] = set()
    stack = [AIG[root]]
    while stack:
        for sub in graph.subjects(RDFS.subClassOf, stack.pop()):
            if isinstance(sub, URIRef) and str(sub).startswith(str(AIG)) and sub not in found:
                found.add(sub)
                stack.append(sub)
    names = sorted(_local(c) for c in found)
    return [root, *names] if include_root else names


def status_values(graph: Graph) -> list[str]:
    return sorted(_local(s) for s in graph.subjects(RDF.type, AIG.Status))


def risk_types_by_category(graph: Graph) -> dict[str, list[str]]:
    """The six categories (top concepts of the risk taxonomy) and the risk types below each."""
    categories = sorted(_local(c) for c in graph.subjects(SKOS.topConceptOf, AIG.RiskTaxonomy))
    return {category: subclasses(graph, category) for category in categories}


# --------------------------------------------------------------------------- rendering


def _comment_block(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        out.extend(textwrap.wrap(line, width=96, initial_indent="#   ",
                                 subsequent_indent="#       ", break_on_hyphens=False))
    return "\n".join(out)


def _values(graph: Graph, kind: Kind, record_id: str, today: dt.date) -> dict[str, str]:
    choices = [c for root in kind.class_roots for c in subclasses(graph, root) or [root]]
    risks = [f"{category}: {', '.join(types)}"
             for category, types in risk_types_by_category(graph).items()]
    return {
        "id": record_id,
        "today": today.isoformat(),
        "default_class": kind.default_class,
        "class_list": _comment_block([", ".join(dict.fromkeys(choices))]),
        "statuses": ", ".join(status_values(graph)),
        "ended_statuses": ", ".join(ENDED_STATUSES[:-1]) + f" or {ENDED_STATUSES[-1]}",
        "risk_types": _comment_block(risks),
        "activity_list": _comment_block([", ".join(subclasses(graph, "Activity",
                                                              include_root=True))]),
        "artefact_list": _comment_block([", ".join(subclasses(graph, "Artefact"))]),
    }


def template_text(kind_name: str) -> str:
    template = resources.files("kg").joinpath("cases", "templates", KINDS[kind_name].template)
    return template.read_text("utf-8")


def render(graph: Graph, kind_name: str, record_id: str | None = None,
           today: dt.date | None = None) -> str:
    """The template for ``kind_name``, with the ontology's allowed values filled in."""
    kind = KINDS[kind_name]
    record_id = record_id or (f"{PLACEHOLDER}-UpperCamelCaseRisk" if kind_name == "risk-type"
                              else f"{PLACEHOLDER}-kebab-case-id")
    values = _values(graph, kind, record_id, today or dt.date.today())
    return string.Template(template_text(kind_name)).substitute(values)


# --------------------------------------------------------------------------- writing


def check_id(kind_name: str, record_id: str) -> None:
    kind = KINDS[kind_name]
    if not kind.id_pattern.match(record_id):
        style = "UpperCamelCase" if kind_name == "risk-type" else "kebab-case"
        raise UsageError(f"--id: '{record_id}' is not a valid id for a {kind_name}; use "
                         f"{style}, e.g. {kind.id_example}")


def output_path(project: Project, out: str | None, kind_name: str,
                record_id: str | None) -> Path:
    """Where to write: ``--out`` if it resolves inside data/ or the current directory."""
    if out is None:
        name = f"new-{kind_name}"
        if record_id:  # a risk type's file is named in kebab-case, like every case file
            name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", record_id).lower()
        # Filed under its jurisdiction's folder when the id starts with a known code
        # (`kr-pipc-…` goes to data/jurisdictions/kr/); elsewhere, data/cases/.
        folder = project.data_dir / "jurisdictions" / name.split("-")[0]
        return (folder if folder.is_dir() else project.data_dir / "cases") / f"{name}.yaml"
    path = Path(out)
    resolved = (Path.cwd() / path).resolve() if not path.is_absolute() else path.resolve()
    allowed = (project.data_dir.resolve(), Path.cwd().resolve())
    if not any(resolved.is_relative_to(base) for base in allowed):
        raise UsageError(f"--out: '{file_name(out)}' is outside data/ and the current "
                         "directory; write the case into data/ (or a draft here) and move it "
                         "into data/ later")
    if resolved.suffix not in DATA_SUFFIXES[:2]:
        raise UsageError(f"--out: '{file_name(out)}' must end in .yaml or .yml")
    return resolved


def new_case(project: Project, kind_name: str, record_id: str | None = None,
             out: str | None = None, today: dt.date | None = None) -> tuple[Path | None, str]:
    """Render the template; write it unless ``out`` is ``-``. Returns (path, text)."""
    from kg.core.outputs import check

    if record_id is not None:
        check_id(kind_name, record_id)
    path = None
    if out != "-":  # where it goes is checked before anything is read
        path = output_path(project, out, kind_name, record_id)
        if path.exists() or path.is_symlink():
            raise UsageError(f"{_display(project, path)} already exists; choose another --out "
                             "or --id (new-case never overwrites a file)")
        check(out if out is not None else str(path), project.root, allow=("data",))
    text = render(load_ontology(project), kind_name, record_id, today)
    if path is None:
        return None, text
    atomic.write_text(path, text)
    return path, text


def _display(project: Project, path: Path) -> str:
    relative = project.relative(path)
    if os.path.isabs(relative):
        try:
            return file_name(str(path.relative_to(Path.cwd().resolve())))
        except ValueError:
            return relative
    return relative
