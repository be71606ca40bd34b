"""Classify a disputed item: DWC category, subcategory, drug class, ingredients, and the concept.

The treatment scheme is data (``kg/data/treatments.json``; drugs in ``drugs.json`` and
``drug_classes.json``, resolved by :mod:`kg.reading.drugs`). Every item gets a category, from the most
specific evidence there is, in this order:

1. a concept whose pattern matches the item's subject (for a modified request, the remaining
   portion IMR decided) — unless a drug is named before it ("Lidocaine patch"), except for
   injections, which stay injections whatever they inject;
2. drug names resolved to ingredients: Pharmaceuticals, the class from the ingredients or, for a
   topical, from the form;
3. dose evidence (mg, ``#60``, tablets, cream …): Pharmaceuticals, the class from what the
   rationale and the reviewer's cited guideline sections call the drug;
4. the concept patterns on the reviewer's cited sections, then on the rationale (category only);
5. the scheme's default category.

``basis`` and ``evidence`` on the result say which step decided and the words it read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache

from kg.base.vocab import load_json, slug
from kg.reading import drugs
from kg.reading import patterns as P
from kg.reading.models import Item, Treatment
from kg.rules import engine as E
from kg.rules import rulefile as R
from kg.rules import schemes as S


@dataclass(frozen=True, slots=True)
class _Rule:
    concept: str
    pattern: E.GatedPattern  # searched only when the text holds one of its literals


def drug_concept(ingredient: str) -> str:
    """The concept id of a drug ingredient: ``hydrocodone`` -> ``drug/hydrocodone``."""
    return f"drug/{slug(ingredient)}"


def drug_class_concept(drug_class: str) -> str:
    """The concept id of a DWC drug class: ``Opioids`` -> ``drug-class/opioids``."""
    return f"drug-class/{slug(drug_class)}"


def category_concept(category: str) -> str:
    """The concept id of a DWC category label: ``Diagnostic Testing`` -> ``diagnostic-testing``."""
    return _category_ids()[category]


def subcategory_concept(category: str, subcategory: str) -> str:
    """The concept id of a DWC subcategory (subcategory names repeat across categories)."""
    return f"subcategory/{slug(category)}/{slug(subcategory)}"


def is_drug_concept(concept: str) -> bool:
    """Whether a concept id names a drug ingredient."""
    return concept.startswith("drug/")


@cache
def _scheme() -> tuple[dict[str, dict], tuple[_Rule, ...], E.LiteralIndex]:
    data = S.treatment_scheme()
    table: dict[str, dict] = {c["id"]: {**c, "top": True} for c in data["categories"]}
    for cat in data["categories"]:
        for sub in cat["subcategories"]:
            sid = subcategory_concept(cat["label"], sub)
            table[sid] = {"id": sid, "label": sub, "broader": cat["id"], "kind": "subcategory"}
    rules = []
    literals = E.LiteralIndex(ignore_case=True)
    for c in data["concepts"]:
        table[c["id"]] = c
        if c["patterns"]:
            regexes = [r.regex for r in S.treatment_rules(c)]
            rules.append(_Rule(c["id"], literals.gate(regexes, lambda alts: E.alternation(alts, re.I), searched=False)))
    literals.build()
    for cls in load_json("drug_classes.json")["classes"]:
        cid = drug_class_concept(cls["label"])
        # what reviewers call the class ("muscle relaxants", "PPIs"): the first example of each of
        # its name rules, published as SKOS altLabels (kg.graph.vocab_rdf)
        names = sorted({R._example(w["examples"][0]).text.lower() for w in cls["words"]} - {cls["label"].lower()})
        table[cid] = {"id": cid, "label": cls["label"], "broader": "pharmaceuticals", "alt": names}
        for member in cls["members"]:
            table.setdefault(drug_concept(member), {"id": drug_concept(member), "label": member, "broader": cid})
    return table, tuple(rules), literals


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


@cache
def _category_ids() -> dict[str, str]:
    """DWC category label -> top concept id."""
    return {c["label"]: c["id"] for c in S.treatment_scheme()["categories"]}


@cache
def _evidence() -> tuple[re.Pattern[str], str]:
    data = S.treatment_scheme()["evidence"]
    (dose,) = S.rules([data["dose"]], "treatments.json evidence")
    return re.compile(dose.regex, re.I), data["default_category"]


@cache
def _class_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    classes = R.load("drug_classes.json")["classes"]
    return tuple(
        (
            c["label"],
            re.compile(
                r"\b(?:"
                + "|".join(r.regex for r in R.rules([*c["words"], *c.get("conditions", ())], c["label"]))
                + r")\b",
                re.I,
            ),
        )
        for c in classes
        if c["words"] or c.get("conditions")
    )


@cache
def _class_names() -> dict[str, tuple[str, ...]]:
    """Drug class -> the regexes of its names ('muscle relaxants?'), not of what it treats."""
    return {
        c["label"]: tuple(r.regex for r in R.rules(c["words"], c["label"]))
        for c in R.load("drug_classes.json")["classes"]
    }


@dataclass(frozen=True, slots=True)
class Naming:
    """The scheme's words for one request: a sentence naming one of them names the request."""

    patterns: tuple[re.Pattern[str], ...]

    def search(self, text: str) -> bool:
        """Whether ``text`` names the request."""
        return any(p.search(text) for p in self.patterns)


def naming_pattern(treatment: Treatment | None) -> Naming | None:
    """The words of the scheme that name this request in a rationale: its concept's label, other
    labels and title patterns, and for a drug the names of its class and, for a topical, of its
    ingredients' classes ("muscle relaxants" names topical cyclobenzaprine; "compounded
    products" a compound). A guideline sentence that speaks of one speaks of this request
    (kg.reading.reasons). None when the scheme knows no word for it."""
    if treatment is None:
        return None
    return _naming(treatment.concept, treatment.drug_class, treatment.ingredients)


def naming_for(
    concept: str | None, title: str = "", drug_class: str | None = None, ingredients: tuple[str, ...] = ()
) -> Naming | None:
    """:func:`naming_pattern` from the parts a reason reader has: the concept, else the one the
    title's first rule gives; the ingredients, else those the title names."""
    if concept is None and title:
        rule = _first_rule(title)
        concept = rule[0] if rule else None
    if not ingredients and title:
        ingredients = drugs.ingredients_of(drugs.find(title))
    return _naming(concept, drug_class, tuple(ingredients))


def _naming(concept: str | None, drug_class: str | None, ingredients: tuple[str, ...]) -> Naming | None:
    # a topical is named by its ingredients' classes too ("topical muscle relaxants"); an oral
    # combination by its own class only (Norco is no "analgesic" of the topical paragraph)
    topical = drug_class in ("Topical Analgesics", "Topical Compounds")
    classes = [drug_class, *(drugs.class_of(i) for i in ingredients if topical)]
    parts: list[re.Pattern[str] | None] = list(_concept_words(concept)) if concept else []
    parts += [_class_words_of(c) for c in dict.fromkeys(c for c in classes if c)]
    found = tuple(p for p in parts if p is not None)
    return Naming(found) if found else None


@cache
def _title_rules() -> dict[str, re.Pattern[str]]:
    """Each concept's title rules as the one pattern the classifier already compiled."""
    return {rule.concept: rule.pattern.whole for rule in _scheme()[1]}


@cache
def _concept_words(concept: str) -> tuple[re.Pattern[str], ...]:
    """A concept's words: its labels, and its title rules as the classifier compiled them (a
    pattern compiled per item had cost 0.7 ms a letter, one per concept 0.3 ms)."""
    table = concepts()
    if concept not in table or table[concept].get("kind") == "subcategory":
        return ()
    c = table[concept]
    labels = [re.escape(c["label"].lower()), *(re.escape(a.lower()) for a in c.get("alt", ()))]
    found = [re.compile(r"\b(?:" + "|".join(labels) + r")\b", re.I)]
    if concept in _title_rules():
        found.append(_title_rules()[concept])
    return tuple(found)


@cache
def _class_words_of(drug_class: str) -> re.Pattern[str] | None:
    names = _class_names().get(drug_class, ())
    return re.compile(r"\b(?:" + "|".join(f"(?:{x})" for x in names) + r")", re.I) if names else None


def _label(concept: str) -> str:
    return concepts()[concept]["label"]


def _first_rule(text: str) -> tuple[str, re.Match[str]] | None:
    """The first rule, in the scheme's order, that matches the text, with its match. Only the
    rules whose literals the text holds are searched, after one Aho-Corasick pass
    (kg.reading.patterns.LiteralIndex): on the 303 titles of the shared letters 9 against 158 µs a title
    for searching every rule in turn, the same rule and match."""
    _, rules, literals = _scheme()
    gates = literals.gates_of(text)
    for rule in rules:
        if rule.pattern.may_match(gates):
            m = rule.pattern.whole.search(text)
            if m:
                return rule.concept, m
    return None


def _from_concept(concept: str, basis: str, evidence: str, surgery: bool) -> Treatment:
    category = _label(category_of(concept))
    return Treatment(
        concept, _label(concept), category, concepts()[concept].get("subcategory"), None, (), surgery, basis, evidence
    )


def _class_named_in(item: Item) -> str | None:
    """The drug class the rationale and the reviewer's cited sections name most often."""
    counts: Counter[str] = Counter()  # in the order first named, which breaks ties
    for text in (item.rationale, _cited_sections(item)):
        for label, pattern in _class_words():
            found = len(pattern.findall(text))
            if found:
                counts[label] += found
    return counts.most_common(1)[0][0] if counts else None


def _cited_sections(item: Item) -> str:
    return " ; ".join(part for s in item.imr.sources for part in (s.chapter or "", *s.sections) if part)


def classify(item: Item) -> Treatment:
    """The treatment of a disputed item; never None (see the module docstring for the order)."""
    title = item.modified.remaining if item.modified else item.title
    surgery = bool(P.SURGICAL_PREFIX.search(item.title))
    subject = P.TITLE_PREFIX.sub("", title) or title
    rule = _first_rule(subject)
    mentions = drugs.find(subject)
    if rule and (not mentions or rule[1].start() < mentions[0].start or category_of(rule[0]) == "injection"):
        found = _from_concept(rule[0], "title", rule[1].group(0), surgery)
        if found.category == "Pharmaceuticals" and found.drug_class is None:
            # a compound named by its ingredients ("Compound ketoprofen 20%, 240 grams"): its class
            # from them and its form, as any drug's
            return _drug(item, subject, mentions, surgery, topical=rule[0] == COMPOUNDED or None, evidence=found)
        ingredients = drugs.ingredients_of(mentions)
        return replace(found, ingredients=ingredients) if ingredients else found
    if mentions:
        return _drug(item, subject, mentions, surgery)
    dose = _evidence()[0].search(subject)
    if dose:
        base = Treatment(None, None, "Pharmaceuticals", None, None, (), surgery, "dose", dose.group(0))
        return _drug(item, subject, [], surgery, evidence=base)
    for basis, text in (("citation", _cited_sections(item)), ("rationale", item.rationale[:400])):
        hit = _first_rule(text) if text else None
        if hit:
            category = _label(category_of(hit[0]))
            sub = concepts()[hit[0]].get("subcategory")
            return Treatment(None, None, category, sub, None, (), surgery, basis, hit[1].group(0))
    return Treatment(None, None, _evidence()[1], None, None, (), surgery, "default", None)


COMPOUNDED = "compounded-topical"  # the concept of a compound of two or more ingredients


def _drug_subcategory(drug_class: str | None) -> str | None:
    return "Topical Compounds" if drug_class == "Topical Compounds" else None


def _drug(
    item: Item,
    subject: str,
    mentions: list[drugs.Mention],
    surgery: bool,
    *,
    topical: bool | None = None,
    evidence: Treatment | None = None,
) -> Treatment:
    """A pharmacy item: its ingredients from the title's drug names, else from the rationale's
    sentence that says what the product contains ("Terocin contains methyl salicylate, capsaicin,
    menthol and lidocaine"); its class from them and its form (:func:`kg.reading.drugs.drug_class`),
    else from its form and what the rationale and cited sections call it. ``evidence``: the
    title rule or dose that made it a drug. No ingredient known: none is guessed (the graph says
    so, and the shapes warn)."""
    ingredients = drugs.ingredients_of(mentions)
    names = ", ".join(dict.fromkeys(m.name for m in mentions))
    basis = "drug name" if ingredients else None
    if not ingredients:
        stated = drugs.contents_stated(item.rationale, subject)
        if stated:
            ingredients, names, basis = drugs.ingredients_of(stated.mentions), stated.sentence, "rationale"
    if evidence is not None and basis is None:
        basis, names = evidence.basis, str(evidence.evidence or "")
    if topical is None:  # by the title's form or weight, or the words that said what it contains
        topical = drugs.is_topical(subject) or bool(
            not mentions and (P.GRAMS.search(subject) or (basis == "rationale" and drugs.is_topical(names)))
        )
    if not ingredients and not topical and mentions:  # a medical food or kit whose ingredients the letters do not give
        return Treatment(
            "medical-food", _label("medical-food"), "Pharmaceuticals", None, "Nutritional Products", (), surgery,
            "drug name", names,
        )  # fmt: skip
    drug_class = drugs.drug_class(ingredients, topical) if ingredients else None
    if drug_class is None and topical:
        drug_class = drugs.topical_class(ingredients, subject)
    if drug_class is None:
        drug_class = _class_named_in(item)
    if ingredients:
        primary = next((i for i in ingredients if drugs.class_of(i) == drug_class), ingredients[0])
        concept: str | None = COMPOUNDED if drug_class == "Topical Compounds" else drug_concept(primary)
    else:
        concept = COMPOUNDED if drug_class == "Topical Compounds" else None
    label = (_label(concept) if concept in concepts() else ingredients[0]) if concept else None
    return Treatment(
        concept,
        label,
        "Pharmaceuticals",
        _drug_subcategory(drug_class),
        drug_class,
        ingredients,
        surgery,
        basis or "drug name",
        names or None,
    )


__all__ = [
    "Naming",
    "category_concept",
    "category_of",
    "classify",
    "concepts",
    "drug_class_concept",
    "drug_concept",
    "is_drug_concept",
    "naming_for",
    "naming_pattern",
    "subcategory_concept",
]
