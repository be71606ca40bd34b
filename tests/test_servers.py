"""The same graphs and canned queries on four stores: embedded pyoxigraph, rdflib in memory,
the Oxigraph server and Virtuoso (both started here on 127.0.0.1, loaded through `imrkg load
--endpoint`, i.e. the Graph Store Protocol)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from conftest import EXAMPLES, needs_shared
from expected import normalize
from servers import oxigraph_server, virtuoso_server

from kg.building.builddir import BuildDir, graph_files
from kg.graph.questions import load_questions
from kg.stores.endpoint import Endpoint
from kg.stores.queries import ask, run
from kg.stores.store import load, open_store

pytestmark = pytest.mark.server
CLI = [sys.executable, "-m", "kg.cli"]
EVIL = ['x" } ; DROP ALL ; #', "<http://x> } ; CLEAR ALL ; SELECT * {", "a b c"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _load(url: str, build, *, user: str | None = None, password: str | None = None, extra=()):
    env = dict(os.environ)
    env.pop("IMRKG_ENDPOINT_USER", None)
    env.pop("IMRKG_ENDPOINT_PASSWORD", None)
    if user:
        env |= {"IMRKG_ENDPOINT_USER": user, "IMRKG_ENDPOINT_PASSWORD": password or ""}
    return subprocess.run(
        [*CLI, "load", str(build), "--endpoint", url, *extra], capture_output=True, text=True, env=env
    )


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


def _count(endpoint: Endpoint) -> int:
    return int(run(endpoint, COUNT)[1][0][0])


@needs_shared
def test_same_answers_on_every_store(shared_build, oxigraph, virtuoso, tmp_path):
    res = _load(oxigraph, shared_build)
    assert res.returncode == 0, res.stderr
    res = _load(virtuoso, shared_build, user="dba", password="dba")
    assert res.returncode == 0, res.stderr
    embedded = open_store(tmp_path / "store")
    load(embedded, [shared_build])
    memory = rdflib.Dataset(default_union=True)
    for path in graph_files(shared_build):  # the letter graphs and the statistics graph
        memory.parse(path, format="trig")
    stores = {"oxigraph-server": Endpoint(oxigraph), "virtuoso": Endpoint(virtuoso), "rdflib": memory}
    quads = len(embedded)
    assert _count(stores["oxigraph-server"]) == quads
    for name, question in load_questions().items():
        for params in (
            {},
            {"from": "2017-01", "to": "2017-01"},
            {"from": "2015-01", "to": "2015-12"},
            {"from": "2017-01-15", "category": "injection"},
        ):
            want = ask(embedded, question, params, typed=False)
            assert want.rows or params, name
            for label, target in stores.items():
                got = ask(target, question, params, typed=False)
                assert got.route == want.route, (name, label, got.why)
                assert normalize(got.rows) == normalize(want.rows), f"{name} {params} differs on {label}"


def test_reload_replaces_graphs_and_changed_letter_replaces_its_graph(example_build, oxigraph, tmp_path):
    assert _load(oxigraph, example_build).returncode == 0
    endpoint = Endpoint(oxigraph)
    first = _count(endpoint)
    assert _load(oxigraph, example_build).returncode == 0
    assert _count(endpoint) == first  # PUT replaces: loading twice does not duplicate
    # a changed letter: one graph with one triple replaces the whole old graph
    graph = run(
        endpoint,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?l a <https://w3id.org/imr-kg/ontology#DeterminationLetter> } }",
    )
    name = graph[1][0][0]
    before = int(run(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")[1][0][0])
    endpoint.put_graph(name, b"<urn:x:s> <urn:x:p> <urn:x:o> .\n")
    assert _count(endpoint) == first - before + 1


def test_virtuoso_needs_credentials_and_never_prints_them(example_build, virtuoso):
    res = _load(virtuoso, example_build)
    assert res.returncode == 1
    assert "401 unauthorized" in res.stderr and "IMRKG_ENDPOINT_USER" in res.stderr
    res = _load(virtuoso, example_build, user="dba", password="s3cret-Wrong")
    assert res.returncode == 1 and "401" in res.stderr and "s3cret-Wrong" not in res.stderr + res.stdout
    res = _load(virtuoso, example_build, user="dba", password="dba")
    assert res.returncode == 0, res.stderr
    assert "dba" not in res.stderr.replace("loaded", "")


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_parameter_injection_cannot_touch_a_server(example_build, server, request):
    url = request.getfixturevalue(server)
    assert _load(url, example_build, user="dba", password="dba").returncode == 0
    endpoint = Endpoint(url)
    before = _count(endpoint)
    for evil in EVIL:
        with pytest.raises(ValueError):  # refused before anything is sent: it names no treatment
            ask(endpoint, "cited-sections-for-treatment", {"treatment": evil})
        res = subprocess.run(
            [*CLI, "query", "cited-sections-for-treatment", "-p", f"treatment={evil}", "--endpoint", url, "-f", "csv"],
            capture_output=True,
            text=True,
        )
        assert res.returncode in (0, 2) and "DROP" not in res.stdout
    assert _count(endpoint) == before


@pytest.fixture(scope="module")
def gzip_example_build(tmp_path_factory) -> Path:
    """The bundled examples built with --compress gzip."""
    out = tmp_path_factory.mktemp("gzip-build")
    subprocess.run([*CLI, "build", str(EXAMPLES), "-o", str(out), "-q", "--compress", "gzip"], check=True)
    return out


@pytest.mark.parametrize("kind", ["example_build", "gzip_example_build"])
def test_the_readme_bulk_load_recipe_runs_as_printed(kind, request, tmp_path):
    """The README's Oxigraph lines, with only DB, out and the port filled in; plain and gzip builds."""
    example_build = request.getfixturevalue(kind)
    import re
    import shlex
    import shutil

    from conftest import ROOT
    from servers import _stop, _wait, free_port

    if not shutil.which("oxigraph"):
        pytest.skip("the oxigraph CLI is not installed")
    block = re.search(r"```bash\n(# Oxigraph.*?)```", (ROOT / "docs" / "guide.md").read_text(), re.S).group(1)
    lines = [line for line in block.splitlines() if line.startswith("oxigraph ")]
    assert [line.split()[1] for line in lines] == ["load", "serve-read-only"]
    port = free_port()
    fill = {"DB": str(tmp_path / "db"), "out/": f"{example_build}/", "7878": str(port)}

    def filled(line: str) -> str:
        for placeholder, value in fill.items():
            line = line.replace(placeholder, value)
        return line

    subprocess.run(["bash", "-c", filled(lines[0])], check=True, capture_output=True)
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(shlex.split(filled(lines[1])), stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/", proc, log)
        endpoint = Endpoint(f"http://127.0.0.1:{port}/query")
        _answers_like_the_embedded_store(endpoint, example_build, tmp_path)
    finally:
        _stop(proc)


@pytest.mark.parametrize("kind", ["example_build", "gzip_example_build"])
def test_the_readme_virtuoso_bulk_load_runs_as_printed(kind, request, tmp_path):
    """The README's isql-vt line, with only the port, password and folder filled in; plain and gzip builds."""
    example_build = request.getfixturevalue(kind)
    import re
    import shutil

    from conftest import ROOT
    from servers import virtuoso_with_sql

    if not shutil.which("isql-vt"):
        pytest.skip("isql-vt is not installed")
    block = re.search(r"```bash\n(# Oxigraph.*?)```", (ROOT / "docs" / "guide.md").read_text(), re.S).group(1)
    (line,) = [line for line in block.splitlines() if line.startswith("isql-vt ")]
    with virtuoso_with_sql(tmp_path / "virtuoso", allow=example_build) as (url, sql_port):
        filled = (
            line.replace("1111", str(sql_port)).replace("PASSWORD", "dba").replace("/path/to/out", str(example_build))
        )
        res = subprocess.run(["bash", "-c", filled], capture_output=True, text=True, timeout=300)
        assert res.returncode == 0 and "Error" not in res.stdout, res.stdout + res.stderr
        endpoint = Endpoint(url)
        _answers_like_the_embedded_store(endpoint, example_build, tmp_path)


def _answers_like_the_embedded_store(endpoint: Endpoint, build, tmp_path) -> None:
    """Every canned question answers on the server as on the embedded store, and not emptily."""
    embedded = open_store(tmp_path / "embedded")
    load(embedded, [build])
    assert ask(endpoint, "outcome-by-category").rows  # answers, not an empty table
    for name, question in load_questions().items():
        got, want = ask(endpoint, question, typed=False), ask(embedded, question, typed=False)
        assert got.route == want.route == ("letter graphs" if question.not_summable else "statistics"), (name, got.why)
        assert normalize(got.rows) == normalize(want.rows), name


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_loading_a_build_drops_the_letters_it_no_longer_has(server, request, tmp_path):
    """`load --endpoint` of a build removes the server's graphs of letters gone from it, as the
    embedded store does, so the server does not answer with letters that no longer exist (issue 13)."""
    import shutil

    url = request.getfixturevalue(server)
    letters = tmp_path / "letters"
    shutil.copytree(EXAMPLES, letters)
    out = tmp_path / "out"
    subprocess.run([*CLI, "build", str(letters), "-o", str(out), "-q"], check=True)
    assert _load(url, out, user="dba", password="dba").returncode == 0
    endpoint = Endpoint(url)
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?l a <https://w3id.org/imr-kg/ontology#DeterminationLetter> } }"
    before = {g for (g,) in run(endpoint, query)[1]}
    mine = {g for g in before if "/letter/" in g}
    victim = next(p for p in sorted(letters.glob("*.txt")) if "CM16-" in p.read_text())
    victim.unlink()
    subprocess.run([*CLI, "build", str(letters), "-o", str(out), "-q"], check=True)
    res = _load(url, out, user="dba", password="dba")
    assert res.returncode == 0 and "removed 1 graphs of letters gone from the build" in res.stderr, res.stderr
    after = {g for (g,) in run(endpoint, query)[1]}
    assert len(mine - after) == 1 and all("CM16-" in g for g in mine - after)


def test_a_server_without_letters_or_without_the_union_graph_is_an_error(example_build, tmp_path):
    """Asked of the letter graphs, an empty server, or one that does not show its named graphs as
    the default graph, is an error that says what to do, never an empty table with exit 0 (issue 18)."""
    (tmp_path / "plain").mkdir()
    with oxigraph_server(tmp_path / "plain", union_default_graph=False) as url:
        ask_it = [*CLI, "query", "outcome-by-category", "--endpoint", url, "-p", "category=injection"]
        empty = subprocess.run(ask_it, capture_output=True, text=True)
        assert empty.returncode == 2 and "no letters here" in empty.stderr and empty.stdout == ""
        assert _load(url, example_build).returncode == 0
        hidden = subprocess.run(ask_it, capture_output=True, text=True)
        assert hidden.returncode == 2 and "--union-default-graph" in hidden.stderr and hidden.stdout == ""
        # the statistics name their graphs, so they answer either way
        fast = subprocess.run(
            [*CLI, "query", "outcome-by-category", "--endpoint", url, "-f", "csv"], capture_output=True, text=True
        )
        assert fast.returncode == 0 and "Injection" in fast.stdout


@pytest.fixture
def corpus_build_pair(tmp_path) -> tuple[Path, Path]:
    """Two builds of one synthetic corpus in one folder: as made, and after one letter was removed
    and another edited."""
    from factories import synth

    letters = synth(tmp_path / "letters", 24)
    first, second = tmp_path / "builds" / "first", tmp_path / "builds" / "second"
    subprocess.run([*CLI, "build", str(letters), "-o", str(first), "-q"], check=True)
    files = sorted(letters.rglob("*.txt"))
    files[3].unlink()
    files[7].write_text(files[7].read_text().replace("Synthetic letter 7.", "Synthetic letter 7, edited."))
    subprocess.run([*CLI, "build", str(letters), "-o", str(second), "-q"], check=True)
    return first, second


def _letter_quads(target) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRENDS(STR(?g), '/graph')) }"
    if isinstance(target, Endpoint):
        return int(target.select(query)[1][0][0])
    return int(next(iter(target.query(query)))[0].value)


def test_one_command_loads_a_build_into_virtuoso_through_its_bulk_loader(corpus_build_pair, tmp_path):
    """`load OUTDIR --endpoint URL --virtuoso-sql HOST:PORT` runs ld_dir and rdf_loader_run: the
    canned questions answer as on the embedded store; after a rebuild without one letter and with
    another changed, a second load leaves neither the gone letter nor the old version (issue 17)."""
    import os
    import shutil

    from servers import virtuoso_with_sql

    if not shutil.which("isql-vt"):
        pytest.skip("isql-vt is not installed")
    first, second = corpus_build_pair
    with virtuoso_with_sql(tmp_path / "virtuoso", allow=first.parent) as (url, sql_port):
        env = {**os.environ, "IMRKG_ENDPOINT_USER": "dba", "IMRKG_ENDPOINT_PASSWORD": "dba"}
        for build_dir in (first, second):
            res = subprocess.run(
                [*CLI, "load", str(build_dir), "--endpoint", url, "--virtuoso-sql", f"127.0.0.1:{sql_port}"],
                capture_output=True,
                text=True,
                env=env,
                timeout=600,
            )
            assert res.returncode == 0 and "bulk-loaded" in res.stderr, res.stderr
            assert "dba" not in res.stderr.replace("dba)", "")  # the password is never printed
            _answers_like_the_embedded_store(Endpoint(url), build_dir, tmp_path / build_dir.name)
            embedded = open_store(tmp_path / build_dir.name / "embedded")
            assert _letter_quads(Endpoint(url)) == _letter_quads(embedded)  # no triple of an old version left
        _, rows = Endpoint(url).select(
            "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a <https://w3id.org/imr-kg/ontology#DeterminationLetter> }"
        )
        assert int(rows[0][0]) == BuildDir(second).read_summary()["letters"]
        bad = subprocess.run(
            [*CLI, "load", str(tmp_path), "--endpoint", url, "--virtuoso-sql", f"127.0.0.1:{sql_port}"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert bad.returncode == 2 and "not a build folder" in bad.stderr  # refused before the server is asked
        # a build folder whose path Virtuoso's SQL client would misread ('\\', '$'): refused before
        # anything is sent, the server keeps what it had (0.7.0 cleared it, then said it loaded)
        letters_before = _letter_quads(Endpoint(url))
        for odd in ("back\\slash", "dollar$HOME"):
            moved = first.parent / odd
            shutil.copytree(second, moved)
            res = subprocess.run(
                [*CLI, "load", str(moved), "--endpoint", url, "--virtuoso-sql", f"127.0.0.1:{sql_port}"],
                capture_output=True,
                text=True,
                env=env,
            )
            assert res.returncode == 1 and "nothing was sent to the server" in res.stderr, res.stderr
            assert _letter_quads(Endpoint(url)) == letters_before


@pytest.fixture(scope="module")
def synth_build(tmp_path_factory):
    from factories import synth

    work = tmp_path_factory.mktemp("synth-servers")
    letters = synth(work / "letters", 40)
    out = work / "out"
    subprocess.run([*CLI, "build", str(letters), "-o", str(out), "-q"], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_find_against_a_server_with_and_without_the_word_index(synth_build, server, request, tmp_path):
    """Issue 33: without the index, `find` asks the server's letter graphs (said on stderr);
    with `--index BUILD`, the index answers and the server gives the sentences: the same items."""
    import json

    url = request.getfixturevalue(server)
    creds = {"user": "dba", "password": "dba"} if server == "virtuoso" else {}
    assert _load(url, synth_build, **creds).returncode == 0
    store = tmp_path / "store"
    assert subprocess.run([*CLI, "load", str(synth_build), "--store", str(store)], capture_output=True).returncode == 0

    def found(*args: str) -> tuple[set, subprocess.CompletedProcess]:
        res = subprocess.run([*CLI, "find", *args, "-f", "json", "-n", "1000"], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        rows = json.loads(res.stdout)
        assert all(r["position"] and r["sentence"] for r in rows)
        return {(r["case"], r["item"]) for r in rows}, res

    for args in (
        ["-p", "reason=no-functional-improvement"],
        ["-p", "outcome=Upheld", "-p", "category=pharmaceuticals"],
    ):
        embedded, _ = found(*args, "--store", str(store))
        plain, res = found(*args, "--endpoint", f"{url}")
        assert "no word index here" in res.stderr
        indexed, res = found(*args, "--endpoint", f"{url}", "--index", str(synth_build))
        assert "no word index" not in res.stderr
        assert embedded and plain == embedded == indexed, args
    words, _ = found("functional improvement", "--store", str(store))
    plain, _ = found("functional improvement", "--endpoint", url)
    assert plain and plain <= words
