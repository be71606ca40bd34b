"""Stage 6, item details: quantities, spinal levels, drugs, modified requests, dates."""

from __future__ import annotations

from factories import item_text, letter_text

from kg import parse_text
from kg.reading.dates import to_iso
from kg.reading.details import modified_request, quantity, spinal_levels


def test_dates():
    assert to_iso("9/1/99") == "1999-09-01"
    assert to_iso("10-13-16") == "2016-10-13"
    assert to_iso("October 14, 2016") == "2016-10-14"
    assert to_iso("13/45/2016") is None


def test_item_details():
    assert spinal_levels("L4-5 and L5-S1 facet") == ("L4-L5", "L5-S1")
    assert spinal_levels("ESI C5-C7") == ("C5-C6", "C6-C7")
    q = quantity("Physical therapy 2 times a week for 6 weeks")
    assert (q.sessions_per_week, q.weeks, q.total) == (2, 6, 12)
    m = modified_request(
        "Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was authorized by the Claims "
        "Administrator. The remaining IMR eligible portion of the original request, Norco 10/325mg #35 is"
    )
    assert m is not None and m.remaining == "Norco 10/325mg #35" and m.authorized == "Norco 10/325mg #25"


def test_drug_strength_and_count_from_a_title():
    letter = parse_text(letter_text(item_text("Norco 10/325mg #60", "Upheld")), "f.txt")
    (item,) = letter.items
    assert item.drug is not None and item.drug.ingredients[0] == "hydrocodone"
    assert item.drug.strength == "10/325mg" and item.quantity.count == 60
