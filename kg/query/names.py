"""Resolve the names people type (``deepseek``, ``id:deepseek``, a full IRI, a label).

Ids and codes are matched in any case (``EU``, ``Us``). Labels are matched in every
language, with and without what they say in brackets, and so are ``skos:altLabel``s. A
jurisdiction is also found by its ISO 3166 codes and its common English names
(``COUNTRIES``): the table is matched to the build's jurisdictions by their ids and
labels, so ``gb`` and ``Britain`` name whichever jurisdiction the build calls the United
Kingdom. A name that names nothing gets a "did you mean" over ids, labels and those
names; a name that names several things (``Korea``) is never guessed.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from kg.core.errors import UsageError
from kg.core.namespaces import AIG, ID, PREFIXES
from kg.core.terms import INSTANCE_ID, PREFIXED, TERM_ID

# ISO 3166-1 alpha-2, alpha-3 ("-" for none), then common English names, "|" between.
# Names that could mean two countries ("Korea", "Congo") are left out on purpose.
COUNTRIES = """
AE ARE United Arab Emirates|UAE|Emirates
AR ARG Argentina
AT AUT Austria
AU AUS Australia
BD BGD Bangladesh
BE BEL Belgium
BG BGR Bulgaria
BR BRA Brazil
CA CAN Canada
CH CHE Switzerland
CL CHL Chile
CN CHN China|PRC|People's Republic of China|Mainland China
CO COL Colombia
CY CYP Cyprus
CZ CZE Czechia|Czech Republic
DE DEU Germany|Deutschland
DK DNK Denmark
EE EST Estonia
EG EGY Egypt
ES ESP Spain
EU - European Union|EU
FI FIN Finland
FR FRA France
GB GBR United Kingdom|UK|Great Britain|Britain
GR GRC Greece
HK HKG Hong Kong
HR HRV Croatia
HU HUN Hungary
ID IDN Indonesia
IE IRL Ireland
IL ISR Israel
IN IND India
IS ISL Iceland
IT ITA Italy
JP JPN Japan
KE KEN Kenya
KP PRK North Korea|DPRK
KR KOR South Korea|Republic of Korea|ROK
KZ KAZ Kazakhstan
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
MO MAC Macao|Macau
MT MLT Malta
MX MEX Mexico
MY MYS Malaysia
NG NGA Nigeria
NL NLD Netherlands|Holland
NO NOR Norway
NZ NZL New Zealand
PH PHL Philippines
PK PAK Pakistan
PL POL Poland
PT PRT Portugal
QA QAT Qatar
RO ROU Romania
RU RUS Russia|Russian Federation
SA SAU Saudi Arabia
SE SWE Sweden
SG SGP Singapore
SI SVN Slovenia
SK SVK Slovakia
TH THA Thailand
TR TUR Turkey|Türkiye
TW TWN Taiwan
UA UKR Ukraine
US USA United States|United States of America|USA|US|America
VN VNM Vietnam|Viet Nam
ZA ZAF South Africa
"""
JURISDICTION = "Jurisdiction"
_BRACKETS = re.compile(r"\s*[(（]([^)）]*)[)）]\s*")
_WORD = re.compile(r"\w+")


def countries() -> list[list[str]]:
    """Each row of ``COUNTRIES`` as its names: alpha-2, alpha-3 and the common names."""
    rows = []
    for line in COUNTRIES.strip().splitlines():
        alpha2, alpha3, names = line.split(" ", 2)
        rows.append([alpha2, *([alpha3] if alpha3 != "-" else []), *names.split("|")])
    return rows


def forms(label: str) -> set[str]:
    """A label as people may type it: whole, without what it says in brackets, and what it
    says in brackets (``South Korea (Republic of Korea)``)."""
    found = {label.casefold().strip()}
    inside = _BRACKETS.findall(label)
    bare = _BRACKETS.sub(" ", label).strip()
    found.update(text.casefold().strip() for text in [bare, *inside] if text.strip())
    return found


def _names(entry: dict[str, Any]) -> set[str]:
    return {form for label in [*entry["label"].values(), *entry.get("alt", [])]
            for form in forms(label)}


def aliases(candidates: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Codes and common names (casefolded) → the IRI of the jurisdiction among
    ``candidates`` they name; a name that would fit two jurisdictions is left out."""
    places = {iri: entry for iri, entry in candidates.items()
              if JURISDICTION in entry["types"] + entry.get("broader", [])}
    found: dict[str, set[str]] = {}
    for row in countries():
        names = {name.casefold() for name in row}
        matches = {iri for iri, entry in places.items()
                   if entry["id"].casefold() in names or _names(entry) & names}
        for name in names if len(matches) == 1 else ():
            found.setdefault(name, set()).update(matches)
    return {name: next(iter(iris)) for name, iris in found.items() if len(iris) == 1}


def _as_iri(text: str) -> str | None:
    if text.startswith(("http://", "https://")):
        return text
    if PREFIXED.match(text) and text.split(":", 1)[0] in PREFIXES:
        prefix, local = text.split(":", 1)
        return PREFIXES[prefix] + local
    if INSTANCE_ID.match(text):
        return str(ID[text])
    if TERM_ID.match(text):
        return str(AIG[text])
    return None


def _unique(found: list[str]) -> str | None:
    return found[0] if len(set(found)) == 1 else None


def find(text: str, candidates: dict[str, dict[str, Any]]) -> str | None:
    """The one IRI among ``candidates`` that ``text`` names, or None."""
    iri = _as_iri(text)
    if iri and iri in candidates:
        return iri
    lowered = text.casefold()
    by_id = _unique([c for c, e in candidates.items() if e["id"].casefold() == lowered])
    by_label = _unique([c for c, e in candidates.items()
                        if any(lowered == label.casefold() for label in e["label"].values())])
    by_form = _unique([c for c, e in candidates.items() if lowered in _names(e)])
    return by_id or by_label or by_form or aliases(candidates).get(lowered)


def suggestions(text: str, candidates: dict[str, dict[str, Any]], limit: int = 5) -> list[str]:
    """Ids of the candidates ``text`` may have meant: names it is a whole word of, close
    ids, then close labels and common names."""
    lowered = text.casefold()
    words = set(_WORD.findall(lowered))
    named: dict[str, set[str]] = {}  # a name (casefolded) → the ids it is a name of
    for entry in candidates.values():
        for name in _names(entry):
            named.setdefault(name, set()).add(entry["id"])
    for name, iri in aliases(candidates).items():
        named.setdefault(name, set()).add(candidates[iri]["id"])
    ids = {entry["id"].casefold(): entry["id"] for entry in candidates.values()}
    close: list[str] = []
    if words:
        close += sorted(i for name, found in named.items()
                        if words <= set(_WORD.findall(name)) for i in found)
    close += [ids[m] for m in difflib.get_close_matches(lowered, list(ids), n=4, cutoff=0.6)]
    close += [i for m in difflib.get_close_matches(lowered, list(named), n=3, cutoff=0.7)
              for i in sorted(named[m])]
    return list(dict.fromkeys(close))[:limit]


def resolve(text: str, index: dict[str, dict[str, Any]], kind: str, option: str,
            types: tuple[str, ...] = ()) -> str:
    """The IRI ``text`` names among index entries of the given types; else a UsageError
    that suggests close matches."""
    candidates = {iri: entry for iri, entry in index.items()
                  if not types or set(entry["types"] + entry.get("broader", [])) & set(types)
                  or entry["id"] in types}
    text = text.strip()
    found = find(text, candidates)
    if found is not None:
        return found
    close = suggestions(text, candidates)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(f"{option}: unknown {kind} '{text}'{hint}")
