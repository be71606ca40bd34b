"""Letter graphs -> the statistics the canned questions are answered from, derived from the
question files themselves (:mod:`kg.graph.questions`); no question has code of its own here.

Each build worker loads its chunk of letters (with the vocabulary and ontology) into an in-memory
Oxigraph store and runs every question's *partial* query: the question's own WHERE, grouped also
by letter and decision month, with aggregates that sum across letters. The rows of each letter
are that letter's contribution; the manifest keeps them, so a changed letter changes only its own
rows and a rebuild sums the rest as they were. The main process sums every letter's rows into
two RDF Data Cube datasets per question -- all-time totals and totals by decision month -- each in
its own named graph (``statistics.trig``), plus an index graph that records, per question, the
digest of the definition the statistics were summed for.

Cost (chunk of 100 synthetic letters, 29 questions): loading the triples whose predicates the
questions name takes about 30 ms, the partial queries 0.3-3.5 ms each, 50 ms in all: about
0.8 ms a letter, against 0.25 ms for the hand-written counting this replaced, which needed new
code for every question.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache, lru_cache

import pyoxigraph as ox

from kg.graph.iris import (
    QB,
    RDF,
    RDFS,
    STAT,
    STATISTICS_GRAPH,
    statistics_dataset_iri,
    statistics_graph,
    statistics_observation_iri,
)
from kg.graph.questions import MONTH, Question, QuestionError, load_questions, partial_functions, partial_query
from kg.graph.terms import literal_term, quote, trig_graph, trig_header

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = _XSD + "integer"
_NUMERIC = {_XSD + t for t in ("integer", "decimal", "int", "long", "nonNegativeInteger", "double", "float")}
_QUESTION_DIRS: tuple[str, ...] = ()


def use_question_folders(folders: Iterable[str]) -> None:
    """Add users' question folders to the shipped ones (``build --queries DIR``; each worker too)."""
    global _QUESTION_DIRS
    _QUESTION_DIRS = tuple(str(f) for f in folders)
    summable.cache_clear()
    _predicates.cache_clear()
    _kept.cache_clear()


@cache
def summable() -> tuple[tuple[Question, str, tuple[str, ...]], ...]:
    """(question, partial query, how each partial combines) of every question the statistics answer."""
    out = []
    for q in load_questions(_QUESTION_DIRS).values():
        if q.not_summable is None:
            sparql = partial_query(q)
            try:  # on an empty store: a question that is not SPARQL fails here, not in a worker
                ox.Store().query(sparql)
            except SyntaxError as err:
                raise QuestionError(f"{q.path or q.name}: not valid SPARQL: {str(err).splitlines()[0]}") from None
            out.append((q, sparql, partial_functions(q)))
    return tuple(out)


def definitions() -> str:
    """A digest of every summed question's definition: a build whose questions changed is redone."""
    return hashlib.sha256(" ".join(f"{q.name}={q.definition}" for q, _, _ in summable()).encode()).hexdigest()[:16]


_NAMES = re.compile(r"<([^<>\s]+)>|(?<![\w?$])([A-Za-z][\w-]*)?:([A-Za-z_][\w-]*)")
_PREFIX_DECL = re.compile(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE)
_VARIABLE_PREDICATE = re.compile(r"[{.;]\s*[?$]\w+\s+[?$]\w+\s+[?$<\"\w]")


@cache
def _predicates() -> frozenset[str] | None:
    """The IRIs the questions name: only triples with these predicates are loaded for the partial
    queries (the letter's text literal alone is half its bytes). None when a question has a
    variable in predicate position: then everything is loaded."""
    names = {str(RDF.type)}
    for q, partial, _ in summable():
        if _VARIABLE_PREDICATE.search(q.where):
            return None
        prefixes = {p: iri for p, iri in _PREFIX_DECL.findall(partial)}
        for iri, prefix, local in _NAMES.findall(partial):
            if iri:
                names.add(iri)
            elif prefix in prefixes:
                names.add(prefixes[prefix] + local)
    return frozenset(names)


def _keep(line: str, predicates: frozenset[str] | None) -> bool:
    if predicates is None:
        return True
    parts = line.split(" ", 2)
    return len(parts) > 1 and parts[1][1:-1] in predicates


@cache
def _kept(fixed: bytes) -> bytes:
    """The vocabulary and ontology triples the questions can use (4 ms to load instead of 86)."""
    predicates = _predicates()
    return "".join(line for line in fixed.decode().splitlines(keepends=True) if _keep(line, predicates)).encode()


def kept_predicates() -> frozenset[str] | None:
    """The predicate IRIs whose triples the partial queries read (None: all of them); the build
    loads only these into a chunk's store (the letter's text alone is a third of its bytes)."""
    return _predicates()


def chunk_statistics(letters: list[tuple[str, str]], fixed: bytes) -> dict[str, str]:
    """Each letter's partial rows, as JSON: ``letters`` are (letter IRI, its graph as TriG, for a
    file starting with :func:`kg.graph.terms.trig_header`), ``fixed`` the vocabulary and ontology
    N-Quads the questions join with (labels, the treatment hierarchy)."""
    if not letters:
        return {}
    store = ox.Store()
    store.load(_kept(fixed), format=ox.RdfFormat.N_QUADS)
    store.load((trig_header() + "".join(block for _, block in letters)).encode(), format=ox.RdfFormat.TRIG)
    rows: dict[str, dict[str, list]] = defaultdict(dict)
    for q, sparql, _ in summable():
        width = len(q.group_by)
        for solution in store.query(sparql, use_default_graph_as_union=True):  # type: ignore[union-attr]
            values = list(solution)
            letter, month = values[0].value, (values[1].value if values[1] is not None else None)
            keys = [None if t is None else str(t) for t in values[2 : 2 + width]]
            measures = [_measure(t) for t in values[2 + width :]]
            rows[letter].setdefault(q.name, []).append([month, keys, measures])
    return {
        letter: json.dumps({k: sorted(v, key=str) for k, v in sorted(r.items())}, separators=(",", ":"))
        for letter, r in rows.items()
    }


def _measure(term) -> int | str | None:
    """A partial aggregate: an integer as such, any other term as N-Triples."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value == _INTEGER:
        return int(term.value)
    return str(term)


# -- summing partial rows and writing the cube --------------------------------------------------
class Totals:
    """Every letter's partial rows summed, per question, all time and by month."""

    def __init__(self) -> None:
        self.questions = {q.name: (q, functions) for q, _, functions in summable()}
        self.all: dict[str, dict[tuple, list]] = defaultdict(dict)
        self.by_month: dict[str, dict[tuple, list]] = defaultdict(dict)
        self.letters = 0

    def add(self, partial: str) -> None:
        """Add one letter's partial rows (JSON as :func:`chunk_statistics` made it)."""
        self.letters += 1
        for name, rows in json.loads(partial).items():
            if name not in self.questions:  # a question no longer asked
                continue
            functions = self.questions[name][1]
            for month, keys, measures in rows:
                key = tuple(keys)
                _merge(self.all[name], key, measures, functions)
                if month is not None:
                    _merge(self.by_month[name], (month, *key), measures, functions)

    def merge(self, other: Totals) -> None:
        """Add another sum of letters (a group's, kept from the last build) to this one."""
        self.letters += other.letters
        for mine, theirs in ((self.all, other.all), (self.by_month, other.by_month)):
            for name, table in theirs.items():
                if name not in self.questions:
                    continue
                functions = self.questions[name][1]
                into = mine[name]
                for key, measures in table.items():
                    _merge(into, key, measures, functions)

    def to_json(self) -> str:
        """The sums as JSON, which :meth:`from_json` reads back (decimals as ``{"$d": "1.5"}``;
        JSON, not pickle: a manifest is a file anyone could have written)."""
        state = {
            "letters": self.letters,
            "all": {name: list(map(list, table.items())) for name, table in self.all.items()},
            "by_month": {name: list(map(list, table.items())) for name, table in self.by_month.items()},
        }
        return json.dumps(state, separators=(",", ":"), default=_decimal_json)

    @classmethod
    def from_json(cls, text: str) -> Totals:
        """A Totals of :meth:`to_json`'s text."""
        state = json.loads(text, object_hook=_json_decimal)
        totals = cls()
        totals.letters = int(state["letters"])
        for mine, theirs in ((totals.all, state["all"]), (totals.by_month, state["by_month"])):
            for name, rows in theirs.items():
                mine[name] = {tuple(key): measures for key, measures in rows}
        return totals

    def observations(self) -> int:
        """How many observations the cube will have."""
        return sum(len(t) for t in self.all.values()) + sum(len(t) for t in self.by_month.values())


def _decimal_json(value):
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    raise TypeError(f"not JSON: {value!r}")


def _json_decimal(obj: dict):
    return Decimal(obj["$d"]) if obj.keys() == {"$d"} else obj


def _merge(table: dict[tuple, list], key: tuple, measures: list, functions: tuple[str, ...]) -> None:
    """Fold a partial row into the table: integer sums here, the MIN or MAX of equal values kept,
    the rest by :func:`_combine`. Summing a 10,000-letter build's statistics, serially at the end of
    the build, was 2.4 s of its 37 (6.5 %), most of it in calls made for integer sums."""
    have = table.get(key)
    if have is None:
        table[key] = list(measures)
        return
    for i, how in enumerate(functions):
        a, b = have[i], measures[i]
        if how == "SUM":
            have[i] = a + b if type(a) is int and type(b) is int else _combine(a, b, how)
        elif a != b:  # the MIN or MAX of equal values is either
            have[i] = _combine(a, b, how)


def _combine(a, b, how: str):
    if a is None:
        return b
    if b is None:
        return a
    if how == "SUM":
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        return _number(a) + _number(b)  # kept a Decimal until written (:func:`_term`): parsed once
    pick = min if how == "MIN" else max
    return pick(a, b, key=_order)


def _number(v) -> Decimal:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    m = re.match(r'^"([^"]*)"', v)
    return Decimal(m.group(1)) if m else Decimal(0)


def _decimal_term(d: Decimal) -> str:
    return literal_term(format(d, "f"), _XSD + "decimal")


@lru_cache(maxsize=1 << 16)
def _order(v):
    """Compare numbers by value, other terms by their text (ISO dates sort as text)."""
    if isinstance(v, int | Decimal):
        return (0, Decimal(v), "")
    m = re.match(r'^"([^"]*)"\^\^<([^>]*)>$', v)
    if m and m.group(2) in _NUMERIC:
        return (0, Decimal(m.group(1)), "")
    return (1, Decimal(0), v)


def _term(v) -> str:
    if isinstance(v, Decimal):
        return _decimal_term(v)
    return literal_term(str(v), _INTEGER) if isinstance(v, int) else v


def statistics_trig(totals: Totals) -> Iterator[str]:
    """The cube as TriG: the header, the index graph, then each dataset's graph (sorted within,
    so the same counts give the same bytes)."""
    a = "a"
    index: list[tuple[str, str, str]] = []
    graphs: dict[str, list[tuple[str, str, str]]] = {}
    for name, (q, functions) in sorted(totals.questions.items()):
        for by_month, table in ((False, totals.all[name]), (True, totals.by_month[name])):
            ds = f"<{statistics_dataset_iri(name + ('/by-month' if by_month else ''))}>"
            graph = str(statistics_graph(name, by_month))
            index += [
                (ds, a, f"<{QB.DataSet}>"),
                (ds, f"<{RDFS.label}>", quote(q.title + (" (by decision month)" if by_month else ""))),
                (ds, f"<{STAT.question}>", quote(name)),
                (ds, f"<{STAT.definition}>", quote(q.definition)),
                (ds, f"<{STAT.letters}>", _term(totals.letters)),
                (ds, f"<{STAT.graph}>", f"<{graph}>"),
            ]
            index += [(ds, f"<{STAT.partial}>", quote(f"agg{i} = {how}")) for i, how in enumerate(functions)]
            if by_month and table:
                months = sorted(key[0] for key in table)
                index += [
                    (ds, f"<{STAT.firstMonth}>", quote(months[0])),
                    (ds, f"<{STAT.lastMonth}>", quote(months[-1])),
                ]
            triples = graphs.setdefault(graph, [])
            for key, measures in table.items():
                month, dims = (key[0], key[1:]) if by_month else (None, key)
                digest = hashlib.sha1(json.dumps([name, month, list(dims)]).encode()).hexdigest()[:20]
                obs = f"<{statistics_observation_iri(name, digest)}>"
                triples += [(obs, a, f"<{QB.Observation}>"), (obs, f"<{QB.dataSet}>", ds)]
                if month is not None:
                    triples.append((obs, f"<{STAT[MONTH]}>", quote(month)))
                for var, value in zip(q.group_by, dims, strict=True):
                    if value is not None:
                        triples.append((obs, f"<{STAT[var]}>", value))
                for i, value in enumerate(measures):
                    if value is not None:
                        triples.append((obs, f"<{STAT[f'agg{i}']}>", _term(value)))
    yield trig_header()
    yield trig_graph(str(STATISTICS_GRAPH), index)
    for graph in sorted(graphs):
        yield trig_graph(graph, graphs[graph])


__all__ = [
    "Totals",
    "chunk_statistics",
    "definitions",
    "kept_predicates",
    "statistics_trig",
    "summable",
    "use_question_folders",
]
