"""Benchmark for incremental builds at the letter (issue 34): what a rebuild costs against a fresh
build of the same corpus.

    python bench/bench_incremental.py --workdir /tmp/imrkg-incr --size 50000 [--shards 1]

In one run, on one synthetic corpus (bench/synth.py; ``--size`` letters plus 100 held back):

1. a fresh build of the corpus, wall time (the denominator);
2. a rebuild with nothing changed;
3. one letter edited (a word of its rationale changed), rebuilt;
4. the 100 held-back letters added, rebuilt;
5. 100 letters removed (spread over the corpus), rebuilt;

each as seconds, letters parsed and the ratio to the fresh build (budget 5 % each). After the
last step the output is compared, file by file, with a fresh build of the same inputs (it must
be the same bytes). Results as Markdown and WORKDIR/incremental-results.json; the figures go to
docs/scale.md with the commit they were measured at.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import commit, synthetic_corpus  # noqa: E402

CLI = [sys.executable, "-m", "kg.cli"]


def build(letters: Path, out: Path, shards: int) -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run(
        [*CLI, "build", str(letters), "-o", str(out), "-q", "--shards", str(shards)], check=False, capture_output=True
    )
    seconds = time.perf_counter() - start
    return seconds, json.loads((out / "summary.json").read_text())


def outputs(out: Path) -> dict[str, bytes]:
    files = [p for p in out.iterdir() if p.name.startswith(("graph", "statistics"))]
    files += sorted((out / "tables").rglob("*.parquet"))
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--shards", type=int, default=1)
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    source = synthetic_corpus(work / f"synth-{args.size + 100}", args.size + 100)
    letters = work / "letters"
    shutil.rmtree(letters, ignore_errors=True)
    shutil.copytree(source, letters, copy_function=shutil.copy2)
    every = sorted(letters.rglob("*.txt"))
    held = work / "held"
    shutil.rmtree(held, ignore_errors=True)
    held.mkdir()
    for f in every[-100:]:
        f.rename(held / f.name)
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    results: dict = {"size": args.size, "shards": args.shards, "commit": commit()}
    fresh, summary = build(letters, out, args.shards)
    results["fresh"] = {"seconds": fresh, "parsed": summary["parsed_this_run"]}

    def step(name: str) -> None:
        seconds, s = build(letters, out, args.shards)
        results[name] = {"seconds": seconds, "parsed": s["parsed_this_run"], "ratio": seconds / fresh}

    step("nothing changed")
    remaining = sorted(letters.rglob("*.txt"))
    victim = remaining[len(remaining) // 2]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("the ", "the  ", 1) if "the " in text else text + "\n", encoding="utf-8")
    step("edit 1 letter")
    for f in sorted(held.iterdir()):
        shutil.copy2(f, letters / f.name)
    step("add 100 letters")
    now = sorted(letters.rglob("*.txt"))
    for f in now[:: max(1, len(now) // 100)][:100]:
        f.unlink()
    step("remove 100 letters")
    check = work / "check"
    shutil.rmtree(check, ignore_errors=True)
    build(letters, check, args.shards)
    results["same_bytes_as_fresh"] = outputs(out) == outputs(check)
    (work / "incremental-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"| {args.size:,} letters, --shards {args.shards}, commit {results['commit']} | wall | parsed | of a fresh build |"
    )
    print("|---|---|---|---|")
    print(f"| fresh build | {fresh:.1f} s | {results['fresh']['parsed']:,} | 100 % |")
    for name in ("nothing changed", "edit 1 letter", "add 100 letters", "remove 100 letters"):
        r = results[name]
        print(f"| {name} | {r['seconds']:.1f} s | {r['parsed']:,} | {r['ratio'] * 100:.1f} % |")
    print(f"| output after the last step = a fresh build's bytes | {results['same_bytes_as_fresh']} | | |")


if __name__ == "__main__":
    main()
