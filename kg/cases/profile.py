"""Company profiles for `kg screen`: read a profile (docs/screening.md), with file and line
for every problem, and map it — by the tables below, from profile words to ontology
classes and properties — to temporary case records under ``screen-<company>-…``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.core.errors import Finding

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


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


def slug(text: str) -> str:
    """A kebab-case id part for a name (a hash for names with no Latin letters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return part or "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


# --------------------------------------------------------------------------- worldwide


def rule_places(graph: Graph) -> Callable[[str], list[str]]:
    """For an activity class (local name), the ids of the jurisdictions in ``graph`` (the
    ontology and the curated data) with an instrument, measure or provision governing it
    or a broader activity type."""
    from rdflib.namespace import RDFS

    from kg.core.namespaces import AIG, short_name

    governing: dict[str, set[str]] = {}
    for node, governed in graph.subject_objects(AIG.governsActivity):
        places = set(graph.objects(node, AIG.jurisdiction))
        for parent in graph.objects(node, AIG.partOf):
            places.update(graph.objects(parent, AIG.jurisdiction))
        governing.setdefault(str(governed), set()).update(short_name(str(j)) for j in places)

    def places_for(activity: str) -> list[str]:
        seen: set[Node] = set()
        todo: list[Node] = [AIG[activity]]
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


def products_for(profile: Profile, act: Act) -> list[Product]:
    families = DOINGS[act.doing].concerns
    listed = None if act.products is None else {slug(v.text) for v in act.products}
    return [p for p in profile.products if PRODUCT_KINDS[p.kind].family in families
            and (listed is None or slug(p.name.text) in listed)]
