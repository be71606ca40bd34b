"""Stage 14, tables: the graph as Parquet tables keyed by its IRIs (`imrkg export parquet`, issue 17)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from conftest import needs_shared

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


def test_parquet_needs_a_folder_it_can_write(example_build):
    res = subprocess.run(
        [*CLI, "export", "parquet", str(example_build), "-o", "/proc/imrkg-x"], capture_output=True, text=True
    )
    assert res.returncode == 1 and "/proc/imrkg-x" in res.stderr and "Traceback" not in res.stderr
