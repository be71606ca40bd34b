"""Stage 4, the letter: header, reviewer, patient, summary and items, each with its span."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, corpus_texts, needs_shared
from factories import item_text, letter_text

from kg import ParseError, parse_text


def test_header_reviewer_and_patient():
    letter = parse_text(letter_text(case="CM17-0000123", states="California, Oregon"), "f.txt")
    assert letter.case_number == "CM17-0000123" and letter.priority == "Standard"
    assert (letter.dates.decision, letter.dates.ur_denial, letter.dates.application_received) == (
        "2016-12-01",
        "2016-10-25",
        "2016-10-28",
    )
    assert letter.reviewer.licensed_states == ("California", "Oregon")
    assert letter.reviewer.specialties == ("Physical Medicine & Rehabilitation",)
    assert (letter.patient.age, letter.patient.sex) == (47, "female")


def test_items_outcomes_and_letter_outcome():
    letter = parse_text(letter_text(item_text(), item_text("Tramadol 50mg #60", "Overturned")), "f.txt")
    assert [(i.number, i.title, i.outcome) for i in letter.items] == [
        (1, "Lumbar facet joint injection L4-5", "Upheld"),
        (2, "Tramadol 50mg #60", "Overturned"),
    ]
    assert letter.outcome == "Partially Overturned"


def test_spans_point_at_the_words_they_came_from():
    for path in EXAMPLES.glob("*.txt"):
        letter = parse_text(path.read_text(), path.name)
        assert letter.items and all(i.outcome in ("Upheld", "Overturned") for i in letter.items)
        for item in letter.items:
            title = letter.text[item.title_span.start : item.title_span.end].replace("\n", " ")
            assert title.startswith(item.title[:20])
            rationale = letter.text[item.rationale_span.start : item.rationale_span.end]
            assert " ".join(rationale.split())[:30] == " ".join(item.rationale.split())[:30]


def test_letter_cut_off_in_an_item_says_so():
    text = letter_text(item_text(), item_text("Tramadol 50mg #60"))
    with pytest.raises(ParseError, match="cut off"):
        parse_text(text[: text.rindex("MAXIMUS guideline:")], "cut.txt")


@needs_shared
def test_truncated_real_letter_is_reported():
    text = corpus_texts()[0].read_text()
    with pytest.raises(ParseError, match="cut off"):
        parse_text(text[: text.rindex("MAXIMUS guideline:")], "cut.txt")
