"""The ontology: strict Turtle, OWL 2 RL consistent, bilingual, no imports at run time."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import AIG
from kg.reason import closure_owlrl, inconsistencies
from tests.conftest import REPO

ONTOLOGY_FILES = sorted((REPO / "ontology").glob("*.ttl"))


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_parses_with_a_strict_parser_and_with_rdflib(path):
    strict = list(pyoxigraph.parse(path.read_bytes(), pyoxigraph.RdfFormat.TURTLE,
                                   base_iri="https://w3id.org/aigov-kg/"))
    graph = Graph().parse(path, format="turtle")
    assert len(strict) == len(graph) > 0


@pytest.fixture(scope="module")
def ontology():
    graph = Graph()
    for path in ONTOLOGY_FILES:
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


def test_owl_rl_closure_is_consistent(ontology):
    assert inconsistencies(closure_owlrl(ontology)) == []


def test_no_owl_imports(ontology):
    assert not list(ontology.objects(None, OWL.imports))


def test_every_term_has_both_labels_and_a_definition(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for k in kinds for s in ontology.subjects(RDF.type, k)
             if str(s).startswith(str(AIG))}
    assert len(terms) > 100
    for term in terms:
        langs = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"en", "zh"} <= langs, term
        assert any(d.language == "en" for d in ontology.objects(term, SKOS.definition)), term


def test_six_risk_categories_are_the_top_concepts(ontology):
    top = {str(s)[len(str(AIG)):] for s in ontology.subjects(SKOS.topConceptOf, AIG.RiskTaxonomy)}
    assert top == {"CybersecurityThreatNarrativeRisk", "TechnologyTheftAllegationRisk",
                   "StateBackingAllegationRisk", "OpenSourceModelRegulationRisk",
                   "PhysicalAIProductRisk", "GeopoliticalUncertaintyRisk"}


def test_alignments_point_to_dpv_not_dpv_owl(ontology):
    targets = {str(o) for p in (SKOS.exactMatch, SKOS.closeMatch)
               for o in ontology.objects(None, p)}
    assert targets
    assert not [t for t in targets if "/dpv/owl" in t]
