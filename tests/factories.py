"""Small factories for every stage's inputs: letter text, parsed records, graphs, build folders.

Each stage's test module builds what it needs here instead of copying a real letter, so a
change to one stage has an obvious place for its test and no test depends on ../shared.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES

from kg.reading.models import Citation, Dates, Item, Letter, Patient, Quantity, Reviewer, Source, Span

CLI = [sys.executable, "-m", "kg.cli"]

NO_EVIDENCE = "The Claims Administrator did not cite any medical evidence for its decision."


def item_text(
    title: str = "Lumbar facet joint injection L4-5",
    outcome: str = "Upheld",
    claims_administrator: str = "Decision based on MTUS Low Back Complaints 2004, Section(s): Summary.",
    imr: str = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Facet blocks.",
    rationale: str = "No medial branch block is documented. The request is not medically necessary.",
) -> str:
    """One disputed item of a 2016-layout letter: title line, both citations, rationale."""
    return (
        f"{title}: {outcome}\n\n"
        f"Claims Administrator guideline: {claims_administrator}\n\n"
        f"MAXIMUS guideline: {imr}\n\n"
        f"Decision rationale: {rationale}\n\n"
    )


def letter_text(
    *items: str,
    case: str = "CM16-9000042",
    decision: str = "12/01/2016",
    states: str = "California",
    specialty: str = "Physical Medicine & Rehabilitation",
    patient: str = "47 year old female",
) -> str:
    """A 2016-layout letter (header, credentials, summary, items) around :func:`item_text` blocks."""
    body = "".join(items) or item_text()
    return (
        f"Case Number: {case}\n"
        f"Date Assigned: 11/02/2016 Date of Injury: 10/03/2016\n"
        f"Decision Date: {decision} UR Denial Date: 10/25/2016\n"
        "Priority: Standard Application\nReceived:\n10/28/2016\n\n"
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "MAXIMUS Federal Services sent the complete case file to an expert reviewer.\n\n"
        "The Expert Reviewer has the following credentials:\n"
        f"State(s) of Licensure: {states}\n"
        f"Certification(s)/Specialty: {specialty}\n\n"
        "CLINICAL CASE SUMMARY\n"
        "The expert reviewer developed the following clinical case summary based on a review of the\n"
        "case file, including all medical records:\n\n"
        f"The injured worker is a {patient} who sustained an industrial injury on 10-03-2016.\n\n"
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set forth below:\n\n"
        f"{body}"
    )


def source(**kw) -> Source:
    """A cited guideline source; any field may be given."""
    fields = dict(
        work="mtus-chronic-pain",
        chapter=None,
        year=2016,
        pages=(),
        sections=("Facet blocks",),
        mtus=True,
        text="MTUS Chronic Pain Medical Treatment 2016, Section(s): Facet blocks",
        span=Span(10, 40),
    )
    return Source(**(fields | kw))


def citation(*sources: Source, **kw) -> Citation:
    """One side's citation (with the given sources, or one default source)."""
    srcs = sources or (source(),)
    fields = dict(cited_evidence=True, outside_mtus=False, sources=srcs, text="Decision based on …", span=Span(5, 45))
    return Citation(**(fields | kw))


def item(number: int = 1, **kw) -> Item:
    """A disputed item; any field may be given."""
    fields = dict(
        number=number,
        title="Lumbar facet joint injection L4-5",
        outcome="Upheld",
        claims_administrator=citation(cited_evidence=False, sources=(), text=NO_EVIDENCE),
        imr=citation(),
        rationale="No medial branch block is documented.",
        span=Span(100, 400),
        title_span=Span(100, 133),
        rationale_span=Span(300, 400),
        quantity=Quantity(),
        spinal_levels=("L4-L5",),
    )
    return Item(**(fields | kw))


def letter(*items: Item, **kw) -> Letter:
    """A parsed letter (with the given items, or one default item)."""
    fields = dict(
        file="factory.txt",
        layout="2016",
        case_number="CM16-9000042",
        priority="Standard",
        dates=Dates(assigned="2016-11-02", decision="2016-12-01", injury="2016-10-03", ur_denial="2016-10-25"),
        reviewer=Reviewer(("Physical Medicine & Rehabilitation",), (), ("California",)),
        patient=Patient(47, "female"),
        case_summary="The injured worker is a 47 year old female.",
        items=items or (item(),),
        text="x" * 500,
        sha256="0" * 64,
    )
    return Letter(**(fields | kw))


def copy_examples(dest: Path) -> Path:
    """The bundled example letters copied into ``dest`` (tests may edit the copies)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLES.glob("*.txt"):
        shutil.copy(path, dest / path.name)
    return dest


def cli(*args: str, stdin: bytes | None = None, **kw) -> subprocess.CompletedProcess:
    """``imrkg ARGS`` in a fresh interpreter (text output unless ``stdin`` bytes are given)."""
    text = stdin is None
    return subprocess.run([*CLI, *args], capture_output=True, input=stdin, text=text, **kw)


def synth(dest: Path, count: int) -> Path:
    """``count`` real-shaped synthetic letters (bench/synth.py) in ``dest``."""
    from conftest import ROOT

    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), str(dest), "--count", str(count), "--jobs", "1"],
        check=True,
        capture_output=True,
    )
    return dest
