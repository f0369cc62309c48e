"""The ontology: strict Turtle, OWL 2 RL consistent, bilingual, no imports at run time."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.core.namespaces import AIG
from kg.pipeline.engines.owlrl_ref import closure_owlrl, inconsistencies
from tests.conftest import REPO

ONTOLOGY_FILES = sorted((REPO / "ontology").glob("*.ttl"))


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_parses_with_a_strict_parser_and_with_rdflib(path):
    strict = list(pyoxigraph.parse(path.read_bytes(), pyoxigraph.RdfFormat.TURTLE,
                                   base_iri="https://w3id.org/aigov-kg/"))
    graph = Graph().parse(path, format="turtle")
    assert len(strict) == len(graph) > 0


@pytest.fixture(scope="session")
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


def test_the_six_categories_and_the_baseline_are_the_top_concepts(ontology):
    top = {str(s)[len(str(AIG)):] for s in ontology.subjects(SKOS.topConceptOf, AIG.RiskTaxonomy)}
    assert top == {"CybersecurityThreatNarrativeRisk", "TechnologyTheftAllegationRisk",
                   "StateBackingAllegationRisk", "OpenSourceModelRegulationRisk",
                   "PhysicalAIProductRisk", "GeopoliticalUncertaintyRisk", "BaselineLegalRisk"}


def test_every_article_passage_is_the_articles_own_words(ontology):
    """The passages that place each risk type are verbatim quotes of the seed article."""
    seed = REPO.parent / "shared" / "seed" / "000_f4e6ca4b0efe5d3f.txt"
    if not seed.is_file():
        pytest.skip("the seed article is not beside this checkout")
    text = seed.read_text("utf-8")
    passages = [str(o) for o in ontology.objects(None, AIG.articlePassage)]
    assert len(passages) >= 36
    assert [p for p in passages if p not in text] == []


def test_data_rules_are_baseline_and_training_data_ip_is_not_theft(ontology):
    def parents(name):
        return {str(o)[len(str(AIG)):] for o in ontology.objects(AIG[name], RDFS.subClassOf)}

    for name in ("DataSecurityRisk", "CybersecurityComplianceRisk",
                 "PersonalInformationProtectionRisk", "DataProtectionEnforcementRisk"):
        assert parents(name) == {"BaselineLegalRisk"}, name
    assert parents("TrainingDataIPRisk") == {"OpenSourceModelRegulationRisk"}


def test_alignments_point_to_dpv_not_dpv_owl(ontology):
    targets = {str(o) for p in (SKOS.exactMatch, SKOS.closeMatch)
               for o in ontology.objects(None, p)}
    assert targets
    assert not [t for t in targets if "/dpv/owl" in t]
