"""The embedded triple store (on-disk pyoxigraph) and loading builds into it.

Loading a build directory is incremental: the build's manifest says which letter graph came
from which source sha256, and every letter graph in the store carries its source's sha256
(``prov:wasDerivedFrom``), so only new or changed graphs are loaded and graphs of letters gone
from the build are removed. Each named graph is replaced as a whole.

Crash safety: before touching the store, the graphs about to change are recorded in the store
itself (one transaction); a load killed half way leaves that record, and the next load first
removes and reloads exactly those graphs. An empty store is filled with the bulk loader.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.building.builddir import BuildDir, graph_files, open_graph, rdf_format
from kg.building.manifest import Manifest
from kg.graph.iris import (
    FIXED_GRAPHS,
    IMR,
    LOAD_STATE,
    LOAD_STATE_GRAPH,
    PROV,
    SOURCE_FILE_PREFIX,
    STATISTICS_GRAPH,
    is_fixed_graph,
)
from kg.stores import DEFAULT_STORE

STATE_GRAPH = ox.NamedNode(str(LOAD_STATE_GRAPH))
_STATE = ox.NamedNode(str(LOAD_STATE))
_PENDING = ox.NamedNode(str(IMR.pendingGraph))
_PENDING_ALL = ox.NamedNode(str(IMR.pendingAll))
_BATCH = 200_000  # quads per transaction when loading changed graphs
HOLD_QUADS = 5_000_000  # quads an incremental load reads before it removes anything (about 1 GB)
# disk the bulk loader holds at its peak, a quad: 10k letters, 1,493,621 quads, peaked at 744 MB
# and left 397 MB (266 bytes a quad); 1M letters (148M quads) ran out of disk twice, at 73 GB free
BULK_PEAK_BYTES_PER_QUAD = 500


class StoreError(Exception):
    """A store cannot answer: missing, empty, locked or without the graphs a question needs.
    The message says what to do."""


def open_store(path: str | Path = DEFAULT_STORE) -> ox.Store:
    """The embedded on-disk store at ``path``, for writing (made if missing)."""
    Path(path).mkdir(parents=True, exist_ok=True)
    try:
        return ox.Store(str(path))
    except (OSError, RuntimeError) as err:  # RocksDB's "Corruption: CURRENT file corrupted", a lock held
        reason = str(err).splitlines()[0][:200]
        raise StoreError(
            f"cannot open the store at {path} for writing: {reason} (if it is corrupt, move it aside "
            "and load the build into a new store: nothing in the build is lost)"
        ) from None


def check_free_disk(path: str | Path, store: ox.Store, sources: list[str | Path]) -> None:
    """StoreError before a load starts when the builds in ``sources`` need more disk at the store
    than is free. An empty store is filled by pyoxigraph's bulk loader, which holds about twice the
    store it leaves (1M letters of 0.6.0: about 55 GB; of 0.5.x: 74 GB) and, out of disk, fails
    only at the end, after most of the load's time. A store that holds letters loads only what changed: not checked."""
    if holds_letters(store):
        return
    quads = sum(_quads_built(Path(s)) for s in sources)
    need = quads * BULK_PEAK_BYTES_PER_QUAD
    where = Path(path)
    while not where.exists():
        where = where.parent
    free = shutil.disk_usage(where).free
    if need > free:
        raise StoreError(
            f"loading {quads:,} quads into the store at {path} needs about {_size(need)} of free disk "
            f"while it runs, and {_size(free)} are free: free disk, put the store on a larger disk (--store), "
            "or load the build into Virtuoso (imrkg load BUILD --endpoint URL --virtuoso-sql HOST:PORT)"
        )


def _size(n: float) -> str:
    """Bytes for a person: "3.2 GB", "740 MB", "12 KB" (0.7.0 said "0.0 GB needed, 0.0 GB free")."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


def _quads_built(source: Path) -> int:
    """The quads a build's summary counts (0 for a graph file, or a build without a readable summary)."""
    build = BuildDir(source)
    try:
        return int(build.read_summary().get("triples", 0)) if source.is_dir() and build.is_build() else 0
    except (OSError, ValueError, AttributeError):
        return 0


def _read_only(path: Path, attempts: int = 5) -> ox.Store:
    """RocksDB opened read-only beside a live writer: a compaction of the writer can delete a file
    the read-only open had just found listed (RocksDB says "Corruption ... No such file"). The
    list is re-read on a new attempt; after ``attempts`` the error says what is going on."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {str(err).splitlines()[0]}") from None
        except RuntimeError as err:
            failure = str(err).splitlines()[0][:200]
            if "No such file" not in failure:
                break
            time.sleep(0.1 * (attempt + 1))
    raise StoreError(f"cannot open the store at {path}: {failure} (if a load is writing it, try again when it ends)")


def open_for_reading(path: str | Path = DEFAULT_STORE, *, statistics: bool = False) -> ox.Store:
    """The store at ``path``, opened read-only: never created, and never an empty answer from a
    store that holds nothing. With ``statistics``, the statistics graph the canned questions read
    must be there too. Raises :class:`StoreError` saying what to do."""
    path = Path(path)
    hint = f"build and load first: imrkg build LETTERS -o OUTDIR && imrkg load OUTDIR --store {path}"
    if not path.is_dir():
        raise StoreError(f"no store at {path} ({hint})")
    if BuildDir(path).is_build():
        raise StoreError(
            f"{path} is a build folder, not a store: run `imrkg load {path}` first, then ask the store "
            f"(--store .imrkg/store, or the --store you loaded into)"
        )
    store = _read_only(path)
    if next(iter(store.named_graphs()), None) is None:
        raise StoreError(f"the store at {path} is empty ({hint})")
    if store.contains_named_graph(STATE_GRAPH):
        raise StoreError(
            f"a load into the store at {path} did not finish, so its answers would be incomplete: "
            f"run imrkg load OUTDIR --store {path} again (it repairs the store first)"
        )
    if statistics and not store.contains_named_graph(ox.NamedNode(str(STATISTICS_GRAPH))):
        raise StoreError(
            f"the store at {path} has no statistics graph, which the canned questions read: "
            f"load the build again (imrkg load OUTDIR --store {path}) or ask the letter graphs with --raw"
        )
    return store


def in_memory(sources: list[str | Path]) -> ox.Store:
    """A store in memory holding builds or graph files: read once, nothing written beside them."""
    store = ox.Store()
    load(store, sources)
    return store


def load(
    store: ox.Store,
    sources: list[str | Path],
    *,
    optimize: bool = False,
    planned: Callable[[int], None] | None = None,
    advanced: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Load build outputs or graph files; each named graph in them replaces the stored one.

    ``planned`` is told how many bytes of files the load will read, once known, and ``advanced``
    the bytes read as it goes (a progress bar: pyoxigraph's loader reports nothing itself).

    ``optimize`` compacts the store afterwards (RocksDB). Measured on 10k letters: +52 % disk
    (599 -> 910 MB) and +5 s, no change for the canned questions (read from the statistics),
    ad hoc SPARQL over the letter graphs 2.2x faster (year x category: 1.68 -> 0.75 s). Off by
    default: at corpus scale disk runs out first, and ad hoc analysis belongs on Virtuoso."""
    counts = {"graphs": 0, "removed": 0, "unchanged": 0}
    _recover(store)
    if planned is not None:
        planned(_bytes_to_read(sources))
    for source in sources:
        source = Path(source)
        if source.is_dir() and BuildDir(source).is_build():
            for key, value in _load_build(store, source, advanced).items():
                counts[key] += value
            continue
        for path in graph_files(source):
            counts["graphs"] += _load_file(store, path, advanced)
    if optimize:
        store.optimize()
    # the write-ahead log into table files: every read-only open replays what the log holds
    # (RocksDB), which cost each `imrkg query` 430 ms on 135 letters; after a flush, 43 ms
    store.flush()
    counts["quads"] = len(store)
    return counts


def _bytes_to_read(sources: list[str | Path]) -> int:
    """What a load reads: each file of a build once, a single graph file twice (its graph names first)."""
    total = 0
    for source in sources:
        is_build = Path(source).is_dir() and BuildDir(Path(source)).is_build()
        for path in graph_files(source):
            if path.is_file():
                passes = 1 if is_build or rdf_format(path) not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else 2
                total += path.stat().st_size * passes
    return total


# -- crash safety -------------------------------------------------------------------------------
def _mark(store: ox.Store, graphs: Iterable[str] | None) -> None:
    """Record the graphs about to change (None: the whole store) in one transaction."""
    if graphs is None:
        store.add(ox.Quad(_STATE, _PENDING_ALL, ox.Literal(True), STATE_GRAPH))
    else:
        store.extend(ox.Quad(_STATE, _PENDING, ox.NamedNode(g), STATE_GRAPH) for g in graphs)


def _clear_mark(store: ox.Store) -> None:
    store.remove_graph(STATE_GRAPH)


def _recover(store: ox.Store) -> None:
    """Undo a load that was killed: drop what it may have half written."""
    if not store.contains_named_graph(STATE_GRAPH):
        return
    if any(store.quads_for_pattern(_STATE, _PENDING_ALL, None, STATE_GRAPH)):
        store.clear()
        return
    for quad in store.quads_for_pattern(_STATE, _PENDING, None, STATE_GRAPH):
        store.remove_graph(quad.object)  # type: ignore[arg-type]
    _clear_mark(store)


# -- loading ------------------------------------------------------------------------------------
def _load_file(store: ox.Store, path: Path, advanced: Callable[[int], None] | None = None) -> int:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    fmt = rdf_format(path)  # refuses what is not an RDF file, naming the formats it takes
    names = (
        {q.graph_name for q in ox.parse(input=open_graph(path, advanced), format=fmt)}
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        else set()
    )
    named = [n for n in names if not isinstance(n, ox.DefaultGraph)]
    _mark(store, [n.value for n in named])
    for name in named:
        store.remove_graph(name)
    with open_graph(path, advanced) as fh:
        store.bulk_load(input=fh, format=fmt)
    _clear_mark(store)
    return len(named)


WORDS_IN_STORE = "imrkg-words"  # the store's copies of the word indexes of the builds loaded into it


def _loaded_builds(sources: list[str | Path]) -> dict[str, BuildDir]:
    """The build directories among ``sources``, by the name their copies take in the store (a
    hash of the build's absolute path: two builds loaded together never share one)."""
    return {
        hashlib.sha256(str(Path(source).resolve()).encode()).hexdigest()[:16]: BuildDir(Path(source))
        for source in sources
        if Path(source).is_dir() and BuildDir(Path(source)).is_build()
    }


def copy_word_indexes(path: str | Path, sources: list[str | Path]) -> int:
    """After a load into the store at ``path``: the word index of each build in ``sources``
    (``imrkg find``) copied into ``STORE/imrkg-words/`` (one file per build, named by the build's
    folder; a file copy, since an FTS5 index cannot be merged without its text), and those of
    builds not loaded this time removed, as the load removed their letters. Each copy is written
    beside and renamed. Returns how many were copied."""
    folder = Path(path) / WORDS_IN_STORE
    wanted = {f"{name}.sqlite": build.words for name, build in _loaded_builds(sources).items() if build.words.is_file()}
    if wanted:
        folder.mkdir(exist_ok=True)
    for name, words in wanted.items():
        part = folder / f".{name}.part"
        shutil.copyfile(words, part)
        os.replace(part, folder / name)
    for old in folder.glob("*.sqlite") if folder.is_dir() else ():
        if old.name not in wanted:
            old.unlink()
    return len(wanted)


TABLES_IN_STORE = "imrkg-tables"  # the store's copies of the analyst tables of the builds loaded into it


def copy_tables(path: str | Path, sources: list[str | Path]) -> int:
    """After a load into the store at ``path``: the analyst tables of each build in ``sources``
    (``imrkg sql``) copied into ``STORE/imrkg-tables/BUILD/NAME/SHARD.parquet`` (a folder per
    build, named as its word index is), and those of builds not loaded this time removed. A
    build's folder is written beside and renamed into place. Returns how many were copied."""
    folder = Path(path) / TABLES_IN_STORE
    wanted = {name: build.tables for name, build in _loaded_builds(sources).items() if build.tables.is_dir()}
    if wanted:
        folder.mkdir(exist_ok=True)
    for name, tables in wanted.items():
        part, old = folder / f".{name}.part", folder / f".{name}.old"
        for leftover in (part, old):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.copytree(tables, part)
        if (folder / name).exists():
            os.replace(folder / name, old)  # a folder cannot be renamed over another: set aside, then removed
        os.replace(part, folder / name)
        shutil.rmtree(old, ignore_errors=True)
    for stale in folder.iterdir() if folder.is_dir() else ():
        if stale.name not in wanted:
            shutil.rmtree(stale, ignore_errors=True)
    return len(wanted)


# each letter graph with the sha256 of the source it was built from (the embedded store and kg.stores.bulk)
# (the hash is the source's IRI, urn:sha256:HASH: kg.graph.iris.source_file_iri)
LETTER_SOURCES = (
    f'SELECT ?g (STRAFTER(STR(?src), "{SOURCE_FILE_PREFIX}") AS ?sha) '
    f"WHERE {{ GRAPH ?g {{ ?l <{PROV.wasDerivedFrom}> ?src }} }}"
)


def holds_letters(store: ox.Store) -> bool:
    """Whether the store holds any letter graph: one index lookup, where
    :func:`stored_letter_graphs` reads them all (seconds at 1M letters)."""
    return next(iter(store.quads_for_pattern(None, ox.NamedNode(str(PROV.wasDerivedFrom)), None)), None) is not None


def stored_letter_graphs(store: ox.Store) -> dict[str, str]:
    """Letter graph IRI -> the sha256 of the source it was built from."""
    return {s["g"].value: s["sha"].value for s in store.query(LETTER_SOURCES)}  # type: ignore[union-attr]


def _load_build(store: ox.Store, outdir: Path, advanced: Callable[[int], None] | None = None) -> dict[str, int]:
    build = BuildDir(outdir)
    files = build.graph_files()
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
    wanted = Manifest.letter_graphs_of(build.manifest)
    stored = stored_letter_graphs(store) if holds_letters(store) else {}
    if not stored:  # an empty store (or one without letters; check_free_disk asks the same): the bulk loader
        _mark(store, None)
        for path in files:
            with open_graph(path, advanced) as fh:  # gzip or not (about 5% slower through a gzip reader)
                store.bulk_load(input=fh, format=rdf_format(path))
        _clear_mark(store)
        return {"graphs": len(wanted), "removed": 0, "unchanged": 0}
    removed = [g for g in stored if g not in wanted]
    changed = {g for g, sha in wanted.items() if stored.get(g) != sha}
    # small, or (statistics) changed by any letter: always refreshed
    fixed = {str(g) for g in FIXED_GRAPHS} | {g.value for g in store.named_graphs() if is_fixed_graph(g.value)}
    wanted_now = changed | fixed
    # Read everything to add before removing anything: a truncated or broken file then fails the
    # load with the store as it was. What is held is the changed graphs and the small fixed ones;
    # past HOLD_QUADS (a corpus mostly changed) it streams instead, the load-state mark keeping
    # readers from a half-done store until a load finishes.
    held: list[ox.Quad] = []
    streaming = False
    quads = (q for path in files for q in ox.parse(input=open_graph(path, advanced), format=rdf_format(path)))
    for quad in quads:
        name = quad.graph_name.value
        if name in wanted_now or is_fixed_graph(name):
            held.append(quad)
            if len(held) >= HOLD_QUADS:
                streaming = True
                break
    _mark(store, [*removed, *changed, *fixed])
    for g in [*removed, *changed, *fixed]:
        store.remove_graph(ox.NamedNode(g))
    for start in range(0, len(held), _BATCH):
        store.extend(held[start : start + _BATCH])
    if streaming:
        batch: list[ox.Quad] = []
        for quad in quads:
            name = quad.graph_name.value
            if name in wanted_now or is_fixed_graph(name):
                batch.append(quad)
                if len(batch) >= _BATCH:
                    store.extend(batch)
                    batch = []
        store.extend(batch)
    _clear_mark(store)
    return {"graphs": len(changed), "removed": len(removed), "unchanged": len(wanted) - len(changed)}
