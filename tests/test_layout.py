"""Stage 3, layout: which document a text is, and why one that is not a letter is refused."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from factories import letter_text

from kg import ParseError
from kg.reading.layout import LAYOUT_2014, LAYOUT_2016, detect_layout


def test_header_block_means_2016_and_prose_reviewer_means_2014():
    assert detect_layout(letter_text()) == LAYOUT_2016
    assert detect_layout((EXAMPLES / "synthetic-2014-opioid.txt").read_text()) == LAYOUT_2014


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty document"),
        ("Dear Sir, thank you for your order.", "not an IMR determination letter"),
        ("MEDICAL PROFESSIONAL REVIEW\nISSUE AT DISPUTE: MRI\n", "Format 3"),
        ("MAXIMUS FEDERAL SERVICES, INC.\nIMR DECISION(S) AND RATIONALE(S)\n", "Format 2"),
    ],
)
def test_unparseable_documents_say_why(text, reason):
    with pytest.raises(ParseError, match=reason):
        detect_layout(text)
