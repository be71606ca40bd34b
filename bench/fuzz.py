"""The long fuzz run: the properties of tests/test_fuzz.py with 100k examples each (CI runs 150).

    python bench/fuzz.py [--examples 100000] [-k "raw_bytes or mutated_pdfs"]

Hypothesis draws fresh random examples each run (derandomized only in short runs); a failure
prints the falsifying example and exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("-k", dest="select", default=None, help="only the properties pytest -k selects")
    args = ap.parse_args()
    env = dict(os.environ, IMRKG_FUZZ_EXAMPLES=str(args.examples))
    start = time.perf_counter()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:warnings",
            "--hypothesis-show-statistics",
            "tests/test_fuzz.py",
            *(["-k", args.select] if args.select else []),
        ],
        cwd=ROOT,
        env=env,
    )
    print(f"{args.examples} examples per property, {time.perf_counter() - start:.0f} s, exit {res.returncode}")
    return res.returncode


if __name__ == "__main__":
    raise SystemExit(main())
