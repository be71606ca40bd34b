"""Stage 5, citations: each side's "Decision based on …" split into guideline sources."""

from __future__ import annotations

import pytest

from kg.reading.citations import expand_pages, parse_citation, split_sections


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
    # a parenthesis belongs to the title before it, commas and all
    assert split_sections("Naproxen (Naprosyn, EC-Naprosyn, Anaprox DS), NSAIDs (non-steroidal)") == (
        "Naproxen (Naprosyn, EC-Naprosyn, Anaprox DS)",
        "NSAIDs (non-steroidal)",
    )
    # ... also when it holds a known title with a comma of its own
    assert split_sections("Opioids (see Ultrasound, therapeutic), NSAIDs") == (
        "Opioids (see Ultrasound, therapeutic)",
        "NSAIDs",
    )
    # in an ODG list, "&" and "and" split topics but not a chapter's own name
    odg = "TENS (Transcutaneous electrical nerve stimulation); Low Back - Lumbar & Thoracic"
    assert split_sections(odg, odg=True) == (
        "TENS (Transcutaneous electrical nerve stimulation)",
        "Low Back - Lumbar & Thoracic",
    )
    assert split_sections("Knee & Leg, Cold packs", odg=True) == ("Knee & Leg", "Cold packs")


def test_the_word_subheading_is_no_part_of_an_odg_topic():
    c = _cite(
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Neck and Upper Back "
        "Chapter, Physical Therapy (PT), subheading."
    )
    assert [(s.chapter, s.sections) for s in c.sources] == [("Neck and Upper Back", ("Physical Therapy (PT)",))]


def test_an_odg_chapter_listed_after_a_topic_keeps_its_whole_name():
    c = _cite(
        "Decision based on Non-MTUS Citation Official Disability Guidelines, Neck and Upper Back, TENS "
        "(Transcutaneous electrical nerve stimulation); Low Back - Lumbar & Thoracic (Acute & Chronic)."
    )
    assert [(s.chapter, s.sections) for s in c.sources] == [
        ("Neck and Upper Back", ("TENS (Transcutaneous electrical nerve stimulation)",)),
        ("Low Back", ()),
    ]


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


def test_citation_paragraphs_are_remembered_and_read_alike():
    """A citation paragraph read again gives the same citation, spans in its own letter."""
    from kg.reading import memo
    from kg.reading.citations import parse_citation

    memo.clear_all()
    line = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids, pages 78-80."
    first = parse_citation(line, 0, len(line))
    shifted = "x" * 10 + line
    again = parse_citation(shifted, 10, len(shifted))
    assert [s.work for s in again.sources] == [s.work for s in first.sources]
    for a, b in zip(first.sources, again.sources, strict=True):
        assert (b.span.start - a.span.start, b.span.end - a.span.end) == (10, 10)
    memo.clear_all()
    assert parse_citation(shifted, 10, len(shifted)) == again
