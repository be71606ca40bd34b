"""Stage 2, normalizing: pypdf, pdfium and seed-style text become the same lines, offsets kept."""

from __future__ import annotations

from kg.reading.normalize import join_with_offsets, normalize


def test_three_extractions_normalize_alike():
    pypdf_style = " \nCase Number: CM16-0000001  \nDate Assigned: 12/07/2016 Date of  Injury:  10/23/2016 \n \nword- \nElectro-\ndiagnostic \n\n"
    pdfium_style = "Case Number: CM16-0000001\r\nDate Assigned: 12/07/2016 Date of Injury: 10/23/2016\r\nword- \r\nElectro\x02diagnostic"
    seed_style = "Case Number: CM16-0000001 \n\nDate Assigned: 12/07/2016 Date of Injury: 10/23/2016\n\nword- \n\nElectro-\n\ndiagnostic\n\n"
    assert normalize(pypdf_style) == normalize(pdfium_style) == normalize(seed_style)


def test_joined_text_keeps_the_offsets_of_its_words():
    text = "Decision based on MTUS\nChronic   Pain"
    joined, offsets = join_with_offsets(text, 0, len(text))
    assert joined == "Decision based on MTUS Chronic Pain"
    start = joined.index("Chronic")
    assert text[offsets[start] : offsets[start] + len("Chronic")] == "Chronic"
