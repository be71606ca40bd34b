"""Drug names in a title -> generic ingredients -> DWC drug class.

Names are resolved through the dictionary of the ``drug-named-entity-recognition`` package
(about 107,000 brand and generic names of 20,000 drugs from DrugBank, MeSH, MedlinePlus and
Wikipedia; MIT licence; it ships with the package, nothing is downloaded), read directly from its
data file: importing the package itself builds a fuzzy n-gram index that costs 2.3 s and 370 MB
per process, the bare dictionary 0.5 s and about 55 MB. ``kg/data/drugs.json`` adds what such a
dictionary lacks (combination brands like Norco, workers' comp compound kits, medical foods).

Classes come from ``kg/data/drug_classes.json``: the DWC drug classes with their member
ingredients, and USAN stems (``-prazole``, ``-profen``) that place a generic name no list names.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from collections import deque
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

from kg.base.vocab import load_json
from kg.reading import patterns as P
from kg.reading.memo import remembered

_DICTIONARY_PACKAGE = "drug_named_entity_recognition"
_DICTIONARY_FILE = "drug_ner_dictionary.pkl.bz2"
_MAX_WORDS = 4  # the longest drug name looked up, in words ("hylan g-f 20")


@dataclass(frozen=True, slots=True)
class Mention:
    """A drug name found in a text: where, as written, and its active ingredients."""

    start: int
    end: int
    name: str
    ingredients: tuple[str, ...]


def _key(name: str) -> str:
    return " ".join(P.DRUG_NAME_TOKEN.findall(name.lower()))


def _dictionary_path() -> Path | None:
    """The package's data file, found without importing the package (see the module docstring)."""
    spec = importlib.util.find_spec(_DICTIONARY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _DICTIONARY_FILE
    return path if path.is_file() else None


@cache
def _classes() -> tuple[dict[str, str], tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """(member ingredient -> class, (stem, class) longest stem first, priority classes, systemic classes)."""
    data = load_json("drug_classes.json")
    members: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    for cls in data["classes"]:
        for member in cls["members"]:
            members.setdefault(member, cls["label"])
        stems.extend((stem, cls["label"]) for stem in cls["stems"])
    stems.sort(key=lambda s: -len(s[0]))
    return members, tuple(stems), tuple(data["priority"]), tuple(data["systemic"])


def class_of(ingredient: str) -> str | None:
    """The DWC drug class of one generic ingredient: a listed member, else its USAN stem."""
    members, stems, _, _ = _classes()
    if ingredient in members:
        return members[ingredient]
    word = ingredient.rsplit(" ", 1)[-1]
    return next((cls for stem, cls in stems if word.endswith(stem) and len(word) > len(stem) + 2), None)


def _generic(canonical: str) -> tuple[str, ...]:
    """A dictionary's canonical name as ingredients: form words dropped, combinations split."""
    name = re.sub(r"\([^)]*\)", " ", canonical.lower())
    parts = re.split(r"\s*(?:/|,|\band\b|\bwith\b|\+)\s*", name)
    out = []
    for part in parts:
        part = " ".join(P.DRUG_FORM_WORDS.sub(" ", part).split())
        if part and not part.isdigit():
            out.append(part)
    return tuple(dict.fromkeys(out))


@cache
def lexicon() -> dict[str, tuple[str, ...]]:
    """Every known drug name (lower case, words joined by single spaces) -> its ingredients."""
    table: dict[str, tuple[str, ...]] = {}
    path = _dictionary_path()
    if path is not None:
        with bz2.open(path, "rb") as fh:
            data = pickle.load(fh)  # the package's own data file, installed with it
        canonical_data = data["drug_canonical_to_data"]
        members = _classes()[0]
        for variant, canonicals in data["drug_variant_to_canonical"].items():
            key = _key(variant)
            if len(key) < 4 or key in _COMMON_WORDS or not P.DRUG_FORM_WORDS.sub("", key).strip():
                continue  # an everyday word, or a dosage form alone ("nasal spray")
            ingredients = tuple(
                dict.fromkeys(i for c in canonicals if c in canonical_data or c in members for i in _generic(c))
            )
            if ingredients:
                table[key] = ingredients
    for member in _classes()[0]:  # every generic a class lists is a name of itself
        table[_key(member)] = (member,)
    for name, ingredients in load_json("drugs.json")["names"].items():
        table[_key(name)] = tuple(ingredients)
    return table


# dictionary entries that are also everyday or clinical words in IMR titles; never read as drugs
_COMMON_WORDS = frozenset(
    "oxygen water heat cold ice salt sugar alcohol glucose iron zinc light sleep rest support gauze tape "
    "collagen protein fiber air saline contrast dye barium silver gold copper magnesium potassium sodium "
    "calcium chloride carbon nitrogen helium ozone tens therapy care home unit pump system program pain".split()
)


def find(text: str) -> list[Mention]:
    """Drug names in ``text``, longest first and not overlapping, in order of appearance (see
    :func:`_find`). A title is read twice an item (its classification and its details) and the
    same titles come back letter after letter, so a title's answer is remembered (a bounded
    cache of short texts): one cold pass over the 303 shared items' titles costs 48 against 66 µs
    an item read afresh."""
    return list(_remembered(text))


def _find(text: str) -> list[Mention]:
    """Drug names in ``text``, longest first and not overlapping, in order of appearance.

    A hyphenated word no name matches is read again as its parts: titles join the drugs of a
    combination with hyphens ("Hydrocodone-acetaminophen", "Flurbiprofen-cyclobenzaprine cream")
    and brands take suffixes ("Senokot-S"); names that have a hyphen ("Depo-Medrol") are still
    found whole first. The words ahead are a small queue, so a hostile title of many hyphenated
    words stays linear (1.8M characters of "zz-qq ": 3.8 s; splitting in place in a list of all
    the words took 13.3 s, 0.9M 3.6 s)."""
    table = lexicon()
    lowered = text.lower()
    stream = ((m.start(), m.end(), m.group(0)) for m in P.DRUG_NAME_TOKEN.finditer(lowered))
    ahead: deque[tuple[int, int, str]] = deque()  # the next words: a window, and the parts of a split word
    found: list[Mention] = []
    while True:
        while len(ahead) < _MAX_WORDS and (token := next(stream, None)) is not None:
            ahead.append(token)
        if not ahead:
            return found
        for n in range(min(_MAX_WORDS, len(ahead)), 0, -1):
            window = list(islice(ahead, n))
            key = " ".join(t[2] for t in window)
            if key in table:
                start, end = window[0][0], window[-1][1]
                found.append(Mention(start, end, text[start:end], table[key]))
                for _ in range(n):
                    ahead.popleft()
                break
        else:
            start, _, word = ahead.popleft()
            if "-" in word:
                ahead.extendleft(reversed(_parts(start, word)))


# titles, not rationales (300 characters at most); 4,096 of them stay under ~3 MB
@remembered(4096, 300)
def _remembered(text: str) -> tuple[Mention, ...]:
    return tuple(_find(text))


def _parts(start: int, word: str) -> list[tuple[int, int, str]]:
    """A hyphenated token's parts, each with its offsets in the text."""
    parts = []
    for part in word.split("-"):
        parts.append((start, start + len(part), part))
        start += len(part) + 1
    return [p for p in parts if p[2]]


def ingredients_of(mentions: list[Mention]) -> tuple[str, ...]:
    """The ingredients of all the mentions, each once, in the order they are named."""
    return tuple(dict.fromkeys(i for m in mentions for i in m.ingredients))


def is_topical(text: str) -> bool:
    """Whether a request is for a topical product (cream, gel, patch, a percentage strength)."""
    return bool(P.TOPICAL_FORM.search(text)) and not P.INJECTED.search(text)


def drug_class(ingredients: tuple[str, ...], topical: bool) -> str | None:
    """The DWC drug class of a product: by form for topicals (one active ingredient: Topical
    Analgesics, more: Topical Compounds), else by its ingredients (an opioid names a combination).
    A patch of a drug that acts through the blood (fentanyl, buprenorphine) keeps its own class."""
    classes = [c for c in (class_of(i) for i in ingredients) if c]
    _, _, priority, systemic = _classes()
    if topical and ingredients and not (set(classes) & set(systemic)):
        return "Topical Compounds" if len(ingredients) > 1 else "Topical Analgesics"
    for cls in priority:
        if cls in classes:
            return cls
    return classes[0] if classes else None


def topical_class(ingredients: tuple[str, ...], subject: str) -> str:
    """The class of a topical product by the labels' convention: one active ingredient, Topical
    Analgesics; two or more, Topical Compounds. With none known, a title that calls it a
    compound or kit says two or more; otherwise one is assumed (the graph marks the ingredients
    unknown)."""
    if len(ingredients) > 1 or (not ingredients and P.COMPOUND_WORD.search(subject)):
        return "Topical Compounds"
    return "Topical Analgesics"


@dataclass(frozen=True, slots=True)
class Contents:
    """A rationale's sentence saying what a product contains, and the drugs it names."""

    sentence: str
    mentions: list[Mention]


def contents_stated(rationale: str, subject: str) -> Contents | None:
    """Where a title names a product no dictionary knows, the rationale often says what it is:
    "Terocin contains methyl salicylate, capsaicin, menthol and lidocaine", "this compound is
    composed of flurbiprofen and cyclobenzaprine", "Mentherm (methyl salicylate/menthol)". The
    first sentence that names the product (a word of the title, or "this compound/cream/…") and
    says it contains something gives the drugs named after that word."""
    words = {w.lower() for w in P.TITLE_WORD.findall(subject) if len(w) >= 4}
    for sentence in P.SENTENCE_BOUNDARY.split(rationale):  # the letter grammar's sentence ends
        said = P.CONTAINS.search(sentence)
        if said is None:
            continue
        before = sentence[: said.start()].lower()
        names_it = any(re.search(rf"\b{re.escape(w)}\b", before) for w in words) or P.THIS_PRODUCT.search(before)
        if not names_it:
            continue
        found = find(sentence[said.end() :])
        if found:
            return Contents(" ".join(sentence.split()), found)
    return None


def rxcui(ingredient: str) -> str | None:
    """The RxNorm code of an ingredient, where ``drugs.json`` has it."""
    info = load_json("drugs.json")["ingredients"].get(ingredient)
    return info.get("rxcui") if info else None


__all__ = [
    "Contents",
    "Mention",
    "contents_stated",
    "topical_class",
    "class_of",
    "drug_class",
    "find",
    "ingredients_of",
    "is_topical",
    "lexicon",
    "rxcui",
]
