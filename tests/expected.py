"""Every canned query's answer computed in plain Python from the parsed letters, never from RDF.

Each function returns the rows the query should give, as a Counter of tuples (row order aside);
labels come from the reference data files, the same ones the vocabulary graph is made from.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from datetime import date

from kg.models import Item, Letter, Source
from kg.resources import data_file
from kg.treatments import concepts
from kg.vocab import guideline_works, slug

ID = "https://w3id.org/imr-kg/id/"
Rows = Counter


def _pct(part: int, whole: int) -> float:
    return math.floor(1000 * part / whole + 0.5) / 10  # SPARQL ROUND rounds halves up


def _items(letters: list[Letter]):
    for letter in letters:
        for item in letter.items:
            yield letter, item


def _concept(item: Item) -> str | None:
    return item.treatment.concept


def _ancestors(concept: str) -> set[str]:
    table, out = concepts(), set()
    while concept and concept not in out:
        out.add(concept)
        concept = table.get(concept, {}).get("broader")
    return out


def _references(src: Source) -> list[str]:
    return [*src.sections, *(f"page {p}" for p in src.pages)]


def _rate_rows(letters, key) -> Rows:
    n, over = Counter(), Counter()
    for _, item in _items(letters):
        n[key(item)] += 1
        over[key(item)] += item.outcome == "Overturned"
    return Counter({(k, n[k], over[k], _pct(over[k], n[k])) for k in n})


def outcome_by_category(letters) -> Rows:
    return _rate_rows(letters, lambda i: i.treatment.category)


def outcome_by_treatment(letters) -> Rows:
    return _rate_rows(letters, lambda i: concepts()[_concept(i)]["label"])


def cited_sections_for_treatment(letters, treatment: str = "mri") -> Rows:
    items = defaultdict(set)
    for letter, item in _items(letters):
        if _concept(item) == treatment:
            for src in item.imr.sources:
                for ref in _references(src):
                    items[(ID + "treatment/" + treatment, guideline_works()[src.work].label, ref)].add(
                        (letter.sha256, item.number)
                    )
    return Counter({(*k, len(v)) for k, v in items.items()})


def upheld_facet_guidelines(letters, treatment: str = "facet-joint-injection") -> Rows:
    items = defaultdict(set)
    for letter, item in _items(letters):
        if _concept(item) == treatment and item.outcome == "Upheld":
            for src in item.imr.sources:
                for ref in _references(src) or ["(whole chapter or work)"]:
                    key = (ID + "treatment/" + treatment, guideline_works()[src.work].label, src.chapter or "", ref)
                    items[key].add((letter.sha256, item.number))
    return Counter({(*k, len(v)) for k, v in items.items()})


def citation_concordance(letters) -> Rows:
    both = same = 0
    for _, item in _items(letters):
        ca = {s.work for s in item.claims_administrator.sources}
        rv = {s.work for s in item.imr.sources}
        if ca and rv:
            both += 1
            same += bool(ca & rv)
    return Counter({(both, same)})


def days_ur_to_decision(letters) -> Rows:
    days = defaultdict(list)
    for letter in letters:
        d = letter.dates
        if d.ur_denial and d.decision and letter.priority:
            days[letter.priority].append((date.fromisoformat(d.decision) - date.fromisoformat(d.ur_denial)).days)
    return Counter({(p, len(v), round(sum(v) / len(v), 6), min(v), max(v)) for p, v in days.items()})


def mixed_outcome_letters(letters) -> Rows:
    return Counter(
        (
            letter.case_number,
            sum(i.outcome == "Upheld" for i in letter.items),
            sum(i.outcome == "Overturned" for i in letter.items),
        )
        for letter in letters
        if letter.outcome == "Partially Overturned"
    )


def modified_request_outcomes(letters) -> Rows:
    n = Counter((i.treatment.category, i.outcome) for _, i in _items(letters) if i.modified)
    return Counter({(*k, v) for k, v in n.items()})


def opioid_outcomes(letters) -> Rows:
    items = defaultdict(set)
    for letter, item in _items(letters):
        if item.treatment.drug_class != "Opioids":
            continue
        mtus = [s for s in item.imr.sources if s.mtus]
        keys = [(guideline_works()[s.work].label, ref) for s in mtus for ref in (_references(s) or [None])] or [
            (None, None)
        ]
        for work, ref in keys:
            items[(item.outcome, work, ref)].add((letter.sha256, item.number))
    return Counter({(*k, len(v)) for k, v in items.items()})


def outside_mtus_by_treatment(letters) -> Rows:
    n = Counter(concepts()[_concept(i)]["label"] for _, i in _items(letters) if i.imr.outside_mtus)
    return Counter({(k, v) for k, v in n.items()})


def reviewer_states(letters) -> Rows:
    n = Counter(s for letter in letters for s in set(letter.reviewer.licensed_states))
    names = {row["code"]: row["name"] for row in csv.DictReader(data_file("states.csv").open())}
    return Counter({(names.get(k, k), v) for k, v in n.items()})


def specialty_by_category(letters) -> Rows:
    # a specialty is known by its slug: "Physical Medicine and Rehabilitation" is the "&" row
    known = {slug(row["name"]): row["name"] for row in csv.DictReader(data_file("specialties.csv").open())}
    items, over = defaultdict(set), defaultdict(set)
    for letter, item in _items(letters):
        for sp in {known[slug(s)] for s in letter.reviewer.specialties if slug(s) in known}:
            key = (sp, item.treatment.category)
            items[key].add((letter.sha256, item.number))
            if item.outcome == "Overturned":
                over[key].add((letter.sha256, item.number))
    return Counter({(*k, len(v), len(over[k])) for k, v in items.items()})


def spinal_levels_injections(letters) -> Rows:
    items, over = defaultdict(set), Counter()
    for letter, item in _items(letters):
        if _ancestors(_concept(item)) & {"facet-procedures", "epidural-steroid-injection"}:
            for level in set(item.spinal_levels):
                items[level].add((letter.sha256, item.number))
                over[level] += item.outcome == "Overturned"
    return Counter({(k, len(v), over[k]) for k, v in items.items()})


def _reason_labels() -> dict[str, str]:
    from kg.reasons import scheme

    return {r["code"]: r["label"] for r in scheme()}


def denial_reasons(letters) -> Rows:
    labels = _reason_labels()
    n = Counter(
        (item.treatment.category, labels[r.code])
        for _, item in _items(letters)
        if item.outcome == "Upheld"
        for r in item.reasons
    )
    return Counter({(*k, v) for k, v in n.items()})


def reasons_by_year(letters) -> Rows:
    labels = _reason_labels()
    n = Counter(
        (int(letter.dates.decision[:4]), labels[r.code])
        for letter, item in _items(letters)
        if item.outcome == "Upheld" and letter.dates.decision
        for r in item.reasons
    )
    return Counter({(*k, v) for k, v in n.items()})


EXPECTED = {
    "citation-concordance": citation_concordance,
    "cited-sections-for-treatment": cited_sections_for_treatment,
    "days-ur-to-decision": days_ur_to_decision,
    "denial-reasons": denial_reasons,
    "mixed-outcome-letters": mixed_outcome_letters,
    "modified-request-outcomes": modified_request_outcomes,
    "opioid-outcomes": opioid_outcomes,
    "outcome-by-category": outcome_by_category,
    "outcome-by-treatment": outcome_by_treatment,
    "outside-mtus-by-treatment": outside_mtus_by_treatment,
    "reasons-by-year": reasons_by_year,
    "reviewer-states": reviewer_states,
    "specialty-by-category": specialty_by_category,
    "spinal-levels-injections": spinal_levels_injections,
    "upheld-facet-guidelines": upheld_facet_guidelines,
}


def normalize(rows: list[list[str | None]]) -> Rows:
    """SPARQL rows as comparable tuples: integers as int, other numbers as float (6 places)."""

    def value(v: str | None):
        if v is None:
            return None
        try:
            return int(v)
        except ValueError:
            pass
        try:
            return round(float(v), 6)
        except ValueError:
            return v

    return Counter(tuple(value(v) for v in row) for row in rows)
