"""SHACL Core validation of one letter's graph in plain Python: the build's validator.

The shapes file (``shapes/imr-shapes.ttl``) stays the one definition. It is compiled once into
a list of node shapes, each with its targets and its property shapes' constraints, and every
letter's graph is checked on its own, from the triples the mapping made (no RDF store, no
parse). pySHACL stays the reference: :func:`kg.building.validate.validate_with_pyshacl` runs the same
shapes, and the tests check that both give the same results on the shared corpus and on many
broken graphs.

Why not pySHACL in the build: it cost 1.0-1.2 ms a letter plus 0.45 ms to collect the triples
for it. Tried instead and measured on the shared corpus: pyrudof, the Rust SHACL engine on PyPI,
5.8 ms a letter and wrong (sh:minInclusive on xsd:nonNegativeInteger flagged every value); the
shapes compiled to SPARQL and run on the chunk's Oxigraph store, 0.8-0.9 ms a letter (about
1.5-6 µs a row, and a check visits every focus node's values). Here: 0.4 ms a letter (10k synthetic letters),
most of it reading the terms back and indexing them.

Only the constraint components the shapes use are compiled (cardinality, value type, value
range, string, ``sh:in``, ``sh:hasValue``, ``sh:lessThan``, ``sh:class``); a shape with any other
is refused when the shapes are read (:class:`ShapesError`), never skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

from kg.base.resources import shapes_file

# A term as the validator sees it: ("iri", value), ("bnode", id) or ("lit", lexical, datatype, language)
Term = tuple
_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
RDF_TYPE = str(RDF.type)


class ShapesError(ValueError):
    """A shapes file this validator cannot compile (an unsupported constraint, a path that is not
    a single property): use pySHACL for it."""


@dataclass(frozen=True, slots=True)
class Result:
    """One broken constraint: the focus node, the property, the shape's message."""

    focus: str
    path: str | None
    message: str
    severity: str  # "Violation", "Warning" or "Info"


class Data:
    """One graph's triples, indexed the ways the shapes look them up."""

    def __init__(self, triples: Iterable[tuple[Term, str, Term]]) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.subjects_of: dict[str, list[Term]] = defaultdict(list)
        self.objects_of: dict[str, list[Term]] = defaultdict(list)
        for s, p, o in dict.fromkeys(triples):
            self.out[s][p].append(o)
            self.subjects_of[p].append(s)
            self.objects_of[p].append(o)

    def values(self, focus: Term, path: str) -> list[Term]:
        """The objects of ``focus`` along ``path`` (a property IRI)."""
        node = self.out.get(focus)
        return node.get(path, []) if node is not None else []


# -- value tests ----------------------------------------------------------------------------------
_LEXICAL = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.nonNegativeInteger): re.compile(r"\+?[0-9]+|-0+"),
    str(XSD.decimal): re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    str(XSD.boolean): re.compile(r"true|false|1|0"),
    str(XSD.date): re.compile(r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?"),
    str(XSD.gYear): re.compile(r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?"),
}
_NUMERIC = {str(XSD[t]) for t in ("integer", "nonNegativeInteger", "decimal", "int", "long", "double", "float")}


def _is_literal(term: Term) -> bool:
    return term[0] == "lit"


def _well_formed(term: Term) -> bool:
    check = _LEXICAL.get(term[2])
    return check is None or check.fullmatch(term[1]) is not None


def _number(term: Term) -> Decimal | None:
    if not _is_literal(term) or term[2] not in _NUMERIC:
        return None
    try:
        return Decimal(term[1])
    except InvalidOperation:
        return None


def _compare(value: Term, bound: Term) -> int | None:
    """-1, 0 or 1 when the two literals compare (numbers; dates and years of one datatype), else None."""
    a, b = _number(value), _number(bound)
    if a is None or b is None:
        if _is_literal(value) and _is_literal(bound) and value[2] == bound[2] and value[2] != _STRING:
            a, b = value[1], bound[1]  # ISO dates and years compare as text
        else:
            return None
    return (a > b) - (a < b)


def _text(term: Term) -> str:
    return term[1]


def term_of(node) -> Term:
    """An rdflib term as the validator's term."""
    if isinstance(node, URIRef):
        return ("iri", str(node))
    if isinstance(node, BNode):
        return ("bnode", str(node))
    datatype = str(node.datatype) if node.datatype else (_LANG_STRING if node.language else _STRING)
    return ("lit", str(node), datatype, node.language)


def _value_test(kind: URIRef, value, shape, shapes: Graph) -> Callable[[Term], bool] | None:
    """A function true when a value node breaks the constraint ``kind value``."""
    if kind == SH.datatype:
        datatype = str(value)
        return lambda v: not (_is_literal(v) and v[2] == datatype and _well_formed(v))
    if kind == SH.nodeKind:
        allowed = {
            SH.IRI: {"iri"},
            SH.Literal: {"lit"},
            SH.BlankNode: {"bnode"},
            SH.BlankNodeOrIRI: {"iri", "bnode"},
            SH.IRIOrLiteral: {"iri", "lit"},
            SH.BlankNodeOrLiteral: {"bnode", "lit"},
        }[value]
        return lambda v: v[0] not in allowed
    if kind == SH.pattern:
        flags = str(shapes.value(shape, SH.flags) or "")
        regex = re.compile(str(value), re.IGNORECASE if "i" in flags else 0)
        return lambda v: v[0] == "bnode" or regex.search(_text(v)) is None
    if kind == SH["in"]:
        members = {term_of(m) for m in Collection(shapes, value)}
        return lambda v: v not in members
    comparisons = {
        SH.minInclusive: lambda c: c >= 0,
        SH.maxInclusive: lambda c: c <= 0,
        SH.minExclusive: lambda c: c > 0,
        SH.maxExclusive: lambda c: c < 0,
    }
    if kind in comparisons:
        bound, holds = term_of(value), comparisons[kind]
        return lambda v: (c := _compare(v, bound)) is None or not holds(c)
    if kind in (SH.minLength, SH.maxLength):
        n = int(value)
        if kind == SH.minLength:
            return lambda v: v[0] == "bnode" or len(_text(v)) < n
        return lambda v: v[0] == "bnode" or len(_text(v)) > n
    return None


# -- compiled shapes ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Property:
    path: str
    message: str
    severity: str
    min_count: int | None
    max_count: int | None
    tests: tuple[Callable[[Term], bool], ...]
    has_value: Term | None
    less_than: str | None
    classes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeShape:
    """A node shape: how to find its focus nodes, and its property shapes."""

    name: str
    targets: tuple[tuple[str, str], ...]  # (kind, IRI): class, node, subjectsOf, objectsOf
    properties: tuple[_Property, ...]

    def focus_nodes(self, data: Data) -> list[Term]:
        """The nodes of ``data`` the shape's targets select, each once."""
        found: dict[Term, None] = {}
        for kind, iri in self.targets:
            if kind == "class":
                found.update((s, None) for s in data.subjects_of[RDF_TYPE] if ("iri", iri) in data.values(s, RDF_TYPE))
            elif kind == "node":
                found[("iri", iri)] = None
            elif kind == "subjectsOf":
                found.update((s, None) for s in data.subjects_of.get(iri, ()))
            else:
                found.update((o, None) for o in data.objects_of.get(iri, ()))
        return list(found)


_TARGETS = {
    SH.targetClass: "class",
    SH.targetNode: "node",
    SH.targetSubjectsOf: "subjectsOf",
    SH.targetObjectsOf: "objectsOf",
}
_SHAPE_PARAMETERS = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.property,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.flags,
    *_TARGETS,
}


def _property(prop, shapes: Graph) -> _Property:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise ShapesError(f"property shape {prop}: only a single property is supported as sh:path")
    min_count = max_count = has_value = less_than = None
    tests: list[Callable[[Term], bool]] = []
    classes: list[str] = []
    for kind, value in shapes.predicate_objects(prop):
        if kind in _SHAPE_PARAMETERS:
            continue
        if kind == SH.minCount:
            min_count = int(value)  # type: ignore[call-overload]
        elif kind == SH.maxCount:
            max_count = int(value)  # type: ignore[call-overload]
        elif kind == SH.hasValue:
            has_value = term_of(value)
        elif kind == SH.lessThan:
            less_than = str(value)
        elif kind == SH["class"]:
            classes.append(str(value))
        else:
            test = _value_test(kind, value, prop, shapes)  # type: ignore[arg-type]
            if test is None:
                raise ShapesError(f"constraint {kind.n3()} is not supported by kg.graph.shacl; validate with pySHACL")
            tests.append(test)
    message = str(shapes.value(prop, SH.message) or f"{path} does not conform")
    severity = shapes.value(prop, SH.severity)
    return _Property(
        str(path),
        message,
        str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        min_count,
        max_count,
        tuple(tests),
        has_value,
        less_than,
        tuple(classes),
    )


def compile_shapes(shapes: Graph) -> tuple[NodeShape, ...]:
    """The node shapes of a shapes graph, with their property shapes."""
    out = []
    names = {s for t in _TARGETS for s in shapes.subjects(t, None)}
    for shape in sorted(names, key=str):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        for kind, _ in shapes.predicate_objects(shape):
            if kind not in _SHAPE_PARAMETERS:
                raise ShapesError(
                    f"{kind.n3()} on node shape {shape} is not supported by kg.graph.shacl; validate with pySHACL"
                )
        targets = tuple((_TARGETS[t], str(v)) for t in _TARGETS for v in shapes.objects(shape, t))
        properties = tuple(_property(p, shapes) for p in shapes.objects(shape, SH.property))
        out.append(NodeShape(str(shape), targets, properties))
    return tuple(out)


@cache
def shapes_graph() -> Graph:
    """The shapes of ``shapes/imr-shapes.ttl`` as an rdflib graph (compiled here, run by pySHACL)."""
    return Graph().parse(data=shapes_file().read_text(encoding="utf-8"), format="turtle")


@cache
def compiled() -> tuple[NodeShape, ...]:
    """The shapes of ``shapes/imr-shapes.ttl``, compiled once per process."""
    return compile_shapes(shapes_graph())


def validate(data: Data, shapes: tuple[NodeShape, ...] | None = None) -> list[Result]:
    """Every broken constraint in one graph, one result per focus node, path and message."""
    out: dict[Result, None] = {}
    for shape in shapes if shapes is not None else compiled():
        for focus in shape.focus_nodes(data):
            name = focus[1]
            for prop in shape.properties:
                if _broken(prop, focus, data.values(focus, prop.path), data):  # values are distinct: Data keeps a set
                    out[Result(name, prop.path, prop.message, prop.severity)] = None
    return sorted(out, key=lambda r: (r.focus, r.path or "", r.message))


def _broken(prop: _Property, focus: Term, values: list[Term], data: Data) -> bool:
    n = len(values)
    if (prop.min_count is not None and n < prop.min_count) or (prop.max_count is not None and n > prop.max_count):
        return True
    if prop.has_value is not None and prop.has_value not in values:
        return True
    for value in values:
        for test in prop.tests:
            if test(value):
                return True
        for cls in prop.classes:
            if ("iri", cls) not in data.values(value, RDF_TYPE):
                return True
    if prop.less_than is not None:
        for v in values:
            for w in data.values(focus, prop.less_than):
                c = _compare(v, w)
                if c is None or c >= 0:
                    return True
    return False


__all__ = [
    "Data",
    "NodeShape",
    "Result",
    "ShapesError",
    "compile_shapes",
    "compiled",
    "shapes_graph",
    "term_of",
    "validate",
]
