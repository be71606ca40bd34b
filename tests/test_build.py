"""Stage 10, the build: workers, manifest, shards, incremental rebuilds, crash safety, determinism."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CORPUS, EXAMPLES, needs_shared
from factories import CLI, cli, copy_examples, synth
from rdflib import Graph

import kg.building.build
import kg.reading.read
from kg.building.builddir import BuildDir
from kg.graph.namespaces import IMR


def build(corpus: Path, out: Path, *extra: str) -> dict:
    res = cli("build", str(corpus), "-o", str(out), "-q", *extra)
    assert res.returncode == 0, res.stderr[-2000:]
    return BuildDir(out).read_summary()


def nq_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in BuildDir(out).letter_files()}


def quads(*paths: Path) -> set[str]:
    """The quads of graph files, as N-Quads lines (what they state, whatever their order)."""
    return {str(q) for p in paths for q in ox.parse(path=str(p), format=ox.RdfFormat.TRIG)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("corpus"), 40)


def _edit_one(corpus: Path) -> Path:
    """Edit one letter that has a case number, from the eighth file on. A letter without one
    (the 2014 layout, which the synthetic corpus draws at random) is named by a hash of its text,
    so editing it is a new letter and the old one's removal: that made an incremental-load test
    fail about one run in five."""
    victim = next(p for p in sorted(corpus.rglob("*.txt"))[7:] if "Case Number:" in p.read_text())
    text = victim.read_text()
    marker = next(line for line in text.splitlines() if line.startswith("Synthetic letter"))
    victim.write_text(text.replace(marker, marker.rstrip(".") + ", edited."))
    return victim


def test_build_examples(tmp_path):
    out = tmp_path / "out"
    res = cli("build", str(EXAMPLES), "-o", str(out), "--turtle")
    assert res.returncode == 0, res.stderr
    summary = BuildDir(out).read_summary()
    assert summary["letters"] == 2 and summary["violations"] == 0
    ttl = Graph().parse(BuildDir(out).turtle, format="turtle")  # rdflib loads the Turtle
    assert (None, IMR.hasItem, None) in ttl
    store = ox.Store()  # pyoxigraph loads the TriG, one named graph per letter + vocabulary
    store.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    graphs = {str(g.value) for g in store.named_graphs()}
    assert len(graphs) == 4 and any(g.endswith("/letter/CM16-9000001/graph") for g in graphs)


def test_build_is_byte_identical(tmp_path):
    for name in ("a", "b"):
        build(EXAMPLES, tmp_path / name)
    assert nq_bytes(tmp_path / "a") == {"graph.trig": (tmp_path / "b" / "graph.trig").read_bytes()}
    assert (tmp_path / "a" / "statistics.trig").read_bytes() == (tmp_path / "b" / "statistics.trig").read_bytes()


@needs_shared
def test_shared_corpus_builds_and_conforms(shared_build):
    summary = BuildDir(shared_build).read_summary()
    assert summary["letters"] == 135 and summary["violations"] == 0 and not summary["failures"]


def test_each_file_is_read_and_hashed_once(tmp_path, monkeypatch):
    letters = copy_examples(tmp_path / "letters")
    reads: list[str] = []
    hashes: list[str] = []
    real_read, real_hash = Path.read_bytes, kg.building.build._hash_file

    def counting_read(self: Path) -> bytes:
        if self.parent == letters:
            reads.append(self.name)
        return real_read(self)

    def counting_hash(path: Path) -> str | None:
        hashes.append(path.name)
        return real_hash(path)

    class CountingHashlib:
        @staticmethod
        def sha256(data: bytes):
            hashes.append("worker")
            return hashlib.sha256(data)

    monkeypatch.setattr(Path, "read_bytes", counting_read)
    monkeypatch.setattr(kg.building.build, "_hash_file", counting_hash)
    monkeypatch.setattr(kg.reading.read, "hashlib", CountingHashlib)
    monkeypatch.setattr(kg.building.build, "IN_PROCESS", True)  # to count from here
    out = tmp_path / "out"
    kg.building.build.build([letters], out, jobs=1)
    assert sorted(reads) == sorted(p.name for p in letters.iterdir()) and hashes == ["worker", "worker"]
    reads.clear(), hashes.clear()
    kg.building.build.build([letters], out, jobs=1)  # unchanged: a stat per file, nothing read
    assert reads == [] and hashes == []
    victim = letters / "synthetic-2016-facet.txt"
    os.utime(victim, ns=(time.time_ns(), time.time_ns()))  # touched, not edited: hashed, not rebuilt
    assert kg.building.build.build([letters], out, jobs=1).parsed == 0 and hashes == [victim.name]
    reads.clear(), hashes.clear()
    victim.write_text(victim.read_text().replace("lifting boxes", "lifting crates"))
    # edited: only it is parsed again (the worker is given the hash); the other letter's block is copied
    assert kg.building.build.build([letters], out, jobs=1).parsed == 1
    assert hashes == [victim.name] and sorted(reads) == [victim.name, victim.name]


def test_unchanged_rebuild_does_nothing_and_changes_rebuild_only_their_shard(corpus, tmp_path):
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "out"
    first = build(work, out, "--shards", "4")
    assert first["letters"] == 40 and first["parsed_this_run"] == 40 and first["rebuilt_shards"] == 4
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("graph-*.trig")}
    again = build(work, out, "--shards", "4")
    assert again["parsed_this_run"] == 0 and again["rebuilt_shards"] == 0 and again["letters"] == 40
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("graph-*.trig")} == before  # not even rewritten

    _edit_one(work)
    changed = build(work, out, "--shards", "4")
    assert changed["rebuilt_shards"] == 1 and changed["parsed_this_run"] < 40  # shards keyed by file name
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


def kill_during(cmd: list[str], after: float) -> None:
    """Run ``cmd`` and kill -9 it (and its workers) after ``after`` seconds."""
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
    kill_during([*CLI, "build", str(corpus), "-o", str(out), "-q", "--shards", "2"], after)
    for path in out.glob("graph-*.trig"):  # whatever is under a final name is complete
        assert path.read_bytes() == (clean / path.name).read_bytes()
    assert not BuildDir(out).is_build() or BuildDir(out).summary.exists()
    build(corpus, out, "--shards", "2")
    assert nq_bytes(out) == nq_bytes(clean)
    assert not list(out.glob(".*.part"))


def test_iris_do_not_depend_on_paths_or_order(corpus, tmp_path):
    a = tmp_path / "somewhere" / "letters"
    shutil.copytree(corpus, a)
    b = tmp_path / "elsewhere-entirely"
    shutil.copytree(corpus, b)
    build(a, tmp_path / "out-a")
    files = sorted(b.rglob("*.txt"), reverse=True)  # another place, the opposite order
    assert cli("build", *map(str, files), "-o", str(tmp_path / "out-b"), "-q").returncode == 0
    assert quads(tmp_path / "out-a" / "graph.trig") == quads(tmp_path / "out-b" / "graph.trig")
    assert (tmp_path / "out-a" / "graph.trig").read_bytes() != (tmp_path / "out-b" / "graph.trig").read_bytes()


@needs_shared
def test_shards_hold_the_same_quads_as_one_file(tmp_path, shared_build):
    build_args = [str(CORPUS / "found"), str(CORPUS / "seeds"), "-o", str(tmp_path / "sharded"), "-q", "--shards", "3"]
    assert cli("build", *build_args).returncode == 0
    one = quads(shared_build / "graph.trig")
    three = quads(*BuildDir(tmp_path / "sharded").letter_files())
    assert one == three
    summary = json.loads((tmp_path / "sharded" / "summary.json").read_text())
    assert summary["shards"] == 3


def test_an_item_the_vocabulary_lacks_is_a_warning_and_the_build_succeeds(tmp_path):
    from factories import item_text, letter_text

    letters = tmp_path / "letters"
    letters.mkdir()
    (letters / "odd.txt").write_text(letter_text(item_text("Zzyzx apparatus, one")))
    res = cli("build", str(letters), "-o", str(tmp_path / "out"), "-q")
    assert res.returncode == 0, res.stderr
    summary = BuildDir(tmp_path / "out").read_summary()
    assert summary["violations"] == 0 and summary["warnings"] == 1 and len(summary["unmapped_treatments"]) == 1
    assert "1 items without a treatment concept" in res.stderr
    assert "warning: CM16-9000042 item/1: imr:treatment:" in BuildDir(tmp_path / "out").report.read_text()


def test_bad_names_links_and_pipes_in_a_folder_are_reported_and_the_batch_goes_on(tmp_path):
    letters = copy_examples(tmp_path / "letters")
    (letters / os.fsdecode(b"caf\xe9.txt")).write_text("x")
    (letters / "loop.txt").symlink_to(letters / "loop.txt")
    os.mkfifo(letters / "pipe.txt")
    res = cli("build", str(letters), "-o", str(tmp_path / "out"), "-q")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    summary = BuildDir(tmp_path / "out").read_summary()
    reasons = {Path(f["file"]).name: f["error"] for f in summary["failures"]}
    assert summary["letters"] == 2
    assert reasons["caf\\xe9.txt"] == "file name is not valid UTF-8; rename it"
    assert "cannot read" in reasons["loop.txt"] and reasons["pipe.txt"] == "not a regular file"


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    import fcntl

    out = BuildDir(tmp_path / "out")
    out.path.mkdir()
    with open(out.lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write("pid 4242\n")
        fh.flush()
        res = cli("build", str(EXAMPLES), "-o", str(out.path), "-q")
    assert res.returncode == 2 and "being built by another process (pid 4242)" in res.stderr
    assert build(EXAMPLES, out.path)["letters"] == 2  # the lock goes with its holder


def test_killing_a_build_kills_its_workers(tmp_path_factory, tmp_path):
    corpus = synth(tmp_path_factory.mktemp("orphan-corpus"), 400)
    out = tmp_path / "out-orphans"
    proc = subprocess.Popen(
        [*CLI, "build", str(corpus), "-o", str(out), "-q", "--jobs", "2"], stderr=subprocess.DEVNULL
    )
    time.sleep(2.0)
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as an OOM killer or a user would
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and _processes_mentioning(str(out)):
        time.sleep(0.2)
    assert not _processes_mentioning(str(out))


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_that_kills_its_worker_costs_only_itself(tmp_path, monkeypatch, jobs):
    """With one job too (the default on a one-core machine): 0.7.0 ran -j 1 in its own process,
    where such a document took the whole run."""
    import kg.reading.parse

    letters = copy_examples(tmp_path / "letters")
    (letters / "killer.txt").write_text("this one takes its worker down")
    real = kg.reading.parse.parse_document

    def deadly(doc):
        if doc.name.endswith("killer.txt"):
            os._exit(9)  # as the kernel's OOM killer would end it
        return real(doc)

    monkeypatch.setattr(kg.reading.parse, "parse_document", deadly)  # workers are forked: they inherit it
    summary = kg.building.build.build([letters], tmp_path / "out", jobs=jobs)
    assert summary.letters == 2
    assert [f["error"] for f in summary.failures] == [kg.building.build.WORKER_DIED]
    assert summary.failures[0]["file"].endswith("killer.txt")


def test_a_document_that_takes_too_long_is_skipped_with_a_reason(tmp_path, monkeypatch):
    import kg.reading.parse

    letters = copy_examples(tmp_path / "letters")
    (letters / "slow.txt").write_text("this one never finishes")
    real = kg.reading.parse.parse_document

    def slow(doc):
        if doc.name.endswith("slow.txt"):
            time.sleep(30)
        return real(doc)

    monkeypatch.setattr(kg.reading.parse, "parse_document", slow)
    monkeypatch.setattr(kg.reading.parse, "SECONDS_PER_DOCUMENT", 1)
    started = time.time()
    summary = kg.building.build.build([letters], tmp_path / "out", jobs=1)
    assert time.time() - started < 20 and summary.letters == 2
    assert summary.failures == [{"file": str(letters / "slow.txt"), "error": "took longer than 1 s to read; skipped"}]


def test_gzip_output_is_the_same_graph_compressed_and_deterministic(tmp_path):
    """`--compress gzip` writes graph.trig.gz and statistics.trig.gz: decompressed, the bytes of a
    plain build; compressed, the same bytes on every run; readers take either (issue 17)."""
    import gzip

    from kg.building.builddir import AUTO_GZIP_FROM, compressed
    from kg.building.validate import validate_path
    from kg.stores.store import load, open_store

    for name, how in (("plain", "none"), ("gz1", "gzip"), ("gz2", "gzip")):
        res = cli("build", str(EXAMPLES), "-o", str(tmp_path / name), "-q", "--compress", how, "--shards", "2")
        assert res.returncode == 0, res.stderr
    plain, gz1, gz2 = (BuildDir(tmp_path / n) for n in ("plain", "gz1", "gz2"))
    assert [p.name for p in gz1.graph_files()] == ["graph-000.trig.gz", "graph-001.trig.gz", "statistics.trig.gz"]
    for a, b, c in zip(plain.graph_files(), gz1.graph_files(), gz2.graph_files(), strict=True):
        assert gzip.decompress(b.read_bytes()) == a.read_bytes()
        assert b.read_bytes() == c.read_bytes()  # no file name or time in the gzip header
    assert sum(p.stat().st_size for p in gz1.graph_files()) * 4 < sum(p.stat().st_size for p in plain.graph_files())
    stores = {}
    for name in ("plain", "gz1"):
        stores[name] = open_store(tmp_path / f"store-{name}")
        load(stores[name], [tmp_path / name])
    assert set(stores["plain"]) == set(stores["gz1"])
    assert validate_path(tmp_path / "gz1") == validate_path(tmp_path / "plain")
    # an unchanged gzip build rewrites nothing; switching back removes the .gz files
    again = cli("build", str(EXAMPLES), "-o", str(tmp_path / "gz1"), "--compress", "gzip", "--shards", "2")
    assert "0/2 shards rebuilt" in again.stderr
    cli("build", str(EXAMPLES), "-o", str(tmp_path / "gz1"), "-q", "--compress", "none", "--shards", "2")
    assert sorted(p.name for p in (tmp_path / "gz1").glob("*.trig*")) == [
        "graph-000.trig",
        "graph-001.trig",
        "statistics.trig",
    ]
    assert not compressed("auto", AUTO_GZIP_FROM - 1) and compressed("auto", AUTO_GZIP_FROM)
    assert cli("build", str(EXAMPLES), "-o", str(tmp_path / "x"), "--compress", "zip").returncode == 2


def test_same_case_other_decisions_is_a_conflict_naming_both(tmp_path):
    """A second file of one case with other decisions is reported (stderr, summary, exit 1) and
    the graph keeps the first file; a copy with the same decisions is a quiet duplicate (issue 13)."""
    letters = copy_examples(tmp_path / "letters")
    first = next(p for p in sorted(letters.glob("*.txt")) if "CM16-" in p.read_text())  # a letter with a case number
    (letters / "zz-copy.txt").write_text(first.read_text())
    res = cli("build", str(letters), "-o", str(tmp_path / "out"), "-q")
    summary = BuildDir(tmp_path / "out").read_summary()
    assert res.returncode == 0 and summary["conflicts"] == [] and len(summary["duplicates"]) == 1
    text = first.read_text()
    flipped = text.replace("Upheld", "Overturned") if "Upheld" in text else text.replace("Overturned", "Upheld")
    (letters / "zz-copy.txt").write_text(flipped)
    res = cli("build", str(letters), "-o", str(tmp_path / "out"), "-q")
    summary = BuildDir(tmp_path / "out").read_summary()
    assert res.returncode == 1, res.stderr
    (conflict,) = summary["conflicts"]
    assert conflict["file"].endswith("zz-copy.txt") and conflict["kept"] == str(first)
    assert "zz-copy.txt" in res.stderr and first.name in res.stderr and "other decisions" in res.stderr
    assert summary["letters"] == 2  # the graph keeps the first file's letter


@pytest.mark.parametrize(
    "change, says",
    [
        (("Neurology", "Orthopedic Surgery"), "reviewer.specialties"),
        (("Date of Injury: 10/03/2016", "Date of Injury: 10/04/2016"), "dates.injury"),
    ],
)
def test_same_case_other_specialty_or_injury_date_is_a_conflict_not_a_copy(tmp_path, change, says):
    """0.7.0 compared only the decisions: a second file of one case naming another specialty or
    injury date was dropped as "same letter" without a word."""
    from factories import letter_text

    letters = tmp_path / "letters"
    letters.mkdir()
    text = letter_text(specialty="Neurology")
    assert change[0] in text
    (letters / "a.txt").write_text(text)
    (letters / "b.txt").write_text(text.replace(*change))
    res = cli("build", str(letters), "-o", str(tmp_path / "out"), "-q")
    summary = BuildDir(tmp_path / "out").read_summary()
    assert res.returncode == 1 and summary["duplicates"] == [], res.stderr
    (conflict,) = summary["conflicts"]
    assert "states other things" in conflict["error"] and says in conflict["error"], conflict


MEMORY_ERROR = "document too large to parse in memory"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_that_wants_gigabytes_fails_alone_whatever_the_job_count(tmp_path, monkeypatch, jobs):
    """A document whose reading would take gigabytes (a PDF whose content stream inflates to 300
    MB of text took 22 GB in 0.7.0 with -j 1) meets the worker's memory cap: one line for it, the
    rest of the run kept, with one job as with two."""
    import kg.reading.parse
    import kg.reading.records

    letters = copy_examples(tmp_path / "letters")
    (letters / "hog.txt").write_text("this one wants gigabytes")
    real = kg.reading.parse.parse_text

    def hog(text, name):
        if name.endswith("hog.txt"):
            bytearray(3 * 2**30)  # refused under the cap below
        return real(text, name)

    monkeypatch.setenv("IMRKG_WORKER_MEMORY_MB", "1024")
    monkeypatch.setattr(kg.reading.parse, "parse_text", hog)
    summary = kg.building.build.build([letters], tmp_path / "out", jobs=jobs)
    assert summary.letters == 2
    assert [(Path(f["file"]).name, f["error"]) for f in summary.failures] == [("hog.txt", MEMORY_ERROR)]
    lines = list(kg.reading.parse.record_lines([letters], jobs))
    assert [(Path(line.name).name, line.error) for line in lines if line.error] == [("hog.txt", MEMORY_ERROR)]
    assert len(lines) == 3


def test_a_worker_cannot_take_more_memory_than_its_cap():
    """Workers cap their address space (kg.base.pool.limit_memory, 4 GB unless IMRKG_WORKER_MEMORY_MB
    says otherwise): a document that would take gigabytes fails in its worker, not the machine."""
    code = (
        "from kg.base.pool import limit_memory\n"
        "limit_memory(512)\n"
        "try:\n    bytearray(2 * 2**30)\nexcept MemoryError:\n    print('refused')\n"
        "print(len(bytearray(16 * 2**20)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.split() == ["refused", str(16 * 2**20)], res.stderr


def test_the_manifest_keeps_each_letters_statistics_compressed(tmp_path):
    """Each letter's statistics rows are zlib'd in the manifest (4.2 -> 1.0 KB a letter) and read
    back as the JSON the statistics are summed from."""
    import sqlite3

    from kg.building.manifest import Manifest

    out = tmp_path / "out"
    build(EXAMPLES, out)
    with sqlite3.connect(out / "manifest.sqlite") as conn:
        kinds = {k for (k,) in conn.execute("SELECT typeof(stats) FROM sources WHERE letter IS NOT NULL")}
    assert kinds == {"blob"}
    manifest = Manifest.read_only(out / "manifest.sqlite")
    try:
        rows = [json.loads(s) for s in manifest.letter_statistics()]
    finally:
        manifest.close()
    assert len(rows) == 2 and all("outcome-by-category" in r for r in rows)


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file a build's user reads, by name: graph shards, statistics, analyst tables (not the
    manifest, the word index, the summary: they say how the build got there)."""
    files = [*BuildDir(out).letter_files(), BuildDir(out).statistics, *sorted((out / "tables").rglob("*.parquet"))]
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def _found(out: Path) -> list[tuple]:
    from kg.outputs.find import find

    return sorted((h.case, h.item, h.outcome, h.reasons) for h in find("treatment", index=out, limit=10_000).hits)


@pytest.mark.parametrize("shards", ["1", "3"])
def test_a_letter_costs_its_own_parse_and_the_bytes_are_a_fresh_builds(tmp_path_factory, tmp_path, shards):
    """Edit one letter, add some, remove some, give a second copy of a letter earlier in input
    order, switch compression: each rebuild parses only the new and changed files, and a second
    copy of a letter where its shard is rewritten (the other
    letters' graph blocks are copied from the previous shard files), and every file a user reads
    is byte for byte what a fresh build of the same inputs writes; `imrkg find` finds the same."""
    base = synth(tmp_path_factory.mktemp(f"incremental-{shards}"), 60)
    work = tmp_path / "corpus"
    shutil.copytree(base, work)
    spare = tmp_path / "spare"
    spare.mkdir()
    files = sorted(work.rglob("*.txt"))
    for f in files[-10:]:  # held back, added later
        f.rename(spare / f.name)
    out = tmp_path / "out"
    assert build(work, out, "--shards", shards)["parsed_this_run"] == 50

    def check(step: str, parsed: int, *extra: str) -> None:
        summary = build(work, out, "--shards", shards, *extra)
        assert summary["parsed_this_run"] == parsed, step
        fresh = tmp_path / f"fresh-{step}"
        build(work, fresh, "--shards", shards, *extra)
        assert _outputs(out) == _outputs(fresh), step
        assert _found(out) == _found(fresh), step

    _edit_one(work)
    check("edit", 1)
    for f in sorted(spare.iterdir())[:6]:
        shutil.copy(f, work / f.name)
    check("add", 6)
    for f in sorted(work.rglob("*.txt"))[5:9]:
        f.unlink()
    check("remove", 0)
    later = sorted(work.rglob("*.txt"))[-1]
    shutil.copy(later, work / ("0-" + later.name))  # the same letter, first in input order now
    check("copy first", 1)
    check("gzip", 1, "--compress", "gzip")  # every shard rewritten: only the second copy is read again


def test_statistics_summed_by_group_equal_a_fresh_sum(tmp_path_factory, tmp_path, monkeypatch):
    """The statistics are summed a group of letters at a time and a group the last build summed is
    taken whole; with groups of about 2 letters, after an edit, additions and removals, the
    statistics file is byte for byte a fresh build's (one group of everything), and only the
    groups around the changes were summed again."""
    import kg.building.build as b

    base = synth(tmp_path_factory.mktemp("groups"), 40)
    work = tmp_path / "corpus"
    shutil.copytree(base, work)
    held = sorted(work.rglob("*.txt"))[-5:]
    spare = tmp_path / "spare"
    spare.mkdir()
    for f in held:
        f.rename(spare / f.name)
    out = tmp_path / "out"
    monkeypatch.setattr(b, "STAT_GROUP", 2)
    monkeypatch.setattr(b, "STAT_GROUP_MAX", 4)
    summed: list[int] = []
    real_add = b.Totals.add

    def counting_add(self, partial):
        summed.append(1)
        return real_add(self, partial)

    monkeypatch.setattr(b.Totals, "add", counting_add)
    b.build([work], out, jobs=1)
    assert len(summed) == 35
    _edit_one(work)
    for f in sorted(spare.iterdir())[:3]:
        shutil.copy(f, work / f.name)
    for f in sorted(work.rglob("*.txt"))[2:4]:
        f.unlink()
    summed.clear()
    b.build([work], out, jobs=1)
    # the groups around the three changes (at most 4 letters each), not all 36 letters
    assert 0 < len(summed) <= 27
    monkeypatch.setattr(b, "STAT_GROUP", 1 << 30)
    monkeypatch.setattr(b, "STAT_GROUP_MAX", 1 << 30)
    fresh = tmp_path / "fresh"
    b.build([work], fresh, jobs=1)
    assert BuildDir(out).statistics.read_bytes() == BuildDir(fresh).statistics.read_bytes()
