"""The names of :mod:`kg.graph.iris` as rdflib terms, for code that builds or reads rdflib graphs:
``(letter_iri(x), RDF.type, IMR.DeterminationLetter) in kg.letter_graph(x)``.

:mod:`kg.graph.iris` spells every IRI once, as plain strings; this module only wraps them. rdflib
compares a URIRef with a plain str as different (``URIRef(x) == x`` is False, and a graph
lookup with a str finds nothing), so whatever meets an rdflib graph takes its names from here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.graph import iris
from kg.graph.iris import (
    LETTER_BASE,
    SOURCE_FILE_PREFIX,
    compact,
    expand,
    is_fixed_graph,
    is_letter_graph,
    letter_key,
    split_letter_iri,
    split_text_position,
    text_position_iri,
)

_P = ParamSpec("_P")


def _uriref(mint: Callable[_P, str]) -> Callable[_P, URIRef]:
    """``mint`` of :mod:`kg.graph.iris`, giving a URIRef."""

    @wraps(mint)
    def minted(*args: _P.args, **kwargs: _P.kwargs) -> URIRef:
        return URIRef(mint(*args, **kwargs))

    return minted


IMR = Namespace(iris.IMR)
ID = Namespace(iris.ID)
STAT = Namespace(iris.STAT)
OA = Namespace(iris.OA)
CITO = Namespace(iris.CITO)
FABIO = Namespace(iris.FABIO)
QB = Namespace(iris.QB)

VOCAB_GRAPH = URIRef(iris.VOCAB_GRAPH)
ONTOLOGY_GRAPH = URIRef(iris.ONTOLOGY_GRAPH)
STATISTICS_GRAPH = URIRef(iris.STATISTICS_GRAPH)
LOAD_STATE_GRAPH = URIRef(iris.LOAD_STATE_GRAPH)
LOAD_STATE = URIRef(iris.LOAD_STATE)
FIXED_GRAPHS = tuple(URIRef(g) for g in iris.FIXED_GRAPHS)
TREATMENT_SCHEME = URIRef(iris.TREATMENT_SCHEME)
SPECIALTY_SCHEME = URIRef(iris.SPECIALTY_SCHEME)
STATE_SCHEME = URIRef(iris.STATE_SCHEME)
REASON_SCHEME = URIRef(iris.REASON_SCHEME)
RXCUI_DATATYPE = URIRef(iris.RXCUI_DATATYPE)
NUCC_DATATYPE = URIRef(iris.NUCC_DATATYPE)

PREFIXES: dict[str, Namespace] = {prefix: Namespace(ns) for prefix, ns in iris.PREFIXES.items()}

letter_iri = _uriref(iris.letter_iri)
graph_iri = _uriref(iris.graph_iri)
item_iri = _uriref(iris.item_iri)
text_iri = _uriref(iris.text_iri)
part_iri = _uriref(iris.part_iri)
parser_iri = _uriref(iris.parser_iri)
source_file_iri = _uriref(iris.source_file_iri)
work_iri = _uriref(iris.work_iri)
chapter_iri = _uriref(iris.chapter_iri)
edition_iri = _uriref(iris.edition_iri)
treatment_iri = _uriref(iris.treatment_iri)
specialty_iri = _uriref(iris.specialty_iri)
state_iri = _uriref(iris.state_iri)
reason_iri = _uriref(iris.reason_iri)
statistics_dataset_iri = _uriref(iris.statistics_dataset_iri)
statistics_observation_iri = _uriref(iris.statistics_observation_iri)
statistics_graph = _uriref(iris.statistics_graph)

__all__ = [
    "CITO",
    "DCTERMS",
    "FABIO",
    "FIXED_GRAPHS",
    "ID",
    "IMR",
    "LETTER_BASE",
    "LOAD_STATE",
    "LOAD_STATE_GRAPH",
    "NUCC_DATATYPE",
    "OA",
    "ONTOLOGY_GRAPH",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "REASON_SCHEME",
    "RXCUI_DATATYPE",
    "SKOS",
    "SOURCE_FILE_PREFIX",
    "SPECIALTY_SCHEME",
    "STAT",
    "STATE_SCHEME",
    "STATISTICS_GRAPH",
    "TREATMENT_SCHEME",
    "VOCAB_GRAPH",
    "XSD",
    "chapter_iri",
    "compact",
    "edition_iri",
    "expand",
    "graph_iri",
    "is_fixed_graph",
    "is_letter_graph",
    "item_iri",
    "letter_iri",
    "letter_key",
    "parser_iri",
    "part_iri",
    "reason_iri",
    "source_file_iri",
    "specialty_iri",
    "split_letter_iri",
    "split_text_position",
    "state_iri",
    "statistics_dataset_iri",
    "statistics_graph",
    "statistics_observation_iri",
    "text_iri",
    "text_position_iri",
    "treatment_iri",
    "work_iri",
]
