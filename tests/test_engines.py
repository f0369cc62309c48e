"""The engine compliance suite: every adapter of a protocol, on the same fixtures, gives the
reference's answers (oaklib's ComplianceTester idea, done small).

* Reasoners (kg.pipeline.engines.registry.REASONERS): not only the same exposures
  (tests/test_exposures.py) — the inferred graph (the OWL 2 RL closure minus what was
  asserted and minus the trivial entailments every engine drops,
  kg.pipeline.reason.is_trivial_term) must be the reference's, and so must what the rules
  derive. SKIPPED lists what an engine leaves out on purpose (docs/owl.md); it is empty.
* SHACL engines (SHACL_ENGINES): the same results as pySHACL on every bad fixture.

A new engine is one module and one line in the registry; it is then tested here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDFS

from kg.core.namespaces import AIG
from kg.core.project import Project
from kg.core.table import Table
from kg.pipeline import reason
from kg.pipeline.build import rule_graph
from kg.pipeline.engines.registry import (
    REASONERS,
    REFERENCE_REASONER,
    REFERENCE_SHACL,
    SHACL_ENGINES,
)
from kg.pipeline.engines.rules import load_rules
from kg.pipeline.load import load
from kg.store import oxigraph as store
from tests.conftest import FIXTURES, REPO, make_project
from tests.test_validate import SHAPE_CASES

Triples = set[tuple[str, str, str]]

# Entailments of owlrl that the fast path deliberately does not make (docs/owl.md).
SKIPPED: frozenset[tuple[str, str, str]] = frozenset()


CANDIDATES = sorted(set(REASONERS) - {REFERENCE_REASONER})
SHACL_CANDIDATES = sorted(set(SHACL_ENGINES) - {REFERENCE_SHACL})


def closures(project: Project, names: tuple[str, ...]) -> dict[str, tuple[Triples, Triples]]:
    """For each reasoner named, the inferred and the derived triples, as N-Triples terms."""
    out = {}
    for reasoner in names:
        kg = load(project)
        table = kg.table()
        table.add_oxigraph(store.quads(rule_graph(project)))
        graph = None
        if reasoner == REFERENCE_REASONER:
            graph = kg.asserted()
            for triple in rule_graph(project):
                graph.add(triple)
        reasoned = reason.reason(table, load_rules(project.rules_dir), reasoner, graph)
        assert reasoned.reasoner == reasoner, reasoned.note
        terms = table.terms
        out[reasoner] = tuple({(terms[s], terms[p], terms[o]) for s, p, o in part}
                              for part in (reasoned.inferred, reasoned.derived))
    return out


def synthetic(tmp_path: Path) -> Project:
    sys.path.insert(0, str(REPO / "scripts"))
    from generate_synthetic import write_project

    write_project(tmp_path / "synthetic", 2000, seed=1)
    return Project(tmp_path / "synthetic")


@pytest.mark.parametrize("engine", CANDIDATES)
@pytest.mark.parametrize("fixture", ["mini", "synthetic"])
def test_every_reasoner_closes_as_the_reference(tmp_path, fixture, engine):
    project = (make_project(tmp_path, [FIXTURES / "mini"]) if fixture == "mini"
               else synthetic(tmp_path))
    found = closures(project, (engine, REFERENCE_REASONER))
    fast_inferred, fast_derived = found[engine]
    owlrl_inferred, owlrl_derived = found[REFERENCE_REASONER]
    assert len(fast_inferred) > 200
    assert owlrl_inferred - fast_inferred == SKIPPED
    assert fast_inferred - owlrl_inferred == set()
    assert fast_derived == owlrl_derived
    # the schema entailments the fast path once lacked (scm-dom1, scm-rng1): a subclass's
    # declared domain and range reach up to their superclasses
    domain, rng = f"<{RDFS.domain}>", f"<{RDFS.range}>"
    assert (f"<{AIG.affiliateOf}>", domain, f"<{AIG.Actor}>") in fast_inferred
    assert (f"<{AIG.providesService}>", rng, f"<{AIG.AIArtefact}>") in fast_inferred


# Every construct the fast path implements, each used once, in a graph owlrl closes fast.
CONSTRUCTS = """
@prefix : <https://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:B rdfs:subClassOf :A . :C owl:equivalentClass :B .
:U owl:unionOf ( :D :E ) . :I owl:intersectionOf ( :A :F ) .
:p rdfs:domain :B ; rdfs:range :D . :q rdfs:subPropertyOf :p . :r owl:equivalentProperty :q .
:inv owl:inverseOf :p . :s a owl:SymmetricProperty . :t a owl:TransitiveProperty .
:chain owl:propertyChainAxiom ( :p :t ) .
[ a owl:Restriction ; owl:onProperty :t ; owl:someValuesFrom :E ] rdfs:subClassOf :G .
[ a owl:Restriction ; owl:onProperty :s ; owl:hasValue :v ] owl:equivalentClass :H .
:x :r :y . :y :t :z . :z :t :w . :z a :E . :x :s :v . :k a :H . :m a :C , :F . :n a :E .
"""


@pytest.mark.parametrize("engine", CANDIDATES)
def test_every_reasoner_agrees_with_the_reference_on_each_construct(engine):
    graph = Graph().parse(data=CONSTRUCTS, format="turtle")
    table = Table()
    table.add_oxigraph(store.quads(graph))
    assert REASONERS[engine].unsupported(table) is None
    REASONERS[engine].close(table, [], graph)
    reference = Table()
    reference.add_oxigraph(store.quads(graph))
    REASONERS[REFERENCE_REASONER].close(reference, [], graph)

    def kept(t: Table) -> Triples:
        return {triple for triple in ((t.terms[s], t.terms[p], t.terms[o]) for s, p, o in t)
                if not reason.is_trivial_term(*triple)}

    fast, owlrl = kept(table), kept(reference)
    assert owlrl - fast == SKIPPED
    assert fast - owlrl == set()
    ex = "https://example.org/"
    for triple in (("x", "chain", "z"), ("y", "inv", "x"), ("v", "s", "x"), ("y", "a", "G"),
                   ("k", "s", "v"), ("m", "a", "I"), ("n", "a", "U"), ("C", "sameAs", "B")):
        s, p, o = (f"<{ex}{term}>" for term in triple)
        p = {f"<{ex}a>": "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
             f"<{ex}sameAs>": "<http://www.w3.org/2002/07/owl#equivalentClass>"}.get(p, p)
        assert (s, p, o) in fast, triple


def test_trivial_entailments_are_the_documented_ones():
    trivial = reason.is_trivial_term
    thing = "<http://www.w3.org/2002/07/owl#Thing>"
    assert trivial(f"<{AIG.within}>", f"<{RDFS.domain}>", thing)
    assert trivial(f"<{AIG.within}>", f"<{RDFS.range}>", thing)
    assert trivial(f"<{AIG.Actor}>", f"<{RDFS.subClassOf}>", f"<{AIG.Actor}>")
    assert not trivial(f"<{AIG.within}>", f"<{RDFS.domain}>", f"<{AIG.Jurisdiction}>")


@pytest.mark.parametrize("engine", SHACL_CANDIDATES)
@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_every_shacl_engine_finds_what_the_reference_finds(tmp_path, case, engine):
    from kg.pipeline.validate import load_shapes

    project = make_project(tmp_path, [FIXTURES / "mini"], {"bad.yaml": SHAPE_CASES[case][0]})
    loaded = load(project)
    shapes, table = load_shapes(project), loaded.table()
    found = {(r.focus, r.shape, r.path)
             for r in SHACL_ENGINES[engine].validate(shapes, table, loaded.asserted)}
    reference = {(r.focus, r.shape, r.path) for r in
                 SHACL_ENGINES[REFERENCE_SHACL].validate(shapes, table, loaded.asserted)}
    assert found == reference
    assert found


@pytest.mark.parametrize("engine", sorted(SHACL_ENGINES))
def test_every_shacl_engine_passes_the_good_fixture(tmp_path, engine):
    from kg.pipeline.validate import load_shapes

    project = make_project(tmp_path, [FIXTURES / "mini"])
    loaded = load(project)
    assert SHACL_ENGINES[engine].validate(load_shapes(project), loaded.table(),
                                          loaded.asserted) == []
