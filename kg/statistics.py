"""Letter graphs -> corpus statistics: the aggregates the canned questions ask for, kept as an
RDF Data Cube (``qb:Observation``) in one named graph, ``id/graph/statistics``.

Why: Oxigraph joins cost about 1.5 microseconds a row even in memory, so a question that joins
three facts of every item (category, decision, outcome) takes seconds on 100k letters however
it is written. The build already holds every letter's triples, so each worker also counts what
its letters contribute (counts of *distinct* items or letters per key: additive across letters,
since an item belongs to one letter); the main process keeps those partial counts in the
manifest and sums them into ``statistics.nq``. A changed letter only changes its own partial
counts, so the statistics follow the build incrementally.

The counts are computed from the letter's triples, not from the parsed record, with the same
patterns as the questions over the letter graphs in ``queries/raw/`` (the tests hold the two
equal), so the cube says what the graph says. Labels are not copied: the queries in
``queries/`` join them from the vocabulary and ontology graphs.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from rdflib import Literal, URIRef

from kg import namespaces as ns
from kg.namespaces import (
    QB,
    STAT,
    STATISTICS_GRAPH,
    Cached,
    compact,
    expand,
    statistics_dataset_iri,
    statistics_observation_iri,
    treatment_iri,
)
from kg.terms import literal_term, quote
from kg.treatments import drug_class_concept

# one URIRef per name: rdflib makes a new one on every namespace attribute access
IMR, RDF, SKOS = Cached(ns.IMR), Cached(ns.RDF), Cached(ns.SKOS)
_TRUE = Literal(True)
_XSD_INTEGER = str(ns.XSD.integer)


@dataclass(frozen=True, slots=True)
class Dataset:
    """One cube: its dimensions (IRI or literal valued; a missing value is left out) and its
    measures with how two partial values combine."""

    name: str
    dimensions: tuple[tuple[str, str], ...]  # (property, "iri" | "literal")
    measures: tuple[tuple[str, str], ...]  # (property, "sum" | "min" | "max")


def _ds(name: str, dims: str, measures: str) -> Dataset:
    def pairs(spec: str, default: str) -> tuple[tuple[str, str], ...]:
        return tuple((w.split(":")[0], w.split(":")[1] if ":" in w else default) for w in spec.split())

    return Dataset(name, pairs(dims, "iri"), pairs(measures, "sum"))


DATASETS = {
    d.name: d
    for d in (
        _ds("outcome-by-category", "category", "items overturned"),
        _ds("outcome-by-treatment", "treatment", "items overturned"),
        _ds("specialty-by-category", "specialty category", "items overturned"),
        _ds("modified-request-outcomes", "category outcome", "items"),
        _ds("spinal-levels-injections", "level:literal", "items overturned"),
        _ds("outside-mtus-by-treatment", "treatment", "items"),
        _ds("citation-concordance", "", "itemsBothCited itemsSameWork"),
        _ds("cited-sections-for-treatment", "treatment work reference:literal", "items"),
        _ds("upheld-facet-guidelines", "treatment work chapter:literal reference:literal", "items"),
        _ds("opioid-outcomes", "outcome work reference:literal", "items"),
        _ds("reviewer-states", "state", "letters"),
        _ds("days-ur-to-decision", "priority:literal", "letters totalDays minDays:min maxDays:max"),
        _ds("mixed-outcome-letters", "case:literal", "upheld overturned"),
        _ds("denial-reasons", "category reason", "items"),
        _ds("reasons-by-year", "year:literal reason", "items"),
    )
}

_SPINAL_TOPS = (treatment_iri("facet-procedures"), treatment_iri("epidural-steroid-injection"))
_OPIOIDS = treatment_iri(drug_class_concept("Opioids"))


@cache
def _broader() -> dict[URIRef, frozenset[URIRef]]:
    from kg.vocab_rdf import vocabulary_graph

    out: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in vocabulary_graph().subject_objects(SKOS.broader):
        out[s].add(o)
    return {k: frozenset(v) for k, v in out.items()}


def load_vocabulary() -> None:
    """Read the treatment hierarchy now (worker start) rather than on the first letter."""
    _broader()


def _ancestors_or_self(concept: URIRef) -> set[URIRef]:
    seen, todo = set(), [concept]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(_broader().get(c, ()))
    return seen


class _Index:
    """subject -> predicate -> objects of one letter's triples (a set, as in the store)."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        self.out: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.out[s][p].append(o)

    def objects(self, s, p) -> list:
        node = self.out.get(s)
        return node.get(p, []) if node else []

    def subjects(self, p) -> list:
        return [s for s, preds in self.out.items() if p in preds]


def _ref_strings(idx: _Index, source) -> list[str]:
    """A source's sections, and its pages as "page N" (as the queries write them)."""
    return [str(x) for x in idx.objects(source, IMR.section)] + [f"page {p}" for p in idx.objects(source, IMR.page)]


def _outcomes(idx: _Index, item) -> list:
    return [o for d in idx.objects(item, IMR.decision) for o in idx.objects(d, IMR.outcome)]


def _merge(table: dict[tuple, list[int]], ds: Dataset, key: tuple, values: list[int]) -> None:
    have = table.get(key)
    if have is None:
        table[key] = list(values)
        return
    for i, (_, how) in enumerate(ds.measures):
        a, b = have[i], values[i]
        have[i] = a + b if how == "sum" else min(a, b) if how == "min" else max(a, b)


def letter_statistics(triples: Iterable[tuple]) -> dict[str, list[list]]:
    """One letter's partial counts: dataset -> [[key values...], [measure values...]] rows."""
    idx = _Index(triples)
    rows: dict[str, dict[tuple, list[int]]] = defaultdict(dict)

    def add(name: str, key: tuple, values: list[int]) -> None:
        _merge(rows[name], DATASETS[name], key, values)

    for letter in [s for s in idx.subjects(RDF.type) if IMR.DeterminationLetter in idx.objects(s, RDF.type)]:
        _letter_rows(idx, letter, add)
        for item in idx.objects(letter, IMR.hasItem):
            _item_rows(idx, item, add)
    out = {}
    for name, table in rows.items():
        kinds = [kind for _, kind in DATASETS[name].dimensions]
        keyed = [
            [[compact(v) if kind == "iri" and v is not None else v for v, kind in zip(k, kinds, strict=True)], values]
            for k, values in table.items()
        ]
        out[name] = sorted(keyed, key=json.dumps)
    return out


def _letter_rows(idx: _Index, letter, add) -> None:
    reviewers = idx.objects(letter, IMR.reviewer)
    for state in {st for r in reviewers for st in idx.objects(r, IMR.licensedIn)}:
        add("reviewer-states", (str(state),), [1])
    for ur in idx.objects(letter, IMR.urDenialDate):
        for dec in idx.objects(letter, IMR.decisionDate):
            for priority in idx.objects(letter, IMR.priority):
                try:
                    days = (date.fromisoformat(str(dec)) - date.fromisoformat(str(ur))).days
                except ValueError:  # not a calendar date: the question cannot count it either
                    continue
                add("days-ur-to-decision", (str(priority),), [1, days, days, days])
    items = idx.objects(letter, IMR.hasItem)
    years = {str(d)[:4] for d in idx.objects(letter, IMR.decisionDate)}
    for item in items:
        for reason in _denial_reasons(idx, item):
            for year in years:
                add("reasons-by-year", (year, str(reason)), [1])
    if IMR.PartiallyOverturned in idx.objects(letter, IMR.letterOutcome):
        decided = [(i, o) for i in items for o in _outcomes(idx, i)]
        if decided:
            upheld = len({i for i, o in decided if o == IMR.Upheld})
            overturned = len({i for i, o in decided if o == IMR.Overturned})
            for case in [str(c) for c in idx.objects(letter, IMR.caseNumber)] or [str(letter)]:
                add("mixed-outcome-letters", (case,), [upheld, overturned])
    specialties = {sp for r in reviewers for sp in idx.objects(r, IMR.specialty)}
    for item in items:
        outcomes = _outcomes(idx, item)
        if not outcomes:
            continue
        over = int(IMR.Overturned in outcomes)
        for sp in specialties:
            for cat in set(idx.objects(item, IMR.treatmentCategory)):
                add("specialty-by-category", (str(sp), str(cat)), [1, over])


def _item_rows(idx: _Index, item, add) -> None:
    outcomes = _outcomes(idx, item)
    treatments = idx.objects(item, IMR.treatment)
    # solution counts (COUNT(?item) over item x category x outcome), as the questions count them
    for cat in idx.objects(item, IMR.treatmentCategory):
        for o in outcomes:
            add("outcome-by-category", (str(cat),), [1, int(o == IMR.Overturned)])
    for t in treatments:
        for o in outcomes:
            add("outcome-by-treatment", (str(t),), [1, int(o == IMR.Overturned)])
    if _TRUE in idx.objects(item, IMR.isRemainderOfModifiedRequest):
        for cat in idx.objects(item, IMR.treatmentCategory):
            for o in outcomes:
                add("modified-request-outcomes", (str(cat), str(o)), [1])
    levels = set(idx.objects(item, IMR.spinalLevel))
    if levels and outcomes:
        tops = sum(len(_ancestors_or_self(t) & set(_SPINAL_TOPS)) for t in treatments)
        if tops:
            over = tops * sum(o == IMR.Overturned for o in outcomes)
            for level in levels:
                add("spinal-levels-injections", (str(level),), [1, over])

    for reason in _denial_reasons(idx, item):
        for cat in idx.objects(item, IMR.treatmentCategory):
            add("denial-reasons", (str(cat), str(reason)), [1])

    citations = idx.objects(item, IMR.hasCitation)
    reviewer_citations = [c for c in citations if IMR.IMRReviewer in idx.objects(c, IMR.citedBy)]
    if any(_TRUE in idx.objects(c, IMR.outsideMTUS) for c in reviewer_citations):
        for t in set(treatments):
            add("outside-mtus-by-treatment", (str(t),), [1])
    _concordance(idx, citations, add)

    sources = [s for c in reviewer_citations for s in idx.objects(c, IMR.hasSource)]
    refs = {(str(w), ref) for s in sources for w in idx.objects(s, IMR.work) for ref in _ref_strings(idx, s)}
    for t in set(treatments):
        for work, ref in refs:
            add("cited-sections-for-treatment", (str(t), work, ref), [1])
    if IMR.Upheld in outcomes:
        keys = {
            (str(w), chapter, ref)
            for s in sources
            for w in idx.objects(s, IMR.work)
            for chapter in ([str(c) for c in idx.objects(s, IMR.chapterName)] or [""])
            for ref in (_ref_strings(idx, s) or ["(whole chapter or work)"])
        }
        for t in set(treatments):
            for key in keys:
                add("upheld-facet-guidelines", (str(t), *key), [1])
    if reviewer_citations and _OPIOIDS in idx.objects(item, IMR.drugClass):
        keys = set()
        for c in reviewer_citations:
            mtus = [s for s in idx.objects(c, IMR.hasSource) if _TRUE in idx.objects(s, IMR.isMTUS)]
            found = {
                (str(w), ref)
                for s in mtus
                for w in idx.objects(s, IMR.work)
                for ref in (_ref_strings(idx, s) or [None])
            }
            keys |= found or {(None, None)}
        for o in set(outcomes):
            for work, ref in keys:
                add("opioid-outcomes", (str(o), work, ref), [1])


def _denial_reasons(idx: _Index, item) -> set:
    """The reasons given on an item's upheld decision."""
    return {
        r
        for d in idx.objects(item, IMR.decision)
        if IMR.Upheld in idx.objects(d, IMR.outcome)
        for r in idx.objects(d, IMR.reason)
    }


def _concordance(idx: _Index, citations: list, add) -> None:
    def works(party) -> tuple[bool, set]:
        cited = [c for c in citations if party in idx.objects(c, IMR.citedBy)]
        sources = [s for c in cited for s in idx.objects(c, IMR.hasSource)]
        return bool(sources), {w for s in sources for w in idx.objects(s, IMR.work)}

    has_ca, ca = works(IMR.ClaimsAdministrator)
    has_rv, rv = works(IMR.IMRReviewer)
    if has_ca and has_rv:
        add("citation-concordance", (), [1, int(bool(ca & rv))])


# -- summing partial counts and writing the cube ------------------------------------------------
class Totals:
    """Partial counts of many letters, summed."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple, list[int]]] = defaultdict(dict)
        self.letters = 0

    def add(self, partial: dict[str, list[list]]) -> None:
        """Add one letter's partial counts."""
        self.letters += 1
        for name, rows in partial.items():
            ds, table = DATASETS[name], self.rows[name]
            for key, values in rows:
                _merge(table, ds, tuple(key), values)

    def observations(self) -> int:
        """How many observations the cube will have."""
        return sum(len(t) for t in self.rows.values())


def _term(value: str, kind: str) -> str:
    return f"<{expand(value)}>" if kind == "iri" else quote(value)


def statistics_nquads(totals: Totals) -> list[str]:
    """The cube as sorted N-Quads lines (the same bytes for the same counts)."""
    g = f" <{STATISTICS_GRAPH}> .\n"
    a, qb_dataset, qb_obs = f"<{RDF.type}>", f"<{QB.dataSet}>", f"<{QB.Observation}>"
    lines = []
    for name, ds in DATASETS.items():
        ds_iri = f"<{statistics_dataset_iri(name)}>"
        lines += [
            f"{ds_iri} {a} <{QB.DataSet}>{g}",
            f"{ds_iri} <{STAT.letters}> {_count(totals.letters)}{g}",
        ]
        for key, values in totals.rows.get(name, {}).items():
            digest = hashlib.sha1(json.dumps([name, list(key)]).encode()).hexdigest()[:20]
            obs = f"<{statistics_observation_iri(name, digest)}>"
            lines += [f"{obs} {a} {qb_obs}{g}", f"{obs} {qb_dataset} {ds_iri}{g}"]
            for (prop, kind), value in zip(ds.dimensions, key, strict=True):
                if value is not None:
                    lines.append(f"{obs} <{STAT[prop]}> {_term(value, kind)}{g}")
            for (prop, _), value in zip(ds.measures, values, strict=True):
                lines.append(f"{obs} <{STAT[prop]}> {_count(value)}{g}")
    return sorted(lines)


def _count(value: int) -> str:
    return literal_term(str(value), _XSD_INTEGER)


__all__ = [
    "DATASETS",
    "Totals",
    "letter_statistics",
    "load_vocabulary",
    "statistics_nquads",
]
