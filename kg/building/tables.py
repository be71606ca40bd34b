"""The analyst tables (letters, items, sources, reasons) as Parquet: their columns, their types,
and the writer both ``imrkg build`` and ``imrkg export parquet`` use, so the two give one schema.

A table is one query file of ``queries/tables/`` (its columns are that file's SELECT). A build
writes each table beside the graph, a file per graph shard (``tables/items/graph.parquet``), from
the rows each worker read off its letters' triples (:mod:`kg.graph.table_rows`), so a rebuilt
shard rewrites its own table files and nothing else; ``imrkg sql`` runs DuckDB over them.

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


class TableWriter:
    """One table's Parquet file, written a row group at a time; rows as the queries give them
    (typed with :func:`table_value` here)."""

    def __init__(
        self,
        fh: IO[bytes],
        columns: list[str] | tuple[str, ...],
        lists: frozenset[str] = frozenset(),
        typed: bool = False,
    ):
        import pyarrow as pa

        self.columns, self.lists, self.fh, self.typed = list(columns), lists, fh, typed
        self.schema = pa.schema([pa.field(c, arrow_type(c, lists)) for c in self.columns])
        self.writer: Any = None  # opened with the first row group: an abandoned file has nothing to close
        self.rows: list[list] = []
        self.count = 0

    def add(self, rows: Iterable[list]) -> None:
        """Rows in the query's column order (``typed``: already as :func:`table_value` gives them,
        dates as ISO text); a full row group is written at once."""
        for row in rows:
            if self.typed:
                self.rows.append(row)
            else:
                self.rows.append([table_value(c, v, self.lists) for c, v in zip(self.columns, row, strict=True)])
            if len(self.rows) >= ROWS_PER_GROUP:
                self.flush()

    def flush(self) -> None:
        """Write the rows held as one row group."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.fh, self.schema)
        if not self.rows:
            return
        arrays = []
        for i, field in enumerate(self.schema):
            values = [r[i] for r in self.rows]
            try:
                if pa.types.is_date32(field.type):  # ISO text (typed rows) or dates: cast in one pass
                    kind = pa.string() if any(isinstance(v, str) for v in values) else field.type
                    arrays.append(pa.array(values, type=kind).cast(field.type))
                else:
                    arrays.append(pa.array(values, type=field.type))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise ValueError(f"column {field.name}: a value not of its type {field.type} ({err})") from None
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> int:
        """Write what is held and the file's footer; the rows written in all."""
        self.flush()
        self.writer.close()
        return self.count


class ShardTables:
    """The table files of one graph shard, each written beside and renamed when complete:
    ``add`` a letter's rows (a JSON object, table name -> rows), ``close`` to put them in place."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self._writers: dict[str, tuple[Any, TableWriter]] = {}
        try:
            for name, (columns, lists) in tables().items():
                paths[name].parent.mkdir(parents=True, exist_ok=True)
                context = atomic_writer(paths[name], "wb")
                self._writers[name] = (context, TableWriter(context.__enter__(), columns, lists, typed=True))
        except BaseException:
            self.abandon()
            raise

    def add(self, rows: dict[str, list[list]]) -> None:
        """One letter's rows, table name -> rows."""
        for name, table_rows in rows.items():
            self._writers[name][1].add(table_rows)

    def close(self) -> dict[str, int]:
        """Finish every file and put it in place; rows per table."""
        counts = {}
        for name, (context, writer) in self._writers.items():
            counts[name] = writer.close()
            context.__exit__(None, None, None)
        self._writers = {}
        return counts

    def abandon(self) -> None:
        """Leave the files that were there (an interrupted build replaces nothing)."""
        for context, _ in self._writers.values():
            context.__exit__(RuntimeError, RuntimeError("build interrupted"), None)
        self._writers = {}


__all__ = [
    "BOOLEANS",
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
