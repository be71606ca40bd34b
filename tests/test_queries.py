"""Embedded store and canned queries (issue 4, partial): answers checked against plain Python."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pyoxigraph as ox
import pytest
from conftest import CORPUS, EXAMPLES, corpus_texts, needs_shared

from kg import parse_text
from kg.queries import bindings, load_queries, run, to_term
from kg.store import load, open_store
from kg.treatments import classify, concepts


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("../shared corpus not present")
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(CORPUS / "found"), str(CORPUS / "seeds"), "-o", str(out), "-q"],
        check=True,
        capture_output=True,
    )
    store = open_store(tmp_path_factory.mktemp("store"))
    load(store, [out])
    return store


@pytest.fixture(scope="module")
def letters():
    seen, out = set(), []
    for p in corpus_texts():
        letter = parse_text(p.read_text(), p.name)
        if letter.case_number not in seen or letter.case_number is None:
            seen.add(letter.case_number)
            out.append(letter)
    return out


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
def test_outcome_by_category_matches_python(shared_store, letters):
    expected = Counter()
    over = Counter()
    for letter in letters:
        for item in letter.items:
            cat = concepts()[classify(item).category]["label"]
            expected[cat] += 1
            over[cat] += item.outcome == "Overturned"
    _, rows = _q(shared_store, "outcome-by-category")
    got = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    assert got == {k: (expected[k], over[k]) for k in expected}


@needs_shared
def test_mixed_outcome_letters_match_python(shared_store, letters):
    expected = sorted(
        (
            letter.case_number,
            sum(i.outcome == "Upheld" for i in letter.items),
            sum(i.outcome == "Overturned" for i in letter.items),
        )
        for letter in letters
        if letter.outcome == "Partially Overturned"
    )
    _, rows = _q(shared_store, "mixed-outcome-letters")
    assert sorted((r[0], int(r[1]), int(r[2])) for r in rows) == expected


@needs_shared
def test_reviewer_states_match_python(shared_store, letters):
    expected = Counter(s for letter in letters for s in set(letter.reviewer.licensed_states))
    _, rows = _q(shared_store, "reviewer-states")
    assert {r[0]: int(r[1]) for r in rows} == dict(expected)


@needs_shared
def test_modified_requests_match_python(shared_store, letters):
    expected = Counter(
        (concepts()[classify(i).category]["label"], i.outcome) for letter in letters for i in letter.items if i.modified
    )
    _, rows = _q(shared_store, "modified-request-outcomes")
    assert {(r[0], r[1]): int(r[2]) for r in rows} == dict(expected)


@needs_shared
def test_upheld_facet_guidelines_match_python(shared_store, letters):
    expected = Counter()
    for letter in letters:
        for item in letter.items:
            if classify(item).concept == "facet-joint-injection" and item.outcome == "Upheld":
                for work in {s.work for s in item.imr.sources}:
                    expected[work] += 1
    _, rows = _q(shared_store, "upheld-facet-guidelines")
    assert sum(int(r[3]) for r in rows) >= sum(expected.values()) > 0


def test_parameter_values_cannot_change_the_query(tmp_path):
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(EXAMPLES), "-o", str(out), "-q"], check=True, capture_output=True
    )
    store = open_store(tmp_path / "store")
    load(store, [out])
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


def test_cli_query_and_sparql(tmp_path):
    out, store = tmp_path / "out", tmp_path / "store"
    cli = [sys.executable, "-m", "kg.cli"]
    subprocess.run([*cli, "build", str(EXAMPLES), "-o", str(out), "-q"], check=True, capture_output=True)
    subprocess.run([*cli, "load", str(out), "--store", str(store)], check=True, capture_output=True)
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
