"""Namespaces, graph names and the IRI scheme: every IRI the project mints is spelled here, as plain
strings (:mod:`kg.graph.namespaces` gives the same names as rdflib terms, for rdflib graphs).

IRIs depend only on letter content, never on paths or time: a letter is named by its case number
(or a hash of its normalized text when it has none), and everything it states hangs below it
(``…/letter/CM16-0000001/item/2/citation/imr/source/1``). Shared things (guideline works and
chapters, treatments, specialties, states) have one IRI each across the corpus.

:func:`compact` and :func:`expand` are the one way to shorten an IRI to ``prefix:local`` and back
(messages, tables, the build manifest).

Plain strings, not rdflib terms: what only reads IRIs (a question, the concept list, the store)
starts without importing rdflib, which cost every ``imrkg query`` 55 ms of its 250.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from kg.base.version import PARSER_VERSION
from kg.base.vocab import canonical_state, slug, states


class Namespace(str):
    """An IRI prefix: ``IMR.outcome`` and ``IMR["outcome"]`` are the full IRI as a plain str (as
    with rdflib's Namespace, a name str already has -- ``title``, ``index`` -- needs the brackets)."""

    def __getitem__(self, local: str) -> str:  # type: ignore[override]
        return f"{self}{local}"

    def __getattr__(self, local: str) -> str:
        if local.startswith("__"):
            raise AttributeError(local)
        term = f"{self}{local}"
        setattr(self, local, term)  # kept: the next IMR.outcome is an attribute read, not a new string
        return term


IMR = Namespace("https://w3id.org/imr-kg/ontology#")
ID = Namespace("https://w3id.org/imr-kg/id/")
STAT = Namespace("https://w3id.org/imr-kg/statistics#")
OA = Namespace("http://www.w3.org/ns/oa#")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
QB = Namespace("http://purl.org/linked-data/cube#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")

# -- named graphs besides the letters' own -------------------------------------------------------
VOCAB_GRAPH = ID["graph/vocabulary"]
ONTOLOGY_GRAPH = ID["graph/ontology"]
STATISTICS_GRAPH = ID["graph/statistics"]
LOAD_STATE_GRAPH = ID["graph/load-state"]  # an embedded store's record of a load under way
LOAD_STATE = ID["load-state"]
FIXED_GRAPHS = (VOCAB_GRAPH, ONTOLOGY_GRAPH, STATISTICS_GRAPH)  # rewritten by every load

# -- concept schemes and datatypes of the vocabulary graph ---------------------------------------
TREATMENT_SCHEME = ID["scheme/treatments"]
SPECIALTY_SCHEME = ID["scheme/specialties"]
STATE_SCHEME = ID["scheme/states"]
REASON_SCHEME = ID["scheme/reasons"]
RXCUI_DATATYPE = ID["datatype/RxCUI"]
NUCC_DATATYPE = ID["datatype/NUCC"]
LETTER_BASE = str(ID["letter/"])


PREFIXES: dict[str, Namespace] = {  # the prefixes of every file and message
    "imr": IMR,
    "id": ID,
    "stat": STAT,
    "oa": OA,
    "cito": CITO,
    "fabio": FABIO,
    "qb": QB,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
}
# longest namespace first, so a namespace inside another (none today) would still win
_BY_LENGTH = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


def compact(iri: str) -> str:
    """``https://w3id.org/imr-kg/id/treatment/mri`` -> ``id:treatment/mri``; other text unchanged."""
    for namespace, prefix in _BY_LENGTH:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand(value: str) -> str:
    """The inverse of :func:`compact`: ``id:treatment/mri`` -> the full IRI; other text unchanged."""
    prefix, sep, local = value.partition(":")
    namespace = PREFIXES.get(prefix) if sep else None
    if namespace is None or local.startswith("//"):
        return value
    return f"{namespace}{local}"


# -- letters and what they state -----------------------------------------------------------------
class _Keyed(Protocol):
    @property
    def case_number(self) -> str | None: ...
    @property
    def sha256(self) -> str | None: ...


def letter_key(letter: _Keyed) -> str:
    """The letter's name in IRIs: its case number, or ``sha256-<hash of its normalized text>``."""
    return letter.case_number or f"sha256-{(letter.sha256 or '')[:20]}"


def letter_iri(letter: _Keyed | str) -> str:
    """The letter's IRI, from a letter or from its key (``CM16-0000001``)."""
    return ID[f"letter/{letter if isinstance(letter, str) else letter_key(letter)}"]


def graph_iri(letter: _Keyed | str) -> str:
    """The named graph that holds everything one letter states."""
    return f"{letter_iri(letter)}/graph"


def item_iri(letter: _Keyed | str, number: int) -> str:
    """Disputed item ``number`` of a letter."""
    return f"{letter_iri(letter)}/item/{number}"


def text_iri(letter: _Keyed | str) -> str:
    """The letter's normalized text as a resource (its content is the ``rdf:value`` of this IRI)."""
    return f"{letter_iri(letter)}/text"


def text_position_iri(letter: _Keyed | str, start: int, end: int) -> str:
    """Characters ``start``..``end`` of the letter's text as an RFC 5147 fragment IRI
    (``…/letter/CM16-0000001/text#char=120,164``): one IRI instead of an ``oa:TextPositionSelector``
    node with four quads; the W3C Web Annotation model admits such fragment IRIs as segments."""
    return f"{letter_iri(letter)}/text#char={start},{end}"


def split_text_position(iri: str) -> tuple[str, int, int] | None:
    """(letter key, start, end) of a :func:`text_position_iri`; None for any other IRI."""
    key, rest = split_letter_iri(iri)
    if not rest.startswith(_TEXT_FRAGMENT):
        return None
    start, sep, end = rest[len(_TEXT_FRAGMENT) :].partition(",")
    if not (sep and start.isdigit() and end.isdigit()):
        return None
    return key, int(start), int(end)


_TEXT_FRAGMENT = "text#char="


def part_iri(owner: str, *path: str | int) -> str:
    """A node a letter states below ``owner``: ``part_iri(item, "citation", "imr")``."""
    return "/".join((owner, *map(str, path)))


def parser_iri(version: str = PARSER_VERSION) -> str:
    """A version of the parser, the agent each letter graph attributes its letter to (described in
    the vocabulary graph: a version of ``imr:Parser``)."""
    return ID[f"parser/{version}"]


SOURCE_FILE_PREFIX = "urn:sha256:"  # a source file's IRI is this and the sha256 of its bytes


def source_file_iri(sha256: str) -> str:
    """The file a letter was read from, named by the sha256 of its bytes (not by its path): the
    graph states the hash once, in this IRI."""
    return f"{SOURCE_FILE_PREFIX}{sha256}"


def split_letter_iri(iri: str) -> tuple[str, str]:
    """(letter key, the rest of the path) of an IRI below a letter; (iri, "") for any other IRI.

    ``…/letter/CM16-1/item/2/decision`` -> ``("CM16-1", "item/2/decision")``.
    """
    if not iri.startswith(LETTER_BASE):
        return iri, ""
    key, _, rest = iri[len(LETTER_BASE) :].partition("/")
    return key, rest


def is_letter_graph(iri: str) -> bool:
    """Whether a named graph is a letter's (and not the vocabulary, ontology or statistics)."""
    return iri.startswith(LETTER_BASE) and iri.endswith("/graph")


# -- shared concepts -----------------------------------------------------------------------------
def work_iri(work: str) -> str:
    """A guideline work (``mtus-acoem``, ``odg``, …; ids in ``kg/data/guidelines.json``)."""
    return ID[f"guideline/{work}"]


def chapter_iri(work: str, chapter: str) -> str:
    """A chapter of a guideline work, named by its title."""
    return ID[f"guideline/{work}/chapter/{slug(chapter)}"]


def edition_iri(work: str, chapter: str, year: int) -> str:
    """One edition of a guideline chapter (``…/chapter/low-back-disorders/edition/2019``)."""
    return f"{chapter_iri(work, chapter)}/edition/{year}"


def treatment_iri(concept: str) -> str:
    """A concept of the treatment scheme (``mri``, ``drug/hydrocodone``, ``drug-class/opioids``)."""
    return ID[f"treatment/{concept}"]


def specialty_iri(name: str) -> str:
    """A reviewer specialty, named as the letters write it."""
    return ID[f"specialty/{slug(name)}"]


def state_iri(name: str) -> str:
    """A US state by its USPS code ("California" and "CA" give the same IRI)."""
    code = _state_codes().get(canonical_state(name))
    return ID[f"state/{code}"] if code else ID[f"state/{slug(name)}"]


@cache
def _state_codes() -> dict[str, str]:
    return {name: code for code, name in states().items()}


def reason_iri(code: str) -> str:
    """A concept of the reason scheme (``no-functional-improvement``, ``criteria-met``, ...)."""
    return ID[f"reason/{code}"]


# -- the statistics graph ------------------------------------------------------------------------
def statistics_dataset_iri(name: str) -> str:
    """The ``qb:DataSet`` of one canned question in the statistics graph."""
    return ID[f"statistics/{name}"]


def statistics_observation_iri(name: str, digest: str) -> str:
    """One ``qb:Observation`` of a dataset, named by a digest of its dimension values."""
    return ID[f"statistics/{name}/{digest}"]


def statistics_graph(name: str, by_month: bool = False) -> str:
    """The named graph of one question's statistics: all-time totals, or totals by decision month.
    One graph per dataset, so a query starts from the dataset's own index entries (a month's
    observations of one question, not of all of them)."""
    return ID[f"graph/statistics/{name}{'/by-month' if by_month else ''}"]


def is_fixed_graph(iri: str) -> bool:
    """Whether a named graph is rewritten by every load: vocabulary, ontology, statistics."""
    return iri in _FIXED or iri.startswith(_STATISTICS_PREFIX)


_FIXED = {str(g) for g in FIXED_GRAPHS}
_STATISTICS_PREFIX = str(STATISTICS_GRAPH) + "/"


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
    "Namespace",
    "chapter_iri",
    "compact",
    "edition_iri",
    "expand",
    "graph_iri",
    "is_letter_graph",
    "item_iri",
    "letter_iri",
    "letter_key",
    "parser_iri",
    "part_iri",
    "reason_iri",
    "specialty_iri",
    "source_file_iri",
    "split_letter_iri",
    "split_text_position",
    "text_iri",
    "text_position_iri",
    "state_iri",
    "is_fixed_graph",
    "statistics_dataset_iri",
    "statistics_graph",
    "statistics_observation_iri",
    "treatment_iri",
    "work_iri",
]
