"""Every regular expression the parser uses, kept together so the letter grammar reads in one place.

Patterns run on normalized text (:mod:`kg.normalize`): one line per text line, single spaces.
"""

from __future__ import annotations

import re

# the engine's own parser, to read which literals a pattern needs (required_literals)
import re._constants as _sre_constants  # noqa: E402  (private, stable since Python 3.11)
import re._parser as _sre_parser  # noqa: E402
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import ahocorasick

M = re.MULTILINE
IC = re.IGNORECASE

# --- sections (Format 1: seeds 2014 and 2016-17 letters) -----------------------------------
HOW_MADE = re.compile(r"^HOW THE IMR FINAL DETERMINATION WAS MADE\s*$", M)
CASE_SUMMARY = re.compile(r"^CLINICAL CASE SUMMARY\s*$", M)
ISSUES = re.compile(r"^IMR ISSUES,? DECISIONS,? AND RATIONALES\s*$", M)
ISSUES_INTRO = re.compile(r"^The Final Determination was based on decisions for the disputed .*?below:\s*$", M)
SUMMARY_INTRO = re.compile(
    r"^The expert reviewer developed the following clinical case summary.*?\n?.*?medical records:\s*$", M | IC
)

# --- other layouts and documents we recognise but do not parse -----------------------------
FORMAT2 = re.compile(r"IMR DECISION\(S\) AND RATIONALE\(S\)|^DOCUMENTS REVIEWED\s*$", M)
FORMAT3 = re.compile(
    r"^MEDICAL PROFESSIONAL REVIEW\s*$|^ISSUE AT DISPUTE:|MEDICAL TREATMENT GUIDELINE\(S\) RELIED UPON", M
)
NOTICE_2013 = re.compile(
    r"Notice of Independent Medical Review Determination|INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE", IC
)

# --- header block (2016-17) -----------------------------------------------------------------
CASE_NUMBER = re.compile(r"Case Number:\s*(CM\d{2}-\d{7})\b")
CASE_NUMBER_ANY = re.compile(r"\bCM\d{2}-\d{7}\b")
_DATE = r"(\d{1,2}/\d{1,2}/\d{2,4})"
HEADER_DATES = {
    "assigned": re.compile(r"Date\s+Assigned:\s*" + _DATE),
    "injury": re.compile(r"Date\s+of\s+Injury:\s*" + _DATE),
    "decision": re.compile(r"Decision\s+Date:\s*" + _DATE),
    "ur_denial": re.compile(r"UR\s+Denial\s+Date:\s*" + _DATE),
    # "Application Received" is split by pypdf: "Priority: Standard Application\nReceived:\n12/01/2016"
    "application_received": re.compile(r"Application\s+Received:\s*" + _DATE),
}
PRIORITY = re.compile(r"Priority:\s*(Standard|Expedited|Urgent)\b", IC)

# --- reviewer ---------------------------------------------------------------------------
LICENSURE = re.compile(r"^State\(s\) of Licensure:\s*(?P<states>.*?)\s*$", M)
SPECIALTY_BLOCK = re.compile(
    r"^Certification\(s\)/Specialty:\s*(?P<spec>.*?)\s*(?=^CLINICAL CASE SUMMARY|^State\(s\)|\Z)", M | re.S
)
REVIEWER_PROSE = re.compile(
    r"(?:Board[ -]Certified|certified)\s+in\s+(?P<spec>.+?)"
    r"(?:,\s*(?:and\s+)?(?:has|with)\s+(?:a\s+)?sub-?specialt(?:y|ies)\s+in\s+(?P<sub>.+?))?"
    r",?\s+and\s+is\s+licensed\s+to\s+practice\s+in\s+(?P<states>.+?)\.",
    IC | re.S,
)
REVIEWER_LICENSED = re.compile(
    r"reviewer is (?:a )?(?:licensed|practicing) (?P<spec>[A-Za-z ]+?) (?:who is |and is )?licensed to practice in (?P<states>.+?)\.",
    IC | re.S,
)
LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")

# --- patient ------------------------------------------------------------------------------
AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", IC)
SEX_AFTER_AGE = re.compile(r"^\s*(?:\w+\s+){0,3}?(male|female|man|woman|gentleman|lady|boy|girl)\b", IC)
SEX_WORD = re.compile(r"\b(male|female|gentleman|woman|man|lady)\b", IC)
PRONOUN = re.compile(r"\b(he|his|him|she|her|hers)\b", IC)

INJURY_DATE_PROSE = re.compile(
    r"(?:date of injury|injur(?:y|ed)(?: at work)?|industrial injury|occupational claim)"
    r"(?:\s+(?:of|on|from|dated|date))*:?\s+"
    r"(?P<date>\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|[A-Z][a-z]+\.? \d{1,2}, \d{4})",
    IC,
)

# --- items ----------------------------------------------------------------------------------
# The outcome closes an item's title; the token may wrap onto its own line.
OUTCOME = re.compile(r":[ ]?\n?[ ]?(?P<outcome>Upheld|Overturned)[ ]*$", M)
CA_LABEL = re.compile(r"^Claims Administrator guideline:\s*", M)
IMR_LABEL = re.compile(r"^MAXIMUS guideline:\s*", M)
RATIONALE_LABEL = re.compile(r"^Decision rationale:\s*", M)
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s*$")
# Sentences that belong to a modified request's long title ("X was the original request. ...")
MODIFIED_SENTENCE = re.compile(
    r"(?:was the original request|authorized by the Claims Administrator|"
    r"leaving the original request IMR eligible|was modified|was certified)[.,]?\s*$",
    IC,
)

# --- citations ------------------------------------------------------------------------------
NO_EVIDENCE = re.compile(r"did not cite any medical evidence", IC)
OUTSIDE_MTUS = re.compile(r"based (?:their|its|his/her) decision on recommendation\(?s?\)? outside of the MTUS", IC)
DECISION_BASED_ON = re.compile(r"Decision based on\s+", IC)

# --- literature references in rationales: "(Fritz, 2007)", "(Smith et al., 2010)" -------------
LITERATURE = re.compile(
    r"\((?P<author>[A-Z][A-Za-z'\-]+(?:\s+(?:et al\.?|and|&)\s*(?:[A-Z][A-Za-z'\-]+)?)?),?\s+(?P<year>(?:19|20)\d{2})[a-z]?\)"
)

# --- drug names and dosage forms (kg.drugs) ---------------------------------------------
DRUG_NAME_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# words in a dictionary's canonical name that say the form, not the drug ("lidocaine patch")
DRUG_FORM_WORDS = re.compile(
    r"\b(?:patch|patches|gel|cream|ointment|lotion|topical|transdermal|oral|tablets?|capsules?|injection|"
    r"injectable|solutions?|suspensions?|ophthalmic|otic|extended[- ]release|delayed[- ]release|er|xr|sr|cr|buccal|nasal|sprays?|drops?|inhalers?|"
    r"sodium|potassium|hydrochloride|hcl|bitartrate|sulfate|citrate|maleate|besylate|succinate|tartrate|"
    r"tromethamine|mesylate|fumarate|acetate|phosphate|hydrobromide|bromide|dihydrate|monohydrate|hyclate)\b"
)
TOPICAL_FORM = re.compile(
    r"\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|transdermal|topical(?:ly)?|rub|balm|liniment|roll-?on|"
    r"compound(?:ed)?|apply|applied|emulsion|foam)\b|\d\s*%",
    re.I,
)
INJECTED = re.compile(r"\binject|\bIM\b|\bIV\b|intramuscular|intravenous", re.I)

# --- treatment classification (kg.treatments) -------------------------------------------
TITLE_PREFIX = re.compile(
    r"^(?:(?:associated surgical services?|retrospective(?: request)?|post-?op(?:erative)?|pre-?op(?:erative)?|"
    r"purchase|rental|request(?:ed)?|continued?|additional)\b\s*(?:of|for)?\s*:?\s*)+",
    re.I,
)
SURGICAL_PREFIX = re.compile(r"^\W*(?:associated surgical services?|post-?op(?:erative)?|pre-?op(?:erative)?)\b", re.I)

# --- decision reasons (kg.reasons) ------------------------------------------------------
# a sentence ends at . ! ? before a capital, a quote or a bracket (ABBREVIATION_END tells false ends)
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
ABBREVIATION_END = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|vs|No|Nos|approx|e\.g|i\.e|Fig|St|Jr|Sr|al)|\b[A-Z])\.$")
TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
REGEX_CAPITAL = re.compile(r"(?<!\\)[A-Z]")  # a capital that is not a class escape like \W or \S

# --- the reason model's tokens (kg.reason_model) ----------------------------------------
MODEL_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
MODEL_TOKEN_ASCII = re.compile(r"[a-z0-9_]{2,}")  # the same words in lower-case ASCII text

# --- item details (kg.details) ----------------------------------------------------------
DOSAGE_FORM = re.compile(
    r"\b(tablets?|tabs?|capsules?|patch(?:es)?|gel|cream|ointment|suspension|solution|injection|lotion|spray)\b", re.I
)

# -- dates (kg.dates) --------------------------------------------------------------------------
NUMERIC_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})")  # 12/07/2016, 10-13-16: no dateutil needed


# --- alternations of many patterns (kg.reasons) ----------------------------------------------
def alternation(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern of the alternatives, each run of alternatives that begin with ``\\b`` behind one
    shared ``\\b``, order kept, so a search finds the same match as the plain ``|``-join. Python's
    engine tries every alternative at every position; behind a shared ``\\b`` it tries none inside
    a word. Measured on 7,017 rationale sentences: the negation cue's search 216 -> 30 µs."""
    parts: list[str] = []
    run: list[str] = []
    for alternative in (a for p in patterns for a in _alternatives(p)):
        if alternative.startswith("\\b"):
            run.append(alternative[2:])
            continue
        if run:
            parts.append("\\b(?:" + "|".join(run) + ")")
            run = []
        parts.append(f"(?:{alternative})")
    if run:
        parts.append("\\b(?:" + "|".join(run) + ")")
    return re.compile("|".join(parts), flags)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Literals one of which every match of ``pattern`` contains, or None when no such set is seen
    (a character class, an optional part, a pattern with flags). A search can then be skipped on a
    text holding none of them: that is how kg.reasons searches a sentence only with the patterns
    whose words it holds."""
    try:
        parsed = _sre_parser.parse(pattern)
    except (re.error, AttributeError, TypeError):
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    return _required(list(parsed))


def _required(items: list) -> frozenset[str] | None:
    """:func:`required_literals` of a parsed sequence: its longest run of literal characters, or
    the best literals of one of its parts that every match must go through."""
    c = _sre_constants
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset(["".join(run)]))
            run = []
        sub: frozenset[str] | None = None
        if op is c.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags
            sub = _required(list(av[3]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = _required(list(av[2]))
        elif op is c.BRANCH:
            branches = [_required(list(b)) for b in av[1]]
            if all(branches):
                sub = frozenset().union(*branches)  # type: ignore[arg-type]
        if sub:
            candidates.append(sub)
    # the most selective: the set whose shortest literal is longest, then the smallest set
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)), default=None)


@dataclass(frozen=True, slots=True)
class GatedPattern:
    """A pattern searched as its alternatives, each only in a text that holds one of its literals
    (``gates``: the bits :meth:`LiteralIndex.scan` found). A rationale sentence holds the words of
    one or two of a reason code's ten alternatives, and each is a short search."""

    whole: re.Pattern[str]  # the pattern itself, for where a match is
    always: re.Pattern[str] | None  # the alternatives no literal gates, as one pattern
    gated: dict[int, Callable[[str, int, int], re.Match[str] | None]]  # gate bit -> its alternative's search
    bits: int  # every gated alternative's bit
    searched: bool = True  # False: only may_match and whole answer (see LiteralIndex.gate)
    ungated: bool = False  # some alternative has no literal to gate it

    def search(self, text: str, gates: int, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """Whether the pattern matches ``text[pos:endpos]``, as ``whole.search`` would say."""
        if not self.searched:
            raise TypeError("a pattern gated with searched=False answers only may_match and whole")
        if self.always is not None and self.always.search(text, pos, endpos):
            return True
        hits = self.bits & gates
        while hits:  # only the alternatives whose literals the text holds, lowest bit first
            bit = hits & -hits
            if self.gated[bit](text, pos, endpos):
                return True
            hits ^= bit
        return False

    def may_match(self, gates: int) -> bool:
        """False when no alternative can match a text with these gates."""
        return self.ungated or bool(self.bits & gates)


@dataclass
class LiteralIndex:
    """The literals of many gated patterns and the keywords of many masks, in one Aho-Corasick
    automaton (pyahocorasick): one pass over a sentence tells which patterns may match and which
    keywords it holds. Measured on the 2,202 rationale sentences of the shared letters: the
    keywords of 13 reason codes 2.9 against 11-13 µs a sentence for a regular-expression trie."""

    # word -> [its length, keyword mask, negated-keyword mask, gate bits]
    words: dict[str, list[int]] = field(default_factory=dict)
    # patterns matched with IGNORECASE: literals kept in lower case, texts scanned in lower case,
    # and only ASCII texts (where lower case is exactly what IGNORECASE matches) may be gated
    ignore_case: bool = False
    next_bit: int = 1
    automaton: ahocorasick.Automaton | None = None

    def gate(
        self, patterns: list[str], compile_: Callable[[list[str]], re.Pattern[str]], *, searched: bool = True
    ) -> GatedPattern:
        """``patterns`` as one :class:`GatedPattern`; ``compile_`` compiles a list of alternatives.
        With ``searched`` false, the alternatives are not compiled one by one: the pattern then
        answers only :meth:`GatedPattern.may_match` and ``whole`` (the treatment rules: 484
        alternatives compiled cost 66 ms a process)."""
        always: list[str] = []
        gated: list[tuple[int, str]] = []
        for alternative in (a for p in patterns for a in _alternatives(p)):
            literals = required_literals(alternative)
            if not literals:
                always.append(alternative)
                continue
            bit, self.next_bit = self.next_bit, self.next_bit << 1
            for literal in literals:
                self._word(literal.lower() if self.ignore_case else literal)[3] |= bit
            gated.append((bit, alternative))
        bits = 0
        for bit, _ in gated:
            bits |= bit
        searches = {bit: compile_([alternative]).search for bit, alternative in gated} if searched else {}
        return GatedPattern(
            compile_(patterns),
            compile_(always) if always and searched else None,
            searches,
            bits,
            searched,
            bool(always),
        )

    def keyword(self, word: str, mask: int, negated_mask: int) -> None:
        """Count ``word`` (anywhere, even inside a longer word) towards these masks."""
        entry = self._word(word)
        entry[1] |= mask
        entry[2] |= negated_mask

    def _word(self, word: str) -> list[int]:
        self.automaton = None
        return self.words.setdefault(word, [len(word), 0, 0, 0])

    def build(self) -> LiteralIndex:
        """Make the automaton of the words added so far (before the first :meth:`scan`)."""
        automaton = ahocorasick.Automaton()
        for word, entry in self.words.items():
            automaton.add_word(word, tuple(entry))
        automaton.make_automaton()
        self.automaton = automaton
        return self

    def scan(self, text: str) -> tuple[int, int, list[tuple[int, int]]]:
        """(keyword mask, gate bits, [(start, negated-keyword mask)]) of a text (with
        ``ignore_case``: of an ASCII text in lower case; see :meth:`gates_of`)."""
        if self.automaton is None or not self.words:
            raise RuntimeError("LiteralIndex.build() first, with at least one word")
        keywords = gates = 0
        negated: list[tuple[int, int]] = []
        for end, (length, mask, negated_mask, bits) in self.automaton.iter(text):
            keywords |= mask
            gates |= bits
            if negated_mask:
                negated.append((end - length + 1, negated_mask))
        return keywords, gates, negated

    def gates_of(self, text: str) -> int:
        """The gate bits of a text as it is (every bit, so nothing is skipped, for a text an
        ``ignore_case`` index cannot judge: one that is not ASCII)."""
        if self.ignore_case:
            if not text.isascii():
                return -1
            text = text.lower()
        return self.scan(text)[1]


def _alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern's outermost ``|``, looking inside a ``(?:...)`` that wraps it
    all."""
    depth, cuts, wrapped = 0, [], pattern.startswith("(?:")
    for i, c in _syntax(pattern):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            wrapped = wrapped and (depth > 0 or i == len(pattern) - 1)
        elif c == "|" and depth == 0:
            cuts.append(i)
    if wrapped and not cuts:
        return _alternatives(pattern[3:-1])
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _syntax(pattern: str) -> Iterator[tuple[int, str]]:
    """Position and character of each ``(``, ``)`` and ``|`` of a pattern that is not escaped or in
    a character class."""
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern.startswith("^", i + 1)
            i += pattern.startswith("]", i + 1)  # a ] first in a class is a literal
        elif c in "()|":
            yield i, c
        i += 1
