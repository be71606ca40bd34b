"""Canned analyst questions: the ``queries/*.rq`` files, their headers, and running them.

Each file starts with comment lines ``# title:``, ``# question:`` and zero or more
``# param: NAME = <IRI>|"literal"`` (the default). Parameters are bound as RDF terms: a
``VALUES`` block whose terms pyoxigraph's serializer writes (embedded store and servers), or
rdflib ``initBindings``. A term is one token whatever it holds, so a parameter value cannot
change what the query does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import ID
from kg.resources import query_file, query_files
from kg.terms import to_rdflib, typed_value

CANNED, RAW, EXPORT = "", "raw", "export"  # folders of queries/: canned questions, the same asked
# of the letter graphs (slow on large stores), and the rows the export views are drawn from
_HEADER = re.compile(r"^#\s*(title|question|param):\s*(.*)$")
_ID_BASE = str(ID)


@dataclass(frozen=True, slots=True)
class CannedQuery:
    """A canned question: its file name, header and SPARQL text."""

    name: str
    title: str
    question: str
    params: dict[str, str]  # name -> default, written as in the file (<IRI> or "literal")
    text: str


def load_queries(folder: str = CANNED) -> dict[str, CannedQuery]:
    """The queries of a folder of ``queries/`` (:data:`CANNED`, :data:`RAW` or :data:`EXPORT`) by name."""
    out = {}
    for path in query_files(folder):
        text = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        params: dict[str, str] = {}
        for line in text.splitlines():
            m = _HEADER.match(line)
            if not m:
                if line.startswith("#"):
                    continue
                break
            if m.group(1) == "param":
                name, _, default = m.group(2).partition("=")
                params[name.strip()] = default.strip()
            else:
                meta[m.group(1)] = m.group(2).strip()
        name = path.name.removesuffix(".rq")
        out[name] = CannedQuery(name, meta.get("title", name), meta.get("question", ""), params, text)
    return out


def query_text(name: str, folder: str = CANNED) -> str:
    """The SPARQL text of one query file."""
    return query_file(name, folder).read_text(encoding="utf-8")


def to_term(value: str, default: str | None = None) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: <IRI>, an absolute IRI, a bare name in the default's
    namespace ("mri" for a treatment), or a plain literal."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return ox.Literal(value[1:-1])
    if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I) and " " not in value:
        return ox.NamedNode(value)
    if default and default.startswith("<") and default[1:].startswith(_ID_BASE):
        base = default[1:-1].rsplit("/", 1)[0] + "/"
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/_-]*", value):
            return ox.NamedNode(base + value)
        raise ValueError(f"{value!r} is not a concept name (letters, digits, '-', '/')")
    return ox.Literal(value)


def bindings(query: CannedQuery, given: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Each parameter of ``query`` bound to its given value or its default, as an RDF term."""
    unknown = set(given) - set(query.params)
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; {query.name} takes: {', '.join(query.params) or 'none'}"
        )
    out = {}
    for name, default in query.params.items():
        out[ox.Variable(name)] = to_term(given[name], default) if name in given else to_term(default)
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


def run(target, sparql: str, substitutions: dict | None = None, *, typed: bool = False) -> tuple[list[str], list[list]]:
    """Execute a SELECT/ASK over the union of all graphs of ``target``: an embedded pyoxigraph
    store, an rdflib Dataset, or a :class:`kg.endpoint.Endpoint`. Values come back as plain
    strings (IRIs without <>), so answers from every store compare directly; with ``typed``, numbers
    and booleans come back as Python numbers and booleans (kg.terms.typed_value)."""
    if isinstance(target, ox.Store):
        return _run_oxigraph(target, sparql, substitutions or {}, typed)
    if hasattr(target, "select"):
        return target.select(sparql, substitutions or {}, typed=typed)
    return _run_rdflib(target, sparql, substitutions or {}, typed)


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
    variables = [v.value for v in result.variables]
    # a solution iterates its values in the order of the variables (unbound ones as None)
    if typed:
        rows = [[None if t is None else typed_value(t.value, _datatype(t)) for t in s] for s in result]
    else:
        rows = [[None if t is None else t.value for t in s] for s in result]
    return variables, rows


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
