"""Screen: what the graph says about a company that describes itself in a small profile.

A profile (docs/screening.md) is plain YAML for non-ontologists: the company, what it
builds and who supplies it, the markets it serves and what it does there. It is mapped
— by the tables below, from profile words to ontology classes and properties — to
temporary case records under ``screen-<company>-…``, all marked illustrative. They are
written to a temporary directory (never to data/ or build/), loaded with the curated
data by the same loader, checked by the same shapes and QC queries, and reasoned in
memory with ``build.check``. Problems are reported at the profile's file and line.
The report lists every exposure of the company and of its suppliers with its path,
dates, sources, and the mitigations the graph links to each risk (``aig:addressesRisk``
on the risk or on a broader risk type).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib.namespace import DCTERMS, RDF, RDFS

from kg import atomic
from kg.build import check
from kg.errors import Finding, KgError, ValidationFailed
from kg.exposures import TableView, select
from kg.load import (
    INSTANCE_ID,
    ISO_DATE,
    Scalar,
    YList,
    YMap,
    YValue,
    compose_yaml,
    load,
    read_text,
)
from kg.namespaces import AIG, ID, short_name
from kg.project import Project
from kg.shacl import parse_literal
from kg.table import Table

MAX_PROFILE_BYTES = 1024 * 1024
NAMESPACE = "screen-"


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
    "company": ("name", "name-zh", "headquartered"),
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


@dataclass
class Profile:
    name: Value
    headquartered: Value
    name_zh: Value | None = None
    products: list[Product] = field(default_factory=list)
    acts: list[Act] = field(default_factory=list)


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
    else:
        reader.fail(node.line, "profile-missing", "company: missing `headquartered`",
                    "the jurisdiction the company acts from, e.g. headquartered: cn")
    return Profile(name or missing, hq or missing,
                   reader.text(node.get("name-zh"), "company.name-zh"))


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
    return [Act("transfer-data", origin, entry.line, "from", destination, "to", **period)]


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
        if act.origin and act.origin.text == act.where.text and act.doing == "transfer-data":
            reader.fail(act.line, "profile-value", "transfers-data: `from` and `to` are the "
                        f"same jurisdiction ({act.where.text})", "a transfer crosses a border")


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
        for product in p.products:
            self.product(company, product)
        for act in p.acts:
            self.act(act)
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
                rid += f"-to-{origin.text}"
            if product is not None:
                rid += f"-{slug(product.name.text)}"
            if rid in self.records:
                self.duplicates.append(Finding(
                    self.display, act.line, "", "profile-duplicate",
                    f"{act.doing} in {act.where.text}"
                    + (f" for '{product.name.text}'" if product else "")
                    + f" is listed twice (first on line {self.records[rid].line})",
                    "list each activity once per market"))
                continue
            label, label_zh = self.activity_labels(doing, act, origin, product)
            self.statements.append({"en": label, "zh": label_zh})
            record = self.record(rid, [doing.activity], label, act.line, label_zh)
            self.activity_fields(record, act, origin, product)

    def activity_labels(self, doing: Doing, act: Act, origin: Value,
                        product: Product | None) -> tuple[str, str]:
        """E.g. "Acme Robotics places Acme Home on the market in de", in English and Chinese."""
        en, zh = self.company_names()
        what = (product.name.text,) * 2 if product else (
            ("products", "产品") if "physical" in doing.concerns else ("services", "服务"))
        fill = {"where": act.where.text, "to": origin.text}
        return (f"{en} " + doing.phrase[0].format(what=what[0], **fill),
                zh + doing.phrase[1].format(what=what[1], **fill))

    def activity_fields(self, record: CaseRecord, act: Act, origin: Value,
                        product: Product | None) -> None:
        record.add("performedBy", self.base, act.line)
        record.add("inJurisdiction", act.where.text, act.where.line, act.where_key)
        if origin.text != act.where.text:
            record.add("fromJurisdiction", origin.text, origin.line, act.origin_key)
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


# --------------------------------------------------------------------------- screening


@dataclass
class Mitigation:
    id: str
    label: dict[str, str]
    description: dict[str, str]
    addresses: list[str]
    sources: list[str]


@dataclass
class Screening:
    profile: str
    company: str
    actors: list[tuple[str, str]]  # (id, role): the company, then its suppliers
    as_of: dt.date
    exposures: dict[str, list[dict[str, Any]]]  # actor id -> records, with status
    mitigations: list[Mitigation]  # those linked to a listed exposure: specific ones first
    links: dict[str, list[int]]  # exposure id -> indexes into mitigations
    all_records: list[dict[str, Any]]  # every exposure of the in-memory graph
    statements: list[dict[str, str]] = field(default_factory=list)  # the profile, in words
    seconds: float = 0.0

    def labels(self, actor: str) -> dict[str, str]:
        for record in self.exposures.get(actor, []):
            return record["actor"]["label"]
        for record in self.all_records:
            if record["actor"]["id"] == actor:
                return record["actor"]["label"]
        return {"en": actor}

    def count(self) -> int:
        return sum(len(v) for v in self.exposures.values())


def screen(project: Project, profile_path: Path, display: str,
           as_of: dt.date | None = None) -> Screening:
    """Screen the profile at ``profile_path`` against the curated graph, in memory."""
    start = time.perf_counter()
    findings: list[Finding] = []
    root = compose_yaml(read_text(profile_path, display, MAX_PROFILE_BYTES), display, findings)
    if findings:
        raise ValidationFailed(findings)
    profile = read_profile(root, display)
    records, statements = to_records(profile, display)
    text, origins = emit(records, dt.date.today())
    with tempfile.TemporaryDirectory(prefix="kg-screen-") as tmp:
        case = Path(tmp) / "screening-profile.yaml"
        atomic.write_text(case, text)
        try:
            checked = check(project, files=[*project.data_files(), case])
        except ValidationFailed as exc:
            raise ValidationFailed(_translate(exc.findings, project.relative(case), origins,
                                              display, project)) from None
    result = _assemble(profile, records, mitigations(checked.reasoned.table),
                       checked.records, display, as_of or dt.date.today())
    result.statements = statements
    result.seconds = time.perf_counter() - start
    return result


def _translate(findings: list[Finding], case: str, origins: dict[int, Origin], display: str,
               project: Project) -> list[Finding]:
    """Findings in the generated case file, moved to the profile's lines and words."""
    out: list[Finding] = []
    known: list[str] | None = None
    for finding in findings:
        if finding.file != case:
            out.append(finding)
            continue
        origin = origins.get(finding.line, Origin(0))
        if origin.profile_key and (finding.rule == "unknown-reference"
                                   or finding.rule.startswith("shacl:")):
            known = known if known is not None else known_jurisdictions(project)
            close = difflib.get_close_matches(origin.value, known, n=3, cutoff=0.6)
            hint = (f"did you mean {', '.join(close)}?" if close
                    else f"jurisdictions in the graph: {', '.join(known)}")
            out.append(Finding(display, origin.line, "", "profile-jurisdiction",
                               f"{origin.profile_key}: unknown jurisdiction '{origin.value}'",
                               hint))
        else:
            out.append(Finding(display, origin.line, "", finding.rule,
                               f"in the records made from this line: {finding.message}",
                               finding.hint))
    return sorted(set(out))


def known_jurisdictions(project: Project) -> list[str]:
    """Ids of the jurisdiction records in data/ (for suggestions; empty if data/ is invalid)."""
    try:
        loaded = load(project)
    except KgError:
        return []
    classes = set(loaded.ontology.transitive_subjects(RDFS.subClassOf, AIG.Jurisdiction))
    return sorted({short_name(str(s)) for s, o in loaded.data.subject_objects(RDF.type)
                   if o in classes})


def mitigations(table: Table) -> list[Mitigation]:
    """Every mitigation in the graph, with the risk types it addresses."""
    view = TableView(table)
    description = table.iri_id(str(DCTERMS.description))
    out = []
    for node in sorted(table.subjects(view.TYPE, table.iri_id(str(AIG.Mitigation))),
                       key=table.term):
        texts: dict[str, str] = {}
        for term in sorted(table.objects(node, description), key=table.term):
            lexical, lang, _ = parse_literal(table.term(term))
            texts.setdefault((lang or "en").split("-")[0], lexical)
        out.append(Mitigation(view.short(node), view.labels(node), texts,
                              sorted(view.short(r) for r in view.all(node, AIG.addressesRisk)),
                              view.sources(node)))
    return out


STATUS_ORDER = ("current", "upcoming", "pending", "ended")


def _assemble(profile: Profile, records: list[CaseRecord], pool: list[Mitigation],
              exposures: list[dict[str, Any]], display: str, as_of: dt.date) -> Screening:
    base = NAMESPACE + slug(profile.name.text)
    suppliers = sorted({r.id for r in records if r.id.startswith(f"{base}-supplier-")})
    actors = [(base, "company"), *((s, "supplier") for s in suppliers)]
    chosen = {actor: select(exposures, actor=actor, as_of=as_of) for actor, _role in actors}
    used, links = _link_mitigations([r for rs in chosen.values() for r in rs], pool)
    return Screening(display, base, actors, as_of, chosen, used, links, exposures)


def _link_mitigations(records: list[dict[str, Any]], pool: list[Mitigation]
                      ) -> tuple[list[Mitigation], dict[str, list[int]]]:
    """Mitigations addressing each record's risks or broader risk types.

    The ones that address fewer exposures (the specific ones) are numbered first.
    """
    uses: dict[str, list[str]] = {}
    for record in records:
        wanted = {k for risk in record["risks"] for k in (risk["id"], *risk["ancestors"])}
        for mitigation in pool:
            if wanted & set(mitigation.addresses):
                uses.setdefault(mitigation.id, []).append(record["id"])
    used = sorted((m for m in pool if m.id in uses), key=lambda m: (len(uses[m.id]), m.id))
    links: dict[str, list[int]] = {}
    for index, mitigation in enumerate(used):
        for exposure in uses[mitigation.id]:
            links.setdefault(exposure, []).append(index)
    return used, links


def is_profile_node(step: dict[str, Any] | None) -> bool:
    return bool(step) and str(step.get("iri", "")).startswith(str(ID) + NAMESPACE)


# --------------------------------------------------------------------------- the report

KIND_WORDS = {
    "MarketExposure": ("market rule", "市场规则"),
    "ExtraterritorialExposure": ("extraterritorial reach", "域外适用"),
    "TargetedMeasureExposure": ("targeted measure", "针对性措施"),
    "AllegationExposure": ("allegation", "指控"),
    "ValueChainExposure": ("value-chain liability", "价值链责任"),
}
UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Screening of {name}",
        "meta": "profile {profile}; status as of {as_of}",
        "note": "Reasoned in memory from the profile and the curated graph: nothing was "
                "written to data/ or build/. The profile's records are illustrative; the "
                "instruments, measures and their sources are curated data. Not legal advice.",
        "profile_says": "What the profile says",
        "actor": "actor", "role": "role", "company": "company", "supplier": "supplier",
        "total": "exposures", "categories": "risk categories",
        "current": "current", "upcoming": "upcoming", "pending": "pending",
        "exposures_of": "{name} ({role}): {n} exposure(s) through {m} instrument(s) or "
                        "event(s)",
        "none": "no exposures",
        "provision": "provision", "risks": "risks", "path": "path", "sources": "sources",
        "path_sources": "path sources", "mitigations": "mitigations",
        "from": "from", "until": "until",
        "mitigation_heading": "Mitigations the graph links to these risks",
        "mitigation_note": "linked by aig:addressesRisk to the risk or to a broader risk type",
        "addresses": "addresses", "for": "for exposures", "every": "for every exposure",
        "diagram": "Exposure paths of {name}",
        "total_line": "{n} exposure(s): {current} current, {upcoming} upcoming, "
                      "{pending} pending",
    },
    "zh": {
        "title": "{name} 风险筛查",
        "meta": "画像文件 {profile}；状态截至 {as_of}",
        "note": "依据画像与已整理的图谱在内存中推理得出，未写入 data/ 或 build/。"
                "画像生成的记录为示例；法律政策文件、措施及其来源为已整理数据。不构成法律意见。",
        "profile_says": "画像内容",
        "actor": "行为者", "role": "角色", "company": "企业", "supplier": "供应商",
        "total": "风险暴露", "categories": "风险类别",
        "current": "当前适用", "upcoming": "即将适用", "pending": "待定",
        "exposures_of": "{name}（{role}）：经由 {m} 项法律政策文件或事件的 {n} 项风险暴露",
        "none": "无风险暴露",
        "provision": "条款", "risks": "风险", "path": "路径", "sources": "来源",
        "path_sources": "路径来源", "mitigations": "缓解措施",
        "from": "自", "until": "至",
        "mitigation_heading": "图谱中与这些风险相关的缓解措施",
        "mitigation_note": "通过 aig:addressesRisk 关联到该风险或其上位风险类型",
        "addresses": "针对", "for": "适用于风险暴露", "every": "适用于全部风险暴露",
        "diagram": "{name} 的风险暴露路径",
        "total_line": "共 {n} 项风险暴露：当前适用 {current}，即将适用 {upcoming}，待定 {pending}",
    },
}


def label(step: dict[str, Any] | None, lang: str) -> str:
    """A node's label in ``lang``; profile records lose their "(illustrative)" suffix."""
    if not step:
        return ""
    labels = step.get("label") or {}
    text = labels.get(lang) or labels.get("en") or step.get("id", "")
    if is_profile_node(step):
        text = text.removesuffix(" (illustrative)").removesuffix("（示例）")
    return text


@dataclass
class Item:
    """One exposure, ready to print in any format."""

    number: int
    record: dict[str, Any]
    status: str
    dates: str
    kind: str
    provision: str
    risks: list[tuple[str, list[str]]]
    path: list[tuple[str, str]]  # (relation, label); the first relation is empty
    sources: list[str]  # sources of the path beyond the instrument's own
    mitigations: list[int] = field(default_factory=list)


@dataclass
class Group:
    """An instrument or event, and one actor's exposures through it."""

    source: str
    detail: str
    sources: list[str]
    items: list[Item] = field(default_factory=list)


def report(screening: Screening, lang: str) -> dict[str, list[Group]]:
    """Each actor's exposures grouped by instrument, numbered in the order shown."""
    out: dict[str, list[Group]] = {}
    number = 0
    for actor, _role in screening.actors:
        by_source: dict[str, list[dict[str, Any]]] = {}
        for record in screening.exposures[actor]:
            by_source.setdefault(record["source"]["id"], []).append(record)
        groups = []
        for records in sorted(by_source.values(), key=lambda rs: min(map(_order, rs))):
            source = records[0]["source"]
            group = Group(label(source, lang), "; ".join(
                str(source[k]) for k in ("type", "status", "identifier") if source.get(k)),
                source["sources"])
            for record in sorted(records, key=_order):
                number += 1
                group.items.append(_item(number, record, group, screening, lang))
            groups.append(group)
        out[actor] = groups
    return out


def _order(record: dict[str, Any]) -> tuple[int, str, str, str]:
    return (STATUS_ORDER.index(record["status"]), record.get("valid_from") or "9999",
            (record.get("provision") or {}).get("id", ""), record["id"])


def _item(number: int, record: dict[str, Any], group: Group, screening: Screening,
          lang: str) -> Item:
    from kg.explain import STATUS_WORDS

    zh = 1 if lang == "zh" else 0
    ui = UI[lang]
    dates = " ".join(part for part in (
        f"{ui['from']} {record['valid_from']}" if record.get("valid_from") else "",
        f"{ui['until']} {record['valid_until']}" if record.get("valid_until") else "") if part)
    return Item(number, record, STATUS_WORDS[record["status"]][zh], dates,
                KIND_WORDS.get(record["kind"], (record["kind"],) * 2)[zh],
                label(record.get("provision"), lang),
                [(label(r, lang), r["categories"]) for r in record["risks"]],
                path_steps(record, lang),
                [s for s in path_sources(record) if s not in group.sources],
                screening.links.get(record["id"], []))


def path_steps(record: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    from kg.explain import RELATION, SOURCE_RELATION

    zh = 1 if lang == "zh" else 0
    steps: list[tuple[str, str]] = []
    for index, step in enumerate(s for s in record["path"] if s and s["role"] != "risk"):
        words = RELATION.get(step["role"], (step["role"], step["role"]))
        if step["role"] == "source":
            words = SOURCE_RELATION.get(record["kind"], words)
        if step["role"] == "activity" and record["kind"] == "ValueChainExposure":
            words = ("is placed on the market through", "通过以下活动投放市场")
        steps.append(("" if index == 0 else words[zh], label(step, lang)))
    return steps


def path_sources(record: dict[str, Any]) -> list[str]:
    """The curated sources along the path: instrument and provision first, then the rest."""
    order = {"source": 0, "provision": 1}
    steps = sorted((s for s in record["path"] if s and not is_profile_node(s)),
                   key=lambda s: order.get(s["role"], 2))
    return list(dict.fromkeys(src for step in steps for src in step["sources"]))


def summary_rows(screening: Screening, lang: str) -> list[dict[str, str]]:
    ui = UI[lang]
    rows = []
    for actor, role in screening.actors:
        records = screening.exposures[actor]
        counts = {s: sum(1 for r in records if r["status"] == s)
                  for s in ("current", "upcoming", "pending")}
        categories = sorted({c for r in records for risk in r["risks"]
                             for c in risk["categories"]})
        rows.append({ui["actor"]: actor_name(screening, actor, lang), ui["role"]: ui[role],
                     ui["total"]: str(len(records)),
                     **{ui[k]: str(v) for k, v in counts.items()},
                     ui["categories"]: ", ".join(c.removesuffix("Risk") for c in categories)})
    return rows


def actor_name(screening: Screening, actor: str, lang: str) -> str:
    return label({"id": actor, "iri": str(ID[actor]), "label": screening.labels(actor)}, lang)


def totals(screening: Screening, lang: str) -> str:
    statuses = [r["status"] for rs in screening.exposures.values() for r in rs]
    return UI[lang]["total_line"].format(n=len(statuses), **{
        s: statuses.count(s) for s in ("current", "upcoming", "pending")})


def mitigation_uses(screening: Screening, groups: dict[str, list[Group]]) -> dict[int, str]:
    """For each mitigation, the exposure numbers it is linked to, as ranges ("3-5, 9")."""
    numbers: dict[int, list[int]] = {}
    total = 0
    for actor_groups in groups.values():
        for group in actor_groups:
            for item in group.items:
                total += 1
                for index in item.mitigations:
                    numbers.setdefault(index, []).append(item.number)
    return {index: "*" if len(found) == total else _ranges(sorted(found))
            for index, found in numbers.items()}


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def _uses_text(uses: dict[int, str], index: int, ui: dict[str, str]) -> str:
    found = uses.get(index, "")
    return ui["every"] if found == "*" else f"{ui['for']} {found}"


def _mitigation_title(mitigation: Mitigation, lang: str) -> str:
    return mitigation.label.get(lang) or mitigation.label.get("en") or mitigation.id


# -- text


def to_text(screening: Screening, lang: str = "en") -> str:
    import textwrap

    from kg.diff import table
    from kg.textsafe import terminal

    ui = UI[lang]
    groups = report(screening, lang)
    out = [ui["title"].format(name=actor_name(screening, screening.company, lang)),
           ui["meta"].format(profile=screening.profile, as_of=screening.as_of.isoformat()),
           *textwrap.wrap(ui["note"], 100), "", ui["profile_says"] + ":"]
    out += [f"  {s.get(lang) or s['en']}" for s in screening.statements]
    rows = summary_rows(screening, lang)
    out += ["", totals(screening, lang), table(rows, list(rows[0]), {ui["categories"]: 70})]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        out.append(ui["exposures_of"].format(
            name=actor_name(screening, actor, lang), role=ui[role],
            n=sum(len(g.items) for g in actor_groups), m=len(actor_groups)))
        out += [_text_group(group, ui) for group in actor_groups] or [f"  ({ui['none']})"]
        out.append("")
    out.append(f"{ui['mitigation_heading']} ({ui['mitigation_note']}):")
    uses = mitigation_uses(screening, groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"  M{index + 1} {_mitigation_title(mitigation, lang)}")
        out.append(f"      {ui['addresses']}: {', '.join(mitigation.addresses)}; "
                   f"{_uses_text(uses, index, ui)}")
        out += _text_urls(ui["sources"], mitigation.sources, 6)
    return terminal("\n".join(out)) + "\n"


def _text_urls(name: str, urls: list[str], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}{name if i == 0 else ' ' * len(name)}{':' if i == 0 else ' '} {url}"
            for i, url in enumerate(urls)]


def _text_group(group: Group, ui: dict[str, str]) -> str:
    lines = ["", f"  ■ {group.source}", f"    {group.detail}",
             *_text_urls(ui["sources"], group.sources, 4)]
    for item in group.items:
        lines.append(f"    [{item.number}] {item.status} {item.dates} — {item.kind}"
                     .replace("  —", " —"))
        if item.provision:
            lines.append(f"        {ui['provision']}: {item.provision}")
        lines.append(f"        {ui['risks']}: " + "; ".join(
            f"{name} ({', '.join(c)})" if c else name for name, c in item.risks))
        lines.append(f"        {ui['path']}: " + " ".join(
            f"→ {rel} → {text}" if rel else text for rel, text in item.path))
        lines += _text_urls(ui["path_sources"], item.sources, 8)
        if item.mitigations:
            lines.append(f"        {ui['mitigations']}: "
                         + ", ".join(f"M{i + 1}" for i in item.mitigations))
    return "\n".join(lines)


# -- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>&~])")


def md(text: str) -> str:
    """Text that Markdown shows literally: no emphasis, links, tables or raw HTML."""
    from kg.textsafe import terminal

    return _MD_SPECIAL.sub(r"\\\1", terminal(text).replace("\n", " "))


def md_link(url: str) -> str:
    if re.match(r"^https?://[^\s<>]+$", url):
        return f"<{url}>"
    return md(url)


def to_markdown(screening: Screening, lang: str = "en") -> str:
    ui = UI[lang]
    groups = report(screening, lang)
    out = [f"# {md(ui['title'].format(name=actor_name(screening, screening.company, lang)))}",
           "", md(ui["meta"].format(profile=screening.profile,
                                    as_of=screening.as_of.isoformat())),
           "", f"> {md(ui['note'])}", "", f"## {md(ui['profile_says'])}", ""]
    out += [f"- {md(s.get(lang) or s['en'])}" for s in screening.statements]
    out += ["", md(totals(screening, lang)), ""]
    rows = summary_rows(screening, lang)
    out += ["| " + " | ".join(md(c) for c in rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(md(v) for v in row.values()) + " |" for row in rows]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        out += ["", "## " + md(ui["exposures_of"].format(
            name=actor_name(screening, actor, lang), role=ui[role],
            n=sum(len(g.items) for g in actor_groups), m=len(actor_groups)))]
        out += [_md_group(group, ui) for group in actor_groups] or ["", f"*{md(ui['none'])}*"]
    out += ["", f"## {md(ui['mitigation_heading'])}", "", f"*{md(ui['mitigation_note'])}*", ""]
    uses = mitigation_uses(screening, groups)
    for index, mitigation in enumerate(screening.mitigations):
        out.append(f"- **M{index + 1} {md(_mitigation_title(mitigation, lang))}** — "
                   f"{md(ui['addresses'])}: {md(', '.join(mitigation.addresses))}; "
                   f"{md(_uses_text(uses, index, ui))}. "
                   + " ".join(md_link(url) for url in mitigation.sources))
    return "\n".join(out) + "\n"


def _md_group(group: Group, ui: dict[str, str]) -> str:
    lines = ["", f"### {md(group.source)}", "", f"{md(group.detail)} — {md(ui['sources'])}: "
             + " ".join(md_link(u) for u in group.sources), ""]
    for item in group.items:
        lines.append(f"- **\\[{item.number}\\] {md(item.status)}** {md(item.dates)} — "
                     f"{md(item.kind)}")
        if item.provision:
            lines.append(f"  - {md(ui['provision'])}: {md(item.provision)}")
        lines.append(f"  - {md(ui['risks'])}: " + "; ".join(
            f"{md(n)} ({md(', '.join(c))})" if c else md(n) for n, c in item.risks))
        lines.append(f"  - {md(ui['path'])}: " + " ".join(
            f"→ {md(rel)} → {md(text)}" if rel else md(text) for rel, text in item.path))
        if item.sources:
            lines.append(f"  - {md(ui['path_sources'])}: "
                         + " ".join(md_link(u) for u in item.sources))
        if item.mitigations:
            lines.append(f"  - {md(ui['mitigations'])}: "
                         + ", ".join(f"M{i + 1}" for i in item.mitigations))
    return "\n".join(lines)


# -- HTML

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1d2327}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}
h3{margin:1.5rem 0 .25rem}.detail{color:#555;margin:0}
.note{background:#f6f8fa;border-left:4px solid #8a9499;padding:.5rem 1rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}
.exposure{border:1px solid #d0d7de;border-radius:6px;padding:.25rem 1rem;margin:.5rem 0}
.status{font-weight:bold;border-radius:3px;padding:0 .4rem;color:#fff}
.current{background:#b3204d}.upcoming{background:#c46a07}.pending{background:#6b7078}
.diagram img{max-width:100%;height:auto;border:1px solid #d0d7de}
dt{font-weight:bold;float:left;clear:left;width:9rem}dd{margin:0 0 .2rem 9.5rem}
"""
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")


def h(text: str) -> str:
    from kg.textsafe import html_text

    return html_text(text)


def h_link(url: str) -> str:
    if re.match(r"^https?://", url):
        return f'<a href="{h(url)}" rel="noreferrer noopener">{h(url)}</a>'
    return h(url)


def to_html(screening: Screening, lang: str = "en") -> str:
    ui = UI[lang]
    groups = report(screening, lang)
    title = ui["title"].format(name=actor_name(screening, screening.company, lang))
    body = [f"<h1>{h(title)}</h1>",
            f"<p>{h(ui['meta'].format(profile=screening.profile, as_of=screening.as_of))}</p>",
            f'<p class="note">{h(ui["note"])}</p>',
            f"<h2>{h(ui['profile_says'])}</h2><ul>" + "".join(
                f"<li>{h(s.get(lang) or s['en'])}</li>" for s in screening.statements) + "</ul>",
            f"<p>{h(totals(screening, lang))}</p>", _html_table(summary_rows(screening, lang))]
    for actor, role in screening.actors:
        actor_groups = groups[actor]
        name = actor_name(screening, actor, lang)
        heading = ui["exposures_of"].format(name=name, role=ui[role], m=len(actor_groups),
                                            n=sum(len(g.items) for g in actor_groups))
        body.append(f"<h2>{h(heading)}</h2>")
        body.append(_diagram(screening, actor, name, lang) if actor_groups else "")
        body += [_html_group(g, ui) for g in actor_groups] or [f"<p>{h(ui['none'])}</p>"]
    body.append(_html_mitigations(screening, groups, lang))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{h(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _html_table(rows: list[dict[str, str]]) -> str:
    head = "".join(f"<th>{h(c)}</th>" for c in rows[0])
    cells = "".join("<tr>" + "".join(f"<td>{h(v)}</td>" for v in row.values()) + "</tr>"
                    for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


def _html_group(group: Group, ui: dict[str, str]) -> str:
    out = [f"<h3>{h(group.source)}</h3>", f'<p class="detail">{h(group.detail)}</p>',
           f"<p>{h(ui['sources'])}: " + "<br>".join(h_link(u) for u in group.sources) + "</p>"]
    out += [_html_item(item, ui) for item in group.items]
    return "\n".join(out)


def _html_item(item: Item, ui: dict[str, str]) -> str:
    path = " ".join(f"→ {h(rel)} → <b>{h(text)}</b>" if rel else f"<b>{h(text)}</b>"
                    for rel, text in item.path)
    rows = [(ui["provision"], h(item.provision))] if item.provision else []
    rows.append((ui["risks"], "; ".join(f"{h(n)} <small>({h(', '.join(c))})</small>"
                                        for n, c in item.risks)))
    rows.append((ui["path"], path))
    if item.sources:
        rows.append((ui["path_sources"], "<br>".join(h_link(u) for u in item.sources)))
    if item.mitigations:
        rows.append((ui["mitigations"], ", ".join(
            f'<a href="#m{i + 1}">M{i + 1}</a>' for i in item.mitigations)))
    fields = "".join(f"<dt>{h(k)}</dt><dd>{v}</dd>" for k, v in rows)
    status = item.record["status"] if item.record["status"] in STATUS_ORDER[:3] else "pending"
    return (f'<div class="exposure" id="e{item.number}"><p>[{item.number}] '
            f'<span class="status {status}">{h(item.status)}</span> '
            f"{h(item.dates)} — {h(item.kind)}</p><dl>{fields}</dl></div>")


def _html_mitigations(screening: Screening, groups: dict[str, list[Group]], lang: str) -> str:
    ui = UI[lang]
    uses = mitigation_uses(screening, groups)
    out = [f"<h2>{h(ui['mitigation_heading'])}</h2><p><small>{h(ui['mitigation_note'])}"
           "</small></p><ul>"]
    for index, mitigation in enumerate(screening.mitigations):
        text = mitigation.description.get(lang) or mitigation.description.get("en") or ""
        out.append(f'<li id="m{index + 1}"><b>M{index + 1} '
                   f"{h(_mitigation_title(mitigation, lang))}</b> — {h(ui['addresses'])}: "
                   f"{h(', '.join(mitigation.addresses))}; {h(_uses_text(uses, index, ui))}"
                   f"<br><small>{h(text)}</small><br>"
                   + "<br>".join(h_link(u) for u in mitigation.sources) + "</li>")
    out.append("</ul>")
    return "".join(out)


def _diagram(screening: Screening, actor: str, name: str, lang: str) -> str:
    """The actor's exposure paths as an inline SVG image, drawn by kg.viz when available."""
    import base64

    try:
        from kg.viz import exposure_view, render_svg
    except ImportError:
        return ""
    view = exposure_view(screening.all_records, "actor", actor, as_of=screening.as_of, lang=lang)
    svg = base64.b64encode(render_svg(view).encode("utf-8")).decode("ascii")
    alt = UI[lang]["diagram"].format(name=name)
    return f'<p class="diagram"><img alt="{h(alt)}" src="data:image/svg+xml;base64,{svg}"></p>'


RENDERERS = {"text": to_text, "md": to_markdown, "html": to_html}


def render(screening: Screening, fmt: str, lang: str = "en") -> str:
    return RENDERERS[fmt](screening, lang)
