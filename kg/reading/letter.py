"""Letter text -> :class:`kg.reading.models.Letter`: sections, header, reviewer, patient and items.

The grammar of a Format-1 letter, in the order the text gives it::

    [header block]                                    (2016-17 only)
    HOW THE IMR FINAL DETERMINATION WAS MADE          reviewer prose (2014) or credentials block
    CLINICAL CASE SUMMARY                             free text
    IMR ISSUES, DECISIONS AND RATIONALES
      <title ...>: Upheld|Overturned                  repeated per disputed item
      Claims Administrator guideline: <citation>
      MAXIMUS guideline: <citation>
      Decision rationale: <free text>

Blank lines are not relied on (pdfium output has none), so an item's title is found by walking
back from its outcome to the end of the previous rationale.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import replace

from kg.base.vocab import canonical_state
from kg.reading import memo
from kg.reading import patterns as P
from kg.reading.citations import in_force, parse_citation
from kg.reading.dates import to_iso
from kg.reading.details import item_details
from kg.reading.errors import ParseError
from kg.reading.layout import LAYOUT_2016, detect_layout
from kg.reading.models import Dates, Item, Letter, Patient, Reviewer, Span
from kg.reading.normalize import join_lines, normalize
from kg.reading.reasons import find_reasons
from kg.reading.treatments import classify


class _Lines:
    """Line index over the normalized text: char offset <-> line number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines = text.split("\n")

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def start(self, line: int) -> int:
        return self.starts[line]


def clear_caches() -> None:
    """Forget what the parse remembers between letters (kg.reading.memo: titles, citation paragraphs,
    sentences): a benchmark round then measures letters read for the first time."""
    memo.clear_all()


def parse_text(raw: str, file: str = "<text>") -> Letter:
    """Parse one letter's text (any of the supported extractions) into a record."""
    text = normalize(raw)
    try:
        layout = detect_layout(text)
        letter = _parse(text, layout, file)
    except ParseError as err:
        err.file = file
        raise
    return letter


def _parse(text: str, layout: str, file: str) -> Letter:
    how = P.HOW_MADE.search(text)
    summary = P.CASE_SUMMARY.search(text)
    issues = P.ISSUES.search(text)
    first_ca = P.CA_LABEL.search(text)
    if first_ca is None:
        raise ParseError("no disputed items found (no 'Claims Administrator guideline:' line)")
    issues_start = issues.end() if issues else (summary.end() if summary else 0)
    intro = P.ISSUES_INTRO.search(text, issues_start)
    if intro and intro.start() < first_ca.start():
        issues_start = intro.end()
    header_end = how.start() if how else (summary.start() if summary else issues_start)
    header = text[:header_end]
    how_text = (
        text[how.end() : summary.start()] if how and summary and summary.start() > how.end() else text[:header_end]
    )
    if summary:
        summary_end = issues.start() if issues and issues.start() > summary.end() else issues_start
        summary_text = text[summary.end() : summary_end]
        intro_m = P.SUMMARY_INTRO.search(summary_text)
        if intro_m:
            summary_text = summary_text[intro_m.end() :]
    else:
        summary_text = ""
    summary_clean = join_lines(summary_text)

    dates = _header_dates(header) if layout == LAYOUT_2016 else Dates()
    if dates.injury is None:
        dates = replace(dates, injury=_injury_from_summary(summary_clean))
    case = P.CASE_NUMBER.search(header)
    priority = P.PRIORITY.search(header)
    items = tuple(_in_force(item, dates.decision) for item in _items(text, issues_start))
    return Letter(
        file=file,
        layout=layout,
        case_number=case.group(1) if case else None,
        priority=priority.group(1).capitalize() if priority else None,
        dates=dates,
        reviewer=_reviewer(text, how_text),
        patient=_patient(summary_clean),
        case_summary=summary_clean,
        items=items,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


# --- header, reviewer, patient ------------------------------------------------------------------


def _header_dates(header: str) -> Dates:
    found = {}
    for name, pattern in P.HEADER_DATES.items():
        m = pattern.search(header)
        found[name] = to_iso(m.group(1)) if m else None
    return Dates(**found)


def _injury_from_summary(summary: str) -> str | None:
    m = P.INJURY_DATE_PROSE.search(summary)
    return to_iso(m.group("date")) if m else None


def _split_list(value: str) -> tuple[str, ...]:
    parts = [p.strip(" .;") for p in P.LIST_SPLIT.split(join_lines(value))]
    return tuple(p for p in parts if p)


def _split_commas(value: str) -> tuple[str, ...]:
    return tuple(p.strip(" .;") for p in join_lines(value).split(",") if p.strip(" .;"))


def _reviewer(text: str, how_text: str) -> Reviewer:
    lic = P.LICENSURE.search(text)
    spec = P.SPECIALTY_BLOCK.search(text)
    if lic or spec:
        states = _split_list(lic.group("states")) if lic else ()
        specialties = _split_commas(spec.group("spec")) if spec else ()
        start = min(m.start() for m in (lic, spec) if m)
        end = max(m.end() for m in (lic, spec) if m)
        return Reviewer(specialties, (), tuple(canonical_state(s) for s in states), Span(start, end))
    prose = join_lines(how_text)
    m = P.REVIEWER_PROSE.search(prose) or P.REVIEWER_LICENSED.search(prose)
    if not m:
        return Reviewer((), (), ())
    subs = m.groupdict().get("sub")
    # Specialty names contain "and" ("Hospice and Palliative Medicine"): split them on commas only.
    return Reviewer(
        _split_commas(m.group("spec")),
        _split_commas(subs) if subs else (),
        tuple(canonical_state(s) for s in _split_list(m.group("states"))),
        None,
    )


_SEX = {
    "male": "male",
    "man": "male",
    "gentleman": "male",
    "boy": "male",
    "female": "female",
    "woman": "female",
    "lady": "female",
    "girl": "female",
}


def _patient(summary: str) -> Patient:
    age_m = P.AGE.search(summary)
    age = int(age_m.group(1)) if age_m and 0 < int(age_m.group(1)) < 120 else None
    sex = None
    if age_m:
        s = P.SEX_AFTER_AGE.search(summary, age_m.end())
        sex = _SEX[s.group(1).lower()] if s else None
    if sex is None:
        s = P.SEX_WORD.search(summary)
        sex = _SEX[s.group(1).lower()] if s else None
    if sex is None:
        pronouns = [p.lower() for p in P.PRONOUN.findall(summary)]
        male = sum(p in ("he", "his", "him") for p in pronouns)
        female = sum(p in ("she", "her", "hers") for p in pronouns)
        sex = "male" if male > female else "female" if female > male else None
    return Patient(age, sex)


# --- items --------------------------------------------------------------------------------------


def _items(text: str, issues_start: int) -> tuple[Item, ...]:
    idx = _Lines(text)
    cas = [m for m in P.CA_LABEL.finditer(text) if m.start() >= issues_start]
    if not cas:
        raise ParseError("no disputed items found after 'IMR ISSUES, DECISIONS AND RATIONALES'")
    items: list[Item] = []
    lower_line = idx.line_of(issues_start) + (0 if issues_start in idx.starts else 1)
    prev: dict | None = None
    for n, ca in enumerate(cas, start=1):
        search_from = prev["rationale_start"] if prev else issues_start
        outcomes = [m for m in P.OUTCOME.finditer(text, search_from, ca.start())]
        if not outcomes:
            raise ParseError(f"item {n}: no 'Upheld' or 'Overturned' before its 'Claims Administrator guideline'")
        out = outcomes[-1]
        title_start = _title_start(idx, idx.line_of(out.start()), lower_line)
        if prev:
            items.append(_make_item(text, prev, title_start))
        imr = P.IMR_LABEL.search(text, ca.end())
        next_ca = cas[n].start() if n < len(cas) else len(text)
        if imr is None or imr.start() > next_ca:
            raise ParseError(f"item {n}: no 'MAXIMUS guideline' paragraph (letter cut off?)")
        rat = P.RATIONALE_LABEL.search(text, imr.end())
        if rat is None or rat.start() > next_ca:
            raise ParseError(f"item {n}: no 'Decision rationale' paragraph (letter cut off?)")
        prev = {
            "number": n,
            "title_start": title_start,
            "title_end": out.start(),
            "outcome": out.group("outcome"),
            "ca": (ca.end(), imr.start()),
            "imr": (imr.end(), rat.start()),
            "rationale_start": rat.end(),
        }
        lower_line = idx.line_of(rat.start()) + 1
    assert prev is not None
    items.append(_make_item(text, prev, len(text)))
    return tuple(items)


def _title_start(idx: _Lines, last_line: int, lower_line: int) -> int:
    """Walk back from the line holding the outcome to where the title begins."""
    line = last_line
    while line - 1 >= lower_line:
        prev = idx.lines[line - 1]
        if P.SENTENCE_END.search(prev) and not P.MODIFIED_SENTENCE.search(prev.rstrip()):
            break
        line -= 1
    return idx.start(line)


def _in_force(item: Item, decision: str | None) -> Item:
    """The item with its yearless MTUS ACOEM citations read as the chapters in force on the
    decision date (kg.reading.citations.in_force)."""
    ca, imr = item.claims_administrator, item.imr
    ca_sources, imr_sources = in_force(ca.sources, decision), in_force(imr.sources, decision)
    if ca_sources is ca.sources and imr_sources is imr.sources:
        return item
    return replace(
        item,
        claims_administrator=replace(ca, sources=ca_sources),
        imr=replace(imr, sources=imr_sources),
    )


def _make_item(text: str, d: dict, end: int) -> Item:
    title = join_lines(text[d["title_start"] : d["title_end"]])
    if not title:
        raise ParseError(f"item {d['number']}: empty title")
    rationale = join_lines(text[d["rationale_start"] : end])
    ca = parse_citation(text, *d["ca"])
    imr = parse_citation(text, *d["imr"])
    details = item_details(title, d["rationale_start"], text[d["rationale_start"] : end])
    item = Item(
        number=d["number"],
        title=title,
        outcome=d["outcome"],
        claims_administrator=ca,
        imr=imr,
        rationale=rationale,
        span=Span(d["title_start"], end),
        title_span=Span(d["title_start"], d["title_end"]),
        rationale_span=Span(d["rationale_start"], end),
        **details,
    )
    treatment = classify(item)
    reasons = find_reasons(
        text,
        d["rationale_start"],
        end,
        d["outcome"],
        title,
        treatment.drug_class,
        treatment.ingredients,
        treatment.category,
        treatment.concept,
    )
    return replace(item, treatment=treatment, reasons=reasons)
