"""A build loaded into Virtuoso by its own bulk loader, in one command.

``imrkg load OUTDIR --endpoint URL --virtuoso-sql HOST:PORT`` runs, through Virtuoso's ``isql``
client (``isql-vt``, Debian's virtuoso-opensource), what the README's recipe runs by hand:
``ld_dir`` on the build's graph files, ``rdf_loader_run()`` (one session per shard, up to the
number of cores, as Virtuoso's documentation advises) and ``checkpoint``. The server must be
able to read OUTDIR (it is in ``DirsAllowed`` of virtuoso.ini, on the same machine or a shared
file system); when it cannot, the loader's own message says so and the Graph Store Protocol load
(without ``--virtuoso-sql``) is the way.

Like every load, it mirrors one build: the server's graphs of letters the build no longer has,
or has changed, are cleared first (read over SPARQL, each letter graph carries its source's
sha256), and the vocabulary, ontology and statistics graphs are replaced. Loading a graph Virtuoso
already holds unchanged adds nothing (RDF graphs are sets).

Credentials for the SQL port come from ``IMRKG_ENDPOINT_USER`` / ``IMRKG_ENDPOINT_PASSWORD`` (as for
the endpoint; Virtuoso's administrator is ``dba``). isql takes the password as an argument, so it
shows in the process list while the load runs; it is never printed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kg.building.builddir import GRAPH_GLOB, BuildDir
from kg.building.manifest import Manifest
from kg.graph.iris import FIXED_GRAPHS, STAT, STATISTICS_GRAPH, is_fixed_graph, is_letter_graph
from kg.stores.endpoint import PASSWORD_ENV, USER_ENV, Endpoint, EndpointError, scrub
from kg.stores.store import LETTER_SOURCES

ISQL = "isql-vt"


class BulkLoadError(Exception):
    """The bulk load could not run or the server reported errors; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class BulkReport:
    """What a bulk load did."""

    files: int
    graphs: int  # letter graphs of the build
    cleared: int  # graphs cleared first (changed or gone letters, vocabulary, ontology, statistics)


def _command(address: str, credentials: tuple[str, str], *options: str) -> list[str]:
    """An isql command line for ``address`` (``HOST:PORT``)."""
    binary = shutil.which(ISQL) or shutil.which("isql")
    if binary is None:
        raise BulkLoadError(
            f"{ISQL} is not installed (apt-get install virtuoso-opensource); or load without --virtuoso-sql"
        )
    user, password = credentials
    return [binary, address, user, password, "VERBOSE=OFF", "BANNER=OFF", *options]


def _isql(address: str, statements: list[str], credentials: tuple[str, str], timeout: float | None = None) -> str:
    """Run SQL statements in one isql session (read from stdin: ``EXEC=`` takes at most 50)."""
    command = _command(address, credentials)
    try:
        res = subprocess.run(
            command,
            input="".join(f"{statement};\n" for statement in statements),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BulkLoadError(f"Virtuoso at {address} did not finish within {timeout:.0f} s") from None
    out = scrub(res.stdout + res.stderr, credentials)
    errors = [line.strip() for line in out.splitlines() if "*** Error" in line or line.startswith("Error")]
    if res.returncode != 0 or errors:
        raise BulkLoadError(errors[0] if errors else f"isql exited {res.returncode}: {out.strip()[:300]}")
    return out


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def credentials_from_env() -> tuple[str, str]:
    """The SQL user and password (``IMRKG_ENDPOINT_USER`` / ``IMRKG_ENDPOINT_PASSWORD``)."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not user or not password:
        raise BulkLoadError(f"set {USER_ENV} and {PASSWORD_ENV} to Virtuoso's SQL user (dba) and its password")
    return user, password


def bulk_load(
    endpoint: Endpoint, outdir: str | Path, address: str, credentials: tuple[str, str], timeout: float | None = None
) -> BulkReport:
    """Load the build in ``outdir`` into the Virtuoso behind ``endpoint`` through its SQL port
    ``address`` (``HOST:PORT``); see the module docstring."""
    build = BuildDir(Path(outdir).resolve())
    if not build.is_build():
        raise BulkLoadError(f"{outdir} is not a build output directory (no {build.manifest.name}); run imrkg build")
    files = build.graph_files()  # raises for a build of an earlier release
    _check_sql_safe(build.path)
    wanted = Manifest.letter_graphs_of(build.manifest)
    try:
        stale = _graphs_to_clear(endpoint, wanted)
    except EndpointError as err:
        raise BulkLoadError(f"could not read the server's graphs: {err}") from None
    files_here = f"ll_file LIKE {_sql_string(str(build.path) + '/%')}"  # this build's rows of the load list
    # first the files are listed for loading (ld_dir fails on a folder the server may not read):
    # nothing on the server is cleared until the server has taken every file of the build
    _isql(
        address,
        [
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE {files_here}",
            f"ld_dir({_sql_string(str(build.path))}, {_sql_string(GRAPH_GLOB)}, 'urn:imr-kg:unused-default-graph')",
        ],
        credentials,
        timeout,
    )
    listed = _count(_isql(address, [f"SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE {files_here}"], credentials, timeout))
    if listed != len(files):
        raise BulkLoadError(
            f"Virtuoso listed {listed} of the build's {len(files)} graph files for loading; nothing was cleared "
            "(is the build folder in DirsAllowed of virtuoso.ini?)"
        )
    if stale:
        _isql(address, [f"SPARQL CLEAR GRAPH <{g}>" for g in stale], credentials, timeout)
    sessions = max(1, min(len(files), os.cpu_count() or 1))
    runs = [
        subprocess.Popen(
            _command(address, credentials, "EXEC=rdf_loader_run();"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        for _ in range(sessions)
    ]
    for proc in runs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for p in runs:
                p.kill()
            raise BulkLoadError(f"Virtuoso at {address} did not finish loading within {timeout:.0f} s") from None
    report = _isql(
        address,
        [
            "checkpoint",
            f"SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE {files_here} AND ll_error IS NOT NULL",
        ],
        credentials,
        timeout,
    )
    failed = [line.strip() for line in report.splitlines() if str(build.path) in line]
    if failed:
        raise BulkLoadError(f"Virtuoso could not load {failed[0]}")
    _check_loaded(endpoint, wanted)
    return BulkReport(len(files), len(wanted), len(stale))


# What Virtuoso's SQL client cannot be given inside a string: '\' is an escape in its strings, '$'
# starts an isql macro, quotes and control characters end or break the statement.
_NOT_FOR_SQL = frozenset("\\$'\"") | frozenset(chr(c) for c in range(32)) | {"\x7f"}


def _check_sql_safe(path: Path) -> None:
    """Refuse, before anything is sent, a build path isql and Virtuoso's SQL would misread (0.7.0
    sent one with a '\\': the quoting broke after the stale graphs were cleared, and the load said
    it had loaded)."""
    bad = sorted({c for c in str(path) if c in _NOT_FOR_SQL})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise BulkLoadError(
            f"the build folder's path holds {shown}, which Virtuoso's SQL client cannot be given: "
            "move the build (or link it) to a path without them; nothing was sent to the server"
        )


def _count(output: str) -> int:
    """The number an isql ``SELECT COUNT(*)`` printed (its last line that is only digits, after
    the ``SQL>`` prompt isql echoes when it reads from standard input)."""
    numbers = [m.group(1) for line in output.splitlines() if (m := re.fullmatch(r"(?:SQL>\s*)?(\d+)", line.strip()))]
    if not numbers:
        raise BulkLoadError(f"could not read Virtuoso's count from isql: {output.strip()[:200]}")
    return int(numbers[-1])


def _check_loaded(endpoint: Endpoint, wanted: dict[str, str]) -> None:
    """After the load, every letter graph of the build is on the server from its own source: a
    load is not said to have loaded until the server answers so."""
    try:
        _, rows = endpoint.select(LETTER_SOURCES)
    except EndpointError as err:
        raise BulkLoadError(f"could not check the load: {err}") from None
    stored = {g: sha for g, sha in rows if g}
    missing = [g for g, sha in wanted.items() if stored.get(g) != sha]
    if missing:
        raise BulkLoadError(
            f"{len(missing)} of the build's {len(wanted)} letter graphs are not on the server after the load (first: {missing[0]})"
        )


def _graphs_to_clear(endpoint: Endpoint, wanted: dict[str, str]) -> list[str]:
    """Letter graphs on the server that the build lacks or has from another source file, and the
    fixed graphs (vocabulary, ontology, statistics), which every load replaces."""
    _, rows = endpoint.select(LETTER_SOURCES)
    stored = {g: sha for g, sha in rows if g and is_letter_graph(g)}
    _, rows = endpoint.select(f"SELECT ?g WHERE {{ GRAPH <{STATISTICS_GRAPH}> {{ ?dataset <{STAT.graph}> ?g }} }}")
    fixed = sorted({*(str(g) for g in FIXED_GRAPHS), *(g for (g,) in rows if g and is_fixed_graph(g))})
    return sorted(g for g, sha in stored.items() if wanted.get(g) != sha) + fixed


__all__ = ["BulkLoadError", "BulkReport", "bulk_load", "credentials_from_env"]
