"""Normalise a disputed item to a treatment concept of the SKOS scheme in ``data/treatments.json``.

Drugs are matched first (``data/drugs.json``: ingredient concepts under DWC drug classes); then
the first concept, in file order, whose pattern matches the item's subject (for a modified request,
the remaining portion IMR decided).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.models import Item
from kg.vocab import load_json, slug


@dataclass(frozen=True, slots=True)
class TreatmentMatch:
    """The treatment concept an item was classified under, and its category."""

    concept: str  # concept id, e.g. "facet-joint-injection", "drug/hydrocodone"
    category: str  # top concept id, e.g. "injection"
    specific: bool  # more specific than the category


def drug_concept(ingredient: str) -> str:
    """The concept id of a drug ingredient: ``hydrocodone`` -> ``drug/hydrocodone``."""
    return f"drug/{slug(ingredient)}"


def drug_class_concept(drug_class: str) -> str:
    """The concept id of a DWC drug class: ``Opioids`` -> ``drug-class/opioids``."""
    return f"drug-class/{slug(drug_class)}"


def is_drug_concept(concept: str) -> bool:
    """Whether a concept id names a drug ingredient."""
    return concept.startswith("drug/")


@cache
def _scheme() -> tuple[dict[str, dict], tuple[tuple[str, re.Pattern[str]], ...]]:
    data = load_json("treatments.json")
    concepts: dict[str, dict] = {c["id"]: {**c, "top": True} for c in data["categories"]}
    rules = []
    for c in data["concepts"]:
        concepts[c["id"]] = c
        if c["patterns"]:
            rules.append((c["id"], re.compile("|".join(f"(?:{p})" for p in c["patterns"]), re.I)))
    for ingredient, info in load_json("drugs.json").items():
        cls = drug_class_concept(info["class"])
        concepts.setdefault(cls, {"id": cls, "label": info["class"], "broader": "pharmaceuticals"})
        drug = drug_concept(ingredient)
        concepts[drug] = {"id": drug, "label": ingredient, "broader": cls}
    return concepts, tuple(rules)


def concepts() -> dict[str, dict]:
    """Every concept of the treatment scheme by id: categories, treatments, drug classes, drugs."""
    return _scheme()[0]


def category_of(concept: str) -> str:
    """The top concept (DWC request category) above a concept."""
    table = concepts()
    seen = set()
    while table.get(concept, {}).get("broader") and concept not in seen:
        seen.add(concept)
        concept = table[concept]["broader"]
    return concept


def classify(item: Item) -> TreatmentMatch | None:
    """The treatment concept of a disputed item, or None when no rule matches."""
    subject = item.modified.remaining if item.modified else item.title
    subject = re.sub(
        r"^(?:Associated surgical service|Retrospective|Post-?op(?:erative)?)\s*:?\s*", "", subject, flags=re.I
    )
    _, rules = _scheme()
    if item.drug and item.drug.ingredients:
        compound = len(item.drug.ingredients) > 1 and "%" in subject
        concept = "compounded-topical" if compound else drug_concept(item.drug.ingredients[0])
        return TreatmentMatch(concept, category_of(concept), True)
    for concept, pattern in rules:
        if pattern.search(subject):
            return TreatmentMatch(concept, category_of(concept), True)
    return None
