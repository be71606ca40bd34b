"""Scale benchmarks for issue 6: build throughput (text, PDF), peak memory, unchanged rebuild,
query latency on a large embedded store and against rdflib in memory.

    python bench/bench_scale.py --workdir /tmp/imrkg-bench [--sizes 10000 100000 200000]
        [--pdf 3000] [--query-size 100000] [--rdflib-size 10000]
        [--only ab --compare-with VENV [--this-python VENV] --ab-size 10000 --ab-bar 1.7]
        [--only worker --worker-size 2000] [--only adhoc --adhoc-size 50000]
        [--only million [--million-size 1000000] [--keep-corpus] [--resume-million] [--embedded-letters N]]

Corpora come from bench/synth.py. Every figure is measured here, in this run; results are
printed as a Markdown table and written to WORKDIR/results.json. Memory is the peak resident
set of the whole process tree (main process plus workers), sampled every 0.1 s from /proc.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.building.builddir import BuildDir  # noqa: E402  (after the path is set)

CLI = [sys.executable, "-m", "kg.cli"]


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def timed(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak tree RSS of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    out, err = proc.communicate()
    done.set()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err[-3000:]}")
    return wall, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def corpus(workdir: Path, n: int, pdf: bool = False) -> Path:
    path = workdir / f"{'pdf' if pdf else 'text'}-{n}"
    if not (path / "done").exists():
        shutil.rmtree(path, ignore_errors=True)
        cmd = [sys.executable, str(ROOT / "bench" / "synth.py"), str(path), "--count", str(n)]
        subprocess.run([*cmd, *(["--pdf"] if pdf else [])], check=True)
        (path / "done").write_text("")
    return path


def _uncompressed_bytes(path: Path) -> int:
    """A graph file's size as text (a .gz file is read through)."""
    if not path.name.endswith(".gz"):
        return path.stat().st_size
    import gzip

    with gzip.open(path, "rb") as fh:
        return sum(len(block) for block in iter(lambda: fh.read(1 << 20), b""))


def bench_build(workdir: Path, n: int, pdf: bool = False, parse: bool = False) -> dict:
    src = corpus(workdir, n, pdf)
    out = workdir / f"build-{'pdf' if pdf else 'text'}-{n}"
    shutil.rmtree(out, ignore_errors=True)
    wall, rss, _ = timed([*CLI, "build", str(src), "-o", str(out), "-q"])
    summary = BuildDir(out).read_summary()
    again, _, _ = timed([*CLI, "build", str(src), "-o", str(out), "-q"])
    files = BuildDir(out).letter_files()
    letters_bytes = sum(_uncompressed_bytes(p) for p in files)
    row = {
        "input": "PDF" if pdf else "text",
        "letters": summary["letters"],
        "violations": summary["violations"],
        "failures": len(summary["failures"]),
        "seconds": round(wall, 1),
        "letters_per_s": round(summary["letters"] / wall, 1),
        "peak_rss_mb": round(rss / 2**20),
        "unchanged_rebuild_s": round(again, 2),
        "unchanged_rebuild_pct": round(100 * again / wall, 2),
        "graph_files_gb": round(sum(p.stat().st_size for p in files) / 1e9, 3),
        "compressed": files[0].name.endswith(".gz"),
        "kb_per_letter_uncompressed": round(letters_bytes / summary["letters"] / 1000, 1),
        "triples_per_letter": round(summary["triples"] / summary["letters"], 1),
        "statistics_mb": round(BuildDir(out).statistics.stat().st_size / 1e6, 1),
        "manifest_mb": round(BuildDir(out).manifest.stat().st_size / 1e6, 1),
    }
    row["bar"] = "<= 25 KB a letter uncompressed: " + ("PASS" if row["kb_per_letter_uncompressed"] <= 25 else "FAIL")
    row["quads_bar"] = "<= 110 quads a letter: " + ("PASS" if row["triples_per_letter"] <= 110 else "FAIL")
    if parse:  # imrkg parse of the same corpus: records streamed to a file, peak memory of the tree
        records = workdir / f"records-{n}.jsonl"
        parse_wall, parse_rss, _ = timed([*CLI, "parse", str(src), "-o", str(records)])
        row["parse_seconds"] = round(parse_wall, 1)
        row["parse_peak_rss_mb"] = round(parse_rss / 2**20)
        records.unlink(missing_ok=True)
    print(json.dumps(row), flush=True)
    return row


def _p50(fn, runs: int) -> float:
    fn()  # warm-up: caches, first-use parser set-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_store(workdir: Path, n: int, reuse: bool = False):
    """(store, build dir, load seconds): the n-letter build (made if missing) in a new embedded
    store, or with ``reuse`` loaded incrementally into the store left by an earlier run."""
    from kg.stores.store import load, open_store

    build_dir = workdir / f"build-text-{n}"
    if not BuildDir(build_dir).is_build():
        bench_build(workdir, n)
    else:  # brings an older build up to date (a no-op when it is)
        timed([*CLI, "build", str(corpus(workdir, n)), "-o", str(build_dir), "-q"])
    store_dir = workdir / f"store-{n}"
    if not reuse:
        shutil.rmtree(store_dir, ignore_errors=True)
    start = time.perf_counter()
    store = open_store(store_dir)
    load(store, [build_dir])
    return store, build_dir, time.perf_counter() - start


DATE_FILTER = {"from": "2016-01-01", "to": "2016-12-31"}  # a year on month boundaries (synth.py dates: 2015-2018)
P50_BAR_MS = 100.0  # issue 16: every canned question, with and without a date filter, on 100k letters
RDFLIB_BAR = 20.0  # issue 16: the same on 10k at least 20x faster than rdflib in memory


def bench_queries(workdir: Path, n: int, runs: int = 5, reuse: bool = False) -> dict:
    """p50 of every canned question on the embedded store, with and without a date filter, as
    :func:`kg.stores.queries.ask` answers it (the statistics check included); each must come from the
    statistics and be under the bar."""
    from kg.graph.questions import load_questions
    from kg.stores.queries import STATISTICS, ask

    store, build_dir, load_s = fresh_store(workdir, n, reuse)
    out = {"letters": n, "quads": len(store), "load_s": round(load_s, 1), "p50_ms": {}, "failed": []}
    for name, q in load_questions().items():
        for label, params in (("all", {}), ("2016", DATE_FILTER)):
            route = ask(store, q, params).route
            ms = 1000 * _p50(lambda q=q, params=params: ask(store, q, params), runs)
            out["p50_ms"][f"{name} {label}"] = round(ms, 1)
            if route != STATISTICS or ms >= P50_BAR_MS:
                out["failed"].append(f"{name} {label}: {ms:.1f} ms from the {route}")
    out["max_p50_ms"] = max(out["p50_ms"].values())
    out["bar"] = f"every p50 < {P50_BAR_MS:.0f} ms: " + ("PASS" if not out["failed"] else "FAIL")
    print(json.dumps(out), flush=True)
    return out


def bench_rdflib(workdir: Path, n: int, runs: int = 5, reuse: bool = False) -> dict:
    """Every canned question on rdflib in memory and on the embedded store, same data, same run,
    both through :func:`kg.stores.queries.ask` (so both read the statistics)."""
    import rdflib

    from kg.building.builddir import graph_files, open_graph
    from kg.graph.questions import load_questions
    from kg.stores.queries import ask

    store, build_dir, _ = fresh_store(workdir, n, reuse)
    questions = load_questions()
    # the embedded store first, in a process not yet holding millions of rdflib objects (which
    # slowed it 2-3x through memory and cache pressure): each engine as a user would run it
    # sub-millisecond answers: more runs, or one noisy run moves the median
    ox_s = {name: _p50(lambda q=q: ask(store, q), 21) for name, q in questions.items()}
    start = time.perf_counter()
    memory = rdflib.Dataset(default_union=True)
    for path in graph_files(build_dir):  # letter graphs and the statistics graphs, gzip or not
        with open_graph(path) as fh:
            memory.parse(file=fh, format="trig")
    parse_s = time.perf_counter() - start
    gc.freeze()  # millions of long-lived rdflib objects: keep the collector from re-scanning them
    out = {"letters": n, "rdflib_parse_s": round(parse_s, 1), "queries": {}, "failed": []}
    for name, q in questions.items():
        rdf_s = _p50(lambda q=q: ask(memory, q), runs)
        ratio = rdf_s / ox_s[name]
        out["queries"][name] = {
            "oxigraph_ms": round(1000 * ox_s[name], 2),
            "rdflib_ms": round(1000 * rdf_s, 1),
            "ratio": round(ratio, 1),
        }
        if ratio < RDFLIB_BAR:
            out["failed"].append(f"{name}: {ratio:.1f}x")
        print(name, out["queries"][name], flush=True)
    out["min_ratio"] = min(v["ratio"] for v in out["queries"].values())
    out["bar"] = f"every question >= {RDFLIB_BAR:.0f}x rdflib: " + ("PASS" if not out["failed"] else "FAIL")
    print(json.dumps(out), flush=True)
    return out


REPORT_BAR_S = 10.0  # issue 19: a report of 100k letters from the embedded store


def bench_report(workdir: Path, n: int) -> dict:
    """Wall time of ``imrkg report`` on the n-letter embedded store (left by ``--only queries``,
    brought up to date here), end to end as a user runs it."""
    if not (workdir / f"store-{n}").is_dir():  # left by --only queries; made here otherwise
        store, _, _ = fresh_store(workdir, n)
        del store  # the CLI opens it read-only itself
    out = workdir / f"report-{n}.html"
    walls = []
    for _ in range(3):
        wall, rss, _ = timed([*CLI, "report", "--store", str(workdir / f"store-{n}"), "-o", str(out)])
        walls.append(wall)
    row = {"letters": n, "seconds": [round(w, 2) for w in walls], "bytes": out.stat().st_size}
    row["bar"] = f"report under {REPORT_BAR_S:.0f} s: " + (
        "PASS" if statistics.median(walls) < REPORT_BAR_S else "FAIL"
    )
    print(json.dumps(row), flush=True)
    return row


def bench_worker(workdir: Path, n: int, rounds: int = 3) -> dict:
    """CPU a build worker spends per letter (read, parse, map, validate, write TriG, statistics:
    ``kg.building.build.process_chunk``) against the read+parse floor (``kg.reading.parse.parse_document``) on the
    same letters, in this process, alternated; the lowest of ``rounds`` each (issue 17: <= 2x)."""
    from kg.building.build import CHUNK, _warm, process_chunk
    from kg.reading.parse import parse_document
    from kg.reading.read import Document

    paths = sorted(str(p) for p in corpus(workdir, n).rglob("*.txt"))
    _warm()  # as a worker process starts: shapes, vocabulary, questions loaded; collector tuned
    for p in paths[:50]:  # warm caches (drug lexicon, compiled patterns) before timing
        parse_document(Document(p, Path(p)))
    chunks = [[(p, None) for p in paths[i : i + CHUNK]] for i in range(0, len(paths), CHUNK)]
    floor, worker = [], []
    for _ in range(rounds):
        start = time.process_time()
        for p in paths:
            parse_document(Document(p, Path(p)))
        floor.append(time.process_time() - start)
        start = time.process_time()
        for chunk in chunks:
            process_chunk(chunk)
        worker.append(time.process_time() - start)
    f, w = min(floor) / len(paths) * 1000, min(worker) / len(paths) * 1000
    row = {"letters": len(paths), "parse_ms": round(f, 3), "worker_ms": round(w, 3), "ratio": round(w / f, 2)}
    row["bar"] = "worker <= 2x the read+parse floor: " + ("PASS" if w <= 2 * f else "FAIL")
    print(json.dumps(row), flush=True)
    return row


ADHOC = "outcome-by-year-and-category"  # issue 17's ad hoc question: uphold rate by decision year x category
ADHOC_BAR = 50.0  # Virtuoso at least this many times faster than the embedded store on it


def _virtuoso_adhoc(vdir: Path, build_dir: Path, runs: int, timeout: float, memory_gb: float | None = None) -> dict:
    """A private Virtuoso on 127.0.0.1 (tests/servers.py), the build bulk-loaded into it by
    ``imrkg load --virtuoso-sql``: load seconds, the ad hoc question's p50 and rows (as text,
    sorted), and the database's size. The database is removed afterwards."""
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import virtuoso_with_sql

    from kg.stores.endpoint import Endpoint
    from kg.stores.queries import ask

    shutil.rmtree(vdir, ignore_errors=True)
    with virtuoso_with_sql(vdir, allow=build_dir, memory_gb=memory_gb) as (url, sql_port):
        env = {**os.environ, "IMRKG_ENDPOINT_USER": "dba", "IMRKG_ENDPOINT_PASSWORD": "dba"}
        start = time.perf_counter()
        subprocess.run(
            [*CLI, "load", str(build_dir), "--endpoint", url, "--virtuoso-sql", f"127.0.0.1:{sql_port}"],
            check=True,
            env=env,
            capture_output=True,
        )
        out = {"load_s": round(time.perf_counter() - start, 1)}
        endpoint = Endpoint(url, timeout=timeout)
        out["counts"] = _adhoc_counts(ask(endpoint, ADHOC, raw=True).rows)
        out["p50_ms"] = round(1000 * _p50(lambda: ask(endpoint, ADHOC, raw=True), runs), 1)
        out["disk_gb"] = round(sum(p.stat().st_size for p in (vdir / "db").iterdir()) / 1e9, 2)
    shutil.rmtree(vdir, ignore_errors=True)
    return out


def bench_adhoc(workdir: Path, n: int, runs: int = 5) -> dict:
    """The ad hoc question (``ADHOC`` asked of the letter graphs, ``--raw``) on the embedded store
    and on Virtuoso bulk-loaded by ``imrkg load --virtuoso-sql``, same build, same rows; load
    times of both. Virtuoso runs on 127.0.0.1 with a private database (tests/servers.py)."""
    from kg.stores.queries import ask

    store, build_dir, load_s = fresh_store(workdir, n)
    out: dict = {"letters": n, "quads": len(store), "embedded_load_s": round(load_s, 1)}
    embedded = ask(store, ADHOC, raw=True)
    out["embedded_p50_ms"] = round(1000 * _p50(lambda: ask(store, ADHOC, raw=True), runs), 1)
    served = _virtuoso_adhoc(workdir / f"virtuoso-{n}", build_dir, runs, timeout=600)
    out.update(virtuoso_load_s=served["load_s"], virtuoso_p50_ms=served["p50_ms"], virtuoso_disk_gb=served["disk_gb"])
    out.update(_parquet_export(build_dir, workdir / f"parquet-{n}"))
    duck = _duckdb_adhoc(workdir / f"parquet-{n}", runs)
    out["duckdb_p50_ms"] = duck.get("duckdb_p50_ms")
    out["duckdb_same_counts"] = duck.get("duckdb_adhoc_rows") == _adhoc_counts(embedded.rows)
    out["same_rows"] = _adhoc_counts(embedded.rows) == served["counts"]
    out["rows"] = len(embedded.rows)
    out["speedup"] = round(out["embedded_p50_ms"] / out["virtuoso_p50_ms"], 1)
    ok = out["same_rows"] and out["speedup"] >= ADHOC_BAR
    out["bar"] = f"Virtuoso >= {ADHOC_BAR:.0f}x the embedded store, same rows: " + ("PASS" if ok else "FAIL")
    print(json.dumps(out), flush=True)
    return out


def _interpreter(path: Path) -> str:
    """A venv's python (``VENV/bin/python``) or the interpreter itself."""
    return str(path / "bin" / "python") if path.is_dir() else str(path)


DUCKDB_ADHOC = """
SELECT year(l.decision_date) AS year, i.category, count(*) AS items,
       sum(CASE WHEN i.outcome = 'Upheld' THEN 1 ELSE 0 END) AS upheld
FROM 'DIR/items.parquet' i JOIN 'DIR/letters.parquet' l ON i.letter = l.letter
WHERE l.decision_date IS NOT NULL AND i.category IS NOT NULL
GROUP BY 1, 2
"""


def _parquet_export(build_dir: Path, folder: Path) -> dict:
    """``imrkg export parquet BUILD -o FOLDER``: wall seconds and peak RSS."""
    shutil.rmtree(folder, ignore_errors=True)
    export_s, export_rss, _ = timed([*CLI, "export", "parquet", str(build_dir), "-o", str(folder)])
    return {"parquet_export_s": round(export_s, 1), "parquet_export_peak_rss_mb": round(export_rss / 2**20)}


def _duckdb_adhoc(folder: Path, runs: int) -> dict:
    """The same question in DuckDB over the tables of ``_parquet_export``: p50 and the answer as
    ``_adhoc_counts`` gives it, to compare with the stores'. The tables are removed."""
    try:
        import duckdb
    except ImportError:
        return {"duckdb": "not installed (pip install duckdb)"}
    sql = DUCKDB_ADHOC.replace("DIR", str(folder))
    con = duckdb.connect()
    got = _adhoc_counts(con.execute(sql).fetchall())
    p50 = _p50(lambda: con.execute(sql).fetchall(), runs)
    shutil.rmtree(folder, ignore_errors=True)
    return {"duckdb_p50_ms": round(1000 * p50, 1), "duckdb_adhoc_rows": got}


def bench_million(
    workdir: Path,
    n: int = 1_000_000,
    runs: int = 5,
    keep: bool = False,
    resume: bool = False,
    embedded_letters: int | None = None,
) -> dict:
    """Issue 17's corpus-scale run, one step after another so that each has the whole machine
    and the disk: synthetic text corpus (reused when complete) -> ``imrkg build`` (gzip) -> the
    corpus removed (unless ``keep``) -> the embedded store (load time, size, canned p50, the ad
    hoc question once), then removed -> Virtuoso with 6 GB of buffers through ``imrkg load
    --virtuoso-sql`` (load time, ad hoc p50), then removed -> ``imrkg export parquet`` -> DuckDB
    over the tables. The three answers to the ad hoc question are compared. Each step's figures
    are written to results.json as it ends; ``resume`` skips the steps an earlier run finished
    (the build included). ``embedded_letters`` loads only that many letters into the embedded store
    (see :func:`_million_embedded`). About 3 h at 1M letters on the 2-core VM; the embedded store
    needs about kg.stores.store.BULK_PEAK_BYTES_PER_QUAD free a quad while it loads (about 55 GB at 1M
    with 0.6.0's graphs; 74 GB with 0.5.x's)."""
    results_path = workdir / "results.json"
    build_dir = workdir / f"build-text-{n}"
    earlier = json.loads(results_path.read_text()).get("million", {}) if results_path.exists() else {}

    def save(row: dict) -> None:
        results = json.loads(results_path.read_text()) if results_path.exists() else {}
        results["million"] = row
        results_path.write_text(json.dumps(results, indent=2))
        print(json.dumps(row), flush=True)

    if resume and "build_s" in earlier and BuildDir(build_dir).summary.is_file():
        row = {k: v for k, v in earlier.items() if k in _MILLION_BUILD_KEYS}
    else:
        row = _million_build(workdir, n, build_dir, keep)
        save(row)
    row["order"] = "sequential: each step alone on the machine"
    steps = (
        ("embedded_adhoc_s", lambda: _million_embedded(workdir / f"store-{n}", build_dir, runs, embedded_letters)),
        ("virtuoso_adhoc_rows", lambda: _million_virtuoso(workdir / f"virtuoso-{n}", build_dir, runs)),
        ("parquet_export_s", lambda: _parquet_export(build_dir, workdir / f"parquet-{n}")),
        ("duckdb_adhoc_rows", lambda: _duckdb_adhoc(workdir / f"parquet-{n}", runs)),
    )
    for done_key, step in steps:
        if resume and done_key in earlier:
            row.update({k: v for k, v in earlier.items() if k not in row})
            continue
        if done_key == "duckdb_adhoc_rows" and "parquet_export_s" not in row:
            continue  # the export failed: nothing to ask
        row.update(step())
        save(row)
    full = [k for k in ("embedded_adhoc_rows", "virtuoso_adhoc_rows", "duckdb_adhoc_rows") if k in row]
    row["adhoc_answers_compared"] = [k.split("_")[0] for k in full]
    row["same_answer_everywhere"] = len(full) >= 2 and all(row[k] == row[full[0]] for k in full)
    save(row)
    return row


def _million_embedded(store_dir: Path, build_dir: Path, runs: int, letters: int | None = None) -> dict:
    """The build bulk-loaded into a new embedded store: load seconds, quads, bytes on disk, the
    p50 of each canned question answered from the statistics, the ad hoc question's seconds
    (once) and its answer. The store is removed afterwards.

    ``letters``: only the first so many letter graphs (with the fixed graphs and the whole
    statistics), when the disk cannot hold the bulk loader's peak for all of them; the ad hoc
    answer then covers those letters only and is not compared with the others'."""
    from kg.building.builddir import open_graph, rdf_format
    from kg.graph.questions import load_questions
    from kg.stores.queries import STATISTICS, ask
    from kg.stores.store import load, open_store

    shutil.rmtree(store_dir, ignore_errors=True)
    start = time.perf_counter()
    store = open_store(store_dir)
    build = BuildDir(build_dir)
    if letters is None:
        load(store, [build_dir])
    else:
        for path in build.graph_files():
            with open_graph(path) as fh:
                part = fh if path == build.statistics else _FirstGraphs(fh, letters + 2)  # + vocabulary, ontology
                store.bulk_load(input=part, format=rdf_format(path))
    out: dict = {"embedded_load_s": round(time.perf_counter() - start, 1), "embedded_quads": len(store)}
    if letters is not None:
        out["embedded_letters"] = letters
    out["embedded_disk_gb"] = round(sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file()) / 1e9, 2)
    p50 = {}
    for name, q in load_questions().items():
        if ask(store, q).route == STATISTICS:
            p50[name] = round(1000 * _p50(lambda q=q: ask(store, q), runs), 1)
    out["canned_p50_ms_max"] = max(p50.values())
    out["canned_p50_ms"] = p50
    start = time.perf_counter()
    answer = ask(store, ADHOC, raw=True)
    out["embedded_adhoc_s"] = round(time.perf_counter() - start, 1)
    out["embedded_adhoc_rows" if letters is None else "embedded_part_adhoc_rows"] = _adhoc_counts(answer.rows)
    store = None  # closes it (RocksDB), so its folder can go
    shutil.rmtree(store_dir, ignore_errors=True)
    return out


class _FirstGraphs(io.RawIOBase):
    """A TriG file as the build writes it (prefixes, then one block a graph, each closed by a
    line ``}``), cut after its first ``graphs`` blocks."""

    def __init__(self, fh, graphs: int) -> None:
        self._lines, self._left, self._buffer = iter(fh), graphs, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while len(self._buffer) < len(b) and self._left > 0:
            line = next(self._lines, None)
            if line is None:
                self._left = 0
                break
            self._buffer += line
            self._left -= line == b"}\n"
        n = min(len(b), len(self._buffer))
        b[:n], self._buffer = self._buffer[:n], self._buffer[n:]
        return n


def _million_virtuoso(vdir: Path, build_dir: Path, runs: int) -> dict:
    served = _virtuoso_adhoc(vdir, build_dir, runs, timeout=3600, memory_gb=6)
    return {
        "virtuoso_load_s": served["load_s"],
        "virtuoso_adhoc_p50_ms": served["p50_ms"],
        "virtuoso_disk_gb": served["disk_gb"],
        "virtuoso_adhoc_rows": served["counts"],
    }


def _adhoc_counts(rows: list) -> list:
    """The ad hoc answer as comparable tuples (year, category, items, upheld), sorted."""
    return sorted([int(r[0]), str(r[1]), int(r[2]), int(r[3])] for r in rows)


_MILLION_BUILD_KEYS = (
    "letters_requested",
    "synth_s",
    "letters",
    "build_s",
    "letters_per_s",
    "build_peak_rss_mb",
    "graph_files_gb",
    "manifest_gb",
    "violations",
    "bar",
)


def _million_build(workdir: Path, n: int, build_dir: Path, keep: bool) -> dict:
    """The corpus (made unless complete) and its gzip build: wall time, rate, peak RSS, bytes."""
    row: dict = {"letters_requested": n}
    start = time.perf_counter()
    made = not (workdir / f"text-{n}" / "done").exists()
    src = corpus(workdir, n)
    if made:
        row["synth_s"] = round(time.perf_counter() - start, 1)
    shutil.rmtree(build_dir, ignore_errors=True)
    wall, rss, _ = timed([*CLI, "build", str(src), "-o", str(build_dir), "-q", "--compress", "gzip"])
    summary = BuildDir(build_dir).read_summary()
    row.update(
        letters=summary["letters"],
        build_s=round(wall, 1),
        letters_per_s=round(summary["letters"] / wall, 1),
        build_peak_rss_mb=round(rss / 2**20),
        graph_files_gb=round(sum(p.stat().st_size for p in BuildDir(build_dir).graph_files()) / 1e9, 2),
        manifest_gb=round(BuildDir(build_dir).manifest.stat().st_size / 1e9, 2),
        violations=summary["violations"],
    )
    row["bar"] = "1M build peak RSS < 1 GB: " + ("PASS" if row["build_peak_rss_mb"] < 1024 else "FAIL")
    if not keep:
        shutil.rmtree(src, ignore_errors=True)
    return row


def bench_build_ab(
    workdir: Path, n: int, other: Path, rounds: int = 2, bar: float = 0.9, this: Path | None = None
) -> dict:
    """Build throughput of this release against another, on the same corpus, alternated in one
    run: this VM's run-to-run spread is about 15 %, so only a ratio measured side by side means
    anything. Each side is an interpreter with its release installed as a wheel, e.g. two venvs
    made with ``--system-site-packages`` and ``pip install --no-deps CHECKOUT``: a checkout on
    PYTHONPATH is not enough, because an editable install of this one would lend it its shapes,
    questions and vocabulary (``kg.shapes``, ``kg.sparql`` ... are mapped package folders)."""
    src = corpus(workdir, n)
    pythons = {"other": _interpreter(other), "this": _interpreter(this) if this else sys.executable}
    walls: dict[str, list[float]] = {"this": [], "other": []}
    versions = {}
    for label, python in pythons.items():
        versions[label] = subprocess.run(
            [python, "-c", "import kg; print(kg.__version__)"], capture_output=True, text=True, check=True, cwd=workdir
        ).stdout.strip()
    for _ in range(rounds):
        for label in ("other", "this"):
            out = workdir / f"ab-{label}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            subprocess.run(
                [pythons[label], "-m", "kg.cli", "build", str(src), "-o", str(out), "-q"],
                cwd=workdir,
                check=True,
                capture_output=True,
            )
            walls[label].append(time.perf_counter() - start)
    this_s, prev = statistics.median(walls["this"]), statistics.median(walls["other"])
    row = {
        "letters": n,
        "versions": versions,
        "this_s": [round(w, 1) for w in walls["this"]],
        "other_s": [round(w, 1) for w in walls["other"]],
        "throughput_ratio": round(prev / this_s, 3),
    }
    row["bar"] = f"letters/s >= {bar}x the other's: " + ("PASS" if row["throughput_ratio"] >= bar else "FAIL")
    print(json.dumps(row), flush=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/imrkg-bench"))
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 200_000])
    ap.add_argument("--pdf", type=int, default=3000)
    ap.add_argument("--query-size", type=int, default=100_000)
    ap.add_argument("--rdflib-size", type=int, default=10_000)
    ap.add_argument(
        "--only",
        choices=["builds", "pdf", "queries", "rdflib", "ab", "report", "worker", "adhoc", "million"],
        nargs="*",
    )
    ap.add_argument("--compare-with", type=Path, help="a venv (or python) with the other release installed (--only ab)")
    ap.add_argument("--this-python", type=Path, help="a venv (or python) with this release installed (--only ab)")
    ap.add_argument("--ab-size", type=int, default=10_000)
    ap.add_argument("--ab-bar", type=float, default=0.9, help="throughput ratio the A/B run must reach (--only ab)")
    ap.add_argument("--worker-size", type=int, default=2000, help="letters for --only worker")
    ap.add_argument("--adhoc-size", type=int, default=50_000, help="letters for --only adhoc")
    ap.add_argument("--million-size", type=int, default=1_000_000, help="letters for --only million")
    ap.add_argument("--keep-corpus", action="store_true", help="--only million: keep the synthetic corpus")
    ap.add_argument(
        "--resume-million", action="store_true", help="--only million: start after the finished build of an earlier run"
    )
    ap.add_argument(
        "--embedded-letters", type=int, help="--only million: load only this many letters into the embedded store"
    )
    ap.add_argument("--reuse-store", action="store_true", help="load incrementally into the stores of an earlier run")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results_path = args.workdir / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }
    only = set(args.only or ["builds", "pdf", "queries", "rdflib"])

    def save() -> None:
        results_path.write_text(json.dumps(results, indent=2))

    if "builds" in only:
        results["builds"] = [bench_build(args.workdir, n, parse=True) for n in args.sizes]
        if len(results["builds"]) > 1:  # issue 17: peak memory flat with corpus size (within 25 %)
            small, large = results["builds"][0], results["builds"][-1]
            flat = all(large[k] <= 1.25 * small[k] for k in ("peak_rss_mb", "parse_peak_rss_mb"))
            results["memory_flat"] = {
                "from": small["letters"],
                "to": large["letters"],
                "build_mb": [small["peak_rss_mb"], large["peak_rss_mb"]],
                "parse_mb": [small["parse_peak_rss_mb"], large["parse_peak_rss_mb"]],
                "bar": "peak RSS of build and parse within 25 % from the smallest to the largest corpus: "
                + ("PASS" if flat else "FAIL"),
            }
        save()
    if "pdf" in only and args.pdf:
        results["pdf"] = bench_build(args.workdir, args.pdf, pdf=True)
        save()
    if "queries" in only:
        results["queries"] = bench_queries(args.workdir, args.query_size, reuse=args.reuse_store)
        save()
    if "rdflib" in only:
        results["rdflib"] = bench_rdflib(args.workdir, args.rdflib_size, reuse=args.reuse_store)
        save()
    if "report" in only:
        results["report"] = bench_report(args.workdir, args.query_size)
        save()
    if "ab" in only and args.compare_with:
        results["build_ab"] = bench_build_ab(
            args.workdir, args.ab_size, args.compare_with, bar=args.ab_bar, this=args.this_python
        )
        save()
    if "adhoc" in only:
        results["adhoc"] = bench_adhoc(args.workdir, args.adhoc_size)
        save()
    if "million" in only:
        results["million"] = bench_million(
            args.workdir,
            args.million_size,
            keep=args.keep_corpus,
            resume=args.resume_million,
            embedded_letters=args.embedded_letters,
        )
        save()
    if "worker" in only:
        results["worker"] = bench_worker(args.workdir, args.worker_size)
        save()
    print(json.dumps(results, indent=2))
    failed = [k for k, v in results.items() if isinstance(v, dict) and str(v.get("bar", "")).endswith("FAIL")]
    if failed:
        print(f"bars not met: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
