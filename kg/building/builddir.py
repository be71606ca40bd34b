"""A build's output directory: the one place its file names are spelled and a build is read.

``imrkg build`` writes, and ``load``, ``validate``, ``export`` and the tests read:

- ``graph.trig`` (or ``graph-000.trig`` … with ``--shards N``): TriG, one named graph per letter
  (:mod:`kg.graph.terms` says why TriG); the vocabulary and ontology graphs lead the first file;
- ``statistics.trig``: the statistics graphs the canned queries read (kg.graph.statistics);
- with ``--compress gzip`` (the default from :data:`AUTO_GZIP_FROM` inputs on) each of those is
  gzip-compressed under the same name plus ``.gz``: ``graph.trig.gz``, ``statistics.trig.gz``;
- ``manifest.sqlite``: every source's size, mtime, sha256, shard and letter graph (kg.building.manifest);
- ``words.sqlite``: the word index of every item's title and rationale sentences, with the facts
  ``imrkg find`` filters on (kg.building.words);
- ``tables/NAME/SHARD.parquet``: the analyst tables (letters, items, sources, reasons), a file per
  graph shard, which ``imrkg sql`` reads with DuckDB (kg.building.tables);
- ``summary.json`` and ``validation-report.txt``; ``graph.ttl`` with ``--turtle``.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path("out")  # where ``imrkg build`` writes unless told
GRAPH_FILE = "graph.trig"
SHARD_PATTERN = "graph-{:03d}.trig"
SHARD_GLOB = "graph-[0-9][0-9][0-9].trig"
STATISTICS_FILE = "statistics.trig"
GRAPH_GLOB = "*.trig*"  # every graph file of a build, as the README's bulk-load recipes name them
# what earlier releases wrote (N-Quads): a build directory holding these must be rebuilt
OLD_GRAPH_FILES = ("graph.nq", "graph.nq.gz", "statistics.nq", "statistics.nq.gz")
MANIFEST_FILE = "manifest.sqlite"
WORDS_FILE = "words.sqlite"  # the word index `imrkg find` searches (kg.building.words)
TABLES_FOLDER = "tables"  # the analyst tables `imrkg sql` reads (kg.building.tables)
SUMMARY_FILE = "summary.json"
REPORT_FILE = "validation-report.txt"
TURTLE_FILE = "graph.ttl"
LOCK_FILE = ".build.lock"  # held while a build writes the directory

# graph files by suffix, as rdflib names their formats; any of them may also end in .gz
GRAPH_FORMATS = {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".nt": "nt"}
GZIP = ".gz"
COMPRESSIONS = ("auto", "gzip", "none")
# auto compresses from this many inputs on: the graph files compress about 5x at gzip level 1
# (3.6 KB a letter), and a build of 10,000 letters writes about 0.2 GB of TriG; below that, plain
# text people can open
AUTO_GZIP_FROM = 10_000


def compressed(compression: str, inputs: int) -> bool:
    """Whether a build of ``inputs`` documents writes gzip under ``--compress compression``."""
    if compression not in COMPRESSIONS:
        raise ValueError(f"unknown compression {compression!r}; choose one of {', '.join(COMPRESSIONS)}")
    return compression == "gzip" or (compression == "auto" and inputs >= AUTO_GZIP_FROM)


class _Counted(io.RawIOBase):
    """A file that tells ``advanced`` how many bytes each read took (for a progress bar)."""

    def __init__(self, raw, advanced: Callable[[int], None]) -> None:
        self.raw = raw
        self.advanced = advanced

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.advanced(n)
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class GraphFileError(OSError):
    """A graph file that cannot be read to its end (a truncated or corrupt .gz): names the file."""

    def __str__(self) -> str:
        return str(self.strerror)


class _Checked(io.RawIOBase):
    """A gzip stream whose read errors (a truncated file, a bad CRC) become a :class:`GraphFileError`
    naming the file: unnamed, an EOFError reached the user as click's bare "Aborted."."""

    def __init__(self, unpacked: gzip.GzipFile, path: str | Path) -> None:
        self.unpacked, self.path = unpacked, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            return self.unpacked.readinto(buffer)
        except (EOFError, zlib.error, gzip.BadGzipFile) as err:
            raise GraphFileError(0, f"truncated or corrupt gzip file ({err}); build it again", str(self.path)) from None

    def close(self) -> None:
        self.unpacked.close()
        super().close()


def open_graph(path: str | Path, advanced: Callable[[int], None] | None = None):
    """A graph file opened for reading bytes, gzip or not (by its name). ``advanced`` is told the
    bytes of the file read so far, compressed bytes for a ``.gz`` file (its size is the total)."""
    raw = open(path, "rb")
    if advanced is not None:
        raw = io.BufferedReader(_Counted(raw, advanced))
    if not str(path).endswith(GZIP):
        return raw
    unpacked = gzip.GzipFile(fileobj=raw, mode="rb")
    unpacked.myfileobj = raw  # type: ignore[assignment] # closing the gzip reader closes the file under it
    return io.BufferedReader(_Checked(unpacked, path))


@dataclass(frozen=True, slots=True)
class BuildDir:
    """The output directory of ``imrkg build``."""

    path: Path

    def shard_file(self, shard: int, shards: int, gzipped: bool = False) -> Path:
        """Where shard ``shard`` of ``shards`` is written (``graph.trig`` when there is one)."""
        name = GRAPH_FILE if shards == 1 else SHARD_PATTERN.format(shard)
        return self.path / (name + GZIP if gzipped else name)

    def statistics_file(self, gzipped: bool = False) -> Path:
        """Where the statistics graphs are written."""
        return self.path / (STATISTICS_FILE + GZIP if gzipped else STATISTICS_FILE)

    @property
    def statistics(self) -> Path:
        """The statistics graphs as the last build wrote them (compressed or not)."""
        gz = self.statistics_file(True)
        return gz if gz.is_file() else self.statistics_file(False)

    def other_format_files(self, gzipped: bool) -> list[Path]:
        """Graph files a build of the other compression left (removed when this one finishes)."""
        suffix = "" if gzipped else GZIP
        names = [GRAPH_FILE + suffix, STATISTICS_FILE + suffix, *OLD_GRAPH_FILES]
        old_shards = sorted(self.path.glob("graph-[0-9][0-9][0-9].nq*"))
        return [self.path / n for n in names] + sorted(self.path.glob(SHARD_GLOB + suffix)) + old_shards

    @property
    def manifest(self) -> Path:
        """The build manifest (SQLite)."""
        return self.path / MANIFEST_FILE

    @property
    def words(self) -> Path:
        """The word index (``imrkg find``)."""
        return self.path / WORDS_FILE

    @property
    def tables(self) -> Path:
        """The analyst tables' folder (``imrkg sql``): ``tables/NAME/SHARD.parquet``."""
        return self.path / TABLES_FOLDER

    def table_file(self, table: str, shard: int, shards: int) -> Path:
        """Table ``table``'s rows of the letters of one graph shard (named as the shard's graph file)."""
        return self.tables / table / (self.shard_file(shard, shards).name.removesuffix(".trig") + ".parquet")

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
        """The files holding the letter graphs: the shards, or ``graph.trig`` (``.gz`` or not)."""
        for suffix in (GZIP, ""):
            shards = sorted(self.path.glob(SHARD_GLOB + suffix))
            if shards:
                return shards
            if (self.path / (GRAPH_FILE + suffix)).is_file():
                return [self.path / (GRAPH_FILE + suffix)]
        if any((self.path / name).is_file() for name in OLD_GRAPH_FILES):
            raise FileNotFoundError(
                f"{self.path} was built by an earlier imr-kg (N-Quads files); run imrkg build again to update it"
            )
        return [self.path / GRAPH_FILE]

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


def graphs_of(path: str | Path) -> Iterator[tuple[Any, list]]:
    """(graph name, its quads) for each run of consecutive quads of one graph in a graph file (a
    build writes each letter's graph in one run): memory holds one graph at a time."""
    import pyoxigraph as ox

    with open_graph(path) as fh:
        current, quads = None, []  # type: ignore[var-annotated]
        for quad in ox.parse(input=fh, format=rdf_format(path)):
            if quad.graph_name != current:
                if quads:
                    yield current, quads
                current, quads = quad.graph_name, []
            quads.append(quad)
        if quads:
            yield current, quads


def rdf_format(path: str | Path):
    """The pyoxigraph RdfFormat of a graph file from its suffix (``.gz`` is looked through);
    ValueError for a suffix that is not an RDF format."""
    import pyoxigraph as ox

    graph_format(path)
    name = Path(path).name.lower().removesuffix(GZIP)
    return ox.RdfFormat.from_extension(Path(name).suffix[1:])


def graph_format(path: str | Path) -> str:
    """The RDF format of a graph file from its suffix (rdflib's name for it; ``.gz`` is looked through)."""
    name = Path(path).name.lower().removesuffix(GZIP)
    suffix = Path(name).suffix
    try:
        return GRAPH_FORMATS[suffix]
    except KeyError:
        known = ", ".join(GRAPH_FORMATS)
        raise ValueError(f"unknown RDF format {suffix or '(no extension)'} (use {known})") from None


__all__ = [
    "AUTO_GZIP_FROM",
    "COMPRESSIONS",
    "DEFAULT_OUTPUT",
    "GRAPH_FORMATS",
    "MANIFEST_FILE",
    "REPORT_FILE",
    "STATISTICS_FILE",
    "SUMMARY_FILE",
    "TURTLE_FILE",
    "BuildDir",
    "graph_files",
    "compressed",
    "graph_format",
    "graphs_of",
    "rdf_format",
    "open_graph",
]
