"""RDF terms written and converted in one place: TriG graph blocks, N-Quads lines, and
pyoxigraph terms as rdflib's.

Letter, vocabulary, ontology and statistics graphs all leave the build as TriG written here, so
one escaping rule holds for every file. Every graph file starts with :func:`trig_header`: the
prefixes, and ``@base`` at the letters' namespace, so a letter's own nodes read
``<CM16-0000001/item/2/decision>``. Triples are sorted, which makes the bytes independent of
hash order: two builds are byte-identical.

Why TriG and not N-Quads: a letter's graph is 18 KB of TriG against 44 KB of N-Quads (the
graph IRI and long subject IRIs repeat on every N-Quads line), every loader reads both
(Oxigraph, Virtuoso's ``ld_dir``, Jena, rdflib), and pyoxigraph parses TriG as fast as N-Quads
(0.22 ms a letter each, measured on the shared corpus). The text is written here rather than
through ``pyoxigraph.serialize`` because making a ``pyoxigraph.Quad`` costs 3.4 µs, half a
millisecond a letter: a fifth of the worker's whole budget.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rdflib is imported where its terms are met: a question or a find never needs it
    from rdflib import BNode, Literal, URIRef

from kg.graph.iris import LETTER_BASE, PREFIXES

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"


# -- TriG -----------------------------------------------------------------------------------------
@cache
def trig_header() -> str:
    """What every graph file starts with: ``@base`` (the letters' namespace) and the prefixes."""
    lines = [f"@base <{LETTER_BASE}> ."]
    lines += [f"@prefix {prefix}: <{ns}> ." for prefix, ns in sorted(PREFIXES.items())]
    return "\n".join(lines) + "\n"


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_RELATIVE_SAFE = re.compile(r"[A-Za-z0-9_~-][^:/?#]*(?:[/?#]|$)")


def ref(iri: str) -> str:
    """An IRI as TriG: relative to the letters' namespace when below it (``<CM16-0000001/item/1>``),
    else in full. Raises ValueError for characters an IRI cannot hold (a bug in minting it)."""
    if _IRI_UNSAFE.search(iri):
        raise ValueError(f"not a writable IRI: {iri!r}")
    if iri.startswith(LETTER_BASE):
        rest = iri[len(LETTER_BASE) :]
        if _RELATIVE_SAFE.match(rest):
            return f"<{rest}>"
    return f"<{iri}>"


def string(text: str) -> str:
    """A plain (xsd:string) literal."""
    return quote(text)


def typed(lexical: str, datatype: str) -> str:
    """A typed literal; ``datatype`` as a prefixed name (``xsd:date``)."""
    return f"{quote(lexical)}^^{datatype}"


def integer(value: int) -> str:
    """An xsd:integer literal (Turtle's bare number)."""
    return str(int(value))


BOOLEAN = {True: "true", False: "false"}


def trig_graph(graph: str, triples: Collection[tuple[str, str, str]]) -> str:
    """One named graph as a TriG block: ``graph`` and the triples' terms already written
    (:func:`ref`, :func:`string`, prefixed names); subjects grouped, triples sorted. A graph
    without triples is written as nothing: RDF has no empty named graph, and Virtuoso's TriG
    loader refuses ``<g> { }``."""
    if not triples:
        return ""
    out = [f"{ref(graph)} {{"]
    subject = None
    for s, p, o in sorted(set(triples), key=_order):
        if s != subject:
            if subject is not None:
                out[-1] += " ."
            out.append(f"{s} {p} {o}")
            subject = s
        else:
            out[-1] += " ;"
            out.append(f"\t{p} {o}")
    out[-1] += " ."  # the last statement (there is one: an empty graph returned above)
    out.append("}\n")
    return "\n".join(out)


def _order(triple: tuple[str, str, str]) -> tuple:
    """A node before the nodes below it (``<CM16-1>`` before ``<CM16-1/item/1>``), ``a`` first."""
    s, p, o = triple
    return s.rstrip(">"), p != "a", p, o


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_UNESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"n": "\n", "r": "\r", '"': '"', "\\": "\\"}


@lru_cache(maxsize=65536)
def read_iri(text: str) -> str:
    """The IRI a TriG term of :func:`ref` or a prefixed name stands for ("a" is rdf:type)."""
    if text == "a":
        return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    if text.startswith("<"):
        inner = text[1:-1]
        return inner if _SCHEME.match(inner) else LETTER_BASE + inner
    prefix, _, local = text.partition(":")
    return f"{PREFIXES[prefix]}{local}"


def read_term(text: str) -> tuple:
    """A term as this module writes it, read back: ("iri", IRI) or ("lit", lexical, datatype,
    language) -- what :mod:`kg.graph.shacl` validates, without an RDF parser."""
    return _read_literal(text) if text[0] == '"' else _read_short(text)


@lru_cache(maxsize=65536)
def _read_short(text: str) -> tuple:
    """IRIs, numbers and booleans repeat across letters: read once each."""
    first = text[0]
    if first.isdigit() or first in "+-":
        return ("lit", text, _XSD + "integer", None)
    if text in ("true", "false"):
        return ("lit", text, _XSD + "boolean", None)
    return ("iri", read_iri(text))


def _read_literal(text: str) -> tuple:
    end = text.rindex('"')
    lexical = text[1:end]
    if "\\" in lexical:
        lexical = _UNESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(0)), lexical)
    tail = text[end + 1 :]
    if tail.startswith("^^"):
        return ("lit", lexical, read_iri(tail[2:]), None)
    if tail.startswith("@"):
        return ("lit", lexical, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", tail[1:])
    return ("lit", lexical, _XSD_STRING, None)


def trig_term(term: Any) -> str:
    """An rdflib term as TriG (vocabulary, ontology and statistics graphs)."""
    from rdflib import URIRef

    if isinstance(term, URIRef):
        return ref(str(term))
    return nquads_term(term)


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
    from rdflib import Literal

    if isinstance(term, Literal):
        return literal_term(str(term), str(term.datatype) if term.datatype else None, term.language)
    return term.n3()  # IRIs and blank nodes: rdflib checks an IRI is writable


def _memoized(write):
    """``write`` remembering what it wrote: a graph names each subject and predicate many times,
    and rdflib re-validates an IRI on every ``n3()``."""
    memo: dict = {}

    def term(t: Any) -> str:
        try:
            return memo[t]
        except KeyError:
            text = memo[t] = write(t)
            return text

    return term


def nquad_lines(triples: Iterable[tuple], graph: str) -> list[str]:
    """Triples as sorted N-Quads lines in ``graph`` (the vocabulary and ontology for the workers)."""
    term = _memoized(nquads_term)
    tail = f" <{graph}> .\n"
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
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:  # rdflib keeps "x" and "x"^^xsd:string apart
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def rdflib_trig(graph: str, triples: Iterable[tuple]) -> str:
    """rdflib triples as one TriG graph block (see :func:`trig_graph`)."""
    term = _memoized(trig_term)
    return trig_graph(str(graph), [(term(s), term(p), term(o)) for s, p, o in triples])


__all__ = [
    "BOOLEAN",
    "integer",
    "literal_term",
    "nquad_lines",
    "nquads_term",
    "quote",
    "rdflib_trig",
    "read_iri",
    "read_term",
    "ref",
    "string",
    "to_rdflib",
    "trig_graph",
    "trig_header",
    "trig_term",
    "typed",
    "typed_value",
]
