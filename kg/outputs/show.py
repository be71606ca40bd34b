"""One letter's facts with the exact words they were taken from, read back from a store.

Every text position in a letter graph is an RFC 5147 fragment of the letter's text resource
(``…/letter/KEY/text#char=START,END``), so a fact's evidence is ``text[start:end]``: this module
asks the store (embedded or a server) for the facts and their positions, and cuts the quotes
from the text. ``imrkg show CASE`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.graph.iris import split_text_position
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
    span: tuple[int, int] | None = None  # where the quote is in the letter's text


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """A letter's case number, decision date, outcome and its items' facts."""

    case: str
    decision: str | None
    outcome: str | None
    facts: tuple[Fact, ...]
    text: str = ""  # the letter's normalized text, which every span indexes


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
        facts.append(Fact(n, kind, value or "", quote, (where[1], where[2]) if where else None))
    facts.sort(key=lambda f: (f.item, _ORDER.get(f.kind, 9), f.kind, f.value))
    if item is not None and not facts:
        raise NotFound(f"letter {case} has no item {item}")
    return LetterFacts(case, decision, outcome, tuple(facts), text)


_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #1d2733; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; } .meta { color: #4a5a6a; }
dl { display: grid; grid-template-columns: 11rem 1fr; gap: .25rem 1rem; } dt { color: #4a5a6a; }
pre { white-space: pre-wrap; background: #f6f8fa; padding: 1rem; font-size: .85rem; line-height: 1.45; }
mark { background: #fff3b0; } mark.reason { background: #ffd7a8; } mark.title { background: #cfe3ff; }
mark.citation { background: #d9f2dc; } mark:target { outline: 2px solid #b2432f; }
a { color: #2f5d8a; }
"""


def letter_page(found: LetterFacts) -> str:
    """One self-contained HTML page for a letter: its header, each item's facts (outcome,
    classification, reasons, citations) each linked to its words, and the letter's text with every
    extracted span marked. No script and nothing fetched: it opens offline and prints as it shows."""
    from html import escape

    spans = sorted(
        ((f.span[0], f.span[1], i, f) for i, f in enumerate(found.facts) if f.span and f.span[0] < f.span[1]),
        key=lambda s: (s[0], -s[1], s[2]),
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>IMR letter {escape(found.case)}</title><style>{_PAGE_STYLE}</style></head><body>",
        f"<h1>IMR letter {escape(found.case)}</h1>",
        f"<p class='meta'>decided {escape(found.decision or 'on no stated date')}; "
        f"letter outcome {escape(found.outcome or 'not stated')}</p>",
    ]
    current = None
    for i, fact in enumerate(found.facts):
        if fact.item != current:
            if current is not None:
                parts.append("</dl></section>")
            current = fact.item
            parts.append(f"<section id='item-{fact.item}'><h2>Item {fact.item}</h2><dl>")
        words = escape(fact.value) if fact.value and fact.value != fact.quote else ""
        quote = f"“{escape(fact.quote[:300])}{'…' if len(fact.quote) > 300 else ''}”" if fact.quote else ""
        shown = " ".join(x for x in (words, quote) if x) or "—"
        link = f"<a href='#f{i}'>{shown}</a>" if fact.span else shown
        parts.append(f"<dt>{escape(fact.kind)}</dt><dd>{link}</dd>")
    if current is not None:
        parts.append("</dl></section>")
    parts.append(
        "<h2>The letter's text</h2><p class='meta'>Every extracted fact is marked; a fact above links to its words.</p>"
    )
    parts.append(f"<pre>{_marked(found.text, spans)}</pre></body></html>\n")
    return "".join(parts)


def _marked(text: str, spans: list[tuple[int, int, int, Fact]]) -> str:
    """The text with a ``<mark>`` around each stretch inside one or more spans (classed by the
    facts' kinds), and an anchor ``id='fN'`` where fact N's span begins."""
    from html import escape

    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        inside = [(s, e, i, f) for s, e, i, f in spans if s <= a and b <= e]
        anchors = "".join(f"<span id='f{i}'></span>" for s, _, i, _ in spans if s == a)
        piece = escape(text[a:b])
        if inside:
            kinds = sorted({f.kind.split()[0] for _, _, _, f in inside})
            piece = f"<mark class='{' '.join(kinds)}'>{piece}</mark>"
        out.append(anchors + piece)
    return "".join(out)


def results_page(found, output, target, words: str = "", params: dict[str, str] | None = None) -> int:
    """``imrkg find --html -o FILE``: the list of hits as one self-contained page, each linking to
    its letter's page (:func:`letter_page`, written to ``FILE-letters/CASE.html`` beside it, one
    per letter, when ``target`` holds the letters). Returns how many letter pages were written."""
    from html import escape
    from pathlib import Path

    from kg.base.output import atomic_writer

    output = Path(output)
    folder = output.with_name(output.stem + "-letters")
    written: dict[str, str] = {}
    if target is not None:
        for case in dict.fromkeys(h.case for h in found.hits):
            try:
                page = letter_page(letter_facts(target, case))
            except NotFound:
                continue  # a letter without a case number: show cannot name it
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_writer(folder / f"{_safe_name(case)}.html") as fh:
                fh.write(page)
            written[case] = f"{folder.name}/{_safe_name(case)}.html"
    asked = " ".join([f"“{words}”"] if words else []) + "".join(f" {k}={v}" for k, v in (params or {}).items())
    head = ["case", "date", "item", "title", "category", "outcome", "reasons", "sentence"]
    rows = []
    for h in found.hits:
        link = written.get(h.case)
        case = f"<a href='{escape(link)}#item-{h.item}'>{escape(h.case)}</a>" if link else escape(h.case)
        cells = [case, escape(h.date or ""), str(h.item), escape(h.title), escape(h.category or ""),
                 escape(h.outcome), escape(", ".join(h.reasons)), escape(h.sentence)]  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    total = "" if found.total is None else f" of {found.total}"
    page = "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>imrkg find {escape(asked.strip())}</title><style>{_PAGE_STYLE}",
            "table { border-collapse: collapse; font-size: .9rem; } td, th { border-bottom: 1px solid #dde3ea; ",
            "padding: .3rem .5rem; vertical-align: top; text-align: left; }</style></head><body>",
            f"<h1>Decided items: {escape(asked.strip() or 'all')}</h1>",
            f"<p class='meta'>{len(found.hits)}{total} items, from the {escape(found.route)}.</p>",
            "<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr></thead><tbody>",
            *rows,
            "</tbody></table></body></html>\n",
        ]
    )
    with atomic_writer(output) as fh:
        fh.write(page)
    return len(written)


def _safe_name(case: str) -> str:
    """A case number as a file name (letters, digits, dash, dot, underscore)."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "_", case)


__all__ = ["Fact", "LetterFacts", "NotFound", "letter_facts", "letter_page", "results_page"]
