"""Read a company profile (docs/screening.md) into a :class:`~kg.cases.profile.Profile`,
with file and line for every problem, and check its names and acts."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import TYPE_CHECKING, Any, TypedDict

from kg.core.errors import Finding, ValidationFailed

if TYPE_CHECKING:
    pass
from kg.cases.profile import (
    DOINGS,
    KEYS,
    PRODUCT_KINDS,
    SUPPLIES,
    WORLDWIDE,
    WORLDWIDE_DOINGS,
    Act,
    Party,
    Product,
    Profile,
    Value,
    products_for,
    slug,
)
from kg.core.reader import Scalar, YList, YMap, YValue
from kg.core.terms import INSTANCE_ID, ISO_DATE


class _Reader:
    """Reads profile nodes into the dataclasses above, collecting findings with lines."""

    def __init__(self, display: str):
        self.display = display
        self.findings: list[Finding] = []

    def fail(self, line: int, rule: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(self.display, line, "", rule, message, hint))

    def mapping(self, node: YValue | None, where: str, keys: str) -> YMap | None:
        if node is None:
            return None
        if not isinstance(node, YMap):
            self.fail(node.line, "profile-shape", f"{where}: expected a mapping of keys",
                      f"keys: {', '.join(KEYS[keys])}")
            return None
        for key, (line, _value) in node.items.items():
            if key not in KEYS[keys]:
                close = difflib.get_close_matches(key, KEYS[keys], n=2, cutoff=0.6)
                self.fail(line, "profile-unknown-key", f"{where}: unknown key '{key}'",
                          f"did you mean {', '.join(close)}?" if close else
                          f"keys here: {', '.join(KEYS[keys])}")
        return node

    def items(self, node: YValue | None) -> list[YValue]:
        if node is None or (isinstance(node, Scalar) and not node.value.strip()):
            return []
        return node.items if isinstance(node, YList) else [node]

    def text(self, node: YValue | None, where: str) -> Value | None:
        if node is None:
            return None
        if not isinstance(node, Scalar) or not node.value.strip():
            self.fail(node.line, "profile-value", f"{where}: expected a text value")
            return None
        return Value(node.value.strip(), node.line)

    def required(self, node: YMap, key: str, where: str, hint: str) -> Value | None:
        if key not in node.items:
            self.fail(node.line, "profile-missing", f"{where}: missing `{key}`", hint)
            return None
        return self.text(node.get(key), f"{where}.{key}")

    def jurisdiction(self, node: YValue | None, where: str) -> Value | None:
        value = self.text(node, where)
        if value is None:
            return None
        lowered = Value(value.text.lower(), value.line)
        if not INSTANCE_ID.match(lowered.text):
            self.fail(value.line, "profile-jurisdiction",
                      f"{where}: '{value.text}' is not a jurisdiction id",
                      "use the graph's ids, e.g. cn, de, eu, us (kg exposures --jurisdiction "
                      "takes the same)")
            return None
        return lowered

    def date(self, node: YValue | None, where: str) -> Value | None:
        value = self.text(node, where)
        if value is None:
            return None
        try:
            if not ISO_DATE.match(value.text):
                raise ValueError("write dates as YYYY-MM-DD")
            dt.date.fromisoformat(value.text)
        except ValueError as exc:
            self.fail(value.line, "profile-date", f"{where}: '{value.text}' is not a date",
                      str(exc) if "YYYY" in str(exc) else f"{exc}; write dates as YYYY-MM-DD")
            return None
        return value

    def choice(self, node: YValue | None, where: str, table: dict[str, Any],
               what: tuple[str, str]) -> Value | None:
        value = self.text(node, where)
        if value is None:
            return None
        if value.text not in table:
            close = difflib.get_close_matches(value.text, list(table), n=3, cutoff=0.5)
            self.fail(value.line, "profile-unknown-word", f"{where}: unknown {what[0]} "
                      f"'{value.text}'", (f"did you mean {', '.join(close)}? " if close else "")
                      + f"{what[1]}: {', '.join(table)}")
            return None
        return value

    def party(self, node: YValue, where: str) -> Party | None:
        if isinstance(node, YMap):
            self.mapping(node, where, "party")
            name = self.required(node, "name", where, "the company's name")
            hq = self.jurisdiction(node.get("headquartered"), f"{where}.headquartered")
            return Party(name, hq) if name else None
        name = self.text(node, where)
        return Party(name) if name else None


def check_size(root: YValue | None, display: str, max_components: int, max_markets: int
               ) -> None:
    """Refuse a profile that lists more products, components and suppliers (investors
    included) than ``max_components``, or more market entries (each activity in a market,
    each capital or data-transfer entry) than ``max_markets``, before anything is built
    from it: each becomes records to check and reason with the whole graph."""
    from kg.core.budget import BudgetExceeded

    if not isinstance(root, YMap):
        return

    def items(node: YValue | None) -> list[YValue]:
        return node.items if isinstance(node, YList) else [] if node is None else [node]

    def entries(node: YValue | None, key: str) -> list[YValue]:
        return [v for item in items(node) if isinstance(item, YMap)
                for v in items(item.get(key))]

    builds = items(root.get("builds"))
    parts = [*builds, *entries(root.get("builds"), "components"),
             *entries(root.get("builds"), "training-data-from"),
             *entries(root.get("builds"), "software-from"),
             *entries(root.get("raises-capital"), "investors")]
    markets = [*entries(root.get("markets"), "does"),
               *items(root.get("publishes-open-weights-in")),
               *items(root.get("raises-capital")), *items(root.get("transfers-data"))]
    for found, limit, what, option in (
            (parts, max_components, "products, components, suppliers and investors",
             "--max-components"),
            (markets, max_markets, "market entries (activities in markets, capital raised, "
             "data transferred)", "--max-markets")):
        if len(found) > limit:
            line = found[limit].line
            raise BudgetExceeded(f"{display}:{line}: the profile lists {len(found):,} {what}, "
                                 f"over the limit of {limit:,} (raise it with {option})")


def read_profile(root: YValue | None, display: str) -> Profile:
    """The profile in ``root``; every problem raised at once as ValidationFailed."""
    reader = _Reader(display)
    if root is None:
        reader.fail(1, "profile-shape", "the profile is empty",
                    "start with `company: {name: ..., headquartered: ...}`")
        raise ValidationFailed(reader.findings)
    top = reader.mapping(root, "profile", "profile")
    if top is None:
        raise ValidationFailed(reader.findings)
    profile = _company(reader, top)
    profile.products = [p for p in (_product(reader, node, f"builds[{i}]") for i, node
                                    in enumerate(reader.items(top.get("builds")))) if p]
    profile.acts = _acts(reader, top)
    _check_names(reader, profile)
    _check_acts(reader, profile)
    if not profile.acts and not reader.findings:
        reader.fail(top.line, "profile-empty", "the profile lists nothing the company does "
                    "abroad, so there is nothing to screen",
                    "add `markets`, `publishes-open-weights-in`, `raises-capital` or "
                    "`transfers-data`")
    if reader.findings:
        raise ValidationFailed(sorted(set(reader.findings)))
    return profile


def _company(reader: _Reader, top: YMap) -> Profile:
    """The company's part of the profile (empty values where missing, with a finding)."""
    missing = Value("", 0)
    node = reader.mapping(top.get("company"), "company", "company")
    if node is None:
        if "company" not in top.items:
            reader.fail(top.line, "profile-missing", "missing `company`",
                        "company: {name: \"Acme Robotics\", headquartered: cn}")
        return Profile(missing, missing)
    name = reader.required(node, "name", "company", "the company's name, e.g. "
                           "name: \"Acme Robotics\"")
    hq = None
    if "headquartered" in node.items:
        hq = reader.jurisdiction(node.get("headquartered"), "company.headquartered")
        if hq and hq.text == WORLDWIDE:
            reader.fail(hq.line, "profile-jurisdiction", "company.headquartered: a company "
                        "is headquartered in one jurisdiction, not worldwide",
                        "the jurisdiction it acts from, e.g. headquartered: cn")
            hq = None
    else:
        reader.fail(node.line, "profile-missing", "company: missing `headquartered`",
                    "the jurisdiction the company acts from, e.g. headquartered: cn")
    founded = node.get("founded")
    if isinstance(founded, Scalar) and re.fullmatch(r"\d{4}", founded.value.strip()):
        founded_value: Value | None = Value(founded.value.strip(), founded.line)
    else:
        founded_value = reader.date(founded, "company.founded")
    return Profile(name or missing, hq or missing,
                   reader.text(node.get("name-zh"), "company.name-zh"), founded=founded_value)


def _product(reader: _Reader, node: YValue, where: str) -> Product | None:
    entry = reader.mapping(node, where, "builds")
    if entry is None:
        return None
    kind = reader.choice(entry.get("kind"), f"{where}.kind", PRODUCT_KINDS, ("kind", "kinds"))
    if "kind" not in entry.items:
        reader.fail(entry.line, "profile-missing", f"{where}: missing `kind`",
                    f"kinds: {', '.join(PRODUCT_KINDS)}")
    name = reader.required(entry, "name", where, "the product's name")
    if not (kind and name):
        return None
    product = Product(kind.text, name, reader.text(entry.get("name-zh"), f"{where}.name-zh"),
                      reader.text(entry.get("based-on"), f"{where}.based-on"))
    for i, item in enumerate(reader.items(entry.get("components"))):
        part = reader.mapping(item, f"{where}.components[{i}]", "components")
        if part is None:
            continue
        cname = reader.required(part, "name", f"{where}.components[{i}]", "the part's name")
        supplier_node = part.get("supplier")
        if supplier_node is None:
            reader.fail(part.line, "profile-missing", f"{where}.components[{i}]: missing "
                        "`supplier`", "the company that makes the part")
            continue
        supplier = reader.party(supplier_node, f"{where}.components[{i}].supplier")
        if cname and supplier:
            product.components.append((cname, supplier))
    for key in ("training-data-from", "software-from"):
        for item in reader.items(entry.get(key)):
            supplier = reader.party(item, f"{where}.{key}")
            if supplier:
                product.suppliers.append((SUPPLIES[key], supplier))
    return product


def _acts(reader: _Reader, top: YMap) -> list[Act]:
    acts: list[Act] = []
    for i, node in enumerate(reader.items(top.get("markets"))):
        acts += _market(reader, node, f"markets[{i}]")
    for item in reader.items(top.get("publishes-open-weights-in")):
        where = reader.jurisdiction(item, "publishes-open-weights-in")
        if where:
            acts.append(Act("publish-open-weights", where, where.line,
                            "publishes-open-weights-in"))
    for i, node in enumerate(reader.items(top.get("raises-capital"))):
        acts += _capital(reader, node, f"raises-capital[{i}]")
    for i, node in enumerate(reader.items(top.get("transfers-data"))):
        acts += _transfer(reader, node, f"transfers-data[{i}]")
    return acts


def _transfer(reader: _Reader, node: YValue, where: str) -> list[Act]:
    entry = reader.mapping(node, where, "transfers-data")
    if entry is None:
        return []
    origin = _required_jurisdiction(reader, entry, "from", where)
    destination = _required_jurisdiction(reader, entry, "to", where)
    period = _period(reader, entry, where)
    if not (origin and destination):
        return []
    return [Act("transfer-data", origin, entry.line, "from", destination=destination,
                destination_key="to", **period)]


def _capital(reader: _Reader, node: YValue, where: str) -> list[Act]:
    entry = reader.mapping(node, where, "raises-capital")
    if entry is None:
        return []
    market = _required_jurisdiction(reader, entry, "from", where)
    investors = [p for p in (reader.party(n, f"{where}.investors")
                             for n in reader.items(entry.get("investors"))) if p]
    period = _period(reader, entry, where)
    return [Act("raise-capital", market, entry.line, "from", investors=investors,
                **period)] if market else []


def _market(reader: _Reader, node: YValue, where: str) -> list[Act]:
    entry = reader.mapping(node, where, "markets")
    if entry is None:
        return []
    market = _required_jurisdiction(reader, entry, "jurisdiction", where)
    origin = reader.jurisdiction(entry.get("from"), f"{where}.from")
    doings = [reader.choice(n, f"{where}.does", DOINGS, ("activity", "activities"))
              for n in reader.items(entry.get("does"))]
    if "does" not in entry.items:
        reader.fail(entry.line, "profile-missing", f"{where}: missing `does`",
                    f"what the company does there: {', '.join(DOINGS)}")
    products = ([v for v in (reader.text(n, f"{where}.products")
                             for n in reader.items(entry.get("products"))) if v]
                if "products" in entry.items else None)
    period = _period(reader, entry, where)
    if market is None:
        return []
    return [Act(d.text, market, d.line, "jurisdiction", origin, "from", products, **period)
            for d in doings if d]


def _required_jurisdiction(reader: _Reader, entry: YMap, key: str, where: str) -> Value | None:
    if key not in entry.items:
        reader.fail(entry.line, "profile-missing", f"{where}: missing `{key}`",
                    "a jurisdiction id, e.g. de, eu, us")
        return None
    return reader.jurisdiction(entry.get(key), f"{where}.{key}")


class _Period(TypedDict):
    """An act's `since` and `until`, as keyword arguments of :class:`Act`."""

    since: Value | None
    until: Value | None


def _period(reader: _Reader, entry: YMap, where: str) -> _Period:
    since = reader.date(entry.get("since"), f"{where}.since")
    until = reader.date(entry.get("until"), f"{where}.until")
    if since and until and since.text > until.text:
        reader.fail(until.line, "profile-date", f"{where}: `until` {until.text} is before "
                    f"`since` {since.text}", "check both dates")
    return {"since": since, "until": until}


def _check_names(reader: _Reader, profile: Profile) -> None:
    """Names become ids: two products (or two parts of one product) may not share one."""
    seen: dict[str, Value] = {}
    for product in profile.products:
        _unique(reader, seen, product.name, "product")
        parts: dict[str, Value] = {}
        for cname, _supplier in product.components:
            _unique(reader, parts, cname, f"component of '{product.name.text}'")
        if product.based_on and slug(product.based_on.text) not in {
                slug(p.name.text) for p in profile.products if PRODUCT_KINDS[p.kind].family
                == "model"}:
            _unknown_product(reader, product.based_on, "based-on", profile, ("model",))
    company = slug(profile.name.text)
    hqs: dict[str, Party] = {}
    for party, role in _parties(profile):
        if slug(party.name.text) == company:
            reader.fail(party.name.line, "profile-self-supply", f"the {role} "
                        f"'{party.name.text}' is the company itself",
                        "list only other companies as suppliers and investors")
        first = hqs.setdefault(f"{role}:{slug(party.name.text)}", party)
        if (party.headquartered and first.headquartered
                and party.headquartered.text != first.headquartered.text):
            reader.fail(party.headquartered.line, "profile-duplicate", f"the {role} "
                        f"'{party.name.text}' is headquartered in "
                        f"{first.headquartered.text} on line {first.headquartered.line}",
                        "give one headquarters per company")


def _unique(reader: _Reader, seen: dict[str, Value], name: Value, what: str) -> None:
    first = seen.setdefault(slug(name.text), name)
    if first is not name:
        reader.fail(name.line, "profile-duplicate", f"duplicate {what} name '{name.text}' "
                    f"(first on line {first.line})", "give each one its own name")


def _parties(profile: Profile) -> list[tuple[Party, str]]:
    out = []
    for product in profile.products:
        out += [(supplier, "supplier") for _c, supplier in product.components]
        out += [(supplier, "supplier") for _p, supplier in product.suppliers]
    for act in profile.acts:
        out += [(investor, "investor") for investor in act.investors]
    return out


def _unknown_product(reader: _Reader, value: Value, key: str, profile: Profile,
                     families: tuple[str, ...]) -> None:
    names = [p.name.text for p in profile.products if PRODUCT_KINDS[p.kind].family in families]
    close = difflib.get_close_matches(value.text, names, n=2, cutoff=0.5)
    hint = (f"did you mean {', '.join(close)}?" if close else
            f"products of that kind: {', '.join(names)}" if names else
            f"add a `builds` entry of a {'/'.join(families)} kind")
    reader.fail(value.line, "profile-reference", f"{key}: no product '{value.text}' in "
                "`builds`", hint)


def _check_acts(reader: _Reader, profile: Profile) -> None:
    for act in profile.acts:
        doing = DOINGS[act.doing]
        for name in act.products or []:
            if slug(name.text) not in {slug(p.name.text) for p in profile.products}:
                _unknown_product(reader, name, "products", profile,
                                 ("model", "service", "physical", "data"))
        if doing.needs_product and not products_for(profile, act):
            reader.fail(act.line, "profile-reference", f"{act.doing} in {act.where.text} "
                        "needs a product of kind " + " or ".join(
                            k for k, v in PRODUCT_KINDS.items() if v.family in doing.concerns),
                        "add it under `builds`")
        destination = act.destination or act.origin
        if (act.doing == "transfer-data" and destination
                and destination.text == act.where.text):
            reader.fail(act.line, "profile-value", "transfers-data: `from` and `to` are the "
                        f"same jurisdiction ({act.where.text})", "a transfer crosses a border")
        if act.where.text == WORLDWIDE and act.doing not in WORLDWIDE_DOINGS:
            reader.fail(act.where.line, "profile-worldwide", f"{act.where_key}: {act.doing} "
                        "cannot be worldwide", "worldwide is for "
                        + ", ".join(WORLDWIDE_DOINGS) + "; list the jurisdictions for "
                        f"{act.doing}")
        for other, key in ((act.origin, act.origin_key), (act.destination, act.destination_key)):
            if other and other.text == WORLDWIDE:
                reader.fail(other.line, "profile-worldwide", f"{key}: must be one "
                            "jurisdiction, not worldwide", "worldwide is only a market, for "
                            + ", ".join(WORLDWIDE_DOINGS))
