"""The rule schemes as checked data: the reason scheme (one file per code) and the treatment scheme.

One owner for reading them, so the reader (:mod:`kg.reading.reasons`, :mod:`kg.reading.treatments`)
and the vocabulary graph (:mod:`kg.graph.vocab_rdf`) take labels and rules from the same place.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kg.rules.rulefile import Rule, RuleError, gate_literals, load, rules

REASON_RULE_KINDS = (
    "patterns",
    "negated",
    "in_guideline_text",
    "about_request",
    "unless",
)  # the pattern lists of a code


@cache
def reason_scheme() -> dict[str, Any]:
    """``kg/data/reasons/scheme.json``: the codes in order, the conclusion codes and the shared cues."""
    loaded: dict[str, Any] = load("reasons/scheme.json")
    return loaded


@cache
def reason_codes() -> tuple[dict[str, Any], ...]:
    """Every code of the reason scheme (``kg/data/reasons/CODE.json``), in the scheme's order."""
    out = []
    for code in reason_scheme()["codes"]:
        data = load(f"reasons/{code}.json")
        if data["code"] != code:
            raise RuleError(f"reasons/{code}.json: its code is {data['code']!r}, not its file's name")
        out.append(data)
    return tuple(out)


def reason_rules(code: dict[str, Any], kind: str) -> tuple[Rule, ...]:
    """The rules of one list of a code (``patterns``, ``negated``, ...), each checked gateable."""
    where = f"reasons/{code['code']}.json {kind}"
    found = rules(code.get(kind, []), where)
    for r in found:
        gate_literals(r, where, lower=True)
    return found


@cache
def cue(name: str) -> Rule:
    """A shared cue of the reason scheme (``negation``, ``about_this_case``, ...), checked gateable."""
    where = f"reasons/scheme.json cues.{name}"
    (found,) = rules([reason_scheme()["cues"][name]], where)
    gate_literals(found, where, lower=True)
    return found


@cache
def treatment_scheme() -> dict[str, Any]:
    """``kg/data/treatments.json``: categories, concepts with their rules, and the dose evidence."""
    loaded: dict[str, Any] = load("treatments.json")
    return loaded


def treatment_rules(concept: dict[str, Any]) -> tuple[Rule, ...]:
    """A concept's rules, each checked gateable (matched case-insensitively)."""
    where = f"treatments.json {concept['id']}"
    found = rules(concept["patterns"], where)
    for r in found:
        gate_literals(r, where, lower=False)
    return found


__all__ = [
    "REASON_RULE_KINDS",
    "Rule",
    "cue",
    "rules",
    "reason_codes",
    "reason_rules",
    "reason_scheme",
    "treatment_rules",
    "treatment_scheme",
]
