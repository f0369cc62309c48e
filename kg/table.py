"""A compact triple table: terms interned as integers, with the indexes the fast path needs.

Terms are kept in their N-Triples form (``<iri>``, ``_:b``, ``"text"@en``,
``"2025-01-30"^^<…#date>``), which is what Oxigraph's ``str()`` gives and what the
output files contain, so no term is converted twice. Integer triples keep a million-
triple graph well inside memory limits and make set operations cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(value: str) -> str:
    return f"<{value}>"


class Table:
    """Interned triples with subject and object indexes per predicate."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.ids: dict[str, int] = {}
        self.triples: set[tuple[int, int, int]] = set()
        self.sp: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.po: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))

    # -- terms

    def id(self, term: str) -> int:
        found = self.ids.get(term)
        if found is None:
            found = len(self.terms)
            self.terms.append(term)
            self.ids[term] = found
        return found

    def iri_id(self, value: str) -> int:
        return self.id(iri(value))

    def term(self, term_id: int) -> str:
        return self.terms[term_id]

    def is_literal(self, term_id: int) -> bool:
        return self.terms[term_id].startswith('"')

    def is_blank(self, term_id: int) -> bool:
        return self.terms[term_id].startswith("_:")

    # -- triples

    def add(self, s: int, p: int, o: int) -> bool:
        triple = (s, p, o)
        if triple in self.triples:
            return False
        self.triples.add(triple)
        self.sp[p][s].add(o)
        self.po[p][o].add(s)
        return True

    def add_terms(self, s: str, p: str, o: str) -> None:
        self.add(self.id(s), self.id(p), self.id(o))

    def add_oxigraph(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        for t in triples:
            self.add(self.id(str(t.subject)), self.id(str(t.predicate)), self.id(str(t.object)))

    def objects(self, s: int, p: int) -> set[int]:
        return self.sp.get(p, {}).get(s, set())

    def subjects(self, p: int, o: int) -> set[int]:
        return self.po.get(p, {}).get(o, set())

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
        for s, objs in self.sp.get(p, {}).items():
            for o in objs:
                yield s, o

    def __len__(self) -> int:
        return len(self.triples)

    def rdf_list(self, head: int) -> list[int]:
        first, rest, nil = (self.iri_id(RDF + "first"), self.iri_id(RDF + "rest"),
                            self.iri_id(RDF + "nil"))
        items: list[int] = []
        seen: set[int] = set()
        while head != nil and head not in seen:
            seen.add(head)
            items.extend(self.objects(head, first))
            nxt = self.objects(head, rest)
            if not nxt:
                break
            head = next(iter(nxt))
        return items

    def lines(self, triples: Iterable[tuple[int, int, int]] | None = None) -> list[str]:
        terms = self.terms
        return [f"{terms[s]} {terms[p]} {terms[o]} .\n"
                for s, p, o in (self.triples if triples is None else triples)]
