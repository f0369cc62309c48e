"""OWL 2 that an outside reasoner accepts: datatypes from the OWL 2 datatype map only,
disjoint kinds, inconsistency caught by both reasoners, and HermiT (through owlready2, in
scripts/owl_check.py) finding the built graph consistent with no unsatisfiable class."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.core.namespaces import AIG
from kg.pipeline.build import build
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

OWL_CHECK = REPO / "scripts" / "owl_check.py"

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), and rdfs:Literal.
DATATYPE_MAP = {
    OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal,
    *(URIRef(f"http://www.w3.org/2001/XMLSchema#{name}") for name in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString",
        "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
        "base64Binary", "anyURI", "dateTime", "dateTimeStamp")),
}

NEGATIVE = FIXTURES / "inconsistent"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


def aig(name: str) -> str:
    return "aig:" + name[len(str(AIG)):] if name.startswith(str(AIG)) else name


# --------------------------------------------------------------------------- no Java needed


def test_datatype_properties_have_ranges_in_the_owl2_datatype_map(ontology):
    """HermiT refuses xsd:date (measured: docs/owl.md). A property whose values are dates,
    years, language-tagged notes or links is an owl:AnnotationProperty instead."""
    wrong = sorted(f"{aig(str(p))} has range {r.n3(ontology.namespace_manager)}"
                   for p in ontology.subjects(RDF.type, OWL.DatatypeProperty)
                   for r in ontology.objects(p, RDFS.range)
                   if isinstance(r, URIRef) and r not in DATATYPE_MAP)
    assert not wrong, ("outside the OWL 2 datatype map; declare these owl:AnnotationProperty "
                       "(docs/owl.md): " + "; ".join(wrong))


def test_no_property_is_both_an_annotation_and_a_data_or_object_property(ontology):
    annotation = set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    logical = (set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
               | set(ontology.subjects(RDF.type, OWL.ObjectProperty)))
    assert not sorted(aig(str(p)) for p in annotation & logical)


def test_date_properties_keep_their_range_for_the_loader(ontology):
    from kg.pipeline.casevocab import Vocabulary

    vocabulary = Vocabulary.from_ontology(ontology)
    for key in ("issuedOn", "inForceFrom", "appliesFrom", "endedOn", "startDate", "endDate",
                "curatedOn", "statusConfirmedOn"):
        assert (AIG[key], RDF.type, OWL.AnnotationProperty) in ontology, key
        assert vocabulary.properties[key].kind == "date", key


def _literal_problems(graph_nt: Path) -> list[str]:
    graph = Graph().parse(graph_nt, format="nt")
    data_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    problems = []
    for s, p, o in graph:
        if p not in data_properties:
            continue
        if not isinstance(o, Literal):
            problems.append(f"{s} {aig(str(p))} has a non-literal value {o}")
        elif o.language is None and o.datatype is not None and o.datatype not in DATATYPE_MAP:
            problems.append(f"{s} {aig(str(p))} {o.n3()}")
    return sorted(problems)


def test_data_property_values_in_the_mini_build_are_in_the_datatype_map(tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    assert _literal_problems(project.root / "build" / "graph.nt") == []


def test_data_property_values_in_the_curated_build_are_in_the_datatype_map(repo_build):
    assert _literal_problems(repo_build.out_dir / "graph.nt") == []


def _disjoint_pairs(graph: Graph) -> set[frozenset]:
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)}
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(node, OWL.members)))
        pairs |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
    return pairs


def test_every_top_level_kind_is_disjoint_from_every_other(ontology):
    """A new top-level class joins the list at the end of ontology/aigov.ttl."""
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(AIG))}
    top = sorted(c for c in classes
                 if not any(str(s).startswith(str(AIG)) for s in
                            ontology.objects(c, RDFS.subClassOf) if isinstance(s, URIRef)))
    assert len(top) >= 15
    pairs = _disjoint_pairs(ontology)
    missing = sorted(f"{aig(str(a))} / {aig(str(b))}" for i, a in enumerate(top)
                     for b in top[i + 1:] if frozenset((a, b)) not in pairs)
    assert not missing, "top-level kinds not declared disjoint: " + ", ".join(missing)


def test_siblings_the_data_shows_together_are_not_declared_disjoint(ontology):
    """The fixture's home robot is a robot and a smart-home device; a regulator may be an
    executive agency; an activity node may be of several activity types."""
    pairs = _disjoint_pairs(ontology)
    for a, b in (("Robot", "SmartHomeDevice"), ("Regulator", "Government"),
                 ("OfferingService", "ProcessingPersonalData"), ("Ban", "Order")):
        assert frozenset((AIG[a], AIG[b])) not in pairs, (a, b)


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_build_refuses_an_individual_of_two_disjoint_kinds(tmp_path, capsys, reasoner):
    project = make_project(tmp_path, [FIXTURES / "mini", NEGATIVE])
    result = run_kg(capsys, project.root, "build", "--reasoner", reasoner)
    assert result.code == 2, result.err
    assert ("the graph is inconsistent under OWL 2 RL: acme-republic (aig:Company, "
            "aig:Country) is both aig:Actor and aig:Jurisdiction, which the ontology declares "
            "disjoint (OWL 2 RL cax-adc)") in result.err
    assert not (project.root / "build").exists()


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_build_refuses_a_model_that_is_a_robot(tmp_path, capsys, reasoner):
    case = ("curated: 2026-11-28\nrecords:\n  - id: robo-model\n    a: [OpenWeightModel, Robot]\n"
            "    label: {en: Robo model (illustrative), zh: Robo模型（示例）}\n"
            "    illustrative: true\n    evidence: https://example.org/robo\n")
    project = make_project(tmp_path, [FIXTURES / "mini"], {"robo-model.yaml": case})
    result = run_kg(capsys, project.root, "build", "--reasoner", reasoner)
    assert result.code == 2, result.err
    assert ("robo-model (aig:OpenWeightModel, aig:Robot) is both aig:AIModel and "
            "aig:PhysicalAIProduct, which the ontology declares disjoint (OWL 2 RL cax-dw)"
            ) in result.err


def test_build_refuses_a_rule_that_gives_an_exposure_two_disjoint_kinds(tmp_path, capsys):
    """What the rules derive is checked too, after them (the same code on both paths)."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    (project.rules_dir / "99-bad.rq").write_text(
        "# title: A rule that says a market exposure is an allegation exposure too\n"
        "PREFIX aig: <https://w3id.org/aigov-kg/ontology#>\n"
        "CONSTRUCT { ?e a aig:AllegationExposure } WHERE { ?e a aig:MarketExposure }\n",
        "utf-8")
    result = run_kg(capsys, project.root, "build")
    assert result.code == 2, result.err
    assert "is both aig:MarketExposure and aig:AllegationExposure" in result.err
    assert "(OWL 2 RL cax-adc)" in result.err


# --------------------------------------------------------------------------- HermiT


@pytest.fixture(scope="session")
def hermit() -> None:
    """HermiT needs owlready2 and Java: under CI=1 their absence fails, never skips."""
    ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    try:
        import owlready2  # noqa: F401
    except ImportError:
        if ci:
            pytest.fail("CI is set but owlready2 is not installed (pip install -e '.[test]')")
        pytest.skip("owlready2 is not installed: HermiT checks NOT run")
    if shutil.which("java") is None:
        if ci:
            pytest.fail("CI is set but Java is not installed (apt-get install "
                        "default-jre-headless)")
        pytest.skip("no Java runtime (apt-get install default-jre-headless): HermiT checks "
                    "NOT run")


def owl_check(*args: str) -> tuple[int, dict]:
    completed = subprocess.run([sys.executable, str(OWL_CHECK), "--json", *args],
                               capture_output=True, text=True, timeout=300, check=False)
    return completed.returncode, json.loads(completed.stdout)


def test_hermit_finds_the_mini_build_consistent(hermit, tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    build(project)
    completed = subprocess.run([sys.executable, str(OWL_CHECK), "--root", str(project.root)],
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "consistent: yes" in completed.stdout
    assert "unsatisfiable classes: 0" in completed.stdout


def test_hermit_finds_the_curated_build_consistent(hermit, repo_build):
    code, report = owl_check("--build", str(repo_build.out_dir))
    assert code == 0, report
    assert report["consistent"] is True
    assert report["unsatisfiable"] == []
    assert report["triples"] > 5000


def test_hermit_finds_the_negative_fixture_inconsistent(hermit, tmp_path):
    project = make_project(tmp_path, [FIXTURES / "mini", NEGATIVE])
    code, report = owl_check("--root", str(project.root), "--asserted")
    assert code == 1, report
    assert report["consistent"] is False


def test_hermit_refuses_dates_on_a_datatype_property(hermit, tmp_path):
    """Why dates are annotation properties: the measurement, kept reproducible."""
    path = tmp_path / "dated.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://example.org/o> a owl:Ontology .\n"
        "<https://example.org/issuedOn> a owl:DatatypeProperty ; rdfs:range xsd:date .\n"
        "<https://example.org/law> <https://example.org/issuedOn> \"2024-07-12\"^^xsd:date .\n",
        "utf-8")
    code, report = owl_check(str(path))
    assert code == 2, report
    assert "XMLSchema#date" in report["error"]
    assert "OWL 2 datatype map" in report["error"]
