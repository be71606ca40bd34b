"""SHACL validation of letter graphs against ``shapes/imr-shapes.ttl``.

Two engines read the one shapes file: :mod:`kg.graph.shacl` (plain Python, 0.4 ms a letter), which the
build runs on every letter and ``imrkg validate`` runs on files; and pySHACL, the reference
implementation (``imrkg validate --reference``), which the tests hold the first one to. Each
violation is traced back to its letter and item through the focus node's IRI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from kg.building.builddir import graph_files, graphs_of, rdf_format
from kg.graph import shacl
from kg.graph.iris import compact, split_letter_iri
from kg.graph.terms import read_iri, read_term


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result, located by letter and by the node's path below it."""

    letter: str  # letter IRI tail, e.g. "CM16-0231745"
    focus: str  # the node that failed, relative to the letter ("item/2/citation/imr")
    path: str
    message: str
    severity: str

    @property
    def is_warning(self) -> bool:
        """A warning (an item without a treatment concept) is reported but does not fail a build."""
        return self.severity == "Warning"

    def line(self) -> str:
        """``letter focus: path: message``, as the report and the CLI print it."""
        where = f" {self.focus}" if self.focus else ""
        return f"{self.letter}{where}: {self.path}: {self.message}"


def _violation(focus: str, path: str | None, message: str, severity: str) -> Violation:
    letter, where = split_letter_iri(focus)
    return Violation(letter, where, compact(path) if path is not None else "-", message, severity)


def _sorted(found: Iterable[Violation]) -> list[Violation]:
    return sorted(set(found), key=lambda v: (v.letter, v.focus, v.path, v.message))


def _check(data: shacl.Data) -> list[Violation]:
    """:mod:`kg.graph.shacl`'s results for one graph, located by letter and sorted."""
    return _sorted(_violation(r.focus, r.path, r.message, r.severity) for r in shacl.validate(data))


def index_triples(triples: Iterable[tuple[str, str, str]]) -> shacl.Data:
    """The mapping's triples (terms as TriG, :mod:`kg.graph.terms`) indexed for validation (and
    for the analyst tables' rows, :mod:`kg.graph.table_rows`, which read the same index)."""
    return shacl.Data((read_term(s), read_iri(p), read_term(o)) for s, p, o in triples)


def validate_data(data: shacl.Data) -> list[Violation]:
    """Validate one letter's indexed graph (:func:`index_triples`)."""
    return _check(data)


def validate_triples(triples: Iterable[tuple[str, str, str]]) -> list[Violation]:
    """Validate one letter's graph from the mapping's triples (terms as TriG, :mod:`kg.graph.terms`)."""
    return _check(index_triples(triples))


def validate_graph(data: Graph) -> list[Violation]:
    """Validate an rdflib graph (one letter or many) with :mod:`kg.graph.shacl`."""
    return _check(shacl.Data((shacl.term_of(s), str(p), shacl.term_of(o)) for s, p, o in data))


def validate_with_pyshacl(data: Graph) -> list[Violation]:
    """Validate an rdflib graph with pySHACL, the reference the tests hold :mod:`kg.graph.shacl` to."""
    from pyshacl import validate

    _, report, _ = validate(data, shacl_graph=shacl.shapes_graph(), inference="none", allow_warnings=True)
    out = []
    for result in report.subjects(predicate=None, object=SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        out.append(
            _violation(
                str(report.value(result, SH.focusNode)),
                str(path) if path is not None else None,
                str(report.value(result, SH.resultMessage)),
                str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    return _sorted(out)


def _ox_term(term) -> tuple:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("lit", term.value, term.datatype.value, term.language)


def validate_file(path: str | Path, reference: bool = False) -> tuple[list[Violation], int]:
    """Validate one graph file, a named graph at a time (memory stays bounded by one graph):
    the violations and the number of quads read. ``reference`` validates with pySHACL instead."""
    from kg.graph.terms import to_rdflib

    out: list[Violation] = []
    count = 0
    for _, quads in graphs_of(path):
        count += len(quads)
        if reference:
            g = Graph()
            for q in quads:
                g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            out.extend(validate_with_pyshacl(g))
        else:
            out.extend(_check(shacl.Data((_ox_term(q.subject), q.predicate.value, _ox_term(q.object)) for q in quads)))
    return _sorted(out), count


def validate_path(path: str | Path, reference: bool = False) -> tuple[list[Violation], int]:
    """Validate a graph file (``.trig``, ``.nq``, ``.ttl``, ``.nt``, any of them ``.gz``) or a
    build directory. Returns the violations and the number of triples read. Raises
    ``FileNotFoundError`` for a missing file and ``ValueError`` for an unknown format or a file
    that does not parse."""
    paths = graph_files(path)
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"no such file: {p}")
        rdf_format(p)  # an unknown suffix is refused before anything is read
    violations: list[Violation] = []
    total = 0
    try:
        for p in paths:
            found, count = validate_file(p, reference)
            violations += found
            total += count
    except SyntaxError as err:
        raise ValueError(f"cannot parse {Path(p).name}: {_first_line(err)}") from None
    return _sorted(violations), total


def _first_line(err: Exception) -> str:
    text = str(err)
    return text.splitlines()[0] if text.strip() else type(err).__name__


__all__ = [
    "Violation",
    "validate_file",
    "validate_graph",
    "validate_path",
    "validate_triples",
    "validate_with_pyshacl",
]
