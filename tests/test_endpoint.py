"""Server failures: down, 401, 500, timeouts; bounded retries with backoff; a report of what was not loaded."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import EXAMPLES
from servers import free_port

from kg.graph.questions import load_questions, raw_query
from kg.stores.endpoint import Endpoint, EndpointError, redact, with_values

CLI = [sys.executable, "-m", "kg.cli"]


class FakeServer:
    """A scripted HTTP server: each request takes the next (status, delay) from ``script``."""

    def __init__(self, script, *, password: str | None = None):
        self.script, self.password, self.requests = list(script), password, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests.append((self.command, self.path, self.headers.get("Authorization")))
                if outer.password is not None:
                    want = "Basic " + base64.b64encode(f"u:{outer.password}".encode()).decode()
                    if self.headers.get("Authorization") != want:
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", 'Basic realm="x"')
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                status, delay = outer.script.pop(0) if outer.script else (201, 0)
                time.sleep(delay)
                body = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
                self.send_response(status)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_PUT = do_POST = do_GET = _answer

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}/query"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    servers = []

    def make(script=(), **kw):
        servers.append(FakeServer(script, **kw))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_transient_500_is_retried_with_backoff(fake):
    server = fake([(500, 0), (503, 0)])
    sleeps = []
    ep = Endpoint(server.url, retries=3, backoff=0.5, sleep=sleeps.append)
    ep.put_graph("urn:g", b"<urn:s> <urn:p> <urn:o> .\n")
    assert sleeps == [0.5, 1.0] and len(server.requests) == 3
    assert server.requests[-1][1].startswith("/store?graph=urn")


def test_persistent_500_gives_up_after_bounded_retries(fake):
    server = fake([(500, 0)] * 10)
    sleeps = []
    ep = Endpoint(server.url, retries=2, backoff=0.1, sleep=sleeps.append)
    with pytest.raises(EndpointError, match=r"HTTP 500 .*\(3 tries\)"):
        ep.put_graph("urn:g", b"")
    assert len(sleeps) == 2 and len(server.requests) == 3


def test_timeout_and_server_down_are_named(fake):
    server = fake([(200, 2.0)] * 5)
    ep = Endpoint(server.url, timeout=0.3, retries=1, sleep=lambda s: None)
    with pytest.raises(EndpointError, match="timed out after 0.3 s"):
        ep.select("ASK {}")
    down = Endpoint(f"http://127.0.0.1:{free_port()}/query", retries=1, sleep=lambda s: None)
    with pytest.raises(EndpointError, match="cannot connect"):
        down.select("ASK {}")


def test_client_errors_are_not_retried(fake):
    server = fake([(400, 0)])
    with pytest.raises(EndpointError, match="HTTP 400"):
        Endpoint(server.url, sleep=lambda s: None).select("SELECT")
    assert len(server.requests) == 1


def test_credentials_answer_the_challenge_and_are_never_shown(fake, monkeypatch):
    server = fake(password="pa55word")
    monkeypatch.setenv("IMRKG_ENDPOINT_USER", "u")
    monkeypatch.setenv("IMRKG_ENDPOINT_PASSWORD", "pa55word")
    assert Endpoint(server.url).select("SELECT ?n {}")[1] == [["1"]]
    monkeypatch.setenv("IMRKG_ENDPOINT_PASSWORD", "wrong-pa55")
    with pytest.raises(EndpointError) as err:
        Endpoint(server.url).select("SELECT ?n {}")
    assert "401" in str(err.value) and "pa55" not in str(err.value)
    url_with_secret = f"http://u:pa55word@127.0.0.1:{server.port}/query"
    assert "pa55word" not in redact(url_with_secret)
    assert Endpoint(url_with_secret).query_url == server.url


def test_cli_reports_graphs_not_loaded(fake, example_build, tmp_path):
    # the second graph PUT fails for good; the others load; the report names exactly the failed one
    server = fake([(201, 0), (500, 0), (500, 0), (201, 0), (201, 0), (201, 0), (201, 0)])
    report = tmp_path / "not-loaded.tsv"
    res = subprocess.run(
        [*CLI, "load", str(example_build), "--endpoint", server.url, "--retries", "1", "--report", str(report)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    lines = report.read_text().splitlines()
    assert len(lines) == 1 and "HTTP 500" in lines[0]
    assert "1 not loaded" in res.stderr and "Traceback" not in res.stderr
    # server down: one line, the rest counted as not attempted, exit 1
    res = subprocess.run(
        [*CLI, "load", str(example_build), "--endpoint", f"http://127.0.0.1:{free_port()}/query", "--retries", "0"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "cannot connect" in res.stderr and "not attempted" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 3


def test_values_block_opens_the_where_group():
    q = load_questions()["cited-sections-for-treatment"]
    text = raw_query(q, {"treatment": "<https://w3id.org/imr-kg/id/treatment/mri>"}, {})
    assert "WHERE {\n  VALUES (?treatment) { (<https://w3id.org/imr-kg/id/treatment/mri>) }" in text
    evil = with_values(
        "SELECT * WHERE { ?s ?p ?o }",
        {__import__("pyoxigraph").Variable("treatment"): __import__("pyoxigraph").Literal('x" } DROP ALL #')},
    )
    assert '"x\\" } DROP ALL #"' in evil


def test_graphs_stream_the_same_from_a_gzip_file(example_build, tmp_path):
    import gzip

    from kg.stores.endpoint import graphs_in

    plain = example_build / "graph.trig"
    packed = tmp_path / "graph.trig.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(graphs_in(str(packed))) == list(graphs_in(str(plain)))


class _Scripted(BaseHTTPRequestHandler):
    """A server that misbehaves as told by the class attribute ``mode``."""

    mode = "trickle"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        if self.mode == "trickle":
            body = b'{"head":{"vars":["n"]},"results":{"bindings":[]}}'
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        elif self.mode == "endless":
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" " * 65536)
            except OSError:
                pass
        elif self.mode == "large":  # a valid answer of 3 MB: 60,000 rows
            row = b'{"s":{"type":"uri","value":"https://w3id.org/imr-kg/id/letter/CM16-0000000"}}'
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[' + b",".join([row] * 40_000) + b"]}}"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.mode == "not-results":
            body = b'{"head": 3, "results": "no"}'
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def scripted():
    servers = []

    def make(mode: str) -> str:
        handler = type("Handler", (_Scripted,), {"mode": mode})
        httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_port}/query"

    yield make
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_a_trickling_endless_or_malformed_answer_is_an_error_not_a_hang(scripted, monkeypatch):
    """The time limit is for the whole answer, an answer has a size limit, and a body that is
    not SPARQL results is named as such (issue 13)."""
    import kg.stores.endpoint

    start = time.monotonic()
    with pytest.raises(EndpointError, match="timed out"):
        Endpoint(scripted("trickle"), timeout=1.0, retries=0).select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - start < 5  # not one timeout per byte
    monkeypatch.setattr(kg.stores.endpoint, "MAX_ANSWER_BYTES", 2**20)
    with pytest.raises(EndpointError, match="larger than"):
        Endpoint(scripted("endless"), timeout=30, retries=0).select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(EndpointError, match="not SPARQL JSON results"):
        Endpoint(scripted("not-results"), retries=0).select("SELECT * WHERE { ?s ?p ?o }")


def test_a_server_failing_every_graph_stops_the_load_and_echoed_credentials_are_blanked(fake, tmp_path):
    from kg.stores.endpoint import FAILURES_IN_A_ROW, load_sources, scrub

    many = tmp_path / "many.nq"
    many.write_text("".join(f"<urn:x:s> <urn:x:p> <urn:x:o> <urn:x:g{i}> .\n" for i in range(20)))
    server = fake([(500, 0)] * 200)
    report = load_sources(Endpoint(server.url, retries=1, backoff=0), [many])
    puts = [r for r in server.requests if r[0] == "PUT"]
    assert len(puts) == FAILURES_IN_A_ROW * 2  # each failing graph tried twice, then no more
    assert report.server_gone and any("not attempted" in why for _, why in report.failed)
    secret = ("alice", "s3cret-pw")
    echoed = "Authorization: Basic YWxpY2U6czNjcmV0LXB3 user alice:s3cret-pw password s3cret-pw"
    assert "s3cret" not in scrub(echoed, secret) and "YWxpY2U6czNjcmV0LXB3" not in scrub(echoed, secret)


def test_a_truncated_gzip_graph_file_is_named_with_its_reason_for_a_store_and_a_server(fake, tmp_path):
    """0.7.0 said only "Aborted." (click's word for an EOFError) for a truncated graph.trig.gz."""
    out = tmp_path / "out"
    assert subprocess.run([*CLI, "build", str(EXAMPLES), "-o", str(out), "--compress", "gzip", "-q"]).returncode == 0
    gz = out / "graph.trig.gz"
    gz.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    server = fake([(201, 0)] * 200)
    for target in (["--store", str(tmp_path / "store")], ["--endpoint", server.url]):
        res = subprocess.run([*CLI, "load", str(out), *target], capture_output=True, text=True)
        assert res.returncode == 1 and "Aborted" not in res.stderr, res.stderr
        assert f"{gz}: truncated or corrupt gzip file" in res.stderr, res.stderr


def test_a_valid_answer_past_the_bound_is_one_line_with_what_to_do(scripted):
    """0.7.0 read answers up to 512 MB: a valid 450 MB JSON answer took 7.7 GB and a traceback.
    Past IMRKG_MAX_ANSWER_MB (64 by default) it is refused in one line that says what to do."""
    import os

    env = {**os.environ, "IMRKG_MAX_ANSWER_MB": "1"}
    url = scripted("large")
    res = subprocess.run(
        [*CLI, "sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", url], capture_output=True, text=True, env=env
    )
    assert res.returncode == 1 and res.stderr.count("\n") == 1, res.stderr
    assert "larger than 1 MB and was refused" in res.stderr and "LIMIT" in res.stderr and "Traceback" not in res.stderr
    env["IMRKG_MAX_ANSWER_MB"] = "8"
    res = subprocess.run(
        [*CLI, "sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", url, "-f", "csv"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert res.returncode == 0 and res.stdout.count("\n") == 40_001, res.stderr
