"""The analyst tables (letters, items, sources, reasons) as Parquet: their columns, their types,
and the writer both ``imrkg build`` and ``imrkg export parquet`` use, so the two give one schema.

A table is one query file of ``queries/tables/`` (its columns are that file's SELECT). A build
writes each table beside the graph, a file per graph shard (``tables/items/graph.parquet``), from
the rows each worker read off its letters' triples (:mod:`kg.graph.table_rows`), so a rebuilt
shard rewrites its own table files and nothing else; ``imrkg sql`` runs DuckDB over them.

Types are declared here, not guessed from the values: every shard's file has the same schema
whatever letters it holds (a column no letter of a shard fills is still a date or an integer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

from kg.base.output import atomic_writer
from kg.base.resources import query_files

TABLES = "tables"  # the folder of queries/ whose files are the tables
ROWS_PER_GROUP = 20_000  # rows held before they are written as a Parquet row group

# A column a table query makes with GROUP_CONCAT(...; SEPARATOR="; ") is a list in the table: an
# Arrow list<string> (list<int64> for page numbers), its items sorted (GROUP_CONCAT's order is the
# engine's), never "; "-joined text an analyst must split.
_LIST = re.compile(r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*SEPARATOR\s*=\s*"; "\s*\)\s+AS\s+\?(\w+)', re.I)
_PROJECTION = re.compile(r"^\s*SELECT\s+(.*?)\bWHERE\b", re.I | re.S | re.M)
_COLUMN = re.compile(r"\((?:[^()]|\([^()]*\))*\bAS\s+\?(\w+)\s*\)|\?(\w+)", re.I)
INTEGER_LISTS = frozenset({"pages"})
INTEGERS = frozenset({"edition_year", "item_number", "patient_age", "start", "end"})
BOOLEANS = frozenset(
    {"retrospective", "remainder_of_modified_request", "associated_surgery", "is_mtus", "outside_mtus"}
)
DATE_SUFFIX = "_date"  # a column named *_date holds dates


def table_queries() -> dict[str, str]:
    """Table name -> SPARQL, from ``queries/tables/*.rq``."""
    return {f.name.removesuffix(".rq"): f.read_text(encoding="utf-8") for f in query_files(TABLES)}


def list_columns(sparql: str) -> frozenset[str]:
    """The columns a table query makes as lists (see :data:`_LIST`)."""
    return frozenset(_LIST.findall(sparql))


def query_columns(sparql: str) -> list[str]:
    """The columns of a table query: its SELECT's variables, in order."""
    comments = re.sub(r"#[^\n]*", "", sparql)
    m = _PROJECTION.search(comments)
    if m is None:
        raise ValueError("a table query must be SELECT ... WHERE")
    return [alias or var for alias, var in _COLUMN.findall(m.group(1))]


@cache
def tables() -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """Table name -> (its columns, its list columns)."""
    return {name: (tuple(query_columns(q)), list_columns(q)) for name, q in table_queries().items()}


def table_value(column: str, value: Any, lists: frozenset[str] = frozenset()) -> Any:
    """A value as the table holds it: lists split and sorted, integers and dates typed."""
    if value is None:
        return [] if column in lists else None
    if column in lists:
        items = [v for v in str(value).split("; ") if v]
        return sorted(int(v) for v in items) if column in INTEGER_LISTS else sorted(items)
    if column in INTEGERS:
        try:
            return int(str(value)[:4]) if column == "edition_year" else int(value)
        except ValueError:
            return None
    if column.endswith(DATE_SUFFIX) and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if column in BOOLEANS:
        return value if isinstance(value, bool) else str(value) in ("true", "1")
    return value if isinstance(value, str | int | float | bool) else str(value)


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

    def __init__(self, fh: IO[bytes], columns: list[str] | tuple[str, ...], lists: frozenset[str] = frozenset()):
        import pyarrow as pa

        self.columns, self.lists, self.fh = list(columns), lists, fh
        self.schema = pa.schema([pa.field(c, arrow_type(c, lists)) for c in self.columns])
        self.writer: Any = None  # opened with the first row group: an abandoned file has nothing to close
        self.rows: list[list] = []
        self.count = 0

    def add(self, rows: Iterable[list]) -> None:
        """Rows in the query's column order; a full row group is written at once."""
        for row in rows:
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
            try:
                arrays.append(pa.array([r[i] for r in self.rows], type=field.type))
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
                self._writers[name] = (context, TableWriter(context.__enter__(), columns, lists))
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
