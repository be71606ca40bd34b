"""Real SPARQL servers for the integration tests: started on 127.0.0.1 and stopped by their PID.

``.ci/run`` sets IMRKG_REQUIRE_SERVERS=1 so that a server that cannot start fails the run
instead of skipping its tests quietly.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str) -> None:
    if os.environ.get("IMRKG_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{what} is required in CI but not available")
    pytest.skip(f"{what} not available")


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url} within {seconds} s: {log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def oxigraph_server(workdir: Path, union_default_graph: bool = True) -> Iterator[str]:
    """``oxigraph serve`` over a fresh database; yields the query URL."""
    binary = shutil.which("oxigraph")
    if not binary:
        _missing("the oxigraph server (pip install oxigraph)")
    port = free_port()
    log = workdir / "oxigraph.log"
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}"]
        + (["--union-default-graph"] if union_default_graph else []),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/", proc, log)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        _stop(proc)


@contextmanager
def virtuoso_server(workdir: Path) -> Iterator[str]:
    """Virtuoso with the Debian configuration rewritten to loopback ports and a private database."""
    with virtuoso_with_sql(workdir) as (url, _):
        yield url


@contextmanager
def virtuoso_with_sql(
    workdir: Path, allow: Path | None = None, memory_gb: float | None = None
) -> Iterator[tuple[str, int]]:
    """Virtuoso as above; yields (SPARQL URL, SQL port for isql-vt). ``allow`` is added to
    DirsAllowed, so its bulk loader may read that folder. ``memory_gb`` sizes its page buffers
    (8 KB each; Debian's file leaves the default of about 80 MB, which a corpus-scale load
    outgrows), with three quarters of them allowed dirty, as the file's own comments advise."""
    binary = shutil.which("virtuoso-t")
    if not binary or not VIRTUOSO_INI.is_file():
        _missing("Virtuoso (apt-get install virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    (workdir / "db").mkdir(parents=True, exist_ok=True)
    ini = VIRTUOSO_INI.read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(workdir / "db"))
    lines = []
    section = ""
    for line in ini.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        if stripped.startswith("ServerPort") and section == "[Parameters]":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif stripped.startswith("ServerPort") and section == "[HTTPServer]":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif stripped.startswith("DirsAllowed") and section == "[Parameters]" and allow is not None:
            line = f"{line.rstrip()}, {allow}"
        lines.append(line)
        if stripped == "[Parameters]" and memory_gb:
            buffers = int(memory_gb * 2**30 / 8192)
            lines += [f"NumberOfBuffers = {buffers}", f"MaxDirtyBuffers = {buffers * 3 // 4}"]
    (workdir / "virtuoso.ini").write_text("\n".join(lines) + "\n")
    log = workdir / "virtuoso.log"
    proc = subprocess.Popen(
        [binary, "+configfile", str(workdir / "virtuoso.ini"), "+foreground"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    try:
        _wait(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, log, seconds=120)
        yield f"http://127.0.0.1:{http_port}/sparql", sql_port
    finally:
        _stop(proc)
