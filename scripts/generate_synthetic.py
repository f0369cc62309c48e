"""Generate a real-shaped synthetic aigov-kg project of about N triples, seeded.

The project gets the shipped ontology (rules, shapes, QC queries included) and one or
more Turtle data files shaped like the curated data: a jurisdiction tree (unions,
countries, sub-national units), authorities, instruments with application phases,
rescissions and proposals, companies with models, apps and robots, activities aimed at
markets at home and abroad, supply chains, measures and allegations. Proportions follow
the curated data: per company ~1.6 artefacts, ~3 activities and ~0.4 measures or
allegations naming it; per union or country 3-6 laws (a third with a later phase, a
third extraterritorial, a tenth rescinded and a tenth proposed). Laws are bounded by the
jurisdiction tree, as in life, so exposures grow about linearly with the graph. Every record
carries a label in both languages, a source and a curation date (instruments an official
text, non-final statuses a confirmation date; the project's copy of the source policy
counts example.org as official), so the project passes
validation.

    python scripts/generate_synthetic.py --triples 100000 --out /tmp/syn-100k
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AIG = "https://w3id.org/aigov-kg/ontology#"
ID = "https://w3id.org/aigov-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"

ACTIVITY_TYPES = ["OfferingService", "DistributingApp", "PlacingProductOnMarket",
                  "PublishingOpenWeights", "ProcessingPersonalData",
                  "TransferringDataAcrossBorder", "RaisingCapital", "ExportingTechnology"]
RISKS = {
    "CybersecurityThreatNarrativeRisk": ["NationalSecurityExclusionRisk", "GovernmentUseBanRisk",
                                         "MarketAccessSuspensionRisk",
                                         "DataProtectionEnforcementRisk"],
    "TechnologyTheftAllegationRisk": ["TradeSecretTheftRisk", "ModelDistillationAllegationRisk"],
    "StateBackingAllegationRisk": ["SubsidyInvestigationRisk", "StateControlAllegationRisk"],
    "OpenSourceModelRegulationRisk": ["OpenModelObligationRisk", "TrainingDataIPRisk",
                                      "NewLegislationRisk", "LongArmJurisdictionRisk"],
    "PhysicalAIProductRisk": ["ProductLiabilityRisk", "ProductTechnicalStandardRisk",
                              "PersonalInformationProtectionRisk", "CybersecurityComplianceRisk"],
    "GeopoliticalUncertaintyRisk": ["InvestmentRestrictionRisk", "CrossBorderDataRisk",
                                    "ExportControlRisk", "EntityListingRisk"],
}
ALL_RISKS = [r for subs in RISKS.values() for r in subs]
MEASURES = ["DeviceBan", "Order", "Investigation", "AppStoreRemoval", "EntityListing"]
ARTEFACTS = [("OpenWeightModel", "developsModel"), ("AIService", "providesService"),
             ("Robot", "manufactures"), ("SmartHomeDevice", "manufactures")]


class Writer:
    """Turtle writer that counts triples; terms are written safely by construction."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.triples = 0

    def record(self, local: str, props: list[tuple[str, str]]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in props)
        self.lines.append(f"id:{local}\n    {body} .\n")
        self.triples += sum(o.count(",") + 1 for _, o in props)


def date(rng: random.Random, start: int = 2015, end: int = 2027) -> str:
    day = f"{rng.randint(start, end)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f'"{day}"^^xsd:date'


def common(kind: str, name: str, rng: random.Random, n: int) -> list[tuple[str, str]]:
    return [("a", kind), ("rdfs:label", f'"{name} {n}"@en , "合成{name}{n}"@zh'),
            ("dcterms:source", f"<https://example.org/synthetic/{name.lower()}/{n}>"),
            ("aig:curatedOn", '"2026-11-28"^^xsd:date')]


def confirmed(source: str) -> list[tuple[str, str]]:
    """A non-final status is a dated claim: when and where it was last confirmed."""
    return [("aig:statusConfirmedOn", '"2026-11-20"^^xsd:date'), ("aig:statusSource", source)]


def generate(target: int, seed: int) -> Writer:
    rng = random.Random(seed)
    w = Writer()
    scale = max(1, target // 1000)
    unions = max(2, scale // 40)
    countries = max(8, min(240, 8 + scale // 4))
    regions = countries * 3

    for u in range(unions):
        w.record(f"syn-union-{u}", common("aig:SupranationalUnion", "Union", rng, u))
    country_ids = []
    for c in range(countries):
        props = common("aig:Country", "Country", rng, c)
        if rng.random() < 0.6:
            props.append(("aig:within", f"id:syn-union-{rng.randrange(unions)}"))
        w.record(f"syn-country-{c}", props)
        country_ids.append(f"syn-country-{c}")
        w.record(f"syn-authority-{c}", [*common("aig:Regulator", "Authority", rng, c),
                                        ("aig:headquarteredIn", f"id:syn-country-{c}")])
    for r in range(regions):
        w.record(f"syn-region-{r}", [*common("aig:SubnationalJurisdiction", "Region", rng, r),
                                     ("aig:within", f"id:{rng.choice(country_ids)}")])
    jurisdictions = ([f"syn-union-{u}" for u in range(unions)] + country_ids
                     + [f"syn-region-{r}" for r in range(regions)])
    home = "syn-country-0"

    # laws are per jurisdiction, so they stop growing once every jurisdiction has its share:
    # 3-6 per union or country, 0-1 per region, a third with phases (provisions)
    law = 0
    for jur in jurisdictions:
        for _ in range(rng.randint(0, 1) if jur.startswith("syn-region") else rng.randint(3, 6)):
            write_law(w, rng, law, jur, countries)
            law += 1

    companies = 0
    sources = 0
    while w.triples < target:
        write_company(w, rng, companies, home, country_ids, jurisdictions)
        companies += 1
        # measures and allegations grow with the companies they name (~0.4 per company)
        while sources < companies * 0.4:
            write_measure(w, rng, sources, companies, countries, jurisdictions)
            sources += 1
    # every category raised at least once, as the QC check requires
    for i, category in enumerate(RISKS):
        w.record(f"syn-category-source-{i}", [
            *common("aig:Investigation", "CategoryCase", rng, i),
            ("aig:jurisdiction", f"id:{home}"), ("aig:targets", "id:syn-company-0"),
            ("aig:raisesRisk", f"aig:{category}"), ("aig:status", "aig:Ongoing"),
            *confirmed(f"<https://example.org/synthetic/categorycase/{i}>"),
            ("aig:issuedOn", '"2025-01-01"^^xsd:date')])
    return w


def write_company(w: Writer, rng: random.Random, c: int, home: str, country_ids: list[str],
                  jurisdictions: list[str]) -> None:
    """One company with its artefacts, activities and maybe a supplier."""
    company = f"syn-company-{c}"
    seat = home if rng.random() < 0.5 else rng.choice(country_ids)
    props = [*common("aig:Company", "Company", rng, c), ("aig:headquarteredIn", f"id:{seat}")]
    artefacts = []
    for a in range(1 if rng.random() < 0.4 else 2):
        kind, prop = rng.choice(ARTEFACTS)
        art = f"syn-artefact-{c}-{a}"
        artefacts.append((art, kind))
        props.append((f"aig:{prop}", f"id:{art}"))
        w.record(art, common(f"aig:{kind}", "Artefact", rng, c * 10 + a))
    w.record(company, props)
    for k in range(3):
        act_type = rng.choice(ACTIVITY_TYPES)
        art, kind = rng.choice(artefacts)
        if kind in ("Robot", "SmartHomeDevice"):
            act_type = "PlacingProductOnMarket"
        act_props = [*common(f"aig:{act_type}", "Activity", rng, c * 10 + k),
                     ("aig:performedBy", f"id:{company}"),
                     ("aig:inJurisdiction", f"id:{rng.choice(jurisdictions)}"),
                     ("aig:concernsArtefact", f"id:{art}")]
        if rng.random() < 0.5:
            act_props.append(("aig:fromJurisdiction", f"id:{home}"))
        if rng.random() < 0.3:
            act_props.append(("aig:startDate", date(rng, 2020, 2026)))
        w.record(f"syn-activity-{c}-{k}", act_props)
    robots = [a for a, kind in artefacts if kind in ("Robot", "SmartHomeDevice")]
    if robots and rng.random() < 0.5:
        robot = robots[0]
        part = f"syn-component-{c}"
        w.record(part, [*common("aig:HardwareComponent", "Component", rng, c),
                        ("aig:componentOf", f"id:{robot}")])
        w.record(f"syn-supplier-{c}", [*common("aig:Company", "Supplier", rng, c),
                                       ("aig:suppliesHardwareFor", f"id:{part}")])


def write_measure(w: Writer, rng: random.Random, s: int, companies: int, countries: int,
                  jurisdictions: list[str]) -> None:
    """One measure or allegation against one of the companies so far."""
    allegation = rng.random() < 0.25
    kind = "aig:Allegation" if allegation else f"aig:{rng.choice(MEASURES)}"
    w.record(f"syn-measure-{s}", [
        *common(kind, "Measure", rng, s),
        ("aig:jurisdiction", f"id:{rng.choice(jurisdictions)}"),
        ("aig:issuedBy", f"id:syn-authority-{rng.randrange(countries)}"),
        ("aig:targets", f"id:syn-company-{rng.randrange(companies)}"),
        ("aig:raisesRisk", f"aig:{rng.choice(ALL_RISKS)}"),
        ("aig:status", "aig:Published" if allegation else "aig:InForce"),
        *confirmed(f"<https://example.org/synthetic/measure/{s}>"),
        ("aig:issuedOn", date(rng, 2018, 2026))])


def write_law(w: Writer, rng: random.Random, n: int, jur: str, countries: int) -> None:
    status = rng.choices(["InForce", "Rescinded", "Proposed"], [0.8, 0.1, 0.1])[0]
    kind = "aig:Legislation" if rng.random() < 0.6 else "aig:ExecutiveRule"
    props = [*common(kind, "Instrument", rng, n),
             ("aig:jurisdiction", f"id:{jur}"),
             ("aig:issuedBy", f"id:syn-authority-{rng.randrange(countries)}"),
             ("aig:governsActivity", f"aig:{rng.choice(ACTIVITY_TYPES)}"),
             ("aig:raisesRisk", f"aig:{rng.choice(ALL_RISKS)}"),
             ("aig:status", f"aig:{status}"),
             ("aig:officialText", f"<https://example.org/synthetic/instrument/{n}/text>"),
             ("aig:issuedOn", '"2015-01-01"^^xsd:date')]
    if status != "Rescinded":
        props += confirmed(f"<https://example.org/synthetic/instrument/{n}>")
    if status != "Proposed":
        props.append(("aig:inForceFrom", date(rng, 2016, 2026)))
    if status == "Rescinded":
        props.append(("aig:endedOn", '"2027-06-30"^^xsd:date'))
    if rng.random() < 0.35:
        props.append(("aig:hasExtraterritorialReach", '"true"^^xsd:boolean'))
    if rng.random() < 0.1:
        props.append(("aig:extendsLiabilityToSuppliers", '"true"^^xsd:boolean'))
    w.record(f"syn-law-{n}", props)
    if rng.random() < 0.35:
        w.record(f"syn-provision-{n}", [
            *common("aig:Provision", "Provision", rng, n),
            ("aig:partOf", f"id:syn-law-{n}"),
            ("aig:governsActivity", f"aig:{rng.choice(ACTIVITY_TYPES)}"),
            ("aig:raisesRisk", f"aig:{rng.choice(ALL_RISKS)}"),
            ("aig:appliesFrom", date(rng, 2025, 2028))])


def write_project(out: Path, target: int, seed: int, chunk: int = 20000) -> int:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "ontology", out / "ontology")
    with open(out / "ontology" / "source-policy.ttl", "a", encoding="utf-8") as policy:
        policy.write('\nsrcpol:example.org a aig:SourceDomain ; aig:domainName "example.org" ; '
                     'aig:sourceTier aig:OfficialTier ; rdfs:comment "synthetic benchmark data '
                     'only: this project\'s own policy" .\n')
    (out / "data").mkdir(parents=True)
    writer = generate(target, seed)
    header = (f"@prefix aig: <{AIG}> .\n@prefix id: <{ID}> .\n@prefix xsd: <{XSD}> .\n"
              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              "@prefix dcterms: <http://purl.org/dc/terms/> .\n\n")
    for n, start in enumerate(range(0, len(writer.lines), chunk)):
        body = "\n".join(writer.lines[start:start + chunk])
        (out / "data" / f"synthetic-{n:03d}.ttl").write_text(header + body, encoding="utf-8")
    return writer.triples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    count = write_project(args.out, args.triples, args.seed)
    print(f"wrote {args.out} with about {count:,} data triples (seed {args.seed})")


if __name__ == "__main__":
    main()
