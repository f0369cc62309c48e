"""The fast OWL 2 RL materialiser (kg/pipeline/engines/fast.py ``materialise``), one
construct at a time on hand-made tables: exactly what each rule adds, and nothing more."""

from __future__ import annotations

import pytest

from kg.core.budget import BudgetExceeded
from kg.core.table import OWL, RDF, RDFS, Table
from kg.pipeline.engines.fast import (
    UNSUPPORTED_LOCAL,
    FastReasoner,
    UnsupportedConstruct,
    materialise,
)
from kg.pipeline.engines.rules import Cap

EX = "http://example.org/"
PREFIXES = {"ex": EX, "rdf": RDF, "rdfs": RDFS, "owl": OWL}
TYPE, SCO, SPO = "rdf:type", "rdfs:subClassOf", "rdfs:subPropertyOf"


def term(name: str) -> str:
    """``ex:a`` → ``<http://example.org/a>``; blank nodes and literals as they are."""
    if name.startswith(("_:", '"')):
        return name
    prefix, local = name.split(":", 1)
    return f"<{PREFIXES[prefix]}{local}>"


def short(text: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if text.startswith(f"<{namespace}"):
            return f"{prefix}:{text[len(namespace) + 1:-1]}"
    return text


def table(*triples: tuple[str, str, str]) -> Table:
    t = Table()
    for s, p, o in triples:
        t.add_terms(term(s), term(p), term(o))
    return t


def rdf_list(head: str, *members: str) -> list[tuple[str, str, str]]:
    """The triples of an RDF list of ``members`` starting at blank node ``head``."""
    nodes = [head] + [f"{head}-{i}" for i in range(1, len(members))]
    out = []
    for i, member in enumerate(members):
        out.append((nodes[i], "rdf:first", member))
        out.append((nodes[i], "rdf:rest", nodes[i + 1] if i + 1 < len(nodes) else "rdf:nil"))
    return out


def close(*triples: tuple[str, str, str]) -> set[tuple[str, str, str]]:
    """The triples materialise adds, in short form."""
    t = table(*triples)
    before = len(t)
    added = materialise(t)
    assert len(added) == len(t) - before
    found = {tuple(short(t.term(i)) for i in triple) for triple in added}
    assert len(found) == len(added), "a triple was added twice"
    return found


# --------------------------------------------------------------------------- hierarchies


def test_subclass_types_and_schema_closure():
    assert close(("ex:a", TYPE, "ex:C"), ("ex:C", SCO, "ex:D"), ("ex:D", SCO, "ex:E")) == {
        ("ex:a", TYPE, "ex:D"), ("ex:a", TYPE, "ex:E"),  # cax-sco
        ("ex:C", SCO, "ex:E"),  # scm-sco
    }


def test_equivalent_classes_share_their_members_both_ways():
    assert close(("ex:C", "owl:equivalentClass", "ex:D"), ("ex:a", TYPE, "ex:C"),
                 ("ex:b", TYPE, "ex:D")) == {
        ("ex:a", TYPE, "ex:D"), ("ex:b", TYPE, "ex:C"),  # cax-eqc1/2
        ("ex:C", SCO, "ex:D"), ("ex:D", SCO, "ex:C"),  # scm-eqc1
        ("ex:D", "owl:equivalentClass", "ex:C"),  # scm-eqc2
    }


def test_mutual_subclasses_become_equivalent():
    assert close(("ex:C", SCO, "ex:D"), ("ex:D", SCO, "ex:C")) == {
        ("ex:C", "owl:equivalentClass", "ex:D"), ("ex:D", "owl:equivalentClass", "ex:C")}


def test_subproperties_carry_assertions_up_and_close_the_hierarchy():
    assert close(("ex:a", "ex:p", '"x"'), ("ex:p", SPO, "ex:q"), ("ex:q", SPO, "ex:r")) == {
        ("ex:a", "ex:q", '"x"'), ("ex:a", "ex:r", '"x"'),  # prp-spo1, literals included
        ("ex:p", SPO, "ex:r"),  # scm-spo
    }


def test_equivalent_properties_both_ways():
    assert close(("ex:p", "owl:equivalentProperty", "ex:q"), ("ex:a", "ex:p", "ex:b"),
                 ("ex:c", "ex:q", "ex:d")) == {
        ("ex:a", "ex:q", "ex:b"), ("ex:c", "ex:p", "ex:d"),
        ("ex:p", SPO, "ex:q"), ("ex:q", SPO, "ex:p"),
        ("ex:q", "owl:equivalentProperty", "ex:p"),
    }


# --------------------------------------------------------------------------- domain, range


def test_domain_and_range_type_the_instances():
    assert close(("ex:p", "rdfs:domain", "ex:C"), ("ex:p", "rdfs:range", "ex:D"),
                 ("ex:a", "ex:p", "ex:b")) == {("ex:a", TYPE, "ex:C"), ("ex:b", TYPE, "ex:D")}


def test_a_literal_object_gets_no_range_type():
    assert close(("ex:p", "rdfs:range", "ex:D"), ("ex:a", "ex:p", '"text"@en')) == set()


def test_domain_and_range_follow_superproperties_and_superclasses():
    """scm-dom1/2, scm-rng1/2: p ⊑ q, q's domain C ⊑ E: p's domain is C and E."""
    assert close(("ex:p", SPO, "ex:q"), ("ex:q", "rdfs:domain", "ex:C"),
                 ("ex:q", "rdfs:range", "ex:R"), ("ex:C", SCO, "ex:E"),
                 ("ex:a", "ex:p", "ex:b")) == {
        ("ex:a", "ex:q", "ex:b"), ("ex:a", TYPE, "ex:C"), ("ex:a", TYPE, "ex:E"),
        ("ex:b", TYPE, "ex:R"),
        ("ex:p", "rdfs:domain", "ex:C"), ("ex:p", "rdfs:domain", "ex:E"),
        ("ex:q", "rdfs:domain", "ex:E"), ("ex:p", "rdfs:range", "ex:R"),
    }


# --------------------------------------------------------------------------- property kinds


def test_inverse_properties_both_ways():
    assert close(("ex:p", "owl:inverseOf", "ex:q"), ("ex:a", "ex:p", "ex:b"),
                 ("ex:c", "ex:q", "ex:d")) == {("ex:b", "ex:q", "ex:a"), ("ex:d", "ex:p", "ex:c")}


def test_no_triple_gets_a_literal_subject():
    assert close(("ex:p", "owl:inverseOf", "ex:q"), ("ex:p", TYPE, "owl:SymmetricProperty"),
                 ("ex:a", "ex:p", '"lit"')) == set()


def test_symmetric_property():
    assert close(("ex:p", TYPE, "owl:SymmetricProperty"), ("ex:a", "ex:p", "ex:b")) == {
        ("ex:b", "ex:p", "ex:a")}


def test_transitive_property_closes_a_chain():
    assert close(("ex:within", TYPE, "owl:TransitiveProperty"),
                 ("ex:a", "ex:within", "ex:b"), ("ex:b", "ex:within", "ex:c"),
                 ("ex:c", "ex:within", "ex:d")) == {
        ("ex:a", "ex:within", "ex:c"), ("ex:b", "ex:within", "ex:d"),
        ("ex:a", "ex:within", "ex:d")}


def test_transitive_closure_in_any_assertion_order():
    forward = close(("ex:w", TYPE, "owl:TransitiveProperty"), ("ex:a", "ex:w", "ex:b"),
                    ("ex:b", "ex:w", "ex:c"), ("ex:c", "ex:w", "ex:d"))
    backward = close(("ex:c", "ex:w", "ex:d"), ("ex:b", "ex:w", "ex:c"),
                     ("ex:a", "ex:w", "ex:b"), ("ex:w", TYPE, "owl:TransitiveProperty"))
    assert forward == backward
    assert len(forward) == 3


def test_a_transitive_cycle_ends():
    assert close(("ex:w", TYPE, "owl:TransitiveProperty"), ("ex:a", "ex:w", "ex:b"),
                 ("ex:b", "ex:w", "ex:a")) == {("ex:a", "ex:w", "ex:a"), ("ex:b", "ex:w", "ex:b")}


def test_transitive_and_inverse_together():
    """within is transitive, contains its inverse: the closure reaches both."""
    found = close(("ex:within", TYPE, "owl:TransitiveProperty"),
                  ("ex:within", "owl:inverseOf", "ex:contains"),
                  ("ex:a", "ex:within", "ex:b"), ("ex:b", "ex:within", "ex:c"))
    assert found == {("ex:a", "ex:within", "ex:c"), ("ex:b", "ex:contains", "ex:a"),
                     ("ex:c", "ex:contains", "ex:b"), ("ex:c", "ex:contains", "ex:a")}


@pytest.mark.parametrize("first", ["p1", "p2"])
def test_two_step_property_chain(first):
    """q ≡ p1 ∘ p2, whichever link is asserted first."""
    links = [("ex:a", "ex:p1", "ex:b"), ("ex:b", "ex:p2", "ex:c")]
    if first == "p2":
        links.reverse()
    assert close(*rdf_list("_:chain", "ex:p1", "ex:p2"),
                 ("ex:q", "owl:propertyChainAxiom", "_:chain"), *links) == {
        ("ex:a", "ex:q", "ex:c")}


def test_a_chain_feeds_the_rules_after_it():
    """What a chain makes is itself reasoned on: q has a range."""
    assert close(*rdf_list("_:chain", "ex:p1", "ex:p2"),
                 ("ex:q", "owl:propertyChainAxiom", "_:chain"), ("ex:q", "rdfs:range", "ex:R"),
                 ("ex:a", "ex:p1", "ex:b"), ("ex:b", "ex:p2", "ex:c")) == {
        ("ex:a", "ex:q", "ex:c"), ("ex:c", TYPE, "ex:R")}


def test_a_longer_chain_is_unsupported():
    t = table(*rdf_list("_:chain", "ex:p1", "ex:p2", "ex:p3"),
              ("ex:q", "owl:propertyChainAxiom", "_:chain"))
    with pytest.raises(UnsupportedConstruct) as raised:
        materialise(t)
    assert str(raised.value) == f"property chain of length 3 on <{EX}q>"


# --------------------------------------------------------------------------- class expressions


RESTRICTION = (("ex:R", "owl:onProperty", "ex:p"), ("ex:R", "owl:someValuesFrom", "ex:C"))


def test_some_values_from_when_the_filler_type_comes_first():
    assert close(*RESTRICTION, ("ex:b", TYPE, "ex:C"), ("ex:a", "ex:p", "ex:b")) == {
        ("ex:a", TYPE, "ex:R")}


def test_some_values_from_when_the_link_comes_first():
    assert close(*RESTRICTION, ("ex:a", "ex:p", "ex:b"), ("ex:b", TYPE, "ex:C")) == {
        ("ex:a", TYPE, "ex:R")}


def test_some_values_from_with_an_inferred_filler_type():
    assert close(*RESTRICTION, ("ex:a", "ex:p", "ex:b"), ("ex:b", TYPE, "ex:Sub"),
                 ("ex:Sub", SCO, "ex:C")) == {("ex:b", TYPE, "ex:C"), ("ex:a", TYPE, "ex:R")}


def test_some_values_from_needs_the_filler_type():
    assert close(*RESTRICTION, ("ex:a", "ex:p", "ex:b"), ("ex:b", TYPE, "ex:D")) == set()


def test_some_values_from_owl_thing_needs_only_the_link():
    assert close(("ex:R", "owl:onProperty", "ex:p"), ("ex:R", "owl:someValuesFrom", "owl:Thing"),
                 ("ex:a", "ex:p", "ex:b")) == {("ex:a", TYPE, "ex:R")}


HAS_VALUE = (("ex:R", "owl:onProperty", "ex:p"), ("ex:R", "owl:hasValue", "ex:v"))


def test_has_value_classifies_the_subject():
    assert close(*HAS_VALUE, ("ex:a", "ex:p", "ex:v"), ("ex:b", "ex:p", "ex:w")) == {
        ("ex:a", TYPE, "ex:R")}


def test_has_value_gives_a_member_the_value():
    assert close(*HAS_VALUE, ("ex:a", TYPE, "ex:R")) == {("ex:a", "ex:p", "ex:v")}


def test_intersection_needs_every_member_class():
    found = close(*rdf_list("_:i", "ex:C", "ex:D"), ("ex:I", "owl:intersectionOf", "_:i"),
                  ("ex:a", TYPE, "ex:C"), ("ex:a", TYPE, "ex:D"), ("ex:b", TYPE, "ex:C"))
    assert found == {("ex:a", TYPE, "ex:I"),  # cls-int1; b is only a C
                     ("ex:I", SCO, "ex:C"), ("ex:I", SCO, "ex:D")}  # scm-int


def test_a_member_of_an_intersection_is_in_every_member_class():
    found = close(*rdf_list("_:i", "ex:C", "ex:D"), ("ex:I", "owl:intersectionOf", "_:i"),
                  ("ex:x", TYPE, "ex:I"))
    assert found == {("ex:x", TYPE, "ex:C"), ("ex:x", TYPE, "ex:D"),  # cls-int2
                     ("ex:I", SCO, "ex:C"), ("ex:I", SCO, "ex:D")}


def test_union_holds_the_members_of_each_member_class():
    found = close(*rdf_list("_:u", "ex:C", "ex:D"), ("ex:U", "owl:unionOf", "_:u"),
                  ("ex:a", TYPE, "ex:C"), ("ex:b", TYPE, "ex:D"))
    assert found == {("ex:a", TYPE, "ex:U"), ("ex:b", TYPE, "ex:U"),  # cls-uni
                     ("ex:C", SCO, "ex:U"), ("ex:D", SCO, "ex:U")}  # scm-uni


# --------------------------------------------------------------------------- the table


def test_the_span_is_exactly_the_new_triples_and_a_second_run_adds_none():
    t = table(("ex:a", TYPE, "ex:C"), ("ex:C", SCO, "ex:D"))
    added = materialise(t)
    assert [tuple(short(t.term(i)) for i in x) for x in added] == [("ex:a", TYPE, "ex:D")]
    assert len(t) == 3
    assert len(materialise(t)) == 0
    assert len(t) == 3


def test_nothing_to_infer():
    assert close(("ex:a", "ex:p", "ex:b"), ("ex:a", "rdfs:label", '"A"@en')) == set()


# --------------------------------------------------------------------------- the budget


def chain(length: int) -> Table:
    triples = [("ex:w", TYPE, "owl:TransitiveProperty")]
    triples += [(f"ex:n{i}", "ex:w", f"ex:n{i + 1}") for i in range(length)]
    return table(*triples)


def test_the_cap_stops_growth_part_way():
    """20,000 members of C ⊑ D would make 20,000 more triples; with room for 2,000 the
    materialiser stops at its first periodic check, long before the closure is done."""
    members = [(f"ex:m{i}", TYPE, "ex:C") for i in range(20_000)]
    t = table(("ex:C", SCO, "ex:D"), *members)
    assert len(t) == 20_001
    with pytest.raises(BudgetExceeded) as raised:
        materialise(t, Cap(asserted=len(t), ratio=0.1))
    assert str(raised.value) == (
        "reasoning stopped: it made more than 2,000 triples from 20,001 asserted ones, "
        "over the limit of 0.1 per asserted triple (raise it with --max-inferred)")
    assert 22_001 < len(t) < 40_001  # over the limit, short of the whole closure
    unbounded = table(("ex:C", SCO, "ex:D"), *members)
    assert len(materialise(unbounded)) == 20_000


def test_a_cap_above_the_closure_lets_it_finish():
    t = chain(30)
    added = materialise(t, Cap(asserted=len(t), ratio=20))
    assert len(added) == 30 * 31 // 2 - 30  # every pair i < j, less the asserted links


def test_the_cap_is_checked_once_more_at_the_end():
    """A small graph never reaches the periodic check; the final one still applies."""
    t = chain(5)
    with pytest.raises(BudgetExceeded):
        materialise(t, Cap(asserted=len(t), ratio=1))  # 10 new triples, limit 6 more


# --------------------------------------------------------------------------- unsupported


TYPES = {"FunctionalProperty", "InverseFunctionalProperty", "AllDisjointProperties",
         "AsymmetricProperty", "IrreflexiveProperty"}


@pytest.mark.parametrize("local", sorted(UNSUPPORTED_LOCAL))
def test_each_unsupported_construct_is_refused_before_any_change(local):
    use = ("ex:p", TYPE, f"owl:{local}") if local in TYPES else ("ex:a", f"owl:{local}", "ex:b")
    t = table(("ex:a", TYPE, "ex:C"), ("ex:C", SCO, "ex:D"), use)
    with pytest.raises(UnsupportedConstruct) as raised:
        materialise(t)
    assert str(raised.value) == UNSUPPORTED_LOCAL[local]
    assert len(t) == 3
    assert FastReasoner().unsupported(t) == UNSUPPORTED_LOCAL[local]


def test_same_as_is_named_and_several_are_listed_sorted():
    t = table(("ex:a", "owl:sameAs", "ex:b"), ("ex:p", TYPE, "owl:FunctionalProperty"))
    with pytest.raises(UnsupportedConstruct) as raised:
        materialise(t)
    assert str(raised.value) == "owl:FunctionalProperty, owl:sameAs"


def test_negative_property_assertions_are_named_as_such():
    t = table(("_:n", "owl:sourceIndividual", "ex:a"))
    assert FastReasoner().unsupported(t) == "owl:NegativePropertyAssertion"


def test_a_supported_graph_is_not_refused():
    t = table(("ex:w", TYPE, "owl:TransitiveProperty"), *RESTRICTION)
    assert FastReasoner().unsupported(t) is None
