"""A checked profile as temporary case records under ``screen-<company>-…``, by the
mapping tables of :mod:`kg.cases.profile`, and those records as a case file."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from kg.cases import profile as pf
from kg.cases.profile import Act, Doing, Party, Product, Profile, Value, products_for, slug
from kg.core.errors import Finding, ValidationFailed

# --------------------------------------------------------------------------- case records


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
        """Add ``values`` under ``key``; a key stated again (a company providing two
        services) extends the first statement's list, since a case record has each key once."""
        values = [values] if isinstance(values, str) else values
        earlier = next((f for f in self.fields if f.key == key), None)
        if (earlier is not None and isinstance(earlier.values, list)
                and isinstance(values, list) and earlier.profile_key == profile_key):
            earlier.values += [v for v in values if v not in earlier.values]
            return
        self.fields.append(Field(key, values, line, profile_key))


class _Mapper:
    """Turns a Profile into case records under ``screen-<company>-``."""

    def __init__(self, profile: Profile, display: str):
        self.profile = profile
        self.display = display
        self.base = pf.NAMESPACE + slug(profile.name.text)
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
        kind = pf.PRODUCT_KINDS[product.kind]
        pid = self.product_id(product.name.text)
        record = self.record(pid, list(kind.classes), product.name.text, product.name.line,
                             product.name_zh.text if product.name_zh else None)
        company.add(kind.relation, pid, product.name.line)
        self.say(self.company_names(), pf.RELATION_WORDS[kind.relation],
                 f"{product.name.text} [{', '.join(kind.classes)}]")
        if product.based_on:
            record.add("basedOnModel", self.product_id(product.based_on.text),
                       product.based_on.line)
        for cname, supplier in product.components:
            cid = f"{self.base}-part-{slug(product.name.text)}-{slug(cname.text)}"
            part = self.record(cid, ["HardwareComponent"],
                               f"{cname.text} of {product.name.text}", cname.line)
            part.add("componentOf", pid, cname.line)
            self.party(supplier, "supplier").add(pf.SUPPLIES["components"], cid, cname.line)
            self.say((supplier.name.text,) * 2, pf.RELATION_WORDS[pf.SUPPLIES["components"]],
                     f"{cname.text} → {product.name.text}")
        for prop, supplier in product.suppliers:
            self.party(supplier, "supplier").add(prop, pid, supplier.name.line)
            self.say((supplier.name.text,) * 2, pf.RELATION_WORDS[prop], product.name.text)

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
        doing = pf.DOINGS[act.doing]
        origin = act.origin or self.profile.headquartered
        products = products_for(self.profile, act) if doing.concerns else []
        choices: list[Product | None] = list(products) if products else [None]
        for product in choices:
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
        label, label_zh = self.activity_labels(pf.RECEIVING, arrival, act.where, None)
        self.statements.append({"en": label, "zh": label_zh})
        record = self.record(rid, [pf.RECEIVING.activity], label, act.line, label_zh)
        self.activity_fields(record, arrival, destination, None)

    def say_worldwide(self) -> None:
        """One statement per worldwide activity, listing the jurisdictions it became."""
        en, zh = self.company_names()
        for act, product, places in self.worldwide.values():
            doing = pf.DOINGS[act.doing]
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
