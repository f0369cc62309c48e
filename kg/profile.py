"""Company profiles for `kg screen`: read a profile (docs/screening.md), with file and line
for every problem, and map it — by the tables below, from profile words to ontology
classes and properties — to temporary case records under ``screen-<company>-…``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.errors import Finding, ValidationFailed

if TYPE_CHECKING:
    from rdflib import Graph
from kg.load import (
    INSTANCE_ID,
    ISO_DATE,
    Scalar,
    YList,
    YMap,
    YValue,
)

MAX_PROFILE_BYTES = 1024 * 1024
NAMESPACE = "screen-"
# A market that stands for every jurisdiction in the graph with a rule for the activity;
# only for what is naturally released everywhere at once (and the personal data of the
# users of an app or service offered so).
WORLDWIDE = "worldwide"
WORLDWIDE_DOINGS = ("publish-open-weights", "distribute-app", "offer-service",
                    "process-personal-data")


# --------------------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class ProductKind:
    """What a `builds` kind becomes: artefact classes, the company's link to it, its family."""

    classes: tuple[str, ...]
    relation: str
    family: str  # model | service | physical | data


PRODUCT_KINDS: dict[str, ProductKind] = {
    "model": ProductKind(("AIModel",), "developsModel", "model"),
    "open-weight-model": ProductKind(("OpenWeightModel",), "developsModel", "model"),
    "ai-service": ProductKind(("AIService",), "providesService", "service"),
    "app": ProductKind(("AIService",), "providesService", "service"),
    "robot": ProductKind(("Robot",), "manufactures", "physical"),
    "humanoid-robot": ProductKind(("HumanoidRobot",), "manufactures", "physical"),
    "home-robot": ProductKind(("Robot", "SmartHomeDevice"), "manufactures", "physical"),
    "smart-home-device": ProductKind(("SmartHomeDevice",), "manufactures", "physical"),
    "vehicle": ProductKind(("Vehicle",), "manufactures", "physical"),
    "drone": ProductKind(("Drone",), "manufactures", "physical"),
    "physical-ai-product": ProductKind(("PhysicalAIProduct",), "manufactures", "physical"),
    "telecom-equipment": ProductKind(("TelecomEquipment",), "manufactures", "physical"),
    "hardware-component": ProductKind(("HardwareComponent",), "manufactures", "physical"),
    "dataset": ProductKind(("Dataset",), "develops", "data"),
}


@dataclass(frozen=True)
class Doing:
    """What a `does` word becomes: an activity class, and the products it is about."""

    activity: str
    phrase: tuple[str, str]  # label (en, zh): {what} product, {where} market, {to} destination
    concerns: tuple[str, ...] = ()  # product families; one activity per such product
    needs_product: bool = False


DOINGS: dict[str, Doing] = {
    "sell-product": Doing("PlacingProductOnMarket", ("places {what} on the market in {where}",
                                                     "在{where}将{what}投放市场"), ("physical",)),
    "offer-service": Doing("OfferingService", ("offers {what} in {where}", "在{where}提供{what}"),
                           ("service",)),
    "distribute-app": Doing("DistributingApp", ("distributes {what} as an app in {where}",
                                                "在{where}分发应用{what}"), ("service",)),
    "process-personal-data": Doing("ProcessingPersonalData", (
        "processes personal data of people in {where}", "处理{where}个人的个人信息")),
    "publish-open-weights": Doing("PublishingOpenWeights", (
        "publishes the weights of {what} in {where}", "在{where}发布{what}的模型权重"),
        ("model",), needs_product=True),
    "raise-capital": Doing("RaisingCapital", ("raises capital in {where}", "在{where}融资")),
    "export-technology": Doing("ExportingTechnology", ("exports technology to {where}",
                                                       "向{where}出口技术")),
    "supply-public-sector": Doing("SupplyingPublicSector", (
        "supplies {what} to the public sector in {where}", "向{where}公共部门供应{what}"),
        ("service", "physical", "model")),
    "join-standards-bodies": Doing("ParticipatingInStandardisation", (
        "takes part in standardisation in {where}", "参与{where}的标准制定")),
    "transfer-data": Doing("TransferringDataAcrossBorder", (
        "transfers personal data from {where} to {to}", "将个人信息从{where}传输至{to}")),
}
# The other end of a transfer: the data arriving in `to`, where its import and localisation
# rules govern it (not a `does` word of its own; made for every transfer).
RECEIVING = Doing("ReceivingTransferredData", (
    "receives personal data from {to} in {where}", "在{where}接收来自{to}的个人信息"))
# How the company and its suppliers relate to products, in the report's words (en, zh).
RELATION_WORDS = {
    "developsModel": ("{s} develops {o}", "{s}开发{o}"),
    "providesService": ("{s} provides {o}", "{s}提供{o}"),
    "manufactures": ("{s} makes {o}", "{s}制造{o}"),
    "develops": ("{s} develops {o}", "{s}开发{o}"),
    "suppliesHardwareFor": ("{s} supplies {o}", "{s}供应{o}"),
    "suppliesTrainingDataFor": ("{s} supplies training data for {o}", "{s}为{o}供应训练数据"),
    "suppliesSoftwareFor": ("{s} supplies software for {o}", "{s}为{o}供应软件"),
}
# `builds` keys naming a supplier -> the supplier's property (to the product or component).
SUPPLIES = {"components": "suppliesHardwareFor", "training-data-from": "suppliesTrainingDataFor",
            "software-from": "suppliesSoftwareFor"}
KEYS: dict[str, tuple[str, ...]] = {
    "profile": ("company", "builds", "markets", "publishes-open-weights-in", "raises-capital",
                "transfers-data"),
    "company": ("name", "name-zh", "headquartered", "founded"),
    "builds": ("kind", "name", "name-zh", "based-on", "components", "training-data-from",
               "software-from"),
    "components": ("name", "supplier"),
    "party": ("name", "headquartered"),
    "markets": ("jurisdiction", "does", "products", "from", "since", "until"),
    "raises-capital": ("from", "investors", "since", "until"),
    "transfers-data": ("from", "to", "since", "until"),
}


# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class Value:
    text: str
    line: int


@dataclass
class Party:
    name: Value
    headquartered: Value | None = None


@dataclass
class Product:
    kind: str
    name: Value
    name_zh: Value | None = None
    based_on: Value | None = None
    components: list[tuple[Value, Party]] = field(default_factory=list)
    suppliers: list[tuple[str, Party]] = field(default_factory=list)  # (property, supplier)


@dataclass
class Act:
    """One thing the company does in one market, as the profile says it."""

    doing: str
    where: Value
    line: int
    where_key: str
    origin: Value | None = None
    origin_key: str = "headquartered"
    products: list[Value] | None = None
    since: Value | None = None
    until: Value | None = None
    investors: list[Party] = field(default_factory=list)
    destination: Value | None = None  # transfer-data: where the data goes
    destination_key: str = ""
    worldwide: bool = False  # one of the markets `worldwide` expanded to


@dataclass
class Profile:
    name: Value
    headquartered: Value
    name_zh: Value | None = None
    products: list[Product] = field(default_factory=list)
    acts: list[Act] = field(default_factory=list)
    founded: Value | None = None  # YYYY-MM-DD, or YYYY when only the year is known


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
    from kg.budget import BudgetExceeded

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


def _period(reader: _Reader, entry: YMap, where: str) -> dict[str, Value | None]:
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
        if doing.needs_product and not _products_for(profile, act):
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


# --------------------------------------------------------------------------- worldwide


def rule_places(graph: Graph) -> Callable[[str], list[str]]:
    """For an activity class (local name), the ids of the jurisdictions in ``graph`` (the
    ontology and the curated data) with an instrument, measure or provision governing it
    or a broader activity type."""
    from rdflib.namespace import RDFS

    from kg.namespaces import AIG, short_name

    governing: dict[str, set[str]] = {}
    for node, governed in graph.subject_objects(AIG.governsActivity):
        places = set(graph.objects(node, AIG.jurisdiction))
        for parent in graph.objects(node, AIG.partOf):
            places.update(graph.objects(parent, AIG.jurisdiction))
        governing.setdefault(str(governed), set()).update(short_name(str(j)) for j in places)

    def places_for(activity: str) -> list[str]:
        seen, todo = set(), [AIG[activity]]
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo.extend(graph.objects(cls, RDFS.subClassOf))
        return sorted({j for cls in seen for j in governing.get(str(cls), ())})

    return places_for


def expand_worldwide(profile: Profile, places_for: Callable[[str], list[str]],
                     display: str) -> list[Finding]:
    """Replace each `worldwide` activity by one per jurisdiction with a rule for it (after
    the activities the profile lists itself, which win where both name a jurisdiction).
    A worldwide activity that no jurisdiction has a rule for is a warning, not silence."""
    kept: list[Act] = []
    expanded: list[Act] = []
    warnings: list[Finding] = []
    for act in profile.acts:
        if act.where.text != WORLDWIDE:
            kept.append(act)
            continue
        activity = DOINGS[act.doing].activity
        places = places_for(activity)
        if not places:
            warnings.append(Finding(
                display, act.where.line, "", "profile-scope-unmatched",
                f"{act.where_key}: {act.doing} worldwide matches nothing: no jurisdiction in "
                f"the graph has a rule for {activity}", "the graph can draw no conclusion "
                "for it; this is not a clearance", "warning"))
        expanded += [Act(act.doing, Value(place, act.where.line), act.line, act.where_key,
                         act.origin, act.origin_key, act.products, act.since, act.until,
                         worldwide=True) for place in places]
    profile.acts = kept + expanded
    return warnings


def _products_for(profile: Profile, act: Act) -> list[Product]:
    families = DOINGS[act.doing].concerns
    listed = None if act.products is None else {slug(v.text) for v in act.products}
    return [p for p in profile.products if PRODUCT_KINDS[p.kind].family in families
            and (listed is None or slug(p.name.text) in listed)]


# --------------------------------------------------------------------------- case records


def slug(text: str) -> str:
    """A kebab-case id part for a name (a hash for names with no Latin letters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return part or "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class Field:
    key: str
    values: list[str] | dict[str, str]
    line: int
    profile_key: str = ""  # set when the values are jurisdictions the profile names


@dataclass
class CaseRecord:
    id: str
    line: int
    fields: list[Field] = field(default_factory=list)
    worldwide: bool = False  # an activity `worldwide` expanded to

    def add(self, key: str, values: list[str] | dict[str, str] | str, line: int,
            profile_key: str = "") -> None:
        self.fields.append(Field(key, [values] if isinstance(values, str) else values, line,
                                 profile_key))


class _Mapper:
    """Turns a Profile into case records under ``screen-<company>-``."""

    def __init__(self, profile: Profile, display: str):
        self.profile = profile
        self.display = display
        self.base = NAMESPACE + slug(profile.name.text)
        self.records: dict[str, CaseRecord] = {}
        self.duplicates: list[Finding] = []
        self.statements: list[dict[str, str]] = []  # what the profile says, for the report
        # (doing, product) -> (the act, the product, the jurisdictions) for `worldwide`
        self.worldwide: dict[tuple[str, str], tuple[Act, Product | None, list[str]]] = {}

    def say(self, subject: tuple[str, str], words: tuple[str, str], obj: str) -> None:
        self.statements.append({lang: words[i].format(s=subject[i], o=obj)
                                for i, lang in enumerate(("en", "zh"))})

    def company_names(self) -> tuple[str, str]:
        zh = self.profile.name_zh
        return self.profile.name.text, zh.text if zh else self.profile.name.text

    def record(self, rid: str, classes: list[str], label: str, line: int,
               label_zh: str | None = None) -> CaseRecord:
        record = CaseRecord(rid, line)
        record.add("a", classes, line)
        record.add("illustrative", "true", line)
        labels = {"en": f"{label} (illustrative)"}
        if label_zh:
            labels["zh"] = f"{label_zh}（示例）"
        record.add("label", labels, line)
        record.add("source", f"Screening profile {self.display}, line {line} (the company's "
                   "own description, not a curated source)", line)
        self.records[rid] = record
        return record

    def run(self) -> list[CaseRecord]:
        p = self.profile
        company = self.record(self.base, ["Company"], p.name.text, p.name.line,
                              p.name_zh.text if p.name_zh else None)
        company.add("headquarteredIn", p.headquartered.text, p.headquartered.line,
                    "headquartered")
        if p.founded:
            company.add("foundedInYear" if len(p.founded.text) == 4 else "foundedOn",
                        p.founded.text, p.founded.line)
        for product in p.products:
            self.product(company, product)
        for act in p.acts:
            self.act(act)
        self.say_worldwide()
        return list(self.records.values())

    def product_id(self, name: str) -> str:
        return f"{self.base}-product-{slug(name)}"

    def product(self, company: CaseRecord, product: Product) -> None:
        kind = PRODUCT_KINDS[product.kind]
        pid = self.product_id(product.name.text)
        record = self.record(pid, list(kind.classes), product.name.text, product.name.line,
                             product.name_zh.text if product.name_zh else None)
        company.add(kind.relation, pid, product.name.line)
        self.say(self.company_names(), RELATION_WORDS[kind.relation],
                 f"{product.name.text} [{', '.join(kind.classes)}]")
        if product.based_on:
            record.add("basedOnModel", self.product_id(product.based_on.text),
                       product.based_on.line)
        for cname, supplier in product.components:
            cid = f"{self.base}-part-{slug(product.name.text)}-{slug(cname.text)}"
            part = self.record(cid, ["HardwareComponent"],
                               f"{cname.text} of {product.name.text}", cname.line)
            part.add("componentOf", pid, cname.line)
            self.party(supplier, "supplier").add(SUPPLIES["components"], cid, cname.line)
            self.say((supplier.name.text,) * 2, RELATION_WORDS[SUPPLIES["components"]],
                     f"{cname.text} → {product.name.text}")
        for prop, supplier in product.suppliers:
            self.party(supplier, "supplier").add(prop, pid, supplier.name.line)
            self.say((supplier.name.text,) * 2, RELATION_WORDS[prop], product.name.text)

    def party(self, party: Party, role: str) -> CaseRecord:
        pid = f"{self.base}-{role}-{slug(party.name.text)}"
        if pid in self.records:
            return self.records[pid]
        record = self.record(pid, ["Company"], party.name.text, party.name.line)
        if party.headquartered:
            record.add("headquarteredIn", party.headquartered.text, party.headquartered.line,
                       "headquartered")
        return record

    def act(self, act: Act) -> None:
        doing = DOINGS[act.doing]
        origin = act.origin or self.profile.headquartered
        products = _products_for(self.profile, act) if doing.concerns else []
        for product in products or [None]:
            rid = f"{self.base}-{act.doing}-{act.where.text}"
            if act.doing == "transfer-data":
                rid += f"-to-{(act.destination or origin).text}"
            if product is not None:
                rid += f"-{slug(product.name.text)}"
            if act.worldwide:
                self.worldwide.setdefault((act.doing, product.name.text if product else ""),
                                          (act, product, []))[2].append(act.where.text)
            if rid in self.records and act.worldwide:
                continue  # listed by the profile itself, with its own dates
            if rid in self.records:
                self.duplicates.append(Finding(
                    self.display, act.line, "", "profile-duplicate",
                    f"{act.doing} in {act.where.text}"
                    + (f" for '{product.name.text}'" if product else "")
                    + f" is listed twice (first on line {self.records[rid].line})",
                    "list each activity once per market"))
                continue
            label, label_zh = self.activity_labels(doing, act, origin, product)
            if not act.worldwide:
                self.statements.append({"en": label, "zh": label_zh})
            record = self.record(rid, [doing.activity], label, act.line, label_zh)
            record.worldwide = act.worldwide
            if act.doing == "transfer-data":
                self.activity_fields(record, act, origin, product, act.destination or origin)
                self.receiving(act, origin)
            else:
                self.activity_fields(record, act, origin, product)

    def receiving(self, act: Act, origin: Value) -> None:
        """A transfer's other end: the data arrives in the destination and is held there,
        so that jurisdiction's import and localisation rules govern it as rules of the
        place (no `fromJurisdiction`: the data is not reached from abroad)."""
        destination = act.destination or origin
        arrival = Act("transfer-data", destination, act.line,
                      act.destination_key or act.origin_key, since=act.since, until=act.until)
        rid = f"{self.base}-receive-data-{destination.text}-from-{act.where.text}"
        label, label_zh = self.activity_labels(RECEIVING, arrival, act.where, None)
        self.statements.append({"en": label, "zh": label_zh})
        record = self.record(rid, [RECEIVING.activity], label, act.line, label_zh)
        self.activity_fields(record, arrival, destination, None)

    def say_worldwide(self) -> None:
        """One statement per worldwide activity, listing the jurisdictions it became."""
        en, zh = self.company_names()
        for act, product, places in self.worldwide.values():
            doing = DOINGS[act.doing]
            what = (product.name.text,) * 2 if product else ("services", "服务")
            listed = ", ".join(places)
            self.statements.append({
                "en": f"{en} " + doing.phrase[0].replace("in {where}", "worldwide").format(
                    what=what[0]) + f": in {listed} (the {len(places)} jurisdiction(s) of the "
                    "graph with a rule for it)",
                "zh": zh + doing.phrase[1].format(what=what[1], where="全球")
                + f"：{'、'.join(places)}（图谱中对该活动有规则的 {len(places)} 个司法管辖区）"})

    def activity_labels(self, doing: Doing, act: Act, origin: Value,
                        product: Product | None) -> tuple[str, str]:
        """E.g. "Acme Robotics places Acme Home on the market in de", in English and Chinese."""
        en, zh = self.company_names()
        what = (product.name.text,) * 2 if product else (
            ("products", "产品") if "physical" in doing.concerns else ("services", "服务"))
        fill = {"where": act.where.text, "to": (act.destination or origin).text}
        return (f"{en} " + doing.phrase[0].format(what=what[0], **fill),
                zh + doing.phrase[1].format(what=what[1], **fill))

    def activity_fields(self, record: CaseRecord, act: Act, origin: Value,
                        product: Product | None, destination: Value | None = None) -> None:
        record.add("performedBy", self.base, act.line)
        record.add("inJurisdiction", act.where.text, act.where.line, act.where_key)
        if origin.text != act.where.text:
            record.add("fromJurisdiction", origin.text, origin.line, act.origin_key)
        if destination is not None:
            record.add("transfersDataTo", destination.text, destination.line,
                       act.destination_key or act.origin_key)
        if product is not None:
            record.add("concernsArtefact", self.product_id(product.name.text), act.line)
        if act.since:
            record.add("startDate", act.since.text, act.since.line)
        if act.until:
            record.add("endDate", act.until.text, act.until.line)
        for investor in act.investors:
            investor_record = self.party(investor, "investor")
            investor_record.add("investsIn", self.base, investor.name.line)
            if investor.headquartered is None:
                investor_record.add("headquarteredIn", act.where.text, act.where.line,
                                    act.where_key)
            record.add("counterparty", investor_record.id, investor.name.line)


def to_records(profile: Profile, display: str) -> tuple[list[CaseRecord], list[dict[str, str]]]:
    """The case records the profile maps to, and what they say in words (en, zh)."""
    mapper = _Mapper(profile, display)
    records = mapper.run()
    if mapper.duplicates:
        raise ValidationFailed(mapper.duplicates)
    return records, mapper.statements


# --------------------------------------------------------------------------- the case file

_NOT_YAML_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                                 "\U00010000-\U0010ffff]")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar for any text (JSON escapes, plus what YAML refuses raw)."""
    dumped = json.dumps(text, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


@dataclass(frozen=True)
class Origin:
    """The profile line a generated line comes from (and the jurisdiction it names, if any)."""

    line: int
    profile_key: str = ""
    value: str = ""


def emit(records: list[CaseRecord], curated: dt.date) -> tuple[str, dict[int, Origin]]:
    """The case file's text, and for each of its lines the profile line it comes from."""
    lines = ["# Generated by `kg screen` from a company profile: temporary, never part of data/.",
             f"curated: {curated.isoformat()}", "records:"]
    origins: dict[int, Origin] = {}
    for record in records:
        origins[len(lines) + 1] = Origin(record.line)
        lines.append(f"  - id: {yaml_string(record.id)}")
        for item in record.fields:
            if isinstance(item.values, dict):
                value = "{" + ", ".join(f"{k}: {yaml_string(v)}"
                                        for k, v in item.values.items()) + "}"
            else:
                value = "[" + ", ".join(yaml_string(v) for v in item.values) + "]"
            first = next(iter(item.values), "") if isinstance(item.values, list) else ""
            origins[len(lines) + 1] = Origin(item.line, item.profile_key, first)
            lines.append(f"    {item.key}: {value}")
    return "\n".join(lines) + "\n", origins


