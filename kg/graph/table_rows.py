"""A letter's rows of the analyst tables (letters, items, sources, reasons), read off its own
triples in the worker that made them, without a SPARQL engine.

The tables are defined by ``queries/tables/*.rq`` (what ``imrkg export parquet`` runs over the
graph); this module evaluates the same graph patterns over one letter's triples plus the
vocabulary and ontology (labels, ``imr:isMTUS``, which property names which citing party), so a
build can write the tables as it writes the graph: running the table queries on an in-memory
store cost 1.1-1.3 ms a letter, this about 0.1 ms. The test suite holds the two equal, table by
table and value by value, on the shared letters and synthetic ones (tests/test_tables.py).

Values are typed as :func:`kg.stores.queries.iter_select` types them (``typed=True``): integers,
booleans, text; IRIs as text; list columns as lists of the distinct values, sorted, as
:func:`kg.building.tables.table_value` makes them of a GROUP_CONCAT.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from kg.graph.iris import IMR, RDF, RDFS, SKOS
from kg.graph.terms import read_iri, read_term, typed_value

_Term = tuple  # ("iri", IRI) or ("lit", lexical, datatype, language), as kg.graph.terms.read_term gives
_TYPE, _PREF, _LABEL, _NOTATION = RDF.type, SKOS.prefLabel, RDFS.label, SKOS.notation


class _Graph:
    """Terms by (subject, predicate), for one letter's triples over the fixed graphs."""

    def __init__(self, triples: list[tuple[str, str, str]], fixed: dict[tuple[str, str], list[_Term]]) -> None:
        self.fixed = fixed
        self.own: dict[tuple[str, str], list[_Term]] = defaultdict(list)
        for s, p, o in triples:
            self.own[(read_iri(s), read_iri(p))].append(read_term(o))

    def objects(self, s: str | None, p: str) -> list[_Term]:
        if s is None:
            return []
        return self.own.get((s, p), []) + self.fixed.get((s, p), [])

    def iris(self, s: str | None, p: str) -> list[str]:
        return [t[1] for t in self.objects(s, p) if t[0] == "iri"]

    def iri(self, s: str | None, p: str) -> str | None:
        found = self.iris(s, p)
        return found[0] if found else None

    def value(self, s: str | None, p: str) -> Any:
        """The first object of (s, p) as a typed value: a literal's value, an IRI as text."""
        found = self.objects(s, p)
        return _typed(found[0]) if found else None

    def values(self, s: str | None, p: str) -> list[Any]:
        return [_typed(t) for t in self.objects(s, p)]

    def holds(self, s: str | None, p: str) -> bool:
        """``EXISTS { s p true }``."""
        return any(t[0] == "lit" and t[1] in ("true", "1") and t[2].endswith("#boolean") for t in self.objects(s, p))

    def subjects(self, p: str, o: str) -> list[str]:
        return [s for (s, pred), objs in self.own.items() if pred == p and any(t[1] == o for t in objs)]


def _typed(term: _Term) -> Any:
    return term[1] if term[0] != "lit" else typed_value(term[1], term[2])


def _joined(values: list) -> str | None:
    """GROUP_CONCAT(DISTINCT ...; SEPARATOR="; "): None when there is nothing to join."""
    distinct = list(dict.fromkeys(str(v) for v in values))
    return "; ".join(distinct) if distinct else None


@cache
def _fixed() -> tuple[dict[tuple[str, str], list[_Term]], dict[str, str]]:
    """The vocabulary and ontology triples by (subject, predicate), and the citing party each
    citation property names (``?property imr:citingParty ?party``)."""
    import pyoxigraph as ox

    from kg.base.resources import ontology_file, vocabulary_file

    out: dict[tuple[str, str], list[_Term]] = defaultdict(list)
    parties: dict[str, str] = {}
    for source in (vocabulary_file(), ontology_file()):
        with source.open("rb") as fh:
            for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
                s, p, o = t.subject.value, t.predicate.value, t.object
                if isinstance(o, ox.Literal):
                    term: _Term = ("lit", o.value, o.datatype.value, o.language)
                else:
                    term = ("iri", o.value)
                out[(s, p)].append(term)
                if p == IMR.citingParty:
                    parties[s] = o.value
    return dict(out), parties


def letter_rows(triples: list[tuple[str, str, str]]) -> dict[str, list[list]]:
    """Table name -> this letter's rows (columns in the order of ``queries/tables/NAME.rq``)."""
    fixed, parties = _fixed()
    g = _Graph(triples, fixed)
    out: dict[str, list[list]] = {"letters": [], "items": [], "sources": [], "reasons": []}
    for letter in g.subjects(_TYPE, IMR.DeterminationLetter):
        out["letters"].append(_letter(g, letter))
        for item in g.iris(letter, IMR.hasItem):
            out["items"].append(_item(g, letter, item))
            out["sources"] += _sources(g, item, parties)
            out["reasons"] += _reasons(g, item)
    return out


def _label(g: _Graph, iri: str | None, predicate: str = _PREF) -> Any:
    return g.value(iri, predicate)


def _letter(g: _Graph, letter: str) -> list:
    patient = g.iri(letter, IMR.patient)
    reviewers = g.iris(letter, IMR.reviewer)
    specialties = [label for r in reviewers for s in g.iris(r, IMR.specialty) for label in g.values(s, _PREF)]
    states = [code for r in reviewers for s in g.iris(r, IMR.licensedIn) for code in g.values(s, _NOTATION)]
    return [
        letter,
        g.value(letter, IMR.caseNumber),
        g.value(letter, IMR.decisionDate),
        g.value(letter, IMR.dateAssigned),
        g.value(letter, IMR.applicationReceivedDate),
        g.value(letter, IMR.urDenialDate),
        g.value(patient, IMR.injuryDate),
        g.value(letter, IMR.priority),
        _label(g, g.iri(letter, IMR.letterOutcome)),
        g.value(letter, IMR.layout),
        g.value(patient, IMR.age),
        g.value(patient, IMR.sex),
        _joined(specialties),
        _joined(states),
    ]


def _item(g: _Graph, letter: str, item: str) -> list:
    treatment = g.iri(item, IMR.treatment)
    return [
        item,
        letter,
        g.value(item, IMR.itemNumber),
        g.value(item, _LABEL),
        _label(g, g.iri(g.iri(item, IMR.decision), IMR.outcome)),
        treatment,
        _label(g, treatment),
        _label(g, g.iri(item, IMR.treatmentCategory)),
        _label(g, g.iri(item, IMR.treatmentSubcategory)),
        _label(g, g.iri(item, IMR.drugClass)),
        g.value(item, IMR.classificationBasis),
        _joined(g.values(item, IMR.spinalLevel)),
        _joined(g.values(item, IMR.bodyRegion)),
        g.holds(item, IMR.isRetrospective),
        g.holds(item, IMR.isRemainderOfModifiedRequest),
        g.holds(item, IMR.associatedSurgery),
    ]


def _sources(g: _Graph, item: str, parties: dict[str, str]) -> list[list]:
    rows = []
    for prop, party in parties.items():
        for citation in g.iris(item, prop):
            outside = g.holds(citation, IMR.outsideMTUS)
            for source in g.iris(citation, IMR.hasSource):
                work = g.iri(source, IMR.work)
                named = g.objects(source, IMR.chapterName)
                known = g.objects(g.iri(source, IMR.chapter), _LABEL)
                chapter = (named or known or [()])[0]
                rows.append(
                    [
                        source,
                        item,
                        party.rpartition("#")[2],
                        work,
                        _label(g, work, _LABEL),
                        chapter[1] if chapter else None,  # STR(): the lexical form
                        g.value(work, IMR.isMTUS),
                        g.value(source, IMR.editionYear),
                        _joined([t[1] for t in g.objects(source, IMR.page)]),
                        _joined(g.values(source, IMR.section)),
                        outside,
                    ]
                )
    return rows


def _reasons(g: _Graph, item: str) -> list[list]:
    rows = []
    for decision in g.iris(item, IMR.decision):
        for statement in g.iris(decision, IMR.hasReasonStatement):
            span = statement.partition("#char=")[2]
            start, _, end = span.partition(",")
            for reason in g.iris(statement, IMR.reasonCode):
                rows.append([item, reason, _label(g, reason), _integer(start), _integer(end)])
    return rows


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


__all__ = ["letter_rows"]
