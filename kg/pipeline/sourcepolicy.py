"""Source policy: which tier a cited URL belongs to, read from ``ontology/source-policy.ttl``.

The policy is data (domain → tier, plus a few URL patterns); this module only matches a
URL against it, for what people read: the tier marks in ``kg explain``, the screening
report, the HTML tooltips and the shares in ``kg stats``. The QC queries in
``ontology/qc/`` apply the same entries in SPARQL, so a build fails on a deny-tier source
whatever reads it afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS
from rdflib.term import IdentifiedNode

from kg.core.namespaces import AIG
from kg.core.table import Table

OFFICIAL, REPUTABLE, UNOFFICIAL_COPY, DENY, UNCLASSIFIED = (
    "official", "reputable", "unofficial copy", "deny", "unclassified")
OFFICIAL_TEXT = "official text"  # the mark of a record's own official text
TIERS = {
    AIG.OfficialTier: OFFICIAL,
    AIG.ReputableTier: REPUTABLE,
    AIG.UnofficialCopyTier: UNOFFICIAL_COPY,
    AIG.DenyTier: DENY,
}
# how each tier is marked beside a source, in the reader's language
TIER_MARKS = {
    "en": {OFFICIAL_TEXT: "official text", OFFICIAL: "official", REPUTABLE: "reputable",
           UNOFFICIAL_COPY: "unofficial copy", DENY: "DENY", UNCLASSIFIED: "unclassified",
           "citation": "citation"},
    "zh": {OFFICIAL_TEXT: "官方文本", OFFICIAL: "官方", REPUTABLE: "可信",
           UNOFFICIAL_COPY: "非官方副本", DENY: "禁止引用", UNCLASSIFIED: "未分级",
           "citation": "文献引用"},
}


def mark_words(mark: str | None, lang: str = "en") -> str:
    """How a source's mark (official text, or its tier) reads in ``lang``; "" for none."""
    return TIER_MARKS.get(lang, TIER_MARKS["en"]).get(mark or "", "")


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without ``www.``, or "" when it has none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


_GROUP = re.compile(r"\$\{(\d+)\}|\$(\d+)")


def _fill(template: str, match: re.Match[str]) -> str:
    """``template`` with ``${n}`` (or ``$n``) replaced by the identifier's group n."""
    return _GROUP.sub(lambda m: match.group(int(m.group(1) or m.group(2))) or "", template)


@dataclass(frozen=True)
class IdentifierPattern:
    """A public scheme that gives an official text's address from its legal reference."""

    label: str
    iri: str
    identifier: re.Pattern[str]
    link_host: re.Pattern[str]
    link_template: str
    link_regex_template: str = ""  # what a link of the scheme for this identifier matches

    def link(self, identifier: str) -> str | None:
        """The canonical official-text link for ``identifier``, if it follows the scheme."""
        match = self.identifier.match(identifier)
        if match is None:
            return None
        return _fill(self.link_template, match)

    def agrees(self, identifier: str, url: str) -> bool:
        """Whether ``url`` (a link of this scheme) names the act ``identifier`` names."""
        match = self.identifier.search(identifier)
        if match is None or not self.link_regex_template:
            return False
        return re.search(_fill(self.link_regex_template, match), url) is not None


@dataclass
class SourcePolicy:
    domains: dict[str, str] = field(default_factory=dict)  # host suffix -> tier
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    identifier_patterns: list[IdentifierPattern] = field(default_factory=list)

    @classmethod
    def from_graph(cls, graph: Graph) -> SourcePolicy:
        policy = cls()
        for entry, tier_iri in sorted(graph.subject_objects(AIG.sourceTier)):
            tier = TIERS.get(tier_iri) if isinstance(tier_iri, URIRef) else None
            if tier is None:
                continue
            for name in graph.objects(entry, AIG.domainName):
                policy.domains[str(name).lower()] = tier
            for pattern in graph.objects(entry, AIG.urlPattern):
                policy.patterns.append((re.compile(str(pattern)), tier))
        # a subject is an IRI or a blank node: the isinstance test only tells the type
        # checker so (and that the entries can be sorted)
        for entry in sorted(s for s in graph.subjects(AIG.identifierRegex, None)
                            if isinstance(s, IdentifiedNode)):
            regex, host = graph.value(entry, AIG.identifierRegex), graph.value(entry,
                                                                                AIG.linkHostRegex)
            template = graph.value(entry, AIG.linkTemplate)
            link_regex = graph.value(entry, AIG.linkRegexTemplate)
            if regex is None or host is None or template is None:
                continue
            label = str(graph.value(entry, RDFS.label) or entry)
            policy.identifier_patterns.append(IdentifierPattern(
                label, str(entry), re.compile(str(regex)), re.compile(str(host)), str(template),
                str(link_regex or "")))
        return policy

    def official_links(self, identifier: str) -> list[tuple[IdentifierPattern, str]]:
        """Each scheme ``identifier`` follows, with the link it gives."""
        found = []
        for pattern in self.identifier_patterns:
            link = pattern.link(identifier)
            if link:
                found.append((pattern, link))
        return found

    def tier(self, source: str) -> str:
        """The tier of a cited source: a URL's by its most specific host entry (any deny
        match wins), ``citation`` for a plain citation, ``unclassified`` otherwise."""
        if not source.startswith(("http://", "https://")):
            return "citation"
        return self._tier_of_url(source)

    def _tier_of_url(self, url: str) -> str:
        by_pattern = [tier for pattern, tier in self.patterns if pattern.search(url)]
        if DENY in by_pattern:
            return DENY
        by_host = self._tier_of_host(host_of(url))
        return by_host if by_host == DENY else (
            (by_pattern[0] if by_pattern else "") or by_host or UNCLASSIFIED)

    @lru_cache(maxsize=65536)  # noqa: B019 — a policy lives as long as the process
    def _tier_of_host(self, host: str) -> str:
        """The most specific entry covering ``host`` (any deny entry wins), or ""."""
        labels = host.split(".") if host else []
        found = ""
        for start in range(len(labels)):
            tier = self.domains.get(".".join(labels[start:]))
            if tier == DENY:
                return DENY
            if tier and not found:
                found = tier
        return found

    def __hash__(self) -> int:  # for the cache: one policy object, compared by identity
        return id(self)


TIER_IRIS = {name: str(iri) for iri, name in TIERS.items()}
CITING = (DCTERMS.source, AIG.officialText, AIG.statusSource)


def cited_tiers(table: Table, policy: SourcePolicy) -> Iterator[tuple[str, str]]:
    """(URL, tier IRI) for every URL cited as evidence, official text or status source
    that the policy classifies, once each: the facts the source-policy QC queries read."""
    seen: set[int] = set()
    for prop in CITING:
        for _record, value in table.pairs(table.iri_id(str(prop))):
            if value in seen:
                continue
            seen.add(value)
            term = table.term(value)
            if not term.startswith("<"):
                continue
            tier = TIER_IRIS.get(policy.tier(term[1:-1]))
            if tier:
                yield term[1:-1], tier


@dataclass(frozen=True)
class SchemeMatch:
    """A record whose ``dcterms:identifier`` follows a public official-text scheme: the
    canonical link, and its officialText links (and its parent's) of that scheme, with
    those that name the same act. The QC queries on official-text links read these facts
    (in the QC store only): testing every identifier against every pattern in SPARQL took
    seconds, since each regular expression was compiled again for every row."""

    record: str
    identifier: str
    scheme: IdentifierPattern
    canonical: str
    links: tuple[str, ...]
    agreeing: tuple[str, ...]
    parent_links: tuple[str, ...]


def scheme_matches(table: Table, policy: SourcePolicy) -> Iterator[SchemeMatch]:
    from kg.core.terms import parse_literal

    def links(record: int) -> list[str]:
        return [table.term(v)[1:-1] for v in table.objects(record, official)
                if table.term(v).startswith("<")]

    official = table.iri_id(str(AIG.officialText))
    part_of = table.iri_id(str(AIG.partOf))
    for record, value in table.pairs(table.iri_id(str(DCTERMS.identifier))):
        subject, term = table.term(record), table.term(value)
        if not subject.startswith("<") or not term.startswith('"'):
            continue
        identifier = parse_literal(term)[0]
        own = links(record)
        parents = [url for parent in table.objects(record, part_of) for url in links(parent)]
        for scheme in policy.identifier_patterns:
            canonical = scheme.link(identifier) if scheme.identifier.search(identifier) else None
            if not canonical:
                continue
            of_scheme = tuple(url for url in own if scheme.link_host.search(url))
            yield SchemeMatch(subject[1:-1], identifier, scheme, canonical, of_scheme,
                              tuple(url for url in own if scheme.agrees(identifier, url)),
                              tuple(url for url in parents if scheme.link_host.search(url)))
