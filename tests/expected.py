"""Every canned query's answer computed in plain Python from the parsed letters, never from RDF.

Each function returns the rows the query should give, as a Counter of tuples (row order aside);
labels come from the reference data files, the same ones the vocabulary graph is made from.
"""

from __future__ import annotations

import calendar
import csv
import math
from collections import Counter, defaultdict
from datetime import date

from kg.base.resources import data_file
from kg.base.vocab import guideline_works, slug
from kg.reading.models import Item, Letter, Source
from kg.reading.treatments import (
    category_concept,
    category_of,
    concepts,
    drug_class_concept,
    subcategory_concept,
)

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


def _item_classes(t) -> set[str]:
    """The DWC category, subcategory and drug class concepts an item carries itself."""
    out = {category_concept(t.category)} if t.category else set()
    if t.category and t.subcategory:
        out.add(subcategory_concept(t.category, t.subcategory))
    if t.drug_class:
        out.add(drug_class_concept(t.drug_class))
    return out


def _under(item: Item, treatment: str) -> bool:
    """Whether an item's treatment concept is ``treatment`` or narrower: below it by broader, or
    (a DWC subcategory) a concept of that subcategory or below one."""
    table = concepts()
    for a in _ancestors(_concept(item) or ""):
        sub = table.get(a, {}).get("subcategory")
        if a == treatment or (sub and subcategory_concept(table[category_of(a)]["label"], sub) == treatment):
            return True
    return False


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
    # a drug the vocabulary lacks is counted under its label as the letter's graph gives it
    return _rate_rows(letters, lambda i: concepts().get(_concept(i), {}).get("label", i.treatment.label))


def cited_sections_for_treatment(letters, treatment: str = "mri") -> Rows:
    items = defaultdict(set)
    for letter, item in _items(letters):
        if _under(item, treatment):
            for src in item.imr.sources:
                for ref in _references(src):
                    items[(ID + "treatment/" + str(_concept(item)), guideline_works()[src.work].label, ref)].add(
                        (letter.sha256, item.number)
                    )
    return Counter({(*k, len(v)) for k, v in items.items()})


def _upheld_citing(letters, treatment: str, keys) -> Rows:
    """Upheld items of ``treatment`` (or narrower) by treatment and ``keys(source)``, each row
    with its count, all upheld items of its treatment, and (when ``share``) the share."""
    items, upheld = defaultdict(set), defaultdict(set)
    for letter, item in _items(letters):
        if _under(item, treatment) and item.outcome == "Upheld":
            t = ID + "treatment/" + str(_concept(item))
            upheld[t].add((letter.sha256, item.number))
            for src in item.imr.sources:
                for key in keys(src):
                    items[(t, *key)].add((letter.sha256, item.number))
    return {k: (len(v), len(upheld[k[0]])) for k, v in items.items()}


def _with_share(counts) -> Rows:
    return Counter({(*k, n, base, round(round(1000 * n / base) / 1000, 6)) for k, (n, base) in counts.items()})


def upheld_facet_guidelines(letters, treatment: str = "facet-joint-injection") -> Rows:
    return _with_share(_upheld_citing(letters, treatment, lambda src: [(guideline_works()[src.work].label,)]))


def upheld_facet_guideline_chapters(letters, treatment: str = "facet-joint-injection") -> Rows:
    return _with_share(
        _upheld_citing(letters, treatment, lambda src: [(guideline_works()[src.work].label, src.chapter or "")])
    )


def upheld_facet_guideline_pages(letters, treatment: str = "facet-joint-injection") -> Rows:
    counts = _upheld_citing(
        letters,
        treatment,
        lambda src: [
            (guideline_works()[src.work].label, src.chapter or "", ref)
            for ref in _references(src) or ["(whole chapter or work)"]
        ],
    )
    return Counter({(*k, n, base) for k, (n, base) in counts.items()})


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
    n = Counter(
        (sum(i.outcome == "Upheld" for i in letter.items), sum(i.outcome == "Overturned" for i in letter.items))
        for letter in letters
        if letter.outcome == "Partially Overturned"
    )
    return Counter({(*k, v) for k, v in n.items()})


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


def specialty_match(letters) -> Rows:
    # a specialty is known by its slug: "Physical Medicine and Rehabilitation" is the "&" row; one
    # the vocabulary lacks is counted under the letter's words
    known = {slug(row["name"]): row["name"] for row in csv.DictReader(data_file("specialties.csv").open())}
    items, over = defaultdict(set), defaultdict(set)
    for letter, item in _items(letters):
        for sp in {known.get(slug(s), s) for s in letter.reviewer.specialties}:
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
    from kg.reading.reasons import scheme

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


def _year(letter: Letter) -> int | None:
    return int(letter.dates.decision[:4]) if letter.dates.decision else None


def _uphold_rows(pairs) -> Rows:
    """(key, item) pairs -> (*key, items, upheld, uphold_pct) rows."""
    n, up = Counter(), Counter()
    for key, item in pairs:
        n[key] += 1
        up[key] += item.outcome == "Upheld"
    return Counter({(*k, n[k], up[k], _pct(up[k], n[k])) for k in n})


def outcome_trend(letters) -> Rows:
    def quarter(letter):
        return (int(letter.dates.decision[5:7]) - 1) // 3 + 1

    return _uphold_rows(((_year(L), quarter(L)), i) for L, i in _items(letters) if L.dates.decision)


def outcome_by_year_and_category(letters) -> Rows:
    return _uphold_rows(((_year(L), i.treatment.category), i) for L, i in _items(letters) if L.dates.decision)


def drug_class_outcomes(letters) -> Rows:
    return _uphold_rows(((i.treatment.drug_class,), i) for _, i in _items(letters) if i.treatment.drug_class)


def pharmacy_share_by_year(letters) -> Rows:
    pharmacy = concepts()["pharmaceuticals"]["label"]
    n, rx = Counter(), Counter()
    for letter, item in _items(letters):
        if letter.dates.decision:
            n[_year(letter)] += 1
            rx[_year(letter)] += item.treatment.category == pharmacy
    return Counter({(y, n[y], rx[y], _pct(rx[y], n[y])) for y in n})


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def timeliness(letters) -> Rows:
    spans = defaultdict(list)
    for letter in letters:
        d = letter.dates
        for label, a, b in (
            ("1 assigned to decision", d.assigned, d.decision),
            ("2 application received to decision", d.application_received, d.decision),
            ("3 UR denial to application", d.ur_denial, d.application_received),
        ):
            if a and b:
                spans[label].append(_days(a, b))
    return Counter({(k, len(v), math.floor(10 * sum(v) / len(v) + 0.5) / 10, min(v), max(v)) for k, v in spans.items()})


def claim_age(letters) -> Rows:
    def band(days: int) -> str:
        years = days / 365.25
        for limit, label in ((1, "1 under a year"), (2, "2 1-2 years"), (5, "3 2-5 years"), (10, "4 5-10 years")):
            if years < limit:
                return label
        return "5 10 years or more"

    return _uphold_rows(
        ((band(_days(L.dates.injury, L.dates.decision)),), i)
        for L, i in _items(letters)
        if L.dates.injury and L.dates.decision
    )


def priority_outcomes(letters) -> Rows:
    return _uphold_rows(((L.priority,), i) for L, i in _items(letters) if L.priority)


def patient_demographics(letters) -> Rows:
    def band(age: int | None) -> str:
        if age is None:
            return "unknown"
        for limit, label in ((30, "under 30"), (40, "30-39"), (50, "40-49"), (60, "50-59")):
            if age < limit:
                return label
        return "60 and over"

    return _uphold_rows(((L.patient.sex or "unknown", band(L.patient.age)), i) for L, i in _items(letters))


def body_region_outcomes(letters) -> Rows:
    return _uphold_rows(((region,), i) for _, i in _items(letters) for region in set(i.body_regions))


def decisions_per_letter(letters) -> Rows:
    n = Counter(len(L.items) for L in letters if L.items)
    return Counter({(k, v) for k, v in n.items()})


def decisions_per_letter_by_year(letters) -> Rows:
    n, d = Counter(), Counter()
    for letter in letters:
        if letter.items and letter.dates.decision:
            n[_year(letter)] += 1
            d[_year(letter)] += len(letter.items)
    return Counter({(y, n[y], d[y], math.floor(100 * d[y] / n[y] + 0.5) / 100) for y in n})


def _source_families(item: Item) -> set[str]:
    def family(src: Source) -> str:
        if src.work == "unresolved":
            return "Unresolved"
        if src.mtus:
            return "MTUS"
        return {"odg": "ODG", "acoem": "ACOEM"}.get(src.work, "Other")

    return {family(s) for s in item.imr.sources} or {"None"}


def guideline_sources_by_outcome(letters) -> Rows:
    n = Counter((i.outcome, f) for _, i in _items(letters) for f in _source_families(i))
    return Counter({(*k, v) for k, v in n.items()})


def guideline_sources_by_year(letters) -> Rows:
    n = Counter((_year(L), f) for L, i in _items(letters) if L.dates.decision for f in _source_families(i))
    return Counter({(*k, v) for k, v in n.items()})


_MTUS_PARTS = {
    "mtus-acoem": "ACOEM 2004 chapters",
    "mtus-acoem-adopted": "ACOEM guidelines adopted 2017",
    "mtus-formulary": "Drug Formulary",
}


def mtus_update_by_year(letters) -> Rows:
    from kg.base.vocab import guideline_works

    works = guideline_works()
    n = Counter(
        (_year(L), part)
        for L, i in _items(letters)
        if L.dates.decision
        for part in {_MTUS_PARTS.get(s.work, "Other MTUS guidelines") for s in i.imr.sources if works[s.work].mtus}
    )
    return Counter({(*k, v) for k, v in n.items()})


def letter_outcomes_by_year(letters) -> Rows:
    n = Counter((_year(L), L.outcome) for L in letters if L.dates.decision)
    return Counter({(*k, v) for k, v in n.items()})


EXPECTED = {
    "body-region-outcomes": body_region_outcomes,
    "claim-age": claim_age,
    "decisions-per-letter": decisions_per_letter,
    "decisions-per-letter-by-year": decisions_per_letter_by_year,
    "drug-class-outcomes": drug_class_outcomes,
    "guideline-sources-by-outcome": guideline_sources_by_outcome,
    "guideline-sources-by-year": guideline_sources_by_year,
    "letter-outcomes-by-year": letter_outcomes_by_year,
    "mtus-update-by-year": mtus_update_by_year,
    "outcome-by-year-and-category": outcome_by_year_and_category,
    "outcome-trend": outcome_trend,
    "patient-demographics": patient_demographics,
    "pharmacy-share-by-year": pharmacy_share_by_year,
    "priority-outcomes": priority_outcomes,
    "timeliness": timeliness,
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
    "specialty-match": specialty_match,
    "spinal-levels-injections": spinal_levels_injections,
    "upheld-facet-guidelines": upheld_facet_guidelines,
    "upheld-facet-guideline-chapters": upheld_facet_guideline_chapters,
    "upheld-facet-guideline-pages": upheld_facet_guideline_pages,
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


def filtered(letters: list[Letter], filters: dict[str, str], unit: str) -> list[Letter]:
    """The letters (and, for an item question, the items) a question's standard filters keep,
    decided in plain Python from the records: ``filters`` are name -> value as a user writes it."""
    from dataclasses import replace

    from kg.graph.concepts import resolve

    known = {slug(row["name"]): row["name"] for row in csv.DictReader(data_file("specialties.csv").open())}

    def day(name: str, value: str) -> str:  # YYYY-MM: the month's first day (from) or last (to)
        if len(value) == 7:
            year, month = map(int, value.split("-"))
            return f"{value}-{calendar.monthrange(year, month)[1] if name == 'to' else 1:02d}"
        return value

    want = {k: day(k, v) if k in ("from", "to") else resolve(k, v) for k, v in filters.items()}

    def letter_ok(letter: Letter) -> bool:
        d = letter.dates.decision
        if "from" in want and not (d and d >= want["from"]):
            return False
        if "to" in want and not (d and d <= want["to"]):
            return False
        if "specialty" in want:
            return want["specialty"].label in {known.get(slug(s)) for s in letter.reviewer.specialties}
        return True

    def item_ok(item: Item) -> bool:
        t = item.treatment
        checks = {
            "category": lambda c: t.category == c.label,
            "drug-class": lambda c: t.drug_class == c.label,
            "treatment": lambda c: (
                c.slug in _ancestors(t.concept or "") or c.iri in {str(ID + "treatment/" + s) for s in _item_classes(t)}
            ),
            "outcome": lambda c: item.outcome == c.label,
        }
        return all(check(want[k]) for k, check in checks.items() if k in want)

    item_filters = {"category", "drug-class", "treatment", "outcome"} & set(want)
    out = []
    for letter in letters:
        if not letter_ok(letter):
            continue
        kept = [i for i in letter.items if item_ok(i)]
        if unit == "item" and kept:
            out.append(replace(letter, items=tuple(kept)))
        elif unit == "letter" and (kept or not item_filters):
            out.append(letter)
    return out
