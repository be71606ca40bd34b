"""Letter triples -> sorted N-Quads lines: the bytes of a letter's graph in ``graph.nq``.

Sorting makes the bytes independent of hash order, so two builds are byte-identical. Term
strings are memoized per letter: a letter names each subject and predicate many times, and
rdflib re-validates and re-formats an IRI on every ``n3()``.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral


def nquad_lines(triples, graph: URIRef) -> list[str]:
    memo: dict = {}

    def term(t) -> str:
        try:
            return memo[t]
        except KeyError:
            text = memo[t] = _quoteLiteral(t) if isinstance(t, Literal) else t.n3()
            return text

    tail = f" {graph.n3()} .\n"
    return sorted(f"{term(s)} {term(p)} {term(o)}{tail}" for s, p, o in triples)
