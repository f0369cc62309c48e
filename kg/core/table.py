"""A compact triple table: terms interned as integers, with the indexes the fast path needs.

Terms are kept in their N-Triples form (``<iri>``, ``_:b``, ``"text"@en``,
``"2025-01-30"^^<…#date>``), which is what Oxigraph's N-Triples output gives and what
the output files contain, so no term is converted twice.

Memory is what limits a million-triple build in Python, so the table keeps:

* an insertion log of triples in three integer arrays (8 bytes a column), from which
  the asserted, inferred and derived parts are slices (:class:`Span`);
* a subject index per predicate whose values are a bare ``int`` while a subject has a
  single object (the common case) and a ``set`` only once it has more;
* an object index per predicate built on first use only: most predicates (labels,
  sources, dates) are never looked up by object.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import islice
from typing import AnyStr

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

Triple = tuple[int, int, int]
Index = dict[int, "int | set[int]"]
EMPTY: tuple[int, ...] = ()


def iri(value: str) -> str:
    return f"<{value}>"


def _insert(index: Index, key: int, value: int) -> None:
    current = index.get(key)
    if current is None:
        index[key] = value
    elif isinstance(current, int):
        if current != value:
            index[key] = {current, value}
    else:
        current.add(value)


def _pieces(text: AnyStr, newline: AnyStr, chunk: int) -> Iterator[AnyStr]:
    """``text`` a chunk of about ``chunk`` characters at a time, cut after a newline."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find(newline, min(start + chunk, end) - 1)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _values(found: int | set[int] | None) -> Collection[int]:
    if found is None:
        return EMPTY
    return (found,) if isinstance(found, int) else found


class Table:
    """Interned triples with a subject index and a lazy object index per predicate."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.ids: dict[str, int] = {}
        self._s = array("q")
        self._p = array("q")
        self._o = array("q")
        self.sp: dict[int, Index] = {}
        self.po: dict[int, Index] = {}

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
        """Add a triple; False if it was already there."""
        by_subject = self.sp.get(p)
        if by_subject is None:
            by_subject = self.sp[p] = {}
        current = by_subject.get(s)
        if current is None:
            by_subject[s] = o
        elif isinstance(current, int):
            if current == o:
                return False
            by_subject[s] = {current, o}
        elif o in current:
            return False
        else:
            current.add(o)
        by_object = self.po.get(p)
        if by_object is not None:
            _insert(by_object, o, s)
        self._s.append(s)
        self._p.append(p)
        self._o.append(o)
        return True

    def add_terms(self, s: str, p: str, o: str) -> bool:
        return self.add(self.id(s), self.id(p), self.id(o))

    def add_oxigraph(self, triples: Iterable[object]) -> None:
        """Add Oxigraph triples or quads (their ``str()`` is the N-Triples form)."""
        for t in triples:
            self.add_terms(str(t.subject), str(t.predicate), str(t.object))  # type: ignore[attr-defined]

    def add_lines(self, text: str | bytes, chunk: int = 1 << 20) -> int:
        """Add canonical N-Triples lines (as Oxigraph writes them); return how many were new.

        In canonical N-Triples the subject and predicate hold no spaces, so the object is
        the rest of the line up to the final `` .``. The text is split a megabyte at a
        time, so a rule's half-million-line answer is never a list of lines all at once.
        """
        ident, add, added = self.id, self.add, 0
        pieces = (_pieces(text, "\n", chunk) if isinstance(text, str)
                  else (piece.decode("utf-8") for piece in _pieces(text, b"\n", chunk)))
        for piece in pieces:
            # split on "\n" only: str.splitlines() would also break at U+2028 or U+0085,
            # which N-Triples leaves unescaped inside literals
            for line in piece.split("\n"):
                if not line:
                    continue
                s, p, rest = line.split(" ", 2)
                added += add(ident(s), ident(p), ident(rest[:-2]))
        return added

    def objects(self, s: int, p: int) -> Collection[int]:
        by_subject = self.sp.get(p)
        return _values(by_subject.get(s)) if by_subject is not None else EMPTY

    def subjects(self, p: int, o: int) -> Collection[int]:
        return _values(self._object_index(p).get(o))

    def _object_index(self, p: int) -> Index:
        by_object = self.po.get(p)
        if by_object is None:
            by_object = self.po[p] = {}
            for s, objs in self.sp.get(p, {}).items():
                if isinstance(objs, int):
                    _insert(by_object, objs, s)
                else:
                    for o in objs:
                        _insert(by_object, o, s)
        return by_object

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
        for s, objs in self.sp.get(p, {}).items():
            if isinstance(objs, int):
                yield s, objs
            else:
                for o in objs:
                    yield s, o

    def has_predicate(self, p: int) -> bool:
        return bool(self.sp.get(p))

    def __len__(self) -> int:
        return len(self._s)

    def __iter__(self) -> Iterator[Triple]:
        return zip(self._s, self._p, self._o, strict=True)

    def span(self, start: int = 0, stop: int | None = None) -> Span:
        """The triples added between two points of the log (``len(table)`` marks one)."""
        return Span(self, range(start, len(self) if stop is None else stop))

    def at(self, position: int) -> Triple:
        return self._s[position], self._p[position], self._o[position]

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

    def lines(self, triples: Iterable[Triple] | None = None) -> Iterator[str]:
        terms = self.terms
        return (f"{terms[s]} {terms[p]} {terms[o]} .\n"
                for s, p, o in (self if triples is None else triples))


class Span:
    """Some triples of a table, by their positions in its insertion log (a range, or an
    array of positions when a part is filtered): a few bytes a triple, not a set of
    tuples."""

    def __init__(self, table: Table, positions: range | array[int]) -> None:
        self.table = table
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[Triple]:
        t = self.table
        if isinstance(self.positions, range):
            r = self.positions
            return zip(islice(t._s, r.start, r.stop), islice(t._p, r.start, r.stop),
                       islice(t._o, r.start, r.stop), strict=True)
        return (t.at(i) for i in self.positions)

    def where(self, keep: Callable[[int, int, int], bool]) -> Span:
        """The triples for which ``keep(s, p, o)`` is true, as a new span."""
        chosen = array("q")
        t = self.table
        s_col, p_col, o_col = t._s, t._p, t._o
        for i in self.positions:
            if keep(s_col[i], p_col[i], o_col[i]):
                chosen.append(i)
        return Span(t, chosen)
