"""Embedded store and canned queries (issue 4, partial): answers checked against plain Python."""

from __future__ import annotations

import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
from conftest import EXAMPLES, needs_shared
from expected import EXPECTED, normalize

from kg.builddir import BuildDir
from kg.queries import RAW, bindings, load_queries, run, to_term
from kg.store import load, open_store


@pytest.fixture(scope="module")
def shared_store(shared_build, tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("store"))
    load(store, [shared_build])
    return store


def _q(store, name, **params):
    q = load_queries()[name]
    return run(store, q.text, bindings(q, params))


def test_at_least_twelve_documented_queries():
    qs = load_queries()
    assert len(qs) >= 12
    for q in qs.values():
        assert q.title and q.question, q.name


@needs_shared
def test_every_query_answers_fast(shared_store):
    for name in load_queries():
        start = time.perf_counter()
        _q(shared_store, name)
        assert time.perf_counter() - start < 1.0, name


@needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_matches_plain_python(shared_store, shared_letters, name):
    _, rows = _q(shared_store, name)
    expected = EXPECTED[name](shared_letters)
    assert expected, f"{name}: the shared corpus should give a non-empty answer"
    assert normalize(rows) == expected


@needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_statistics_answer_as_the_letter_graphs_do(shared_store, name):
    """Each canned query reads the statistics graph; queries/raw/ asks the same of the letter graphs."""
    canned, raw = load_queries()[name], load_queries(RAW)[name]
    for treatment in ("", "mri", "facet-joint-injection", "epidural-steroid-injection", "physical-therapy"):
        given = {"treatment": treatment} if treatment and canned.params else {}
        want = run(shared_store, raw.text, bindings(raw, given))
        got = run(shared_store, canned.text, bindings(canned, given))
        assert got[0] == want[0]
        assert normalize(got[1]) == normalize(want[1]), (name, treatment)


def test_statistics_follow_a_changed_letter(tmp_path):
    """Rebuilding after one letter changes gives the statistics a fresh build of the new corpus gives."""
    import shutil

    src = tmp_path / "letters"
    shutil.copytree(EXAMPLES, src)
    cli = [sys.executable, "-m", "kg.cli", "build"]
    subprocess.run([*cli, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    first = BuildDir(tmp_path / "out").statistics.read_text()
    one, other = sorted(p for p in src.iterdir() if p.suffix == ".txt")[:2]
    one.unlink()
    subprocess.run([*cli, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    subprocess.run([*cli, str(src), "-o", str(tmp_path / "fresh"), "-q", "--shards", "2"], check=True)
    again = BuildDir(tmp_path / "out").statistics.read_text()
    assert again == BuildDir(tmp_path / "fresh").statistics.read_text()
    assert again != first
    other.write_text(other.read_text().replace("Upheld", "Overturned"))
    subprocess.run([*cli, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    subprocess.run([*cli, str(src), "-o", str(tmp_path / "fresh2"), "-q", "--shards", "2"], check=True)
    assert BuildDir(tmp_path / "out").statistics.read_text() == BuildDir(tmp_path / "fresh2").statistics.read_text()


def test_every_canned_query_has_an_independent_check():
    assert set(EXPECTED) == set(load_queries())


def test_parameter_values_cannot_change_the_query(example_build, tmp_path):
    store = open_store(tmp_path / "store")
    load(store, [example_build])
    before = len(store)
    for evil in ['x" } ; DROP ALL ; #', "a b c", "<http://x> } DROP ALL {"]:
        q = load_queries()["cited-sections-for-treatment"]
        try:
            subs = bindings(q, {"treatment": evil})
        except ValueError:
            continue
        _, rows = run(store, q.text, subs)
        assert rows == []
    assert len(store) == before
    with pytest.raises(ValueError):
        to_term("<http://bad iri>")
    assert isinstance(to_term("mri", "<https://w3id.org/imr-kg/id/treatment/facet-joint-injection>"), ox.NamedNode)


def test_cli_query_and_sparql(example_build, tmp_path):
    store = tmp_path / "store"
    cli = [sys.executable, "-m", "kg.cli"]
    subprocess.run([*cli, "load", str(example_build), "--store", str(store)], check=True, capture_output=True)
    res = subprocess.run(
        [*cli, "query", "outcome-by-category", "-f", "csv", "--store", str(store)], capture_output=True, text=True
    )
    assert res.returncode == 0 and "Injection" in res.stdout
    raw = subprocess.run(
        [*cli, "query", "outcome-by-category", "-f", "csv", "--raw", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert raw.returncode == 0 and raw.stdout == res.stdout  # the letter graphs say the same
    res = subprocess.run(
        [*cli, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "json", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and int(__import__("json").loads(res.stdout)[0]["n"]) > 100
    assert subprocess.run([*cli, "query", "no-such-query", "--store", str(store)], capture_output=True).returncode == 2
