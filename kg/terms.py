"""RDF terms written and converted in one place: N-Quads lines, and pyoxigraph terms as rdflib's.

Letter, vocabulary, ontology and statistics graphs all leave the build as N-Quads written here,
so one escaping rule holds for every file. Lines are sorted, which makes the bytes independent
of hash order: two builds are byte-identical. Term strings are memoized per graph: a letter
names each subject and predicate many times, and rdflib re-validates an IRI on every ``n3()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Literal, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def quote(lexical: str) -> str:
    """An N-Quads string: the characters N-Quads forbids raw (quote, backslash, LF, CR) escaped."""
    return '"' + lexical.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


def literal_term(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal as N-Quads: ``"text"``, ``"text"@en`` or ``"1"^^<…#integer>``."""
    if language:
        return f"{quote(lexical)}@{language}"
    if datatype:
        return f"{quote(lexical)}^^<{datatype}>"
    return quote(lexical)


def nquads_term(term: Any) -> str:
    """An rdflib term as N-Quads."""
    if isinstance(term, Literal):
        return literal_term(str(term), str(term.datatype) if term.datatype else None, term.language)
    return term.n3()  # IRIs and blank nodes: rdflib checks an IRI is writable


def nquad_lines(triples: Iterable[tuple], graph: URIRef) -> list[str]:
    """Triples as sorted N-Quads lines in ``graph``: the bytes of one graph of ``graph.nq``."""
    memo: dict = {}

    def term(t: Any) -> str:
        try:
            return memo[t]
        except KeyError:
            text = memo[t] = nquads_term(t)
            return text

    tail = f" {graph.n3()} .\n"
    return sorted(f"{term(s)} {term(p)} {term(o)}{tail}" for s, p, o in triples)


_NUMBERS = {
    "http://www.w3.org/2001/XMLSchema#" + name: kind
    for kind, names in (
        (int, ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")),
        (float, ("decimal", "double", "float")),
    )
    for name in names
}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def typed_value(value: str | None, datatype: str | None) -> Any:
    """A literal's value as JSON wants it: integers and booleans as such, decimals and doubles as
    floats rounded to 4 places (an average of days needs no 18 decimals), anything else as text."""
    if value is None or datatype is None:
        return value
    kind = _NUMBERS.get(datatype)
    try:
        if kind is int:
            return int(value)
        if kind is float:
            return round(float(value), 4)
    except ValueError:
        return value
    if datatype == _BOOLEAN:
        return value in ("true", "1")
    return value


def to_rdflib(term: Any) -> URIRef | BNode | Literal:
    """A pyoxigraph term as the equal rdflib term (streamed validation, rdflib queries)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:  # rdflib keeps "x" and "x"^^xsd:string apart
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


__all__ = ["literal_term", "nquad_lines", "nquads_term", "quote", "to_rdflib", "typed_value"]
