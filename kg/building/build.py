"""Parse -> map -> validate -> write: the ``imrkg build`` pipeline, streaming, parallel, incremental.

What it writes in OUTDIR (graph files or shards, the statistics graph, the manifest, the summary
and the validation report) is named in :mod:`kg.building.builddir`; each file is written to a temporary
name and renamed when complete.

Letters are parsed, mapped, written as TriG and SHACL-validated in worker processes, a chunk at a
time (the statistics load a chunk into one in-memory store); the main process writes
results in input order, so output bytes do not depend on scheduling. Memory is bounded by the
chunks in flight, whatever the corpus size.

Re-running on the same OUTDIR rewrites only shards whose sources changed, appeared or vanished,
and in them parses only the new and changed files: every other letter's TriG block is copied
from the shard's previous file (the manifest keeps where it lies, and the letter's statistics,
table rows and findings). An unchanged corpus costs a stat per file.
"""

from __future__ import annotations

import fcntl
import gc
import gzip
import hashlib
import io
import json
import os
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from kg.base.output import atomic_writer, remove_stale_parts
from kg.base.pool import WORKER_DIED, chunked, default_jobs, die_with_parent, ordered_map
from kg.base.resources import reference_files
from kg.base.version import PARSER_VERSION
from kg.building.builddir import GZIP, BuildDir, compressed, open_graph, rdf_format
from kg.building.manifest import SCHEMA_VERSION, Manifest, SourceRow, file_sha256, shard_of
from kg.building.tables import ChunkTables, OldTables, ShardTables, chunk_ipc, tables
from kg.building.validate import Violation, index_triples, validate_data
from kg.building.words import WordIndex, letter_rows
from kg.graph.iris import ONTOLOGY_GRAPH, PREFIXES, VOCAB_GRAPH, graph_iri, letter_iri
from kg.graph.mapping import letter_triples
from kg.graph.shacl import compiled as compiled_shapes
from kg.graph.statistics import (
    Totals,
    chunk_statistics,
    definitions,
    kept_predicates,
    statistics_trig,
    summable,
    use_question_folders,
)
from kg.graph.table_rows import letter_rows as table_rows
from kg.graph.terms import nquad_lines, rdflib_trig, read_iri, ref, trig_graph, trig_header
from kg.graph.vocab_rdf import ontology_graph, vocabulary_graph
from kg.reading.drugs import lexicon
from kg.reading.parse import parse_document, parse_in_time, printable
from kg.reading.read import Document, discover
from kg.reading.records import stated_digest, to_record

CHUNK = 100  # letters per worker task (and per store the statistics are summed in)
GZIP_LEVEL = 1  # of the graph files (docs/scale.md: level 6 is 30 % smaller for 3x the CPU)


IN_PROCESS = False  # True: documents are worked in this process (for tests only: no memory cap)
WORDS_TOKEN = "words"  # the manifest's record of the word index it goes with
# IMRKG_NO_WORD_INDEX=1 builds without the word index: for bench/bench_find.py to measure its cost
WITH_WORDS = os.environ.get("IMRKG_NO_WORD_INDEX") != "1"
# IMRKG_NO_TABLES=1 builds without the analyst tables: for bench/bench_tables.py to measure their cost
WITH_TABLES = os.environ.get("IMRKG_NO_TABLES") != "1"
UNRESOLVED_PATH = "imr:work"  # the path of the shapes' warning on a guideline no vocabulary knows


@dataclass
class BuildSummary:
    """What a build did: counts, failures, duplicates, violations; ``summary.json`` is its JSON."""

    letters: int = 0
    items: int = 0
    triples: int = 0
    failures: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)  # copies of a letter the graph has (.txt and .pdf)
    conflicts: list[dict] = field(default_factory=list)  # same case number, other decisions
    violations: list[Violation] = field(default_factory=list)  # severity Violation: the letter does not conform
    warnings: list[Violation] = field(default_factory=list)  # severity Warning: reported, the letter conforms
    unmapped_treatments: list[dict] = field(default_factory=list)
    unresolved_citations: list[dict] = field(default_factory=list)  # sources whose guideline no vocabulary knows
    notes: list[str] = field(default_factory=list)  # what the user should know about this run (a manifest remade)
    outcomes: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    rebuilt_shards: int = 0
    shards: int = 1
    parsed: int = 0  # documents parsed in this run (0 when nothing changed)

    @property
    def ok(self) -> bool:
        """Every input parsed, no two letters of one case disagree, and every letter conforms."""
        return not self.failures and not self.conflicts and not self.violations

    def as_json(self) -> dict:
        """The summary as written to ``summary.json`` (build time included, unlike the graphs)."""
        return {
            "letters": self.letters,
            "items": self.items,
            "triples": self.triples,
            "item_outcomes": dict(self.outcomes),
            "failures": self.failures,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "letters_not_conforming": len({v.letter for v in self.violations}),
            "unmapped_treatments": self.unmapped_treatments,
            "unresolved_citations": self.unresolved_citations,
            "notes": self.notes,
            "shards": self.shards,
            "rebuilt_shards": self.rebuilt_shards,
            "parsed_this_run": self.parsed,
            "seconds": round(self.seconds, 3),
        }


# -- the work of one chunk, in a worker process -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Result:
    """What a worker made of one document: its graph (TriG) and what the manifest keeps of it."""

    name: str
    sha256: str | None = None  # of the bytes the worker read
    error: str | None = None
    letter: str | None = None  # letter IRI
    graph: str | None = None
    text: str = ""  # the letter's graph as TriG
    triples: int = 0
    outcomes: tuple[str, ...] = ()
    unmapped: tuple[tuple[int, str], ...] = ()
    violations: tuple[str, ...] = ()  # JSON of Violation fields
    stats: str = ""  # JSON of the letter's partial rows of every question (kg.graph.statistics)
    stated: str | None = None  # digest of what the letter states: two files of one case must agree
    words: str = ""  # the letter's rows of the word index (kg.building.words.letter_rows)
    table_counts: tuple[int, ...] = ()  # its rows of each analyst table (kg.graph.table_rows), in the chunk's batch
    table_ipc: tuple[bytes, ...] = ()  # on a chunk's first result: the chunk's rows as Arrow (kg.building.tables)


def process_chunk(docs: list[tuple[str, str | None]]) -> list[Result]:
    """Read, parse, map, validate and write a chunk of documents; sum its statistics.

    Each document is ``(path, sha256 or None)``: the file is read here, once, and hashed here
    unless the main process already knew its hash."""
    results: list[Result] = []
    table_batch: dict[str, list[list]] = {name: [] for name in tables()} if WITH_TABLES else {}
    first_copies: list[tuple[str, str]] = []  # (letter IRI, TriG of what the questions read)
    in_batch: set[str] = set()
    kept = kept_predicates()
    for name, known in docs:
        outcome = parse_in_time(Document(name, Path(name), sha256=known))
        if outcome.letter is None:
            results.append(Result(name, outcome.source_sha256, error=outcome.error))
            continue
        letter = outcome.letter
        triples = letter_triples(letter, outcome.source_sha256)
        key = str(letter_iri(letter))
        graph = str(graph_iri(letter))
        data = index_triples(triples)  # one index of the letter for SHACL and the analyst tables
        if key not in in_batch:  # a second copy of a letter (its .pdf and .txt) is a duplicate
            in_batch.add(key)
            used = triples if kept is None else [t for t in triples if read_iri(t[1]) in kept]
            first_copies.append((key, trig_graph(graph, used)))
        results.append(
            Result(
                name,
                outcome.source_sha256,
                letter=key,
                graph=graph,
                text=trig_graph(graph, triples),
                triples=len(triples),
                outcomes=tuple(i.outcome for i in letter.items),
                unmapped=tuple(
                    (i.number, i.title) for i in letter.items if i.treatment is None or not i.treatment.concept
                ),
                violations=tuple(json.dumps(asdict(v)) for v in validate_data(data)),
                stated=stated_digest(to_record(letter)),
                words=letter_rows(letter) if WITH_WORDS else "",
                table_counts=_add_rows(table_batch, table_rows(data)) if WITH_TABLES else (),
            )
        )
    stats = chunk_statistics(first_copies, _fixed_bytes())
    results = [replace(r, stats=stats.get(r.letter, "{}")) if r.letter else r for r in results]
    if results and any(table_batch.values()):
        results[0] = replace(results[0], table_ipc=chunk_ipc(table_batch))
    return results


def _add_rows(batch: dict[str, list[list]], rows: dict[str, list[list]]) -> tuple[int, ...]:
    """Append a letter's table rows to its chunk's batch; how many it gave each table."""
    counts = []
    for name, into in batch.items():
        mine = rows.get(name, [])
        into.extend(mine)
        counts.append(len(mine))
    return tuple(counts)


@cache
def _fixed_bytes() -> bytes:
    """The vocabulary and ontology graphs as N-Quads, which the questions' partial queries join
    with (N-Quads so that kg.graph.statistics can keep the lines the questions read)."""
    vocab, onto = _fixed_rdflib()
    return ("".join(nquad_lines(vocab, VOCAB_GRAPH)) + "".join(nquad_lines(onto, ONTOLOGY_GRAPH))).encode()


def _preload() -> None:
    """Load what every document needs before the first one is timed: shapes, vocabulary, the
    questions and the drug dictionary (about 1.5 s together)."""
    compiled_shapes()
    summable()
    _fixed_bytes()
    lexicon()


def _warm(question_folders: tuple[str, ...] = ()) -> None:
    """Worker start: load the shapes and vocabulary once, then move them out of the garbage
    collector's sight. A chunk allocates millions of short-lived objects (rdflib terms, triples);
    with the default thresholds the collector re-scanned the long-lived ones every few
    thousand allocations, about a fifth of a worker's time."""
    die_with_parent()
    use_question_folders(question_folders)
    _preload()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


# -- the build ---------------------------------------------------------------------------------
STAT_GROUP = 1024  # letters a statistics group holds on average (a boundary after a name whose hash says so)
STAT_GROUP_MAX = 4 * STAT_GROUP


def _ends_group(path: str) -> bool:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % STAT_GROUP == 0


def _stat_groups(manifest: Manifest) -> Iterator[tuple[str, int, int]]:
    """The letters in input order cut into groups (key, first ord, last ord). A group ends after a
    letter whose file name hashes to 0 mod :data:`STAT_GROUP` (or at :data:`STAT_GROUP_MAX`
    letters), so an edit, an addition or a removal changes the groups around it and no others;
    the key names the group's files and their hashes."""
    digest, first, count, last = hashlib.sha1(), None, 0, -1
    for order, path, sha in manifest.letter_keys():
        first = order if first is None else first
        digest.update(f"{path}\0{sha}\n".encode("utf-8", "surrogateescape"))
        count, last = count + 1, order
        if _ends_group(path) or count >= STAT_GROUP_MAX:
            yield digest.hexdigest(), first, last
            digest, first, count = hashlib.sha1(), None, 0
    if first is not None:
        yield digest.hexdigest(), first, last


def write_statistics(manifest: Manifest, path: Path, old: Manifest | None = None) -> int:
    """Sum every letter's partial counts into the statistics graphs (``statistics.trig[.gz]``).

    Summed a group of letters at a time (:func:`_stat_groups`); a group the last build summed
    (same files, same hashes) is taken whole from its manifest: summing 50,000 letters afresh
    took 12 s of a 30 s rebuild after one edit. The sums do not depend on the grouping (integer
    and decimal sums, minima, maxima), so the bytes are a fresh build's."""
    totals = Totals()
    for key, first, last in _stat_groups(manifest):
        kept = old.group_totals(key) if old is not None else None
        group = None
        if kept is not None:
            try:
                group = Totals.from_json(zlib.decompress(kept).decode())
            except (ValueError, KeyError, TypeError, zlib.error):
                kept = None  # unreadable: summed again from its letters
        if group is None:
            group = Totals()
            for stats in manifest.statistics_between(first, last):
                group.add(stats)
        manifest.set_group_totals(key, kept or zlib.compress(group.to_json().encode(), 1))
        totals.merge(group)
    with graph_writer(path) as out:
        out.writelines(statistics_trig(totals))
    return totals.observations()


@contextmanager
def binary_graph_writer(path: Path) -> Iterator[IO[bytes]]:
    """Write graph bytes (UTF-8 TriG) to ``path`` atomically, gzip-compressed when its name ends
    in ``.gz`` (level :data:`GZIP_LEVEL`; no name or time in the header, so the bytes depend on
    the content only)."""
    with atomic_writer(path, "wb") as raw:
        gz = str(path).endswith(GZIP)
        packer: Any = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
            if gz
            else nullcontext(raw)
        )
        with packer as binary:
            yield binary


@contextmanager
def graph_writer(path: Path) -> Iterator[IO[str]]:
    """:func:`binary_graph_writer` for text."""
    with binary_graph_writer(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # the wrapper must not close the file atomic_writer still renames


class _ShardOut:
    """A shard file being written, counting the bytes of its text: where each letter's block
    lies, so the next build can copy it instead of parsing its letter again."""

    def __init__(self, path: Path) -> None:
        self._context = binary_graph_writer(path)
        self._fh = self._context.__enter__()
        self.pos = 0

    def write(self, data: bytes) -> tuple[int, int]:
        """Write ``data``; returns (start, length) in the shard's text."""
        self._fh.write(data)
        start, self.pos = self.pos, self.pos + len(data)
        return start, len(data)

    def close(self) -> None:
        self._fh.flush()
        self._context.__exit__(None, None, None)

    def abandon(self) -> None:
        self._context.__exit__(RuntimeError, RuntimeError("build interrupted"), None)


class _OldBlocks:
    """The previous build's file of one shard, read forward to copy kept letters' blocks (they come
    in input order, as they were written; a block behind the reading point reopens the file)."""

    def __init__(self, path: Path | None) -> None:
        self.path, self._pos = path, 0
        self._fh: Any = None

    def read(self, start: int, length: int, graph: str) -> bytes | None:
        """The block at ``start``, or None when the file does not hold ``graph``'s block there."""
        if self.path is None:
            return None
        try:
            if self._fh is None or start < self._pos:
                self.close()
                self._fh, self._pos = open_graph(self.path), 0
            while self._pos < start:
                skipped = len(self._fh.read(min(start - self._pos, 1 << 20)))
                if not skipped:
                    return None
                self._pos += skipped
            data = self._fh.read(length)
            self._pos += len(data)
        except (OSError, EOFError, ValueError):
            self.close()
            return None
        expected = (ref(graph) + " {").encode()
        return data if len(data) == length and data.startswith(expected) else None

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@cache
def _fixed_rdflib() -> tuple[Graph, Graph]:
    """The vocabulary and ontology graphs (built once: the TriG output and the statistics' N-Quads
    both come from them, in one process when --jobs 1)."""
    return vocabulary_graph(), ontology_graph()


def fixed_graphs() -> str:
    """The vocabulary and ontology named graphs as TriG blocks: they lead the first shard."""
    vocab, onto = _fixed_rdflib()
    return rdflib_trig(VOCAB_GRAPH, vocab) + rdflib_trig(ONTOLOGY_GRAPH, onto)


def _fixed_inputs_sha256() -> str:
    """What the output depends on besides the letters: code version, reference data, ontology,
    shapes. Hashing the files is cheaper than generating the vocabulary graph on every run."""
    return file_sha256(b"".join(f.read_bytes() for f in reference_files()))


def build(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    progress: Callable[[str], None] | None = None,
    *,
    jobs: int | None = None,
    shards: int = 1,
    turtle: bool = False,
    question_folders: Iterable[str | Path] = (),
    compress: str = "auto",
    planned: Callable[[int], None] | None = None,
) -> BuildSummary:
    """Build (or bring up to date) the graph of ``inputs`` in ``outdir``; see the module docstring.
    ``question_folders`` hold users' own questions, summed into the statistics like the shipped ones;
    ``compress`` is "gzip", "none" or "auto" (gzip from :data:`kg.building.builddir.AUTO_GZIP_FROM` inputs);
    ``planned`` is told how many documents will be parsed, once that is known; ``progress`` is told
    each one's name as it is done."""
    compressed(compress, 0)  # an unknown value fails before anything is written
    out = BuildDir(Path(outdir))
    out.path.mkdir(parents=True, exist_ok=True)
    folders = tuple(str(f) for f in question_folders)
    use_question_folders(folders)
    with _locked(out):
        return _build(
            inputs,
            out,
            progress,
            jobs=jobs,
            shards=shards,
            turtle=turtle,
            folders=folders,
            compress=compress,
            planned=planned,
        )


class BuildLocked(RuntimeError):
    """Another build is writing the same output directory."""


@contextmanager
def _locked(out: BuildDir) -> Iterator[None]:
    """Hold the directory's lock for the whole build: a second build into the same OUTDIR would
    delete the first one's temporary files. The lock goes with the process, however it ends."""
    with open(out.lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise BuildLocked(
                f"{out.path} is being built by another process ({fh.read().strip() or 'pid unknown'})"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        yield


def _build(inputs, out: BuildDir, progress, *, jobs, shards, turtle, folders, compress, planned=None) -> BuildSummary:
    remove_stale_parts(out.path)  # left by a killed run; never under a final name
    start = time.perf_counter()
    summary = BuildSummary(shards=shards)
    settings = {
        "parser": PARSER_VERSION,
        "shards": str(shards),
        "inputs": _fixed_inputs_sha256(),
        "questions": definitions(),
        "manifest": SCHEMA_VERSION,
        "tables": "yes" if WITH_TABLES else "no",  # a build without them keeps no rows to copy
    }
    old = Manifest.open_existing(out.manifest, settings, summary.notes.append)
    index = WordIndex.for_build(out.words, old.meta(WORDS_TOKEN) if old else None)
    try:
        with Manifest.create(out.manifest, settings) as new:
            old_files: dict[int, Path] = {}
            dirty = _plan(inputs, out, old, new, shards, summary, old_files)
            gz = compressed(compress, new.source_count())
            stale = [p for p in out.other_format_files(gz) if p.exists()]
            if stale:  # the other compression's files: every shard is written again in this one
                dirty = set(range(shards))
            if index.is_new and old is not None and (len(dirty) < shards or new.kept_count()):
                summary.notes.append(f"{out.words}: missing or out of step with the graph: every input is parsed again")
                dirty = set(range(shards))
                new.unkeep_all()  # the words come from parsing
            summary.rebuilt_shards = len(dirty)
            new.carry_over(old, dirty)
            if not index.is_new:
                new.conn.commit()  # the index reads what the manifest carries over
                index.keep_only(new.path, dirty)
            if dirty:
                _rebuild(out, new, dirty, shards, jobs, progress, summary, folders, gz, planned, index, old_files)
            _tally(new, summary)
            if dirty or not out.statistics_file(gz).exists():
                write_statistics(new, out.statistics_file(gz), old)
            else:
                new.keep_group_totals(old)
            token = uuid.uuid4().hex
            new.set_meta(WORDS_TOKEN, token)
            index.commit(token)  # before the manifest: a manifest never names an index not written
            new.commit()
    except BaseException:
        index.abandon()
        raise
    for path in stale:
        path.unlink(missing_ok=True)
    _remove_stale_tables(out, shards)
    if old is not None:
        old.close()
    if turtle and (dirty or not out.turtle.exists()):
        write_turtle([out.shard_file(k, shards, gz) for k in range(shards)], out.turtle)
    summary.seconds = time.perf_counter() - start
    with atomic_writer(out.report) as rep:
        rep.write(report_text(summary))
    with atomic_writer(out.summary) as js:
        json.dump(summary.as_json(), js, indent=2)
        js.write("\n")
    return summary


def _remove_stale_tables(out: BuildDir, shards: int) -> None:
    """Table files of shards this build does not have (another --shards), or all of them when
    the build wrote none (IMRKG_NO_TABLES): they would answer for letters the graph no longer has."""
    keep = {out.table_file(t, k, shards) for t in tables() for k in range(shards)} if WITH_TABLES else set()
    for path in out.tables.glob("*/*.parquet") if out.tables.is_dir() else ():
        if path not in keep:
            path.unlink()


def _plan(
    inputs,
    out: BuildDir,
    old: Manifest | None,
    new: Manifest,
    shards: int,
    summary: BuildSummary,
    old_files: dict[int, Path],
) -> set[int]:
    """Record every source in the new manifest; return the shards that must be rebuilt, and put
    in ``old_files`` the previous file of each shard, intact, that kept sources' blocks are copied from.

    Nothing is read here but a stat per file: a file new to this build is read and hashed by
    its worker. Only a file whose size or mtime changed since the last build is hashed here, to
    tell an edit from a touch; its worker is given that hash."""
    dirty: set[int] = set()
    for order, doc in enumerate(discover(inputs)):
        if doc.path is None:
            summary.failures.append({"file": doc.name, "error": "build reads files and folders; use `imrkg parse -`"})
            continue
        shown = printable(doc.name)
        if doc.problem:
            summary.failures.append({"file": shown, "error": doc.problem})
            continue
        if shown != doc.name:  # the manifest keeps names as UTF-8 text
            summary.failures.append({"file": shown, "error": "file name is not valid UTF-8; rename it"})
            continue
        prev = old.get(doc.name) if old else None
        try:
            st = doc.path.stat()
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError:
            size, mtime = -1, 0
        if prev is None or size < 0:
            sha = None  # read and hashed by the worker
        elif (prev.size, prev.mtime_ns) == (size, mtime):
            sha = prev.sha256  # unchanged since the last build: no need to read it
        else:
            sha = _hash_file(doc.path)
        shard = shard_of(doc.name, shards)
        same = prev is not None and sha is not None and prev.sha256 == sha and prev.shard == shard
        if not same:
            dirty.add(shard)
            if prev is not None:
                dirty.add(prev.shard)
        # unchanged and written last time: a rebuilt shard copies its graph block, not parse it again
        kept = (
            prev is not None
            and same
            and prev.letter is not None
            and not prev.error
            and not prev.duplicate_of
            and prev.block_start is not None
        )
        new.add_source(SourceRow(doc.name, order, size, mtime, sha, shard, kept=int(kept)))
    if old is None:
        return set(range(shards))
    dirty |= new.missing_shards(old)
    for shard in range(shards):
        written = [out.shard_file(shard, shards, gz) for gz in (True, False)]
        intact = [f for f in written if f.exists() and old.shard_file_intact(f, shard)]
        if not intact:
            dirty.add(shard)  # missing or touched since the last build: make it again
            new.unkeep_shard(shard)  # and nothing can be copied from it
        else:
            old_files[shard] = intact[0]
        if WITH_TABLES and not all(out.table_file(t, shard, shards).is_file() for t in tables()):
            dirty.add(shard)  # its analyst tables are missing (removed, or a build before 0.10)
            new.unkeep_shard(shard)  # kept letters' rows come from them
    return dirty


def _hash_file(path: Path) -> str | None:
    try:
        return file_sha256(path.read_bytes())
    except OSError:
        return None  # the worker will say why it cannot be read


def _rebuild(
    out: BuildDir,
    new: Manifest,
    dirty: set[int],
    shards: int,
    jobs,
    progress,
    summary,
    folders,
    gz,
    planned=None,
    index: WordIndex | None = None,
    old_files: dict[int, Path] | None = None,
) -> None:
    """Write the ``dirty`` shards again: a kept source's block is copied from the shard's previous
    file (with its results, carried over in the manifest), every other source is parsed by a
    worker; both in input order, so the bytes are a fresh build's."""
    if planned is not None:
        planned(new.count_in(dirty, kept=False))  # a total for a progress bar
    files: dict[int, _ShardOut] = {}
    tabled: dict[int, ShardTables] = {}
    olds = {shard: _OldBlocks((old_files or {}).get(shard)) for shard in dirty}
    old_tables = {shard: OldTables([out.table_file(t, shard, shards) for t in tables()]) for shard in dirty}
    chunk: ChunkTables | None = None
    stack = ExitStack()
    try:
        for shard in sorted(dirty):
            files[shard] = _ShardOut(out.shard_file(shard, shards, gz))
            files[shard].write(trig_header().encode())
            if WITH_TABLES:
                tabled[shard] = ShardTables({t: out.table_file(t, shard, shards) for t in tables()})
        if 0 in files:
            files[0].write(fixed_graphs().encode())
        results = _results(new.sources_in(dirty, kept=False), jobs, folders)
        stack.callback(results.close)  # a failed write stops the workers now, not at interpreter exit
        for row in new.sources_in(dirty):
            if row.kept:
                block = olds[row.shard].read(row.block_start, row.block_len, row.graph)  # type: ignore[arg-type]
                parts = old_tables[row.shard].take(row.table_at, row.letter) if row.shard in tabled else []
                if block is not None and parts is not None:
                    _keep(new, row, block, parts, files, tabled, index)
                    continue
                result = process_chunk([(row.path, row.sha256)])[0]  # its old block or rows are not there
                rows_of = ChunkTables(result.table_ipc) if result.table_ipc else None
            else:
                parsed_row, result = next(results)
                assert parsed_row.path == row.path, (parsed_row.path, row.path)
                if result.table_ipc:  # the first result of a worker's chunk brings the chunk's rows
                    chunk = ChunkTables(result.table_ipc)
                rows_of = chunk
            parts = rows_of.take(result.table_counts) if rows_of is not None and result.table_counts else None
            summary.parsed += 1
            if progress:
                progress(row.path)
            _write_result(new, row, result, parts, files, tabled, index)
        for shard, file in files.items():
            file.close()
            new.set_shard_file(shard, out.shard_file(shard, shards, gz))
        files.clear()
        for shard_tables in tabled.values():  # after the graph: a table file never runs ahead of its shard
            shard_tables.close()
        tabled.clear()
    finally:
        stack.close()
        for old in olds.values():
            old.close()
        for file in files.values():
            file.abandon()
        for shard_tables in tabled.values():
            shard_tables.abandon()


def _write_result(new: Manifest, row: SourceRow, result: Result, parts, files, tabled, index) -> None:
    """A parsed source: its block, table rows (``parts``) and words written, or noted as a
    duplicate or a failure."""
    owner = new.owner_of(result.letter or "") if result.error is None else None
    if owner is not None:  # the same letter from another file (a .txt and .pdf of one case)
        new.set_result(row.path, result=result, duplicate_of=owner)
        return
    block = table_at = None
    if result.error is None:
        block = files[row.shard].write(result.text.encode())
        if index is not None and result.words:
            index.add(row.path, result.sha256, result.words)
        if row.shard in tabled and parts is not None:
            table_at = tabled[row.shard].add(parts)
    new.set_result(row.path, result=result, block=block, table_at=table_at)


def _keep(new: Manifest, row: SourceRow, block: bytes, parts: list, files, tabled, index) -> None:
    """A kept source: its block and table rows copied, its results already carried over in the manifest."""
    owner = new.owner_of(row.letter or "")
    if owner is not None:  # a source earlier in input order now gives this letter
        new.keep_as_duplicate(row.path, owner)
        if index is not None:
            index.remove_source(row.path)
        return
    table_at = tabled[row.shard].add(parts) if row.shard in tabled else None
    new.keep_done(row.path, files[row.shard].write(block), table_at)


def _results(rows: Iterable[SourceRow], jobs: int | None, folders: tuple[str, ...] = ()):
    """(row, Result) in input order; chunks run in worker processes (:func:`kg.base.pool.ordered_map`:
    a bounded number at a time, a document that kills a worker costs only that document)."""
    jobs = default_jobs(jobs)
    chunks = chunked(rows, CHUNK)
    if IN_PROCESS:  # tests that watch the work from this process; no memory cap
        _preload()
        for chunk in chunks:
            yield from zip(chunk, process_chunk(_work(chunk)), strict=True)
        return
    # always in worker processes, even with one job: only a worker has the memory cap
    # (kg.base.pool.limit_memory), and a document that kills one costs that document, not the run
    yield from ordered_map(
        process_chunk,
        chunks,
        jobs,
        prepare=_work,
        died=_died,
        initializer=_warm,
        initargs=(folders,),
    )


def _died(row: SourceRow) -> Result:
    return Result(row.path, row.sha256, error=WORKER_DIED)


def _work(chunk: list[SourceRow]) -> list[tuple[str, str | None]]:
    return [(r.path, r.sha256) for r in chunk]


def _tally(manifest: Manifest, summary: BuildSummary) -> None:
    """Count what the manifest holds. A second file of a letter the graph already has (its case
    number) is a *copy* when its items have the outcomes of the first (a .txt and a .pdf of one
    letter), else a *conflict*: the graph keeps the first file in input order, and the build
    names both and fails (exit 1), since one decision would otherwise be lost without a word."""
    outcomes_of: dict[str, str | None] = {}
    stated_of: dict[str, str | None] = {}
    duplicates = []
    for row in manifest.results():
        if row.error:
            summary.failures.append({"file": row.path, "error": row.error})
        elif row.duplicate_of:
            duplicates.append(row)
        elif row.letter:
            outcomes_of[row.path] = row.outcomes
            stated_of[row.path] = row.stated
            summary.letters += 1
            summary.triples += row.triples
            outcomes = json.loads(row.outcomes or "[]")
            summary.items += len(outcomes)
            summary.outcomes.update(outcomes)
            summary.unmapped_treatments.extend(
                {"file": row.path, "item": n, "title": t} for n, t in json.loads(row.unmapped or "[]")
            )
            for found in (Violation(**json.loads(v)) for v in json.loads(row.violations or "[]")):
                (summary.warnings if found.is_warning else summary.violations).append(found)
                if found.is_warning and found.path == UNRESOLVED_PATH:
                    summary.unresolved_citations.append(
                        {"file": row.path, "letter": found.letter, "source": found.focus}
                    )
    for row in duplicates:
        owner = str(row.duplicate_of)
        kept = outcomes_of.get(owner)
        same_outcomes = row.outcomes is None or kept is None or json.loads(row.outcomes) == json.loads(kept)
        same_statements = row.stated is None or row.stated == stated_of.get(owner, row.stated)
        if same_outcomes and same_statements:
            summary.duplicates.append({"file": row.path, "same_letter_as": owner})
            continue
        if same_outcomes:  # the decisions agree, something else the letters state does not
            why = f"it states other things ({_difference(owner, row.path)})"
        else:
            why = f"other decisions ({', '.join(json.loads(str(row.outcomes)))} against {', '.join(json.loads(str(kept)))})"
        summary.conflicts.append(
            {
                "file": row.path,
                "kept": owner,
                "error": f"same case as {owner} but {why}; the graph keeps the first file",
            }
        )


def _difference(first: str, second: str) -> str:
    """Where two files of one case first differ in what they state (both parsed again: a conflict
    is rare, and the manifest keeps only a digest of each)."""
    from kg.reading.records import first_difference, stated

    records = []
    for path in (first, second):
        outcome = parse_document(Document(path, Path(path)))
        if outcome.letter is None:
            return "the first difference could not be read again"
        records.append(stated(to_record(outcome.letter)))
    return "first difference: " + (first_difference(records[0], records[1]) or "none found on a second reading")


def write_turtle(paths: list[Path], ttl_path: Path) -> None:
    """Turtle of the union of all graphs, streamed through pyoxigraph."""
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    triples = (q.triple for p in paths for q in ox.parse(input=open_graph(p), format=rdf_format(p)))
    with atomic_writer(ttl_path, "wb") as out:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def report_text(summary: BuildSummary) -> str:
    """The text of ``validation-report.txt``."""
    lines = []
    if not summary.violations:
        lines.append(f"All {summary.letters} letters conform to the SHACL shapes.")
    else:
        lines.append(f"{len(summary.violations)} violations in {len({v.letter for v in summary.violations})} letters:")
        lines.extend(v.line() for v in summary.violations)
    lines.extend(f"warning: {w.line()}" for w in summary.warnings)
    for c in summary.conflicts:
        lines.append(f"conflict: {c['file']}: {c['error']}")
    for f in summary.failures:
        lines.append(f"not parsed: {f['file']}: {f['error']}")
    return "\n".join(lines) + "\n"


__all__ = ["BuildLocked", "BuildSummary", "build", "process_chunk"]
