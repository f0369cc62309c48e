"""Resolve the names people type (``deepseek``, ``id:deepseek``, a full IRI, a label)."""

from __future__ import annotations

import difflib
from typing import Any

from kg.core.errors import UsageError
from kg.core.namespaces import AIG, ID, PREFIXES
from kg.core.terms import INSTANCE_ID, PREFIXED, TERM_ID


def resolve(text: str, index: dict[str, dict[str, Any]], kind: str, option: str,
            types: tuple[str, ...] = ()) -> str:
    """The IRI ``text`` names among index entries of the given types; else a UsageError
    that suggests close matches."""
    candidates = {iri: entry for iri, entry in index.items()
                  if not types or set(entry["types"] + entry.get("broader", [])) & set(types)
                  or entry["id"] in types}
    text = text.strip()
    iri = None
    if text.startswith(("http://", "https://")):
        iri = text
    elif PREFIXED.match(text) and text.split(":", 1)[0] in PREFIXES:
        prefix, local = text.split(":", 1)
        iri = PREFIXES[prefix] + local
    elif INSTANCE_ID.match(text):
        iri = str(ID[text])
    elif TERM_ID.match(text):
        iri = str(AIG[text])
    if iri and iri in candidates:
        return iri
    lowered = text.casefold()
    for candidate, entry in candidates.items():
        if any(lowered == label.casefold() for label in entry["label"].values()):
            return candidate
    names = {entry["id"]: candidate for candidate, entry in candidates.items()}
    labels = {label: candidate for candidate, entry in candidates.items()
              for label in entry["label"].values()}
    close = difflib.get_close_matches(text, list(names), n=4, cutoff=0.5)
    close += [index[labels[m]]["id"] for m in difflib.get_close_matches(text, list(labels), n=3,
                                                                         cutoff=0.5)]
    close = list(dict.fromkeys(close))[:5]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(f"{option}: unknown {kind} '{text}'{hint}")
