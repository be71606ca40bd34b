"""Stage 14, tables: the graph as Parquet tables keyed by its IRIs (`imrkg export parquet`, issue 17)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from conftest import EXAMPLES, needs_shared
from factories import cli

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

CLI = [sys.executable, "-m", "kg.cli"]


def _export(build, out):
    res = subprocess.run([*CLI, "export", "parquet", str(build), "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in ("letters", "items", "sources", "reasons")}


def test_the_examples_as_tables_keyed_by_iris(example_build, tmp_path):
    t = _export(example_build, tmp_path / "tables")
    assert len(t["letters"]) == 2 and len(t["items"]) == 5
    assert set(t["items"]["letter"]) <= set(t["letters"]["letter"])
    assert all(
        i.startswith(letter + "/item/") for i, letter in zip(t["items"]["item"], t["items"]["letter"], strict=True)
    )
    assert set(t["sources"]["item"]) <= set(t["items"]["item"])
    assert isinstance(t["letters"]["decision_date"].dropna().iloc[0], date)
    assert set(t["items"]["outcome"]) <= {"Upheld", "Overturned"}
    assert set(t["sources"]["cited_by"]) == {"ClaimsAdministrator", "IMRReviewer"}


@needs_shared
def test_the_shared_corpus_tables_hold_what_the_records_hold(shared_build, shared_letters, tmp_path):
    t = _export(shared_build, tmp_path / "tables")
    assert len(t["letters"]) == len(shared_letters)
    assert len(t["items"]) == sum(len(L.items) for L in shared_letters)
    assert len(t["reasons"]) == sum(len({r.code for r in i.reasons}) for L in shared_letters for i in L.items)
    upheld = (t["items"]["outcome"] == "Upheld").sum()
    assert upheld == sum(i.outcome == "Upheld" for L in shared_letters for i in L.items)
    # flags: the graph states only the true ones, the table has a boolean for every item
    items = [i for L in shared_letters for i in L.items]
    for column, holds in (
        ("retrospective", lambda i: i.retrospective),
        ("remainder_of_modified_request", lambda i: i.modified is not None),
        ("associated_surgery", lambda i: i.treatment is not None and i.treatment.associated_surgery),
    ):
        assert t["items"][column].dtype == bool, column
        assert t["items"][column].sum() == sum(map(holds, items)) > 0, column
    # outside_mtus: the citation's flag on each of its sources' rows, false where the graph is silent
    sources = t["sources"]
    assert sources["outside_mtus"].dtype == bool
    citations = [c for i in items for c in (i.claims_administrator, i.imr)]
    assert sources["outside_mtus"].sum() == sum(len(c.sources) for c in citations if c.outside_mtus) > 0


def test_parquet_needs_a_folder_it_can_write(example_build):
    res = subprocess.run(
        [*CLI, "export", "parquet", str(example_build), "-o", "/proc/imrkg-x"], capture_output=True, text=True
    )
    assert res.returncode == 1 and "/proc/imrkg-x" in res.stderr and "Traceback" not in res.stderr


def test_a_build_read_a_letter_at_a_time_gives_the_tables_of_the_whole_store(example_build, tmp_path, monkeypatch):
    """Batches of one letter and row groups of two rows: the same rows, types and columns as the
    tables queried out of a store holding the whole build at once."""
    import kg.outputs.tables as tables
    from kg.stores.store import in_memory

    whole = tables.write_parquet(in_memory([example_build]), tmp_path / "whole")
    monkeypatch.setattr(tables, "LETTERS_PER_BATCH", 1)
    monkeypatch.setattr("kg.building.tables.ROWS_PER_GROUP", 2)
    assert tables.write_parquet(example_build, tmp_path / "batched") == whole
    for name in whole:
        a, b = (pd.read_parquet(tmp_path / d / f"{name}.parquet") for d in ("whole", "batched"))
        assert list(a.columns) == list(b.columns) and list(a.dtypes) == list(b.dtypes)
        key = list(a.columns)
        a, b = (t.astype(str).sort_values(key).reset_index(drop=True) for t in (a, b))
        pd.testing.assert_frame_equal(a, b)
    assert whole["items"] == 5 and whole["letters"] == 2


def test_parquet_of_no_build_says_what_to_do_and_writes_nothing(tmp_path):
    for source, reason in ((tmp_path / "missing", "no such file"), (tmp_path, "not a build output directory")):
        res = subprocess.run(
            [*CLI, "export", "parquet", str(source), "-o", str(tmp_path / "out")], capture_output=True, text=True
        )
        assert res.returncode == 2 and reason in res.stderr and "Traceback" not in res.stderr
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_lists_are_arrow_lists_and_years_integers(example_build, tmp_path):
    """0.7.0 wrote "; "-joined text for every many-valued column and years as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "tables"
    assert cli("export", "parquet", str(example_build), "-o", str(out)).returncode == 0
    schema = {name: pq.read_schema(out / f"{name}.parquet") for name in ("items", "letters", "sources")}
    for table, column in (
        ("items", "spinal_levels"),
        ("items", "body_regions"),
        ("letters", "reviewer_specialties"),
        ("letters", "reviewer_states"),
        ("sources", "sections"),
    ):
        assert schema[table].field(column).type == pa.list_(pa.string()), (table, column)
    assert schema["sources"].field("pages").type == pa.list_(pa.int64())
    assert schema["sources"].field("edition_year").type == pa.int64()
    rows = pq.read_table(out / "sources.parquet").to_pylist()
    assert any(r["sections"] == sorted(r["sections"]) and len(r["sections"]) > 1 for r in rows)


# -- the tables every build writes, and `imrkg sql` over them (issue 34) ----------------------------
TABLE_NAMES = ("letters", "items", "sources", "reasons")


def _build_tables(build):
    """The tables a build wrote, all shards together, rows as sorted tuples."""
    import pyarrow.parquet as pq

    out = {}
    for name in TABLE_NAMES:
        files = sorted((build / "tables" / name).glob("*.parquet"))
        assert files, name
        rows = [r for f in files for r in pq.read_table(f).to_pylist()]
        out[name] = sorted(tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows)
    return out


def _exported(build, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "exported"
    assert cli("export", "parquet", str(build), "-o", str(out)).returncode == 0
    return {
        name: sorted(
            tuple(sorted((k, repr(v)) for k, v in r.items()))
            for r in pq.read_table(out / f"{name}.parquet").to_pylist()
        )
        for name in TABLE_NAMES
    }


@pytest.mark.parametrize("corpus", ["examples", "shared"])
def test_the_build_writes_the_tables_the_sparql_export_gives(corpus, example_build, request, tmp_path):
    """Every table a build writes (read off each letter's triples in the worker, kg.graph.table_rows)
    holds the rows and typed values `imrkg export parquet` queries out of the graph, value by value."""
    build = request.getfixturevalue("shared_build") if corpus == "shared" else example_build  # skips without ../shared
    import pyarrow.parquet as pq

    mine, theirs = _build_tables(build), _exported(build, tmp_path)
    for name in TABLE_NAMES:
        assert mine[name] == theirs[name], name
        schemas = {str(pq.read_schema(f)) for f in (build / "tables" / name).glob("*.parquet")}
        assert schemas == {str(pq.read_schema(tmp_path / "exported" / f"{name}.parquet"))}, name


def test_tables_per_shard_and_a_rebuild_gives_a_fresh_builds_bytes(tmp_path):
    """With --shards 3 each shard has its table files; editing one letter rewrites its shard's
    tables, and the result is byte for byte a fresh build's; going back to one shard removes
    the files of shards no longer there."""
    import shutil

    letters = tmp_path / "letters"
    shutil.copytree(EXAMPLES, letters)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert cli("build", str(letters), "-o", str(out), "--shards", "3", "-q").returncode == 0
    assert sorted(p.name for p in (out / "tables" / "items").iterdir()) == [
        "graph-000.parquet",
        "graph-001.parquet",
        "graph-002.parquet",
    ]
    first = sorted(letters.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("Upheld", "Overturned", 1), encoding="utf-8")
    assert cli("build", str(letters), "-o", str(out), "--shards", "3", "-q").returncode in (0, 1)
    assert cli("build", str(letters), "-o", str(fresh), "--shards", "3", "-q").returncode in (0, 1)
    for name in TABLE_NAMES:
        for f in (fresh / "tables" / name).glob("*.parquet"):
            assert f.read_bytes() == (out / "tables" / name / f.name).read_bytes(), (name, f.name)
    assert cli("build", str(letters), "-o", str(out), "-q").returncode in (0, 1)
    assert sorted(p.name for p in (out / "tables" / "items").iterdir()) == ["graph.parquet"]


def test_sql_answers_as_duckdb_does_over_the_same_tables(example_build, tmp_path):
    """`imrkg sql` over a build and over the store `imrkg load` filled: the rows DuckDB gives over
    the same Parquet files directly (year x category, the ad hoc question of issue 34)."""
    import json

    duckdb = pytest.importorskip("duckdb")
    question = (
        "SELECT year(l.decision_date) AS year, i.category, count(*) AS items, "
        "sum(CASE WHEN i.outcome = 'Upheld' THEN 1 ELSE 0 END) AS upheld "
        "FROM items i JOIN letters l USING (letter) GROUP BY ALL ORDER BY ALL"
    )
    direct = duckdb.sql(
        question.replace("FROM items i", f"FROM read_parquet('{example_build}/tables/items/*.parquet') i").replace(
            "JOIN letters l", f"JOIN read_parquet('{example_build}/tables/letters/*.parquet') l"
        )
    ).fetchall()
    assert direct
    expected = [dict(zip(("year", "category", "items", "upheld"), r, strict=True)) for r in direct]
    res = cli("sql", question, "--tables", str(example_build), "-f", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == expected
    store = tmp_path / "store"
    assert cli("load", str(example_build), "--store", str(store)).returncode == 0
    res = cli("sql", question, "--tables", str(store), "-f", "json")
    assert res.returncode == 0 and json.loads(res.stdout) == expected
    lists = cli(
        "sql", "SELECT pages, sections FROM sources WHERE len(sections) > 0 LIMIT 1", "-t", str(store), "-f", "json"
    )
    (row,) = json.loads(lists.stdout)
    assert isinstance(row["sections"], list) and isinstance(row["pages"], list)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["SELECT 1", "--tables", "{tmp}/nowhere"], 2, "no such build directory or store"),
        (["SELECT 1", "--tables", "{tmp}"], 2, "no analyst tables here"),
        (["SELECT * FROM nothing", "--tables", "{build}"], 2, "the tables are items, letters, reasons, sources"),
        (["SELEC oops", "--tables", "{build}"], 2, "Parser Error"),
        (["SELECT 1 WHERE false", "--tables", "{build}"], 0, "returned no rows"),
        (["missing.sql", "--tables", "{build}"], 2, "no such file"),
    ],
)
def test_sql_mistakes_are_one_line_saying_what_to_do(example_build, tmp_path, args, code, says):
    pytest.importorskip("duckdb")
    res = cli("sql", *[a.format(tmp=tmp_path, build=example_build) for a in args])
    assert res.returncode == code, res.stderr
    assert says in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
