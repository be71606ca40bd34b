from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
EXAMPLES = ROOT / "examples" / "letters"

needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")


def corpus_texts() -> list[Path]:
    return sorted((CORPUS / "found").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))
