"""The build manifest: every source's size, mtime, sha256, shard and the letter graph it gave.

It lives in ``OUTDIR/manifest.sqlite`` (SQLite: a million rows cost disk, not memory). A new
manifest is written beside the old one and renamed over it only when the build is complete,
so a killed build leaves the previous manifest, which still describes the files beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.base.output import replace_durably

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sources (
    path TEXT PRIMARY KEY, ord INTEGER, size INTEGER, mtime_ns INTEGER, sha256 TEXT, shard INTEGER,
    error TEXT, letter TEXT, graph TEXT, duplicate_of TEXT, triples INTEGER,
    outcomes TEXT, unmapped TEXT, violations TEXT, stats BLOB, stated TEXT, done INTEGER DEFAULT 0,
    kept INTEGER DEFAULT 0, block_start INTEGER, block_len INTEGER, table_at TEXT);
CREATE INDEX sources_ord ON sources(ord);
CREATE INDEX sources_letter ON sources(letter);
CREATE TABLE shards (shard INTEGER PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
CREATE TABLE stat_groups (key TEXT PRIMARY KEY, totals BLOB);
"""
_RESULT_COLUMNS = (
    "sha256",
    "error",
    "letter",
    "graph",
    "duplicate_of",
    "triples",
    "outcomes",
    "unmapped",
    "violations",
    "stats",
    "stated",
    "block_start",
    "block_len",
    "table_at",
)


def _pack(stats: str | None) -> bytes | None:
    """A letter's statistics rows, zlib-compressed: 5.4 KB of JSON a letter became the largest
    part of a build (more than its gzip'd graph); level 1 keeps about a fifth of it."""
    return zlib.compress(stats.encode(), 1) if stats else None


def _unpack(stats: bytes | str | None) -> str:
    if not stats:
        return "{}"
    return zlib.decompress(stats).decode() if isinstance(stats, bytes) else stats


def file_sha256(data: bytes) -> str:
    """The hex sha256 of a file's bytes (how sources are named in the graph)."""
    return hashlib.sha256(data).hexdigest()


def shard_of(path: str, shards: int) -> int:
    """A source's shard from a hash of its file name (not its folder): stable across runs,
    machines, file order and edits, and known before the file is read, so a build reads each
    file once (in a worker) and an edited letter rebuilds only its own shard."""
    if shards <= 1:
        return 0
    return int(hashlib.sha256(os.path.basename(path).encode("utf-8", "surrogateescape")).hexdigest()[-8:], 16) % shards


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One source file of a build and what its worker made of it."""

    path: str
    ord: int
    size: int
    mtime_ns: int
    sha256: str | None  # None until a worker has read the file
    shard: int
    error: str | None = None
    letter: str | None = None
    graph: str | None = None
    duplicate_of: str | None = None
    triples: int = 0
    outcomes: str | None = None
    unmapped: str | None = None
    violations: str | None = None
    stated: str | None = None  # digest of what the letter states (kg.reading.records.stated_digest)
    kept: int = 0  # 1: unchanged since the last build, its graph block copied rather than parsed again
    block_start: int | None = None  # where its letter graph's TriG block starts in its shard's text (bytes)
    block_len: int | None = None  # and its length in bytes
    table_at: str | None = None  # where its rows are in its shard's table files (kg.building.tables.ShardTables.add)


_COLUMNS = ", ".join(SourceRow.__slots__)
SCHEMA_VERSION = "4"  # a build's settings name it: a manifest of another schema is not read (the build starts afresh)
_LETTERS = "letter IS NOT NULL AND duplicate_of IS NULL AND error IS NULL"  # sources that gave a letter graph


class Manifest:
    """A build's manifest in SQLite: sources, their results and the shard files."""

    def __init__(self, conn: sqlite3.Connection, path: Path, final: Path | None = None) -> None:
        self.conn, self.path, self.final = conn, path, final

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open_existing(
        cls, path: Path, settings: dict[str, str], note: Callable[[str], None] | None = None
    ) -> Manifest | None:
        """The previous build's manifest, or None if there is none or it was made differently;
        ``note`` is told why one that is there cannot be read (the build then parses every input
        again: nothing is lost, but the user should know why it takes long)."""
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(path)
            meta = dict(conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as err:
            if note is not None:
                note(f"{path}: unreadable ({err}): every input is parsed again and the manifest written anew")
            return None
        if any(meta.get(k) != v for k, v in settings.items()):
            conn.close()
            return None
        return cls(conn, path)

    @classmethod
    def read_only(cls, path: Path) -> Manifest:
        """A finished build's manifest, for readers (``imrkg load``)."""
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True), path)

    @classmethod
    def create(cls, final: Path, settings: dict[str, str]) -> Manifest:
        """A new, empty manifest written beside ``final``; :meth:`commit` renames it over the old one."""
        tmp = final.parent / f".{final.name}.{os.getpid()}.part"
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode=OFF")  # a temporary file: atomicity comes from the rename
        conn.execute("PRAGMA synchronous=OFF")
        conn.executescript(_SCHEMA)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", settings.items())
        return cls(conn, tmp, final)

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is not None and self.final is not None:
            self.conn.close()
            self.path.unlink(missing_ok=True)

    def commit(self) -> None:
        """Make this manifest the build's manifest (fsync, then rename over the old one)."""
        self.conn.commit()
        self.conn.close()
        replace_durably(self.path, self.final)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the database without committing."""
        self.conn.close()

    # -- reading ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """A value the build recorded beside its settings (the word index's token)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Record a value beside the settings."""
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get(self, path: str) -> SourceRow | None:
        """The row of one source path, or None."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM sources WHERE path = ?", (path,)).fetchone()
        return SourceRow(*row) if row else None

    def count(self) -> int:
        """How many sources the build has."""
        return self.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]

    def _pages(self, columns: str, where: str = "1", args: tuple = ()) -> Iterator[tuple]:
        """Rows (``ord`` first, then ``columns``) in input order, 2000 at a time: a million-row
        manifest is never held in memory."""
        last = -1
        while True:
            rows = self.conn.execute(
                f"SELECT ord, {columns} FROM sources WHERE ord > ? AND ({where}) ORDER BY ord LIMIT 2000",
                (last, *args),
            ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def _paged(self, where: str = "1", args: tuple = ()) -> Iterator[SourceRow]:
        return (SourceRow(*row[1:]) for row in self._pages(_COLUMNS, where, args))

    def sources_in(self, shards: set[int], kept: bool | None = None) -> Iterator[SourceRow]:
        """The sources of some shards, in input order (only the kept ones, or only the others)."""
        marks = ",".join(str(int(s)) for s in shards)
        which = "" if kept is None else f" AND kept = {int(kept)}"
        return self._paged(f"shard IN ({marks}){which}")

    def count_in(self, shards: set[int], kept: bool | None = None) -> int:
        """How many sources some shards hold (kept ones, or the others)."""
        marks = ",".join(str(int(s)) for s in shards)
        which = "" if kept is None else f" AND kept = {int(kept)}"
        return self.conn.execute(f"SELECT COUNT(*) FROM sources WHERE shard IN ({marks}){which}").fetchone()[0]

    def results(self) -> Iterator[SourceRow]:
        """Every source with its result, in input order."""
        return self._paged()

    def owner_of(self, letter: str) -> str | None:
        """The source already holding this letter (the first by input order wins)."""
        row = self.conn.execute(
            "SELECT path FROM sources WHERE letter = ? AND duplicate_of IS NULL AND error IS NULL AND done = 1 LIMIT 1",
            (letter,),
        ).fetchone()
        return row[0] if row else None

    @contextmanager
    def _with_old(self, old: Manifest) -> Iterator[None]:
        """The previous manifest attached as ``old`` for the statements inside; what they wrote is
        committed before it is detached (ATTACH and DETACH need no open transaction)."""
        self.conn.commit()
        self.conn.execute("ATTACH DATABASE ? AS old", (str(old.path),))
        try:
            yield
        finally:
            self.conn.commit()
            self.conn.execute("DETACH DATABASE old")

    def missing_shards(self, old: Manifest) -> set[int]:
        """Shards of sources that the previous build had and this one does not."""
        with self._with_old(old):
            rows = self.conn.execute(
                "SELECT DISTINCT shard FROM old.sources WHERE path NOT IN (SELECT path FROM main.sources)"
            ).fetchall()
        return {r[0] for r in rows}

    def source_count(self) -> int:
        """How many sources this build found."""
        return self.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]

    def shard_file_intact(self, file: Path, shard: int) -> bool:
        """Whether a shard file is as the last build left it (size and mtime)."""
        row = self.conn.execute("SELECT size, mtime_ns FROM shards WHERE shard = ?", (shard,)).fetchone()
        try:
            st = file.stat()
        except OSError:
            return False
        return row is not None and (st.st_size, st.st_mtime_ns) == tuple(row)

    # -- writing ------------------------------------------------------------------------------
    def add_source(self, row: SourceRow) -> None:
        """Record a source found by this build (its result comes later)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO sources (path, ord, size, mtime_ns, sha256, shard, kept) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.path, row.ord, row.size, row.mtime_ns, row.sha256, row.shard, row.kept),
        )

    def set_result(
        self,
        path: str,
        *,
        result=None,
        duplicate_of: str | None = None,
        block: tuple[int, int] | None = None,
        table_at: str | None = None,
    ) -> None:
        """Record a worker's result for a source (``block``: where its graph went in its shard's
        text), or that it duplicates another source's letter."""
        if duplicate_of is not None:  # its outcomes and statements are kept to tell a copy from a conflict
            outcomes = json.dumps(list(result.outcomes)) if result is not None else None
            said = result.stated if result is not None else None
            self.conn.execute(
                "UPDATE sources SET duplicate_of = ?, outcomes = ?, stated = ?, done = 1 WHERE path = ?",
                (duplicate_of, outcomes, said, path),
            )
            return
        values = (
            result.sha256,
            result.error,
            result.letter,
            result.graph,
            None,
            result.triples,
            json.dumps(list(result.outcomes)),
            json.dumps([list(u) for u in result.unmapped]),
            json.dumps(list(result.violations)),
            _pack(result.stats),
            result.stated,
            block[0] if block else None,
            block[1] if block else None,
            table_at,
        )
        sets = ", ".join(f"{c} = ?" for c in _RESULT_COLUMNS)
        # the worker's hash of what it read; a hash the plan already had is kept when none came back
        self.conn.execute(
            f"UPDATE sources SET {sets.replace('sha256 = ?', 'sha256 = COALESCE(?, sha256)')}, done = 1 WHERE path = ?",
            (*values, path),
        )

    def carry_over(self, old: Manifest | None, rebuilt: set[int]) -> None:
        """Results and shard files of the shards not rebuilt come from the previous manifest; so do
        the results of the kept sources of the rebuilt shards, not yet done (:meth:`keep_done`
        marks each as its block is copied, in input order, so the first copy of a letter still wins)."""
        if old is None:
            return
        marks = ",".join(str(int(s)) for s in rebuilt) or "-1"
        with self._with_old(old):
            sets = ", ".join(f"{c} = o.{c}" for c in _RESULT_COLUMNS if c != "sha256")
            self.conn.execute(
                f"UPDATE sources SET {sets}, done = 1 FROM old.sources AS o "
                f"WHERE o.path = sources.path AND sources.shard NOT IN ({marks})"
            )
            self.conn.execute(
                f"UPDATE sources SET {sets}, done = 0 FROM old.sources AS o "
                f"WHERE o.path = sources.path AND sources.shard IN ({marks}) AND sources.kept = 1"
            )
            self.conn.execute(f"INSERT OR REPLACE INTO shards SELECT * FROM old.shards WHERE shard NOT IN ({marks})")

    def kept_count(self) -> int:
        """How many sources are kept (:meth:`carry_over`)."""
        return self.conn.execute("SELECT COUNT(*) FROM sources WHERE kept = 1").fetchone()[0]

    def unkeep_all(self) -> None:
        """Parse every source again."""
        self.conn.execute("UPDATE sources SET kept = 0")

    def unkeep_shard(self, shard: int) -> None:
        """Parse every source of a shard again (its file is missing or was changed by hand)."""
        self.conn.execute("UPDATE sources SET kept = 0 WHERE shard = ?", (shard,))

    def keep_done(self, path: str, block: tuple[int, int], table_at: str | None) -> None:
        """A kept source's block copied to ``block`` of its shard's new text (and its table rows
        to ``table_at``): its result stands."""
        self.conn.execute(
            "UPDATE sources SET done = 1, block_start = ?, block_len = ?, table_at = ? WHERE path = ?",
            (*block, table_at, path),
        )

    def keep_as_duplicate(self, path: str, owner: str) -> None:
        """A kept source whose letter another source now holds (one earlier in input order):
        recorded as a duplicate would be, its outcomes and statements kept."""
        kept = ("sha256", "outcomes", "stated", "duplicate_of")
        cleared = ", ".join(f"{c} = NULL" for c in _RESULT_COLUMNS if c not in kept)
        self.conn.execute(f"UPDATE sources SET {cleared}, duplicate_of = ?, done = 1 WHERE path = ?", (owner, path))

    def set_shard_file(self, shard: int, file: Path) -> None:
        """Record a shard file as written (size and mtime), to notice later edits."""
        st = file.stat()
        self.conn.execute("INSERT OR REPLACE INTO shards VALUES (?, ?, ?)", (shard, st.st_size, st.st_mtime_ns))

    def letter_keys(self) -> Iterator[tuple[int, str, str | None]]:
        """(ord, path, sha256) of every source that gave a letter graph, in input order."""
        return ((o, path, sha) for o, path, sha in self._pages("path, sha256", _LETTERS))

    def statistics_between(self, first: int, last: int) -> list[str]:
        """The partial counts of the letters with ``first <= ord <= last``, in input order."""
        rows = self.conn.execute(
            f"SELECT stats FROM sources WHERE ord BETWEEN ? AND ? AND ({_LETTERS}) ORDER BY ord", (first, last)
        )
        return [_unpack(stats) for (stats,) in rows]

    def group_totals(self, key: str) -> bytes | None:
        """The summed statistics of a group of letters (:func:`kg.building.build.write_statistics`)."""
        row = self.conn.execute("SELECT totals FROM stat_groups WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_group_totals(self, key: str, totals: bytes) -> None:
        """Keep a group's summed statistics for the next build."""
        self.conn.execute("INSERT OR REPLACE INTO stat_groups VALUES (?, ?)", (key, totals))

    def keep_group_totals(self, old: Manifest | None) -> None:
        """The previous build's group sums, when this build wrote no statistics (nothing changed)."""
        if old is None:
            return
        with self._with_old(old):
            self.conn.execute("INSERT OR REPLACE INTO stat_groups SELECT * FROM old.stat_groups")

    def letter_statistics(self) -> Iterator[str]:
        """Every letter's partial counts (JSON, see kg.graph.statistics), in input order."""
        return (_unpack(stats) for _, stats in self._pages("stats", _LETTERS))

    @classmethod
    def letter_graphs_of(cls, path: Path) -> dict[str, str]:
        """:meth:`letter_graphs` of the manifest at ``path``, opened read-only and closed again."""
        manifest = cls.read_only(path)
        try:
            return manifest.letter_graphs()
        finally:
            manifest.close()

    def letter_graphs(self) -> dict[str, str]:
        """Graph IRI -> source sha256 of every letter in the build."""
        return {row.graph: row.sha256 for row in self._paged(_LETTERS)}  # type: ignore[misc]
