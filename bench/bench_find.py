"""Benchmark for `imrkg find` (issue 33): what the word index costs the build, and how fast a
search answers at scale.

    python bench/bench_find.py --workdir /tmp/imrkg-find --size 100000 [--runs 20]

In one run, on one synthetic corpus (bench/synth.py):

1. the build with the index and without it (``IMRKG_NO_WORD_INDEX=1``), alternated twice, wall
   time each; the ratio of the medians is the index's share of build time;
2. the build's bytes with and without the index (every file of the output folder);
3. the build loaded into an embedded store; then searches through the Python API, each answered
   ``--runs`` times after one warm-up: two words with a filter, a phrase, a filter alone, a
   rare word; p50 and p95 in milliseconds, and the same searches on the command line (wall,
   process start included).

Results are printed as Markdown and written to WORKDIR/find-results.json. Nothing here is a
pass/fail gate; the figures go to docs/scale.md with the commit they were measured at.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import synthetic_corpus, timed_build  # noqa: E402

CLI = [sys.executable, "-m", "kg.cli"]

SEARCHES = [
    ("two words + outcome", "functional improvement", {"outcome": "Upheld"}),
    ("two words + category", "urine drug", {"category": "Pharmaceuticals"}),
    ("phrase + reason", '"home exercise"', {"reason": "home-program-sufficient"}),
    ("filter only: reason", "", {"reason": "no-functional-improvement"}),
    ("filter only: treatment + year", "", {"treatment": "injection", "from": "2017-01-01", "to": "2017-12-31"}),
    ("rare word", "zygapophyseal", {}),
]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(letters: Path, out: Path, with_index: bool) -> float:
    return timed_build(letters, out, None if with_index else "IMRKG_NO_WORD_INDEX")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2, help="alternated build pairs")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    letters = synthetic_corpus(work / f"letters-{args.size}", args.size)
    times: dict[bool, list[float]] = {True: [], False: []}
    sizes: dict[bool, int] = {}
    for _ in range(args.rounds):
        for with_index in (False, True):
            out = work / ("out-index" if with_index else "out-plain")
            times[with_index].append(build(letters, out, with_index))
            sizes[with_index] = folder_bytes(out)
            print(f"build {'with' if with_index else 'without'} index: {times[with_index][-1]:.1f} s", flush=True)
    words_bytes = (work / "out-index" / "words.sqlite").stat().st_size
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([*CLI, "load", str(work / "out-index"), "--store", str(store), "-q"], check=True)

    from kg.outputs.find import find
    from kg.stores.store import open_for_reading

    target = open_for_reading(store)
    rows = []
    for name, words, params in SEARCHES:
        found = find(words, params, target=target, index=store)  # warm-up (vocabulary, page cache)
        ms = []
        for _ in range(args.runs):
            start = time.perf_counter()
            find(words, params, target=target, index=store)
            ms.append((time.perf_counter() - start) * 1000)
        argv = [*CLI, "find", *([words] if words else []), "--store", str(store), "-f", "csv"]
        for k, v in params.items():
            argv += ["-p", f"{k}={v}"]
        walls = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            walls.append((time.perf_counter() - start) * 1000)
        rows.append(
            {
                "search": name,
                "matches": found.total,
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(sorted(ms)[int(0.95 * (len(ms) - 1))], 1),
                "cli_wall_ms": round(statistics.median(walls)),
            }
        )
    plain, indexed = statistics.median(times[False]), statistics.median(times[True])
    result = {
        "letters": args.size,
        "build_s_without": [round(t, 1) for t in times[False]],
        "build_s_with": [round(t, 1) for t in times[True]],
        "build_time_added": round(indexed / plain - 1, 3),
        "bytes_without": sizes[False],
        "bytes_with": sizes[True],
        "index_bytes": words_bytes,
        "bytes_added": round(sizes[True] / sizes[False] - 1, 3),
        "searches": rows,
        "machine": f"{os.cpu_count()} cores",
    }
    (work / "find-results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{args.size:,} letters: build {plain:.1f} s without the index, {indexed:.1f} s with "
          f"(+{result['build_time_added']:.1%}); bytes {sizes[False] / 1e6:,.1f} MB -> {sizes[True] / 1e6:,.1f} MB "
          f"(+{result['bytes_added']:.1%}; the index {words_bytes / 1e6:,.1f} MB)\n")  # fmt: skip
    print("| search | matches | p50 ms | p95 ms | CLI wall ms |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['search']} | {r['matches']} | {r['p50_ms']} | {r['p95_ms']} | {r['cli_wall_ms']} |")


if __name__ == "__main__":
    main()
