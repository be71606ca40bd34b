"""Regenerate the bad-input fixtures in this folder (needs fpdf2 and pypdf):

    python tests/bad-inputs/make.py

Each file is a kind of document users' download folders hold that is not a parseable letter.
The 50 MB file is made by the test itself, not kept here.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

HERE = Path(__file__).resolve().parent
LETTER = (HERE.parent.parent / "examples" / "letters" / "synthetic-2016-facet.txt").read_text()


def pdf_of(text: str) -> bytes:
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.encode("latin-1", "replace").decode("latin-1").split("\n"):
        pdf.multi_cell(0, 4.6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main() -> None:
    rng = random.Random(7)
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "binary-junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (HERE / "junk.pdf").write_bytes(b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(4096)))
    whole = pdf_of(LETTER)
    (HERE / "corrupt.pdf").write_bytes(whole[: len(whole) // 3])
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(whole)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    (HERE / "encrypted.pdf").write_bytes(buf.getvalue())
    (HERE / "not-imr.pdf").write_bytes(pdf_of("INVOICE 2231\nThree boxes of printer paper, $42.00.\nThank you."))
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    buf = io.BytesIO()
    blank.write(buf)
    (HERE / "scanned-no-text.pdf").write_bytes(buf.getvalue())
    (HERE / "not-imr.txt").write_text("Minutes of the board meeting, 3 March.\nPresent: all members.\n")
    cut = LETTER[: LETTER.index("MAXIMUS guideline:", LETTER.index("Physical therapy 2 times"))]
    (HERE / "cut-off-mid-item.txt").write_text(cut)
    (HERE / "missing-decisions-heading.txt").write_text(
        LETTER.replace("IMR ISSUES, DECISIONS AND RATIONALES\n", "").replace(
            "The Final Determination was based on decisions for the disputed items/services set forth below:\n", ""
        )
    )
    (HERE / "format2-layout.txt").write_text(
        "MAXIMUS FEDERAL SERVICES, INC.\nIndependent Medical Review\nHOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "DOCUMENTS REVIEWED\nCLINICAL CASE SUMMARY\nIMR DECISION(S) AND RATIONALE(S)\n"
    )
    (HERE / "format3-layout.txt").write_text(
        "MEDICAL PROFESSIONAL REVIEW\nISSUE AT DISPUTE: Lumbar MRI\nCASE SUMMARY:\n"
        "DOCUMENTS REVIEWED FOR DETERMINATION:\nMEDICAL REVIEWER QUALIFICATIONS:\n"
    )
    (HERE / "notice-2013.txt").write_text(
        "Notice of Independent Medical Review Determination Dated: 9/26/2013\n"
        "MAXIMUS Federal Services, Inc. has determined the request for MRI is not medically necessary and appropriate\n"
    )
    (HERE / "utf16-letter.txt").write_bytes(LETTER.encode("utf-16"))
    (HERE / "cp1252-letter.txt").write_bytes(LETTER.replace("Rehabilitation", "Réhabilitation").encode("cp1252"))
    (HERE / "shift-jis.txt").write_bytes("請求書 番号 2231 — 紙 三箱".encode("shift_jis", "replace"))


if __name__ == "__main__":
    main()
