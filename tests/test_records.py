"""Stage 7, records: a parsed letter as the documented JSON shape (GOLD.md plus details)."""

from __future__ import annotations

import json

from factories import item, letter

from kg.reading.models import Span
from kg.reading.records import RECORD_VERSION, error_record, to_record


def test_record_has_the_gold_fields_and_spans_as_pairs():
    record = to_record(letter(item(1), item(2, outcome="Overturned")))
    assert record["case_number"] == "CM16-9000042" and record["record_version"] == RECORD_VERSION
    assert record["outcome"] == "Partially Overturned"
    assert record["reviewer"] == {
        "specialties": ["Physical Medicine & Rehabilitation"],
        "subspecialties": [],
        "licensed_states": ["California"],
    }
    first = record["items"][0]
    assert (first["number"], first["outcome"], first["title_span"]) == (1, "Upheld", [100, 133])
    assert first["imr"]["sources"][0]["work"] == "mtus-chronic-pain"
    assert first["claims_administrator"]["cited_evidence"] is False
    json.dumps(record)  # plain JSON all the way down


def test_missing_spans_are_null_and_errors_name_the_file():
    record = to_record(letter(item(rationale_span=None, title_span=Span(1, 2))))
    assert record["items"][0]["rationale_span"] is None
    assert error_record("x.pdf", "corrupt PDF") == {"file": "x.pdf", "error": "corrupt PDF", "record_version": 1}
