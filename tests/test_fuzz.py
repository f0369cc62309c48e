"""Fuzzing the two places arbitrary text enters: the case loader and the parameter binder.

Whatever the input — bytes, broken YAML or Turtle, YAML-shaped records with random keys and
values, random parameter values and random query text — the outcome is a result or a clean
KgError (exit 1 or 2, with a message naming the file or parameter), never another
exception: an exception of any other type is what `kg` reports as an internal error
(exit 3), and is a bug. Each test keeps max_examples small enough for the module to run in
well under a minute.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import string
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.core.errors import INPUT_RULES, KgError, UsageError, ValidationFailed
from kg.core.project import Project
from kg.pipeline import load as load_module
from kg.query.library import LIBRARY_DIR, load_library
from kg.query.run import ResultTooLarge, execute
from kg.sparql.bind import bind, inject_values, parse_param_options
from kg.sparql.guard import QueryRefused, check_query, tokenize
from tests.conftest import make_project
from tests.test_network_guard import GUARD

# Reproducible in CI (the same examples every run); KG_FUZZ_EXAMPLES=5000 fuzzes harder,
# with fresh random examples.
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                derandomize="KG_FUZZ_EXAMPLES" not in os.environ, database=None,
                suppress_health_check=[HealthCheck.too_slow])
DISPLAY = "data/fuzz.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("fuzz"), [])


@pytest.fixture(scope="module")
def fast_ontology(project: Project):
    """The ontology parsed once for the module (load() would parse it per example), and
    the case-file vocabulary read from it once (load() would read it per example, 95% of
    an example's time): each load gets its own copy, as from_ontology would make it."""
    from kg.pipeline.casevocab import Vocabulary

    ontology = load_module.load_ontology(project)
    vocabulary = Vocabulary.from_ontology(ontology)

    class OnceVocabulary(Vocabulary):
        @classmethod
        def from_ontology(cls, graph):
            if graph is not ontology:
                return Vocabulary.from_ontology(graph)
            return Vocabulary(dict(vocabulary.properties), set(vocabulary.classes),
                              set(vocabulary.terms))

    patch = pytest.MonkeyPatch()
    patch.setattr(load_module, "load_ontology", lambda _project: ontology)
    patch.setattr(load_module, "Vocabulary", OnceVocabulary)
    yield
    patch.undo()


def load_one(project: Project, name: str, content: bytes) -> None:
    """Load one case file; succeed, or raise a KgError located at that file."""
    path = project.data_dir / name
    path.write_bytes(content)
    display = f"data/{name}"
    try:
        with GUARD.blocked():
            load_module.load(project, [path])
    except ValidationFailed as exc:
        assert exc.findings, exc
        assert exc.exit_code == (2 if any(f.rule in INPUT_RULES for f in exc.findings) else 1)
        for finding in exc.findings:
            assert finding.file == display, finding
            assert finding.message and finding.rule
            finding.render()
    except KgError as exc:
        assert exc.exit_code in (1, 2)
        assert display in exc.message, exc.message
    finally:
        path.unlink()


# --------------------------------------------------------------------------- case files

ONTOLOGY_WORDS = ["Company", "Legislation", "DeviceBan", "InForce", "Enacted", "acme-lab", "cn",
                  "eu", "aig:Ban", "rdfs:label", "<http://exa mple.org>", "<urn:x>", "x:y",
                  "GovernmentUseBanRisk", "owl:Class", "2025-02-30", "2025-02-01", "true",
                  "javascript:alert(1)", "https://example.org/a", "", " ", "~", "null", "-",
                  "Country", "owl:SymmetricProperty", "owl:Thing", "\ud800", "\x00", "\x1b",
                  "<http://[::1>", "https://example.org/a\nb"]
KEYS = ["id", "a", "label", "source", "status", "issuedOn", "inForceFrom", "jurisdiction",
        "targets", "raisesRisk", "within", "componentOf", "illustrative", "en", "zh", "curated",
        "records", "description", "broader", "subClassOf", "unknownKey", "fact"]
scalars = st.one_of(st.sampled_from(ONTOLOGY_WORDS), st.text(max_size=30),
                    st.integers().map(str), st.dates().map(dt.date.isoformat))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=20)
records = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
documents = st.one_of(
    st.fixed_dictionaries({"curated": scalars, "records": st.lists(records, max_size=4)}),
    st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
    values)


@FUZZ
@given(document=documents, style=st.sampled_from([None, True, False]))
def test_any_yaml_shaped_case_file_loads_or_fails_cleanly(project, fast_ontology, document,
                                                          style):
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=style,
                          sort_keys=False)
    load_one(project, "fuzz.yaml", text.encode("utf-8"))


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \t\n") +
                                             list("abcdez09") + ["\ufeff", "\x00", "\x1b"]),
                    max_size=120))
def test_yaml_syntax_noise_loads_or_fails_cleanly(project, fast_ontology, text):
    load_one(project, "fuzz.yaml", text.encode("utf-8"))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_or_fail_cleanly(project, fast_ontology, raw):
    load_one(project, "fuzz.yaml", raw)
    load_one(project, "fuzz.ttl", raw)


TURTLE_PIECES = ["@prefix aig: <https://w3id.org/aigov-kg/ontology#> .",
                 "@prefix id: <https://w3id.org/aigov-kg/id/> .", "id:acme-lab", "id:x",
                 "aig:within", "a", "aig:Company", "[]", "(", ")", "\"text\"@en", "\"\\u001b\"",
                 "<javascript:alert(1)>", "<http://purl.org/dc/terms/source>", ".", ";", ",",
                 "<?xml version=\"1.0\"?>", "{", "}", "_:b", "<<", ">>", "\n", "#",
                 # issue 18: schema in case files, and characters no value may hold
                 "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .", "owl:sameAs",
                 "rdfs:subClassOf", "owl:SymmetricProperty", "aig:Country", "\"\\u0000\"",
                 "\"\\uD800\"", "\"x\"@en-a", "<http://[::1>"]


@FUZZ
@given(pieces=st.lists(st.sampled_from(TURTLE_PIECES), max_size=25))
def test_turtle_noise_loads_or_fails_cleanly(project, fast_ontology, pieces):
    load_one(project, "fuzz.ttl", " ".join(pieces).encode("utf-8"))


# --------------------------------------------------------------------------- profiles

PROFILE_KEYS = ["company", "name", "name-zh", "headquartered", "builds", "kind", "components",
                "supplier", "training-data-from", "software-from", "based-on", "markets",
                "jurisdiction", "does", "products", "from", "since", "until", "to", "investors",
                "publishes-open-weights-in", "raises-capital", "transfers-data"]
PROFILE_WORDS = ["cn", "de", "eu", "us", "dee", "home-robot", "open-weight-model", "app",
                 "sell-product", "offer-service", "publish-open-weights", "transfer-data",
                 "2026-01-01", "2026-02-30", "Tiny Bots", "tiny bots", "Lens Co", ""]
profile_values = st.recursive(
    st.one_of(st.sampled_from(PROFILE_WORDS), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(PROFILE_KEYS), inner, max_size=4)),
    max_leaves=16)


@FUZZ
@given(document=st.dictionaries(st.sampled_from(PROFILE_KEYS), profile_values, max_size=6))
def test_any_profile_maps_to_records_or_fails_cleanly(document):
    from kg.cases.profile_read import read_profile
    from kg.cases.profile_records import to_records
    from kg.core.reader import compose_yaml

    findings: list = []
    root = compose_yaml(yaml.safe_dump(document, allow_unicode=True), "profile.yaml", findings)
    try:
        records, _statements = to_records(read_profile(root, "profile.yaml"), "profile.yaml")
    except ValidationFailed as exc:
        assert exc.findings and all(f.file == "profile.yaml" and f.line >= 1
                                    for f in exc.findings), exc.findings
        return
    assert findings == [] and records


# --------------------------------------------------------------------------- parameters

LIBRARY = load_library()
PARAMETERISED = sorted((name, p.name) for name, q in LIBRARY.items() for p in q.params)
nasty = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['x" } ; DROP ALL ; #', "<http://a b/>", "deepseek> } SERVICE <http://x/> {",
                     "aig:", "evil:x", "javascript:alert(1)", "file:///etc/passwd", "today",
                     "2026-02-30", "99999-01-01", "\\u0022", "'''", '"""', "?x", "$x", "\x1b[2J",
                     "1e999", "-0", "true", "TRUE", " 12 ", "<>", "_:b", "a" * 10_001]),
    st.from_regex(r"[A-Za-z0-9:/#<>\"'{}.?$ \\-]{0,30}", fullmatch=True))
EMPTY = ox.Store()
VALID = {"IRI": "acme-lab", "date": "2026-01-01", "string": "x", "integer": "1",
         "boolean": "true"}


@FUZZ
@given(which=st.sampled_from(PARAMETERISED), value=nasty)
def test_any_parameter_value_binds_as_a_term_or_is_refused_by_name(which, value):
    name, param = which
    named = LIBRARY[name]
    others = {p.name: VALID[p.type] for p in named.params if p.name != param}
    try:
        bound = bind(named, {**others, param: value}, today=dt.date(2026, 11, 28))
    except UsageError as exc:
        assert exc.message.startswith(f"--param {param}: "), exc.message
        return
    # Bound: the value is one RDF term. Sent to a remote endpoint it travels in a VALUES
    # block; the query still passes the guard and still parses as the same form, so the
    # value cannot have closed its token or added a clause.
    term = bound[param]
    assert isinstance(term, ox.NamedNode | ox.Literal)
    remote = inject_values(named.text, bound)
    assert check_query(remote) == named.form
    EMPTY.query(remote)  # raises SyntaxError if the value broke out of its term
    # On the embedded store it is a SEP-0007 substitution: the query text is untouched.
    execute(EMPTY, named.text, bound)


@FUZZ
@given(pairs=st.lists(st.text(max_size=20), max_size=4))
def test_any_param_option_is_parsed_or_refused(pairs):
    try:
        values = parse_param_options(pairs)
    except UsageError as exc:
        assert exc.message.startswith("--param ")
        return
    split = [pair.partition("=") for pair in pairs]
    assert values == {name.strip(): value for name, _sep, value in split}


SPARQL_PIECES = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s",
                 "?p", "?o", "<urn:x>", "<http://127.0.0.1:9/>", "SERVICE", "service", "FROM",
                 "NAMED", "LOAD", "INSERT", "DATA", "DROP", "GRAPH", "FILTER", "!", "-", "+",
                 "UNION", "MINUS", "VALUES", "\"s\"", "'x'", "#", "\n", "\\u0053", ".", ";",
                 "<", ">", "*", "LIMIT", "1", "aig:Ban", "PREFIX", "aig:",
                 "<https://w3id.org/aigov-kg/ontology#>"]


@FUZZ
@given(pieces=st.lists(st.sampled_from(SPARQL_PIECES), max_size=30))
def test_the_guard_answers_any_text_with_a_form_or_a_refusal(pieces):
    text = " ".join(pieces)
    try:
        form = check_query(text)
    except QueryRefused as exc:
        assert exc.message.startswith("query refused: ") and exc.exit_code == 2
        return
    assert form in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
    words = {w.upper() for w in re.findall(r"[A-Za-z]+", _outside_literals(text))}
    assert not words & {"SERVICE", "LOAD", "FROM", "INSERT", "DROP"}
    with contextlib.suppress(UsageError):  # a syntax error, reported as such
        execute(EMPTY, text)


def _outside_literals(text: str) -> str:
    """The query without comments, strings and IRIs (where keywords are just text)."""
    return "".join(token.text for token in tokenize(text)
                   if token.kind not in ("string", "iri", "comment"))


def test_the_fuzz_alphabets_cover_the_guard_words():
    """The generators must be able to produce what the guard refuses."""
    assert {"SERVICE", "LOAD", "FROM", "INSERT", "DROP"} <= set(SPARQL_PIECES)
    assert set(string.digits[:1]) <= set("".join(ONTOLOGY_WORDS))
    assert Path(LIBRARY_DIR).is_dir() and PARAMETERISED


# --------------------------------------------------------------------------- remote answers

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
              st.sampled_from(["uri", "literal", "bnode", "typed-literal", "x", "head", "vars",
                               "results", "bindings", "type", "value", "not an iri"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["head", "vars", "results",
                                                             "bindings", "boolean", "type",
                                                             "value", "datatype", "xml:lang",
                                                             "x"]), inner, max_size=4)),
    max_leaves=25)


@FUZZ
@given(document=json_values, depth=st.integers(0, 3))
def test_any_answer_of_a_remote_endpoint_is_read_or_refused(document, depth):
    """`kg query --endpoint` reads what a server sends back: any JSON (or a document nested
    past the decoder's depth) becomes rows or a RemoteError, never a crash."""
    import json

    from kg.query import remote

    body = json.dumps(document).encode()
    if depth == 3:
        body = b"[" * 100_000 + body + b"]" * 100_000
    try:
        result = remote.parse_json_results(body)
    except (remote.RemoteError, ResultTooLarge) as exc:
        assert exc.exit_code == 2 and exc.message
        return
    assert result.form in ("SELECT", "ASK")
