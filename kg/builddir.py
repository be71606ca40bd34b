"""A build's output directory: the one place its file names are spelled and a build is read.

``imrkg build`` writes, and ``load``, ``validate``, ``export`` and the tests read:

- ``graph.nq`` (or ``graph-000.nq`` … with ``--shards N``): N-Quads, one named graph per letter;
  the vocabulary and ontology graphs lead the first file;
- ``statistics.nq``: the statistics graph the canned queries read (kg.statistics);
- ``manifest.sqlite``: every source's size, mtime, sha256, shard and letter graph (kg.manifest);
- ``summary.json`` and ``validation-report.txt``; ``graph.ttl`` with ``--turtle``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path("out")  # where ``imrkg build`` writes unless told
GRAPH_FILE = "graph.nq"
SHARD_PATTERN = "graph-{:03d}.nq"
SHARD_GLOB = "graph-[0-9][0-9][0-9].nq"
STATISTICS_FILE = "statistics.nq"
MANIFEST_FILE = "manifest.sqlite"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "validation-report.txt"
TURTLE_FILE = "graph.ttl"
LOCK_FILE = ".build.lock"  # held while a build writes the directory

# graph files by suffix, as rdflib names their formats
GRAPH_FORMATS = {".nq": "nquads", ".trig": "trig", ".ttl": "turtle", ".nt": "nt"}


@dataclass(frozen=True, slots=True)
class BuildDir:
    """The output directory of ``imrkg build``."""

    path: Path

    def shard_file(self, shard: int, shards: int) -> Path:
        """Where shard ``shard`` of ``shards`` is written (``graph.nq`` when there is one)."""
        return self.path / (GRAPH_FILE if shards == 1 else SHARD_PATTERN.format(shard))

    @property
    def statistics(self) -> Path:
        """The statistics graph."""
        return self.path / STATISTICS_FILE

    @property
    def manifest(self) -> Path:
        """The build manifest (SQLite)."""
        return self.path / MANIFEST_FILE

    @property
    def summary(self) -> Path:
        """The build summary (JSON)."""
        return self.path / SUMMARY_FILE

    @property
    def report(self) -> Path:
        """The validation report (one line per SHACL violation or unparsed file)."""
        return self.path / REPORT_FILE

    @property
    def turtle(self) -> Path:
        """Turtle of all graphs, written with ``--turtle``."""
        return self.path / TURTLE_FILE

    @property
    def lock(self) -> Path:
        """The lock a build holds while it writes here."""
        return self.path / LOCK_FILE

    def is_build(self) -> bool:
        """Whether a build finished here (its manifest is written last)."""
        return self.manifest.is_file()

    def letter_files(self) -> list[Path]:
        """The N-Quads files holding the letter graphs: the shards, or ``graph.nq``."""
        return sorted(self.path.glob(SHARD_GLOB)) or [self.path / GRAPH_FILE]

    def graph_files(self) -> list[Path]:
        """Every graph file a store needs: the letter graphs, then the statistics graph."""
        files = self.letter_files()
        return [*files, self.statistics] if self.statistics.is_file() else files

    def read_summary(self) -> dict[str, Any]:
        """The build's ``summary.json``."""
        with self.summary.open(encoding="utf-8") as fh:
            return json.load(fh)


def graph_files(source: str | Path) -> list[Path]:
    """The graph files of a build directory, or the given graph file itself."""
    source = Path(source)
    return BuildDir(source).graph_files() if source.is_dir() else [source]


def graph_format(path: str | Path) -> str:
    """The RDF format of a graph file from its suffix (rdflib's name for it)."""
    suffix = Path(path).suffix.lower()
    try:
        return GRAPH_FORMATS[suffix]
    except KeyError:
        known = ", ".join(GRAPH_FORMATS)
        raise ValueError(f"unknown RDF format {suffix or '(no extension)'} (use {known})") from None


__all__ = [
    "DEFAULT_OUTPUT",
    "GRAPH_FORMATS",
    "MANIFEST_FILE",
    "REPORT_FILE",
    "STATISTICS_FILE",
    "SUMMARY_FILE",
    "TURTLE_FILE",
    "BuildDir",
    "graph_files",
    "graph_format",
]
