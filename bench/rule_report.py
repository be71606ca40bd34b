"""Per reading rule: its hits on the shared letters, its overlaps with other rules, and its precision
on the item labels (after snorkel's ``LFAnalysis.lf_summary``), so a dead, redundant or wrong rule is
visible. Usage::

    python bench/rule_report.py [--reasons | --treatments] [--json] [--include-sealed]

Reason rules are run on every rationale sentence of the labelled letters of the dev half and the
opened quarter (the sealed quarter stays sealed unless ``--include-sealed``: its figures are for a
last check, never for writing rules from). Columns:

- ``hits``: sentences the rule's regex matches (items of the code's outcome);
- ``evidence``: items whose evidence for the code is a sentence the rule matches;
- ``overlap``: hits that another rule of the same code also matches (1.0: redundant on these letters);
- ``precision``: of the ``evidence`` items, the share whose labels have the code.

Treatment rules are run on every item title: ``hits`` titles the regex matches, ``wins`` titles it
classifies (the first concept in file order that matches), ``precision`` the share of wins whose
labelled DWC category is the concept's.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from score_split import LABELS, letter_of, part  # noqa: E402

from kg import parse_text  # noqa: E402
from kg.reading import patterns as GP  # noqa: E402
from kg.reading import treatments  # noqa: E402
from kg.reading.reasons import sentences  # noqa: E402
from kg.rules import engine as E  # noqa: E402
from kg.rules import schemes as S  # noqa: E402


def _letters(include_sealed: bool):
    for index, path in enumerate(sorted(LABELS.glob("*.json"))):
        if part(index) == "held-out, sealed" and not include_sealed:
            continue
        src = letter_of(path)
        labels = {g["number"]: g for g in json.loads(path.read_text())["items"]}
        yield parse_text(src.read_text(), src.name), labels


def reason_rows(include_sealed: bool) -> list[dict]:
    """One row per reason rule (code, kind, id) with hits, evidence, overlap and precision."""
    rules = []
    for code in S.reason_codes():
        for kind in S.REASON_RULE_KINDS:
            for r in S.reason_rules(code, kind):
                rules.append((code["code"], code["outcome"], kind, r.id, re.compile(E.lower_pattern(r.regex))))
    hits: dict[tuple, int] = defaultdict(int)
    overlap: dict[tuple, int] = defaultdict(int)
    evidence: dict[tuple, int] = defaultdict(int)
    right: dict[tuple, int] = defaultdict(int)
    for letter, labels in _letters(include_sealed):
        for item in letter.items:
            gold = {r["code"] for r in labels.get(item.number, {}).get("reasons", [])}
            start, end = item.rationale_span.start, item.rationale_span.end
            said = {
                r.code: r.text.lower() for r in item.reasons
            }  # read by the parse, with the item's own title and class
            for sentence, _ in sentences(letter.text, start, end):
                lowered = sentence.lower()
                matched = [r for r in rules if r[1] == item.outcome and r[4].search(lowered)]
                for r in matched:
                    key = r[:4]
                    hits[key] += 1
                    if any(o[0] == r[0] and o[3] != r[3] and o[2] != "unless" for o in matched):
                        overlap[key] += 1
            for r in rules:
                if r[1] == item.outcome and r[0] in said and r[2] != "unless" and r[4].search(said[r[0]]):
                    evidence[r[:4]] += 1
                    right[r[:4]] += r[0] in gold
    return [
        {
            "code": r[0],
            "kind": r[2],
            "id": r[3],
            "hits": hits[r[:4]],
            "evidence": evidence[r[:4]],
            "overlap": round(overlap[r[:4]] / hits[r[:4]], 2) if hits[r[:4]] else None,
            "precision": round(right[r[:4]] / evidence[r[:4]], 2) if evidence[r[:4]] else None,
        }
        for r in rules
    ]


def treatment_rows(include_sealed: bool) -> list[dict]:
    """One row per treatment rule (concept, id) with hits, wins and precision on the labels."""
    table = treatments.concepts()
    rules = [
        (c["id"], r.id, re.compile(r.regex, re.I), r.shadowed_by)
        for c in S.treatment_scheme()["concepts"]
        for r in S.treatment_rules(c)
    ]
    hits: dict[tuple, int] = defaultdict(int)
    wins: dict[tuple, int] = defaultdict(int)
    right: dict[tuple, int] = defaultdict(int)
    for letter, labels in _letters(include_sealed):
        for item in letter.items:
            title = item.modified.remaining if item.modified else item.title
            subject = GP.TITLE_PREFIX.sub("", title) or title
            first = treatments._first_rule(subject)
            label = labels.get(item.number, {}).get("category")
            for concept, rid, regex, _ in rules:
                if regex.search(subject):
                    hits[concept, rid] += 1
                    if first and first[0] == concept and regex.search(first[1].group(0)):
                        wins[concept, rid] += 1
                        right[concept, rid] += table[treatments.category_of(concept)]["label"] == label
    return [
        {
            "concept": c,
            "id": rid,
            "hits": hits[c, rid],
            "wins": wins[c, rid],
            "precision": round(right[c, rid] / wins[c, rid], 2) if wins[c, rid] else None,
            "shadowed_by": shadow,
        }
        for c, rid, _, shadow in rules
    ]


def _print(rows: list[dict]) -> None:
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(str(r[k]).ljust(widths[k]) for k in keys))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--reasons", action="store_true", help="only the reason rules")
    which.add_argument("--treatments", action="store_true", help="only the treatment rules")
    ap.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    ap.add_argument("--include-sealed", action="store_true", help="also the sealed quarter (a last check only)")
    args = ap.parse_args()
    if not LABELS.is_dir():
        sys.stderr.write(f"rule_report: no item labels at {LABELS}: it needs ../shared beside the repository\n")
        return 2
    tables = []
    if not args.treatments:
        tables.append(reason_rows(args.include_sealed))
    if not args.reasons:
        tables.append(treatment_rows(args.include_sealed))
    for rows in tables:
        if args.json:
            for r in rows:
                print(json.dumps(r))
        else:
            _print(rows)
            dead = sum(1 for r in rows if not r["hits"])
            sys.stderr.write(f"{len(rows)} rules, {dead} with no hit on these letters\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
