"""Why the reviewer decided: reason codes from the rationale, each with the sentence that says it.

The scheme (codes, labels, definitions, patterns) is data: ``kg/data/reasons/``, after the
reason scheme of the shared item labels. Patterns come first; a small sentence model
(:mod:`kg.reading.reason_model`, trained by ``bench/train_reasons.py``) adds the codes it is confident of
that no pattern read. A reason is read from a sentence of the rationale that
matches one of its patterns; a sentence that only restates a guideline (its subject is the
guideline and it says nothing about this patient or request) gives none, because a guideline the
reviewer quotes is not a finding. Codes that explain an upheld denial are read only on upheld
items, and those that explain an overturn only on overturned ones. Every code keeps the span of
its sentence in the letter's normalized text, so a reader can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.reading import patterns as P
from kg.reading import reason_model, treatments
from kg.reading.memo import CACHED_SENTENCES, LONGEST_CACHED_SENTENCE, remembered
from kg.reading.models import Reason, Span
from kg.rules import engine as E
from kg.rules import schemes as S


@dataclass(frozen=True, slots=True)
class _Code:
    code: str
    outcome: str
    bit: int  # this code's bit in a sentence's keyword masks
    pattern: E.GatedPattern | None  # searched only in a sentence holding one of its keywords (derived)
    negated: E.GatedPattern | None  # terms that count when a negation cue comes before them (and a keyword follows it)
    in_guideline_text: E.GatedPattern | None  # patterns that count even in a guideline-worded sentence
    about_request: re.Pattern[str] | None  # ... that count in a sentence naming the request by the scheme's words
    about_request_words: tuple[str, ...]  # one of which every about_request match holds (a cheap test first)
    about_request_unless: re.Pattern[str] | None  # the 'unless' patterns that still hold there
    requires: re.Pattern[str] | None  # what the whole rationale must mention for this code to apply
    requires_drug_class: frozenset[str]  # ... unless the item is a drug of one of these DWC classes
    yields_to: frozenset[str]  # more specific codes that, found in the same sentence, take its place
    model_yields: bool  # ... and the sentence model does not add it back from that sentence
    model_needs_negation: bool  # the model adds it only from a sentence with a word of absence (_Scheme.absence)
    unless: E.GatedPattern | None  # a sentence these match does not state the code (a qualified statement)
    not_for_categories: frozenset[str]  # DWC request categories the code never explains


@dataclass(frozen=True, slots=True)
class _Scheme:
    codes: tuple[_Code, ...]
    literals: E.LiteralIndex  # every code's keywords and every gated pattern's literals, one scan a sentence
    negation: E.GatedPattern
    absence: re.Pattern[str]  # a negation cue, or another word that says something is missing or poor
    generic: E.GatedPattern
    about_case: E.GatedPattern
    guideline_subject: re.Pattern[str]
    names_case: re.Pattern[str]
    conclusion: E.GatedPattern
    connector: E.GatedPattern
    conclusion_codes: frozenset[str]
    companions: tuple[tuple[str, re.Pattern[str]], ...]  # code -> the cue of its companion sentences


@cache
def _scheme() -> _Scheme:
    """The matcher of the reason scheme (:mod:`kg.rules.schemes`). Each code's keyword gates are
    derived from what its patterns require (:func:`kg.rules.engine.required_literals`), so a
    pattern can never sit behind a gate that does not let it through."""
    literals = E.LiteralIndex()

    def gate(found: tuple[S.Rule, ...]) -> E.GatedPattern | None:
        return literals.gate(_lower([r.regex for r in found]), E.alternation) if found else None

    def words(found: tuple[S.Rule, ...]) -> set[str]:
        return {
            w for r in found for a in E.alternatives(E.lower_pattern(r.regex)) for w in E.required_literals(a) or ()
        }

    data = S.reason_codes()
    codes = []
    for i, r in enumerate(data):
        patterns, negated = S.reason_rules(r, "patterns"), S.reason_rules(r, "negated")
        for word in words(patterns):
            literals.keyword(word, 1 << i, 0)
        for word in words(negated):
            literals.keyword(word, 0, 1 << i)
        codes.append(
            _Code(
                r["code"],
                r["outcome"],
                1 << i,
                gate(patterns),
                gate(negated),
                gate(S.reason_rules(r, "in_guideline_text")),
                _alternation([x.regex for x in S.reason_rules(r, "about_request")])
                if S.reason_rules(r, "about_request")
                else None,
                tuple(sorted(words(S.reason_rules(r, "about_request")))),
                _alternation(kept)
                if (
                    kept := [
                        x.regex for x in S.reason_rules(r, "unless") if x.id not in r.get("about_request_ignores", ())
                    ]
                )
                else None,
                _alternation([S.rules([r["requires"]], r["code"])[0].regex]) if r.get("requires") else None,
                frozenset(r.get("requires_drug_class", ())),
                frozenset(r.get("yields_to", ())),
                bool(r.get("model_yields")),
                bool(r.get("model_needs_negation")),
                gate(S.reason_rules(r, "unless")),
                frozenset(r.get("not_for_categories", ())),
            )
        )

    def cue(name: str) -> E.GatedPattern:
        found = gate((S.cue(name),))
        assert found is not None
        return found

    scheme = _Scheme(
        tuple(codes),
        literals,
        cue("negation"),
        _alternation([S.cue("negation").regex, S.cue("absence_cue").regex]),
        cue("generic_statement"),
        cue("about_this_case"),
        _alternation([S.cue("guideline_subject").regex]),
        _alternation([S.cue("names_this_case").regex]),
        cue("conclusion"),
        cue("reason_connector"),
        frozenset(S.reason_scheme()["conclusion_codes"]),
        tuple(
            (code, _alternation([S.cue(name).regex])) for code, name in S.reason_scheme().get("companions", {}).items()
        ),
    )
    literals.build()
    return scheme


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One lower-case pattern of the alternatives (sentences are lower-cased once: matching without
    IGNORECASE is a third faster)."""
    return E.alternation(_lower(patterns))


def _lower(patterns: list[str]) -> list[str]:
    """The patterns in lower case, their class escapes (``\\W``, ``\\S``) kept."""
    return [E.lower_pattern(p) for p in patterns]


def _says(
    code: _Code, sentence: str, gates: int, keywords: int, clauses: tuple[tuple[int, int], ...], negated: int
) -> bool:
    """Whether a (lower-cased) sentence states a code: one of its patterns, or one of its negated
    terms in the clause after a negation cue (``clauses``), unless its ``unless`` patterns
    match the sentence. The sentence's keywords
    (``keywords``, and ``negated``: the codes whose negated keywords follow a cue in its clause)
    rule most codes out before any pattern runs, and its literals (``gates``) most of the
    patterns' alternatives; the cue and the term are two searches instead of one pattern
    backtracking over every word between."""
    stated = code.pattern is not None and keywords & code.bit and code.pattern.search(sentence, gates)
    if not stated and clauses and code.negated is not None and negated & code.bit:
        stated = any(code.negated.search(sentence, gates, begin, end) for begin, end in clauses)
    return bool(stated) and (code.unless is None or not code.unless.search(sentence, gates))


def _negated_clauses(lowered: str, negation: E.GatedPattern, first: re.Match[str]) -> tuple[tuple[int, int], ...]:
    """Where each negation cue's reach runs: from the cue to the end of its clause, the next ``;``,
    or the closing parenthesis of a parenthesis the cue is in. "Passive therapy (modalities that
    do not require energy expenditure) is ... beneficial" does not deny a benefit; "... has not
    returned; there is no evidence of benefit" does."""
    out = []
    for cue in negation.whole.finditer(lowered, first.start()):
        at = cue.end()
        opened = lowered.rfind("(", 0, at)
        inside = opened >= 0 and lowered.find(")", opened, at) < 0
        end = lowered.find(")", at) if inside else -1
        semicolon = lowered.find(";", at)
        ends = [e for e in (end, semicolon) if e >= 0]
        out.append((at, min(ends) if ends else len(lowered)))
    return tuple(out)


def scheme() -> list[dict]:
    """The reason scheme (code, outcome, label, definition) in the scheme's order."""
    return [{k: r[k] for k in ("code", "outcome", "label", "definition")} for r in S.reason_codes()]


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


def _request_words(title: str, ingredients: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The words that name the request, lower case: the first word of its title, and the generic
    names of a drug's ingredients (a rationale about "Soma" says "carisoprodol"). A sentence
    naming one is about this request."""
    words = [w.lower() for w in P.TITLE_WORD.findall(title) if w.lower() not in _PLAIN_WORDS]
    return tuple(dict.fromkeys(words[:1] + [i.lower() for i in ingredients if i]))


# title words that name no particular request
_PLAIN_WORDS = frozenset(
    "the retrospective request requested associated surgical service services post pre operative additional "
    "continued continue one two three four five six eight ten twelve right left bilateral and with for of "
    "initial trial repeat session sessions visit visits times week weeks weekly month months daily quantity".split()
)


def is_finding(sentence: str, title: str = "", ingredients: tuple[str, ...] = ()) -> bool:
    """Whether a sentence may state a finding about this request (not only the guideline's words)."""
    lowered = sentence.lower()
    return _is_finding(lowered, _reading(lowered, "Upheld"), _request_words(title, ingredients))


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a (lower-cased) sentence says, whatever item it belongs to: whether only the
    guideline's wording could make it a finding, whether the guideline is its subject, the codes
    of the outcome it states as a finding (before each item's ``requires``), and those its
    ``in_guideline_text`` rules state."""

    guideline_worded: bool
    guideline_subject: bool
    states: frozenset[str]
    states_in_guideline_text: frozenset[str]
    conclusion: bool  # it concludes ("Therefore, the request is not medically necessary") without a reason


def _read(lowered: str, outcome: str) -> _Reading:
    """Read a sentence once for every item it appears in: letters quote the same guideline
    sentences again and again (a quarter of the sentences of the 130 shared letters repeat an
    earlier one), so a sentence read before costs a lookup."""
    s = _scheme()
    codes = [c for c in s.codes if c.outcome == outcome]
    keywords, gates, after = s.literals.scan(lowered)
    subject = bool(s.guideline_subject.search(lowered))
    # the guideline is speaking: its words, whatever they say of patients and findings, unless
    # the sentence names this case ("Per the ODG, the patient's request ...")
    speaks = subject and not s.names_case.search(lowered, 0, _quote_start(lowered))
    worded = speaks or bool(s.generic.search(lowered, gates) and not s.about_case.search(lowered, gates))
    in_guideline = (
        frozenset(
            c.code for c in codes if c.in_guideline_text is not None and c.in_guideline_text.search(lowered, gates)
        )
        if worded
        else frozenset()
    )
    conclusion = s.conclusion.search(lowered, gates) and not s.connector.search(lowered, gates)
    clauses: tuple[tuple[int, int], ...] = ()
    negated = 0
    cue = s.negation.whole.search(lowered) if s.negation.may_match(gates) else None
    # the clauses of every cue only where a negated keyword follows the first (a third of the
    # sentences with a cue): finding them all costs 12 µs a sentence
    if cue is not None and any(start >= cue.end() for start, _ in after):
        clauses = _negated_clauses(lowered, s.negation, cue)
        for start, mask in after:
            if any(begin <= start < end for begin, end in clauses):
                negated |= mask
    states = frozenset(
        c.code
        for c in codes
        if (not conclusion or c.code in s.conclusion_codes) and _says(c, lowered, gates, keywords, clauses, negated)
    )
    return _Reading(worded, subject, states, in_guideline, bool(conclusion))


def _quote_start(lowered: str) -> int:
    """Where the sentence's first quotation begins (its end if none): what a guideline is quoted
    as saying is the guideline's ("ODG states "... to see if the patient is moving ...")."""
    return min((i for i in (lowered.find('"'), lowered.find("\u201c")) if i >= 0), default=len(lowered))


_reading = remembered(CACHED_SENTENCES, LONGEST_CACHED_SENTENCE)(_read)  # :func:`_read`, remembered (kg.reading.memo)


def _named_in(lowered: str, named: tuple[str, ...]) -> bool:
    """Whether a (lower-cased) sentence names the request by its own words (:func:`_request_words`)."""
    return any(word in lowered for word in named)


def _is_finding(lowered: str, reading: _Reading, named: tuple[str, ...]) -> bool:
    """Whether a sentence may state a finding: it is not worded as the guideline, or it names the
    request (``named``: :func:`_request_words`) without the guideline as its subject ("ACOEM
    guidelines indicate that epidural injections ..." is the guideline speaking of the treatment
    in general)."""
    if not reading.guideline_worded:
        return True
    return _named_in(lowered, named) and not reading.guideline_subject


def find_reasons(
    text: str,
    start: int,
    end: int,
    outcome: str,
    title: str = "",
    drug_class: str | None = None,
    ingredients: tuple[str, ...] = (),
    category: str | None = None,
    concept: str | None = None,
) -> tuple[Reason, ...]:
    """The reasons stated in the rationale ``text[start:end]`` of an item decided ``outcome``:
    those the patterns read, then those the sentence model (kg.reading.reason_model) is confident of.
    ``drug_class``: the item's DWC drug class, when it is a drug (an opioid's rationale may name
    it only by a brand no pattern lists); ``ingredients``: a drug's generic names, which name the
    request as its title does; ``category``: its DWC request category (a code may not apply to
    some: a diagnostic test is no treatment whose benefit is in question); ``concept``: its
    treatment concept (else the title's), whose words in the scheme name the request as its title
    does (:func:`kg.reading.treatments.naming_pattern`)."""
    s = _scheme()
    codes = [c for c in s.codes if c.outcome == outcome]
    verdicts: dict[str, bool] = {}

    def applies(code: _Code) -> bool:
        """Whether the rationale mentions what ``code`` requires: asked only of a code some
        sentence states (a search over the whole rationale, about 25 µs an item, once)."""
        if category in code.not_for_categories:
            return False
        if code.requires is None or drug_class in code.requires_drug_class:
            return True
        if code.code not in verdicts:
            verdicts[code.code] = code.requires.search(text[start:end].lower()) is not None
        return verdicts[code.code]

    found: dict[str, Reason] = {}
    findings: list[tuple[str, Span]] = []
    named = _request_words(title, ingredients)
    by_class = [c for c in codes if c.about_request is not None]
    naming: list[treatments.Naming | None] = []  # the scheme's words for the request, asked for once, when needed
    by_kind: dict[str, Reason] = {}  # read from a statement about the request's kind: where nothing else gave the code
    for sentence, span in sentences(text, start, end):
        lowered = sentence.lower()
        reading = _reading(lowered, outcome)
        for code in by_class:  # a statement about the request's kind, the guideline's words or not
            if (
                code.code not in by_kind
                and any(w in lowered for w in code.about_request_words)
                and code.about_request.search(lowered)  # type: ignore[union-attr]
                and _names(naming, concept, title, drug_class, ingredients, lowered)
                and not _qualified(code, lowered, _named_in(lowered, named))
                and applies(code)
            ):
                by_kind[code.code] = Reason(code.code, span, sentence)
        if not _is_finding(lowered, reading, named):
            # the guideline's or textbook's words, not a finding about this request, unless a rule applied to it
            for code in codes:
                if code.code not in found and code.code in reading.states_in_guideline_text and applies(code):
                    found[code.code] = Reason(code.code, span, sentence)
            continue
        findings.append((sentence, span))
        here = {c.code for c in codes if c.code in reading.states and applies(c)}
        for code in codes:
            if code.code in here and code.code not in found and not (code.yields_to & here):
                found[code.code] = Reason(code.code, span, sentence)
    for code_name, reason in by_kind.items():
        found.setdefault(code_name, reason)
    missing = {c.code: c for c in codes if c.code not in found}
    if missing and findings:
        for name, (sentence, span) in reason_model.confident(findings, list(missing)).items():
            lowered = sentence.lower()
            if applies(missing[name]) and _model_may_add(missing[name], lowered, _reading(lowered, outcome)):
                found[name] = Reason(name, span, sentence)
    for code_name, companion in s.companions:  # "no exceptional factors" beside a quantity limit: one reason
        if code_name in found:
            kept = found[code_name].span  # a sentence stating both keeps both
            for other in [r for r in found.values() if r.span != kept and companion.search(r.text.lower())]:
                del found[other.code]
    order = {c.code: i for i, c in enumerate(s.codes)}
    return tuple(sorted(found.values(), key=lambda r: order[r.code]))


def _names(
    known: list, concept: str | None, title: str, drug_class: str | None, ingredients: tuple[str, ...], lowered: str
) -> bool:
    """Whether a sentence names the request by the scheme's words; the words are looked up on
    the first sentence that needs them (``known`` keeps them for the item's other sentences)."""
    if not known:
        known.append(treatments.naming_for(concept, title, drug_class, ingredients))
    return known[0] is not None and known[0].search(lowered)


def _qualified(code: _Code, lowered: str, by_name: bool) -> bool:
    """Whether an about_request statement is qualified so that it does not state ``code``: by
    every 'unless' pattern when the sentence names the request itself (its title word or
    ingredient: "diclofenac is not recommended as first line" means first-line care was not
    tried), by those the code does not set aside when it names only its kind ("compounded
    products are not recommended as first-line")."""
    unless = code.unless.whole if by_name and code.unless is not None else code.about_request_unless
    return unless is not None and unless.search(lowered) is not None


def _model_may_add(code: _Code, lowered: str, reading: _Reading) -> bool:
    """Whether the sentence model may add ``code`` from a (lower-cased) sentence read as
    ``reading``. Asked only of the model's few additions, so its searches are not part of every
    sentence's reading.

    - Not a ``model_yields`` code the patterns read there and let a more specific code take its
      place ("a lack of a clear rationale for monitored therapy over a home exercise program" is
      the home program's). The catch-all indications-not-documented is not such a code: the
      model adding it beside the specific code was right more often than not on the shared
      letters.
    - Not a ``model_needs_negation`` code (one that states an absence: no improvement, no
      indication, no rationale) from a sentence without a negation cue or another word of
      absence ("only", "cannot", "poorly", "unchanged"): the model weighs words, and "the
      examination shows objective evidence of nerve root compromise" has the words of their
      absence.
    - From a conclusion ("Therefore, the request is not supported at this time"), only the
      codes the patterns read there too (``conclusion_codes``).
    - Not from a sentence that one of the code's ``unless`` patterns matches: the rules say it
      does not state the code ("the objective findings do not provide a clear rationale for
      this study" is about the findings, not a missing rationale)."""
    s = _scheme()
    if code.model_needs_negation and not s.absence.search(lowered):
        return False
    if reading.conclusion and code.code not in s.conclusion_codes:
        return False
    if code.unless is not None and code.unless.whole.search(lowered):
        return False
    return not (code.model_yields and code.code in reading.states and code.yields_to & reading.states)


def model_may_add(code: str, sentence: str, outcome: str) -> bool:
    """Whether the sentence model may add ``code`` from ``sentence`` (see :func:`_model_may_add`)."""
    by_code = {c.code: c for c in _scheme().codes}
    lowered = sentence.lower()
    return _model_may_add(by_code[code], lowered, _reading(lowered, outcome))


__all__ = ["find_reasons", "is_finding", "scheme", "sentences"]
