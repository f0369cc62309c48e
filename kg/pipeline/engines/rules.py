"""The domain rules (SPARQL CONSTRUCT files in ontology/rules/), loaded once per build and
run in file order, and the cap on how far reasoning may grow the graph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.core.errors import InputError
from kg.core.namespaces import RULE
from kg.core.table import Span, Table
from kg.sparql.queryfile import read_query_file

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Cap:
    """How far reasoning may grow a table of ``asserted`` triples: ``ratio`` inferred
    (and derived) triples per asserted one."""

    asserted: int
    ratio: float

    @property
    def limit(self) -> int:
        return self.asserted + int(self.ratio * self.asserted)

    def check(self, size: int) -> None:
        if size > self.limit:
            from kg.core.budget import BudgetExceeded

            raise BudgetExceeded(
                f"reasoning stopped: it made more than {self.limit - self.asserted:,} "
                f"triples from {self.asserted:,} asserted ones, over the limit of "
                f"{self.ratio:g} per asserted triple (raise it with --max-inferred)")



@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    description: str
    text: str
    path: Path

    @property
    def iri(self) -> URIRef:
        return RULE[self.name]


def load_rules(rules_dir: Path) -> list[Rule]:
    """The rule files in order, each with its header; a rule needs a ``# title:``."""
    rules = []
    for path in sorted(rules_dir.glob("*.rq")):
        named = read_query_file(path, "rule")
        if named.title == named.name:
            raise InputError(f"{named.origin}: a rule file starts with a `# title:` header")
        name = re.sub(r"^\d+-", "", path.stem)
        rules.append(Rule(name, named.title, named.description, named.text, path))
    return rules


def run_rules_rdflib(closure: Graph, rules: list[Rule]) -> Graph:
    """Run the rules in file order on rdflib; each rule sees what earlier ones derived."""
    work = Graph()
    for triple in closure:
        work.add(triple)
    derived = Graph()
    for rule in rules:
        constructed = work.query(rule.text).graph
        if constructed is None:
            raise ValueError(f"rule {rule.name} is not a CONSTRUCT query")
        new = [t for t in constructed if t not in work]
        for triple in new:
            work.add(triple)
            derived.add(triple)
    return derived


def run_rules_oxigraph(table: Table, rules: list[Rule], oxi: Any = None,
                       cap: Cap | None = None) -> Span:
    """The same rules on the embedded Oxigraph store ``oxi`` (which must hold ``table``;
    one is made if not given); what they derive is added to both and returned.

    A rule's answer goes into the store on a second thread while Python adds it to the
    table (Oxigraph releases the GIL while it loads); the next rule waits for both.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox

    from kg.store import oxigraph as store

    oxi = oxi if oxi is not None else store.from_table(table)
    start = len(table)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-rules") as pool:
        for rule in rules:
            answer = oxi.query(rule.text).serialize(format=ox.RdfFormat.N_TRIPLES)
            if not answer:
                continue
            loading = pool.submit(oxi.bulk_load, answer, ox.RdfFormat.N_TRIPLES)
            table.add_lines(answer)
            loading.result()  # the store keeps one copy of each triple
            if cap is not None:
                cap.check(len(table))
    return table.span(start)
