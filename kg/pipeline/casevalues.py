"""How one value of a case file is read: text in each language, a date, a URL, an id, an
ontology term or a prefixed name — each checked, with a finding naming the file, line,
record and key when it cannot be read. :class:`~kg.pipeline.caseloader.CaseLoader` uses it
for every key of every record."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.core.errors import Finding
from kg.core.namespaces import AIG, ID, PREFIXES
from kg.core.reader import Scalar, YList, YMap, YValue
from kg.core.terms import (
    INSTANCE_ID,
    ISO_DATE,
    LANG_TAG,
    PREFIXED,
    PROPERTY_ID,
    SCHEME,
    TERM_ID,
    split_iri,
    valid_language,
)
from kg.core.textsafe import file_name
from kg.pipeline import casevocab
from kg.pipeline.casevocab import PropertyInfo, Vocabulary

if TYPE_CHECKING:
    from kg.pipeline.caseloader import Location
    from kg.pipeline.load import LoadedKG


class ValueReader:
    """The value side of the case loader: what it needs from the loader is declared here."""

    vocab: Vocabulary
    kg: LoadedKG
    findings: list[Finding]
    instance_ids: dict[str, Location]
    term_ids: dict[str, Location]
    ontology_terms: frozenset[URIRef]
    case_vocabulary: casevocab.CaseVocabulary
    _term_name_cache: tuple[int, set[str]]

    def _scalars(self, node: YValue, display: str, subject: str) -> list[Scalar]:
        items = node.items if isinstance(node, YList) else [node]
        out = []
        for item in items:
            if isinstance(item, Scalar) and item.value.strip():
                out.append(item)
            else:
                self.findings.append(Finding(display, item.line, subject, "bad-value",
                                             "expected a value (text, id or date) here",
                                             "remove the empty or nested entry"))
        return out

    def _text(self, node: YValue, display: str, subject: str) -> list[Literal]:
        if isinstance(node, YMap):
            out = []
            for lang, (line, value) in node.items.items():
                if not LANG_TAG.match(lang) or not valid_language(lang):
                    self.findings.append(Finding(display, line, subject, "bad-language",
                                                 f"'{lang}' is not a language tag",
                                                 "use `en:` and `zh:`"))
                    continue
                for item in self._scalars(value, display, subject):
                    out.append(Literal(item.value.strip(), lang=lang))
            return out
        return [Literal(item.value.strip(), lang="en")
                for item in self._scalars(node, display, subject)]

    def _value(self, info: PropertyInfo, item: Scalar, display: str, subject: str,
               key: str) -> URIRef | Literal | None:
        text = item.value.strip()
        kind = info.kind

        def fail(message: str, hint: str = "") -> None:
            self.findings.append(Finding(display, item.line, subject, f"bad-{kind}",
                                         f"{key}: {message}", hint))

        if kind == "date":
            if not ISO_DATE.match(text):
                fail(f"'{text}' is not a date", "write dates as YYYY-MM-DD")
                return None
            try:
                dt.date.fromisoformat(text)
            except ValueError as exc:
                fail(f"'{text}' is not a real date ({exc})", "check the day and month")
                return None
            return Literal(text, datatype=XSD.date)
        if kind == "year":
            if not re.match(r"^\d{4}$", text):
                fail(f"'{text}' is not a year", "write the year as YYYY, e.g. 2023")
                return None
            return Literal(text, datatype=XSD.gYear)
        if kind == "boolean":
            if text not in ("true", "false"):
                fail(f"'{text}' is not true or false")
                return None
            return Literal(text, datatype=XSD.boolean)
        if kind == "integer":
            if not re.match(r"^-?\d+$", text):
                fail(f"'{text}' is not an integer")
                return None
            return Literal(text, datatype=XSD.integer)
        if kind == "decimal":
            if not re.match(r"^-?\d+(\.\d+)?$", text):
                fail(f"'{text}' is not a number")
                return None
            return Literal(text, datatype=XSD.decimal)
        if kind == "string":
            return Literal(text)
        if kind == "source":
            return self._source(text, fail)
        return self._resolve(text, display, item.line, subject, key, terms_only=kind == "term")

    def _source(self, text: str, fail: Callable[[str, str], None]) -> URIRef | Literal | None:
        scheme = SCHEME.match(text)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            fail(f"'{text[:60]}' uses the '{scheme.group(1)}:' scheme",
                 "a source is an http(s) URL or a plain citation")
            return None
        if scheme:
            parts = split_iri(text)
            if parts is None or not parts.netloc or any(c in text for c in ' <>"{}|\\^`'):
                fail(f"'{file_name(text[:80])}' is not a well-formed URL",
                     "percent-encode spaces and other characters an IRI cannot hold")
                return None
            return URIRef(text)
        return Literal(text)

    def _term_names(self) -> set[str]:
        """The local names of the ontology's terms (and of the classes case files added so
        far), remade only when a case file adds a term, not for every value."""
        if self._term_name_cache[0] != len(self.vocab.terms):
            names = {str(t)[len(str(AIG)):] for t in self.vocab.terms}
            self._term_name_cache = (len(self.vocab.terms), names)
        return self._term_name_cache[1]

    def _resolve(self, text: str, display: str, line: int, subject: str, key: str,
                 terms_only: bool = False) -> URIRef | None:
        def fail(message: str, pool: Iterable[str], listed: bool = False,
                 otherwise: str = "") -> None:
            names = sorted(pool)
            close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}?" if close else (
                f"{key} takes one of {', '.join(names)}" if listed and names else otherwise)
            self.findings.append(Finding(display, line, subject, "unknown-reference",
                                         f"{key}: {message}", hint))

        if text.startswith("<") and text.endswith(">"):
            iri = text[1:-1]
            parts = split_iri(iri)
            if parts is None or not parts.scheme or any(c in iri for c in ' <>"{}|\\^`'):
                fail(f"'{file_name(text)}' is not a valid IRI", [])
                return None
            return self._not_schema(URIRef(iri), text, display, line, subject, key)
        prefixed = PREFIXED.match(text)
        if prefixed:
            ns = PREFIXES.get(prefixed.group(1))
            if ns is None:
                fail(f"unknown prefix '{prefixed.group(1)}'", [f"{p}:" for p in PREFIXES])
                return None
            return self._not_schema(URIRef(ns + prefixed.group(2)), text, display, line,
                                    subject, key)
        term_names = self._term_names()
        if terms_only or TERM_ID.match(text) or (PROPERTY_ID.match(text) and text in term_names
                                                 and text not in self.instance_ids):
            if text in term_names:
                return AIG[text]
            allowed = self._allowed_values(key)
            pool = allowed or {n for n in term_names
                               if TERM_ID.match(n) or not TERM_ID.match(text)}
            fail(f"unknown ontology term '{text}'", pool,
                 listed=bool(allowed) and len(allowed) <= 16,
                 otherwise="see docs/data-dictionary.md for the ontology's terms")
            return None
        if INSTANCE_ID.match(text):
            if text in self.instance_ids:
                return ID[text]
            fail(f"unknown id '{text}'", self.instance_ids)
            return None
        fail(f"'{text}' is neither an id, an ontology term nor an IRI", [])
        return None

    def _not_schema(self, iri: URIRef, text: str, display: str, line: int, subject: str,
                    key: str) -> URIRef | None:
        """``iri``, unless it is a term of the OWL, RDFS or RDF vocabulary (a finding)."""
        if not str(iri).startswith(casevocab.SCHEMA_NAMESPACES):
            return iri
        self.findings.append(Finding(display, line, subject, "schema-in-case",
                                     f"{key}: '{text}' names the OWL/RDFS vocabulary itself",
                                     casevocab.ONTOLOGY_HINT))
        return None

    def _allowed_values(self, key: str) -> set[str]:
        """The ontology's individuals of the declared range of property ``key`` (the status
        values for `status`), for a hint that lists what the key takes."""
        info = self.vocab.properties.get(key)
        ontology = self.kg.ontology
        rng = ontology.value(info.iri, RDFS.range) if info else None
        if rng is None:
            return set()
        return {str(s)[len(str(AIG)):] for s in ontology.subjects(RDF.type, rng)
                if isinstance(s, URIRef) and str(s).startswith(str(AIG))}

    def _resolve_class(self, item: Scalar, display: str, subject: str,
                       is_term: bool = False) -> URIRef | None:
        text = item.value.strip()
        prefixed = PREFIXED.match(text)
        if prefixed and prefixed.group(1) in PREFIXES:
            iri = URIRef(PREFIXES[prefixed.group(1)] + prefixed.group(2))
            if iri == OWL.Class and is_term:
                return iri
            problem = casevocab.class_problem(iri, self.vocab.classes, is_term)
            if problem:
                self.findings.append(Finding(display, item.line, subject, problem[0],
                                             f"a: '{text}' {problem[1]}", problem[2]))
                return None
            return iri
        if TERM_ID.match(text) and AIG[text] in self.vocab.classes:
            return AIG[text]
        names = [str(c)[len(str(AIG)):] for c in self.vocab.classes if str(c).startswith(str(AIG))]
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        self.findings.append(Finding(display, item.line, subject, "unknown-class",
                                     f"a: '{text}' is not a class of the ontology",
                                     f"did you mean {', '.join(close)}?" if close else
                                     "see docs/data-dictionary.md for the classes"))
        return None

