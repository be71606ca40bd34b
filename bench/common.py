"""What the benchmark scripts share: the synthetic corpus they build on and the commit they ran at."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_corpus(folder: Path, count: int) -> Path:
    """``count`` synthetic letters (bench/synth.py) in ``folder``, made once and reused after."""
    if not folder.is_dir():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synth.py"), str(folder), "--count", str(count)], check=True
        )
    return folder


def timed_build(letters: Path, out: Path, switched_off: str | None = None) -> float:
    """Wall seconds of a fresh ``imrkg build`` of ``letters`` into ``out``; ``switched_off`` names
    an environment variable set to 1 for it (IMRKG_NO_WORD_INDEX, IMRKG_NO_TABLES)."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)
    if switched_off:
        env[switched_off] = "1"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(letters), "-o", str(out), "-q"],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - start


def commit() -> str:
    """The checkout's commit, or "unknown" (a wheel or an exported tree has none)."""
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
