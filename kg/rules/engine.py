"""The rule engine: many regular expressions searched fast, each only where its words are.

A rule file's patterns (``kg/data/reasons/``, ``kg/data/treatments.json``) are compiled here into
:class:`GatedPattern` s: each alternative is searched only in a text that holds one of the
literals every match of it contains (:func:`required_literals`), and one Aho-Corasick pass
(:class:`LiteralIndex`, pyahocorasick) tells which those are. Measured on the 2,202 rationale
sentences of the shared letters: 2.9 against 11-13 µs a sentence for a regular-expression trie.

This module is the one owner of Python's private regular-expression parser (``re._parser``,
``re._constants``): the public ``re`` module has no way to ask which literals a pattern needs.
``tests/test_rules.py`` fails loudly if a Python release changes what it returns, and a pattern
whose literals cannot be read is an error at load (:mod:`kg.rules.load`), never a silent no-op.
"""

from __future__ import annotations

import re

# the engine's own parser, to read which literals a pattern needs (required_literals)
import re._constants as _sre_constants  # type: ignore[import-not-found] # noqa: E402  (private, stable since Python 3.11)
import re._parser as _sre_parser  # type: ignore[import-not-found] # noqa: E402
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import ahocorasick

REGEX_CAPITAL = re.compile(r"(?<!\\)[A-Z]")  # a capital that is not a class escape like \W or \S


def lower_pattern(pattern: str) -> str:
    """A pattern in lower case, its class escapes (``\\W``, ``\\S``) kept: sentences are lower-cased
    once, and matching without IGNORECASE is a third faster."""
    return REGEX_CAPITAL.sub(lambda m: m.group(0).lower(), pattern)


def alternation(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern of the alternatives, each run of alternatives that begin with ``\\b`` behind one
    shared ``\\b``, order kept, so a search finds the same match as the plain ``|``-join. Python's
    engine tries every alternative at every position; behind a shared ``\\b`` it tries none inside
    a word. Measured on 7,017 rationale sentences: the negation cue's search 216 -> 30 µs."""
    parts: list[str] = []
    run: list[str] = []
    for alternative in (a for p in patterns for a in alternatives(p)):
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
    text holding none of them: that is how kg.reading.reasons searches a sentence only with the patterns
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
        for alternative in (a for p in patterns for a in alternatives(p)):
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
            searches,  # type: ignore[arg-type]
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


def alternatives(pattern: str) -> list[str]:
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
        return alternatives(pattern[3:-1])
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
