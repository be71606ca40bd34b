"""The issue's bar on the shared gold letters, from text and from PDF, scored by the shared scorer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, SHARED, corpus_texts, needs_shared

from kg.reading.parse import parse_paths
from kg.reading.records import error_record, to_record

BAR = {
    "letters_parsed": 1.0,
    "item_f1": 0.995,
    "outcome_acc": 0.995,
    "header_acc": 1.0,
    "reviewer_acc": 0.99,
    "patient_acc": 0.98,
    "citation_works_acc": 0.97,
    "citation_exact": 0.90,
}


def _score(tmp_path, paths) -> dict[str, float]:
    out = tmp_path / "records.jsonl"
    with out.open("w") as f:
        for o in parse_paths(paths):
            rec = to_record(o.letter) if o.letter else error_record(o.name, o.error or "")
            f.write(json.dumps(rec) + "\n")
    res = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), str(CORPUS / "gold"), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    metrics = {}
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                metrics[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return metrics


@needs_shared
@pytest.mark.parametrize("source", ["text", "pdf"])
def test_gold_bar(tmp_path, source):
    if source == "text":
        paths = corpus_texts()
    else:  # the seeds have no PDFs: score found PDFs plus seed texts
        paths = sorted((CORPUS / "found" / "pdf").glob("*.pdf")) + sorted((CORPUS / "seeds").glob("*.txt"))
    metrics = _score(tmp_path, paths)
    for name, floor in BAR.items():
        assert metrics[name] >= floor, f"{source}: {name} {metrics[name]:.4f} < {floor}"


@needs_shared
def test_pdf_and_text_give_the_same_records():
    for txt in sorted((CORPUS / "found").glob("*.txt"))[:40]:
        pdf = CORPUS / "found" / "pdf" / (txt.stem + ".pdf")
        a = next(iter(parse_paths([txt]))).letter
        b = next(iter(parse_paths([pdf]))).letter
        assert a is not None and b is not None
        ra, rb = to_record(a), to_record(b)
        for rec in (ra, rb):
            rec.pop("file"), rec.pop("sha256")
            for it in rec["items"]:
                _drop_spans(it)
        assert ra == rb, txt.name


def _drop_spans(obj):
    if isinstance(obj, dict):
        for k in [k for k in obj if k.endswith("span")]:
            obj.pop(k)
        for k in ("rationale", "text"):
            obj.pop(k, None)
        for v in obj.values():
            _drop_spans(v)
    elif isinstance(obj, list):
        for v in obj:
            _drop_spans(v)
