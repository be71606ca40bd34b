from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
EXAMPLES = ROOT / "examples" / "letters"

needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")


def corpus_texts() -> list[Path]:
    return sorted((CORPUS / "found").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> Path:
    """`imrkg build` of the bundled examples, once per test run (tests only read it)."""
    out = tmp_path_factory.mktemp("example-build")
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(EXAMPLES), "-o", str(out), "-q"], check=True, capture_output=True
    )
    return out


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory) -> Path:
    """`imrkg build` of the shared corpus (found letters and seeds), once per test run."""
    if not CORPUS.is_dir():
        pytest.skip("../shared corpus not present")
    out = tmp_path_factory.mktemp("shared-build")
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(CORPUS / "found"), str(CORPUS / "seeds"), "-o", str(out), "-q"],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def shared_letters():
    """The shared corpus parsed in plain Python, one letter per case (the build skips duplicates too)."""
    from kg import parse_text

    seen, out = set(), []
    for p in corpus_texts():
        letter = parse_text(p.read_text(), p.name)
        if letter.case_number is None or letter.case_number not in seen:
            seen.add(letter.case_number)
            out.append(letter)
    return out
