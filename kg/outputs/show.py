"""One letter's facts with the exact words they were taken from, read back from a store.

Every text position in a letter graph is an RFC 5147 fragment of the letter's text resource
(``…/letter/KEY/text#char=START,END``), so a fact's evidence is ``text[start:end]``: this module
asks the store (embedded or a server) for the facts and their positions, and cuts the quotes
from the text. ``imrkg show CASE`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.graph.namespaces import split_text_position
from kg.stores.queries import run

_LETTER = """
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?letter ?text ?decision ?outcome WHERE {
  ?letter imr:caseNumber ?case ; imr:hasText/rdf:value ?text .
  OPTIONAL { ?letter imr:decisionDate ?decision }
  OPTIONAL { ?letter imr:letterOutcome ?o . BIND(STRAFTER(STR(?o), "#") AS ?outcome) }
}
"""
_FACTS = """
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?number ?kind ?value ?p WHERE {
  ?letter imr:hasItem ?item .
  ?item imr:itemNumber ?number ; imr:decision ?d .
  {
    ?item rdfs:label ?value ; imr:textPosition ?p . BIND("title" AS ?kind)
  } UNION {
    ?d imr:outcome ?o ; imr:textPosition ?p . BIND("rationale" AS ?kind) BIND(STRAFTER(STR(?o), "#") AS ?value)
  } UNION {
    ?party_citation imr:citingParty ?party .
    ?item ?party_citation ?c . ?c imr:textPosition ?p .
    BIND(CONCAT("citation by ", STRAFTER(STR(?party), "#")) AS ?kind) BIND("" AS ?value)
  } UNION {
    ?d imr:hasReasonStatement ?p . ?p imr:reasonCode ?code .
    ?code skos:prefLabel ?value . BIND("reason" AS ?kind)
  } UNION {
    ?item imr:treatmentCategory ?cat . ?cat skos:prefLabel ?category .
    OPTIONAL { ?item imr:treatment ?t . ?t skos:prefLabel ?concept }
    OPTIONAL { ?item imr:classificationEvidence ?evidence }
    BIND("treatment" AS ?kind)
    BIND(CONCAT(?category, IF(BOUND(?concept), CONCAT(" / ", ?concept), ""),
                IF(BOUND(?evidence), CONCAT(" (from \\"", ?evidence, "\\")"), "")) AS ?value)
  }
}
"""
_ORDER = {"title": 0, "treatment": 1, "rationale": 2, "reason": 3}


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of an item, with the words of the letter it came from ("" when it has no span)."""

    item: int
    kind: str  # title, treatment, rationale, reason, citation by ...
    value: str
    quote: str


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """A letter's case number, decision date, outcome and its items' facts."""

    case: str
    decision: str | None
    outcome: str | None
    facts: tuple[Fact, ...]


class NotFound(LookupError):
    """No letter with that case number in the store."""


def letter_facts(target, case: str, item: int | None = None) -> LetterFacts:
    """The facts of the letter ``case`` (of one item, if given) and their quotes."""
    bind = {ox.Variable("case"): ox.Literal(case)}
    _, rows = run(target, _LETTER, bind)
    if not rows:
        raise NotFound(f"no letter with case number {case!r} in the store (imrkg sparql can list them)")
    letter, text, decision, outcome = rows[0]
    _, found = run(target, _FACTS, {ox.Variable("letter"): ox.NamedNode(letter)})
    facts = []
    for number, kind, value, position in found:
        n = int(number)
        if item is not None and n != item:
            continue
        where = split_text_position(position) if position else None
        quote = " ".join(text[where[1] : where[2]].split()) if where else ""
        facts.append(Fact(n, kind, value or "", quote))
    facts.sort(key=lambda f: (f.item, _ORDER.get(f.kind, 9), f.kind, f.value))
    if item is not None and not facts:
        raise NotFound(f"letter {case} has no item {item}")
    return LetterFacts(case, decision, outcome, tuple(facts))


__all__ = ["Fact", "LetterFacts", "NotFound", "letter_facts"]
