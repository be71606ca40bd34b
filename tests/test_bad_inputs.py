"""The bad-input corpus (tests/bad-inputs, remade by its make.py): every file gets one line naming
it and the reason, nothing else stops, the summary lists the failures, the exit status says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from kg.building.builddir import BuildDir

BAD = Path(__file__).resolve().parent / "bad-inputs"
CLI = [sys.executable, "-m", "kg.cli"]

# file -> what the one-line message must say
REFUSED = {
    "empty.txt": "empty document",
    "binary-junk.txt": "binary file",
    "junk.pdf": "corrupt PDF",
    "corrupt.pdf": "corrupt PDF (Data format error)",
    "encrypted.pdf": "encrypted PDF (password required)",
    "not-imr.pdf": "not an IMR determination letter",
    "not-imr.txt": "not an IMR determination letter",
    "scanned-no-text.pdf": "scanned PDF needs OCR",
    "cut-off-mid-item.txt": "letter cut off?",
    "format2-layout.txt": "unsupported IMR layout: 'IMR Decision(s) and Rationale(s)' (Format 2)",
    "format3-layout.txt": "unsupported IMR layout: 'Medical Professional Review' (Format 3)",
    "notice-2013.txt": "unsupported IMR layout: 2013",
    "shift-jis.txt": "not an IMR determination letter",
    "huge.txt": "file too large for a determination letter (50 MB)",
}
# recovered: the letter is read correctly despite the defect
RECOVERED = {"utf16-letter.txt", "cp1252-letter.txt", "missing-decisions-heading.txt"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("download-folder")
    for path in BAD.iterdir():
        if path.suffix in (".txt", ".pdf"):
            (folder / path.name).write_bytes(path.read_bytes())
    with open(folder / "huge.txt", "wb") as fh:  # 50 MB: made here, not kept in the repository
        fh.write(b"IMR ISSUES, DECISIONS AND RATIONALES\n" * (50 * 1024 * 1024 // 37 + 1))
    return folder


def _lines(stderr: str, summary_line: bool = False) -> dict[str, str]:
    out = {}
    lines = stderr.strip().splitlines()
    if summary_line:  # build ends with one summary line
        assert "letters" in lines[-1] and "not parsed" in lines[-1]
        lines = lines[:-1]
    for line in lines:
        assert line.startswith("imrkg: "), line
        name, _, reason = line[len("imrkg: ") :].partition(": ")
        assert Path(name).name not in out, f"{name} reported twice"
        out[Path(name).name] = reason
    return out


def test_parse_names_every_bad_file_once_and_goes_on(inputs):
    res = subprocess.run([*CLI, "parse", str(inputs), str(EXAMPLES)], capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    said = _lines(res.stderr)
    assert set(said) == set(REFUSED)
    for name, reason in REFUSED.items():
        assert reason in said[name], (name, said[name])
    records = [json.loads(line) for line in res.stdout.splitlines()]
    parsed = {r["file"] for r in records if "items" in r}
    assert parsed == RECOVERED | {p.name for p in EXAMPLES.glob("*.txt")}
    by_file = {r["file"]: r for r in records if "items" in r}
    for name in RECOVERED:
        assert [i["outcome"] for i in by_file[name]["items"]] == ["Upheld", "Overturned", "Upheld"]
    assert "Physical Medicine & Réhabilitation" in by_file["cp1252-letter.txt"]["reviewer"]["specialties"]


def test_build_lists_failures_in_its_summary(inputs, tmp_path):
    out = tmp_path / "out"
    res = subprocess.run(
        [*CLI, "build", str(inputs), str(EXAMPLES), "-o", str(out), "-q"], capture_output=True, text=True
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr
    said = _lines(res.stderr, summary_line=True)
    # the recovered copies of one example letter that state other things (an accent the cp1252 copy
    # gives the specialty, a summary the damaged copy lacks) are conflicts, named as such
    conflicts = {name for name, reason in said.items() if reason.startswith("same case as ")}
    assert set(said) - conflicts == set(REFUSED)
    summary = BuildDir(out).read_summary()
    assert {Path(f["file"]).name for f in summary["failures"]} == set(REFUSED)
    assert {Path(c["file"]).name for c in summary["conflicts"]} == conflicts
    assert all("states other things (first difference: " in said[name] for name in conflicts)
    assert summary["letters"] >= 2  # the examples (the recovered copies may duplicate them)
    report = (out / "validation-report.txt").read_text()
    assert all(f"not parsed: {inputs / name}" in report for name in REFUSED)
