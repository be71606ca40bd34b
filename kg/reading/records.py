"""Letter records <-> the documented JSON shape (``corpus/GOLD.md`` plus provenance and details)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kg.reading.models import Citation, Item, Letter, Source, Span, Treatment

RECORD_VERSION = 1


def _span(span: Span | None) -> list[int] | None:
    return [span.start, span.end] if span else None


def source_record(src: Source) -> dict[str, Any]:
    """A guideline source as JSON."""
    return {
        "work": src.work,
        "chapter": src.chapter,
        "year": src.year,
        "pages": list(src.pages),
        "sections": list(src.sections),
        "mtus": src.mtus,
        "chapter_number": src.chapter_number,
        "text": src.text,
        "span": _span(src.span),
    }


def citation_record(c: Citation) -> dict[str, Any]:
    """One side's citation as JSON."""
    return {
        "cited_evidence": c.cited_evidence,
        "outside_mtus": c.outside_mtus,
        "sources": [source_record(s) for s in c.sources],
        "text": c.text,
        "span": _span(c.span),
    }


def treatment_record(t: Treatment | None) -> dict[str, Any] | None:
    """An item's classification as JSON (the shape ``score_items.py`` reads)."""
    if t is None:
        return None
    return {
        "concept": t.concept,
        "label": t.label,
        "category": t.category,
        "subcategory": t.subcategory,
        "drug_class": t.drug_class,
        "ingredients": list(t.ingredients),
        "associated_surgery": t.associated_surgery,
        "basis": t.basis,
        "evidence": t.evidence,
    }


def item_record(item: Item) -> dict[str, Any]:
    """A disputed item as JSON."""
    return {
        "number": item.number,
        "title": item.title,
        "outcome": item.outcome,
        "claims_administrator": citation_record(item.claims_administrator),
        "imr": citation_record(item.imr),
        "rationale": item.rationale,
        "span": _span(item.span),
        "title_span": _span(item.title_span),
        "rationale_span": _span(item.rationale_span),
        "quantity": asdict(item.quantity),
        "spinal_levels": list(item.spinal_levels),
        "laterality": item.laterality,
        "body_regions": list(item.body_regions),
        "drug": asdict(item.drug) if item.drug else None,
        "modified": asdict(item.modified) if item.modified else None,
        "retrospective": item.retrospective,
        "service_date": item.service_date,
        "treatment": treatment_record(item.treatment),
        "reasons": [{"code": r.code, "span": _span(r.span), "text": r.text} for r in item.reasons],
        "literature": [
            {"author": r.author, "year": r.year, "text": r.text, "span": _span(r.span)} for r in item.literature
        ],
    }


def to_record(letter: Letter) -> dict[str, Any]:
    """The JSON record of a letter: every field of the gold format, then what users filter on."""
    return {
        "file": letter.file,
        "case_number": letter.case_number,
        "priority": letter.priority,
        "dates": asdict(letter.dates),
        "reviewer": {
            "specialties": list(letter.reviewer.specialties),
            "subspecialties": list(letter.reviewer.subspecialties),
            "licensed_states": list(letter.reviewer.licensed_states),
        },
        "patient": {"age": letter.patient.age, "sex": letter.patient.sex},
        "items": [item_record(i) for i in letter.items],
        "layout": letter.layout,
        "outcome": letter.outcome,
        "case_summary": letter.case_summary,
        "sha256": letter.sha256,
        "text": letter.text,  # the normalized text every "span" indexes: text[start:end] is the evidence
        "record_version": RECORD_VERSION,
    }


_PROVENANCE = frozenset({"file", "text", "sha256", "record_version"})  # how a copy was read, not what it states


def stated(record: dict[str, Any]) -> Any:
    """What a letter's record states, without how this copy was read: its file, its text, its hash
    and every position in it (a .txt and a .pdf of one letter differ only there)."""

    def strip(value: Any, top: bool) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v, False)
                for k, v in value.items()
                if not (k == "span" or k.endswith("_span") or (top and k in _PROVENANCE))
            }
        if isinstance(value, list):
            return [strip(v, False) for v in value]
        return value

    return strip(record, True)


def stated_digest(record: dict[str, Any]) -> str:
    """A digest of :func:`stated`: two files of one case whose digests differ state other things."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(stated(record), sort_keys=True).encode()).hexdigest()[:32]


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two stated records first differ, with both values ("reviewer.specialties: ['Neurology']
    against ['Orthopedic Surgery']"), or None when they do not."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a == b:
        return None
    return f"{path}: {str(a)[:80]!s} against {str(b)[:80]!s}"


def error_record(file: str, reason: str) -> dict[str, Any]:
    """The record of a document that could not be parsed."""
    return {"file": file, "error": reason, "record_version": RECORD_VERSION}
