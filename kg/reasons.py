"""Why the reviewer decided: reason codes from the rationale, each with the sentence that says it.

The scheme (codes, labels, definitions, patterns) is data: ``kg/data/reasons.json``, after the
reason scheme of the shared item labels. Patterns come first; a small sentence model
(:mod:`kg.reason_model`, trained by ``bench/train_reasons.py``) adds the codes it is confident of
that no pattern read. A reason is read from a sentence of the rationale that
matches one of its patterns; a sentence that only restates a guideline (its subject is the
guideline and it says nothing about this patient or request) gives none, because a guideline the
reviewer quotes is not a finding. Codes that explain an upheld denial are read only on upheld
items, and those that explain an overturn only on overturned ones. Every code keeps the span of
its sentence in the letter's normalized text, so a reader can check it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kg import patterns as P
from kg import reason_model
from kg.models import Reason, Span
from kg.vocab import load_json


@dataclass(frozen=True, slots=True)
class _Code:
    code: str
    outcome: str
    bit: int  # this code's bit in a sentence's keyword masks (see _Keywords)
    pattern: re.Pattern[str] | None
    gated: bool  # the pattern can match only a sentence holding one of its keywords
    negated: re.Pattern[str] | None  # terms that count when a negation cue comes before them
    negated_gated: bool  # ... and only when one of its negated keywords follows the cue
    in_guideline_text: re.Pattern[str] | None  # patterns that count even in a guideline-worded sentence
    requires: re.Pattern[str] | None  # what the whole rationale must mention for this code to apply
    requires_drug_class: frozenset[str]  # ... unless the item is a drug of one of these DWC classes
    yields_to: frozenset[str]  # more specific codes that, found in the same sentence, take its place
    unless: re.Pattern[str] | None  # a sentence these match does not state the code (a qualified statement)


@dataclass(frozen=True, slots=True)
class _Keywords:
    """Every code's keywords in one scan: at each position of a sentence, ``scan`` finds the longest
    keyword that begins there; ``masks`` maps it to the bits of the codes that it or one of its
    prefixes is a keyword of, as (keyword, negated keyword)."""

    scan: re.Pattern[str]
    masks: dict[str, tuple[int, int]]

    def of(self, sentence: str, start: int = 0, negated: bool = False) -> int:
        """The bits of the codes whose keywords (``negated``: negated keywords) the sentence holds
        from ``start`` on (``findall``: 8 % less than reading a match object a keyword)."""
        k = 1 if negated else 0
        found = 0
        for keyword in set(self.scan.findall(sentence, start)):
            found |= self.masks[keyword][k]
        return found


@dataclass(frozen=True, slots=True)
class _Scheme:
    codes: tuple[_Code, ...]
    keywords: _Keywords
    negation: re.Pattern[str]
    generic: re.Pattern[str]
    about_case: re.Pattern[str]
    guideline_subject: re.Pattern[str]
    conclusion: re.Pattern[str]
    connector: re.Pattern[str]
    conclusion_codes: frozenset[str]


@cache
def _scheme() -> _Scheme:
    data = load_json("reasons.json")
    codes = tuple(
        _Code(
            r["code"],
            r["outcome"],
            1 << i,
            _alternation(r["patterns"]) if r["patterns"] else None,
            bool(r["keywords"]),
            _alternation(r["negated"]) if r.get("negated") else None,
            bool(r.get("negated_keywords")),
            _alternation(r["in_guideline_text"]) if r.get("in_guideline_text") else None,
            _alternation([r["requires"]]) if r.get("requires") else None,
            frozenset(r.get("requires_drug_class", ())),
            frozenset(r.get("yields_to", ())),
            _alternation(r["unless"]) if r.get("unless") else None,
        )
        for i, r in enumerate(data["reasons"])
    )
    return _Scheme(
        codes,
        _keywords(data["reasons"]),
        _alternation([data["negation"]]),
        _alternation([data["generic_statement"]]),
        _alternation([data["about_this_case"]]),
        _alternation([data["guideline_subject"]]),
        _alternation([data["conclusion"]]),
        _alternation([data["reason_connector"]]),
        frozenset(data["conclusion_codes"]),
    )


def _keywords(reasons: list[dict]) -> _Keywords:
    bits: dict[str, list[int]] = {}
    for i, r in enumerate(reasons):
        for k, field in enumerate(("keywords", "negated_keywords")):
            for word in r.get(field, ()):
                bits.setdefault(word, [0, 0])[k] |= 1 << i
    masks: dict[str, tuple[int, int]] = {}
    for word in bits:
        prefixes = [bits[word[:n]] for n in range(1, len(word) + 1) if word[:n] in bits]
        masks[word] = (_union(b[0] for b in prefixes), _union(b[1] for b in prefixes))
    return _Keywords(P.literal_scan(list(bits)), masks)


def _union(masks: Iterable[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One lower-case pattern of the alternatives (sentences are lower-cased once: matching without
    IGNORECASE is a third faster)."""
    return P.alternation([P.REGEX_CAPITAL.sub(lambda m: m.group(0).lower(), p) for p in patterns])


def _says(code: _Code, sentence: str, keywords: int, cue: re.Match[str] | None, negated: int) -> bool:
    """Whether a (lower-cased) sentence states a code: one of its patterns, or one of its negated
    terms after the sentence's first negation cue. The sentence's keywords (``keywords``, and
    ``negated``: the codes whose negated keywords follow the cue) rule most codes out before any
    pattern runs; the cue and the term are two searches instead of one pattern backtracking over
    every word between."""
    if code.pattern is not None and (not code.gated or keywords & code.bit) and code.pattern.search(sentence):
        return code.unless is None or code.unless.search(sentence) is None
    if cue is None or code.negated is None or (code.negated_gated and not negated & code.bit):
        return False
    return code.negated.search(sentence, cue.end()) is not None


def scheme() -> list[dict]:
    """The reason scheme (code, outcome, label, definition) in file order."""
    return [{k: r[k] for k in ("code", "outcome", "label", "definition")} for r in load_json("reasons.json")["reasons"]]


def sentences(text: str, start: int, end: int) -> list[tuple[str, Span]]:
    """The sentences of ``text[start:end]``, each with its span in ``text`` and its words on one line.

    Boundaries are found in the letter's own text, so spans need no offset table (building one a
    character at a time cost more than reading the reasons)."""
    out = []
    begin = start
    for m in P.SENTENCE_BOUNDARY.finditer(text, start, end):
        if P.ABBREVIATION_END.search(text, max(begin, m.start() - 8), m.start()):
            continue
        out.append((begin, m.start()))
        begin = m.end()
    out.append((begin, end))
    result = []
    for s, e in out:
        raw = text[s:e]
        stripped = raw.strip()
        if stripped:
            s += len(raw) - len(raw.lstrip())
            # str.split() splits on the characters \s matches, at a fifth of re.sub's cost (0.8 vs 3.9 µs)
            result.append((" ".join(stripped.split()), Span(s, s + len(stripped))))
    return result


def _request_word(title: str) -> str | None:
    """The first word of the request's title, lower case: a sentence naming it is about this request."""
    words = [w.lower() for w in P.TITLE_WORD.findall(title) if w.lower() not in _PLAIN_WORDS]
    return words[0] if words else None


# title words that name no particular request
_PLAIN_WORDS = frozenset(
    "the retrospective request requested associated surgical service services post pre operative additional "
    "continued continue one two three four five six eight ten twelve right left bilateral and with for of".split()
)


def is_finding(sentence: str, title: str = "") -> bool:
    """Whether a sentence may state a finding about this request (not only the guideline's words)."""
    return _is_finding(sentence.lower(), _request_word(title))


def _is_finding(lowered: str, named: str | None) -> bool:
    """:func:`is_finding` of a lower-cased sentence, given the request's first title word."""
    s = _scheme()
    if not s.generic.search(lowered) or s.about_case.search(lowered):
        return True
    # naming the request counts, unless the guideline is the sentence's subject ("ACOEM guidelines
    # indicate that epidural injections ..." is the guideline speaking of the treatment in general)
    return bool(named and named in lowered) and not s.guideline_subject.search(lowered)


def find_reasons(
    text: str, start: int, end: int, outcome: str, title: str = "", drug_class: str | None = None
) -> tuple[Reason, ...]:
    """The reasons stated in the rationale ``text[start:end]`` of an item decided ``outcome``:
    those the patterns read, then those the sentence model (kg.reason_model) is confident of.
    ``drug_class``: the item's DWC drug class, when it is a drug (an opioid's rationale may name
    it only by a brand no pattern lists)."""
    s = _scheme()
    rationale = text[start:end].lower()
    codes = [
        c
        for c in s.codes
        if c.outcome == outcome
        and (c.requires is None or drug_class in c.requires_drug_class or c.requires.search(rationale))
    ]
    found: dict[str, Reason] = {}
    findings: list[tuple[str, Span]] = []
    named = _request_word(title)
    for sentence, span in sentences(text, start, end):
        lowered = sentence.lower()
        if not _is_finding(lowered, named):
            # the guideline's or textbook's words, not a finding about this request, unless a rule applied to it
            for code in codes:
                rule = code.in_guideline_text
                if code.code not in found and rule is not None and rule.search(lowered):
                    found[code.code] = Reason(code.code, span, sentence)
            continue
        findings.append((sentence, span))
        conclusion = bool(s.conclusion.search(lowered)) and not s.connector.search(lowered)
        cue = s.negation.search(lowered)
        keywords = s.keywords.of(lowered)
        negated = s.keywords.of(lowered, cue.end(), negated=True) if cue else 0
        here = {
            c.code
            for c in codes
            if (not conclusion or c.code in s.conclusion_codes) and _says(c, lowered, keywords, cue, negated)
        }
        for code in codes:
            if code.code in here and code.code not in found and not (code.yields_to & here):
                found[code.code] = Reason(code.code, span, sentence)
    missing = [c.code for c in codes if c.code not in found]
    if missing and findings:
        for code, (sentence, span) in reason_model.confident(findings, missing).items():
            found[code] = Reason(code, span, sentence)
    order = {c.code: i for i, c in enumerate(s.codes)}
    return tuple(sorted(found.values(), key=lambda r: order[r.code]))


__all__ = ["find_reasons", "is_finding", "scheme", "sentences"]
