"""Ad hoc SQL over the analyst tables with DuckDB (``imrkg sql "SELECT ..."``).

The build writes the tables (letters, items, sources, reasons: :mod:`kg.building.tables`) as
Parquet, a file per graph shard; ``imrkg load`` copies them into the store. Here each table is a
view over its files, so ``SELECT year(decision_date), category, count(*) FROM items JOIN letters
USING (letter) GROUP BY ALL`` runs as written. Why DuckDB and not the store: the uphold rate by
year and category over 50k letters took the embedded store 3.5 s and DuckDB over Parquet about
25 ms (docs/scale.md). DuckDB reads Parquet with what its wheel holds; it is told never to fetch
an extension at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.building.builddir import BuildDir
from kg.building.tables import tables
from kg.stores.store import TABLES_IN_STORE


class TablesMissing(LookupError):
    """No analyst tables where the user pointed: says what to run."""


class SqlError(ValueError):
    """DuckDB refused the query (its message, one line)."""


def table_files(path: str | Path) -> dict[str, list[Path]]:
    """Table name -> its Parquet files, in a build directory (``tables/``) or a store (the
    copies ``imrkg load`` made of each build loaded). Raises :class:`TablesMissing` saying
    what to do when there are none."""
    path = Path(path)
    build = BuildDir(path)
    if build.tables.is_dir():
        folders = [build.tables]
    elif (path / TABLES_IN_STORE).is_dir():
        folders = sorted(p for p in (path / TABLES_IN_STORE).iterdir() if p.is_dir() and not p.name.startswith("."))
    elif not path.exists():
        raise TablesMissing(f"{path}: no such build directory or store; build with `imrkg build LETTERS -o OUT`")
    elif build.is_build():
        raise TablesMissing(f"{path}: this build has no analyst tables (built before 0.10): run `imrkg build` again")
    else:
        raise TablesMissing(
            f"{path}: no analyst tables here; give a build directory (--tables OUT) or `imrkg load OUT` into the store"
        )
    found = {name: sorted(f for folder in folders for f in (folder / name).glob("*.parquet")) for name in tables()}
    if not any(found.values()):
        raise TablesMissing(f"{path}: the tables folder is empty; run `imrkg build` again")
    return found


def connect(path: str | Path) -> Any:
    """An in-memory DuckDB connection with a view per table over ``path``'s Parquet files."""
    try:
        import duckdb
    except ImportError:
        raise ImportError("imrkg sql needs DuckDB: pip install 'imr-kg[sql]'") from None
    files = table_files(path)
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": True})
    for name, paths in files.items():
        if paths:
            listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listed}])')
        else:  # no build wrote this table: it is there, empty, so a query names it without an error
            con.execute(f'CREATE VIEW "{name}" AS SELECT NULL AS none WHERE false')
    return con


def run_sql(query: str, path: str | Path) -> tuple[list[str], list[list]]:
    """Columns and rows of ``query`` over the tables at ``path``."""
    import duckdb

    con = connect(path)
    try:
        result = con.execute(query)
        columns = [d[0] for d in result.description or []]
        rows = [list(r) for r in result.fetchall()]
    except duckdb.Error as err:
        message = str(err).strip().splitlines()[0]
        if "Catalog Error" in message:
            message += f" (the tables are {', '.join(tables())})"
        raise SqlError(message) from None
    finally:
        con.close()
    return columns, rows


__all__ = ["SqlError", "TablesMissing", "connect", "run_sql", "table_files"]
