"""Running SPARQL and canned questions on any store: an embedded pyoxigraph store, an rdflib
Dataset, or a SPARQL endpoint (:class:`kg.stores.endpoint.Endpoint`).

:func:`ask` answers a canned question (:mod:`kg.graph.questions`): it resolves each parameter value to
an RDF term (a concept by label, slug or IRI; a date), then reads the statistics when they can
answer (the question's statistics are in the target, summed for this definition of it, and its
filters are at most a date range on month boundaries), else the letter graphs. Either way the
answer is the same; :class:`Answer` says which was read and why.
"""

from __future__ import annotations

import calendar
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.base.resources import query_file
from kg.graph.iris import IMR, STAT, STATISTICS_GRAPH, statistics_dataset_iri
from kg.graph.questions import Question, QuestionError, fast_query, load_questions, masked_sparql, raw_query
from kg.graph.terms import to_rdflib, typed_value

EXPORT = "export"  # the folder of queries/ whose rows the export views are drawn from
STATISTICS, LETTER_GRAPHS = "statistics", "letter graphs"


def query_text(name: str, folder: str = EXPORT) -> str:
    """The SPARQL text of one query file of a folder of ``queries/``."""
    return query_file(name, folder).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Answer:
    """A question's answer: columns, rows (Python values), what was read, and the SPARQL asked."""

    columns: list[str]
    rows: list[list]
    route: str  # STATISTICS or LETTER_GRAPHS
    why: str  # why that route ("" when the statistics answered)
    sparql: str

    def records(self) -> list[dict]:
        """The rows as dicts by column name."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def ask(
    target,
    question: str | Question,
    params: dict[str, str] | None = None,
    *,
    raw: bool = False,
    folders: tuple = (),
    typed: bool = True,
    timeout: float | None = None,
) -> Answer:
    """Answer a canned question (by name, or a :class:`Question`) with ``params`` (name -> value
    as a person writes it); see the module docstring. Unknown names and values raise
    :class:`~kg.graph.questions.QuestionError` or :class:`~kg.graph.concepts.UnknownConcept`.
    ``target`` is a store, an endpoint, or the path of an embedded store (opened read-only: a
    missing or empty one is a :class:`~kg.stores.store.StoreError`, never a new store)."""
    if isinstance(target, str | Path):
        from kg.stores.store import open_for_reading

        target = open_for_reading(target)
    q = question if isinstance(question, Question) else _named(question, folders)
    sparql, why = plan(target, q, params, raw=raw)
    if why:
        check_letters_visible(target, timeout)
    columns, rows = run(target, sparql, typed=typed, timeout=timeout)
    return Answer(columns, rows, LETTER_GRAPHS if why else STATISTICS, why, sparql)


def plan(target, q: Question, params: dict[str, str] | None = None, *, raw: bool = False) -> tuple[str, str]:
    """(the SPARQL that answers ``q`` with ``params`` on ``target``, why it reads the letter
    graphs -- "" when it reads the statistics), without running it: what :func:`ask` runs, and
    what ``imrkg serve`` puts in its query page."""
    own, filters = terms(q, params or {})
    why = _why_raw(q, filters, raw)
    months = None
    if not why:
        why, months = _statistics_check(target, q, filters)
    return (raw_query(q, own, filters), why) if why else (fast_query(q, own, months), "")


def undefined_terms(sparql: str) -> list[str]:
    """The terms of the project's namespaces (``imr:``, ``stat:``) that a query names and the
    ontology does not define, as prefixed names: a misspelt or retired term (``imr:citedBy``)
    matches nothing, and its empty answer must not pass for "no such decisions". A query rdflib
    cannot read is not judged (empty list)."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(sparql).algebra
    except Exception:  # noqa: BLE001  (rdflib raises many types; Oxigraph already judged the syntax)
        return []
    named: set[str] = set()
    _collect_iris(algebra, named, set())
    defined = _defined_terms()
    own = (str(IMR), str(STAT))
    return sorted(
        f"{'imr' if iri.startswith(own[0]) else 'stat'}:{iri.split('#', 1)[1]}"
        for iri in named
        if iri.startswith(own) and iri not in defined
    )


def _collect_iris(node, out: set[str], seen: set[int]) -> None:
    """Every IRI in rdflib's algebra of a query: its patterns, property paths, VALUES and filters."""
    from rdflib import URIRef
    from rdflib.paths import Path as PropertyPath

    if isinstance(node, URIRef):
        out.add(str(node))
        return
    if id(node) in seen or isinstance(node, str | int | float | bool) or node is None:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        children = list(node.values())
    elif isinstance(node, list | tuple | set | frozenset):
        children = list(node)
    elif isinstance(node, PropertyPath):
        children = [getattr(node, a) for a in ("args", "arg", "path") if hasattr(node, a)]
    else:
        return
    for child in children:
        _collect_iris(child, out, seen)


@cache
def _defined_terms() -> frozenset[str]:
    """The IRIs the ontology file describes (its subjects)."""
    from kg.graph.vocab_rdf import ontology_graph

    return frozenset(str(s) for s in ontology_graph().subjects())


class NoLetters(QuestionError):
    """The target shows no letters to ask: an empty store or server, or a server that does not
    show its named graphs as the default graph."""


def check_letters_visible(target, timeout: float | None) -> None:
    """Before asking the letter graphs: an empty answer must mean "no such decisions", never "no
    letters here" or "letters the query cannot see"."""
    letter = f"?l a <{IMR.DeterminationLetter}>"
    _, seen = run(target, f"SELECT ?l WHERE {{ {letter} }} LIMIT 1", timeout=timeout)
    if seen:
        return
    _, named = run(target, f"SELECT ?l WHERE {{ GRAPH ?g {{ {letter} }} }} LIMIT 1", timeout=timeout)
    if named:
        raise NoLetters(
            "the server keeps the letters in named graphs but does not show them as its default graph: "
            "serve it with the union default graph (oxigraph serve --union-default-graph)"
        )
    raise NoLetters("no letters here: load a build first (imrkg load OUTDIR [--endpoint URL])")


def _named(name: str, folders: tuple) -> Question:
    questions = load_questions(folders)
    if name not in questions:
        raise QuestionError(f"no question named {name!r}; `imrkg queries` lists them")
    return questions[name]


def terms(q: Question, given: dict[str, str]) -> tuple[dict[str, str | tuple[str, ...]], dict[str, str]]:
    """(own parameters, standard filters), each name -> the value as a SPARQL term; defaults
    applied to own parameters. A parameter the question does not take is an error."""
    takes = q.takes()
    unknown = sorted(set(given) - set(takes))
    if unknown:
        raise QuestionError(f"{q.name} takes no parameter {', '.join(unknown)}; it takes: {', '.join(takes) or 'none'}")
    own: dict[str, str | tuple[str, ...]] = {}
    for p in q.params:
        value = given.get(p.name, p.default)
        if value is not None and value != "":
            own[p.name] = _term(p.kind, value, p.name)
            if p.kind == "treatment":  # the treatment and every narrower one, as the filter means it
                from kg.graph.concepts import narrower  # the vocabulary graph: only when a value is given

                own[p.name] = tuple(f"<{iri}>" for iri in narrower(own[p.name][1:-1]))
    filters = {name: _term(takes[name].kind, v, name) for name, v in given.items() if name not in own and v != ""}
    check_date_range(given)
    return own, filters


def check_date_range(given: dict[str, str]) -> None:
    """:class:`QuestionError` for a from= after the to= (a range no decision can fall in)."""
    if "from" in given and "to" in given and _date(given["from"], "from") > _date(given["to"], "to"):
        raise QuestionError(f"from={given['from']} is after to={given['to']}: no decision can fall in that range")


@dataclass(frozen=True, slots=True)
class DateCoverage:
    """What a date filter reads: the first and last decision dates the store holds, and how many
    letters have no decision date (the 2014 layout states none), which a date filter leaves out."""

    first: str | None
    last: str | None
    undated: int


def date_coverage(target, timeout: float | None = None) -> DateCoverage:
    """The decision dates the letters in ``target`` span, and how many have none (asked only where
    a date filter was given: one pass over the letters)."""
    letter, date_ = f"<{IMR.DeterminationLetter}>", f"<{IMR.decisionDate}>"
    _, span = run(target, f"SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{ ?l {date_} ?d }}", timeout=timeout)
    # letters less dated letters: a FILTER NOT EXISTS per letter took 4.6 s on 100k letters, the
    # two counts 0.14 s
    _, letters = run(target, f"SELECT (COUNT(?l) AS ?n) WHERE {{ ?l a {letter} }}", timeout=timeout)
    _, dated = run(target, f"SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE {{ ?l {date_} ?d }}", timeout=timeout)
    first, last = span[0] if span else (None, None)
    undated = int(letters[0][0] or 0) - int(dated[0][0] or 0) if letters and dated else 0
    return DateCoverage(first and str(first)[:10], last and str(last)[:10], int(undated or 0))


def _term(kind: str, value: str, name: str) -> str:
    if kind == "date":
        return f'"{_date(value, name).isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'
    if kind == "text":
        return str(ox.Literal(value))
    from kg.graph.concepts import resolve

    return f"<{resolve(kind, value).iri}>"


_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _date(value: str, name: str) -> date:
    """A date parameter: YYYY-MM-DD, or YYYY-MM (``to`` takes the month's last day)."""
    value = value.strip()
    try:
        if _MONTH.match(value):
            year, month = map(int, value.split("-"))
            day = calendar.monthrange(year, month)[1] if name == "to" else 1
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise QuestionError(f"{name}={value!r} is not a date (YYYY-MM-DD or YYYY-MM)") from None


def _why_raw(q: Question, filters: dict[str, str], raw: bool) -> str:
    if raw:
        return "asked for (--raw)"
    if q.not_summable:
        return f"the statistics cannot hold it: {q.not_summable}"
    other = sorted(set(filters) - {"from", "to"})
    if other:
        return f"the statistics are not split by {', '.join(other)}"
    for name in ("from", "to"):
        if name in filters:
            d = _date_of(filters[name])
            if name == "from" and d.day != 1 or name == "to" and d.day != calendar.monthrange(d.year, d.month)[1]:
                return f"{name}={d.isoformat()} is not on a month boundary (the statistics are by month)"
    return ""


def _date_of(term: str) -> date:
    return date.fromisoformat(term[1:11])


def _statistics_check(target, q: Question, filters: dict[str, str]) -> tuple[str, list[str] | None]:
    """("", months) when the target's statistics answer ``q`` (months None: all time); else
    (why not, None)."""
    ds, monthly = statistics_dataset_iri(q.name), statistics_dataset_iri(q.name + "/by-month")
    _, rows = run(
        target,
        f"""SELECT ?definition ?first ?last WHERE {{ GRAPH <{STATISTICS_GRAPH}> {{
              <{ds}> <{STAT.definition}> ?definition .
              OPTIONAL {{ <{monthly}> <{STAT.firstMonth}> ?first ; <{STAT.lastMonth}> ?last }} }} }}""",
    )
    if not rows:
        return "the store has no statistics for this question (build and load with it to make it fast)", None
    definition, first, last = rows[0]
    if definition != q.definition:
        return "the store's statistics were summed for another version of this question (build and load again)", None
    if "from" not in filters and "to" not in filters:
        return "", None
    if first is None:
        return "", []  # no decision dates at all: no month matches
    start = max(_date_of(filters["from"]).isoformat()[:7], first) if "from" in filters else first
    end = min(_date_of(filters["to"]).isoformat()[:7], last) if "to" in filters else last
    return "", _months(start, end)


def _months(start: str, end: str) -> list[str]:
    """Every YYYY-MM from ``start`` to ``end`` inclusive (none when start is after end)."""
    year, month = map(int, start.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def with_values(sparql: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (?a ?b) { (<iri> "text") }`` opening its WHERE group.

    Terms are written by pyoxigraph's own serializer, so an IRI or a literal is one token whatever
    it holds (pyoxigraph refuses IRIs with spaces or ``>``). The block opens the WHERE group rather
    than trailing the query: Virtuoso 7 ignores a trailing VALUES on some grouped queries.
    """
    names = " ".join(str(v) for v in bindings)
    terms = " ".join(str(t) for t in bindings.values())
    block = f"VALUES ({names}) {{ ({terms}) }}"
    where = _WHERE.search(sparql)
    if where is None:
        return f"{sparql}\n{block}\n"
    return f"{sparql[: where.end()]}\n  {block}\n{sparql[where.end() :]}"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class QueryTimeout(RuntimeError):
    """A query on the embedded store ran past its time limit."""


def run(
    target, sparql: str, substitutions: dict | None = None, *, typed: bool = False, timeout: float | None = None
) -> tuple[list[str], list[list]]:
    """Execute a SELECT/ASK over the union of all graphs of ``target``: an embedded pyoxigraph
    store, an rdflib Dataset, or a :class:`kg.stores.endpoint.Endpoint`. Values come back as plain
    strings (IRIs without <>), so answers from every store compare directly; with ``typed``, numbers
    and booleans come back as Python numbers and booleans (kg.graph.terms.typed_value)."""
    if isinstance(target, ox.Store):
        if "SERVICE" in sparql.upper() and re.search(r"\bSERVICE\b", masked_sparql(sparql), re.IGNORECASE):
            raise ValueError("SERVICE is not run on the embedded store (it would call other servers over the network)")
        if timeout is None:  # a thread costs 0.35-0.5 ms a query, more than a statistics query itself
            return _run_oxigraph(target, sparql, substitutions or {}, typed)
        return _in_thread(lambda: _run_oxigraph(target, sparql, substitutions or {}, typed), timeout)
    if hasattr(target, "select"):
        return target.select(sparql, substitutions or {}, typed=typed)
    return _run_rdflib(target, sparql, substitutions or {}, typed)


def iter_select(target, sparql: str, *, typed: bool = False) -> tuple[list[str], Iterator[list]]:
    """Like :func:`run` for a SELECT, but the embedded store's rows come one at a time as the
    query yields them, so a table of millions of rows never sits in memory (``export parquet``).
    Other targets answer whole, as :func:`run` does."""
    if not isinstance(target, ox.Store):
        columns, rows = run(target, sparql, typed=typed)
        return columns, iter(rows)
    result = target.query(sparql, use_default_graph_as_union=True)
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("only SELECT queries can be read row by row")
    return [v.value for v in result.variables], _rows(result, typed)


def _in_thread(work, timeout: float | None):
    """Run an embedded query in a thread and wait for it: pyoxigraph holds no Python lock while
    it evaluates, so the wait can end at ``timeout`` (:class:`QueryTimeout`) or on Ctrl-C
    (KeyboardInterrupt), which a query run in the main thread would not see until it ended.
    The CLI always gives a timeout; from Python, ``timeout=None`` runs the query directly."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as err:  # handed to the caller, whatever it is
            box["error"] = err

    thread = threading.Thread(target=target, name="imrkg-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(
            f"the query ran past {timeout:g} s on the embedded store; give it longer with --timeout SECONDS"
        )
    if "error" in box:
        raise box["error"]
    return box["value"]


_BOOLEAN = (bool, getattr(ox, "QueryBoolean", bool))  # pyoxigraph 0.5 answers ASK with a QueryBoolean


def _run_oxigraph(
    store: ox.Store, sparql: str, substitutions: dict, typed: bool = False
) -> tuple[list[str], list[list]]:
    # a VALUES block rather than pyoxigraph's substitutions: with the value in the query the
    # optimizer starts from it (0.40 instead of 0.80 ms for cited-sections on 10k letters)
    if substitutions:
        sparql = with_values(sparql, substitutions)
    result = store.query(sparql, use_default_graph_as_union=True)
    if isinstance(result, _BOOLEAN):
        return ["result"], [[bool(result) if typed else str(bool(result)).lower()]]
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("only SELECT and ASK queries can be shown as a table")
    return [v.value for v in result.variables], list(_rows(result, typed))


def _rows(result: ox.QuerySolutions, typed: bool) -> Iterator[list]:
    """Each solution's values as strings (or, with ``typed``, Python values), as the query yields
    them: a solution iterates its values in the order of the variables (unbound ones as None)."""
    if typed:
        return ([None if t is None else typed_value(t.value, _datatype(t)) for t in s] for s in result)
    return ([None if t is None else t.value for t in s] for s in result)


def _datatype(term) -> str | None:
    return term.datatype.value if isinstance(term, ox.Literal) else None


def _run_rdflib(dataset, sparql: str, substitutions: dict, typed: bool = False) -> tuple[list[str], list[list]]:
    """rdflib in memory (a ``Dataset(default_union=True)``); parameters through ``initBindings``."""
    init = {v.value: to_rdflib(t) for v, t in substitutions.items()}
    result = dataset.query(sparql, initBindings=init)
    if result.type == "ASK":
        return ["result"], [[bool(result.askAnswer) if typed else str(result.askAnswer).lower()]]
    if result.type != "SELECT":
        raise ValueError("only SELECT and ASK queries can be shown as a table")
    variables = [str(v) for v in result.vars]

    def value(t):
        if t is None:
            return None
        datatype = getattr(t, "datatype", None)
        return typed_value(str(t), str(datatype) if datatype else None) if typed else str(t)

    rows = [[value(t) for t in row] for row in result]
    return variables, rows


def to_frame(answer: Answer):
    """The answer as a pandas DataFrame (pandas is not a dependency: install it to use this)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_frame needs pandas: pip install pandas") from None
    return pd.DataFrame(answer.rows, columns=answer.columns)


class ReadOnlyQuery(ValueError):
    """An update (INSERT, DELETE, LOAD, CLEAR, ...) given where only queries are answered."""


_UPDATE = re.compile(r"\b(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)


def with_project_prefixes(text: str) -> str:
    """An ad hoc query with the project's prefixes (``imr:``, ``id:``, ``skos:``, ...: the ones
    answers print) declared before it, except those it declares itself; an update is refused
    with a sentence instead of the SPARQL parser's noise."""
    from kg.graph.iris import PREFIXES
    from kg.graph.questions import masked_sparql

    masked = masked_sparql(text)
    form = _FORM.search(masked)
    update = _UPDATE.search(masked)
    if update and (form is None or update.start() < form.start()):
        raise ReadOnlyQuery(
            f"{update.group(0).upper()} is an update: imrkg sparql answers SELECT and ASK queries only "
            "(the store is read-only; `imrkg load` is how graphs get in)"
        )
    declared = {m.group(1) or "" for m in _DECLARED.finditer(masked)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    return head + text
