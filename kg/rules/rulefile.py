"""Rule files -> checked rules: schema, fragments, examples, and gates that can reach every pattern.

A rule file (``kg/data/reasons/*.json``, ``kg/data/treatments.json``) holds each pattern as an
object with an ``id``, its ``regex`` (a string, or a list of alternatives), the ``examples`` it
must match and, where useful, ``not_examples`` and a ``note`` (``kg/data/schemas/rule.schema.json``).
This module is their one reader:

- it checks every file against its JSON Schema when it is loaded (:func:`check`: the subset of
  JSON Schema the files use, so a process need not import ``jsonschema``, 60 ms; the tests run
  the full validator on the same files and schemas);
- it composes a regex from named fragments (``kg/data/fragments.json``: ``{gap:60}`` is up to 60
  characters without leaving the sentence);
- it refuses a pattern with an alternative that has no literal to gate it (:func:`gate_literals`):
  the engine searches an alternative only where one of its literals is, so such an alternative
  would otherwise need a hand-kept keyword, and a missing keyword silently never fired.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.base.resources import data_file
from kg.rules import engine as E


class RuleError(ValueError):
    """A rule file that does not hold: the file, the rule and what is wrong, in one line."""


@dataclass(frozen=True, slots=True)
class Example:
    """A text a rule must match; ``title`` and ``drug_class`` are the item's, where the reader needs them."""

    text: str
    title: str = ""
    drug_class: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern of a rule file, its fragments expanded."""

    id: str
    regex: str
    examples: tuple[Example, ...]
    not_examples: tuple[Example, ...]
    note: str
    shadowed_by: str | None = None


def load(name: str) -> Any:
    """A rule file of ``kg/data`` (``reasons/scheme.json``), checked against its schema."""
    with data_file(name).open(encoding="utf-8") as f:
        data = json.load(f)
    check(data, _schema_for(name), name)
    return data


def _schema_for(name: str) -> str:
    if name.startswith("reasons/"):
        return "reason-scheme.schema.json" if name.endswith("/scheme.json") else "reason-code.schema.json"
    return name.replace(".json", ".schema.json")


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema of ``kg/data/schemas``."""
    with data_file(f"schemas/{name}").open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "integer": (int,),
    "number": (int, float),
}


def check(value: Any, schema_name: str, where: str) -> None:
    """Raise :class:`RuleError` where ``value`` does not hold to the schema: the keywords the rule
    schemas use (type, enum, required, properties, additionalProperties, items, minItems,
    minLength, pattern, oneOf, $ref to a schema file or its $defs)."""
    problem = _problem(value, schema(schema_name), schema_name, "")
    if problem:
        raise RuleError(f"{where}: {problem}")


def _resolve(ref: str, base: str) -> tuple[dict[str, Any], str]:
    file, _, pointer = ref.partition("#")
    file = file or base
    node = schema(file)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node, file


def _problem(value: Any, s: dict[str, Any], base: str, path: str) -> str | None:
    if "$ref" in s:
        target, file = _resolve(s["$ref"], base)
        return _problem(value, target, file, path)
    if "oneOf" in s:
        if not any(_problem(value, alt, base, path) is None for alt in s["oneOf"]):
            return f"{path or 'the file'} is none of the forms the schema allows"
        return None
    kinds = s.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else kinds
        ok = any(isinstance(value, _TYPES[k]) and not (k != "boolean" and isinstance(value, bool)) for k in allowed)
        if not ok:
            return f"{path or 'the file'} should be {' or '.join(allowed)}"
    if "enum" in s and value not in s["enum"]:
        return f"{path} should be one of {s['enum']}"
    if isinstance(value, str):
        if len(value) < s.get("minLength", 0):
            return f"{path} is empty"
        if "pattern" in s and not re.search(s["pattern"], value):
            return f"{path} {value!r} does not match {s['pattern']}"
    if isinstance(value, list):
        if len(value) < s.get("minItems", 0):
            return f"{path} needs at least {s['minItems']} item(s)"
        for i, v in enumerate(value):
            if "items" in s and (p := _problem(v, s["items"], base, f"{path}[{i}]")):
                return p
    if isinstance(value, dict):
        for key in s.get("required", ()):
            if key not in value:
                return f"{path or 'the file'} lacks {key!r}"
        props = s.get("properties", {})
        for key, v in value.items():
            if key in props:
                if p := _problem(v, props[key], base, f"{path}.{key}" if path else key):
                    return p
            elif s.get("additionalProperties") is False:
                return f"{path or 'the file'} has an unknown key {key!r} (known: {', '.join(props)})"
    return None


FRAGMENT = re.compile(r"\{([a-z][a-z_]*)(?::(\d+))?\}")  # '{gap:60}'; a quantifier ('{0,60}') has no letter


@cache
def fragments() -> dict[str, tuple[str, bool]]:
    """The named fragments of ``kg/data/fragments.json``: id -> (regex, takes a parameter)."""
    data = load("fragments.json")
    return {f["id"]: (f["regex"], bool(f.get("param"))) for f in data["fragments"]}


def expand(regex: str | list[str], where: str = "") -> str:
    """A rule's regex with its fragments inserted; a list of alternatives joined with ``|``."""
    text = "|".join(regex) if isinstance(regex, list) else regex
    known = fragments()

    def put(m: re.Match[str]) -> str:
        name, number = m.group(1), m.group(2)
        if name not in known:
            raise RuleError(f"{where}: unknown fragment {{{name}}} (known: {', '.join(known)})")
        body, param = known[name]
        if param != (number is not None):
            raise RuleError(f"{where}: fragment {{{name}}} " + ("needs a number" if param else "takes no number"))
        return body.replace("N", number) if param and number else body

    return FRAGMENT.sub(put, text)


def _example(e: str | dict[str, str]) -> Example:
    if isinstance(e, str):
        return Example(e)
    return Example(e["text"], e.get("title", ""), e.get("drug_class"))


def rule(obj: dict[str, Any], where: str) -> Rule:
    """One pattern object as a :class:`Rule` (its regex expanded and compiled once to check it)."""
    regex = expand(obj["regex"], f"{where} {obj['id']}")
    try:
        re.compile(regex)
    except re.error as e:
        raise RuleError(f"{where} {obj['id']}: not a regular expression: {e}") from None
    return Rule(
        obj["id"],
        regex,
        tuple(_example(e) for e in obj["examples"]),
        tuple(_example(e) for e in obj.get("not_examples", ())),
        obj.get("note", ""),
        obj.get("shadowed_by"),
    )


def rules(objs: list[dict[str, Any]], where: str) -> tuple[Rule, ...]:
    """The pattern objects of a list, ids unique within it."""
    out = tuple(rule(o, where) for o in objs)
    ids = [r.id for r in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RuleError(f"{where}: rule ids used twice: {', '.join(dup)}")
    return out


def gate_literals(r: Rule, where: str, lower: bool) -> None:
    """Raise :class:`RuleError` for an alternative of ``r`` that has no literal every match of it
    contains: the engine could never gate it, and a pattern searched on every text is the cost
    the gates exist to avoid (``lower``: the rule is matched on lower-cased text)."""
    regex = E.lower_pattern(r.regex) if lower else r.regex
    for alternative in E.alternatives(regex):
        if not E.required_literals(alternative):
            raise RuleError(
                f"{where} {r.id}: the alternative {alternative[:80]!r} has no word every match contains, "
                "so nothing can gate it: give it a literal word (not only classes or optional parts)"
            )


__all__ = ["Example", "Rule", "RuleError", "check", "expand", "fragments", "gate_literals", "load", "rule", "rules"]
