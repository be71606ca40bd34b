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


# --- the ACOEM guidelines the MTUS adopted from 1 December 2017 (issue 35) ---------------------------
# No real letter decided from 2018 on is in ../shared: every citation line below is CONSTRUCTED in
# the letters' own MTUS template ("Decision based on MTUS <chapter> <year>, Section(s): ..."),
# around a letter of factories.letter_text or, where CI has it, a real 2016-17 letter.

import csv  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402

from conftest import CORPUS, ROOT  # noqa: E402
from factories import CLI, item_text, letter_text  # noqa: E402

from kg import parse_text  # noqa: E402
from kg.base.vocab import guideline_works, load_json, mtus_acoem_in_force  # noqa: E402

ADOPTED_EDITIONS = [
    (c["title"], name, year)
    for c in load_json("guidelines.json")["acoem_adopted_chapters"]
    for name in c["pattern"]["examples"]
    for year in c["editions"]
]
TEMPLATES = [
    "MTUS {name} {year}, Section(s): Epidural steroid injections.",
    "MTUS {name} \n{year}, Section(s): \nEpidural steroid injections.",  # the line breaks pypdf leaves
    "MTUS {year} {name}, Section(s): Epidural steroid injections.",  # the year first
]


def _reviewer_sources(imr: str, decision: str = "01/15/2019"):
    letter = parse_text(letter_text(item_text(imr=f"Decision based on {imr}"), decision=decision))
    return letter.items[0].imr.sources


@pytest.mark.parametrize("template", TEMPLATES, ids=["name-year", "line-breaks", "year-name"])
@pytest.mark.parametrize("title, name, year", ADOPTED_EDITIONS, ids=lambda v: str(v))
def test_every_adopted_chapter_edition_resolves_with_its_year_and_section(title, name, year, template):
    (src,) = _reviewer_sources(template.format(name=name, year=year))
    assert (src.work, src.chapter, src.year, src.sections, src.mtus) == (
        "mtus-acoem-adopted",
        title,
        year,
        ("Epidural steroid injections",),
        True,
    )


def test_adopted_chapters_beside_the_guidelines_letters_have_always_cited():
    sources = _reviewer_sources(
        "MTUS Low Back Disorders 2019, Section(s): Facet injections, and Chronic Pain Medical Treatment 2016, "
        "Section(s): Facet blocks, and Opioid Treatment 2016, Section(s): 3.3.9 Opioids for Chronic Pain."
    )
    assert [(s.work, s.chapter, s.year) for s in sources] == [
        ("mtus-acoem-adopted", "Low Back Disorders", 2019),
        ("mtus-chronic-pain", None, 2016),
        ("mtus-opioids", None, 2016),
    ]
    # the 2004 chapters keep their edition, and 'Chronic Pain 2016' is still the 2016 guidelines
    (old,) = _reviewer_sources("MTUS Elbow Disorders 2007, Section(s): Surgery.")
    assert (old.work, old.chapter, old.year) == ("mtus-acoem", "Elbow Complaints", 2007)
    (cpmtg,) = _reviewer_sources("MTUS Chronic Pain 2016, Section(s): Opioids.")
    assert (cpmtg.work, cpmtg.year) == ("mtus-chronic-pain", 2016)


def test_a_yearless_chapter_is_the_one_in_force_on_the_decision_date():
    cite = "MTUS Elbow Disorders, Section(s): Surgery."
    (before,) = _reviewer_sources(cite, decision="11/30/2017")
    (after,) = _reviewer_sources(cite, decision="12/01/2017")
    assert (before.work, before.chapter) == ("mtus-acoem", "Elbow Complaints")
    assert (after.work, after.chapter) == ("mtus-acoem-adopted", "Elbow Disorders")
    assert (
        mtus_acoem_in_force("2017-11-30") == "mtus-acoem" and mtus_acoem_in_force("2017-12-01") == "mtus-acoem-adopted"
    )
    works = guideline_works()
    assert (
        works["mtus-acoem"].in_force_until == "2017-11-30" and works["mtus-acoem-adopted"].in_force_from == "2017-12-01"
    )


def test_the_drug_formulary_is_a_work_of_its_own():
    for cite in (
        "MTUS Drug Formulary 2018, Section(s): Exempt drugs.",
        "MTUS 2018 Drug Formulary, Section(s): Exempt drugs.",
    ):
        (src,) = _reviewer_sources(cite)
        assert (src.work, src.year, src.sections, src.mtus) == ("mtus-formulary", 2018, ("Exempt drugs",), True)


@pytest.mark.parametrize(
    "cite, words",
    [
        ("MTUS Spinal Wellness Standards 2019, Section(s): Traction.", "Spinal Wellness Standards"),
        ("MTUS 2021 Spinal Wellness Standards, Section(s): Traction.", "Spinal Wellness Standards"),
        ("MTUS Guidance of the Board.", "MTUS Guidance of the Board"),
    ],
)
def test_a_guideline_no_vocabulary_knows_is_unresolved_in_its_own_words_never_other(cite, words):
    (src,) = _reviewer_sources(cite)
    assert src.work == "unresolved" and src.chapter == words


def test_an_unresolved_part_beside_a_known_one_keeps_both():
    sources = _reviewer_sources(
        "MTUS Low Back Complaints 2004, Section(s): Summary, and Spinal Wellness Standards 2019, Section(s): Traction."
    )
    assert [(s.work, s.chapter, s.year, s.sections) for s in sources] == [
        ("mtus-acoem", "Low Back Complaints", 2004, ("Summary",)),
        ("unresolved", "Spinal Wellness Standards", 2019, ("Traction",)),
    ]


def test_an_unresolved_guideline_is_a_warning_in_the_summary_and_the_report(tmp_path):
    src = tmp_path / "letters"
    src.mkdir()
    unknown = item_text(imr="Decision based on MTUS Spinal Wellness Standards 2019, Section(s): Traction.")
    (src / "a.txt").write_text(letter_text(unknown, case="CM19-9000001"))
    (src / "b.txt").write_text(
        letter_text(item_text(imr="Decision based on MTUS Knee Disorders 2019, Section(s): MRI."), case="CM19-9000002")
    )
    res = subprocess.run([*CLI, "build", str(src), "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr  # a warning: the letter conforms
    assert "1 citations of a guideline the vocabulary lacks" in res.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [u["letter"] for u in summary["unresolved_citations"]] == ["CM19-9000001"]
    report = (tmp_path / "out" / "validation-report.txt").read_text()
    assert re.search(
        r"warning: CM19-9000001 item/1/citation/imr/source/1: imr:work: The reader could not resolve", report
    )


def test_the_vocabulary_counts_a_chapter_across_its_editions():
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.graph.namespaces import IMR, chapter_iri, edition_iri
    from kg.graph.vocab_rdf import vocabulary_graph

    g = vocabulary_graph()
    chapter = chapter_iri("mtus-acoem-adopted", "Low Back Disorders")
    editions = sorted(int(str(g.value(e, IMR.editionYear))) for e in g.subjects(IMR.editionOf, chapter))
    assert editions == [2016, 2019, 2020]
    assert g.value(edition_iri("mtus-acoem-adopted", "Low Back Disorders", 2019), RDFS.label) == Literal(
        "Low Back Disorders (2019)", lang="en"
    )
    assert isinstance(chapter, URIRef)


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "reference").is_dir(), reason="needs ../shared/reference (the chapter list)"
)
def test_the_data_holds_every_chapter_edition_of_the_imr_citation_list():
    rows = list(csv.DictReader((ROOT.parent / "shared" / "reference" / "mtus-acoem-2017-chapters.csv").open()))
    assert len(rows) == 47
    for row in rows:
        (src,) = _reviewer_sources(f"MTUS {row['chapter']} {row['edition_year']}, Section(s): Surgery.")
        assert src.work == "mtus-acoem-adopted" and src.year == int(row["edition_year"]), row


@pytest.mark.skipif(not (CORPUS / "found").is_dir(), reason="needs ../shared/corpus/found (a real 2016-17 letter)")
def test_a_real_letter_rewritten_to_cite_adopted_chapters():
    """A real 2016-17 letter whose reviewer line is rewritten, in the same template, to cite an
    adopted chapter: the chapter, its edition year and its section (the issue's check)."""
    line = "MTUS Chronic Pain Medical Treatment 2016, \nSection(s): Physical medicine treatment."
    real = next(p.read_text() for p in sorted((CORPUS / "found").glob("*.txt")) if line in p.read_text())
    cases = [
        ("MTUS Low Back Disorders 2016, Section(s): Epidural steroid injections.", "Low Back Disorders", 2016),
        (
            "MTUS Cervical and Thoracic Spine Disorders 2019, Section(s): Manipulation.",
            "Cervical and Thoracic Spine Disorders",
            2019,
        ),
        ("MTUS Chronic Pain 2017, Section(s): Physical medicine treatment.", "Chronic Pain", 2017),
    ]
    for cite, chapter, year in cases:
        src = [s for s in parse_text(real.replace(line, cite)).items[0].imr.sources]
        assert [(s.work, s.chapter, s.year) for s in src] == [("mtus-acoem-adopted", chapter, year)], cite
        assert src[0].sections, cite
