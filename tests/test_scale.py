"""Incremental builds and loads, shards, crash safety (kill -9) and determinism."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from kg.queries import bindings, load_queries, run
from kg.store import STATE_GRAPH, load, open_store

CLI = [sys.executable, "-m", "kg.cli"]


def synth(dest: Path, count: int) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), str(dest), "--count", str(count), "--jobs", "1"],
        check=True,
        capture_output=True,
    )
    return dest


def build(corpus: Path, out: Path, *extra: str) -> dict:
    res = subprocess.run([*CLI, "build", str(corpus), "-o", str(out), "-q", *extra], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads((out / "summary.json").read_text())


def nq_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("graph*.nq"))}


def answers(store) -> dict:
    return {
        name: sorted(map(tuple, run(store, q.text, bindings(q, {}))[1]), key=repr) for name, q in load_queries().items()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("corpus"), 40)


def _edit_one(corpus: Path) -> Path:
    victim = sorted(corpus.rglob("*.txt"))[7]
    text = victim.read_text()
    victim.write_text(text.replace("Synthetic letter 7.", "Synthetic letter 7, edited."))
    return victim


def test_unchanged_rebuild_does_nothing_and_changes_rebuild_only_their_shard(corpus, tmp_path):
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "out"
    first = build(work, out, "--shards", "4")
    assert first["letters"] == 40 and first["parsed_this_run"] == 40 and first["rebuilt_shards"] == 4
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("graph-*.nq")}
    again = build(work, out, "--shards", "4")
    assert again["parsed_this_run"] == 0 and again["rebuilt_shards"] == 0 and again["letters"] == 40
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("graph-*.nq")} == before  # not even rewritten

    _edit_one(work)
    changed = build(work, out, "--shards", "4")
    assert 1 <= changed["rebuilt_shards"] <= 2 and changed["parsed_this_run"] < 40
    clean = tmp_path / "clean"
    build(work, clean, "--shards", "4")
    assert nq_bytes(out) == nq_bytes(clean)  # same bytes as building the edited corpus from scratch

    gone = sorted(work.rglob("*.txt"))[3]
    gone.unlink()
    removed = build(work, out, "--shards", "4")
    assert removed["letters"] == 39 and removed["rebuilt_shards"] == 1
    shutil.rmtree(clean)
    build(work, clean, "--shards", "4")
    assert nq_bytes(out) == nq_bytes(clean)


def test_store_load_is_incremental_and_matches_a_clean_load(corpus, tmp_path):
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "out"
    build(work, out)
    store = open_store(tmp_path / "store")
    assert load(store, [out])["graphs"] == 40
    assert load(store, [out]) | {"quads": 0} == {"graphs": 0, "removed": 0, "unchanged": 40, "quads": 0}
    _edit_one(work)
    sorted(work.rglob("*.txt"))[3].unlink()
    build(work, out)
    counts = load(store, [out])
    assert (counts["graphs"], counts["removed"], counts["unchanged"]) == (1, 1, 38)
    fresh = open_store(tmp_path / "fresh")
    load(fresh, [out])
    assert len(store) == len(fresh)
    assert answers(store) == answers(fresh)


def _kill_during(cmd: list[str], after: float) -> None:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(after)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the workers too
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.mark.parametrize("after", [0.8, 1.6])
def test_build_killed_then_rerun_equals_a_clean_build(tmp_path_factory, tmp_path, after):
    corpus = synth(tmp_path_factory.mktemp("kill-corpus"), 400)
    clean = tmp_path / "clean"
    build(corpus, clean, "--shards", "2")
    out = tmp_path / "out"
    _kill_during([*CLI, "build", str(corpus), "-o", str(out), "-q", "--shards", "2"], after)
    for path in out.glob("graph-*.nq"):  # whatever is under a final name is complete
        assert path.read_bytes() == (clean / path.name).read_bytes()
    assert not (out / "manifest.sqlite").exists() or (out / "summary.json").exists()
    build(corpus, out, "--shards", "2")
    assert nq_bytes(out) == nq_bytes(clean)
    assert not list(out.glob(".*.part"))


def test_load_killed_then_rerun_answers_like_a_clean_load(tmp_path_factory, tmp_path):
    corpus = synth(tmp_path_factory.mktemp("load-corpus"), 400)
    out = tmp_path / "out"
    build(corpus, out)
    fresh = open_store(tmp_path / "fresh")
    load(fresh, [out])
    expected = answers(fresh)
    interrupted = 0
    for after in (0.5, 0.65, 0.8, 0.95):
        store_dir = tmp_path / f"store-{after}"
        _kill_during([*CLI, "load", str(out), "--store", str(store_dir)], after)
        if store_dir.exists():
            killed = open_store(store_dir)
            interrupted += killed.contains_named_graph(STATE_GRAPH)  # the kill landed mid-load
            del killed
        res = subprocess.run([*CLI, "load", str(out), "--store", str(store_dir)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        store = open_store(store_dir)
        assert len(store) == len(fresh) and not store.contains_named_graph(STATE_GRAPH)
        assert answers(store) == expected
        del store
    assert interrupted, "no kill landed during a load; the test did not test recovery"


def test_iris_do_not_depend_on_paths_or_order(corpus, tmp_path):
    a = tmp_path / "somewhere" / "letters"
    shutil.copytree(corpus, a)
    b = tmp_path / "elsewhere-entirely"
    shutil.copytree(corpus, b)
    build(a, tmp_path / "out-a")
    files = sorted(b.rglob("*.txt"), reverse=True)  # another place, the opposite order
    res = subprocess.run([*CLI, "build", *map(str, files), "-o", str(tmp_path / "out-b"), "-q"], capture_output=True)
    assert res.returncode == 0
    lines_a = sorted((tmp_path / "out-a" / "graph.nq").read_text().splitlines())
    lines_b = sorted((tmp_path / "out-b" / "graph.nq").read_text().splitlines())
    assert lines_a == lines_b
    assert (tmp_path / "out-a" / "graph.nq").read_bytes() != (tmp_path / "out-b" / "graph.nq").read_bytes()
