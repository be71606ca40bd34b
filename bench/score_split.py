"""Score treatment classification (and reasons, once they exist) on two halves of the item labels.

The classification rules were written looking only at the *development* half (label files at even
positions in name order); the *held-out* half (odd positions) estimates how they do on letters
they were not written from. For decision reasons, one quarter of the held-out half has since been
opened (:func:`part`); the sealed quarter is their estimate. Usage::

    python bench/score_split.py [--details dev|held-out]

Parses the shared corpus's text letters (found + seeds) with the current code, then runs
``../shared/tools/score_items.py`` on each half.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LABELS = SHARED / "corpus" / "item-labels"


def halves() -> dict[str, list[Path]]:
    """The two halves, and the held-out half's two quarters (see :func:`part`)."""
    files = sorted(LABELS.glob("*.json"))
    return {
        "dev": files[0::2],
        "held-out": files[1::2],
        "held-out, opened": files[1::4],
        "held-out, sealed": files[3::4],
    }


def letter_of(label: Path) -> Path:
    """The letter a label file describes: the found letter of its name, else the seed."""
    found = SHARED / "corpus" / "found" / f"{label.stem}.txt"
    return found if found.exists() else SHARED / "corpus" / "seeds" / f"{label.stem}.txt"


def part(index: int) -> str:
    """Which part the label file at ``index`` (name order) is in. The decision-reason rules up to
    0.6.1 were written from the dev half only; 0.7.0 opened one quarter of the held-out half
    (positions 1, 5, 9, ...) to read its errors, and the other quarter (3, 7, 11, ...) stays
    sealed: nothing is written from it, so it still estimates letters the rules have not seen."""
    return "dev" if index % 2 == 0 else "held-out, opened" if index % 4 == 1 else "held-out, sealed"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--details", choices=["dev", "held-out", "held-out, opened"], help="print the misses of one part")
    ap.add_argument(
        "--per-code",
        action="store_true",
        help="also print each reason code's counts, precision and recall per part (numbers only: the sealed "
        "quarter's sentences are never printed)",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from kg import parse_text, to_record

    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.jsonl"
        with records.open("w") as out:
            for p in sorted((SHARED / "corpus" / "found").glob("*.txt")) + sorted(
                (SHARED / "corpus" / "seeds").glob("*.txt")
            ):
                out.write(json.dumps(to_record(parse_text(p.read_text(), p.name))) + "\n")
        for name, files in halves().items():
            folder = Path(tmp) / name
            folder.mkdir()
            for f in files:
                (folder / f.name).symlink_to(f)
            cmd = [sys.executable, str(SHARED / "tools" / "score_items.py"), str(folder), str(records)]
            if args.details == name:
                cmd.append("--details")
            res = subprocess.run(cmd, capture_output=True, text=True)
            print(f"== {name} ({len(files)} letters)")
            print(res.stdout.rstrip())
            if args.per_code:
                print(per_code_table(files, records))
    return 0


def per_code_table(labels: list[Path], records: Path) -> str:
    """Each reason code's labelled count, predicted count, true positives, precision and recall
    over the items of ``labels`` (a Markdown table)."""
    from collections import Counter

    by_file = {}
    for line in records.read_text().splitlines():
        r = json.loads(line)
        by_file[Path(r["file"]).stem] = {
            i["number"]: {x["code"] for x in i.get("reasons", [])} for i in r.get("items", [])
        }
    want: Counter[str] = Counter()
    got: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for label in labels:
        items = by_file.get(label.stem, {})
        for it in json.loads(label.read_text())["items"]:
            w = {x["code"] for x in it["reasons"]}
            g = items.get(it["number"], set())
            want.update(w)
            got.update(g)
            hit.update(w & g)
    rows = ["| code | labelled | predicted | both | precision | recall |", "|---|---|---|---|---|---|"]
    for code in sorted(set(want) | set(got)):
        p = hit[code] / got[code] if got[code] else float("nan")
        r = hit[code] / want[code] if want[code] else float("nan")
        rows.append(f"| {code} | {want[code]} | {got[code]} | {hit[code]} | {p:.2f} | {r:.2f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
