"""A SHACL Core validator for the constraint components our shapes use, over a Table.

pySHACL is the reference, but it takes minutes on a graph of a million triples; this
checks the same shapes in seconds by walking the interned table. It implements exactly
the components listed in SUPPORTED (targets by class, IRI and zero-or-more paths,
cardinality, value type, value range, string, language, property-pair, logical and
qualified-value-shape components) with pySHACL's semantics under ``inference='none'``;
a shapes graph that uses anything else raises ShaclUnsupported and the caller uses
pySHACL. The compliance suite (tests/test_engines.py) runs both on every bad fixture.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import abc, defaultdict
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from kg.core.namespaces import SH
from kg.core.table import Table
from kg.core.terms import parse_literal
from kg.pipeline.engines.base import ShaclResult, ShaclUnsupported

SUPPORTED = {
    SH.targetClass, SH.property, SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"],
    SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang,
    SH.lessThanOrEquals, SH.hasValue, SH["or"], SH["not"], SH.node, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.message, SH.name, SH.description,
    SH.severity, SH.deactivated, SH.zeroOrMorePath,
}
IGNORED_PREDICATES = {RDF.type, RDFS.comment, RDFS.label, SH.order, SH.group}


Unsupported = ShaclUnsupported
Result = ShaclResult




def _well_formed(lexical: str, datatype: str) -> bool:
    if datatype == str(XSD.date):
        if not re.match(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$", lexical):
            return False
        try:
            dt.date.fromisoformat(lexical[:10])
        except ValueError:
            return False
        return True
    if datatype == str(XSD.boolean):
        return lexical in ("true", "false", "1", "0")
    if datatype == str(XSD.integer):
        return re.match(r"^[+-]?\d+$", lexical) is not None
    return True


def _comparable(term: str) -> tuple[str, float, str] | None:
    """A literal's kind and an ordering key for it (a date's day number, a number's value,
    a string's text); None if it is not a date, number or string."""
    if not term.startswith('"'):
        return None
    lexical, _, datatype = parse_literal(term)
    if datatype == str(XSD.date):
        try:
            return "date", float(dt.date.fromisoformat(lexical[:10]).toordinal()), ""
        except ValueError:
            return None
    if datatype in (str(XSD.integer), str(XSD.decimal)):
        try:
            return "number", float(lexical), ""
        except ValueError:
            return None
    if datatype == str(XSD.string):
        return "string", 0.0, lexical
    return None


# --------------------------------------------------------------------------- validator


@dataclass
class Shape:
    """One shape, compiled once from the shapes graph into plain values and term ids."""

    iri: str
    message: str
    path: int | None = None           # an IRI path
    star_path: int | None = None      # [ sh:zeroOrMorePath p ]
    has_path: bool = False
    min_count: int | None = None
    max_count: int | None = None
    has_value: int | None = None
    unique_lang: bool = False
    less_than_or_equals: tuple[int, ...] = ()
    qualified: Shape | None = None
    qualified_min: int | None = None
    qualified_max: int | None = None
    datatype: str | None = None
    cls: int | None = None
    node_kind: Node | None = None
    members: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    languages: tuple[str, ...] | None = None
    any_of: tuple[Shape, ...] = ()
    negated: Shape | None = None
    nodes: tuple[Shape, ...] = ()
    properties: tuple[Shape, ...] = ()
    targets: tuple[int, ...] = ()


NODE_KINDS: dict[Node, set[str]] = {
    SH.IRI: {"iri"}, SH.Literal: {"literal"}, SH.BlankNode: {"blank"},
    SH.BlankNodeOrIRI: {"blank", "iri"}, SH.BlankNodeOrLiteral: {"blank", "literal"},
    SH.IRIOrLiteral: {"iri", "literal"}}


class Validator:
    def __init__(self, shapes: Graph, data: Table):
        self.shapes = shapes
        self.t = data
        self._check_supported()
        self.rdf_type = data.iri_id(str(RDF.type))
        self.sub_class = data.iri_id(str(RDFS.subClassOf))
        self.subclasses: dict[int, set[int]] = defaultdict(set)
        for sub, sup in data.pairs(self.sub_class):
            self.subclasses[sup].add(sub)
        self.results: list[Result] = []
        self._compiled: dict[object, Shape] = {}
        self._instance: dict[tuple[int, int], bool] = {}
        self._conforms: dict[tuple[int, str], bool] = {}

    def _check_supported(self) -> None:
        shape_nodes = set(self.shapes.subjects(RDF.type, SH.NodeShape)) | set(
            self.shapes.subjects(RDF.type, SH.PropertyShape)) | set(
            self.shapes.subjects(SH.path, None))
        for node in shape_nodes:
            for predicate in self.shapes.predicates(node, None):
                if predicate not in SUPPORTED and predicate not in IGNORED_PREDICATES:
                    raise Unsupported(str(predicate))
            path = self.shapes.value(node, SH.path)
            if isinstance(path, BNode) and self.shapes.value(path, SH.zeroOrMorePath) is None:
                raise Unsupported(f"path {path}")

    # -- compiling

    def _id(self, node: Node) -> int:
        return self.t.id(node.n3())

    def compile(self, node: Node) -> Shape:
        if node in self._compiled:
            return self._compiled[node]
        g = self.shapes

        def one(prop: URIRef) -> Node | None:
            return g.value(node, prop)

        def number(prop: URIRef) -> int | None:
            value = one(prop)
            if value is None:
                return None
            # a Literal converts by its value; an IRI or blank node is a str, and int() of
            # it fails as a bad number
            return int(value) if isinstance(value, Literal) else int(str(value))

        shape = Shape(str(node), str(one(SH.message) or ""))
        self._compiled[node] = shape
        self._compile_path(shape, one(SH.path))
        shape.min_count, shape.max_count = number(SH.minCount), number(SH.maxCount)
        if (has_value := one(SH.hasValue)) is not None:
            shape.has_value = self._id(has_value)
        shape.unique_lang = one(SH.uniqueLang) == Literal(True)
        shape.less_than_or_equals = tuple(self._id(o) for o in g.objects(node,
                                                                         SH.lessThanOrEquals))
        if (qualified := one(SH.qualifiedValueShape)) is not None:
            shape.qualified = self.compile(qualified)
            shape.qualified_min = number(SH.qualifiedMinCount)
            shape.qualified_max = number(SH.qualifiedMaxCount)
        shape.datatype = str(one(SH.datatype)) if one(SH.datatype) is not None else None
        if (cls := one(SH["class"])) is not None:
            shape.cls = self._id(cls)
        shape.node_kind = one(SH.nodeKind)
        if (members := one(SH["in"])) is not None:
            shape.members = frozenset(m.n3() for m in Collection(g, members))
        if one(SH.pattern) is not None:
            shape.pattern = re.compile(str(one(SH.pattern)))
        shape.min_length, shape.max_length = number(SH.minLength), number(SH.maxLength)
        if (languages := one(SH.languageIn)) is not None:
            shape.languages = tuple(str(x).lower() for x in Collection(g, languages))
        if (any_of := one(SH["or"])) is not None:
            shape.any_of = tuple(self.compile(s) for s in Collection(g, any_of))
        if (negated := one(SH["not"])) is not None:
            shape.negated = self.compile(negated)
        shape.nodes = tuple(self.compile(s) for s in g.objects(node, SH.node))
        shape.properties = tuple(self.compile(s) for s in g.objects(node, SH.property))
        shape.targets = tuple(self._id(c) for c in g.objects(node, SH.targetClass))
        return shape

    def _compile_path(self, shape: Shape, path: Node | None) -> None:
        """sh:path: a property, or a sh:zeroOrMorePath of one."""
        if isinstance(path, URIRef):
            shape.path, shape.has_path = self._id(path), True
        elif path is not None:
            star = self.shapes.value(path, SH.zeroOrMorePath)
            if star is None:  # refused by the support check already
                raise Unsupported(f"path {path}")
            shape.star_path, shape.has_path = self._id(star), True

    # -- helpers

    def instances(self, cls: int) -> set[int]:
        classes, stack = {cls}, [cls]
        while stack:
            for sub in self.subclasses.get(stack.pop(), ()):
                if sub not in classes:
                    classes.add(sub)
                    stack.append(sub)
        out: set[int] = set()
        for c in classes:
            out.update(self.t.subjects(self.rdf_type, c))
        return out

    def is_instance(self, node: int, cls: int) -> bool:
        key = (node, cls)
        if key not in self._instance:
            found, seen = False, set()
            stack = list(self.t.objects(node, self.rdf_type))
            while stack and not found:
                c = stack.pop()
                if c == cls:
                    found = True
                elif c not in seen:
                    seen.add(c)
                    stack.extend(self.t.objects(c, self.sub_class))
            self._instance[key] = found
        return self._instance[key]

    def values(self, focus: int, shape: Shape) -> abc.Collection[int]:
        if shape.path is not None:
            return self.t.objects(focus, shape.path)
        star = shape.star_path
        assert star is not None  # a property shape has a path or a star path
        seen, stack = {focus}, [focus]
        while stack:
            for nxt in self.t.objects(stack.pop(), star):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    # -- conformance

    def conforms(self, node: int, shape: Shape) -> bool:
        key = (node, shape.iri)
        if key not in self._conforms:
            self._conforms[key] = not self._violations(node, shape, report=False)
        return self._conforms[key]

    def _violations(self, focus: int, shape: Shape, report: bool) -> bool:
        """Check ``focus`` against ``shape``; record results if ``report``. True if any."""
        if not shape.has_path:  # node shape: node-level constraints apply to the focus itself
            failed = self._value_fails(focus, shape)
            for prop in shape.properties:
                failed |= self._violations(focus, prop, report)
            return failed
        values = self.values(focus, shape)
        # the failing values, in the order the results are reported (None: the values as a
        # whole fail)
        failures: list[int | None] = [None] * self._count_failures(values, shape)
        failures += self._order_failures(focus, values, shape)
        if self._qualified_fails(values, shape):
            failures.append(None)
        failures += [v for v in sorted(values) if self._value_fails(v, shape)]
        if report:
            path_iri = self.t.term(shape.path)[1:-1] if shape.path is not None else ""
            for value in failures:
                self.results.append(Result(self.t.term(focus), path_iri, shape.iri,
                                           shape.message,
                                           self.t.term(value) if value is not None else ""))
        return bool(failures)

    def _count_failures(self, values: abc.Collection[int], shape: Shape) -> int:
        """How many of sh:minCount, sh:maxCount, sh:hasValue and sh:uniqueLang the values
        fail."""
        failures = 0
        if shape.min_count is not None and len(values) < shape.min_count:
            failures += 1
        if shape.max_count is not None and len(values) > shape.max_count:
            failures += 1
        if shape.has_value is not None and shape.has_value not in values:
            failures += 1
        if shape.unique_lang:
            langs = [parse_literal(self.t.term(v))[1] for v in values if self.t.is_literal(v)]
            langs = [lang for lang in langs if lang]
            if len(langs) != len(set(langs)):
                failures += 1
        return failures

    def _order_failures(self, focus: int, values: abc.Collection[int],
                        shape: Shape) -> list[int]:
        """sh:lessThanOrEquals: a value for each other value it is not at most."""
        failures = []
        for other in shape.less_than_or_equals:
            for v in values:
                for w in self.t.objects(focus, other):
                    a, b = _comparable(self.t.term(v)), _comparable(self.t.term(w))
                    if a is None or b is None or a[0] != b[0] or a[1:] > b[1:]:
                        failures.append(v)
        return failures

    def _qualified_fails(self, values: abc.Collection[int], shape: Shape) -> bool:
        """sh:qualifiedValueShape with its minimum and maximum counts."""
        if shape.qualified is None:
            return False
        matching = sum(1 for v in values if self.conforms(v, shape.qualified))
        return (shape.qualified_min is not None and matching < shape.qualified_min) or (
            shape.qualified_max is not None and matching > shape.qualified_max)

    def _value_fails(self, value: int, shape: Shape) -> bool:
        """Constraints that each value node must meet on its own."""
        term = self.t.term(value)
        is_literal, is_blank = term.startswith('"'), term.startswith("_:")
        if shape.datatype is not None:
            if not is_literal:
                return True
            lex, _, dtype = parse_literal(term)
            if dtype != shape.datatype or not _well_formed(lex, dtype):
                return True
        if shape.cls is not None and (is_literal or not self.is_instance(value, shape.cls)):
            return True
        if shape.node_kind is not None:
            kind = "literal" if is_literal else "blank" if is_blank else "iri"
            if kind not in NODE_KINDS.get(shape.node_kind, ()):
                return True
        if shape.members is not None and term not in shape.members:
            return True
        lexical = parse_literal(term)[0] if is_literal else term[1:-1]
        if shape.pattern is not None and (is_blank or not shape.pattern.search(lexical)):
            return True
        if shape.min_length is not None and (is_blank or len(lexical) < shape.min_length):
            return True
        if shape.max_length is not None and (is_blank or len(lexical) > shape.max_length):
            return True
        if shape.languages is not None:
            lang = parse_literal(term)[1] if is_literal else ""
            if not lang or not any(lang == w or lang.startswith(w + "-")
                                   for w in shape.languages):
                return True
        if shape.any_of and not any(self.conforms(value, s) for s in shape.any_of):
            return True
        if shape.negated is not None and self.conforms(value, shape.negated):
            return True
        return any(not self.conforms(value, node) for node in shape.nodes)

    # -- entry point

    def run(self) -> list[Result]:
        g = self.shapes
        for node in sorted(set(g.subjects(SH.targetClass, None)), key=str):
            if g.value(node, SH.deactivated) == Literal(True):
                continue
            shape = self.compile(node)
            focus_nodes: set[int] = set()
            for cls in shape.targets:
                focus_nodes |= self.instances(cls)
            for focus in sorted(focus_nodes):
                self._violations(focus, shape, report=True)
        return sorted(set(self.results), key=lambda r: (r.focus, r.shape, r.value))


def validate(shapes: Graph, data: Table) -> list[Result]:
    return Validator(shapes, data).run()


class NativeShacl:
    """The native validator as a :class:`~kg.pipeline.engines.base.ShaclEngine`."""

    name = "native"

    def validate(self, shapes: Graph, table: Table,
                 graph: abc.Callable[[], Graph]) -> list[ShaclResult]:
        return validate(shapes, table)
