"""RDF terms as case files and queries write them: ids, IRIs, language tags, literals."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import SplitResult, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.core.namespaces import ID

INSTANCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_ID = re.compile(r"^[A-Z][A-Za-z0-9]*$")
PROPERTY_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")
PREFIXED = re.compile(r"^([a-z][a-z0-9]*):([A-Za-z_][A-Za-z0-9_.-]*)$")
LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LITERAL = re.compile(r'^"(.*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$', re.S)
ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
           "\\": "\\"}


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        code = text[i + 1]
        if code in ESCAPES:
            out.append(ESCAPES[code])
            i += 2
        elif code == "u":
            out.append(chr(int(text[i + 2:i + 6], 16)))
            i += 6
        elif code == "U":
            out.append(chr(int(text[i + 2:i + 10], 16)))
            i += 10
        else:
            out.append(char)
            i += 1
    return "".join(out)


@cache
def parse_literal(term: str) -> tuple[str, str, str]:
    """(lexical form, language, datatype IRI) of an N-Triples literal."""
    match = LITERAL.match(term)
    if not match:
        return term, "", ""
    lexical, lang, datatype = match.groups()
    if lang:
        return unescape(lexical), lang.lower(), str(RDF.langString)
    return unescape(lexical), "", datatype or str(XSD.string)

def short_local(iri: str) -> str:
    """``acme-lab`` for an id IRI, the IRI itself otherwise (for findings)."""
    return iri[len(str(ID)):] if iri.startswith(str(ID)) else iri


def valid_iri(text: str) -> bool:
    """Whether Oxigraph takes ``text`` as an absolute IRI: checked before any store sees it
    (a store refusing it later is an internal error)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def split_iri(iri: str) -> SplitResult | None:
    """The parts of ``iri`` if it is an IRI Oxigraph takes (:func:`valid_iri`), else None."""
    if not valid_iri(iri):
        return None
    try:
        return urlsplit(iri)
    except ValueError:  # Python's own URL parser is stricter about some hosts
        return None


_LANGUAGES: dict[str, bool] = {}


def valid_language(tag: str) -> bool:
    """Whether Oxigraph takes ``tag`` as a language tag (BCP 47), as :func:`valid_iri`."""
    known = _LANGUAGES.get(tag)
    if known is None:
        import pyoxigraph as ox

        try:
            ox.Literal("", language=tag)
            known = True
        except ValueError:
            known = False
        _LANGUAGES[tag] = known
    return known


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))
