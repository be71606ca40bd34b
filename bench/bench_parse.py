"""Parser throughput: letters/s from text and from PDF on the shared corpus (not a timed test).

usage: python bench/bench_parse.py [--repeat N]
Reads ../shared/corpus (found/*.txt, found/pdf/*.pdf). Reports letters/s for: reading+parsing
text, reading+parsing PDF with pypdfium2, and PDF text extraction alone (pdfium vs pypdf), all
measured in this one run so the ratios are comparable; then the share of the parse the decision
reasons (kg.reasons) take: both routes again with the reason stage replaced by one that finds
none, alternated with the real one, as the throughput they cost (issue 15 allows 25 %).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import kg.letter
from kg.letter import parse_text
from kg.read import Document, pdf_text, read_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "found"


def rate(fn, paths: list[Path], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for p in paths:
            fn(p)
    return len(paths) * repeat / (time.perf_counter() - start)


def reasons_share(texts: list[Path], pdfs: list[Path], repeat: int) -> None:
    """Letters/s with and without the reason stage, alternated (best of ``repeat`` rounds each),
    and the throughput the reasons cost on each route."""
    real = kg.letter.find_reasons
    best: dict[tuple[str, bool], float] = {}
    try:
        for _ in range(repeat):
            for with_reasons in (True, False):
                kg.letter.find_reasons = real if with_reasons else (lambda *a, **k: ())
                for route, paths in (("text", texts), ("pdf", pdfs)):
                    r = rate(lambda p: parse_text(read_text(Document(p.name, p)), p.name), paths, 1)
                    best[route, with_reasons] = max(best.get((route, with_reasons), 0.0), r)
    finally:
        kg.letter.find_reasons = real
    for route in ("text", "pdf"):
        on, off = best[route, True], best[route, False]
        print(
            f"{route:4}  -> records without reasons: {off:8.1f} letters/s; the reasons cost {1 - on / off:.1%} of throughput"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
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


if __name__ == "__main__":
    main()
