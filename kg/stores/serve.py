"""Serve an embedded store over HTTP with the real Oxigraph server, read-only.

``oxigraph serve-read-only`` (the ``oxigraph`` package) gives a person its SPARQL query page in a
browser and any SPARQL client an endpoint, with the union default graph, so the canned questions
answer there as on the embedded store. The store is checked first (kg.stores.store.open_for_reading):
a missing, empty or half-loaded store is refused instead of served.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from kg.base.pool import end_with_parent
from kg.base.stop import Interrupted
from kg.stores.store import StoreError, open_for_reading


def server_binary() -> str:
    """The Oxigraph server installed with imr-kg (the ``oxigraph`` package)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise StoreError("the oxigraph server is not installed (pip install oxigraph)")
    return binary


def command(store: str | Path, host: str, port: int) -> list[str]:
    """The server's command line: read-only, the union of all graphs as the default graph."""
    return [
        server_binary(),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"{host}:{port}",
        "--union-default-graph",
    ]


SERVING = "imrkg-serving.json"  # in a served store: which process serves it, so a load can say so


def served_by(store: str | Path) -> dict | None:
    """Who serves the store now (``pid``, ``url``), or None: a load into a served store is not seen
    by the read-only server until it restarts, and the user must be told."""
    try:
        info = json.loads((Path(store) / SERVING).read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if isinstance(info, dict) else None


def serve(store: str | Path, host: str = "127.0.0.1", port: int = 7878, ready=None) -> int:
    """Run the server until it stops, Ctrl-C, SIGTERM or SIGHUP; ``ready(url)`` is called once it
    answers. Returns the server's exit status (0 after a stop signal)."""
    open_for_reading(store)  # refuses a missing, empty or half-loaded store
    proc = subprocess.Popen(
        command(store, host, port), preexec_fn=end_with_parent
    )  # dies with us (0.7.0 left it holding the port)
    marker = Path(store) / SERVING
    url = f"http://{host}:{port}"
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not stand between us and loopback
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                session.get(url, timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        if proc.poll() is not None:
            return proc.returncode
        try:
            marker.write_text(json.dumps({"pid": os.getpid(), "url": f"{url}/query"}))
        except OSError:
            pass
        if ready:
            ready(f"{url}/query")
        return proc.wait()
    except (KeyboardInterrupt, Interrupted):
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        info = served_by(store)
        if info is not None and info.get("pid") == os.getpid():
            marker.unlink(missing_ok=True)


__all__ = ["SERVING", "command", "serve", "served_by", "server_binary"]
