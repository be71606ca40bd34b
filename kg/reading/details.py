"""What users filter items on, read from an item's title (and rationale for literature).

Quantities ("2 times a week for 6 weeks (12 sessions)", "#60", "x 3"), spinal levels normalized
to segment pairs ("L4-5" -> "L4-L5", "L3-L5" -> "L3-L4", "L4-L5"), laterality, body regions,
drug name/strength/ingredients (from ``data/drugs.json``), the parts of a modified request and
literature references such as "(Fritz, 2007)".
"""

from __future__ import annotations

import re
from functools import cache

from kg.reading import drugs
from kg.reading import patterns as P
from kg.reading.dates import to_iso
from kg.reading.models import Drug, LiteratureRef, ModifiedRequest, Quantity, Span

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "once": 1,
    "twice": 2,
    "thrice": 3,
    "single": 1,
}
_NUM = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNITS = r"(?:sessions?|visits?|treatments?|appointments?|units?)"

_PER_WEEK = re.compile(_NUM + r"\s*(?:x|times|time)\s*(?:(?:a|per|/)\s*)?(?:week|wk)s?\b", re.I)
_PER_WEEK_WORD = re.compile(_NUM + r"\s+times\s+weekly|" + r"\b(once|twice|thrice)\s+(?:a\s+|per\s+)?week", re.I)
_WEEKS = re.compile(r"(?:for|x|times|over)\s+" + _NUM + r"\s*(?:weeks?|wks?)\b", re.I)
_BARE_TIMES = re.compile(r"\b" + _NUM + r"\s*(?:x|times)\s*" + _NUM + r"\b(?!\s*(?:mg|ml|%|/))", re.I)
_TOTAL_PAREN = re.compile(r"\((\d+)(?:\s+" + _UNITS + r")?\)", re.I)
_TOTAL = re.compile(
    r"\b"
    + _NUM
    + r"\s+(?!times\b|x\b)(?:[\w-]+\s+){0,3}?"
    + _UNITS
    + r"\b|"
    + _UNITS
    + r"\s*(?:x|#|:)\s*"
    + _NUM
    + r"|\b(?:x|times)\s*(\d+)\s*$",
    re.I,
)
_COUNT = re.compile(
    r"#\s*(\d+)|\bqty:?\s*(\d+)|\bquantity:?\s*(\d+)|^\s*(\d+)\s+(?!(?:times|x|sessions?|visits?|mg|month|week|day)\b)",
    re.I,
)
_REFILLS = re.compile(_NUM + r"\s+refills?\b", re.I)

_LEVEL = re.compile(r"\b([CTLS])(\d{1,2})\s*(?:-|/|to|–)\s*([CTLS]?)(\d{1,2})\b")
_SINGLE_LEVEL = re.compile(r"\b([CTLS])(\d{1,2})\b")
_ORDER = {"C": 0, "T": 1, "L": 2, "S": 3}
_COUNTS = {"C": 7, "T": 12, "L": 5, "S": 5}

_LATERALITY = [
    ("bilateral", re.compile(r"\bbilateral(?:ly)?\b|\bbilat\b|\bB/L\b|\(B\)|\bboth\b", re.I)),
    ("left", re.compile(r"\bleft\b|\blt\.?\b", re.I)),
    ("right", re.compile(r"\bright\b|\brt\.?\b", re.I)),
]
_REGIONS = {
    "cervical": r"cervical|neck|C\d",
    "thoracic": r"thoracic|T\d{1,2}\b",
    "lumbar": r"lumbar|low back|L\d",
    "sacral": r"sacral|sacroiliac|\bSI\b|S1",
    "shoulder": r"shoulder",
    "elbow": r"elbow",
    "wrist": r"wrist",
    "hand": r"hand|finger|thumb",
    "hip": r"\bhip",
    "knee": r"knee",
    "ankle": r"ankle",
    "foot": r"\bfoot|\bfeet|toe",
    "head": r"\bhead\b|brain",
    "upper extremity": r"upper extremit",
    "lower extremity": r"lower extremit",
}
_STRENGTH = re.compile(
    r"(\d+(?:\.\d+)?(?:[/-]\d+(?:\.\d+)?)*\s*(?:mg|mcg|g|ml|%|percent|units?)(?:/\s*\d*\s*(?:ml|hr|h|g))?)", re.I
)
_MODIFIED = re.compile(
    r"^(?P<original>.+?) was the original request\.\s*(?:(?P<authorized>.+?) was authorized by the Claims Administrator\."
    r"|The Claims Administrator authorized (?P<authorized2>.+?), leaving the original request IMR eligible\.)?"
    r"\s*(?:The remaining IMR eligible portion of the original request,|The original request,)\s*(?P<remaining>.+?)(?:\s+is)?\s*$",
    re.I | re.S,
)
_RETRO = re.compile(r"\bretro(?:spective|\.)?\b", re.I)
_DOS = re.compile(
    r"\bDOS:?\s*(\d{1,2}[/-]\d{1,2}[/-]\d{2,4})|\bdate of service:?\s*(\d{1,2}[/-]\d{1,2}[/-]\d{2,4})", re.I
)


def _num(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.lower()
    return int(value) if value.isdigit() else _NUMBER_WORDS.get(value)


def quantity(title: str) -> Quantity:
    """Sessions a week, weeks, total, ``#count`` and refills stated in an item title."""
    per_week = weeks = total = count = refills = None
    m = _PER_WEEK.search(title) or _PER_WEEK_WORD.search(title)
    if m:
        per_week = _num(next(g for g in m.groups() if g))
    m = _WEEKS.search(title)
    if m:
        weeks = _num(m.group(1))
    if per_week is None and weeks is None:
        m = _BARE_TIMES.search(title)  # "2 times 8", "2x6": sessions a week x weeks
        if m:
            per_week, weeks = _num(m.group(1)), _num(m.group(2))
    m = _TOTAL_PAREN.search(title) or _TOTAL.search(title)
    if m:
        total = _num(next((g for g in m.groups() if g), None))
    if total is None and per_week and weeks:
        total = per_week * weeks
    m = _COUNT.search(title)
    if m:
        count = _num(next(g for g in m.groups() if g))
    m = _REFILLS.search(title)
    if m:
        refills = _num(m.group(1))
    return Quantity(per_week, weeks, total, count, refills)


def spinal_levels(title: str) -> tuple[str, ...]:
    """Segment pairs named in the text, normalized and with ranges expanded, in spine order."""
    segments: list[tuple[str, int, str, int]] = []
    for m in _LEVEL.finditer(title):
        r1, n1, r2, n2 = m.group(1).upper(), int(m.group(2)), (m.group(3) or m.group(1)).upper(), int(m.group(4))
        segments.extend(_expand(r1, n1, r2, n2))
    out = []
    for r1, n1, r2, n2 in segments:
        label = f"{r1}{n1}-{r2}{n2}"
        if label not in out:
            out.append(label)
    return tuple(sorted(out, key=lambda s: (_ORDER[s[0]], int(re.match(r".(\d+)", s).group(1)))))  # type: ignore[union-attr]


def _expand(r1: str, n1: int, r2: str, n2: int) -> list[tuple[str, int, str, int]]:
    """ "L3-L5" -> L3-L4, L4-L5; "L5-S1" stays one segment; "C7-T1" crosses regions."""
    if r1 not in _ORDER or r2 not in _ORDER or n1 < 1 or n2 < 1:
        return []
    seq = [(r, n) for r in "CTLS" for n in range(1, _COUNTS[r] + 1)]
    try:
        a, b = seq.index((r1, n1)), seq.index((r2, n2))
    except ValueError:
        return []
    if b <= a or b - a > 8:
        return []
    return [(seq[i][0], seq[i][1], seq[i + 1][0], seq[i + 1][1]) for i in range(a, b)]


def laterality(title: str) -> str | None:
    """left, right or bilateral, when the title says so."""
    found = [name for name, pat in _LATERALITY if pat.search(title)]
    if "bilateral" in found or ("left" in found and "right" in found):
        return "bilateral"
    return found[0] if found else None


@cache
def _region_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pat, re.I)) for name, pat in _REGIONS.items())


def body_regions(title: str) -> tuple[str, ...]:
    """The body regions a title names (lumbar spine, knee, ...), in a fixed order."""
    return tuple(name for name, pat in _region_patterns() if pat.search(title))


def drug(title: str) -> Drug | None:
    """The drugs named in the title (kg.reading.drugs), with every ingredient, the strength and the form."""
    mentions = drugs.find(title)
    if not mentions:
        return None
    first = mentions[0]
    ingredients = drugs.ingredients_of(mentions)
    strength = _STRENGTH.search(title, first.start)
    form = P.DOSAGE_FORM.search(title)
    return Drug(
        first.name,
        ingredients,
        strength.group(1).replace(" ", "") if strength else None,
        form.group(1).lower() if form else None,
    )


def modified_request(title: str) -> ModifiedRequest | None:
    """The original, authorized and remaining parts of a request utilization review modified."""
    m = _MODIFIED.match(title)
    if not m:
        return None
    return ModifiedRequest(
        original=m.group("original").strip(),
        authorized=(m.group("authorized") or m.group("authorized2") or "").strip() or None,
        remaining=m.group("remaining").strip(" ,"),
    )


def literature(rationale_raw: str, offset: int) -> tuple[LiteratureRef, ...]:
    """Author-year references in a rationale (``(Fritz, 2007)``), with spans offset into the letter."""
    refs = []
    for m in P.LITERATURE.finditer(rationale_raw):
        author = re.sub(r"\s+", " ", m.group("author")).strip()
        refs.append(
            LiteratureRef(
                author,
                int(m.group("year")),
                re.sub(r"\s+", " ", m.group(0)),
                Span(offset + m.start(), offset + m.end()),
            )
        )
    return tuple(refs)


def item_details(title: str, offset: int, rationale_raw: str) -> dict:
    """Keyword arguments for :class:`kg.reading.models.Item` beyond the core fields."""
    modified = modified_request(title)
    subject = modified.remaining if modified else title  # IMR decides only the remainder
    dos = _DOS.search(title)
    return {
        "quantity": quantity(subject),
        "spinal_levels": spinal_levels(subject),
        "laterality": laterality(subject),
        "body_regions": body_regions(subject),
        "drug": drug(subject) or (drug(modified.original) if modified else None),
        "modified": modified,
        "retrospective": bool(_RETRO.search(title)),
        "service_date": to_iso(dos.group(1) or dos.group(2)) if dos else None,
        "literature": literature(rationale_raw, offset),
    }
