"""Unit behaviour of the parser stages on small inputs (no shared corpus needed)."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, corpus_texts, needs_shared

from kg import ParseError, parse_text
from kg.citations import expand_pages, parse_citation, split_sections
from kg.dates import to_iso
from kg.details import modified_request, quantity, spinal_levels
from kg.normalize import normalize


def test_three_extractions_normalize_alike():
    pypdf_style = " \nCase Number: CM16-0000001  \nDate Assigned: 12/07/2016 Date of  Injury:  10/23/2016 \n \nword- \nElectro-\ndiagnostic \n\n"
    pdfium_style = "Case Number: CM16-0000001\r\nDate Assigned: 12/07/2016 Date of Injury: 10/23/2016\r\nword- \r\nElectro\x02diagnostic"
    seed_style = "Case Number: CM16-0000001 \n\nDate Assigned: 12/07/2016 Date of Injury: 10/23/2016\n\nword- \n\nElectro-\n\ndiagnostic\n\n"
    assert normalize(pypdf_style) == normalize(pdfium_style) == normalize(seed_style)


@pytest.mark.parametrize(
    "text, pages",
    [
        ("300-1 and 309", (300, 301, 309)),
        ("60-61, 76-78, 88-89", (60, 61, 76, 77, 78, 88, 89)),
        ("607", (607,)),
        ("174-5", (174, 175)),
        ("1-9000", (1, 9000)),
    ],
)
def test_expand_pages(text, pages):
    assert expand_pages(text) == pages


def test_split_sections_keeps_titles_with_commas():
    assert split_sections("Special Studies, Diagnostic Criteria") == ("Special Studies", "Diagnostic Criteria")
    assert split_sections("TENS, chronic pain (transcutaneous electrical nerve stimulation)") == (
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
    )
    assert split_sections("Forearm, Wrist, & Hand") == ("Forearm, Wrist, & Hand",)
    assert split_sections("3.3.9 Opioids: Tapering, Screening, 3.4 Other") == (
        "3.3.9 Opioids: Tapering, Screening",
        "3.4 Other",
    )


def _cite(text: str):
    return parse_citation(text + "\n", 0, len(text))


def test_citation_mtus_parts_and_odg():
    c = _cite(
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Summary, and Chronic Pain Medical\n"
        "Treatment 2016, Section(s): Facet blocks. Decision based on Non-MTUS Citation Official Disability\n"
        "Guidelines (ODG) Low Back - Lumbar & Thoracic (Acute & Chronic), Facet joint diagnostic blocks."
    )
    got = [(s.work, s.chapter, s.year, s.sections, s.mtus) for s in c.sources]
    assert got == [
        ("mtus-acoem", "Low Back Complaints", 2004, ("Summary",), True),
        ("mtus-chronic-pain", None, 2016, ("Facet blocks",), True),
        ("odg", "Low Back", None, ("Facet joint diagnostic blocks",), False),
    ]
    assert c.cited_evidence and not c.outside_mtus
    for s in c.sources:  # spans point back at the source text
        assert s.span is not None and s.span.end > s.span.start


def test_citation_2014_pages_and_chapter_number():
    c = _cite("Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 300-1 and 309.")
    (s,) = c.sources
    assert (s.work, s.chapter, s.chapter_number, s.pages) == ("mtus-acoem", "Low Back Complaints", 12, (300, 301, 309))


def test_citation_flags():
    c = _cite("The Claims Administrator did not cite any medical evidence for its decision.")
    assert not c.cited_evidence and not c.outside_mtus and c.sources == ()
    c = _cite(
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. "
        "Decision based on Non-MTUS Citation http://www.drugs.com/famotidine.html."
    )
    assert c.outside_mtus and [s.work for s in c.sources] == ["other"]


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


def test_examples_parse():
    for path in EXAMPLES.glob("*.txt"):
        letter = parse_text(path.read_text(), path.name)
        assert letter.items and all(i.outcome in ("Upheld", "Overturned") for i in letter.items)
        for item in letter.items:  # every span points into the normalized text
            assert (
                letter.text[item.title_span.start : item.title_span.end].replace("\n", " ").startswith(item.title[:20])
            )


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
        parse_text(text, "x.txt")


@needs_shared
def test_truncated_letter_is_reported():
    text = corpus_texts()[0].read_text()
    cut = text[: text.rindex("MAXIMUS guideline:")]
    with pytest.raises(ParseError, match="cut off"):
        parse_text(cut, "cut.txt")
