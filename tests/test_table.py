"""The interned triple table (kg/core/table.py), on hand-made triples."""

from __future__ import annotations

from array import array

import pytest

from kg.core.table import RDF, Span, Table, iri

EX = "http://example.org/"


def ex(name: str) -> str:
    return f"<{EX}{name}>"


@pytest.fixture
def table() -> Table:
    return Table()


# --------------------------------------------------------------------------- terms


def test_terms_are_interned_once_in_order(table):
    assert table.id(ex("a")) == 0
    assert table.id('"text"@en') == 1
    assert table.id(ex("a")) == 0
    assert table.terms == [ex("a"), '"text"@en']
    assert table.ids == {ex("a"): 0, '"text"@en': 1}
    assert table.term(1) == '"text"@en'


def test_iri_id_wraps_the_value_in_angle_brackets(table):
    assert iri(EX + "a") == ex("a")
    assert table.iri_id(EX + "a") == table.id(ex("a"))
    assert table.terms == [ex("a")]


def test_literal_and_blank_are_told_by_the_first_characters(table):
    lit, blank, node = table.id('"x"^^<http://www.w3.org/2001/XMLSchema#date>'), \
        table.id("_:b0"), table.id(ex("a"))
    assert [table.is_literal(i) for i in (lit, blank, node)] == [True, False, False]
    assert [table.is_blank(i) for i in (lit, blank, node)] == [False, True, False]


# --------------------------------------------------------------------------- adding


def test_add_reports_whether_the_triple_is_new(table):
    assert table.add(0, 1, 2) is True
    assert table.add(0, 1, 2) is False
    assert table.add(0, 1, 3) is True  # a second object: the index value becomes a set
    assert table.add(0, 1, 3) is False
    assert table.add(0, 1, 4) is True
    assert table.add(0, 1, 4) is False
    assert len(table) == 3
    assert list(table) == [(0, 1, 2), (0, 1, 3), (0, 1, 4)]


def test_subject_index_is_an_int_for_one_object_and_a_set_for_more(table):
    table.add(0, 1, 2)
    assert table.sp == {1: {0: 2}}
    table.add(0, 1, 3)
    assert table.sp == {1: {0: {2, 3}}}


def test_add_terms_interns_and_adds(table):
    assert table.add_terms(ex("s"), ex("p"), '"o"') is True
    assert table.add_terms(ex("s"), ex("p"), '"o"') is False
    assert table.terms == [ex("s"), ex("p"), '"o"']
    assert list(table) == [(0, 1, 2)]


def test_add_oxigraph_takes_triples_and_quads(table):
    import pyoxigraph as ox

    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    table.add_oxigraph([ox.Triple(s, p, ox.Literal("x", language="en")),
                        ox.Quad(s, p, ox.BlankNode("b1"), ox.NamedNode(EX + "g")),
                        ox.Triple(s, p, ox.Literal("x", language="en"))])
    assert list(table.lines()) == [f'{ex("s")} {ex("p")} "x"@en .\n',
                                   f'{ex("s")} {ex("p")} _:b1 .\n']


# --------------------------------------------------------------------------- lookups


@pytest.fixture
def small(table) -> Table:
    """a p b, a p c, d p b, a q b."""
    for s, p, o in (("a", "p", "b"), ("a", "p", "c"), ("d", "p", "b"), ("a", "q", "b")):
        table.add_terms(ex(s), ex(p), ex(o))
    return table


def ids(t: Table, *names: str) -> list[int]:
    return [t.id(ex(n)) for n in names]


def test_objects_and_subjects(small):
    a, b, c, d, p, q = ids(small, "a", "b", "c", "d", "p", "q")
    assert set(small.objects(a, p)) == {b, c}
    assert tuple(small.objects(d, p)) == (b,)
    assert tuple(small.objects(b, p)) == ()
    assert tuple(small.objects(a, small.id(ex("unused")))) == ()
    assert set(small.subjects(p, b)) == {a, d}
    assert tuple(small.subjects(p, c)) == (a,)
    assert tuple(small.subjects(q, c)) == ()
    assert tuple(small.subjects(small.id(ex("none")), b)) == ()


def test_the_object_index_is_built_on_first_use_then_kept_up_to_date(small):
    a, b, d, p, q = ids(small, "a", "b", "d", "p", "q")
    assert small.po == {}
    assert set(small.subjects(p, b)) == {a, d}
    assert p in small.po and q not in small.po
    e = small.id(ex("e"))
    small.add(e, p, b)  # added after the index exists: the index follows
    assert set(small.subjects(p, b)) == {a, d, e}
    assert small.add(e, p, b) is False
    assert set(small.subjects(p, b)) == {a, d, e}


def test_pairs_and_has_predicate(small):
    a, b, c, d, p, q = ids(small, "a", "b", "c", "d", "p", "q")
    assert sorted(small.pairs(p)) == sorted([(a, b), (a, c), (d, b)])
    assert list(small.pairs(q)) == [(a, b)]
    assert list(small.pairs(small.id(ex("none")))) == []
    assert small.has_predicate(p) and small.has_predicate(q)
    assert not small.has_predicate(a)


def test_lines_are_n_triples_in_insertion_order(small):
    assert list(small.lines()) == [
        f"{ex('a')} {ex('p')} {ex('b')} .\n",
        f"{ex('a')} {ex('p')} {ex('c')} .\n",
        f"{ex('d')} {ex('p')} {ex('b')} .\n",
        f"{ex('a')} {ex('q')} {ex('b')} .\n",
    ]
    assert list(small.lines([small.at(3)])) == [f"{ex('a')} {ex('q')} {ex('b')} .\n"]


def test_at_is_a_position_in_the_insertion_log(small):
    a, b, c, p = ids(small, "a", "b", "c", "p")
    assert small.at(0) == (a, p, b)
    assert small.at(1) == (a, p, c)
    with pytest.raises(IndexError):
        small.at(4)


# --------------------------------------------------------------------------- spans


def test_span_is_the_triples_added_between_two_points(small):
    mark = len(small)
    x, p = small.id(ex("x")), small.id(ex("p"))
    small.add(x, p, x)
    span = small.span(mark)
    assert isinstance(span, Span)
    assert len(span) == 1 and list(span) == [(x, p, x)]
    assert list(small.span(1, 3)) == [small.at(1), small.at(2)]
    assert len(small.span()) == 5
    assert len(small.span(5)) == 0 and list(small.span(5)) == []


def test_a_span_made_before_more_adds_keeps_its_range(small):
    span = small.span(0)
    small.add_terms(ex("late"), ex("p"), ex("b"))
    assert len(span) == 4
    assert len(list(span)) == 4


def test_where_filters_a_span_into_positions(small):
    p = small.id(ex("p"))
    kept = small.span().where(lambda _s, pred, _o: pred == p)
    assert isinstance(kept.positions, array)
    assert list(kept.positions) == [0, 1, 2]
    assert list(kept) == [small.at(0), small.at(1), small.at(2)]
    again = kept.where(lambda s, _p, _o: s == small.id(ex("d")))
    assert list(again.positions) == [2]
    assert len(again) == 1
    assert list(small.span().where(lambda *_: False)) == []


# --------------------------------------------------------------------------- rdf lists


def list_nodes(t: Table, items: list[str], *, close: bool = True) -> int:
    first, rest, nil = t.iri_id(RDF + "first"), t.iri_id(RDF + "rest"), t.iri_id(RDF + "nil")
    nodes = [t.id(f"_:l{i}") for i in range(len(items))]
    for i, item in enumerate(items):
        t.add(nodes[i], first, t.id(ex(item)))
        if i + 1 < len(nodes):
            t.add(nodes[i], rest, nodes[i + 1])
        elif close:
            t.add(nodes[i], rest, nil)
    return nodes[0]


def test_rdf_list_in_order(table):
    head = list_nodes(table, ["x", "y", "z"])
    assert table.rdf_list(head) == ids(table, "x", "y", "z")


def test_rdf_list_of_nil_is_empty(table):
    assert table.rdf_list(table.iri_id(RDF + "nil")) == []


def test_rdf_list_without_nil_ends_where_the_rest_ends(table):
    head = list_nodes(table, ["x", "y"], close=False)
    assert table.rdf_list(head) == ids(table, "x", "y")


def test_a_cyclic_rdf_list_ends_instead_of_looping(table):
    head = list_nodes(table, ["x", "y"], close=False)
    table.add(table.id("_:l1"), table.iri_id(RDF + "rest"), head)
    assert table.rdf_list(head) == ids(table, "x", "y")


# --------------------------------------------------------------------------- add_lines


def test_add_lines_reads_canonical_n_triples_and_counts_new_ones(table):
    text = (f'{ex("s")} {ex("p")} "a b c"@en .\n'
            f'{ex("s")} {ex("p")} "2025-01-30"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
            f"_:b0 {ex('p')} {ex('o')} .\n"
            "\n"
            f'{ex("s")} {ex("p")} "a b c"@en .\n')
    assert table.add_lines(text) == 3
    assert table.terms == [ex("s"), ex("p"), '"a b c"@en',
                           '"2025-01-30"^^<http://www.w3.org/2001/XMLSchema#date>', "_:b0",
                           ex("o")]
    assert table.add_lines(text) == 0
    assert len(table) == 3


def test_add_lines_keeps_escapes_and_line_separators_inside_literals(table):
    """Escapes stay escaped (the N-Triples form is the term); U+2028 and U+0085, which
    str.splitlines() would split at, stay inside the literal; the text may be bytes."""
    literal = '"say \\"hi\\"\\n\\\\ \u2028 next \u0085 end"'
    text = f"{ex('s')} {ex('p')} {literal} .\n{ex('s')} {ex('q')} \"\u00e9\" .\n"
    assert table.add_lines(text.encode("utf-8")) == 2
    assert table.terms[2] == literal
    assert table.terms[4] == '"\u00e9"'
    assert "".join(table.lines()) == text


def test_add_lines_without_a_final_newline(table):
    assert table.add_lines(f"{ex('s')} {ex('p')} {ex('o')} .") == 1
    assert list(table) == [(0, 1, 2)]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_add_lines_in_small_chunks_reads_every_line_whole(table, as_bytes):
    rows = [f'{ex("s" + str(i))} {ex("p")} "value {i} with spaces" .\n' for i in range(50)]
    text = "".join(rows)
    added = table.add_lines(text.encode() if as_bytes else text, chunk=7)
    assert added == 50
    assert "".join(table.lines()) == text
