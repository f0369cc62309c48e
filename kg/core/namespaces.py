"""The project's namespaces and the prefixes used when reading and writing RDF."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

AIG = Namespace("https://w3id.org/aigov-kg/ontology#")
ID = Namespace("https://w3id.org/aigov-kg/id/")
RULE = Namespace("https://w3id.org/aigov-kg/rule/")
GRAPH = Namespace("https://w3id.org/aigov-kg/graph/")
EXPOSURE_BASE = str(ID) + "exposure/"
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_IRI = "https://w3id.org/aigov-kg/ontology"

PREFIXES: dict[str, str] = {
    "aig": str(AIG),
    "id": str(ID),
    "rule": str(RULE),
    "shapes": "https://w3id.org/aigov-kg/shapes#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sh": str(SH),
    "dpv": "https://w3id.org/dpv#",
    "risk": "https://w3id.org/dpv/risk#",
    "ai": "https://w3id.org/dpv/ai#",
    "airo": "https://w3id.org/airo#",
    "vair": "https://w3id.org/vair#",
}

__all__ = [
    "AIG", "DCTERMS", "EXPOSURE_BASE", "GRAPH", "ID", "ONTOLOGY_IRI", "OWL", "PREFIXES",
    "PROV", "RDF", "RDFS", "RULE", "SH", "SKOS", "XSD",
]


def short_name(iri: str) -> str:
    """A compact name for display: ``deepseek`` for instances, ``aig:Ban`` style otherwise."""
    if iri.startswith(str(ID)):
        return iri[len(str(ID)):]
    if iri.startswith(str(AIG)):
        return iri[len(str(AIG)):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
