"""The analyst tables (letters, items, sources, reasons) as Parquet: their columns, their types,
and the writer both ``imrkg build`` and ``imrkg export parquet`` use, so the two give one schema.

A table is one query file of ``queries/tables/`` (its columns are that file's SELECT). A build
writes each table beside the graph, a file per graph shard (``tables/items/graph.parquet``), from
the rows each worker read off its letters' triples (:mod:`kg.graph.table_rows`) and sent as
Arrow batches, so the main process converts nothing; a kept letter's rows are a slice of the
shard's previous file (the manifest says where). ``imrkg sql`` runs DuckDB over the files.

Types are declared (kg.graph.table_rows names the kinds of column; here they become Arrow types),
not guessed from the values: every shard's file has the same schema whatever letters it holds
(a column no letter of a shard fills is still a date or an integer).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from kg.base.output import atomic_writer
from kg.graph.table_rows import (
    BOOLEANS,
    DATE_SUFFIX,
    INTEGER_LISTS,
    INTEGERS,
    TABLES,
    list_columns,
    query_columns,
    table_queries,
    table_value,
    tables,
)

ROWS_PER_GROUP = 20_000  # rows held before they are written as a Parquet row group


def arrow_type(column: str, lists: frozenset[str]):
    """The Arrow type of a column (see the module docstring)."""
    import pyarrow as pa

    if column in lists:
        return pa.list_(pa.int64() if column in INTEGER_LISTS else pa.string())
    if column in INTEGERS:
        return pa.int64()
    if column in BOOLEANS:
        return pa.bool_()
    if column.endswith(DATE_SUFFIX):
        return pa.date32()
    return pa.string()


def schema_of(name: str):
    """The Arrow schema of table ``name``."""
    import pyarrow as pa

    columns, lists = tables()[name]
    return pa.schema([pa.field(c, arrow_type(c, lists)) for c in columns])


def rows_to_arrow(schema, rows: list[list]):
    """Typed rows (as :func:`table_value` gives them; dates as dates or ISO text) as an Arrow table."""
    import pyarrow as pa

    arrays = []
    for i, field in enumerate(schema):
        values = [r[i] for r in rows]
        try:
            if pa.types.is_date32(field.type):  # ISO text (rows from the workers) or dates: cast in one pass
                kind = pa.string() if any(isinstance(v, str) for v in values) else field.type
                arrays.append(pa.array(values, type=kind).cast(field.type))
            else:
                arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
            raise ValueError(f"column {field.name}: a value not of its type {field.type} ({err})") from None
    return pa.Table.from_arrays(arrays, schema=schema)


def chunk_ipc(rows: dict[str, list[list]]) -> tuple[bytes, ...]:
    """A chunk's rows of every table (in :func:`tables` order) as Arrow IPC streams: what a worker
    sends, so the main process, on the build's critical path, converts nothing."""
    import pyarrow as pa

    out = []
    for name in tables():
        table = rows_to_arrow(schema_of(name), rows.get(name, []))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out.append(sink.getvalue().to_pybytes())
    return tuple(out)


def read_ipc(streams: tuple[bytes, ...]) -> list:
    """The Arrow tables of :func:`chunk_ipc`'s streams."""
    import pyarrow as pa

    return [pa.ipc.open_stream(pa.py_buffer(data)).read_all() for data in streams]


class TableWriter:
    """One table's Parquet file, written a row group of :data:`ROWS_PER_GROUP` rows at a time from
    Arrow tables (:meth:`add_table`: slices of a worker's batch or of the last build's file) or from
    rows as the queries give them (:meth:`add`). Row groups are cut at the same rows however the
    rows arrived, so a rebuild writes a fresh build's bytes."""

    def __init__(self, fh: IO[bytes], columns: list[str] | tuple[str, ...], lists: frozenset[str] = frozenset()):
        import pyarrow as pa

        self.columns, self.lists, self.fh = list(columns), lists, fh
        self.schema = pa.schema([pa.field(c, arrow_type(c, lists)) for c in self.columns])
        self.writer: Any = None  # opened with the first row group: an abandoned file has nothing to close
        self.rows: list[list] = []  # rows given by add, not yet converted
        self.held: list = []  # Arrow tables not yet written
        self.held_rows = 0
        self.count = 0  # rows given so far (written or held): where the next row lands in the file

    def add(self, rows: Iterable[list]) -> None:
        """Rows in the query's column order, typed here with :func:`table_value`."""
        for row in rows:
            self.rows.append([table_value(c, v, self.lists) for c, v in zip(self.columns, row, strict=True)])
            if len(self.rows) >= ROWS_PER_GROUP:
                self._convert()

    def add_table(self, table) -> tuple[int, int]:
        """Rows already in Arrow form (this table's schema); returns (first row, rows) in the file."""
        self._convert()
        start = self.count
        if table.num_rows:
            self.held.append(table)
            self.held_rows += table.num_rows
            self.count += table.num_rows
            if self.held_rows >= ROWS_PER_GROUP:
                self._write(final=False)
        return start, table.num_rows

    def _convert(self) -> None:
        if self.rows:
            rows, self.rows = self.rows, []
            self.add_table(rows_to_arrow(self.schema, rows))

    def _write(self, final: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.fh, self.schema)
        if not self.held:
            return
        whole = pa.concat_tables(self.held)
        while whole.num_rows >= ROWS_PER_GROUP or (final and whole.num_rows):
            group = whole.slice(0, ROWS_PER_GROUP)
            self.writer.write_table(group.combine_chunks())  # contiguous: the bytes do not depend on the pieces
            whole = whole.slice(group.num_rows)
        self.held = [whole] if whole.num_rows else []
        self.held_rows = whole.num_rows

    def close(self) -> int:
        """Write what is held and the file's footer; the rows written in all."""
        self._convert()
        self._write(final=True)
        self.writer.close()
        return self.count


class ShardTables:
    """The table files of one graph shard, each written beside and renamed when complete:
    ``add`` a letter's rows of every table (Arrow tables, in :func:`tables` order), ``close`` to
    put them in place."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self._writers: list[tuple[Any, TableWriter]] = []
        try:
            for name, (columns, lists) in tables().items():
                paths[name].parent.mkdir(parents=True, exist_ok=True)
                context = atomic_writer(paths[name], "wb")
                self._writers.append((context, TableWriter(context.__enter__(), columns, lists)))
        except BaseException:
            self.abandon()
            raise

    def add(self, parts: list) -> str:
        """One letter's rows of every table; returns where they went (``start,rows`` per table,
        ``;``-separated), which the manifest keeps so the next build can take them back."""
        return ";".join(
            f"{a},{n}" for (_, w), part in zip(self._writers, parts, strict=True) for a, n in [w.add_table(part)]
        )

    def close(self) -> dict[str, int]:
        """Finish every file and put it in place; rows per table."""
        counts = {}
        for name, (context, writer) in zip(tables(), self._writers, strict=True):
            counts[name] = writer.close()
            context.__exit__(None, None, None)
        self._writers = []
        return counts

    def abandon(self) -> None:
        """Leave the files that were there (an interrupted build replaces nothing)."""
        for context, _ in self._writers:
            context.__exit__(RuntimeError, RuntimeError("build interrupted"), None)
        self._writers = []


class ChunkTables:
    """A worker's chunk of table rows (:func:`chunk_ipc`), handed out a letter at a time in order."""

    def __init__(self, streams: tuple[bytes, ...]) -> None:
        self.tables = read_ipc(streams)
        self.at = [0] * len(self.tables)

    def take(self, counts: tuple[int, ...]) -> list:
        """The next letter's rows of each table (``counts`` rows each)."""
        parts = []
        for i, n in enumerate(counts):
            parts.append(self.tables[i].slice(self.at[i], n))
            self.at[i] += n
        return parts


class OldTables:
    """The last build's table files of one shard, read when a kept letter's rows are first asked
    for; a letter's rows are the slice the manifest noted (``table_at``)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._tables: list | None = None
        names = list(tables())
        self._letters = names.index("letters") if "letters" in names else None  # the table that checks a slice

    def take(self, table_at: str | None, letter: str | None) -> list | None:
        """The rows, or None when the files do not hold them there (then the letter is parsed again)."""
        import pyarrow.parquet as pq

        if not table_at or letter is None:
            return None
        try:
            if self._tables is None:
                self._tables = [pq.read_table(p) for p in self.paths]
            spans = [tuple(map(int, part.split(","))) for part in table_at.split(";")]
            parts = [t.slice(a, n) for t, (a, n) in zip(self._tables, spans, strict=True)]
        except (OSError, ValueError):
            return None
        if any(p.num_rows != n for p, (_, n) in zip(parts, spans, strict=True)):
            return None
        letters = self._letters
        if letters is not None and parts[letters].num_rows != 1:
            return None
        if letters is not None and parts[letters].column("letter")[0].as_py() != letter:
            return None  # not this letter's rows: the file is not the one the manifest describes
        return parts


__all__ = [
    "BOOLEANS",
    "ChunkTables",
    "OldTables",
    "chunk_ipc",
    "read_ipc",
    "rows_to_arrow",
    "schema_of",
    "INTEGERS",
    "INTEGER_LISTS",
    "TABLES",
    "ShardTables",
    "TableWriter",
    "arrow_type",
    "list_columns",
    "query_columns",
    "table_queries",
    "table_value",
    "tables",
]
