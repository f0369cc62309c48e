"""Precedents: measures already taken against other actors for the same kind of activity in
the same market, through the named query ``precedents`` (kg/query/named/precedents.rq).

A precedent is not an exposure: nothing says the screened company will meet the same
measure. It shows a compliance team what was done to a similarly placed company — the
Garante's order against a chatbot offered in Italy, the PIPC's suspension in Korea.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import AIG, ID, short_name


@dataclass(frozen=True)
class Precedent:
    measure: str
    label: str
    type: str
    actor: str
    actor_label: str
    jurisdiction: str
    status: str
    issued_on: str
    ended_on: str
    confirmed_on: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def dates(self) -> str:
        ended = f"–{self.ended_on}" if self.ended_on else ""
        confirmed = (f", status confirmed {self.confirmed_on}"
                     if self.confirmed_on and not self.ended_on else "")
        return f"{self.issued_on}{ended} ({self.status}{confirmed})"


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    if term is None:
        return ""
    return short_name(term.value) if isinstance(term, ox.NamedNode) else term.value


def find(store: ox.Store, wanted: Iterable[tuple[str, str]], other_than: str | None = None
         ) -> dict[tuple[str, str], list[Precedent]]:
    """Precedents for each (activity type, jurisdiction id) pair, leaving ``other_than``
    (an actor id) out; pairs with none map to an empty list."""
    from kg.query.library import load_library
    from kg.query.run import run_embedded

    query = load_library()["precedents"]
    out: dict[tuple[str, str], list[Precedent]] = {}
    for activity, jurisdiction in sorted(set(wanted)):
        bindings: dict[str, Any] = {"activity": ox.NamedNode(str(AIG) + activity),
                                    "jurisdiction": ox.NamedNode(str(ID) + jurisdiction),
                                    "other_than": ox.NamedNode(str(ID) + (other_than or
                                                                          "nobody"))}
        result = run_embedded(store, query.text, bindings)
        column = {name: index for index, name in enumerate(result.variables)}
        found = []
        for row in result.rows:
            get = {name: _text(row[index]) for name, index in column.items()}
            found.append(Precedent(get["measure"], get["label"] or get["measure"], get["type"],
                                   get["actor"], get["actorLabel"] or get["actor"],
                                   get["measureJurisdiction"], get["status"], get["issuedOn"],
                                   get["endedOn"], get["statusConfirmedOn"]))
        out[(activity, jurisdiction)] = found
    return out
