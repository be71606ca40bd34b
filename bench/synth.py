"""Synthetic IMR letters for benchmarks: real-shaped letters at any count, as text and as PDF.

Each synthetic letter takes the header (reviewer, dates, case summary) of a real letter, a new
case number, its dates shifted by a random number of days, and 1-N disputed items (title,
outcome, both citations and the rationale) drawn from real letters of the same layout, so
items, treatments and citations combine in ways no single real letter has. Templates are the
letters in ../shared/corpus when present, else the examples shipped in examples/letters.

    python bench/synth.py OUTDIR --count 10000 [--pdf] [--seed 1]

Files go in sub-folders of 1000 (``OUTDIR/0000/synth-0000001.txt``).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from kg import ParseError, parse_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
CASE = re.compile(r"\bCM(\d{2})-\d{7}\b")
DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
SUMMARY_START = re.compile(r"including all medical records:\n")


@dataclass(frozen=True)
class Template:
    layout: str
    header: str
    footer: str
    n_items: int


def templates() -> tuple[list[Template], dict[str, list[str]]]:
    paths = sorted(SHARED.glob("found/*.txt")) + sorted(SHARED.glob("seeds/*.txt"))
    if not paths:
        paths = sorted((ROOT / "examples" / "letters").glob("*.txt"))
    out, pool = [], {}
    for path in paths:
        try:
            letter = parse_text(path.read_text(encoding="utf-8"), path.name)
        except ParseError:
            continue
        t = letter.text
        first, last = letter.items[0].span.start, letter.items[-1].span.end
        out.append(Template(letter.layout, t[:first], t[last:], len(letter.items)))
        pool.setdefault(letter.layout, []).extend(t[i.span.start : i.span.end] for i in letter.items)
    return out, pool


def _shift(match: re.Match, days: int) -> str:
    try:
        d = date(int(match.group(3)), int(match.group(1)), int(match.group(2))) + timedelta(days=days)
    except ValueError:
        return match.group(0)
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def letter_text(n: int, tpls: list[Template], pool: dict[str, list[str]], seed: int) -> str:
    rng = random.Random(seed * 1_000_003 + n)
    tpl = rng.choice(tpls)
    k = min(rng.choice(tpls).n_items, len(pool[tpl.layout]))
    items = rng.sample(pool[tpl.layout], k)
    days = rng.randint(-400, 400)
    header = CASE.sub(lambda m: f"CM{m.group(1)}-{8_000_000 + n % 2_000_000:07d}", tpl.header)
    header = DATE.sub(lambda m: _shift(m, days), header)
    # a serial in the case summary keeps letters without a case number (2014 layout) distinct
    header = SUMMARY_START.sub(f"including all medical records:\nSynthetic letter {n}.\n", header, count=1)
    if not header.endswith("\n"):
        header += "\n"
    return header + "".join(i if i.endswith("\n") else i + "\n" for i in items) + tpl.footer


def write_pdf(text: str, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    safe = text.encode("latin-1", "replace").decode("latin-1")
    for line in safe.split("\n"):
        pdf.multi_cell(0, 4.6, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _chunk(args: tuple[int, int, str, bool, int]) -> int:
    start, stop, outdir, pdf, seed = args
    tpls, pool = templates()
    for n in range(start, stop):
        folder = Path(outdir) / f"{n // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = letter_text(n, tpls, pool, seed)
        if pdf:
            write_pdf(text, folder / f"synth-{n:07d}.pdf")
        else:
            (folder / f"synth-{n:07d}.txt").write_text(text, encoding="utf-8")
    return stop - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--pdf", action="store_true", help="write PDFs (fpdf2) instead of text")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    step = 1000
    chunks = [(s, min(s + step, args.count), str(args.outdir), args.pdf, args.seed) for s in range(0, args.count, step)]
    with ProcessPoolExecutor(args.jobs) as ex:
        done = sum(ex.map(_chunk, chunks))
    print(f"{done} synthetic letters -> {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
