"""Case files assert data, not schema (kg/pipeline/casevocab.py), and the one extension kept: a new
class under a risk type, activity type, artefact kind or instrument or event kind."""

from __future__ import annotations

import pytest

from kg.core.errors import ValidationFailed
from kg.pipeline.build import check
from tests.conftest import FIXTURES, make_project

HEAD = "curated: 2026-11-28\nrecords:\n"
NEW_RISK = HEAD + """\
  - id: DeepfakeContentRisk
    a: owl:Class
    subClassOf: PersonalInformationProtectionRisk
    label: {en: Deepfake content risk, zh: 深度伪造内容风险}
    definition: {en: "Risk from rules on synthetic or manipulated media of real people."}
    articlePassage: {zh: "传统的数据安全、网络安全、个人信息保护等法律问题"}
    evidence: https://example.org/deepfakes
"""
PREFIXES = """\
@prefix aig: <https://w3id.org/aigov-kg/ontology#> .
@prefix id: <https://w3id.org/aigov-kg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def findings(tmp_path, files: dict[str, str]) -> list[str]:
    project = make_project(tmp_path, [FIXTURES / "mini"], files)
    try:
        check(project, records=False)
    except ValidationFailed as exc:
        return [f.render() for f in exc.findings]
    return []


def test_a_new_risk_type_is_still_allowed_and_used(tmp_path):
    """The documented extension (docs/adding-a-case.md): a new class under a risk type,
    with a sub-type of it in another file and an instrument that raises it."""
    sub = HEAD + """\
  - id: VoiceCloningRisk
    a: [owl:Class, skos:Concept]
    subClassOf: DeepfakeContentRisk
    label: {en: Voice cloning risk, zh: 声音克隆风险}
    definition: {en: "Risk from rules on cloned voices."}
    articlePassage: {zh: "传统的数据安全、网络安全、个人信息保护等法律问题"}
    evidence: https://example.org/voices
"""
    assert findings(tmp_path, {"a-sub.yaml": sub, "b-risk.yaml": NEW_RISK}) == []


@pytest.mark.parametrize(("text", "expected"), [
    # Turtle: OWL and RDFS axioms, merges, statements about terms, OWL vocabulary as data
    (PREFIXES + "id:acme-lab owl:sameAs id:robo-co .\n", "data/x.ttl:6: owl:sameAs would"),
    (PREFIXES + "id:acme-lab owl:differentFrom id:robo-co .\n",
     "data/x.ttl:6: owl:differentFrom is a schema statement"),
    (PREFIXES + "aig:within a owl:SymmetricProperty .\n", "statements about aig:within"),
    (PREFIXES + "aig:Country rdfs:subClassOf aig:Company .\n",
     "data/x.ttl:6: rdfs:subClassOf is a schema statement"),
    (PREFIXES + "id:acme-lab a owl:Class .\n", "owl:Class is a term of the OWL/RDFS"),
    (PREFIXES + "id:acme-lab rdfs:subPropertyOf aig:within .\n",
     "rdfs:subPropertyOf is a schema statement"),
    (PREFIXES + "id:acme-lab rdfs:domain aig:Country .\n", "rdfs:domain is a schema statement"),
    (PREFIXES + "id:acme-lab aig:within owl:Thing .\n", "owl:Thing is a term of the OWL/RDFS"),
    (PREFIXES + "id:acme-lab aig:within rdfs:label .\n", "rdfs:label is a term of the OWL/RDFS"),
    (PREFIXES + "id:acme-lab aig:within rdf:type .\n".replace("rdf:type", "<http://www.w3.org/"
                                                            "1999/02/22-rdf-syntax-ns#type>"),
     "rdf:type is a term of the OWL/RDFS"),
    (PREFIXES + 'id:acme-lab a "Company" .\n', '"Company": not a class'),
    (PREFIXES + "id:acme-lab <https://example.org/p> id:robo-co .\n",
     "<https://example.org/p> is not a property of the ontology"),
    (PREFIXES + "id:acme-lab a aig:Spaceship .\n", "data/x.ttl:6: a aig:Spaceship: not a class"),
    (PREFIXES + "\n\n<https://w3id.org/aigov-kg/ontology#Company> skos:broader aig:Actor .\n",
     "data/x.ttl:8: statements about aig:Company"),
])
def test_turtle_cases_may_not_state_schema(tmp_path, text, expected):
    found = findings(tmp_path, {"x.ttl": text})
    assert any(expected in f for f in found), found


def test_turtle_data_in_the_instance_vocabulary_passes(tmp_path):
    text = PREFIXES + ('id:acme-lab rdfs:comment "a patch"@en ; skos:altLabel "Acme"@en ;\n'
                       '    skos:altLabel "Acme \\u202e\\u0085 Lab"@en ;\n'
                       "    aig:headquarteredIn id:cn .\n")
    assert findings(tmp_path, {"x.ttl": text}) == []


@pytest.mark.parametrize(("record", "expected"), [
    ("  - id: Country\n    a: owl:Class\n    subClassOf: Company\n",
     "data/x.yaml:3: id 'Country' is a term of the ontology; a case file cannot redefine"),
    ("  - id: ShellRisk\n    a: owl:Class\n    subClassOf: Country\n",
     "data/x.yaml:5: [ShellRisk] subClassOf aig:Country: a new class may only extend"),
    ("  - id: LoopRisk\n    a: owl:Class\n    subClassOf: LoopRisk\n",
     "[LoopRisk] subClassOf aig:LoopRisk: a new class may only extend"),
    ("  - id: FloatingRisk\n    a: owl:Class\n", "a new class needs `subClassOf`"),
    ("  - id: OddRisk\n    a: owl:ObjectProperty\n    subClassOf: GovernanceRisk\n",
     "a: 'owl:ObjectProperty' is a term of the OWL/RDFS vocabulary"),
    ("  - id: NamedRisk\n    a: Company\n", "a record with an UpperCamelCase id is a new class"),
    ("  - id: odd-co\n    a: Company\n    subClassOf: Company\n",
     "[odd-co] subClassOf: only a new class"),
    ("  - id: odd-co\n    a: owl:Thing\n", "a: 'owl:Thing' is a term of the OWL/RDFS"),
    ("  - id: odd-co\n    a: rdfs:Class\n", "a: 'rdfs:Class' is a term of the OWL/RDFS"),
    ("  - id: odd-co\n    a: dpv:Law\n", "a: 'dpv:Law' is not a class of the ontology"),
    ("  - id: odd-co\n    a: Company\n    within: <http://www.w3.org/2002/07/owl#Thing>\n",
     "within: '<http://www.w3.org/2002/07/owl#Thing>' names the OWL/RDFS vocabulary"),
    ("  - id: odd-co\n    a: Company\n    subPropertyOf: within\n",
     "subPropertyOf: a case file cannot declare properties"),
])
def test_yaml_cases_may_not_state_schema(tmp_path, record, expected):
    found = findings(tmp_path, {"x.yaml": HEAD + record})
    assert any(expected in f for f in found), found


def test_same_as_in_the_ontology_is_reviewed_code_not_data(same_as_build):
    """The same statement refused in data/ is read from ontology/ (changed as code): the
    mini fixture with ``id:acme-lab owl:sameAs id:acme-lab`` in ontology/same.ttl passes
    check() and is reasoned by owlrl (built once for the session: conftest.py)."""
    assert same_as_build.reasoner == "owlrl"
    assert "owl:sameAs" in same_as_build.note
