"""The reference SHACL engine: pySHACL, without inference, its report read into
:class:`~kg.pipeline.engines.base.ShaclResult` values. Slow on large graphs, complete."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.core.namespaces import SH
from kg.core.table import Table
from kg.pipeline.engines.base import ShaclResult


class PyShacl:
    name = "pyshacl"

    def validate(self, shapes: Graph, table: Table,
                 graph: Callable[[], Graph]) -> list[ShaclResult]:
        import pyshacl

        conforms, results, _ = pyshacl.validate(
            graph(), shacl_graph=shapes, inference="none", abort_on_first=False,
            allow_warnings=True, advanced=True,
        )
        if conforms:
            return []
        out = []
        for result in results.subjects(RDF.type, SH.ValidationResult):
            focus = results.value(result, SH.focusNode)
            path = results.value(result, SH.resultPath)
            message = results.value(result, SH.resultMessage)
            shape = results.value(result, SH.sourceShape)
            value = results.value(result, SH.value)
            out.append(ShaclResult(focus.n3(), str(path) if isinstance(path, URIRef) else "",
                                   str(shape), str(message or ""),
                                   value.n3() if value is not None else ""))
        return sorted(set(out), key=lambda r: (r.focus, r.shape, r.value))
