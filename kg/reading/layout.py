"""Recognise which kind of document a text is, before any field is extracted.

Only the "Format 1" determination letter (2014 headerless and 2016-17 with header) is parsed.
Other MAXIMUS layouts are named in the error so a user knows why a file was skipped.
"""

from __future__ import annotations

from kg.reading import patterns as P
from kg.reading.errors import ParseError

LAYOUT_2014 = "2014"  # no header block; reviewer described in prose
LAYOUT_2016 = "2016"  # header block and "State(s) of Licensure" credentials block


def detect_layout(text: str) -> str:
    """Return the layout name, or raise ParseError naming what the document is instead."""
    if not text.strip():
        raise ParseError("empty document (no text; a scanned PDF needs OCR first)")
    has_items = P.CA_LABEL.search(text) is not None or P.ISSUES.search(text) is not None
    if not has_items:
        if P.FORMAT3.search(text):
            raise ParseError("unsupported IMR layout: 'Medical Professional Review' (Format 3)")
        if P.FORMAT2.search(text):
            raise ParseError("unsupported IMR layout: 'IMR Decision(s) and Rationale(s)' (Format 2)")
        if P.NOTICE_2013.search(text):
            raise ParseError("unsupported IMR layout: 2013 'Notice of Independent Medical Review Determination'")
        raise ParseError("not an IMR determination letter (no 'IMR ISSUES, DECISIONS AND RATIONALES' section)")
    if P.CASE_NUMBER.search(text[:2000]) or P.LICENSURE.search(text):
        return LAYOUT_2016
    return LAYOUT_2014
