"""Resolving the names people type (kg/query/names.py ``resolve``) against a hand-made index."""

from __future__ import annotations

import pytest

from kg.core.errors import UsageError
from kg.core.namespaces import AIG, ID
from kg.query.names import resolve


def entry(id_: str, types: list[str], en: str, zh: str | None = None,
          broader: list[str] | None = None) -> dict:
    label = {"en": en} | ({"zh": zh} if zh else {})
    return {"id": id_, "types": types, "label": label, **({"broader": broader} if broader
                                                          else {})}


INDEX = {
    str(ID["deepseek"]): entry("deepseek", ["Actor", "Company"], "DeepSeek", "深度求索"),
    str(ID["openai"]): entry("openai", ["Actor"], "OpenAI"),
    str(ID["eu"]): entry("eu", ["Jurisdiction"], "European Union", "欧盟"),
    str(ID["eu-ai-act"]): entry("eu-ai-act", ["Regulation", "RiskSource"], "EU AI Act"),
    str(AIG["GeopoliticalUncertaintyRisk"]): entry(
        "GeopoliticalUncertaintyRisk", ["Class"], "Geopolitical uncertainty risk",
        broader=["GovernanceRisk"]),
    str(AIG["GovernanceRisk"]): entry("GovernanceRisk", ["Class"], "Governance risk"),
}
DEEPSEEK = str(ID["deepseek"])


def actor(text: str) -> str:
    return resolve(text, INDEX, "actor", "--actor", ("Actor",))


@pytest.mark.parametrize("text", [
    "deepseek",  # the bare id
    "id:deepseek",  # a prefixed name
    "https://w3id.org/aigov-kg/id/deepseek",  # the IRI
    "  deepseek\t",  # surrounding space
    "DeepSeek",  # a label
    "DEEPSEEK",  # any case
    "deepSeek ",
    "深度求索",  # a label in another language
])
def test_an_actor_by_any_of_its_names(text):
    assert actor(text) == DEEPSEEK


def test_term_ids_name_ontology_terms_and_broader_types_count():
    risk = resolve("GeopoliticalUncertaintyRisk", INDEX, "risk type", "--risk",
                   ("GovernanceRisk",))
    assert risk == str(AIG["GeopoliticalUncertaintyRisk"])
    assert resolve("aig:GovernanceRisk", INDEX, "risk type", "--risk", ("GovernanceRisk",)) \
        == str(AIG["GovernanceRisk"])  # the category itself, by its id


def test_no_types_means_any_entry():
    assert resolve("eu", INDEX, "thing", "--x") == str(ID["eu"])
    assert resolve("european union", INDEX, "thing", "--x") == str(ID["eu"])


def test_a_name_of_the_wrong_type_is_unknown():
    with pytest.raises(UsageError) as raised:
        actor("eu")
    assert str(raised.value) == "--actor: unknown actor 'eu'"
    with pytest.raises(UsageError):
        actor("European Union")  # the label of a jurisdiction, not an actor


def test_an_iri_outside_the_index_is_unknown():
    with pytest.raises(UsageError) as raised:
        actor("https://example.org/deepseek")
    assert str(raised.value) == "--actor: unknown actor 'https://example.org/deepseek'"


def test_an_unknown_prefix_is_not_expanded():
    with pytest.raises(UsageError) as raised:
        actor("xx:deepseek")
    assert str(raised.value).startswith("--actor: unknown actor 'xx:deepseek'")


def test_a_typo_gets_suggestions():
    with pytest.raises(UsageError) as raised:
        actor("deepsek")
    assert str(raised.value) == "--actor: unknown actor 'deepsek'; did you mean: deepseek?"


def test_suggestions_from_labels_are_given_as_ids_once():
    with pytest.raises(UsageError) as raised:
        actor("Open AI")
    assert str(raised.value) == "--actor: unknown actor 'Open AI'; did you mean: openai?"


def test_suggestions_are_only_of_the_wanted_type():
    with pytest.raises(UsageError) as raised:
        resolve("eu-ai-ac", INDEX, "instrument or event", "--source", ("RiskSource",))
    assert str(raised.value) == ("--source: unknown instrument or event 'eu-ai-ac'; did you "
                                 "mean: eu-ai-act?")


def test_at_most_five_suggestions_ids_first():
    """Four close ids and three close labels (of other entries): the four ids, then the
    first label's id."""
    index = {str(ID[f"acme-{i}"]): entry(f"acme-{i}", ["Actor"], f"Zzz {i}") for i in range(6)}
    index |= {str(ID[f"q{i}"]): entry(f"q{i}", ["Actor"], f"Acme{i}") for i in range(6)}
    with pytest.raises(UsageError) as raised:
        resolve("acme", index, "actor", "--actor", ("Actor",))
    hint = str(raised.value).split("; did you mean: ", 1)[1]
    assert hint.endswith("?")
    names = hint[:-1].split(", ")
    assert len(names) == 5
    assert [n.startswith("acme-") for n in names] == [True] * 4 + [False]
    assert names[4] in {f"q{i}" for i in range(6)}


def test_nothing_close_means_no_hint():
    with pytest.raises(UsageError) as raised:
        actor("zzzzzz")
    assert str(raised.value) == "--actor: unknown actor 'zzzzzz'"
