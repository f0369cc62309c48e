"""`kg new-case`: templates with exactly the required keys, placeholders that cannot pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH

from kg.cases.scaffold import KINDS, render, risk_types_by_category, status_values
from kg.core.namespaces import AIG
from kg.core.project import Project
from kg.core.reader import Scalar, YList, YMap, compose_yaml
from kg.pipeline.casevocab import Vocabulary
from kg.pipeline.load import load_ontology
from tests.conftest import FIXTURES, REPO, make_project
from tests.kgrun import run_kg

# The QC query for text placeholders: in ontology/qc/ once moved there, else beside kg/.
PLACEHOLDER_QC = next(p for p in (REPO / "ontology" / "qc" / "placeholder-value-violation.rq",
                                  REPO / "kg" / "sparql" / "placeholder-value-violation.rq")
                      if p.is_file())
# Real values for every placeholder, valid in the mini fixture's world.
FILL = {
    "FILL-IN-jurisdiction-id": "eu",
    "[FILL-IN-RiskType]": "[NewLegislationRisk]",
    "FILL-IN-Status": "InForce",
    "FILL-IN-YYYY-MM-DD": "2025-02-02",
    '"FILL-IN: the http(s) URL of a page you read that confirms it"':
        '"https://www.reuters.com/world/source"',
    '"FILL-IN: the http(s) URL of that page"': '"https://www.reuters.com/world/source"',
    '"FILL-IN: the authoritative text\'s http(s) URL"': '"https://eur-lex.europa.eu/eli/x"',
    "FILL-IN-actor-id": "acme-lab",
    "FILL-IN-ParentRisk": "PhysicalAIProductRisk",
}
IDS = {"instrument": "mini-new-law", "measure": "mini-new-order", "allegation": "mini-new-claim",
       "activity": "acme-new-activity", "risk-type": "DeepfakeContentRisk"}



@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology(Project(REPO))


def fill(text: str) -> str:
    """The template with every placeholder replaced by a real value."""
    for placeholder, value in FILL.items():
        text = text.replace(placeholder, value)
    text = re.sub(r'en: "FILL-IN:[^"]*"', 'en: "A real English text"', text)
    return re.sub(r'zh: "FILL-IN:[^"]*"', 'zh: "真实的中文"', text)


def record_keys(text: str) -> tuple[set[str], set[str]]:
    """The file-level keys and the first record's keys of a case file."""
    root = compose_yaml(text, "template", [])
    assert isinstance(root, YMap)
    records = root.get("records")
    assert isinstance(records, YList) and isinstance(records.items[0], YMap)
    return set(root.items), set(records.items[0].items)


def required_by_shapes(ontology: Graph, cls: str) -> set[str]:
    """YAML keys of the properties the shapes require (sh:minCount >= 1) of a class."""
    shapes = Graph().parse(REPO / "ontology" / "shapes.ttl")
    keys = {str(info.iri): key for key, info in Vocabulary.from_ontology(ontology)
            .properties.items()}
    classes = set(ontology.transitive_objects(AIG[cls], RDFS.subClassOf))
    required = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if not set(shapes.objects(shape, SH.targetClass)) & classes:
            continue
        for prop in shapes.objects(shape, SH.property):
            count = shapes.value(prop, SH.minCount)
            if count is not None and int(count) >= 1:
                required.add(keys[str(shapes.value(prop, SH.path))])
    return required


# Keys the source-policy QC queries require beside the shapes (docs/source-policy.md): an
# instrument's official text, and the date and page that confirm a status that is not final.
SOURCE_POLICY_KEYS = {
    "instrument": {"officialText", "statusConfirmedOn", "statusSource"},
    "measure": {"statusConfirmedOn", "statusSource"},
    "allegation": {"statusConfirmedOn", "statusSource"},
    "activity": set(),
}


@pytest.mark.parametrize("kind", ["instrument", "measure", "allegation", "activity"])
def test_a_template_has_exactly_the_keys_the_shapes_and_source_policy_require(kind, ontology):
    top, keys = record_keys(render(ontology, kind, IDS[kind]))
    required = required_by_shapes(ontology, KINDS[kind].default_class)
    assert "curated" in required and "curated" in top  # on the file, for every record
    assert keys == (required - {"curated"}) | {"id", "a"} | SOURCE_POLICY_KEYS[kind]


def test_a_risk_type_template_has_what_the_qc_check_requires(ontology):
    text = render(ontology, "risk-type", "DeepfakeContentRisk")
    _top, keys = record_keys(text)
    assert keys == {"id", "a", "subClassOf", "label", "definition", "articlePassage"}
    root = compose_yaml(text, "template", [])
    record = root.get("records").items[0]
    assert set(record.get("label").items) == {"en", "zh"}
    assert set(record.get("definition").items) == {"en"}
    assert set(record.get("articlePassage").items) == {"zh"}


def test_allowed_values_are_read_from_the_ontology(ontology):
    text = render(ontology, "measure", "x")
    status_line = next(line for line in text.splitlines() if line.strip().startswith("status:"))
    assert all(status in status_line for status in status_values(ontology))
    assert {"Proposed", "InForce", "Withdrawn"} <= set(status_values(ontology))
    for types in risk_types_by_category(ontology).values():
        assert all(t in text for t in types)
    assert "DeviceBan" in text and "Lawsuit" in text  # the measure classes
    assert "PublishingOpenWeights" in render(ontology, "activity", "x")
    assert "OpenWeightModel" in render(ontology, "instrument", "x")  # artefact types


def test_every_template_is_commented_line_by_line(ontology):
    for kind in KINDS:
        for line in render(ontology, kind, IDS[kind]).splitlines():
            if re.match(r"^\s*(- )?[a-zA-Z]+:", line) and not line.rstrip().endswith(":"):
                assert " # " in line, f"{kind}: no comment on {line!r}"


def test_a_template_as_written_fails_validation_with_clear_messages(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "new-case", "measure", "--id", "mini-new-order")
    assert result.code == 0, result.err
    case = project.data_dir / "cases" / "mini-new-order.yaml"
    assert case.is_file() and "wrote data/cases/mini-new-order.yaml" in result.err

    result = run_kg(capsys, project.root, "validate")
    assert result.code == 1
    for message in ("jurisdiction: 'FILL-IN-jurisdiction-id' is neither an id",
                    "raisesRisk: 'FILL-IN-RiskType' is neither an id",
                    "status: 'FILL-IN-Status' is neither an id",
                    "issuedOn: 'FILL-IN-YYYY-MM-DD' is not a date",
                    "evidence: 'FILL-IN: the http(s) URL of a page you read that confirms it' "
                    "uses the 'FILL-IN:' scheme"):
        assert message in result.err
    assert "data/cases/mini-new-order.yaml:" in result.err


def test_without_an_id_the_id_placeholder_is_what_fails(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    assert run_kg(capsys, project.root, "new-case", "activity").code == 0
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 1
    assert "data/cases/new-activity.yaml:" in result.err
    assert "id 'FILL-IN-kebab-case-id' is not a valid id" in result.err


def test_text_placeholders_fail_the_placeholder_qc_query(tmp_path, capsys):
    """Labels and definitions are free text: the proposed QC query catches FILL-IN in them."""
    project = make_project(tmp_path, [FIXTURES / "mini"])
    if not (project.qc_dir / PLACEHOLDER_QC.name).is_file():
        shutil.copy(PLACEHOLDER_QC, project.qc_dir / PLACEHOLDER_QC.name)
    run_kg(capsys, project.root, "new-case", "risk-type", "--id", "DeepfakeContentRisk")
    case = project.data_dir / "cases" / "deepfake-content-risk.yaml"
    case.write_text(case.read_text("utf-8").replace("FILL-IN-ParentRisk",
                                                    "PhysicalAIProductRisk"), "utf-8")
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 1
    assert '`label` still holds the template placeholder "FILL-IN: English name' in result.err
    assert '`definition` still holds the template placeholder "FILL-IN:' in result.err


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_filling_the_placeholders_with_real_values_makes_it_pass(kind, tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    shutil.copy(PLACEHOLDER_QC, project.qc_dir / PLACEHOLDER_QC.name)
    out = project.data_dir / f"{kind}.yaml"  # (with the placeholder QC query installed)
    result = run_kg(capsys, project.root, "new-case", kind, "--id", IDS[kind], "--out",
                    str(out))
    assert result.code == 0, result.err
    out.write_text(fill(out.read_text("utf-8")), "utf-8")
    assert not [line for line in out.read_text("utf-8").splitlines()
                if "FILL-IN" in line and not line.lstrip().startswith("#")]
    result = run_kg(capsys, project.root, "validate")
    assert result.code == 0, result.err


def test_new_case_never_overwrites_a_file(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    existing = project.data_dir / "world.yaml"
    before = existing.read_bytes()
    result = run_kg(capsys, project.root, "new-case", "measure", "--out", "data/world.yaml")
    assert result.code == 2
    assert "data/world.yaml already exists" in result.err
    assert "never overwrites" in result.err
    assert existing.read_bytes() == before


@pytest.mark.parametrize("out", ["../../etc/x.yaml", "/etc/kg-new-case.yaml"])
def test_out_must_stay_inside_data_or_the_current_directory(out, tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "new-case", "measure", "--out", out)
    assert result.code == 2
    assert f"--out: '{out}' is outside data/ and the current directory" in result.err
    assert not Path("/etc/kg-new-case.yaml").exists()
    assert not (project.root.parent.parent / "etc").exists()


def test_out_must_be_a_yaml_file(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "new-case", "measure", "--out", "data/case.txt")
    assert result.code == 2
    assert "must end in .yaml or .yml" in result.err


@pytest.mark.parametrize(("kind", "bad", "style"), [("measure", "Bad_Id", "kebab-case"),
                                                    ("risk-type", "deepfake-risk",
                                                     "UpperCamelCase")])
def test_an_id_of_the_wrong_form_is_refused(kind, bad, style, tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "new-case", kind, "--id", bad)
    assert result.code == 2
    assert f"--id: '{bad}' is not a valid id for a {kind}; use {style}" in result.err
    assert not (project.data_dir / "cases").exists()


def test_an_unknown_kind_is_refused(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    result = run_kg(capsys, project.root, "new-case", "law")
    assert result.code == 2
    assert "'law' is not one of" in result.err and "instrument" in result.err


def test_out_dash_prints_the_template_and_writes_nothing(tmp_path, capsys):
    project = make_project(tmp_path, [FIXTURES / "mini"])
    before = sorted(p.name for p in project.data_dir.rglob("*"))
    result = run_kg(capsys, project.root, "new-case", "allegation", "--id", "x-claim",
                    "--out", "-")
    assert result.code == 0
    assert "  - id: x-claim" in result.out and "a: Allegation" in result.out
    assert sorted(p.name for p in project.data_dir.rglob("*")) == before


def test_a_written_template_scalar_values_are_strings(ontology):
    """No YAML implicit typing surprises: dates and booleans stay as the loader reads them."""
    root = compose_yaml(fill(render(ontology, "instrument", "x-law")), "t", [])
    record = root.get("records").items[0]
    assert isinstance(record.get("issuedOn"), Scalar)
    assert record.get("issuedOn").value == "2025-02-02"
