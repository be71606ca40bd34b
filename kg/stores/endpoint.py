"""A SPARQL server reached over HTTP: SPARQL 1.1 Protocol queries and Graph Store Protocol loads.

Tested against the Oxigraph server (``/query``, ``/store``) and Virtuoso (``/sparql``,
``/sparql-graph-crud-auth``); any server speaking both protocols works when both URLs are given.

Credentials come from ``IMRKG_ENDPOINT_USER`` / ``IMRKG_ENDPOINT_PASSWORD`` or from ``~/.netrc``
for the endpoint's host. They are never printed: every message names the URL without user info.
Transient failures (connection refused, timeouts, 5xx) are retried a bounded number of times
with exponential backoff; 4xx answers are not retried because repeating them cannot help.
"""

from __future__ import annotations

import base64
import json
import netrc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from kg.building.builddir import BuildDir, graph_files, graphs_of
from kg.building.manifest import Manifest
from kg.graph.iris import IMR, is_letter_graph
from kg.graph.terms import typed_value
from kg.stores import EndpointError
from kg.stores.queries import with_values

USER_ENV, PASSWORD_ENV = "IMRKG_ENDPOINT_USER", "IMRKG_ENDPOINT_PASSWORD"
_RETRY_STATUS = {500, 502, 503, 504}
# A SPARQL answer larger than this is refused with one line, not read: a JSON answer takes about 17
# times its size as Python rows (a 450 MB answer took 7.7 GB under 0.7.0's 512 MB bound).
# IMRKG_MAX_ANSWER_MB changes it for a machine with the memory.
MAX_ANSWER_BYTES = int(os.environ.get("IMRKG_MAX_ANSWER_MB", "64")) * 2**20
FAILURES_IN_A_ROW = 5  # graphs a server may refuse in a row before a load stops sending
# Known servers: query path -> (graph store path, name of the graph parameter)
_GRAPH_STORE_FOR = {"/query": ("/store", "graph"), "/sparql": ("/sparql-graph-crud-auth", "graph-uri")}


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load to a server did: graphs loaded, graphs not loaded and why."""

    loaded: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (graph IRI, reason)
    server_gone: bool = False  # the load stopped because the server stopped answering
    removed: list[str] = field(default_factory=list)  # letter graphs of letters no longer in the build


def redact(url: str) -> str:
    """The URL without user:password@, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _credentials(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if parts.username:
        return parts.username, parts.password or ""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user:
        return user, password or ""
    try:
        entry = netrc.netrc().authenticators(parts.hostname or "")
    except (FileNotFoundError, netrc.NetrcParseError):
        return None
    return (entry[0], entry[2]) if entry else None


class BadURL(ValueError):
    """A server URL that is not http(s)://HOST...: the message names the option, never the URL
    (it may hold a password)."""

    def __init__(self, option: str) -> None:
        super().__init__(
            f"{option}: not an http(s) URL; expected http://HOST:PORT/PATH (credentials belong in the environment)"
        )
        self.option = option


def _check_url(url: str, option: str) -> None:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number
        raise BadURL(option) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise BadURL(option)


class Endpoint:
    """A SPARQL server: its query URL and, where known or given, its Graph Store Protocol URL."""

    def __init__(
        self,
        query_url: str,
        graph_store_url: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _check_url(query_url, "--endpoint")
        if graph_store_url is not None:
            _check_url(graph_store_url, "--graph-store")
        self.query_url = redact(query_url)
        path = urlsplit(query_url).path.rstrip("/")
        known = next((v for k, v in _GRAPH_STORE_FOR.items() if path.endswith(k)), None)
        if graph_store_url:
            self.graph_store_url, self.graph_param = redact(graph_store_url), "graph"
        elif known:
            self.graph_store_url = self.query_url[: len(self.query_url) - len(path.rsplit("/", 1)[1])].rstrip("/")
            self.graph_store_url += known[0]
            self.graph_param = known[1]
        else:
            self.graph_store_url, self.graph_param = None, "graph"  # type: ignore[assignment]
        self.timeout, self.retries, self.backoff, self._sleep = timeout, retries, backoff, sleep
        self._credentials = _credentials(query_url) or (_credentials(graph_store_url) if graph_store_url else None)
        self._auth: AuthBase | None = None
        self._session = requests.Session()
        self._session.trust_env = False  # netrc is read above, once; proxies on loopback are never wanted

    # -- HTTP with retries and authentication -------------------------------------------------
    def _request(self, method: str, url: str, **kwargs) -> bytes:
        """The body of a successful answer. Each try has ``timeout`` seconds in all, not per read
        (a server trickling a byte a second would otherwise never time out) and at most
        :data:`MAX_ANSWER_BYTES` (an endless body would otherwise fill memory)."""
        attempt = 0
        while True:
            unreachable = True
            try:
                status, headers, body = self._exchange(method, url, **kwargs)
                if status == 401 and self._auth is None and self._credentials:
                    self._auth = _auth_for(headers, self._credentials)
                    status, headers, body = self._exchange(method, url, **kwargs)
            except _TooSlowAnswer:
                reason = f"timed out after {self.timeout:g} s"
            except _TooLargeAnswer:
                raise EndpointError(
                    f"{redact(url)}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MB and was refused "
                    "(about 17 times that in memory): ask for fewer rows (LIMIT, a filter), or raise "
                    "IMRKG_MAX_ANSWER_MB on a machine with the memory"
                ) from None
            except requests.Timeout:
                reason = f"timed out after {self.timeout:g} s"
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                reason = "connection broken during the answer"  # a truncated answer: tried again
                unreachable = False
            except requests.ConnectionError:
                reason = "cannot connect (is the server running?)"
            else:
                if status == 401:
                    hint = (
                        "check the credentials"
                        if self._credentials
                        else f"set {USER_ENV} and {PASSWORD_ENV} or ~/.netrc"
                    )
                    raise EndpointError(f"{redact(url)}: 401 unauthorized ({hint})", server_gone=True)
                if status not in _RETRY_STATUS:
                    if status >= 400:
                        raise EndpointError(f"{redact(url)}: HTTP {status} {self._snippet(body)}")
                    return body
                reason = f"HTTP {status} {self._snippet(body)}"
                unreachable = False
            if attempt >= self.retries:
                tries = "try" if attempt == 0 else "tries"
                raise EndpointError(f"{redact(url)}: {reason} ({attempt + 1} {tries})", server_gone=unreachable)
            self._sleep(self.backoff * 2**attempt)
            attempt += 1

    def _exchange(self, method: str, url: str, **kwargs) -> tuple[int, dict, bytes]:
        """One request: (status, headers, body read within the deadline and the size cap)."""
        deadline = time.monotonic() + self.timeout
        with self._session.request(
            method, url, auth=self._auth, timeout=self.timeout, stream=True, **kwargs
        ) as response:
            chunks, size = [], 0
            for chunk in _as_it_comes(response):
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise _TooLargeAnswer
                if time.monotonic() > deadline:
                    raise _TooSlowAnswer
                chunks.append(chunk)
            return response.status_code, dict(response.headers), b"".join(chunks)

    def _snippet(self, body: bytes) -> str:
        """The start of a server's error body, with any credential it echoed blanked out."""
        text = " ".join(body.decode("utf-8", "replace").split())[:200]
        return f"({scrub(text, self._credentials)})" if text else ""

    # -- SPARQL 1.1 Protocol --------------------------------------------------------------------
    def select(
        self, sparql: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None, *, typed: bool = False
    ) -> tuple[list[str], list[list]]:
        """Run a SELECT or ASK; parameters travel as a trailing VALUES block of serialized RDF terms."""
        text = with_values(sparql, bindings) if bindings else sparql
        body = self._request(
            "POST",
            self.query_url,
            # form-encoded POST: every server takes it (Virtuoso 7 hangs on a raw sparql-query body)
            data={"query": text},
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            answer = json.loads(body)
            if "boolean" in answer:
                return ["result"], [[bool(answer["boolean"]) if typed else str(answer["boolean"]).lower()]]
            columns = [str(c) for c in answer["head"]["vars"]]

            def value(cell: dict | None):
                if cell is None:
                    return None
                return typed_value(cell["value"], cell.get("datatype")) if typed else cell["value"]

            rows = [[value(b.get(c)) for c in columns] for b in answer["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EndpointError(f"{self.query_url}: the answer is not SPARQL JSON results") from None
        return columns, rows

    # -- Graph Store Protocol --------------------------------------------------------------------
    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one named graph with the given N-Triples (sent as Turtle, which every store reads)."""
        if not self.graph_store_url:
            raise EndpointError(f"{self.query_url}: unknown graph store URL; pass --graph-store")
        self._request(
            "PUT",
            self.graph_store_url,
            params={self.graph_param: graph},
            data=ntriples,
            headers={"Content-Type": "text/turtle; charset=utf-8"},
        )

    def delete_graph(self, graph: str) -> None:
        """Drop one named graph (Graph Store Protocol DELETE; a graph already gone is fine)."""
        if not self.graph_store_url:
            raise EndpointError(f"{self.query_url}: unknown graph store URL; pass --graph-store")
        try:
            self._request("DELETE", self.graph_store_url, params={self.graph_param: graph})
        except EndpointError as err:
            if " HTTP 404 " not in f" {err} ":
                raise

    def load_graphs(
        self, graphs: Iterable[tuple[str, bytes]], progress: Callable[[str], None] | None = None
    ) -> LoadReport:
        """PUT every graph; a failed graph is reported and the rest go on, unless the server is gone."""
        report = LoadReport()
        gone: str | None = None
        failing = 0  # graphs refused in a row
        for name, data in graphs:
            if gone:
                report.failed.append((name, gone))
                continue
            try:
                self.put_graph(name, data)
            except EndpointError as err:
                report.failed.append((name, str(err)))
                failing += 1
                if err.server_gone or failing >= FAILURES_IN_A_ROW:
                    # a server failing every graph would cost each its full retries: hours for a corpus
                    why = err if err.server_gone else f"{FAILURES_IN_A_ROW} graphs in a row failed; last: {err}"
                    gone = f"not attempted: {why}"
                continue
            failing = 0
            report.loaded.append(name)
            if progress:
                progress(name)
        return LoadReport(report.loaded, report.failed, server_gone=gone is not None)


def _auth_for(headers: dict, credentials: tuple[str, str]) -> AuthBase:
    challenge = {k.lower(): v for k, v in headers.items()}.get("www-authenticate", "").lower()
    return HTTPDigestAuth(*credentials) if challenge.startswith("digest") else HTTPBasicAuth(*credentials)


def _as_it_comes(response: requests.Response) -> Iterator[bytes]:
    """The body in pieces as they arrive (urllib3 2's ``read1``), so the deadline is checked
    while a slow server sends; ``iter_content`` waits for each 64 KB piece whole."""
    read1 = getattr(response.raw, "read1", None)
    if read1 is None:  # urllib3 1.x
        yield from response.iter_content(64 * 1024)
        return
    while chunk := read1(64 * 1024, decode_content=True):
        yield chunk


class _TooSlowAnswer(Exception):
    pass


class _TooLargeAnswer(Exception):
    pass


def scrub(text: str, credentials: tuple[str, str] | None) -> str:
    """``text`` with the password, and the forms a server may echo it in (user:password, the
    Basic authorization value), replaced by ``***``."""
    if not credentials:
        return text
    user, password = credentials
    secrets = [f"{user}:{password}", base64.b64encode(f"{user}:{password}".encode()).decode(), password]
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def graphs_in(path: str) -> Iterator[tuple[str, bytes]]:
    """Stream (graph IRI, N-Triples bytes) from a TriG or N-Quads file, one named graph at a time.

    A build writes each graph's quads together, so memory holds one letter. A PUT replaces a
    graph, so a graph split across the file would lose its first part: that is refused.
    """
    sent: set[str] = set()
    for graph, quads in graphs_of(path):
        if isinstance(graph, ox.DefaultGraph):
            raise EndpointError(f"{path}: has triples in the default graph; a server load needs named graphs")
        if graph.value in sent:
            raise EndpointError(f"{path}: graph <{graph.value}> is split across the file; load a build's graph files")
        yield graph.value, ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)  # type: ignore[misc]
        sent.add(graph.value)


def load_sources(endpoint: Endpoint, sources: Iterable[str | Path]) -> LoadReport:
    """PUT every named graph of build directories or graph files to the server, then drop the
    server's letter graphs of letters a loaded build no longer has (as the embedded store does).

    A graph the server refuses, or a file that cannot be read, is named in ``failed`` and the
    rest go on; graphs already sent stay loaded and whole. Once the server stops answering,
    what is left is listed as not attempted instead of being tried one by one.
    """
    loaded: list[str] = []
    failed: list[tuple[str, str]] = []
    removed: list[str] = []
    gone = False
    for source in sources:
        for path in graph_files(source):
            if gone:
                failed.append((str(path), "not attempted (the server stopped answering)"))
                continue
            if not path.is_file():
                failed.append((str(path), "no such file"))
                continue
            try:
                result = endpoint.load_graphs(graphs_in(str(path)))
            except (EndpointError, SyntaxError, OSError) as err:
                failed.append((str(path), str(err).splitlines()[0]))
                continue
            loaded.extend(result.loaded)
            failed.extend(result.failed)
            gone = result.server_gone
        if not gone and BuildDir(Path(source)).is_build():
            try:
                removed += _drop_letters_not_in(endpoint, BuildDir(Path(source)))
            except EndpointError as err:
                failed.append((str(source), f"could not remove letters gone from the build: {err}"))
    return LoadReport(loaded, failed, server_gone=gone, removed=removed)


def _drop_letters_not_in(endpoint: Endpoint, build: BuildDir) -> list[str]:
    """Delete the server's letter graphs that the build's manifest does not list."""
    wanted = set(Manifest.letter_graphs_of(build.manifest))
    _, rows = endpoint.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?letter a <{IMR.DeterminationLetter}> }} }}")
    stale = sorted(g for (g,) in rows if g and is_letter_graph(g) and g not in wanted)
    for graph in stale:
        endpoint.delete_graph(graph)
    return stale
