"""A letter's rows of the analyst tables (letters, items, sources, reasons), read off its own
triples in the worker that made them, without a SPARQL engine.

The tables are defined by ``queries/tables/*.rq`` (what ``imrkg export parquet`` runs over the
graph); this module evaluates the same graph patterns over one letter's triples plus the
vocabulary and ontology (labels, ``imr:isMTUS``, which property names which citing party), so a
build can write the tables as it writes the graph: running the table queries on an in-memory
store cost 1.1-1.3 ms a letter, this about 0.1 ms. The test suite holds the two equal, table by
table and value by value, on the shared letters and synthetic ones (tests/test_tables.py).

Values come out as the tables hold them (:func:`table_value` of what the query gives): integers,
booleans, text, IRIs as text, dates as ISO text, list columns as sorted lists of the distinct
values. The letter's triples are read through the index SHACL validation already made of them
(:class:`kg.graph.shacl.Data`): indexing them a second time was a third of this module's cost.

This module also owns what the tables are: their columns (the SELECT of each query file), which
columns are lists, integers, booleans and dates, and :func:`table_value`; the Parquet side is
:mod:`kg.building.tables`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any

from kg.base.resources import query_files
from kg.graph.iris import IMR, RDF, RDFS, SKOS
from kg.graph.shacl import Data
from kg.graph.terms import typed_value

TABLES = "tables"  # the folder of queries/ whose files are the tables

# A column a table query makes with GROUP_CONCAT(...; SEPARATOR="; ") is a list in the table: an
# Arrow list<string> (list<int64> for page numbers), its items sorted (GROUP_CONCAT's order is the
# engine's), never "; "-joined text an analyst must split.
_LIST = re.compile(r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*SEPARATOR\s*=\s*"; "\s*\)\s+AS\s+\?(\w+)', re.I)
_PROJECTION = re.compile(r"^\s*SELECT\s+(.*?)\bWHERE\b", re.I | re.S | re.M)
_COLUMN = re.compile(r"\((?:[^()]|\([^()]*\))*\bAS\s+\?(\w+)\s*\)|\?(\w+)", re.I)
INTEGER_LISTS = frozenset({"pages"})
INTEGERS = frozenset({"edition_year", "item_number", "patient_age", "start", "end"})
BOOLEANS = frozenset(
    {"retrospective", "remainder_of_modified_request", "associated_surgery", "is_mtus", "outside_mtus"}
)
DATE_SUFFIX = "_date"  # a column named *_date holds dates


def table_queries() -> dict[str, str]:
    """Table name -> SPARQL, from ``queries/tables/*.rq``."""
    return {f.name.removesuffix(".rq"): f.read_text(encoding="utf-8") for f in query_files(TABLES)}


def list_columns(sparql: str) -> frozenset[str]:
    """The columns a table query makes as lists (see :data:`_LIST`)."""
    return frozenset(_LIST.findall(sparql))


def query_columns(sparql: str) -> list[str]:
    """The columns of a table query: its SELECT's variables, in order."""
    m = _PROJECTION.search(re.sub(r"#[^\n]*", "", sparql))
    if m is None:
        raise ValueError("a table query must be SELECT ... WHERE")
    return [alias or var for alias, var in _COLUMN.findall(m.group(1))]


@cache
def tables() -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """Table name -> (its columns, its list columns)."""
    return {name: (tuple(query_columns(q)), list_columns(q)) for name, q in table_queries().items()}


def table_value(column: str, value: Any, lists: frozenset[str] = frozenset(), as_date: bool = True) -> Any:
    """A value as the table holds it: lists split and sorted, integers and booleans typed, dates
    as dates (as ISO text with ``as_date=False``, for JSON). Values already so are kept."""
    if value is None:
        return [] if column in lists else None
    if column in lists:
        if isinstance(value, list):
            return value
        items = [v for v in str(value).split("; ") if v]
        return sorted(int(v) for v in items) if column in INTEGER_LISTS else sorted(items)
    if column in INTEGERS:
        try:
            return int(str(value)[:4]) if column == "edition_year" else int(value)
        except ValueError:
            return None
    if column.endswith(DATE_SUFFIX) and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if as_date else day.isoformat()
    if column in BOOLEANS:
        return value if isinstance(value, bool) else str(value) in ("true", "1")
    return value if isinstance(value, str | int | float | bool) else str(value)


_Term = tuple  # ("iri", IRI) or ("lit", lexical, datatype, language), as kg.graph.terms.read_term gives
_TYPE, _PREF, _LABEL, _NOTATION = RDF.type, SKOS.prefLabel, RDFS.label, SKOS.notation


class _Graph:
    """One letter's triples (the SHACL index of them) over the fixed graphs, by subject and predicate."""

    def __init__(self, data: Data, fixed: dict[tuple[str, str], list[_Term]]) -> None:
        self.data, self.fixed = data, fixed

    def objects(self, s: str | None, p: str) -> list[_Term]:
        if s is None:
            return []
        node = self.data.out.get(("iri", s))
        own = node.get(p, []) if node is not None else []
        fixed = self.fixed.get((s, p))
        return own + fixed if fixed else own

    def iris(self, s: str | None, p: str) -> list[str]:
        return [t[1] for t in self.objects(s, p) if t[0] == "iri"]

    def iri(self, s: str | None, p: str) -> str | None:
        for t in self.objects(s, p):
            if t[0] == "iri":
                return t[1]
        return None

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
        return [
            s[1]
            for s, objs in ((s, self.data.out[s].get(p, [])) for s in self.data.subjects_of.get(p, []))
            if s[0] == "iri" and any(t[1] == o for t in objs)
        ]


def _typed(term: _Term) -> Any:
    return term[1] if term[0] != "lit" else typed_value(term[1], term[2])


def _joined(values: list, integers: bool = False) -> list:
    """GROUP_CONCAT(DISTINCT ...; SEPARATOR="; ") as the table holds it: the items, split again at
    "; " (as :func:`table_value` splits what the query gives), sorted."""
    items = [piece for v in dict.fromkeys(str(v) for v in values) for piece in v.split("; ") if piece]
    return sorted(int(v) for v in items) if integers else sorted(items)


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


def letter_rows(data: Data) -> dict[str, list[list]]:
    """Table name -> this letter's rows (columns in the order of ``queries/tables/NAME.rq``),
    values as the tables hold them (dates as ISO text: the rows travel as JSON)."""
    fixed, parties = _fixed()
    g = _Graph(data, fixed)
    out: dict[str, list[list]] = {"letters": [], "items": [], "sources": [], "reasons": []}
    for letter in sorted(set(g.subjects(_TYPE, IMR.DeterminationLetter))):
        out["letters"].append(_letter(g, letter))
        for item in g.iris(letter, IMR.hasItem):
            out["items"].append(_item(g, letter, item))
            out["sources"] += _sources(g, item, parties)
            out["reasons"] += _reasons(g, item)
    return {name: [_typed_row(name, row) for row in rows] for name, rows in out.items()}


def _typed_row(table: str, row: list) -> list:
    columns, lists = tables()[table]
    return [table_value(c, v, lists, as_date=False) for c, v in zip(columns, row, strict=True)]


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
                        _joined([t[1] for t in g.objects(source, IMR.page)], integers=True),
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


__all__ = [
    "BOOLEANS",
    "DATE_SUFFIX",
    "INTEGERS",
    "INTEGER_LISTS",
    "TABLES",
    "letter_rows",
    "list_columns",
    "query_columns",
    "table_queries",
    "table_value",
    "tables",
]
