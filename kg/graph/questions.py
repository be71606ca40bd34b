"""Canned analyst questions: one ``.rq`` file each, and every query derived from it.

A question is a SPARQL SELECT over the letter graphs with a header of comment lines::

    # title: Uphold rate by decision year and quarter
    # question: How many items were decided each quarter, and what share was upheld?
    # param: treatment (treatment) = mri       <- optional; must be a GROUP BY variable

From that one file this module derives, as text:

- the **raw** query: the file with its parameters bound and the standard filters
  (``kg/data/filters.json``: date range, category, drug class, treatment, specialty, outcome)
  added as ``FILTER EXISTS`` patterns on the question's ``?item`` or ``?letter``;
- the **partial** query the build runs on each chunk of letters: the same WHERE, grouped also by
  letter and decision month, each aggregate replaced by one that can be summed across letters
  (``AVG`` becomes a sum and a count);
- the **fast** query over the statistics the build summed from those partials
  (:mod:`kg.graph.statistics`): the question's own projection with each aggregate re-expressed over the
  partial sums, restricted to the months of a date filter.

Why: Oxigraph joins cost about 1.5 µs a row, so a question that joins three facts of every item
takes seconds on 100k letters; the statistics hold a few thousand rows per question. Summing
per-letter partials is exact when every aggregate is additive across letters: COUNT, SUM, MIN,
MAX, AVG, and ``COUNT(DISTINCT ?x)`` where ``?x`` belongs to one letter (an item, a decision, a
citation, the letter itself) -- the tests hold fast answer = raw answer = plain Python.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.base.resources import data_file, query_file, query_files
from kg.graph.iris import IMR, QB, STAT, STATISTICS_GRAPH, statistics_dataset_iri, statistics_graph

UNIT_VARIABLES = ("item", "letter")  # what a question counts, by the variable its WHERE binds
MONTH = "decisionMonth"  # the statistics' month dimension (YYYY-MM of the decision date)
_HEADER = re.compile(r"^#\s*(title|question|param):\s*(.*)$")
_PARAM = re.compile(r"^([A-Za-z][\w-]*)\s*(?:\(([\w-]+)\))?\s*(?:=\s*(.+))?$")
_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)
_ADDITIVE = {"COUNT", "SUM", "MIN", "MAX", "AVG"}
_PREFIXES = (
    f"PREFIX imr: <{IMR}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


class QuestionError(ValueError):
    """A question file that cannot be read, or a parameter that does not fit it."""


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter: a question's own (a GROUP BY variable set to one value) or a standard filter."""

    name: str
    kind: str  # a concept kind of kg.graph.concepts, "date" or "text"
    default: str | None = None
    help: str = ""
    pattern: str | None = None  # standard filters: SPARQL over ?letter / ?item and $value
    unit: str | None = None  # standard filters: "item" or "letter"


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One aggregate call of a question: ``COUNT(DISTINCT ?item)`` is ("COUNT", True, "?item")."""

    function: str
    distinct: bool
    argument: str
    text: str  # as written


@dataclass(frozen=True, slots=True)
class Question:
    """A canned question: its header, its SPARQL and the parts the derived queries are made of."""

    name: str
    title: str
    question: str
    params: tuple[Param, ...]
    text: str
    path: str
    prologue: str = ""
    projection: str = ""
    where: str = ""
    tail: str = ""
    group_by: tuple[str, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    unit: str | None = None
    not_summable: str | None = None  # why the statistics cannot answer it (then it is asked raw)
    filters: tuple[Param, ...] = field(default=())

    @property
    def definition(self) -> str:
        """A digest of the file's text: the statistics record which definition they were summed for."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def takes(self) -> dict[str, Param]:
        """Every parameter this question accepts: its own, then the standard filters that apply."""
        out = {p.name: p for p in self.filters}
        out.update({p.name: p for p in self.params})
        return out


# -- reading question files ---------------------------------------------------------------------
@cache
def standard_filters() -> dict[str, Param]:
    """The filters of ``kg/data/filters.json``."""
    table = json.loads(data_file("filters.json").read_text(encoding="utf-8"))
    return {
        name: Param(name, spec["kind"], None, spec["help"], spec["pattern"], spec["unit"])
        for name, spec in table.items()
        if not name.startswith("_")
    }


def load_questions(extra: list[str | Path] | tuple = ()) -> dict[str, Question]:
    """The questions shipped in ``queries/``, then those of the ``extra`` folders (a later file
    of the same name replaces an earlier one)."""
    files: list = list(query_files())
    for folder in extra:
        path = Path(folder)
        if not path.is_dir():
            raise QuestionError(f"{folder}: no such folder of questions (.rq files)")
        files += sorted(path.glob("*.rq"))
    out = {}
    for f in files:
        q = read_question(f.name.removesuffix(".rq"), _question_text(f), str(f))
        out[q.name] = q
    return out


def find_question(name: str, extra: list[str | Path] | tuple = ()) -> Question | None:
    """The question ``name`` as :func:`load_questions` would give it (the last ``extra`` folder
    holding ``NAME.rq`` wins over the shipped file), reading that one file: a command asks one
    question, and reading all of them cost ``imrkg query`` 19 ms. None when no file has the name."""
    folders = [Path(folder) for folder in extra]
    for folder in folders:
        if not folder.is_dir():
            raise QuestionError(f"{folder}: no such folder of questions (.rq files)")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    for folder in reversed(folders):
        path = folder / f"{name}.rq"
        if path.exists():
            return read_question(name, _question_text(path), str(path))
    shipped = query_file(name)
    return read_question(name, _question_text(shipped), str(shipped)) if shipped.is_file() else None


MAX_QUESTION_BYTES = 1 << 20  # a question is a page of SPARQL; a megabyte is not one


def _question_text(f) -> str:
    """A question file's text: a regular file of at most a megabyte of UTF-8, else a
    :class:`QuestionError` naming it (a link to /dev/zero read forever)."""
    if isinstance(f, Path):
        try:
            st = f.stat()
        except OSError as err:
            raise QuestionError(f"{f}: cannot read ({err.strerror or err})") from None
        if not stat.S_ISREG(st.st_mode):
            raise QuestionError(f"{f}: not a regular file (a device, pipe or socket): not a question")
        if st.st_size > MAX_QUESTION_BYTES:
            raise QuestionError(f"{f}: {st.st_size // 1024} KB is too large for a question (at most 1 MB)")
    try:
        return f.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise QuestionError(f"{f}: not UTF-8 text (byte {err.start}): save the question as UTF-8") from None
    except OSError as err:
        raise QuestionError(f"{f}: cannot read ({err.strerror or err})") from None


@cache
def read_question(name: str, text: str, path: str = "") -> Question:
    """Parse one question file; a file that is not a SELECT with a WHERE group is an error.
    (Cached by its text: asking by name re-reads the files, not their parse.)"""
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            if line.startswith("#") or not line.strip():
                continue
            break
        if m.group(1) == "param":
            p = _PARAM.match(m.group(2).strip())
            if not p:
                raise QuestionError(f"{path or name}: cannot read parameter line {line!r}")
            default = p.group(3).strip() if p.group(3) else None
            params.append(Param(p.group(1), p.group(2) or "text", default))
        else:
            meta[m.group(1)] = m.group(2).strip()
    parts = _split(text, path or name)
    prologue, projection, where, tail = parts
    group_by = _group_by(tail)
    aggregates = tuple(a for a, _, _ in _aggregates(projection + " " + tail))
    for p in params:  # type: ignore[assignment]
        if p.name not in group_by:  # type: ignore[union-attr]
            raise QuestionError(f"{path or name}: parameter {p.name} must be a GROUP BY variable (?{p.name})")  # type: ignore[union-attr]
    unit = _unit(where)
    filters = tuple(
        f for f in standard_filters().values() if unit is not None and f.name not in {p.name for p in params}
    )
    return Question(
        name,
        meta.get("title", name),
        meta.get("question", ""),
        tuple(params),
        text,
        path,
        prologue,
        projection,
        where,
        tail,
        group_by,
        aggregates,
        unit,
        _why_not_summable(projection, tail, group_by, aggregates, unit) or _across_letters(where),
        filters,
    )


def masked_sparql(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (same length), so keywords, braces and
    parentheses can be found by position without being fooled by what those contain."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out[i + 1 : j] = " " * (j - i - 1)
            i = j + 1
        elif c == "<" and (m := re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])):
            out[i + 1 : i + m.end() - 1] = " " * (m.end() - 2)
            i += m.end()
        else:
            i += 1
    return "".join(out)


def _closing(masked: str, start: int, opening: str, closing: str) -> int:
    """Index of the bracket that closes the one at ``start``."""
    depth = 0
    for i in range(start, len(masked)):
        if masked[i] == opening:
            depth += 1
        elif masked[i] == closing:
            depth -= 1
            if depth == 0:
                return i
    raise QuestionError(f"unbalanced {opening}{closing}")


def _split(text: str, where_from: str) -> tuple[str, str, str, str]:
    """(prologue, projection, WHERE body, tail) of a SELECT query."""
    masked = masked_sparql(text)
    select = re.search(r"\bSELECT\b", masked, re.IGNORECASE)
    where = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE)
    if not select or not where or where.start() < select.start():
        raise QuestionError(f"{where_from}: a question must be a SELECT … WHERE {{ … }} query")
    open_at = where.end() - 1
    close_at = _closing(masked, open_at, "{", "}")
    return (
        text[: select.start()],
        text[select.end() : where.start()],
        text[open_at + 1 : close_at],
        text[close_at + 1 :],
    )


def _group_by(tail: str) -> tuple[str, ...]:
    m = re.search(
        r"\bGROUP\s+BY\b(.*?)(?=\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
        masked_sparql(tail),
        re.I | re.S,
    )
    if not m:
        return ()
    return tuple(v[1:] for v in m.group(1).split())


def _aggregates(text: str) -> list[tuple[Aggregate, int, int]]:
    """Each aggregate call of ``text`` with its span (start, end) in it."""
    masked = masked_sparql(text)
    out = []
    for m in _AGGREGATE.finditer(masked):
        end = _closing(masked, m.end() - 1, "(", ")")
        inner = text[m.end() : end].strip()
        distinct = bool(re.match(r"DISTINCT\b", inner, re.I))
        argument = inner[8:].strip() if distinct else inner
        call = Aggregate(m.group(1).upper(), distinct, argument, text[m.start() : end + 1])
        out.append((call, m.start(), end + 1))
    return out


def _without_subqueries(where: str) -> str:
    """The WHERE text with each sub-query's body blanked out: what the outer query binds (a
    sub-query's projected variables stay, so ``{ SELECT ?letter (COUNT(?item) AS ?n) … }`` binds
    ?letter, not ?item)."""
    masked = masked_sparql(where)
    while (m := re.search(r"\{\s*SELECT\b", masked, re.I)) is not None:
        end = _closing(masked, m.start(), "{", "}")
        inner = masked[m.start() : end + 1]
        body = re.search(r"\bWHERE\b", inner, re.I)
        projection = inner[len(m.group(0)) : body.start()] if body else ""
        kept = " ".join(_projected(projection)).ljust(len(inner))
        masked = masked[: m.start()] + kept[: len(inner)] + masked[end + 1 :]
    return masked


def _projected(projection: str) -> list[str]:
    """The variables a SELECT clause binds: its plain variables and every ``AS ?alias``."""
    depth, plain = 0, []
    for m in re.finditer(r"[()]|\?\w+", projection):
        token = m.group(0)
        depth += {"(": 1, ")": -1}.get(token, 0)
        if token.startswith("?") and depth == 0:
            plain.append(token)
    return plain + re.findall(r"\bAS\s+(\?\w+)", projection, re.I)


def _unit(where: str) -> str | None:
    """The unit the question counts: ``item`` when its WHERE binds ``?item`` (outside sub-queries), else
    ``letter`` when it binds ``?letter``; None when neither (no filters, no statistics)."""
    outer = _without_subqueries(where)
    for unit in UNIT_VARIABLES:
        if re.search(rf"\?{unit}\b", outer):
            return unit
    return None


def _why_not_summable(projection, tail, group_by, aggregates, unit) -> str | None:
    if unit is None:
        return "its WHERE binds neither ?item nor ?letter"
    if re.match(r"\s*(DISTINCT|REDUCED)\b", projection, re.I):
        return "SELECT DISTINCT"
    if not aggregates:
        return "it has no aggregates"
    for a in aggregates:
        if a.function not in _ADDITIVE:
            return f"{a.function} cannot be summed across letters"
        if a.distinct and a.function != "COUNT":
            return f"{a.function}(DISTINCT …) cannot be summed across letters"
    if re.search(r"\bGROUP\s+BY\s*\(", masked_sparql(tail), re.I):
        return "GROUP BY an expression (bind it in the WHERE and group by the variable)"
    reserved = {MONTH} | {f"agg{i}" for i in range(len(aggregates) * 2 + 1)}
    if reserved & set(group_by):
        return f"a GROUP BY variable is named like a statistics term ({', '.join(sorted(reserved & set(group_by)))})"
    return None


def _subselects(masked: str) -> list[tuple[int, int]]:
    """Where each sub-query ``{ SELECT … }`` of a masked WHERE text starts and ends (its braces)."""
    return [(m.start(), _closing(masked, m.start(), "{", "}")) for m in re.finditer(r"\{\s*SELECT\b", masked, re.I)]


def _across_letters(where: str) -> str | None:
    """Why a sub-query makes a question unsummable: one that aggregates without grouping by the
    letter or the item counts across letters (a denominator: every upheld item of a treatment),
    which per-letter partials cannot add up to."""
    masked = masked_sparql(where)
    for start, end in _subselects(masked):
        inner = masked[start : end + 1]
        if not _AGGREGATE.search(inner):
            continue
        grouped = re.search(r"\bGROUP\s+BY\b([^}]*)", inner, re.I)
        keys = set(re.findall(r"\?(\w+)", grouped.group(1))) if grouped else set()
        if not keys & set(UNIT_VARIABLES):
            return "a sub-query aggregates across letters (GROUP BY " + (" ".join(sorted(keys)) or "nothing") + ")"
    return None


# -- the derived queries ------------------------------------------------------------------------
def _key(a: Aggregate) -> tuple:
    return (a.function, a.distinct, " ".join(a.argument.split()))


@cache
def _partials(q: Question) -> tuple[list[tuple[str, str]], dict[tuple, int]]:
    """The partial sums, as (how they combine, SPARQL aggregate), and the index of the first partial
    of each distinct aggregate of the question: AVG(x) is two, SUM(x) and COUNT(x); an aggregate
    written twice (in a column and in a rate) is summed once."""
    out: list[tuple[str, str]] = []
    index: dict[tuple, int] = {}
    for a in q.aggregates:
        key = _key(a)
        if key in index:
            continue
        index[key] = len(out)
        inner = f"DISTINCT {a.argument}" if a.distinct else a.argument
        if a.function == "AVG":
            out += [("SUM", f"SUM({inner})"), ("SUM", f"COUNT({inner})")]
        elif a.function == "COUNT":
            out.append(("SUM", f"COUNT({inner})"))
        else:
            out.append((a.function, f"{a.function}({inner})"))
    return out, index


def partial_functions(q: Question) -> tuple[str, ...]:
    """How each partial combines across letters: "SUM", "MIN" or "MAX"."""
    return tuple(f for f, _ in _partials(q)[0])


def _letter_patterns(q: Question) -> tuple[str, str, str]:
    """(the variable of the unit's letter, patterns opening the WHERE, patterns closing it).

    The item's letter is joined first: placed after the question's own patterns, Oxigraph
    joined it last, through a cross product (opioid-outcomes took 193 ms a chunk of 100 letters
    instead of 1.5). The month comes last, once the letter is bound."""
    letter = "?_letter" if q.unit == "item" else "?letter"
    head = f"\n  ?_letter <{IMR.hasItem}> ?item ." if q.unit == "item" else ""
    tail = f"\n  OPTIONAL {{ {letter} <{IMR.decisionDate}> ?_date }}\n  BIND(SUBSTR(STR(?_date), 1, 7) AS ?_month)\n"
    return letter, head, tail


def partial_query(q: Question) -> str:
    """The query the build runs over a chunk of letters: one row per letter, month and group."""
    if q.not_summable:
        raise QuestionError(f"{q.name}: not summable: {q.not_summable}")
    letter, head, tail = _letter_patterns(q)
    groups = " ".join(f"?{g}" for g in q.group_by)
    aggs = " ".join(f"({sparql} AS ?_a{i})" for i, (_, sparql) in enumerate(_partials(q)[0]))
    return (
        f"{q.prologue}SELECT {letter} ?_month {groups} {aggs}\nWHERE {{{head}{q.where}{tail}}}\n"
        f"GROUP BY {letter} ?_month {groups}\n"
    )


@cache
def _recombined(q: Question, text: str) -> str:
    """``text`` (the projection or the tail) with each aggregate written over the partial sums."""
    index = _partials(q)[1]
    pieces, last = [], 0
    for a, start, end in _aggregates(text):
        i = index[_key(a)]
        if a.function == "AVG":
            new = f"(SUM(?_a{i}) / SUM(?_a{i + 1}))"
        elif a.function in ("COUNT", "SUM"):
            new = f"SUM(?_a{i})"
        else:
            new = f"{a.function}(?_a{i})"
        pieces += [text[last:start], new]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


Own = Mapping[str, "str | tuple[str, ...]"]  # a question's own parameters: name -> a term, or the terms it means


def values_block(own: Own) -> str:
    """``VALUES (?a ?b) { (...) (...) }`` binding each own parameter to its term, or to each of its
    terms (a treatment parameter means the treatment and every narrower one)."""
    columns = [[v] if isinstance(v, str) else list(v) for v in own.values()]
    rows = " ".join("(" + " ".join(row) + ")" for row in itertools.product(*columns))
    return f"VALUES ({' '.join('?' + k for k in own)}) {{ {rows} }}"


def fast_query(q: Question, own: Own, months: list[str] | None) -> str:
    """The question over its statistics: ``own`` binds its own parameters (name -> SPARQL term),
    ``months`` (YYYY-MM) restricts it to a date range; None reads the all-time totals."""
    by_month = months is not None
    lines = []
    if own:
        lines.append(values_block(own))
    if by_month:
        # no month in range: a month no observation has (an empty VALUES sent Virtuoso 7's cost
        # estimate to 2.5 million seconds, refused)
        lines.append("VALUES ?_month { " + " ".join(f'"{m}"' for m in months or ["0000-00"]) + " }")
        lines.append(f"?_obs <{STAT[MONTH]}> ?_month .")
    else:
        lines.append(f"?_obs <{QB.dataSet}> <{statistics_dataset_iri(q.name)}> .")

    # Without a bound parameter every observation of the graph is read: one-pattern sub-queries
    # let Oxigraph hash-join whole columns instead of seeking each observation's values (about
    # 4.5 µs a seek): outcome-by-treatment for 2016 on 10k letters 20 ms -> 4 ms. With a bound
    # parameter the few observations it selects are cheaper to seek.
    def column(predicate: str, var: str) -> str:
        if own:
            return f"?_obs <{predicate}> ?{var} ."
        return f"{{ SELECT ?_obs ?{var} WHERE {{ ?_obs <{predicate}> ?{var} }} }}"

    for g in q.group_by:
        if g in own:
            lines.append(f"?_obs <{STAT[g]}> ?{g} .")
        else:
            lines.append(f"OPTIONAL {{ {column(STAT[g], g)} }}")
    lines += [column(STAT[f"agg{i}"], f"_a{i}") for i in range(len(_partials(q)[0]))]
    body = "\n    ".join(lines)
    graph = statistics_graph(q.name, by_month)
    where = f"GRAPH <{graph}> {{\n    {body}\n  }}"
    if not q.group_by:
        # one group even over no observations, where a count must be 0 as the spec says: a row of
        # zero partial sums (Virtuoso 7 leaves SUM over nothing unbound, and its compiler fails on
        # COALESCE around an aggregate)
        zeros = " ".join(f"BIND(0 AS ?_a{i})" for i, (how, _) in enumerate(_partials(q)[0]) if how == "SUM")
        where = f"{{ {where} }}\n  UNION {{ {zeros} }}"
    return f"{q.prologue}SELECT{_recombined(q, q.projection)}WHERE {{\n  {where}\n}}{_recombined(q, q.tail)}"


def raw_query(q: Question, own: Own, filters: dict[str, str]) -> str:
    """The question over the letter graphs: ``own`` parameters bound by a VALUES block opening the
    WHERE group (the optimizer starts from the value; Virtuoso 7 ignores a trailing VALUES on some
    grouped queries), standard ``filters`` added as FILTER EXISTS patterns (name -> SPARQL term)."""
    table = q.takes()
    head = ""
    if own:
        head = "\n  " + values_block(own)
    added = []
    for name, term in filters.items():
        f = table[name]
        pattern = f.pattern.replace("$value", term)  # type: ignore[union-attr]
        if f.unit == q.unit:
            added.append(f"FILTER EXISTS {{ {pattern} }}")
        elif f.unit == "letter":  # a letter filter on an item question: the item's letter
            pattern = re.sub(r"\?letter\b", "?_fl", pattern)
            added.append(f"FILTER EXISTS {{ ?_fl <{IMR.hasItem}> ?item . {pattern} }}")
        else:  # an item filter on a letter question: letters with such an item
            pattern = re.sub(r"\?item\b", "?_fi", pattern)
            added.append(f"FILTER EXISTS {{ ?letter <{IMR.hasItem}> ?_fi . {pattern} }}")
    if not head and not added:
        return q.text
    inner = _into_subqueries(q.where, q.unit, added, own)
    where = head + inner + ("\n  " + "\n  ".join(added) + "\n" if added else "")
    return f"{_PREFIXES}{q.prologue}SELECT{q.projection}WHERE {{{where}}}{q.tail}"


def _into_subqueries(where: str, unit: str | None, added: list[str], own: Own | None = None) -> str:
    """``where`` with the filters also inside each sub-query that binds the question's unit, and
    the bound parameters inside each that binds them: a denominator ("all upheld items of the
    treatment") counts the items the filters leave, as the numerator does, and only for the
    treatments asked about (on 100k letters the facet questions took 27 s counting every
    treatment's items, then kept four of them)."""
    if (not added or unit is None) and not own:
        return where
    masked = masked_sparql(where)
    inserts: list[tuple[int, str]] = []
    for start, end in _subselects(masked):
        inner = masked[start : end + 1]
        body = re.search(r"\bWHERE\s*\{", inner, re.I)
        if body is None:
            continue
        opening = start + body.end()
        bound = {k: v for k, v in (own or {}).items() if re.search(rf"\?{k}\b", inner)}
        if bound:
            inserts.append((opening, " " + values_block(bound) + " "))
        if added and unit is not None and re.search(rf"\?{unit}\b", inner):
            inserts.append((_closing(masked, opening - 1, "{", "}"), " " + " ".join(added) + " "))
    for at, text in sorted(inserts, reverse=True):
        where = where[:at] + text + where[at:]
    return where


__all__ = [
    "MONTH",
    "STATISTICS_GRAPH",
    "Aggregate",
    "Param",
    "Question",
    "QuestionError",
    "fast_query",
    "load_questions",
    "partial_functions",
    "partial_query",
    "raw_query",
    "read_question",
    "standard_filters",
]
