"""The hostile-input corpus: every case run against each entry point that takes it.

Anyone can contribute a case file, a query or a profile, and `kg serve` answers a team.
Each case below is an input (a file of tests/hostile/, or one made at test time when it is
large or deep), the commands that take it, and the exact behaviour expected: the exit code
(2 for an input or usage error, 1 for validation findings, 0 where the input is legal and
must be rendered inert), the message fragments (file and line, or parameter, and the
problem), and for every run:

- no traceback and no "internal error" (exit 3 is a bug);
- no partial output: a failing run prints nothing on stdout and leaves every file as it
  was — the previous build, reports, data/ — with no temporary file behind;
- no network: nothing attempted through Python (the audit hook of test_network_guard
  refuses and records it) and no connection to the trap, where hostile URLs point;
- bounded time.

`kg serve` gets the query cases over HTTP (status code and message), with the same
network guard installed in the server process.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.plugins.stores.memory import Memory

from kg.core import atomic
from kg.core.errors import OutputError
from kg.core.project import Project
from kg.core.textsafe import html_text, terminal
from tests.conftest import REPO, copy_project
from tests.kgrun import Run
from tests.test_network_guard import (
    BLOCKED_EVENTS,
    GUARD,
    SITECUSTOMIZE,
    Served,
    Trap,
    run_offline,
    start_server,
    stop_server,
)

CORPUS = Path(__file__).resolve().parent / "hostile"
BIG = 200 * 1024 * 1024
MB = 1024 * 1024


# --------------------------------------------------------------------------- inputs made here


def _deep_block_yaml(depth: int) -> str:
    lines = ["curated: 2026-11-28", "records:"]
    lines += ["  " * (i + 1) + "-" for i in range(depth)]
    return "\n".join(lines) + " x\n"


def _billion_laughs(size: int, trap: str) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    head = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities)
            + f'\n<!ENTITY ext SYSTEM "{trap}/secret">\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n')
    item = ('<rdf:Description rdf:about="https://w3id.org/aigov-kg/id/acme-lab">'
            "<rdfs:label>&lol9;&ext;</rdfs:label></rdf:Description>\n")
    return head + item * ((size - len(head)) // len(item)) + "</rdf:RDF>\n"


def _chain_yaml(depth: int, link: str) -> str:
    """Jurisdictions nested ``depth`` deep, each naming its parent (``within``) or child
    (``contains``): 227 KB for 2,000, which took over 300 s to reason before issue 18."""
    lines = ["curated: 2026-11-28", "records:"]
    for i in range(depth):
        lines += [f"  - id: j-{i}", "    a: " + ("Country" if i == 0 else
                                              "SubnationalJurisdiction"),
                  f"    label: {{en: J {i}, zh: 地{i}}}", "    source: https://example.org/j"]
        if link == "within" and i:
            lines.append(f"    within: j-{i - 1}")
        if link == "contains" and i + 1 < depth:
            lines.append(f"    contains: j-{i + 1}")
    return "\n".join(lines) + "\n"


def _records_yaml(count: int) -> str:
    return "curated: 2026-11-28\nrecords:\n" + "".join(
        f"  - {{id: r-{i}, a: Company, label: R {i}, headquarteredIn: cn, "
        "source: https://example.org/r}\n" for i in range(count))


def _one_label_yaml(label: str) -> str:
    return ("curated: 2026-11-28\nrecords:\n  - id: long-co\n    a: Company\n"
            f'    label: {{en: "{label}", zh: 长}}\n    headquarteredIn: cn\n'
            "    source: https://example.org/long\n")


def _profile_yaml(components: list[str] | None = None, markets: int = 1) -> str:
    parts = ",\n".join(f"      {c}" for c in components or [])
    return ('company: {name: "Big Bots", headquartered: cn}\nbuilds:\n  - kind: home-robot\n'
            f'    name: "Big Home"\n    components: [\n{parts}]\nmarkets:\n'
            + "  - {jurisdiction: de, does: [sell-product]}\n" * markets)


GENERATED: dict[str, Callable[[str], str]] = {
    "deep-flow.yaml": lambda _t: "curated: 2026-11-28\nrecords: " + "[" * 100 + "]" * 100 + "\n",
    "deep-block.yaml": lambda _t: _deep_block_yaml(3000),
    "deep-profile.yaml": lambda _t: ("company: {name: A, headquartered: cn}\nmarkets: "
                                     + "{a: " * 2000 + "b" + "}" * 2000 + "\n"),
    "laughs.rdf": lambda trap: _billion_laughs(3 * MB, trap),
    "deep.rq": lambda _t: "SELECT * WHERE " + "{" * 3000 + "}" * 3000 + "\n",
    # 9,999 tokens, under the token cap: Oxigraph overflows its stack on it, unguarded
    "operators.rq": lambda _t: "SELECT * WHERE { FILTER(" + "!" * 9990 + "1) }\n",
    # issue 18: budgets, and the limits of the engine's buffers
    "chain-2000.yaml": lambda _t: _chain_yaml(2000, "within"),
    "contains-chain.yaml": lambda _t: _chain_yaml(30, "contains"),
    "records-100k.yaml": lambda _t: _records_yaml(100_000),
    "value-1m.yaml": lambda _t: _one_label_yaml("x" * 1_200_000),
    "literal-19mb.yaml": lambda _t: _one_label_yaml("x" * (19 * MB)),
    "literal-15mb.ttl": lambda _t: ("@prefix id: <https://w3id.org/aigov-kg/id/> .\n"
                                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                                    'id:acme-lab rdfs:comment "' + '\\"' * (15 * MB // 2)
                                    + '"@en .\n'),
    "components-14k.yaml": lambda _t: _profile_yaml(
        components=[f'{{name: "Part {i}", supplier: "Supplier {i}"}}' for i in range(14_000)]),
    "markets-250.yaml": lambda _t: _profile_yaml(markets=250),
    "deep-exposures.json": lambda _t: "[" * 200_000 + "]" * 200_000 + "\n",
    "many-tokens.rq": lambda _t: ("SELECT * WHERE { ?s ?p ?o "
                                  + "MINUS { ?s ?p ?o } " * 5000 + "}\n"),
}


# --------------------------------------------------------------------------- the ontology, once


class _FrozenMemory(Memory):
    """rdflib's in-memory store, read-only once filled: the ontology graph shared by the
    runs of this module's cases fails the run that would change it."""

    frozen = False

    def _refuse(self, *_args, **_kwargs):
        raise RuntimeError("tests/test_hostile.py shares one parsed ontology graph between "
                           "runs (_ontology_once); kg must not change the graph it loads")

    def add(self, *args, **kwargs):
        return self._refuse() if self.frozen else super().add(*args, **kwargs)

    def addN(self, *args, **kwargs):  # rdflib's name
        return self._refuse() if self.frozen else super().addN(*args, **kwargs)

    def remove(self, *args, **kwargs):
        return self._refuse() if self.frozen else super().remove(*args, **kwargs)


_ONTOLOGIES: dict[tuple[tuple[str, str], ...], Graph] = {}


@pytest.fixture(scope="module", autouse=True)
def _ontology_once() -> Iterator[None]:
    """Parse each distinct ontology once in this process. Every run still reads every
    ontology file of its project through kg's guarded reader (an unreadable or changed
    file is read, and parsed, as in a real run); only the parse of text already parsed,
    which no case here varies, is reused — as a read-only graph. The cases vary case
    files, profiles, queries and options, never the ontology."""
    from kg.core.reader import read_text
    from kg.pipeline import load as loading

    parse = loading.load_ontology

    def load_ontology(project: Project) -> Graph:
        try:
            key = tuple((project.relative(path), read_text(path, project.relative(path)))
                        for path in project.ontology_files())
        except Exception:  # a file kg refuses: the real run, as it is
            return parse(project)
        if key not in _ONTOLOGIES:
            frozen = Graph(store=_FrozenMemory())
            frozen.addN((s, p, o, frozen) for s, p, o in parse(project))
            frozen.store.frozen = True
            _ONTOLOGIES[key] = frozen
        return _ONTOLOGIES[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "load_ontology", load_ontology)
        yield


@pytest.fixture(scope="session")
def trap() -> Iterator[Trap]:
    catcher = Trap()
    yield catcher
    catcher.close()


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory, trap: Trap) -> Iterator[Path]:
    """The large and deep inputs, made once: the 200 MB file is real text (so a reader
    without a size limit would really read and parse it) and is deleted afterwards."""
    folder = tmp_path_factory.mktemp("generated")
    for name, make in GENERATED.items():
        (folder / name).write_text(make(trap.url), "utf-8")
    chunk = b"# padding: a case file far over the input limit\n" * (MB // 49)
    with (folder / "huge.bin").open("wb") as handle:
        while handle.tell() < BIG:
            handle.write(chunk[: BIG - handle.tell()])
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory, mini_built: Project) -> Project:
    """The mini project, built: every case starts from a copy of it, so a failing run can
    be checked against an intact previous build."""
    project = copy_project(mini_built, tmp_path_factory.mktemp("base"))  # built: conftest.py
    shutil.copy(CORPUS / "profiles" / "good.yaml", project.root / "profile.yaml")
    (project.root / "afile").write_text("a file, not a directory\n", "utf-8")
    return project


# --------------------------------------------------------------------------- the cases

DATA_RUNS = (("validate",), ("build", "--quiet"), ("diff",), ("screen", "profile.yaml"))
PROFILE_RUNS = (("screen", "hostile.yaml"),
                ("screen", "hostile.yaml", "--format", "html", "--out", "report.html"))
QUERY_RUNS = (("query", "hostile.rq"), ("query", "-"))


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    runs: tuple[tuple[str, ...], ...]
    code: int
    expect: tuple[str, ...]
    files: tuple[tuple[str, str], ...] = ()  # (where in the project, corpus or made name)
    stdin: str = ""  # a corpus name, fed to `kg … -`
    setup: tuple[tuple[str, ...], ...] = ()  # commands run first, which must succeed
    check: Callable[[Path, tuple[str, ...], Run], None] | None = None
    seconds: float = 30.0
    subprocess: bool = False  # a query that never ends leaves a busy thread: own process
    links: tuple[tuple[str, str], ...] = ()  # (link in the project, target): "../x" leaves it
    absent: tuple[str, ...] = ()  # fragments that must appear nowhere (a leaked secret)


def data(name: str, file: str, code: int, *expect: str, category: str = "malformed",
         dest: str = "", runs: tuple[tuple[str, ...], ...] = DATA_RUNS,
         seconds: float = 30.0) -> Case:
    return Case(name, category, runs, code, expect,
                files=((f"data/{dest or Path(file).name}", file),), seconds=seconds)


def profile(name: str, file: str, code: int, *expect: str, category: str = "malformed",
            runs: tuple[tuple[str, ...], ...] = PROFILE_RUNS, check=None) -> Case:
    return Case(name, category, runs, code, expect, files=(("hostile.yaml", file),),
                check=check)


def query(name: str, file: str, *expect: str, category: str = "reaches-out") -> Case:
    # Inputs past the engine's limits would crash the process if the guard let them by.
    return Case(name, category, QUERY_RUNS, 2, expect, files=(("hostile.rq", file),),
                stdin=file, subprocess=category == "engine-limits")


def cli(name: str, category: str, runs: tuple[tuple[str, ...], ...], code: int,
        *expect: str, **options) -> Case:
    return Case(name, category, runs, code, expect, **options)


# ---- checks for the cases whose input is legal but must stay inert


def _no_raw_escapes(_root: Path, _argv: tuple[str, ...], run: Run) -> None:
    assert "\x1b" not in run.out + run.err and "\x07" not in run.out + run.err
    assert "\u202e" not in run.out + run.err
    assert "\x9b" not in run.out + run.err and "\u2066" not in run.out + run.err


def _parses_back(root: Path, argv: tuple[str, ...], _run: Run) -> None:
    """Each export format read back by a strict parser: XML by expat (GraphML), the RDF
    formats by Oxigraph, JSON-LD as JSON first; the RDF ones hold the built triples."""
    import json

    import pyoxigraph as ox

    out = root / argv[-1]
    fmt = argv[argv.index("--format") + 1]
    if fmt == "graphml":
        tree = ET.parse(out)  # expat: not well-formed XML is an error
        text = " ".join(e.text or "" for e in tree.iter())
        if "Nul \\u0000 Co" not in text:  # the hand-made build: escaped, not dropped
            assert "acme-lab" in text or any(e.get("id") for e in tree.iter())
        return
    if fmt == "jsonld":
        json.loads(out.read_text("utf-8"))
    kind = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    got = {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(out), format=kind)}
    built = {(q.subject, q.predicate, q.object) for q in ox.parse(
        path=str(root / "build" / "graph.nq"), format=ox.RdfFormat.N_QUADS)}
    assert got == built


def _escaped_labels_shown(root: Path, argv: tuple[str, ...], run: Run) -> None:
    _no_raw_escapes(root, argv, run)
    if argv[0] in ("explain", "query"):
        assert "\\x9b2J" in run.out  # the label was printed, its escapes shown as text


class _Tags(HTMLParser):
    """The elements of an HTML page as a browser sees them (script text is not markup)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def names(self) -> list[str]:
        return [tag for tag, _attrs in self.tags]


def _inert_views(root: Path, argv: tuple[str, ...], run: Run) -> None:
    page = (root / argv[-1]).read_text("utf-8")
    if argv[-1].endswith(".svg"):
        tree = ET.fromstring(page)
        tags = {element.tag.rsplit("}", 1)[-1] for element in tree.iter()}
        assert not tags & {"script", "img", "foreignObject", "b", "iframe"}
        text = " ".join(t.text or "" for t in tree.iter("{http://www.w3.org/2000/svg}title"))
        assert "<script>window.__pwned=1</script>" in text  # shown as text
        return
    tags = _Tags(page)
    assert tags.names().count("script") == 3  # the data block, vis-network and the app
    assert not {"img", "svg", "b", "iframe", "a"} & set(tags.names())
    assert all(not name.startswith("on") for _tag, attrs in tags.tags for name in attrs)
    label = ("\\u003cimg src=x onerror=window.__pwned=2\\u003e" if "zh" in argv
             else "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e")
    assert label in page  # in the page's JSON data block, where it cannot be markup
    assert "default-src 'none'" in page


def _inert_report(root: Path, argv: tuple[str, ...], run: Run) -> None:
    text = (root / argv[-1]).read_text("utf-8") if "--out" in argv else run.out
    if "html" in argv:
        tags = _Tags(text)
        assert "script" not in tags.names()
        assert all(attrs.get("src", "").startswith("data:image/svg+xml;base64,")
                   for tag, attrs in tags.tags if tag == "img")  # the report's own diagram
        assert all(not (attrs.get("href") or "").startswith("javascript:")
                   for _tag, attrs in tags.tags)
        assert all(not name.startswith("on") for _tag, attrs in tags.tags for name in attrs)
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    else:  # Markdown: markup and link syntax escaped with backslashes
        assert not re.search(r"(?<!\\)<(script|img)", text)
        assert not re.search(r"(?<!\\)\]\(javascript:", text)
        assert "\\<script\\>window.\\_\\_pwned=1\\</script\\>" in text


def _no_escape_from_the_tmp_dir(root: Path, argv: tuple[str, ...], run: Run) -> None:
    _no_raw_escapes(root, argv, run)
    assert (root / "report.html").is_file()
    assert "../../../../etc/passwd" in html_unescape((root / "report.html").read_text("utf-8"))
    assert not list(root.parent.parent.rglob("passwd"))


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _string_parameter_stays_a_value(_root: Path, _argv: tuple[str, ...], run: Run) -> None:
    assert run.out == "(no rows)\n"  # bound as one literal: nothing dropped, nothing run


CASES: list[Case] = [
    # ---------------------------------------------------------------- malformed case files
    data("yaml-truncated", "data/truncated.yaml", 2, "data/truncated.yaml:5: YAML syntax error"),
    data("yaml-tabs", "data/tabs.yaml", 2, "data/tabs.yaml:10: YAML syntax error",
         "YAML indents with spaces, never tabs"),
    data("yaml-duplicate-key", "data/duplicate-key.yaml", 1,
         "data/duplicate-key.yaml:14: duplicate key 'status' (first on line 10)"),
    data("yaml-bom", "data/bom.yaml", 0, "ok: 4 case files conform", runs=(("validate",),)),
    data("yaml-latin1", "data/latin1.yaml", 2,
         "data/latin1.yaml:5: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    data("yaml-utf16", "data/utf16.yaml", 2,
         "data/utf16.yaml:1: the file is UTF-16-encoded; save it as UTF-8"),
    data("yaml-empty", "data/empty.yaml", 2, "data/empty.yaml:1: the case file is empty"),
    data("yaml-comments-only", "data/comments-only.yaml", 2,
         "data/comments-only.yaml:1: the case file is empty"),
    data("yaml-binary", "data/binary.yaml", 2,
         "data/binary.yaml:1: binary content (NUL byte); expected UTF-8 text"),
    data("yaml-garbage-without-nul", "data/garbage-no-nul.yaml", 2,
         "data/garbage-no-nul.yaml:1: not valid UTF-8 (byte 0x80)"),
    data("yaml-200mb", "huge.bin", 2, f"data/huge.yaml: file is {BIG:,} bytes, over the "
         "16,000,000-byte input limit", dest="huge.yaml", seconds=10),
    data("yaml-anchors-billion-laughs", "data/anchors.yaml", 2,
         "data/anchors.yaml:3: YAML anchors and aliases are not supported"),
    data("yaml-python-tag", "data/python-tag.yaml", 2,
         "data/python-tag.yaml:3: YAML tags (`!…`, `!!…`) are not supported"),
    data("yaml-not-a-mapping", "data/not-a-mapping.yaml", 2,
         "data/not-a-mapping.yaml:1: a case file is a mapping with `curated` and `records`"),
    data("yaml-deep-flow", "deep-flow.yaml", 2,
         "data/deep-flow.yaml:2: nested more than 32 levels deep"),
    data("yaml-deep-block", "deep-block.yaml", 2,
         "data/deep-block.yaml:", "nested more than 32 levels deep"),
    data("turtle-truncated", "data/truncated.ttl", 2, "data/truncated.ttl:4: Turtle syntax error"),
    data("turtle-empty", "data/empty.ttl", 2, "data/empty.ttl:1: the case file has no triples"),
    data("turtle-is-rdfxml-with-dtd", "data/xml-as-turtle.ttl", 2,
         "data/xml-as-turtle.ttl:1: this is RDF/XML, not Turtle"),
    data("rdfxml-external-dtd", "data/external-dtd.rdf", 2,
         "data/external-dtd.rdf: not a case file: case files end in .yaml, .yml or .ttl, "
         "not .rdf", "RDF/XML and JSON-LD are not read"),
    data("rdfxml-billion-laughs-3mb", "laughs.rdf", 2, "data/laughs.rdf: not a case file",
         seconds=10),
    data("rdfxml-billion-laughs-as-owl", "laughs.rdf", 2, "data/laughs.owl: not a case file",
         dest="laughs.owl", seconds=10),
    data("jsonld-remote-context", "data/remote-context.jsonld", 2,
         "data/remote-context.jsonld: not a case file", "not .jsonld"),
    data("suffix-in-capitals", "data/shouting.YAML", 2,
         "data/shouting.YAML: not a case file", "rename it to end in .yaml"),
    # ---------------------------------------------------------------- wrong types and values
    data("date-impossible", "data/impossible-date.yaml", 1,
         "data/impossible-date.yaml:11: [extra-ban] issuedOn: '2025-02-30' is not a real date",
         category="values"),
    data("date-ambiguous", "data/ambiguous-date.yaml", 1,
         "data/ambiguous-date.yaml:11: [extra-ban] issuedOn: '01/02/2025' is not a date",
         "write dates as YYYY-MM-DD", category="values"),
    data("date-before-adoption", "data/before-adoption.yaml", 1,
         "data/before-adoption.yaml:11: [extra-ban] The issue date (`issuedOn`) is after the "
         "entry-into-force date (`inForceFrom`)", category="values"),
    data("status-unknown", "data/unknown-status.yaml", 1,
         "data/unknown-status.yaml:10: [extra-ban] status: unknown ontology term 'Enacted'",
         "status takes one of Adopted, Closed, Decided, InForce", category="values"),
    data("risk-type-unknown", "data/unknown-risk.yaml", 1,
         "data/unknown-risk.yaml:9: [extra-ban] raisesRisk: unknown ontology term "
         "'DeepfakeRisk'", category="values"),
    data("id-misspelled", "data/misspelled-id.yaml", 1,
         "data/misspelled-id.yaml:8: [extra-ban] targets: unknown id 'acme-lap'",
         "did you mean acme-lab", category="values"),
    data("iri-with-spaces-yaml", "data/iri-space.yaml", 1,
         "data/iri-space.yaml:8: [extra-ban] targets: '<http://exa mple.org/x>' is not a "
         "valid IRI", category="values"),
    data("iri-with-spaces-turtle", "data/iri-space.ttl", 2,
         "data/iri-space.ttl:4: Turtle syntax error", "Invalid IRI code point ' '",
         category="values"),
    data("cycle-jurisdiction-containment", "data/containment-cycle.yaml", 1,
         "data/containment-cycle.yaml:3: [land-a] lies within itself through a chain",
         "data/containment-cycle.yaml:8: [land-b] lies within itself", category="values"),
    data("cycle-containment-by-turtle-patch", "data/cycle.ttl", 1,
         "data/world.yaml:5: [eu] lies within itself through a chain", category="values"),
    data("cycle-supply-chain", "data/supply-cycle.yaml", 1,
         "data/supply-cycle.yaml:3: [part-a] is a component of itself", category="values"),
    data("actor-supplies-itself", "data/self-supply.yaml", 1,
         "data/self-supply.yaml:3: [loop-co] supplies <https://w3id.org/aigov-kg/id/loop-1>, "
         "which it develops itself", category="values"),
    data("javascript-source-yaml", "data/javascript-source.yaml", 1,
         "data/javascript-source.yaml:13: [extra-ban] source: 'javascript:alert(document."
         "cookie)' uses the 'javascript:' scheme", category="code"),
    data("javascript-source-turtle", "data/javascript-source.ttl", 1,
         "data/javascript-source.ttl: [acme-lab] source: 'javascript:alert(1)' uses the "
         "'javascript:' scheme", category="code"),
    cli("escape-sequence-in-file-name", "code", DATA_RUNS[:2], 2,
        "data/\\x1b[2J\\x1b]0;pwned\\x07.yaml:5: YAML syntax error",
        files=(("data/\x1b[2J\x1b]0;pwned\x07.yaml", "data/truncated.yaml"),)),
    # ---------------------------------------------------------------- profiles (kg screen)
    profile("profile-truncated", "profiles/truncated.yaml", 2,
            "hostile.yaml:5: YAML syntax error"),
    profile("profile-tabs", "profiles/tabs.yaml", 2, "hostile.yaml:7: YAML syntax error",
            "never tabs"),
    profile("profile-duplicate-key", "profiles/duplicate-key.yaml", 1,
            "hostile.yaml:8: duplicate key 'company' (first on line 1)"),
    profile("profile-utf16", "profiles/utf16.yaml", 2,
            "hostile.yaml:1: the file is UTF-16-encoded"),
    profile("profile-binary", "profiles/binary.yaml", 2, "hostile.yaml:3: binary content"),
    profile("profile-200mb", "huge.bin", 2,
            f"hostile.yaml: file is {BIG:,} bytes, over the 1,048,576-byte input limit"),
    profile("profile-anchors", "profiles/anchors.yaml", 2,
            "hostile.yaml:1: YAML anchors and aliases are not supported"),
    profile("profile-deep", "deep-profile.yaml", 2,
            "hostile.yaml:2: nested more than 32 levels deep"),
    profile("profile-bom", "profiles/bom.yaml", 0, "screened 3 exposure(s) of 2 actor(s)",
            runs=PROFILE_RUNS[:1]),
    profile("profile-date-impossible", "profiles/impossible-date.yaml", 1,
            "hostile.yaml:7: markets[0].since: '2026-02-30' is not a date", category="values"),
    profile("profile-until-before-since", "profiles/until-before-since.yaml", 1,
            "hostile.yaml:7: markets[0]: `until` 2025-01-01 is before `since` 2026-03-01",
            category="values"),
    profile("profile-unknown-jurisdiction", "profiles/unknown-jurisdiction.yaml", 1,
            "hostile.yaml:7: jurisdiction: unknown jurisdiction 'dee'", "did you mean de",
            category="values"),
    profile("profile-unknown-activity", "profiles/unknown-activity.yaml", 1,
            "hostile.yaml:7: markets[0].does: unknown activity 'sell-products'",
            category="values"),
    profile("profile-supplies-itself", "profiles/self-supply.yaml", 1,
            "hostile.yaml:5: the supplier 'tiny bots' is the company itself", category="values"),
    profile("profile-wrong-type", "profiles/wrong-type.yaml", 1,
            "hostile.yaml:6:", "expected a mapping of keys", category="values"),
    profile("profile-html-and-javascript-links", "profiles/html-name.yaml", 0,
            category="code", check=_inert_report,
            runs=(PROFILE_RUNS[1], ("screen", "hostile.yaml", "--format", "md"))),
    profile("profile-escape-sequences", "profiles/escape-name.yaml", 2,
            "hostile.yaml:1: a control character (U+001B) in a value", category="code",
            runs=PROFILE_RUNS[:1]),
    profile("profile-bidi-and-c1-controls", "profiles/bidi-name.yaml", 0, "screened",
            category="code", check=_no_raw_escapes, runs=PROFILE_RUNS[:1]),
    profile("profile-name-is-a-path", "profiles/traversal-name.yaml", 0, category="paths",
            check=_no_escape_from_the_tmp_dir, runs=PROFILE_RUNS[1:]),
    # ---------------------------------------------------------------- queries that reach out
    query("service-http", "queries/service-http.rq",
          "query refused: SERVICE (federated query) is not allowed"),
    query("service-file-etc-passwd", "queries/service-file.rq",
          "query refused: SERVICE (federated query) is not allowed"),
    query("service-silent-lowercase-after-comment", "queries/service-silent-lowercase.rq",
          "query refused: SERVICE (federated query) is not allowed", "(line 2)"),
    query("service-hidden-by-unicode-escape", "queries/service-unicode-escape.rq",
          "query refused: cannot read the", "line 1"),
    query("from-remote-document", "queries/from-remote.rq",
          "query refused: FROM / FROM NAMED is not allowed"),
    query("from-named-remote-document", "queries/from-named.rq",
          "query refused: FROM / FROM NAMED is not allowed"),
    query("load", "queries/load.rq", "query refused: LOAD is not allowed"),
    query("update-insert", "queries/insert.rq",
          "query refused: INSERT is SPARQL Update; the graph is read-only", category="updates"),
    query("update-drop-all", "queries/drop.rq", "query refused: DROP is SPARQL Update",
          category="updates"),
    query("query-truncated", "queries/truncated.rq", "query refused: cannot read the",
          "unterminated string", category="malformed"),
    query("query-is-xml-with-entities", "queries/not-sparql.rq",
          "query refused: cannot read the", category="malformed"),
    query("query-empty", "queries/empty.rq", "query refused: not a SPARQL query",
          category="malformed"),
    query("query-binary", "queries/binary.rq", "binary content (NUL byte)",
          category="malformed"),
    query("query-200mb", "huge.bin", "1,048,576-byte", category="malformed"),
    query("query-nested-3000-deep", "deep.rq", "query refused: nested more than 64 levels",
          category="engine-limits"),
    query("query-9990-operators", "operators.rq",
          "query refused: more than 32 operators in a row", category="engine-limits"),
    query("query-35000-tokens", "many-tokens.rq", "tokens, over the limit of 10,000",
          category="engine-limits"),
    cli("query-never-ends", "engine-limits", (("query", "hostile.rq", "--timeout", "1"),), 2,
        "error: query exceeded the 1 s time limit",
        files=(("hostile.rq", "queries/never-ends.rq"),), subprocess=True, seconds=20),
    cli("endpoint-unclosed-ipv6", "values", (("query", "risk-taxonomy", "--endpoint",
                                              "http://[::1"),), 2,
        "--endpoint: 'http://[::1' is not a valid URL"),
    cli("graph-iri-with-angle-bracket", "values", (("query", "risk-taxonomy", "--endpoint",
                                                    "http://127.0.0.1:9", "--graph",
                                                    "https://example.org/g>"),), 2,
        "--graph 'https://example.org/g>' is not a valid IRI: it contains '>'"),
    # ---------------------------------------------------------------- parameters
    cli("param-sparql-in-iri", "code", (("query", "actor-exposures", "--param",
                                         'actor=x" } ; DROP ALL ; #'),), 2,
        "--param actor: value 'x\" } ; DROP ALL ; #' is not a valid IRI"),
    cli("param-sparql-in-string", "code", (("query", "facts-by-source", "--param",
                                            'source=") } } DROP ALL ; SELECT * { #'),), 0,
        check=_string_parameter_stays_a_value),
    cli("param-iri-with-spaces", "values", (("query", "actor-exposures", "--param",
                                             "actor=<http://exa mple.org/x>"),), 2,
        "--param actor: value '<http://exa mple.org/x>' is not a valid IRI: it contains ' '"),
    cli("param-impossible-date", "values", (("query", "actor-exposures", "--param",
                                             "actor=acme-lab", "--param", "asOf=2026-02-30"),),
        2, "--param asOf: '2026-02-30' is not a real date"),
    cli("param-unknown", "values", (("query", "actor-exposures", "--param", "nope=1"),), 2,
        "--param nope: unknown parameter of actor-exposures (it takes actor, asOf)"),
    cli("param-unknown-prefix", "values", (("query", "actor-exposures", "--param",
                                            "actor=evil:x"),), 2,
        "--param actor: value 'evil:x': unknown prefix 'evil:'"),
    cli("param-too-long", "values", (("query", "facts-by-source", "--param",
                                      "source=" + "a" * 10_001),), 2,
        "--param source: the value is longer than 10,000 characters"),
    cli("param-escape-sequence", "code", (("query", "actor-exposures", "--param",
                                           "actor=\x1b[2J\x1b]0;pwned\x07"),), 2,
        "--param actor: value '\\x1b[2J\\x1b]0;pwned\\x07' is not a valid IRI"),
    cli("argument-escape-sequence", "code", (("viz", "\x1b[2Jactor"),
                                             ("exposures", "--format", "\x1b]0;pwned\x07")), 2,
        "Error: Invalid value for", "\\x1b"),
    cli("name-misspelled", "values", (("exposures", "--actor", "acme-lbb"),
                                      ("explain", "acme-lbb"), ("viz", "actor", "acme-lbb")),
        2, "unknown actor 'acme-lbb'", "did you mean", "acme-lab"),
    # ---------------------------------------------------------------- text that becomes code
    cli("labels-with-c1-controls-and-bidi-overrides", "code",
        (("exposures",), ("explain", "evil-co"), ("stats",), ("query", "facts-by-source",
         "--param", "source=example.org/evil"), ("diff",)), 0,
        files=(("data/evil.yaml", "data/c1-and-bidi-label.yaml"),),
        setup=(("build", "--quiet"),), check=_escaped_labels_shown),
    cli("labels-with-html-and-script", "code",
        (("viz", "actor", "xss-co", "--out", "xss.html"),
         ("viz", "actor", "xss-co", "--lang", "zh", "--out", "xss-zh.html"),
         ("viz", "all", "--format", "svg", "--out", "all.svg")), 0,
        files=(("data/xss.yaml", "data/html-label.yaml"),), setup=(("build", "--quiet"),),
        check=_inert_views),
    # ---------------------------------------------------------------- paths and outputs
    cli("out-climbs-out-viz", "paths", (("viz", "all", "--out", "../escape.html"),), 2,
        "--out: '../escape.html' leaves the current directory through '..'"),
    cli("out-climbs-out-screen", "paths", (("screen", "profile.yaml", "--out",
                                            "reports/../../escape.html"),), 2,
        "leaves the current directory through '..'"),
    cli("out-climbs-out-export", "paths", (("export", "--format", "ttl", "--out",
                                            "../escape.ttl"),), 2,
        "--out: '../escape.ttl' leaves the current directory through '..'"),
    cli("out-climbs-out-new-case", "paths", (("new-case", "measure", "--out",
                                              "../../escape.yaml"),), 2,
        "--out: '../../escape.yaml' is outside data/ and the current directory"),
    cli("case-id-is-a-path", "paths", (("new-case", "measure", "--id", "../../etc/passwd"),), 2,
        "--id: '../../etc/passwd' is not a valid id for a measure"),
    cli("case-file-is-etc-passwd", "paths", (("validate", "/etc/passwd"),
                                             ("diff", "/etc/passwd")), 2,
        "/etc/passwd: a case file is .yaml, .yml or .ttl"),
    cli("build-out-would-wipe-data", "paths", (("build", "--quiet", "--out", "data"),
                                               ("build", "--quiet", "--out", "ontology")), 2,
        "' is inside ", "outputs never go into kg/, ontology/, data/, tests/, .git/ or build/"),
    cli("build-out-would-wipe-the-project", "paths", (("build", "--quiet", "--out", "."),
                                                      ("build", "--quiet", "--out", "/")), 2,
        "' contains the project (", "give a folder of its own"),
    cli("build-out-over-other-files", "paths", (("build", "--quiet", "--out", "notes"),), 2,
        "--out: 'notes' exists and is not an output of kg (no .kg-output file); refusing to "
        "replace it", files=(("notes/todo.yaml", "profiles/good.yaml"),)),
    # ---- issue 18: every output through the one write guard (kg.core.outputs.check), before any
    # work; exit 2, one line naming the option, the path and the rule, nothing changed
    cli("out-over-the-program", "paths", (("viz", "all", "--out", "kg/cli/main.py"),
                                          ("export", "--format", "ttl", "--out", "kg/cli/main.py"),
                                          ("screen", "profile.yaml", "--out", "kg/cli/main.py"),
                                          ("new-case", "measure", "--out", "kg/x.yaml")), 2,
        "--out: 'kg/", "' is inside kg/, the program's source; outputs never go into",
        files=(("kg/cli/main.py", "queries/drop.rq"),)),
    cli("out-over-the-installed-program", "paths",
        (("viz", "all", "--out", str(REPO / "kg" / "cli" / "main.py")),
         ("export", "--format", "nt", "--out", str(REPO / "kg" / "cli" / "main.py"))), 2,
        f"--out: '{REPO / 'kg' / 'cli' / 'main.py'}' is inside kg/ (the installed program, "),
    cli("out-over-the-ontology", "paths",
        (("viz", "all", "--out", "ontology/aigov.ttl"),
         ("screen", "profile.yaml", "--out", "ontology/aigov.ttl"),
         ("export", "--format", "ttl", "--out", "ontology/aigov.ttl"),
         ("new-case", "measure", "--out", "ontology/new.yaml"),
         ("docs", "--dictionary", "ontology/aigov.ttl"),
         ("docs", "--out", "ontology")), 2,
        "' is inside ontology/, the ontology, changed only as reviewed code"),
    cli("out-into-data-tests-git-build", "paths",
        (("build", "--quiet", "--out", "data/cases/newout"),
         ("viz", "all", "--out", "data/view.yaml"),
         ("export", "--format", "ttl", "--out", "tests/x.ttl"),
         ("viz", "all", "--out", ".git/config"),
         ("screen", "profile.yaml", "--out", "build/report.html"),
         ("build", "--quiet", "--out", "build/inner"),
         ("docs", "--out", "build/docs")), 2,
        "' is inside ", "outputs never go into kg/, ontology/, data/, tests/, .git/ or build/",
        seconds=5),
    cli("docs-out-of-the-project", "paths", (("docs", "--dictionary", "../../x.md"),), 2,
        "--dictionary: '../../x.md' leaves the current directory through '..'"),
    cli("docs-out-is-the-root", "paths", (("docs", "--out", "/"), ("docs", "--out", ".")), 2,
        "' contains the project ("),
    cli("out-over-another-kind-of-file", "paths",
        (("viz", "all", "--out", "profile.yaml"),
         ("export", "--format", "ttl", "--out", "profile.yaml"),
         ("screen", "profile.yaml", "--out", "profile.yaml"),
         ("docs", "--dictionary", "profile.yaml")), 2,
        "'profile.yaml' exists and is not ", "or --force to replace it"),
    cli("out-through-a-symlink-out", "paths",
        (("viz", "all", "--out", "elsewhere/view.html"),
         ("export", "--format", "ttl", "--out", "elsewhere/graph.ttl"),
         ("screen", "profile.yaml", "--out", "elsewhere/report.html")), 2,
        "leaves the current directory through a symbolic link (to ",
        links=(("elsewhere", "../outside"),)),
    cli("out-through-a-symlink-into-the-ontology", "paths",
        (("viz", "all", "--out", "views/aigov.ttl"),
         ("screen", "profile.yaml", "--out", "views/report.md")), 2,
        "' is inside ontology/ (through a symbolic link, to ", links=(("views", "ontology"),)),
    cli("out-control-characters-in-the-name", "code",
        (("viz", "all", "--out", "../\x1b]0;pwned\x07\n.html"),
         ("export", "--format", "ttl", "--out", "ontology/\n\x1b[2J.ttl")), 2,
        "\\x1b", "\\x0a", absent=("\x1b", "\x07")),
    # ---- issue 18: symbolic links in data/ that leave the project are never read
    cli("symlink-in-data-leaks-a-secret", "paths", DATA_RUNS, 2,
        "data/token.yaml: a symbolic link that leads out of the project; not read",
        "data/token.ttl: a symbolic link", "data/linked: a symbolic link",
        links=(("data/token.yaml", "../secret.txt"), ("data/token.ttl", "../secret.txt"),
               ("data/linked", "../outside")), absent=("hunter2", "secret-token")),
    # ---- issue 18: a newline in a file name is escaped like every control character
    cli("newline-in-a-case-file-name", "code", DATA_RUNS[:2], 2,
        "data/evil\\x0aname\\x09.yaml:5: YAML syntax error",
        files=(("data/evil\nname\t.yaml", "data/truncated.yaml"),)),
    cli("newline-in-a-profile-or-query-name", "code",
        (("screen", "hostile\n.yaml"), ("query", "hostile\n.rq")), 2, "hostile\\x0a.",
        files=(("hostile\n.yaml", "profiles/truncated.yaml"),
               ("hostile\n.rq", "queries/truncated.rq"))),
    # ---- issue 18: a staging folder left by a killed build is removed by the next one
    cli("stale-staging-folder", "paths", (("build", "--quiet"),), 0,
        files=((".build.k1lled00/graph.nt", "queries/drop.rq"),
               (".build.k1lled00/.kg-output", "queries/drop.rq"))),
    cli("out-through-a-file", "paths", (("viz", "all", "--out", "afile/view.html"),
                                        ("export", "--format", "nt", "--out", "afile/g.nt"),
                                        ("screen", "profile.yaml", "--out", "afile/r.html")), 2,
        "afile/", "cannot write (a part of the path is a file, not a directory); nothing "
        "was changed"),
    cli("out-into-data", "paths", (("screen", "profile.yaml", "--out", "data/report.yaml"),),
        2, "--out: 'data/report.yaml' is inside data/"),
    cli("out-empty", "paths", (("export", "--format", "ttl", "--out", ""),
                               ("screen", "profile.yaml", "--out", " ")), 2,
        "is not a file name"),
    cli("diff-against-garbage-build", "malformed", (("diff", "--against", "fake-build"),), 2,
        "fake-build/manifest.json: unreadable build output",
        files=(("fake-build/manifest.json", "queries/truncated.rq"),)),
    # ---------------------------------------------------------------- issue 18
    # Case files assert data, not schema (kg.pipeline.casevocab): refused at load, file and line.
    data("schema-same-as-merges-two-companies", "data/same-as.ttl", 1,
         "data/same-as.ttl:5: owl:sameAs would make two entities one", category="schema"),
    data("schema-within-made-symmetric", "data/symmetric-property.ttl", 1,
         "data/symmetric-property.ttl:5: statements about aig:within",
         "owl:SymmetricProperty is a term of the OWL/RDFS vocabulary", category="schema"),
    data("schema-country-made-a-company", "data/subclass-axiom.ttl", 1,
         "data/subclass-axiom.ttl:5: rdfs:subClassOf is a schema statement",
         "statements about aig:Country", category="schema"),
    data("schema-equivalent-class-in-a-patch", "data/equivalent-class.ttl", 1,
         "data/equivalent-class.ttl:6: owl:equivalentClass would make two classes one",
         category="schema"),
    data("schema-term-redefined-in-yaml", "data/redefine-term.yaml", 1,
         "data/redefine-term.yaml:4: id 'Country' is a term of the ontology; a case file "
         "cannot redefine it", category="schema"),
    data("schema-owl-type-in-yaml", "data/owl-type.yaml", 1,
         "data/owl-type.yaml:10: [within-everywhere] a: 'owl:SymmetricProperty' is a term "
         "of the OWL/RDFS vocabulary", category="schema"),
    data("schema-new-class-outside-the-taxonomies", "data/class-outside-the-taxonomies.yaml",
         1, "data/class-outside-the-taxonomies.yaml:7: [ShellCompany] subClassOf aig:Country: "
         "a new class may only extend a risk type", category="schema"),
    data("schema-keys-on-an-instance", "data/schema-keys.yaml", 1,
         "data/schema-keys.yaml:8: [odd-co] subClassOf: only a new class",
         "data/schema-keys.yaml:9: [odd-co] subPropertyOf: a case file cannot declare",
         "data/schema-keys.yaml:10: [odd-co] within: 'owl:Thing' names the OWL/RDFS "
         "vocabulary itself", category="schema"),
    # Budgets: each a stated limit, and the option that raises it.
    data("budget-containment-2000-deep", "chain-2000.yaml", 2,
         "data/chain-2000.yaml:10001: [j-1999] lies 1,999 levels deep in `within`",
         "over the limit of 8", "raise the limit with --max-depth", category="budgets",
         seconds=5),
    data("budget-containment-through-the-inverse", "contains-chain.yaml", 2,
         "levels deep in `contains`", "over the limit of 8", category="budgets", seconds=5),
    data("budget-100k-records-in-one-file", "records-100k.yaml", 2,
         "data/records-100k.yaml:25003: more than 25,000 records in one file",
         "raise the limit with --max-records", category="budgets", seconds=5),
    cli("budget-records-option", "budgets", (("validate", "--max-records", "5"),
                                             ("build", "--quiet", "--max-records", "5")), 2,
        "data/world.yaml:", "more than 5 records in one file", "--max-records"),
    cli("budget-inferred-triples", "budgets", (("validate", "--max-inferred", "0.01"),
                                               ("build", "--quiet", "--max-inferred", "0.01")),
        2, "reasoning stopped: it made more than", "over the limit of 0.01 per asserted "
        "triple (raise it with --max-inferred)"),
    cli("budget-timeout", "budgets", tuple(
        (*run, "--max-depth", "5000", "--max-inferred", "1000", "--timeout", "1")
        for run in (("validate",), ("build", "--quiet"), ("screen", "profile.yaml"))), 2,
        "stopped at the 1 s time limit; nothing was written (raise it with --timeout)",
        files=(("data/chain-2000.yaml", "chain-2000.yaml"),), subprocess=True, seconds=25),
    cli("budget-profile-14k-components", "budgets", PROFILE_RUNS, 2,
        "hostile.yaml:", "the profile lists 14,001 products, components, suppliers and "
        "investors, over the limit of 500 (raise it with --max-components)",
        files=(("hostile.yaml", "components-14k.yaml"),), seconds=5),
    cli("budget-profile-250-markets", "budgets", PROFILE_RUNS, 2,
        "hostile.yaml:", "the profile lists 250 market entries", "over the limit of 200 "
        "(raise it with --max-markets)", files=(("hostile.yaml", "markets-250.yaml"),),
        seconds=5),
    cli("query-cartesian-order-by-memory", "engine-limits",
        (("query", "hostile.rq", "--max-memory", "512"),), 2,
        "error: query stopped: it needs more than the 512 MiB memory limit (raise it with "
        "--max-memory", files=(("hostile.rq", "queries/cartesian-order-by.rq"),),
        subprocess=True, seconds=30),
    cli("query-concat-doubling-memory", "engine-limits",
        (("query", "hostile.rq", "--max-memory", "512"),), 2,
        "error: query stopped: it needs more than the 512 MiB memory limit",
        files=(("hostile.rq", "queries/concat-doubling.rq"),), subprocess=True, seconds=30),
    # No exit 3: values no store or format can carry are refused at load, file and line.
    data("value-unpaired-surrogate", "data/surrogate-label.yaml", 2,
         "data/surrogate-label.yaml:5: an unpaired surrogate (U+D800) in a value",
         category="values"),
    data("value-nul-in-a-label", "data/nul-label.yaml", 2,
         "data/nul-label.yaml:5: a control character (U+0000) in a value", category="values"),
    data("value-escape-sequences-in-labels", "data/escape-label.yaml", 2,
         "data/escape-label.yaml:5: a control character (U+001B) in a value",
         category="values"),
    data("value-control-character-in-turtle", "data/control-character.ttl", 2,
         "data/control-character.ttl:5: a control character (U+001B) in a value",
         category="values"),
    data("value-newline-in-a-source", "data/newline-source.yaml", 1,
         "data/newline-source.yaml:8: [split-co] source: 'https://example.org/a\\x0aforged: "
         "line' is not a well-formed URL", category="values"),
    data("value-unclosed-ipv6-iri", "data/unclosed-ipv6.yaml", 1,
         "data/unclosed-ipv6.yaml:7: [bracket-co] headquarteredIn: '<http://[::1>' is not a "
         "valid IRI", category="values"),
    data("value-language-tag-oxigraph-refuses", "data/language-tag.yaml", 1,
         "data/language-tag.yaml:5: [tag-co] 'en-a' is not a language tag", category="values"),
    data("value-1m-characters", "value-1m.yaml", 2, "data/value-1m.yaml:5: a value of "
         "1,200,000 characters, over the limit of 1,000,000", category="values"),
    data("literal-19mb-over-the-engine-buffer", "literal-19mb.yaml", 2,
         "over the 16,000,000-byte input limit", category="engine-limits", seconds=10),
    data("literal-15mb-in-turtle", "literal-15mb.ttl", 2,
         "data/literal-15mb.ttl: a value of over 1,000,000 characters",
         category="engine-limits", seconds=15),
    profile("profile-unpaired-surrogate", "profiles/surrogate-name.yaml", 2,
            "hostile.yaml:1: an unpaired surrogate (U+DFFF) in a value", category="values"),
    cli("diff-against-exposures-nested-200k-deep", "malformed",
        (("diff", "--against", "deep-build"),), 2, "deep-build/exposures.json: unreadable "
        "build output (JSON nested deeper than",
        files=(("deep-build/manifest.json", "builds/manifest.json"),
               ("deep-build/exposures.json", "deep-exposures.json"))),
    # Exports stay well-formed: every format parsed back by a strict parser.
    cli("export-a-build-with-nul-and-escapes", "code", tuple(
        ("export", "--format", fmt, "--out", f"hostile.{fmt}")
        for fmt in ("ttl", "nt", "jsonld", "graphml")), 0,
        files=(("build/graph.nq", "builds/hostile-labels.nq"),), check=_parses_back),
    cli("export-hostile-labels-from-cases", "code", tuple(
        ("export", "--format", fmt, "--out", f"hostile.{fmt}")
        for fmt in ("ttl", "nt", "jsonld", "graphml")), 0,
        files=(("data/evil.yaml", "data/c1-and-bidi-label.yaml"),
               ("data/xss.yaml", "data/html-label.yaml")),
        setup=(("build", "--quiet"),), check=_parses_back),
]


def _flat() -> list:
    params = []
    for case in CASES:
        for argv in case.runs:
            label = argv[0] if argv[0] != "query" or argv[1] != "-" else "query-stdin"
            if len(case.runs) > 1 and sum(a[0] == argv[0] for a in case.runs) > 1:
                label += f"-{case.runs.index(argv) + 1}"
            params.append(pytest.param(case, argv, id=f"{case.category}/{case.name}[{label}]"))
    return params


# --------------------------------------------------------------------------- the runner


def _content(name: str, generated: Path, trap: Trap) -> bytes:
    source = generated / name if (generated / name).exists() else CORPUS / name
    raw = source.read_bytes()
    return raw.replace(b"{TRAP}", trap.url.encode()) if len(raw) < MB else raw


def prepare(case: Case, base: Project, generated: Path, trap: Trap, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(base.root, root, symlinks=True)
    for dest, name in case.files:
        target = root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "huge.bin":
            os.link(generated / name, target)  # the same 200 MB, not another copy
        else:
            target.write_bytes(_content(name, generated, trap))
    for link, pointee in case.links:  # what they point to out of the project sits beside
        # it: a file of tests/hostile/outside/ (a token, say), or an empty folder
        if pointee.startswith("../") and not (root / pointee).exists():
            outside = root / pointee
            outside.parent.mkdir(parents=True, exist_ok=True)
            if outside.suffix:
                outside.write_bytes((CORPUS / "outside" / outside.name).read_bytes())
            else:
                outside.mkdir()
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(Path(os.path.relpath(root / pointee, (root / link).parent)))
    return root


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` (hidden ones too) with its size and digest."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.stat().st_size < MB \
                else str(path.stat().st_mtime_ns)
            out[str(path.relative_to(folder))] = (path.stat().st_size, digest)
    return out


LEFTOVER = re.compile(r"(^|/)\.[^/]+\.(tmp|old)$|(^|/)\.(build|ontology|data|out)\.[^/]+")


def run_subprocess(root: Path, argv: tuple[str, ...], hooks: Path, stdin: bytes | None
                   ) -> Run:
    """`kg` in a child process, with the network guard of the server tests installed: for
    runs that could crash or keep a thread busy (a regression then fails this one test,
    with the signal in the exit code, instead of killing the test session)."""
    (hooks / "sitecustomize.py").write_text(
        SITECUSTOMIZE.format(events=sorted(BLOCKED_EVENTS)), "utf-8")
    log = hooks / "network.log"
    env = {**os.environ, "KG_TEST_NETWORK_LOG": str(log),
           "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)])}
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), *argv], cwd=root,
                          input=stdin or b"", capture_output=True, timeout=60, check=False,
                          env=env)
    assert not log.exists(), log.read_text("utf-8")
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"))


_SET_UP: dict[str, Path] = {}  # a case with setup commands: its project, set up


def _cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (a `kg` child, the
    build's graph-file writer, a forked query)."""
    import resource

    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _waited_at_most(seconds: float) -> float:
    """The wall-clock bound for a case limited to ``seconds`` of CPU: loose enough for a
    machine shared with other work, tight enough that a hang still fails."""
    return 4 * seconds + 30


@pytest.mark.parametrize(("case", "argv"), _flat())
def test_corpus(case: Case, argv: tuple[str, ...], capsys, trap, base, generated, tmp_path,
                tmp_path_factory):
    if case.setup:  # set up once per process (the same commands for each of its runs),
        # then each run gets its own copy of the result
        if case.name not in _SET_UP:
            ready = prepare(case, base, generated, trap, tmp_path_factory.mktemp("set-up"))
            for setup in case.setup:
                assert run_offline(capsys, trap, ready, *setup).code == 0
            _SET_UP[case.name] = ready
        root = tmp_path / "project"
        shutil.copytree(_SET_UP[case.name], root, symlinks=True)
    else:
        root = prepare(case, base, generated, trap, tmp_path)
    before = snapshot(tmp_path)
    stdin: bytes | None = None
    if argv[-1] == "-" and case.stdin:
        stdin = (generated / case.stdin).read_bytes()[: 2 * MB] if case.stdin == "huge.bin" \
            else _content(case.stdin, generated, trap)
    started, cpu = time.monotonic(), _cpu_seconds()
    if case.subprocess:
        hits = len(trap.hits)
        hooks = tmp_path_factory.mktemp("hooks")
        result = run_subprocess(root, argv, hooks, stdin)
        assert trap.settle()[hits:] == []
    else:
        result = run_offline(capsys, trap, root, *argv, stdin=stdin)  # asserts: no network
    took, cpu = time.monotonic() - started, _cpu_seconds() - cpu

    assert result.code == case.code, result.err
    shown = result.err if case.code else result.out + result.err
    for fragment in case.expect:
        assert fragment in shown, f"{fragment!r} not in:\n{shown}"
    for fragment in case.absent:
        assert fragment not in result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    # Bounded time: the work done (CPU seconds, this process's and its children's) within
    # the case's limit, whatever else loads the machine; and a generous bound on the time
    # waited, which a run that hangs or sleeps (using no CPU) does not meet.
    assert cpu < case.seconds, f"used {cpu:.1f}s of CPU (took {took:.1f}s)"
    assert took < _waited_at_most(case.seconds), f"took {took:.1f}s ({cpu:.1f}s of CPU)"
    if case.code != 0:
        assert result.out == ""  # no partial output on stdout …
        assert snapshot(tmp_path) == before  # … nor in any file, the old build included
    elif case.check is not None:
        case.check(root, argv, result)
    leftovers = [p for p in snapshot(tmp_path) if LEFTOVER.search(p)]
    assert leftovers == []


# --------------------------------------------------------------------------- kg serve


@dataclass
class Ask:
    name: str
    category: str
    status: int
    expect: str
    query: str = ""  # corpus or made name, sent as query=…
    method: str = "POST"
    path: str = "/sparql"
    body: bytes | None = None
    content_type: str = "application/x-www-form-urlencoded"
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # a Content-Length announced, and then no body sent: the
    # server must answer from the header alone (a body it never reads would reset the line)


ASKS = [
    Ask("service-http", "reaches-out", 400, "query refused: SERVICE", "queries/service-http.rq"),
    Ask("service-file-etc-passwd", "reaches-out", 400, "query refused: SERVICE",
        "queries/service-file.rq", method="GET"),
    Ask("service-silent-lowercase", "reaches-out", 400, "query refused: SERVICE",
        "queries/service-silent-lowercase.rq"),
    Ask("service-unicode-escape", "reaches-out", 400, "query refused:",
        "queries/service-unicode-escape.rq"),
    Ask("from-remote", "reaches-out", 400, "query refused: FROM / FROM NAMED",
        "queries/from-remote.rq", method="GET"),
    Ask("load", "reaches-out", 400, "query refused: LOAD is not allowed", "queries/load.rq"),
    Ask("dataset-parameter", "reaches-out", 400, "is not a graph of this endpoint",
        body=b"query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D&default-graph-uri={TRAP}%2Fg"),
    Ask("named-graph-parameter", "reaches-out", 400, "is not a named graph of this endpoint",
        body=b"query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D&named-graph-uri={TRAP}%2Fg"),
    Ask("update-in-query", "updates", 400, "query refused: INSERT is SPARQL Update",
        "queries/insert.rq"),
    Ask("update-parameter", "updates", 405, "read-only", body=b"update=DROP+ALL"),
    Ask("update-media-type", "updates", 405, "read-only", body=b"DROP ALL",
        content_type="application/sparql-update"),
    Ask("update-path", "updates", 405, "read-only", path="/update", body=b"update=DROP+ALL"),
    Ask("put", "updates", 405, "read-only", method="PUT", body=b"<urn:a> <urn:b> <urn:c> ."),
    Ask("delete", "updates", 405, "read-only", method="DELETE"),
    Ask("never-ends", "engine-limits", 503, "query exceeded the 2 s time limit",
        "queries/never-ends.rq"),
    Ask("nested-3000-deep", "engine-limits", 400, "nested more than 64 levels", "deep.rq"),
    Ask("9990-operators", "engine-limits", 400, "more than 32 operators in a row",
        "operators.rq"),
    Ask("35000-tokens", "engine-limits", 400, "over the limit of 10,000", "many-tokens.rq"),
    Ask("body-200mb", "malformed", 413, "the request body is over 1,048,576 bytes",
        length=BIG),
    Ask("billion-laughs-body", "malformed", 413, "the request body is over", "laughs.rdf",
        content_type="application/sparql-query", length=3 * MB),
    Ask("body-not-utf8", "malformed", 400, "the request body is not UTF-8",
        body=b"query=SELECT+*+%7B%7D\xff\xfe", content_type="application/sparql-query"),
    Ask("body-binary", "malformed", 400, "query refused:", body=b"\x00\x01SELECT\x02",
        content_type="application/sparql-query"),
    Ask("no-query", "malformed", 400, "give exactly one query parameter", body=b"query="),
    Ask("xml-with-entities", "malformed", 400, "query refused:", "queries/not-sparql.rq"),
    Ask("foreign-host-header", "reaches-out", 403, "unexpected Host header",
        "queries/drop.rq", headers={"Host": "attacker.example"}),
    Ask("host-header-with-userinfo", "reaches-out", 400, "malformed Host header",
        "queries/drop.rq", headers={"Host": "localhost:1@evil.example"}),
]


@pytest.fixture(scope="session")
def served(base: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start_server(base.root, tmp_path_factory.mktemp("serve-hooks"), "--timeout", "2",
                          "--workers", "2", "--max-rows", "100")
    yield server
    stop_server(server)


def _send(served: Served, ask: Ask, generated: Path, trap: Trap) -> tuple[int, str]:
    parts = urllib.parse.urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    body = ask.body.replace(b"{TRAP}", urllib.parse.quote(trap.url, safe="").encode()) \
        if ask.body else None
    if ask.query:
        text = _content(ask.query, generated, trap)
        body = (text if ask.content_type == "application/sparql-query"
                else urllib.parse.urlencode({"query": text.decode()}).encode())
    path = ask.path
    if ask.method == "GET" and body is not None:
        path, body = f"{path}?{body.decode()}", None
    try:
        connection.putrequest(ask.method, path, skip_host="Host" in ask.headers)
        headers = {"Accept": "application/sparql-results+json", **ask.headers}
        if body is not None or ask.length is not None:
            headers["Content-Type"] = ask.content_type
            headers["Content-Length"] = str(ask.length if ask.length is not None else len(body))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body is not None and ask.length is None:
            connection.send(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.parametrize("ask", ASKS, ids=[f"{a.category}/{a.name}" for a in ASKS])
def test_serve_corpus(ask: Ask, served, generated, trap):
    hits = len(trap.hits)
    started = time.monotonic()
    status, body = _send(served, ask, generated, trap)
    assert time.monotonic() - started < 20
    assert status == ask.status, body
    assert ask.expect in body
    assert "Traceback" not in body
    assert trap.settle()[hits:] == []
    assert served.network_log() == ""


def test_serve_still_answers_after_the_corpus(served):
    query = "SELECT ?c WHERE { ?c a <https://w3id.org/aigov-kg/ontology#Country> } ORDER BY ?c"
    url = served.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        assert b"/id/de" in response.read()
    assert served.process.poll() is None
    assert served.network_log() == ""


# --------------------------------------------------------------------------- the guards


def test_the_corpus_is_at_least_forty_cases_over_every_entry_point():
    names = [c.name for c in CASES] + [f"serve/{a.name}" for a in ASKS]
    assert len(names) == len(set(names)) >= 40
    entries = {argv[0] for c in CASES for argv in c.runs}
    assert entries >= {"validate", "build", "query", "screen", "viz", "diff", "export",
                       "new-case", "exposures", "explain"}
    for name in {name for c in CASES for _dest, name in c.files} - set(GENERATED) - {"huge.bin"}:
        assert (CORPUS / name).is_file(), name
        assert (CORPUS / name).stat().st_size < 64 * 1024  # committed files stay small


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous report\n", "utf-8")

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OutputError) as error:
        atomic.write_text(target, "new report\n")
    assert str(error.value) == (f"{target}: cannot write (No space left on device); nothing "
                                "was changed")
    assert target.read_text("utf-8") == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_failed_directory_write_keeps_the_previous_output(tmp_path):
    out = tmp_path / "build"
    with atomic.replace_directory(out) as staging:
        (staging / "graph.nt").write_text("old\n", "utf-8")
    with pytest.raises(OutputError) as error, atomic.replace_directory(out) as staging:
        (staging / "graph.nt").write_text("half", "utf-8")
        raise OSError(28, "No space left on device")
    assert "cannot write (No space left on device); nothing was changed" in str(error.value)
    assert (out / "graph.nt").read_text("utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_directory_that_is_not_an_output_is_never_replaced(tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "todo.txt").write_text("keep me\n", "utf-8")
    with pytest.raises(OutputError, match="is not an output of kg"), \
            atomic.replace_directory(precious):
        pytest.fail("the body must not run")
    assert (precious / "todo.txt").read_text("utf-8") == "keep me\n"


def test_terminal_shows_control_characters_instead_of_obeying_them():
    hostile = "a\x1b[2J\x1b]0;title\x07\x9b31m\u202eb\u2066c\r\x00d\n\te"
    assert terminal(hostile) == "a\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\u202eb\\u2066c\\x0d" \
                                "\\x00d\n\te"
    assert terminal("中文 ✓ café") == "中文 ✓ café"


def test_html_text_escapes_markup_and_quotes():
    assert html_text('<script>"x"</script> & \'y\'') == (
        "&lt;script&gt;&quot;x&quot;&lt;/script&gt; &amp; &#x27;y&#x27;")


def test_the_network_guard_was_armed_for_the_corpus(capsys, trap, tmp_path):
    """The corpus runs under GUARD, through run_offline (the guard itself is proved in
    test_network_guard): whichever tests this process ran before, the runner arms it."""
    assert run_offline(capsys, trap, tmp_path, "--help").code == 0
    assert GUARD._installed
