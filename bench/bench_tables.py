"""Benchmark for the analyst tables, `imrkg sql` and the CLI's start (issue 34).

    python bench/bench_tables.py --workdir /tmp/imrkg-tables --size 50000 [--runs 20]

In one run, on one synthetic corpus (bench/synth.py):

1. the build with the tables and without them (``IMRKG_NO_TABLES=1``), alternated ``--rounds``
   times, wall time each; the ratio of the medians is the tables' share of build time (budget
   10 %);
2. the build loaded into an embedded store (which copies the tables beside it);
3. the ad hoc question "uphold rate by year x category": through ``kg.outputs.sql.run_sql``
   (a fresh DuckDB connection each time, as a command makes), through DuckDB directly over the
   same Parquet files, and as the SPARQL question ``outcome-by-year`` grouped by category on the
   embedded store's letter graphs; p50 and p95 in ms (budget p50 50 ms), and the rows compared;
4. command wall times, process start included: ``imrkg sql`` (same question), ``imrkg query
   outcome-by-category`` on the store (budget 150 ms), ``imrkg --help`` (budget 150 ms),
   p50 of ``--runs``.

Results are printed as Markdown and written to WORKDIR/tables-results.json; the figures go to
docs/scale.md with the commit they were measured at. Nothing here is a pass/fail gate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import commit, synthetic_corpus, timed_build  # noqa: E402

sys.path.insert(0, str(ROOT))

CLI = [sys.executable, "-m", "kg.cli"]
IMRKG = [str(Path(sys.executable).parent / "imrkg")]  # the installed command, as a user types it

YEAR_BY_CATEGORY = (
    "SELECT year(l.decision_date) AS year, i.category, count(*) AS items, "
    "round(avg(CASE WHEN i.outcome = 'Upheld' THEN 1.0 ELSE 0.0 END), 4) AS upheld_rate "
    "FROM items i JOIN letters l USING (letter) GROUP BY ALL ORDER BY ALL"
)
SPARQL_YEAR_BY_CATEGORY = """
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?year ?category (COUNT(*) AS ?items) (SUM(IF(?outcome = "Upheld", 1, 0)) AS ?upheld) WHERE {
  ?letter imr:hasItem ?item ; imr:decisionDate ?date .
  ?item imr:decision/imr:outcome/skos:prefLabel ?o ; imr:treatmentCategory/skos:prefLabel ?c .
  BIND(YEAR(?date) AS ?year) BIND(STR(?o) AS ?outcome) BIND(STR(?c) AS ?category)
} GROUP BY ?year ?category ORDER BY ?year ?category
"""


def build(letters: Path, out: Path, with_tables: bool) -> float:
    return timed_build(letters, out, None if with_tables else "IMRKG_NO_TABLES")


def timed(fn, runs: int) -> tuple[float, float, object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], result


def wall(args: list[str], runs: int) -> float:
    def once():
        subprocess.run(args, check=True, capture_output=True)

    return timed(once, runs)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="alternated build pairs (with, without)")
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    letters = synthetic_corpus(work / f"letters-{args.size}", args.size)
    results: dict = {"size": args.size, "commit": commit()}
    with_t, without_t = [], []
    for _ in range(args.rounds):
        with_t.append(build(letters, work / "out-tables", True))
        without_t.append(build(letters, work / "out-plain", False))
    results["build_with_tables_s"] = with_t
    results["build_without_tables_s"] = without_t
    results["tables_share"] = statistics.median(with_t) / statistics.median(without_t) - 1
    tables_bytes = sum(p.stat().st_size for p in (work / "out-tables" / "tables").rglob("*.parquet"))
    results["tables_bytes"] = tables_bytes
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([*CLI, "load", str(work / "out-tables"), "--store", str(store), "-q"], check=True)

    import duckdb
    import pyoxigraph as ox

    from kg.outputs.sql import run_sql

    p50, p95, ours = timed(lambda: run_sql(YEAR_BY_CATEGORY, store), args.runs)
    results["run_sql_ms"] = [p50, p95]
    files = work / "out-tables" / "tables"
    direct_sql = YEAR_BY_CATEGORY.replace("FROM items i", f"FROM read_parquet('{files}/items/*.parquet') i").replace(
        "JOIN letters l", f"JOIN read_parquet('{files}/letters/*.parquet') l"
    )
    p50, p95, direct = timed(lambda: duckdb.connect().execute(direct_sql).fetchall(), args.runs)
    results["duckdb_direct_ms"] = [p50, p95]
    results["same_rows"] = [list(r) for r in direct] == ours[1]  # type: ignore[index]
    results["rows"] = len(direct)  # type: ignore[arg-type]
    oxi = ox.Store.read_only(str(store))
    p50, p95, _ = timed(lambda: list(oxi.query(SPARQL_YEAR_BY_CATEGORY, use_default_graph_as_union=True)), 3)
    results["embedded_store_sparql_ms"] = [p50, p95]
    oxi = None  # closes the store before the commands open it
    results["cli_sql_wall_ms"] = wall([*IMRKG, "sql", YEAR_BY_CATEGORY, "--tables", str(store)], args.runs)
    results["cli_query_wall_ms"] = wall([*IMRKG, "query", "outcome-by-category", "--store", str(store)], args.runs)
    results["cli_help_wall_ms"] = wall([*IMRKG, "--help"], args.runs)
    (work / "tables-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"| measure ({args.size:,} letters, commit {results['commit']}) | value |")
    print("|---|---|")
    print(
        f"| build with tables / without (median s) | {statistics.median(with_t):.1f} / {statistics.median(without_t):.1f} |"
    )
    print(f"| tables' share of build time | {results['tables_share'] * 100:+.1f} % |")
    print(f"| tables on disk | {tables_bytes / 1e6:.1f} MB |")
    print(
        f"| year x category: run_sql p50 / p95 | {results['run_sql_ms'][0]:.1f} / {results['run_sql_ms'][1]:.1f} ms |"
    )
    print(
        f"| same, DuckDB directly p50 / p95 | {results['duckdb_direct_ms'][0]:.1f} / {results['duckdb_direct_ms'][1]:.1f} ms |"
    )
    print(f"| same, embedded store SPARQL p50 | {results['embedded_store_sparql_ms'][0]:.0f} ms |")
    print(f"| same rows ({results['rows']}) | {results['same_rows']} |")
    print(f"| `imrkg sql` wall p50 | {results['cli_sql_wall_ms']:.0f} ms |")
    print(f"| `imrkg query outcome-by-category` wall p50 | {results['cli_query_wall_ms']:.0f} ms |")
    print(f"| `imrkg --help` wall p50 | {results['cli_help_wall_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
