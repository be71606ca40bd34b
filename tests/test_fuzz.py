"""Property tests: mutated real letters and random text raise only the project's ParseError; the
citation splitter never raises; whatever is extracted points inside the text.

CI runs a short round (IMRKG_FUZZ_EXAMPLES, default 150 per property); ``python bench/fuzz.py``
runs the same properties for 100k+ examples.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, corpus_texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import ParseError, parse_text
from kg.reading.citations import expand_pages, parse_citation, split_sections
from kg.reading.normalize import join_with_offsets, normalize

EXAMPLES_N = int(os.environ.get("IMRKG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES_N, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES_N <= 1000
)
LETTERS = [p.read_text() for p in sorted(EXAMPLES.glob("*.txt"))] + [p.read_text() for p in corpus_texts()[:20]]
FRAGMENTS = [
    "Claims Administrator guideline:",
    "MAXIMUS guideline:",
    "Decision rationale:",
    ": Upheld",
    ": Overturned",
    "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s):",
    "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG),",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "Case Number:",
    "page(s) 300-301",
    "\x00",
    "\ufffd",
    "\n\n\n",
    "(((((((",
]


@st.composite
def mutated_letter(draw) -> str:
    text = draw(st.sampled_from(LETTERS))
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        if n == 0:
            break
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a, min(n, a + 400)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "fragment", "swap-case", "truncate"]))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif op == "insert":
            text = text[:a] + draw(st.text(max_size=40)) + text[a:]
        elif op == "fragment":
            text = text[:a] + draw(st.sampled_from(FRAGMENTS)) + text[a:]
        elif op == "swap-case":
            text = text[:a] + text[a:b].swapcase() + text[b:]
        else:
            text = text[:a]
    return text


def _check_letter(text: str) -> None:
    try:
        letter = parse_text(text, "fuzz.txt")
    except ParseError:
        return
    n = len(letter.text)
    for item in letter.items:
        assert 0 <= item.span.start <= item.span.end <= n
        assert item.outcome in ("Upheld", "Overturned")
        for c in (item.claims_administrator, item.imr):
            for src in c.sources:
                assert src.span is None or 0 <= src.span.start <= src.span.end <= n


@FUZZ
@given(mutated_letter())
def test_mutated_letters_raise_only_parse_errors(text):
    _check_letter(text)


@FUZZ
@given(st.text(max_size=3000))
def test_random_text_raises_only_parse_errors(text):
    _check_letter(text)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), max_size=40).map("".join))
def test_fragment_soup_raises_only_parse_errors(text):
    _check_letter(text)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS[5:10]) | st.text(max_size=25), max_size=20).map(" ".join))
def test_citation_splitter_never_raises(text):
    text = normalize(text)
    citation = parse_citation(text, 0, len(text))
    for src in citation.sources:
        assert all(p > 0 for p in src.pages)
        assert src.span is None or 0 <= src.span.start <= src.span.end <= len(text)
    split_sections(text)
    split_sections(text, odg=True)
    expand_pages(text)


def _join_char_by_char(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """The rule of ``join_with_offsets`` a character at a time (its earlier, slower form)."""
    out: list[str] = []
    offsets: list[int] = []
    pending, i = False, start
    while i < end:
        ch = text[i]
        if (
            ch == "\n"
            and len(out) > 1
            and out[-1] == "-"
            and out[-2].isalpha()
            and i + 1 < end
            and text[i + 1].isalpha()
        ):
            i += 1
            continue
        if ch.isspace():
            pending, i = bool(out), i + 1
            continue
        if pending:
            out.append(" ")
            offsets.append(i - 1)
            pending = False
        out.append(ch)
        offsets.append(i)
        i += 1
    return "".join(out), offsets


@given(st.text(alphabet="ab-\n \t1é_\u00a0X", max_size=40), st.data())
def test_join_with_offsets_keeps_the_rule(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    joined, offsets = join_with_offsets(text, start, end)
    assert (joined, offsets) == _join_char_by_char(text, start, end)
    assert all(text[o] == c for o, c in zip(offsets, joined, strict=True) if c != " ")


# -- raw bytes and mutated PDFs through the whole reader (issue 13) --------------------------------
_PDF = (
    sorted((ROOT / "tests" / "bad-inputs").glob("not-imr.pdf"))
    + sorted((ROOT.parent / "shared" / "corpus" / "found" / "pdf").glob("*.pdf"))[:1]
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """One folder for every example: a fresh folder per example made 100k-example runs crawl."""
    return tmp_path_factory.mktemp("fuzz")


def _read_bytes(tmp: Path, name: str, data: bytes):
    from kg.reading.parse import parse_document
    from kg.reading.read import Document

    path = tmp / name
    path.write_bytes(data)
    outcome = parse_document(Document(name, path))
    assert outcome.letter is not None or outcome.error, "a document is a letter or a reason"
    return outcome


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".txt", ".pdf"]))
def test_raw_bytes_give_a_letter_or_a_reason(scratch, data, suffix):
    _read_bytes(scratch, "doc" + suffix, data)


@FUZZ
@given(data=st.data())
def test_mutated_pdfs_give_a_letter_or_a_reason(scratch, data):
    source = data.draw(st.sampled_from(_PDF)).read_bytes()
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(source) - 1), st.integers(0, 255)), min_size=1, max_size=8))
    mutated = bytearray(source)
    for at, byte in edits:
        mutated[at] = byte
    cut = data.draw(st.integers(len(source) // 2, len(source)))
    _read_bytes(scratch, "doc.pdf", bytes(mutated[:cut]))
