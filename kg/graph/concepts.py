"""Names a person can find: the concepts of the vocabulary by kind, searched by label, and a
parameter value (a label, a slug or an IRI) resolved to one of them -- or an error naming the
closest matches, never a value that silently matches nothing.

The concepts are read from the vocabulary graph the build writes (:mod:`kg.graph.vocab_rdf`), so what
is listed here is what the store holds.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from kg.graph.iris import (
    DCTERMS,
    ID,
    IMR,
    RDF,
    RDFS,
    REASON_SCHEME,
    SKOS,
    SPECIALTY_SCHEME,
    STATE_SCHEME,
    TREATMENT_SCHEME,
)

KINDS = ("treatment", "category", "drug-class", "specialty", "work", "chapter", "reason", "outcome", "state")
_TREATMENT_BASE = str(ID["treatment/"])


class UnknownConcept(ValueError):
    """A value that names no concept of the kind asked for."""


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept: its kind, IRI, preferred label, the slug users may type, other labels."""

    kind: str
    iri: str
    label: str
    slug: str
    alt: tuple[str, ...] = ()


class _Vocabulary:
    """The vocabulary's triples by subject and by (predicate, object), terms as plain strings: read
    from ``ontology/vocabulary.ttl`` with pyoxigraph (the file the tests hold equal to the data),
    20 ms, where building the rdflib graph from the data cost every `find` or `query --param` 0.5 s."""

    def __init__(self) -> None:
        import pyoxigraph as ox

        from kg.base.resources import vocabulary_file

        self._out: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._in: dict[tuple[str, str], list[str]] = defaultdict(list)
        with vocabulary_file().open("rb") as fh:
            for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
                s, p, o = t.subject.value, t.predicate.value, t.object.value
                self._out[(s, p)].append(o)
                self._in[(p, o)].append(s)

    def value(self, s, p) -> str | None:
        found = self._out.get((str(s), str(p)))
        return found[0] if found else None

    def objects(self, s, p) -> list[str]:
        return self._out.get((str(s), str(p)), [])

    def subjects(self, p, o) -> list[str]:
        return self._in.get((str(p), str(o)), [])

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        return str(o) in self._out.get((str(s), str(p)), [])


@cache
def _vocabulary() -> _Vocabulary:
    return _Vocabulary()


@cache
def all_concepts() -> tuple[Concept, ...]:
    """Every concept a parameter can name, by kind then label."""
    g = _vocabulary()
    out: list[Concept] = []

    def add(kind: str, iri: str, label_predicate=SKOS.prefLabel) -> None:
        label = str(g.value(iri, label_predicate) or iri)
        alt = tuple(sorted(str(a) for a in g.objects(iri, SKOS.altLabel)))
        slug = str(iri).rsplit("/", 1)[-1]
        if str(iri).startswith(_TREATMENT_BASE):
            slug = str(iri)[len(_TREATMENT_BASE) :]
        out.append(Concept(kind, str(iri), label, slug, alt))

    for t in g.subjects(SKOS.inScheme, TREATMENT_SCHEME):
        slug = str(t)[len(_TREATMENT_BASE) :]
        if (t, SKOS.topConceptOf, TREATMENT_SCHEME) in g:
            add("category", t)
        if slug.startswith("drug-class/"):
            add("drug-class", t)
        add("treatment", t)
    for kind, scheme in (("specialty", SPECIALTY_SCHEME), ("reason", REASON_SCHEME), ("state", STATE_SCHEME)):
        for c in g.subjects(SKOS.inScheme, scheme):
            add(kind, c)
    for w in g.subjects(RDF.type, IMR.GuidelineWork):
        add("work", w, RDFS.label)
    for c in g.subjects(RDF.type, IMR.GuidelineChapter):  # "Low Back Complaints (mtus-acoem)"
        title, number = str(g.value(c, RDFS.label)), g.value(c, IMR.chapterNumber)
        work = str(g.value(c, DCTERMS.isPartOf)).rsplit("/", 1)[-1]
        other = (title, f"{work} chapter {number}") if number is not None else (title,)
        out.append(Concept("chapter", str(c), f"{title} ({work})", str(c).rsplit("/", 1)[-1], tuple(sorted(other))))
    out += [Concept("outcome", str(IMR[o]), o, o.lower(), ()) for o in ("Upheld", "Overturned")]
    return tuple(sorted(out, key=lambda c: (KINDS.index(c.kind), c.label.lower(), c.iri)))


@cache
def narrower(iri: str) -> tuple[str, ...]:
    """``iri`` and every treatment concept under it: by skos:broader, and for a DWC subcategory
    the concepts skos:related to it and theirs. What a treatment parameter means: "injection"
    is every injection, "Facet Injection" every facet-injection concept."""
    g = _vocabulary()
    start = iri
    seen = {start}
    todo = [start, *g.subjects(SKOS.related, start)]
    seen.update(todo)
    while todo:
        node = todo.pop()
        for child in g.subjects(SKOS.broader, node):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return (iri, *sorted(s for s in seen if s != start))


def concepts(kind: str | None = None) -> list[Concept]:
    """The concepts of one kind (all kinds when None)."""
    return [c for c in all_concepts() if kind is None or c.kind == kind]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def search(text: str, kind: str | None = None) -> list[Concept]:
    """Concepts whose label, other labels or slug contain every word of ``text``."""
    words = _norm(text).split()
    found = []
    for c in concepts(kind):
        hay = _norm(" ".join((c.label, c.slug, *c.alt)))
        if all(w in hay for w in words):
            found.append(c)
    return found


def resolve(kind: str, value: str) -> Concept:
    """The concept of ``kind`` that ``value`` names: its IRI (``<…>`` or bare), slug, label or
    another label, compared without case or punctuation; else :class:`UnknownConcept` naming
    the closest matches."""
    value = value.strip()
    iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    pool = concepts(kind)
    for c in pool:
        if iri == c.iri:
            return c
    key = _norm(value)
    for c in pool:
        if key in (_norm(c.slug), _norm(c.label)):
            return c
    for c in pool:
        if key in (_norm(a) for a in c.alt):
            return c
    close = closest(value, kind)
    hint = f"; closest: {', '.join(close)}" if close else f"; see `imrkg concepts --kind {kind}`"
    raise UnknownConcept(f"no {kind} named {value!r}{hint}")


def closest(value: str, kind: str | None = None) -> list[str]:
    """Up to five names of ``kind`` (any kind: None) closest to ``value``: what `--param` and
    `imrkg concepts` offer when nothing is named so."""
    pool = concepts(kind)
    names = {_norm(c.label): c.label for c in pool} | {_norm(c.slug): c.slug for c in pool}
    close = [names[n] for n in difflib.get_close_matches(_norm(value), list(names), n=5, cutoff=0.5)]
    close += [c.label for c in search(value, kind)[:5] if c.label not in close]
    return close[:5]


__all__ = ["KINDS", "Concept", "UnknownConcept", "all_concepts", "closest", "concepts", "narrower", "resolve", "search"]
