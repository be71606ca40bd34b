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


class Cached:
    """Attribute access to a namespace that returns one shared URIRef per name.

    rdflib builds a new URIRef on every ``IMR.outcome``; the mapping asks for a few dozen
    names hundreds of times per letter, so each is made once and kept as a plain attribute.
    """

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


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
    "Cached",
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
