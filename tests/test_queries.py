"""Embedded store and canned queries (issue 4, partial): answers checked against plain Python."""

from __future__ import annotations

import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
from conftest import needs_shared
from expected import EXPECTED, normalize

from kg.queries import bindings, load_queries, run, to_term
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
    res = subprocess.run(
        [*cli, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "json", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and int(__import__("json").loads(res.stdout)[0]["n"]) > 100
    assert subprocess.run([*cli, "query", "no-such-query", "--store", str(store)], capture_output=True).returncode == 2
