"""Typed records produced by the parser: frozen dataclasses, one per thing a letter states.

Every extracted value that comes from a stretch of the letter keeps its ``Span``: character
offsets into the *normalized* text (see :mod:`kg.reading.normalize`), so any fact can be traced back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets ``[start, end)`` into the letter's normalized text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Source:
    """One guideline source named in a "Decision based on ..." citation."""

    work: str  # a work id of guidelines.json: mtus-chronic-pain, mtus-acoem, mtus-acoem-adopted, mtus-formulary, ..., odg, acoem, other, unresolved
    chapter: str | None
    year: int | None
    pages: tuple[int, ...]
    sections: tuple[str, ...]
    mtus: bool
    text: str  # the source as written (whitespace collapsed)
    span: Span | None = None
    chapter_number: int | None = None  # ACOEM chapter number where written ("Chapter 12")


@dataclass(frozen=True, slots=True)
class Citation:
    """What one side (claims administrator or IMR reviewer) based its decision on."""

    cited_evidence: bool
    outside_mtus: bool
    sources: tuple[Source, ...]
    text: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """How much was requested, as the item title states it."""

    sessions_per_week: int | None = None
    weeks: int | None = None
    total: int | None = None  # sessions / visits / units requested
    count: int | None = None  # "#60", "1 prescription of", "x 3"
    refills: int | None = None


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug named in an item title, with its generic ingredients."""

    name: str  # as written ("Norco")
    ingredients: tuple[str, ...]  # generic ingredient names from the vocabulary ("hydrocodone", ...)
    strength: str | None  # "10/325mg"
    form: str | None = None


@dataclass(frozen=True, slots=True)
class ModifiedRequest:
    """Parts of a request that utilization review modified: IMR decides only the remainder."""

    original: str
    authorized: str | None
    remaining: str


@dataclass(frozen=True, slots=True)
class LiteratureRef:
    """An author-year reference in a rationale."""

    author: str
    year: int
    text: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Treatment:
    """What a disputed item is, in the DWC decision index's terms, and the words that said so."""

    concept: str | None  # id in the treatment scheme ("mri", "drug/hydrocodone"); None when none is known
    label: str | None
    category: str  # a DWC request category ("Diagnostic Testing"): every item has one
    subcategory: str | None  # a DWC subcategory of the category, where one fits
    drug_class: str | None  # a DWC drug class, for Pharmaceuticals
    ingredients: tuple[str, ...]  # generic names, lower case
    associated_surgery: bool  # requested as part of (or after) a surgery
    basis: str  # what decided it: "title", "drug name", "dose", "rationale", "citation" or "default"
    evidence: str | None = None  # the words of the title, rationale or citation that decided it


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason the reviewer gave for the decision (a code of ``kg/data/reasons/``), with the
    sentence that states it."""

    code: str
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    """One disputed item/service and its decision."""

    number: int
    title: str
    outcome: str  # "Upheld" | "Overturned"
    claims_administrator: Citation
    imr: Citation
    rationale: str
    span: Span
    title_span: Span
    rationale_span: Span | None
    quantity: Quantity
    spinal_levels: tuple[str, ...] = ()
    laterality: str | None = None
    body_regions: tuple[str, ...] = ()
    drug: Drug | None = None
    modified: ModifiedRequest | None = None
    retrospective: bool = False
    service_date: str | None = None
    literature: tuple[LiteratureRef, ...] = ()
    treatment: Treatment | None = None  # set by kg.reading.treatments once the item is parsed
    reasons: tuple[Reason, ...] = ()  # set by kg.reading.reasons from the rationale


@dataclass(frozen=True, slots=True)
class Reviewer:
    """The expert reviewer's specialties, subspecialties and states of licensure."""

    specialties: tuple[str, ...]
    subspecialties: tuple[str, ...]
    licensed_states: tuple[str, ...]
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """The injured worker's age and sex, as the case summary states them."""

    age: int | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class Dates:
    """The header dates, ISO formatted."""

    assigned: str | None = None
    decision: str | None = None
    injury: str | None = None
    ur_denial: str | None = None
    application_received: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """One determination letter: header, reviewer, patient, summary and its disputed items."""

    file: str
    layout: str  # "2014" (headerless, prose reviewer) | "2016" (header + credentials block)
    case_number: str | None
    priority: str | None
    dates: Dates
    reviewer: Reviewer
    patient: Patient
    case_summary: str
    items: tuple[Item, ...]
    text: str = field(repr=False)  # the normalized text all spans point into
    sha256: str | None = None

    @property
    def outcome(self) -> str:
        """Letter-level outcome as DWC reports it: Upheld, Overturned or Partially Overturned."""
        outcomes = {item.outcome for item in self.items}
        if outcomes == {"Upheld"}:
            return "Upheld"
        if outcomes == {"Overturned"}:
            return "Overturned"
        return "Partially Overturned"
