"""Stage 11, the store: loading builds into embedded Oxigraph, incrementally and crash-safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES
from factories import CLI, cli, synth
from test_build import _edit_one, build, kill_during

from kg.graph.questions import load_questions
from kg.stores.queries import ask
from kg.stores.store import DEFAULT_STORE, STATE_GRAPH, load, open_store


def answers(store) -> dict:
    return {name: sorted(map(tuple, ask(store, q, typed=False).rows), key=repr) for name, q in load_questions().items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("corpus"), 40)


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
        kill_during([*CLI, "load", str(out), "--store", str(store_dir)], after)
        if store_dir.exists():
            killed = open_store(store_dir)
            interrupted += killed.contains_named_graph(STATE_GRAPH)  # the kill landed mid-load
            del killed
        res = cli("load", str(out), "--store", str(store_dir))
        assert res.returncode == 0, res.stderr
        store = open_store(store_dir)
        assert len(store) == len(fresh) and not store.contains_named_graph(STATE_GRAPH)
        assert answers(store) == expected
        del store
    assert interrupted, "no kill landed during a load; the test did not test recovery"


def test_graph_files_load_by_their_format_and_others_are_refused(example_build, tmp_path):
    store = open_store(tmp_path / "store")
    assert load(store, [example_build / "graph.trig"])["graphs"] == 4  # two letters, vocabulary, ontology
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="unknown RDF format .json"):
        load(store, [tmp_path / "x.json"])
    with pytest.raises(FileNotFoundError):
        load(store, [tmp_path / "none.trig"])


def test_default_store_is_relative_to_the_working_directory(example_build, tmp_path):
    res = cli("load", str(example_build), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / DEFAULT_STORE).is_dir() and "holds" in res.stderr


def test_readers_open_read_only_beside_a_writer_and_need_the_statistics_graph(example_build, tmp_path):
    import pyoxigraph as ox

    from kg.graph.namespaces import STATISTICS_GRAPH
    from kg.stores.store import StoreError, open_for_reading

    path = tmp_path / "store"
    writer = open_store(path)
    load(writer, [example_build])
    res = cli("query", "outcome-by-category", "--store", str(path))  # while this process holds the store
    assert res.returncode == 0 and "Injection" in res.stdout, res.stderr
    writer.remove_graph(ox.NamedNode(str(STATISTICS_GRAPH)))
    writer.flush()
    with pytest.raises(StoreError, match="no statistics graph"):
        open_for_reading(path, statistics=True)
    assert open_for_reading(path) is not None  # the letter graphs still answer ad hoc questions
    del writer
    res = cli("query", "outcome-by-category", "--store", str(path))
    assert res.returncode == 2 and "--raw" in res.stderr
    assert cli("query", "outcome-by-category", "--raw", "--store", str(path)).returncode == 0


def test_a_store_a_load_did_not_finish_says_so_to_every_reader(example_build, tmp_path):
    import pyoxigraph as ox

    from kg.stores.store import _PENDING, _STATE

    path = tmp_path / "store"
    store = open_store(path)
    load(store, [example_build])
    store.add(ox.Quad(_STATE, _PENDING, ox.NamedNode("https://w3id.org/imr-kg/id/letter/X/graph"), STATE_GRAPH))
    store.flush()
    del store
    res = cli("query", "outcome-by-category", "--store", str(path))
    assert res.returncode == 2 and "did not finish" in res.stderr and "imrkg load" in res.stderr
    assert cli("load", str(example_build), "--store", str(path)).returncode == 0  # repairs
    assert cli("query", "outcome-by-category", "--store", str(path)).returncode == 0


def test_serve_answers_the_canned_questions_over_http_and_stops_on_ctrl_c(example_build, tmp_path):
    import signal
    import subprocess
    import sys

    import requests
    from servers import free_port

    from kg.stores.endpoint import Endpoint

    path = tmp_path / "store"
    load(open_store(path), [example_build])
    embedded = answers(open_for_reading_store(path))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(path), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    said = []
    try:
        for line in proc.stderr:  # what a user sees: the URL once the server answers
            said.append(line)
            if "imrkg: serving" in line:
                break
        endpoint = Endpoint(f"http://127.0.0.1:{port}/query")
        assert answers(endpoint) == embedded  # the union default graph: canned questions answer as embedded
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200  # the query page
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0 and f"127.0.0.1:{port}/query" in "".join(said)


def test_serve_refuses_a_missing_store(tmp_path):
    res = cli("serve", "--store", str(tmp_path / "none"), "--port", "1")
    assert res.returncode == 2 and "no store at" in res.stderr


def open_for_reading_store(path):
    from kg.stores.store import open_for_reading

    return open_for_reading(path)


def test_a_load_that_fails_on_a_broken_file_removes_nothing(corpus, tmp_path):
    """An incremental load reads what it adds before it removes anything: a truncated graph.trig
    fails the load and leaves the store answering as before, with no unfinished-load mark (issue 13)."""
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "out"
    build(work, out)
    store = open_store(tmp_path / "store")
    load(store, [out])
    before, quads = answers(store), len(store)
    _edit_one(work)
    build(work, out)
    graph = out / "graph.trig"
    data = graph.read_bytes()
    graph.write_bytes(data[: len(data) * 2 // 3] + b"<broken")  # cut mid-graph
    with pytest.raises(SyntaxError):
        load(store, [out])
    assert len(store) == quads and not store.contains_named_graph(STATE_GRAPH)
    assert answers(store) == before


def test_load_compacts_the_store_only_when_asked(example_build, tmp_path, monkeypatch):
    """`optimize()` costs half again the disk and helps only ad hoc SPARQL: off unless --optimize (issue 17)."""
    import pyoxigraph as ox

    calls = []
    monkeypatch.setattr(ox.Store, "optimize", lambda self: calls.append(1))
    load(open_store(tmp_path / "a"), [example_build])
    assert calls == []
    load(open_store(tmp_path / "b"), [example_build], optimize=True)
    assert calls == [1]
    res = cli("load", str(example_build), "--store", str(tmp_path / "c"), "--optimize")
    assert res.returncode == 0, res.stderr


def test_a_read_only_open_retries_when_a_writer_compacts_under_it(tmp_path, monkeypatch):
    """RocksDB's read-only open beside a live writer can find a file listed that a compaction has
    just deleted; the open is tried again, and a lasting failure is a StoreError saying why."""
    import pyoxigraph as ox

    import kg.stores.store as store_module
    from kg.stores.store import StoreError

    real, calls = ox.Store.read_only, []

    def flaky(path):
        calls.append(path)
        if len(calls) < 3:
            raise RuntimeError("Corruption: IO error: No such file or directory: While open a file: 000048.sst")
        return real(path)

    path = tmp_path / "store"
    open_store(path).flush()
    monkeypatch.setattr(store_module.ox.Store, "read_only", staticmethod(flaky))
    assert store_module._read_only(path) is not None and len(calls) == 3

    def broken(path):
        raise RuntimeError("Corruption: IO error: No such file or directory: 000049.sst")

    monkeypatch.setattr(store_module.ox.Store, "read_only", staticmethod(broken))
    with pytest.raises(StoreError, match="try again when it ends"):
        store_module._read_only(path)


def test_a_load_the_disk_cannot_hold_is_refused_before_it_starts(example_build, tmp_path):
    """The bulk loader holds about twice the store it leaves and fails only at its end when the
    disk fills (the 1M-letter run lost 40 minutes so, twice): an empty store's load is refused
    first, in one line that gives both figures and what to do; --skip-disk-check loads anyway,
    and a store that already holds a build loads only what changed, so it is not checked."""
    import json

    huge = tmp_path / "huge-build"
    shutil.copytree(example_build, huge)
    summary = json.loads((huge / "summary.json").read_text())
    summary["triples"] = 10**15  # about 500 PB at the bulk loader's peak
    (huge / "summary.json").write_text(json.dumps(summary))

    refused = cli("load", str(huge), "--store", str(tmp_path / "s"), "-q")
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "GB of free disk" in lines[0] and "GB are free" in lines[0], lines
    assert "--virtuoso-sql" in lines[0]
    assert len(open_store(tmp_path / "s")) == 0  # nothing was written

    forced = cli("load", str(huge), "--store", str(tmp_path / "t"), "-q", "--skip-disk-check")
    assert forced.returncode == 0, forced.stderr
    assert len(open_store(tmp_path / "t")) > 0

    assert cli("load", str(example_build), "--store", str(tmp_path / "u"), "-q").returncode == 0
    again = cli("load", str(huge), "--store", str(tmp_path / "u"), "-q")
    assert again.returncode == 0, again.stderr

    # a store with no letter graph is bulk-loaded (kg.stores.store._load_build), so it is checked too
    import pyoxigraph as ox

    no_letters = open_store(tmp_path / "v")
    label = ox.Literal("a vocabulary graph, no letter")
    no_letters.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), label, ox.NamedNode("urn:x:g")))
    del no_letters
    assert cli("load", str(huge), "--store", str(tmp_path / "v"), "-q").returncode == 2


def test_a_load_into_a_store_another_process_holds_is_one_line(example_build, tmp_path):
    """The store is opened before the disk check; a store another process has open (RocksDB's
    lock) must still end in one line naming the load, not a traceback."""
    holder = open_store(tmp_path / "held")
    res = cli("load", str(example_build), "--store", str(tmp_path / "held"), "-q")
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imrkg: ") and "lock" in lines[0].lower(), lines
    del holder


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_serve_stopped_by_any_signal_frees_its_port_and_a_load_meanwhile_is_told(example_build, tmp_path, stop):
    """0.7.0: `imrkg serve` stopped by SIGTERM or SIGHUP, or killed, left the Oxigraph server
    holding the port; a load into the served store was not mentioned, and its user kept getting
    the old answers."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    from servers import free_port

    path = tmp_path / "store"
    load(open_store(path), [example_build])
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(path), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stderr:  # type: ignore[union-attr]
            if "imrkg: serving" in line:
                break
        other = tmp_path / "other"  # a build of one of the two letters: the load removes the other
        assert cli("build", str(next(EXAMPLES.glob("*.txt"))), "-o", str(other), "-q").returncode == 0
        said = cli("load", str(example_build), "--store", str(path))  # unchanged: nothing to say
        assert "imrkg serve" not in said.stderr
        said = cli("load", str(other), "--store", str(path))
        assert said.returncode == 0 and f"imrkg serve (process {proc.pid}" in said.stderr, said.stderr
    finally:
        proc.send_signal(getattr(signal, stop))
        proc.wait(timeout=30)
    if stop != "SIGKILL":
        assert proc.returncode == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the server still holds port {port} after {stop}")
