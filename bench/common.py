"""What the benchmark scripts share: the synthetic corpus they build on and the commit they ran at."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_corpus(folder: Path, count: int) -> Path:
    """``count`` synthetic letters (bench/synth.py) in ``folder``, made once and reused after."""
    if not folder.is_dir():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synth.py"), str(folder), "--count", str(count)], check=True
        )
    return folder


def commit() -> str:
    """The checkout's commit, or "unknown" (a wheel or an exported tree has none)."""
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
