"""Split a "<side> guideline:" paragraph into the guideline sources it names.

A paragraph is a few "Decision based on ..." sentences. An MTUS sentence lists MTUS parts joined
by ", and" ("MTUS Low Back Complaints 2004, Section(s): Summary, and Chronic Pain Medical
Treatment 2016, Section(s): Facet blocks"); the 2014 letters write "MTUS ACOEM Chapter 12 Low
Back Complaints Page(s): 300-1 and 309". A "Non-MTUS Citation" sentence is free text, mostly ODG
("Official Disability Guidelines (ODG) Low Back Chapter: Facet joint medial branch blocks"),
sometimes ACOEM's non-MTUS editions, drug monographs or bare URLs.

Vocabularies (work names, chapter names, known section titles) come from ``data/guidelines.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from kg.base.vocab import ADOPTED_WORK, UNRESOLVED_WORK, mtus_acoem_in_force
from kg.reading import patterns as P
from kg.reading.memo import remembered
from kg.reading.models import Citation, Source, Span
from kg.reading.normalize import join_with_offsets
from kg.rules import rulefile as R

_MAX_RANGE = 200  # a page range wider than this is a misread, not a citation
_YEAR = r"\(?(?:19|20)\d{2}\)?"  # an edition year as the MTUS template writes it
# A part in the MTUS template whose name no vocabulary knows: "<name> <year>, Section(s): ..." at
# a part's start (the name holds no ',' or ':', so it cannot reach over a section list)
_UNKNOWN_PART = re.compile(
    rf"(?:(?:CA |California )?MTUS[/ ]+)?(?P<year>{_YEAR}\s*,?\s*)?(?P<name>[A-Za-z][\w/&'’()\-]*(?: [\w/&'’()\-]+){{0,10}}?)"
    rf"(?(year)(?=\s*,\s*Sections?\s*\(s\)\s*:)|(?=\s*,?\s*{_YEAR}\s*,\s*Sections?\s*\(s\)\s*:))"
)


ADOPTED, UNRESOLVED = ADOPTED_WORK, UNRESOLVED_WORK


@dataclass(frozen=True, slots=True)
class _Adopted:
    """An ACOEM guideline the MTUS adopted from 1 December 2017 (``acoem_adopted_chapters``)."""

    title: str
    pattern: re.Pattern[str]
    editions: frozenset[int]
    earlier_work: str | None  # the MTUS work its name means with a year before its first edition


@dataclass(frozen=True, slots=True)
class _Grammar:
    mtus_part: re.Pattern[str]
    mtus_works: tuple[tuple[str, re.Pattern[str]], ...]
    acoem_chapters: tuple[tuple[int | None, str, re.Pattern[str]], ...]
    adopted: tuple[_Adopted, ...]
    odg_chapter: re.Pattern[str]
    odg_titles: tuple[tuple[str, re.Pattern[str]], ...]
    odg_qualifiers: re.Pattern[str]
    known_sections: tuple[str, ...]
    topics_2009: tuple[str, ...]


@cache
def _grammar() -> _Grammar:
    data = R.load("guidelines.json")

    def regex(obj: dict) -> str:
        return R.rule(obj, "guidelines.json").regex

    works = tuple((w["work"], re.compile(regex(w["pattern"]), re.I)) for w in data["mtus_works"])
    chapters = tuple((c["number"], c["title"], re.compile(regex(c["pattern"]), re.I)) for c in data["acoem_chapters"])
    # An MTUS part starts with a work name or an ACOEM chapter title (optionally "ACOEM Chapter N").
    names = "|".join(regex(w["pattern"]) for w in data["mtus_works"])
    chapter_names = "|".join(regex(c["pattern"]) for c in data["acoem_chapters"])
    adopted = tuple(
        _Adopted(c["title"], re.compile(regex(c["pattern"]), re.I), frozenset(c["editions"]), c.get("earlier_work"))
        for c in data["acoem_adopted_chapters"]
    )
    adopted_names = "|".join(a.pattern.pattern for a in adopted)
    # An adopted chapter is named with its edition year, after it or before it ("Low Back Disorders
    # 2016", "2019 Low Back Disorders"): without the year "Opioids" and "Chronic Pain" are the 2009
    # topics and the 2016 guidelines the letters have always cited.
    part = re.compile(
        rf"(?:(?:CA |California )?MTUS[/ ]+)?(?:(?:{adopted_names})(?=\s*,?\s*{_YEAR})"
        rf"|{_YEAR}\s*,?\s*(?:{adopted_names})\b"
        rf"|(?:ACOEM\s+)?(?:Chapter\s+\d+\s+)?(?:{chapter_names})\b"
        rf"|(?:{_YEAR}\s*,?\s*)?(?:{names})|ACOEM(?:\s+Guidelines)?\b)",
        re.I,
    )
    odg = [(c["title"], regex(c["pattern"])) for c in data["odg_chapters"]]
    odg_titles = tuple((title, re.compile(rf"(?:{rx})(?!\w)", re.I)) for title, rx in odg)
    odg_any = re.compile("|".join(f"(?:{rx})(?!\\w)" for _, rx in odg), re.I)
    return _Grammar(
        mtus_part=part,
        mtus_works=works,
        acoem_chapters=chapters,
        adopted=adopted,
        odg_chapter=odg_any,
        odg_titles=odg_titles,
        odg_qualifiers=re.compile(regex(data["odg_chapter_qualifiers"])),
        known_sections=tuple(data["known_sections"]),
        topics_2009=tuple(data["mtus_topics_2009"]),
    )


# --- public ---------------------------------------------------------------------------------------


def parse_citation(text: str, start: int, end: int) -> Citation:
    """Parse the citation paragraph ``text[start:end]`` (normalized letter text)."""
    joined, offsets = join_with_offsets(text, start, end)
    parsed, cited_evidence, outside_mtus = _read(joined)
    return Citation(
        cited_evidence=cited_evidence,
        outside_mtus=outside_mtus,
        sources=tuple(_with_span(src, offsets, a, b) for src, a, b in parsed),
        text=joined,
        span=Span(start, end),
    )


# a citation paragraph's sources (each with its span in the joined paragraph), whether it cites
# evidence, and whether it goes outside the MTUS. Remembered (kg.reading.memo): half of the shared
# letters' 606 citation paragraphs repeat an earlier one word for word, and a batch repeats far
# more; 2,048 paragraphs of at most 1,000 characters stay under ~4 MB
@remembered(2048, 1000)
def _read(joined: str) -> tuple[tuple[tuple[Source, int, int], ...], bool, bool]:
    sources: list[tuple[Source, int, int]] = []
    for kind, s, e in _sentences(joined):
        chunk = joined[s:e]
        parsed = _mtus_sources(chunk) if kind == "mtus" else _non_mtus_sources(chunk)
        for src, (a, b) in parsed:
            sources.append((src, s + a, s + b))
    return tuple(sources), P.NO_EVIDENCE.search(joined) is None, P.OUTSIDE_MTUS.search(joined) is not None


def split_sections(value: str, *, odg: bool = False) -> tuple[str, ...]:
    """Split a list of section titles on ';' and on ', ' where a new title evidently starts."""
    value = value.strip(" .,;:-")
    if not value:
        return ()
    g = _grammar()
    protected = value
    keep: dict[str, str] = {}
    for i, title in enumerate(sorted(g.known_sections, key=len, reverse=True)):
        idx = protected.lower().find(title.lower())
        if idx >= 0:
            token = f"\x00{i}\x00"
            keep[token] = protected[idx : idx + len(title)]
            protected = protected[:idx] + token + protected[idx + len(title) :]
    # a parenthesis is part of the title before it ("Naproxen (Naprosyn, EC-Naprosyn, Anaprox)")
    protected = _hide(protected, re.finditer(r"\([^()]*\)", protected), keep)
    if odg:  # an ODG chapter named in the list ("Low Back - Lumbar & Thoracic") is one piece
        protected = _hide(protected, g.odg_chapter.finditer(protected), keep)
    # Numbered headings ("3.3.9 Opioids for ...: Screening, ...") hold commas of their own:
    # a new heading starts only where a new number does.
    numbered = re.match(r"\d+(?:\.\d+)+\s", protected) is not None
    comma = r",\s*(?=\d+(?:\.\d+)+\s)" if numbered else r",\s*(?=[A-Z0-9\x00])"
    pieces: list[str] = []
    for part in re.split(r"\s*;\s*", protected):
        for piece in re.split(comma, part):
            if odg:
                pieces.extend(re.split(r"\s+(?:&|and)\s+(?=[A-Z\x00])", piece))
            else:
                pieces.append(piece)
    out = []
    for piece in pieces:
        for token, original in reversed(keep.items()):  # a later token can hold an earlier one
            piece = piece.replace(token, original)
        piece = piece.strip(" .,;:-")
        if piece:
            out.append(piece)
    return tuple(out)


def _hide(text: str, matches: Iterable[re.Match[str]], keep: dict[str, str]) -> str:
    """``text`` with each match replaced by a token no split can cut; ``keep`` maps the tokens
    back to what they hide."""
    for m in reversed(list(matches)):
        token = f"\x00h{len(keep)}\x00"
        keep[token] = m.group(0)
        text = text[: m.start()] + token + text[m.end() :]
    return text


def expand_pages(value: str) -> tuple[int, ...]:
    """ "300-1 and 309" -> (300, 301, 309); "60-61, 76-78" -> (60, 61, 76, 77, 78)."""
    pages: list[int] = []
    for m in re.finditer(r"(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?", value):
        first = int(m.group(1))
        if m.group(2) is None:
            pages.append(first)
            continue
        last_s = m.group(2)
        last = int(last_s)
        if last < first and len(last_s) < len(m.group(1)):  # "300-1" means 300-301
            last = int(m.group(1)[: -len(last_s)] + last_s)
        if first <= last <= first + _MAX_RANGE:
            pages.extend(range(first, last + 1))
        else:
            pages.extend((first, last))
    return tuple(dict.fromkeys(p for p in pages if p > 0))  # there is no page 0


# --- sentences ------------------------------------------------------------------------------------

_DECISION = re.compile(
    r"Decision based on\s+(?:(?P<non>Non-MTUS Citation)\s*:?\s*|(?P<mtus>(?:CA |California )?MTUS\b))?", re.I
)


def _sentences(joined: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) for each "Decision based on ..." sentence; kind is mtus or non-mtus."""
    marks = list(_DECISION.finditer(joined))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(joined)
        kind = "non-mtus" if m.group("non") else "mtus"
        body_start = m.end() if m.group("non") else m.end() - len(m.group("mtus") or "")
        out.append((kind, body_start, end))
    return out


# --- MTUS -----------------------------------------------------------------------------------------


def _mtus_sources(chunk: str) -> list[tuple[Source, tuple[int, int]]]:
    g = _grammar()
    starts: list[tuple[int, int, bool]] = []  # (start, end of the name, the name is unknown)
    for m in g.mtus_part.finditer(chunk):
        before = chunk[: m.start()]
        # a new part begins the sentence or follows ", and" / "," / "and"; anything else is a
        # chapter name quoted inside a section title
        if not starts or _PART_SEPARATOR.search(before):
            if starts and _inside_section(chunk, starts[-1][0], m.start(), m.end()):
                continue
            starts.append((m.start(), m.end(), False))
    starts = sorted(starts + _unknown_parts(chunk, starts))
    if not starts:
        text = chunk.strip(" .")
        # an MTUS sentence that names nothing the vocabulary knows: kept in its words, never "other"
        return [(_source(UNRESOLVED, text, None, (), (), True, text), (0, len(chunk)))] if text else []
    out = []
    for i, (s, name_end, unknown) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(chunk)
        body = chunk[s:end]
        body_trim = re.sub(r"(?:,\s*(?:and)?|\band|[.;])\s*$", "", body.rstrip()).rstrip()
        out.append((_mtus_part(body_trim, name_end - s, unknown), (s, s + len(body_trim))))
    return out


_PART_SEPARATOR = re.compile(r"(?:,\s*(?:and\s+)?|\band\s+|;\s*)$")


def _unknown_parts(chunk: str, known: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Parts in the MTUS template ("<name> <year>, Section(s): ...") whose name the vocabulary does
    not know, at the sentence's start or after a part separator, where no known name begins."""
    at = [0] + [m.end() for m in re.finditer(r",\s*(?:and\s+)?|\band\s+|;\s*", chunk)]
    out: list[tuple[int, int, bool]] = []
    for pos in at:
        m = _UNKNOWN_PART.match(chunk, pos)
        if m is None or any(s <= pos < e or pos <= s < m.end("name") for s, e, _ in known + out):
            continue
        out.append((pos, m.end("name"), True))
    return out


def _inside_section(chunk: str, part_start: int, pos: int, name_end: int) -> bool:
    """A chapter-like phrase after "Section(s):" with no year after it is part of the section list."""
    between = chunk[part_start:pos]
    return "Section(s):" in between and not re.match(r"\s*,?\s*(?:19|20)\d{2}\b", chunk[name_end:])


def _mtus_part(body: str, name_len: int, unknown: bool = False) -> Source:
    name = body[:name_len]
    rest = body[name_len:]
    year_m = re.match(r"\s*,?\s*\(?((?:19|20)\d{2})\b\)?", rest)
    year = int(year_m.group(1)) if year_m else None
    if year_m:
        rest = rest[year_m.end() :]
    else:  # "MTUS 2019 Low Back Disorders": the year before the name
        before = re.search(r"\b((?:19|20)\d{2})\b", name)
        year = int(before.group(1)) if before else None
    work, chapter, number = _work_of(name, year, unknown)
    rest = re.sub(r"^\s*,?\s*Guidelines?\b", "", rest, flags=re.I)
    pages: tuple[int, ...] = ()
    sections: tuple[str, ...] = ()
    sec_m = re.search(r"Sections?\s*\(s\)\s*:|Sections?:", rest, re.I)
    page_m = re.search(r"(?:Page\s*\(s\)|Pages?|pg\.?)\s*:?\s*(?=\d)", rest, re.I)
    topic = rest
    if page_m:
        pages = expand_pages(rest[page_m.end() :])
        topic = rest[: page_m.start()]
    if sec_m:
        sec_text = rest[sec_m.end() : page_m.start() if page_m and page_m.start() > sec_m.end() else len(rest)]
        sections, sec_pages = _sections_and_pages(sec_text)
        pages = pages + sec_pages
        topic = rest[: sec_m.start()]
    topic = topic.strip(" ,.;:")
    if topic and not sec_m:
        sections = _split_topics(topic)
    text = re.sub(r"\s+", " ", body).strip()
    return _source(work, chapter, year, pages, sections, True, text, number)


def _work_of(name: str, year: int | None, unknown: bool) -> tuple[str, str | None, int | None]:
    """The work, chapter and ACOEM chapter number an MTUS part's name and edition year say.

    An adopted chapter named with one of its edition years is that edition; a name that is also
    a 2004 chapter's, with no year or an earlier one, stays the 2004 chapter (:func:`in_force`
    decides a yearless one by the decision date); the 2009/2016 works keep their names."""
    g = _grammar()
    adopted = next((a for a in g.adopted if a.pattern.search(name)), None)
    if adopted is not None and year in adopted.editions:
        return ADOPTED, adopted.title, None
    if adopted is not None and adopted.earlier_work and year is not None and year < min(adopted.editions):
        return adopted.earlier_work, None, None
    for w, pat in g.mtus_works:
        if pat.search(name):
            return w, None, None
    chapter, number = None, None
    for num, title, pat in g.acoem_chapters:
        if pat.search(name):
            chapter, number = title, num
            break
    m = re.search(r"Chapter\s+(\d+)", name, re.I)
    if m:
        number = int(m.group(1))
    if chapter is None and number is None:
        if adopted is not None:  # an adopted chapter with a year the citation list does not name
            return ADOPTED, adopted.title, None
        if unknown:
            return (
                UNRESOLVED,
                re.sub(rf"^(?:(?:CA |California )?MTUS[/ ]+)?(?:{_YEAR}\s*,?\s*)?", "", name).strip(" ,"),
                None,
            )
    return "mtus-acoem", chapter, number


def in_force(sources: tuple[Source, ...], decision: str | None) -> tuple[Source, ...]:
    """The sources with a yearless MTUS ACOEM citation read as the ACOEM chapters in force on the
    decision date (ISO): the 2004 chapters until 30 November 2017, the adopted guidelines from 1
    December 2017 on. A citation with an edition year keeps the edition it names."""
    if decision is None or not any(s.work == "mtus-acoem" for s in sources):
        return sources
    if mtus_acoem_in_force(decision) != ADOPTED:  # the vocabulary says which MTUS held that day
        return sources
    g = _grammar()
    out = []
    for s in sources:
        if s.work == "mtus-acoem" and s.year is None:
            name = re.split(r",|\bSections?\b|\bPages?\b|\(s\)", s.text)[0]
            adopted = next((a for a in g.adopted if a.pattern.search(name)), None)
            s = replace(s, work=ADOPTED, chapter=adopted.title if adopted else None, chapter_number=None)
        out.append(s)
    return tuple(out)


def _sections_and_pages(value: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Section(s) lists sometimes hold a bare page number ("Section(s): 326, Diagnostic Criteria")."""
    sections, pages = [], []  # type: ignore[var-annotated]
    for piece in split_sections(value):
        if re.fullmatch(r"\d{1,4}(?:\s*-\s*\d{1,4})?", piece):
            pages.extend(expand_pages(piece))
        else:
            sections.append(piece)
    return tuple(sections), tuple(pages)


def _split_topics(topic: str) -> tuple[str, ...]:
    """2014 letters run MTUS topic names together: "Opioids for chronic pain and Weaning of Medications"."""
    g = _grammar()
    found = []  # type: ignore[var-annotated]
    for name in sorted(g.topics_2009, key=len, reverse=True):
        for m in re.finditer(re.escape(name), topic, re.I):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), topic[m.start() : m.end()]))
    found.sort()
    if len(found) >= 2:
        leftovers = re.sub(r"\b(?:and|Guidelines?)\b|[,;\s]", "", _remove_spans(topic, found))
        if leftovers == "":
            return tuple(t for _, _, t in found)
    return split_sections(topic)


def _remove_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for a, b, _ in spans:
        out.append(text[last:a])
        last = b
    out.append(text[last:])
    return "".join(out)


# --- non-MTUS -------------------------------------------------------------------------------------

_ODG_NAME = re.compile(
    r"(?:Official|Occupational)\s+Disability\s+Guidelines?(?:\s*\(ODG\))?(?:\s+Guidelines)?|\bODG\b(?:\s+Guidelines)?",
    re.I,
)
_ACOEM_NAME = re.compile(
    r"(?:American College of Occupational and Environmental Medicine(?:\s*\(ACOEM\))?"
    r"|(?:[A-Z][a-z]+ [A-Z]\.\s+)?Occupational Medicine Practice Guidelines|\bACOEM\b(?:\s+(?:Occupational Medicine )?(?:Practice )?Guidelines)?)",
    re.I,
)
_OTHER_SPLIT = re.compile(r"\s+and\s+Other Medical Treatment Guidelines\s+", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)


def _non_mtus_sources(chunk: str) -> list[tuple[Source, tuple[int, int]]]:
    out = []  # type: ignore[var-annotated]
    pieces = []
    pos = 0
    for m in _OTHER_SPLIT.finditer(chunk):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(chunk)))
    for a, b in pieces:
        for s, e in _split_by_work(chunk, a, b):
            seg = chunk[s:e]
            out.extend((src, (s + x, s + y)) for src, (x, y) in _non_mtus_segment(seg))
    return out


def _split_by_work(chunk: str, a: int, b: int) -> list[tuple[int, int]]:
    """Cut where a second guideline name starts: "ACOEM guidelines and the Official Disability ..."."""
    text = chunk[a:b]
    marks = sorted({m.start() for m in _ODG_NAME.finditer(text)} | {m.start() for m in _ACOEM_NAME.finditer(text)})
    # An "ODG" inside "Official Disability Guidelines (ODG)" is the same name, not a new work.
    merged: list[int] = []
    for pos in marks:
        if merged and _same_name(text, merged[-1], pos):
            continue
        merged.append(pos)
    cuts = [0] + [p for p in merged if p > 0]
    spans = []
    for i, s in enumerate(cuts):
        e = cuts[i + 1] if i + 1 < len(cuts) else len(text)
        seg = text[s:e]
        seg = re.sub(r"(?:,|\band(?: the)?|;)\s*$", "", seg.rstrip()).rstrip()
        if seg.strip(" .,;"):
            spans.append((a + s, a + s + len(seg)))
    return spans


def _same_name(text: str, first: int, pos: int) -> bool:
    for pat in (_ODG_NAME, _ACOEM_NAME):
        m = pat.match(text, first)
        if m and pos < m.end():
            return True
    return False


def _non_mtus_segment(seg: str) -> list[tuple[Source, tuple[int, int]]]:
    text = re.sub(r"\s+", " ", seg).strip(" .")
    span = (0, len(seg.rstrip(" .")))
    odg = _ODG_NAME.search(seg)
    acoem = _ACOEM_NAME.search(seg)
    if odg and (not acoem or odg.start() <= acoem.start()):
        return [(src, span) for src in _odg(seg[odg.end() :], text)]
    if acoem:
        return [(_acoem(seg[: acoem.start()] + seg[acoem.end() :], seg[acoem.start() : acoem.end()], text), span)]
    if _URL.search(seg):
        return [(_source("other", None, None, (), (), False, text), span)]
    if _grammar().odg_chapter.match(seg.strip()):
        return [(src, span) for src in _odg(seg, text)]
    return [(src, span) for src in _other(seg, text)]


def _odg(rest: str, text: str) -> list[Source]:
    """ODG: optional edition noise, one or more chapters, then the section or topic."""
    g = _grammar()
    year = None
    year_m = re.search(r"(?<![/\d])((?:19|20)\d{2})(?![/\d])", rest)
    if year_m and not re.search(r"updated[^)]*$", rest[: year_m.start()], re.I):
        year = int(year_m.group(1))
    edition = re.compile(
        r"Work Loss Data Institute|\(\d+(?:st|nd|rd|th) Annual Edition\)|\b\d+(?:st|nd|rd|th) [Ee]dition\b"
        r"|\bonline\b(?! version)|Treatment in Workers Comp(?:ensation)?|(?<![/\d])(?:19|20)\d{2}(?![/\d])|\(updated [\d/]+\)|updated [\d/]+",
        re.I,
    )
    rest = edition.sub(" ", rest)
    rest = re.sub(r"^[\s,:;.\-–]+", "", rest)
    rest = re.sub(r"^Chapter\s*:?\s*", "", rest, flags=re.I)
    rest = re.sub(r"\s+", " ", rest).strip(" .")
    chapters: list[str] = []
    pos = 0
    while True:
        m = g.odg_chapter.match(rest, pos)
        if not m or not _chapter_boundary(rest, m.end()):
            break
        chapters.append(_odg_title(m.group(0)))
        pos = m.end()
        q = re.compile(rf"(?:{g.odg_qualifiers.pattern}|\s*-\s*(?=Lumbar))+").match(rest, pos)
        if q:
            pos = q.end()
        sep = re.match(r"\s*(?:,|;|\band\b)\s*(?=(?:" + g.odg_chapter.pattern + r"))", rest[pos:], re.I)
        if (
            sep
            and g.odg_chapter.match(rest, pos + sep.end())
            and _chapter_boundary(rest, g.odg_chapter.match(rest, pos + sep.end()).end())  # type: ignore[union-attr]
        ):
            pos += sep.end()
            continue
        break
    section_text = rest[pos:]
    if not chapters:
        # "MRI shoulder", "physical therapy, elbow chapter": the chapter named after the topic
        m = re.search(rf"(?:,\s*|\s+)({g.odg_chapter.pattern})(\s+(?:chapter|section))?\s*$", rest, re.I)
        if m and (m.group(2) or len(rest[: m.start()].split()) <= 3):
            chapters.append(_odg_title(m.group(1)))
            section_text = rest[: m.start()]
    section_text = g.odg_qualifiers.sub(" ", section_text) if chapters else section_text
    section_text = re.sub(r"^\s*(?:Topic|Guidelines)\b", "", section_text.strip(" ,:;/-–"), flags=re.I)
    section_text = re.sub(r"\s+Topic\s*$", "", section_text.strip(" ,:;/-–."))
    if re.fullmatch(r"\(.*\)", section_text.strip()):
        section_text = section_text.strip()[1:-1]
    section_text = re.sub(r"\s+[A-Z][a-z]+ [A-Z]\.?$", "", section_text.strip())  # trailing "Harris J."
    sections = split_sections(re.sub(r"\s+", " ", section_text), odg=True)
    sections = tuple(
        re.sub(r"[\s,]+subheading$", "", s, flags=re.I)
        for s in sections
        if s.lower() not in ("subheading", "guidelines")
    )
    if not chapters:
        return [_source("odg", None, year, (), sections, False, text)]
    out = [_source("odg", c, year, (), (), False, text) for c in chapters]
    # "Knee/DME, Low Back/Mattress selection": a listed piece that opens with a chapter name
    # starts another chapter with its own topic.
    shared: list[str] = []
    for piece in sections:
        m = g.odg_chapter.match(piece)
        tail = piece[m.end() :] if m else ""
        if m and (tail == "" or tail[0] in "/:(-–" or g.odg_qualifiers.match(tail)):
            topic = g.odg_qualifiers.sub(" ", tail).strip(" /:-–")
            out.append(_source("odg", _odg_title(m.group(0)), year, (), (topic,) if topic else (), False, text))
        elif len(out) > len(chapters):
            last = out[-1]
            out[-1] = _source("odg", last.chapter, year, (), last.sections + (piece,), False, text)
        else:
            shared.append(piece)
    for i in range(len(chapters)):
        out[i] = _source("odg", chapters[i], year, (), tuple(shared), False, text)
    return out


def _chapter_boundary(text: str, end: int) -> bool:
    """A chapter name must end at a word boundary followed by a separator, qualifier or the end."""
    tail = text[end : end + 3]
    return tail == "" or tail[0] in " ,;:/.-–("


def _odg_title(name: str) -> str:
    for title, pat in _grammar().odg_titles:
        if pat.fullmatch(name.strip()):
            return title
    return name.strip()


def _acoem(rest: str, name: str, text: str) -> Source:
    year = None
    ym = re.search(r"\(((?:19|20)\d{2})\)|\b((?:19|20)\d{2})\b", rest)
    if ym:
        year = int(ym.group(1) or ym.group(2))
    pages: tuple[int, ...] = ()
    pm = re.search(r"\b(?:pg|pp|p|pages?)\.?\s*(\d[\d\s,\-–and]*)", rest, re.I)
    if pm:
        pages = expand_pages(pm.group(1))
        rest = rest[: pm.start()] + rest[pm.end() :]
    rest = re.sub(
        r"\b\d+(?:st|nd|rd|th)\s+ed(?:ition)?\.?|\(?(?:19|20)\d{2}\)?|\bguidelines?\b|\bPractice\b",
        " ",
        rest,
        flags=re.I,
    )
    rest = re.sub(r"\s+", " ", rest).strip(" ,.;:-")
    chapter, sections = None, ()
    if rest:
        m = re.match(r"(?P<ch>.+?)\s+Chapter\b\s*[/:,]?\s*(?P<sec>.*)$", rest, re.I) or re.match(
            r"(?P<ch>[^/,]+?)\s*[/,]\s*(?P<sec>.*)$", rest
        )
        if m:
            chapter = m.group("ch").strip(" ,.;:-") or None
            sec = m.group("sec").strip(" ,.;:-")
            sections = (sec,) if sec else ()  # type: ignore[assignment]
        else:
            chapter = rest
    return _source("acoem", chapter, year, pages, sections, False, text)


def _other(seg: str, text: str) -> list[Source]:
    year_m = re.search(r"(?<![\d/])((?:19|20)\d{2})(?![\d/])", seg)
    year = int(year_m.group(1)) if year_m else None
    chapters = re.findall(r"Chapter\s+\d+\s*[:\-–]\s*([^,;]+)", seg)
    if len(chapters) > 1:
        return [_source("other", c.strip(" ."), None, (), (), False, text) for c in chapters]
    if len(chapters) == 1:
        sec = re.search(r"Chapter\s+\d+\s*[:\-–]\s*[^,;]+[;,]\s*(.+)$", seg)
        sections = (re.sub(r"-\s+", "-", sec.group(1).strip(" .")),) if sec else ()
        return [_source("other", chapters[0].strip(" ."), None, (), sections, False, text)]
    return [_source("other", None, year, (), (), False, text)]


# --- helpers ----------------------------------------------------------------------------------------


def _source(
    work: str,
    chapter: str | None,
    year: int | None,
    pages: tuple[int, ...],
    sections: tuple[str, ...],
    mtus: bool,
    text: str,
    number: int | None = None,
) -> Source:
    return Source(work, chapter, year, tuple(pages), tuple(sections), mtus, text, None, number)


def _with_span(src: Source, offsets: list[int], a: int, b: int) -> Source:
    if not offsets or a >= len(offsets):
        return src
    end = offsets[min(b, len(offsets)) - 1] + 1 if b > a else offsets[a]
    return Source(
        src.work,
        src.chapter,
        src.year,
        src.pages,
        src.sections,
        src.mtus,
        src.text,
        Span(offsets[a], end),
        src.chapter_number,
    )
