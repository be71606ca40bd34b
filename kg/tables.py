"""The graph -> Parquet tables for pandas, DuckDB or Spark (``imrkg export parquet``).

Each table is one query file of ``queries/tables/`` (letters, items, sources, reasons), its rows
keyed by the IRIs of the graph, so an analyst can always come back from a row to the letter and
the words it came from. Values keep their types: numbers, booleans, and dates (columns named
``*_date``) as Parquet dates. pyarrow is an optional dependency (``pip install imr-kg[parquet]``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kg.output import atomic_writer
from kg.queries import run
from kg.resources import query_files

TABLES = "tables"  # the folder of queries/ whose files are the tables


def table_queries() -> dict[str, str]:
    """Table name -> SPARQL, from ``queries/tables/*.rq``."""
    return {f.name.removesuffix(".rq"): f.read_text(encoding="utf-8") for f in query_files(TABLES)}


def _value(column: str, value):
    if value is not None and column.endswith("_date") and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def write_parquet(target, outdir: str | Path) -> dict[str, int]:
    """Write every table as ``OUTDIR/NAME.parquet`` (each atomically); returns rows per table."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("Parquet export needs pyarrow: pip install 'imr-kg[parquet]'") from None
    outdir = Path(outdir)
    counts = {}
    for name, sparql in table_queries().items():
        columns, rows = run(target, sparql, typed=True)
        data = {c: [_value(c, r[i]) for r in rows] for i, c in enumerate(columns)}
        table = pa.table(data) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})
        with atomic_writer(outdir / f"{name}.parquet", "wb") as fh:
            pq.write_table(table, fh)
        counts[name] = len(rows)
    return counts


__all__ = ["TABLES", "table_queries", "write_parquet"]
