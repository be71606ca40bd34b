"""Namespaces and the IRI scheme. IRIs depend only on letter content, never on paths or time."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

IMR = Namespace("https://w3id.org/imr-kg/ontology#")
ID = Namespace("https://w3id.org/imr-kg/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
VOCAB_GRAPH = ID["graph/vocabulary"]

PREFIXES = {
    "imr": IMR,
    "id": ID,
    "oa": OA,
    "cito": CITO,
    "fabio": FABIO,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
}

__all__ = [
    "CITO",
    "DCTERMS",
    "FABIO",
    "ID",
    "IMR",
    "OA",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "VOCAB_GRAPH",
    "XSD",
]
