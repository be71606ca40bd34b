"""Parser throughput: letters/s from text and from PDF on the shared corpus (not a timed test).

usage: python bench/bench_parse.py [--repeat N]
Reads ../shared/corpus (found/*.txt, found/pdf/*.pdf). Reports letters/s for: reading+parsing
text, reading+parsing PDF with pypdfium2, and PDF text extraction alone (pdfium vs pypdf), all
measured in this one run so the ratios are comparable.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from kg.letter import parse_text
from kg.read import Document, pdf_text, read_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "found"


def rate(fn, paths: list[Path], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for p in paths:
            fn(p)
    return len(paths) * repeat / (time.perf_counter() - start)


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


if __name__ == "__main__":
    main()
