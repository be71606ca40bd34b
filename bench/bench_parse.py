"""Parser throughput: letters/s from text and from PDF on the shared corpus (not a timed test).

usage: python bench/bench_parse.py [--repeat N] [--compare-with VENV]
Reads ../shared/corpus (found/*.txt, found/pdf/*.pdf). Reports letters/s for: reading+parsing
text, reading+parsing PDF with pypdfium2, and PDF text extraction alone (pdfium vs pypdf), all
measured in this one run so the ratios are comparable; then the share of the parse the decision
reasons (kg.reading.reasons) take: both routes again with the reason stage replaced by one that finds
none, alternated with the real one, as the throughput they cost (issue 15 allows 25 %).

``--compare-with VENV``: the same letters parsed (``kg.parse_file``, text and PDF) by another
release installed in VENV, alternated round by round with this one, each in its own process:
the throughput before and after a change, as issue 15 asks it to be measured (the release
before decision reasons is commit 50bf5ac).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kg.reading.letter
from kg.reading.letter import parse_text
from kg.reading.read import Document, pdf_text, read_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "found"


def rate(fn, paths: list[Path], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        # each round reads the letters afresh: no sentence remembered from the round before
        kg.reading.letter.clear_caches()
        for p in paths:
            fn(p)
    return len(paths) * repeat / (time.perf_counter() - start)


def reasons_share(texts: list[Path], pdfs: list[Path], repeat: int) -> None:
    """Letters/s with and without the reason stage, alternated (best of ``repeat`` rounds each),
    and the throughput the reasons cost on each route."""
    real = kg.reading.letter.find_reasons
    best: dict[tuple[str, bool], float] = {}
    try:
        for _ in range(repeat):
            for with_reasons in (True, False):
                kg.reading.letter.find_reasons = real if with_reasons else (lambda *a, **k: ())
                for route, paths in (("text", texts), ("pdf", pdfs)):
                    r = rate(lambda p: parse_text(read_text(Document(p.name, p)), p.name), paths, 1)
                    best[route, with_reasons] = max(best.get((route, with_reasons), 0.0), r)
    finally:
        kg.reading.letter.find_reasons = real
    for route in ("text", "pdf"):
        on, off = best[route, True], best[route, False]
        print(
            f"{route:4}  -> records without reasons: {off:8.1f} letters/s; the reasons cost {1 - on / off:.1%} of throughput"
        )


# run by each interpreter of an A/B: letters/s of kg.parse_file over the paths given, after a warm-up
_AB_SCRIPT = """
import sys, time
from pathlib import Path
import kg
paths = [Path(p) for p in sys.argv[1:]]
kg.parse_file(paths[0])
start = time.perf_counter()
for p in paths:
    kg.parse_file(p)
print(kg.__file__, len(paths) / (time.perf_counter() - start))
"""


def _python(venv: Path) -> str:
    return str(venv / "bin" / "python") if (venv / "bin" / "python").exists() else str(venv)


def compare_with(venv: Path, texts: list[Path], pdfs: list[Path], repeat: int) -> None:
    """Letters/s of this release and of the one in ``venv``, each route, alternated (best of
    ``repeat`` rounds each, each round a fresh process)."""
    best: dict[tuple[str, str], float] = {}
    origin: dict[str, str] = {}
    neutral = tempfile.mkdtemp()  # run from elsewhere: ``-c`` puts the working directory first on the path
    for _ in range(repeat):
        for label, python in (("this", sys.executable), ("other", _python(venv))):
            for route, paths in (("text", texts), ("pdf", pdfs)):
                out = subprocess.run(
                    [python, "-c", _AB_SCRIPT, *map(str, paths)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=neutral,
                )
                where, rate_text = out.stdout.strip().splitlines()[-1].rsplit(" ", 1)
                rate_ = float(rate_text)
                origin[label] = where
                best[label, route] = max(best.get((label, route), 0.0), rate_)
    print(f"this release: {origin['this']}; other: {origin['other']}")
    for route in ("text", "pdf"):
        this, other = best["this", route], best["other", route]
        print(
            f"{route:4}  -> records, this release {this:8.1f} letters/s, {venv}: {other:8.1f}; "
            f"ratio {this / other:.2f} (throughput change {this / other - 1:+.1%})"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--compare-with", type=Path, metavar="VENV", help="a venv with another release: parse A/B")
    args = ap.parse_args()
    texts = sorted(CORPUS.glob("*.txt"))
    pdfs = sorted((CORPUS / "pdf").glob("*.pdf"))
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, 1 process")
    # warm-up: the drug dictionary and the rule tables load once per process (about 1.3 s), which
    # is no part of the per-letter cost a batch pays
    parse_text(read_text(Document(texts[0].name, texts[0])), texts[0].name)
    t = rate(lambda p: parse_text(read_text(Document(p.name, p)), p.name), texts, args.repeat)
    print(f"text  -> records: {t:8.1f} letters/s ({len(texts)} letters x {args.repeat})")
    f = rate(lambda p: parse_text(read_text(Document(p.name, p)), p.name), pdfs, args.repeat)
    print(f"pdf   -> records: {f:8.1f} letters/s ({len(pdfs)} letters x {args.repeat})")
    e1 = rate(lambda p: pdf_text(p.read_bytes()), pdfs, args.repeat)
    print(f"pdf text only, pypdfium2: {e1:8.1f} letters/s")
    try:
        import pypdf

        e2 = rate(lambda p: "\n".join(pg.extract_text() for pg in pypdf.PdfReader(p).pages), pdfs, 1)
        print(f"pdf text only, pypdf:     {e2:8.1f} letters/s  (pdfium is {e1 / e2:.1f}x faster)")
    except ImportError:
        pass
    reasons_share(texts, pdfs, args.repeat)
    if args.compare_with:
        compare_with(args.compare_with, texts, pdfs, args.repeat)


if __name__ == "__main__":
    main()
