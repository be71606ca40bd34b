from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES, needs_shared


def run(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, input=stdin)


def test_parse_examples_jsonl(tmp_path):
    out = tmp_path / "r.jsonl"
    res = run("parse", str(EXAMPLES), "-o", str(out))
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == len(list(EXAMPLES.glob("*.txt")))
    assert all(r["items"] for r in records)
    assert not list(tmp_path.glob(".*part"))  # no temp file left behind


def test_parse_json_array_to_stdout():
    res = run("parse", str(EXAMPLES), "--format", "json")
    assert res.returncode == 0
    assert isinstance(json.loads(res.stdout), list)


def test_bad_inputs_are_named_and_batch_goes_on(tmp_path):
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 garbage garbage")
    (tmp_path / "note.txt").write_text("Shopping list: milk, eggs")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    res = run("parse", str(tmp_path), str(EXAMPLES))
    assert res.returncode == 1
    errors = res.stderr.decode().strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("imrkg: ") for line in errors)
    assert "Traceback" not in res.stderr.decode()
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert sum("error" in r for r in records) == 3 and sum("items" in r for r in records) == 2


def test_stdin_and_usage():
    text = (EXAMPLES / "synthetic-2016-facet.txt").read_bytes()
    res = run("parse", "-", stdin=text)
    assert res.returncode == 0 and json.loads(res.stdout)["case_number"] == "CM16-9000001"
    assert run("parse").returncode == 2


def test_version_and_help():
    from kg.base.version import __version__

    res = run("--version")
    assert res.returncode == 0 and res.stdout.decode().strip() == f"imrkg {__version__}"
    res = run("export", "--help")
    assert res.returncode == 0 and "treatment-guideline" in res.stdout.decode()  # the views kg.outputs.export offers


def test_reading_commands_never_create_a_store_and_say_what_to_do(tmp_path):
    for args in (
        ["query", "outcome-by-category"],
        ["sparql", "SELECT * { ?s ?p ?o } LIMIT 1"],
        ["export", "gexf", "-o", "g.gexf"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "kg.cli", *args, "--store", str(tmp_path / "nostore")],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert res.returncode == 2 and "no store at" in res.stderr and "imrkg load" in res.stderr, (args, res.stderr)
        assert not (tmp_path / "nostore").exists() and not (tmp_path / "g.gexf").exists()
    (tmp_path / "empty").mkdir()
    from kg.stores.store import open_store

    open_store(tmp_path / "empty")  # made, holding nothing
    res = run("query", "outcome-by-category", "--store", str(tmp_path / "empty"))
    assert res.returncode == 2 and b"is empty" in res.stderr


def test_query_answers_typed_json_and_ask_works(example_build, tmp_path):
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    res = run("query", "days-ur-to-decision", "--store", str(store), "-f", "json")
    rows = json.loads(res.stdout)
    assert rows and all(isinstance(r["letters"], int) for r in rows)
    assert all(
        isinstance(v, float | int) and round(v, 4) == v for r in rows for k, v in r.items() if k.endswith("days")
    )
    res = run("sparql", "ASK { ?s ?p ?o }", "--store", str(store), "-f", "json")
    assert res.returncode == 0 and json.loads(res.stdout) == [{"result": True}]
    res = run("sparql", str(tmp_path / "missing.rq"), "--store", str(store))
    assert res.returncode == 2 and b"no such file" in res.stderr


def test_an_empty_answer_naming_terms_the_ontology_lacks_is_an_error(example_build, tmp_path):
    """A retired or misspelt term (imr:citedBy, in a property path too) matches nothing: that is
    an error naming it, not an empty table; a query of real terms that matches nothing is an
    empty answer, exit 0."""
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    prefix = "PREFIX imr: <https://w3id.org/imr-kg/ontology#> "
    for query in (
        prefix + "SELECT ?c WHERE { ?c imr:citedBy ?party }",
        prefix + "SELECT ?d WHERE { ?i imr:decision/imr:outcom ?d }",
        "SELECT ?l WHERE { ?l a <https://w3id.org/imr-kg/ontology#DeterminationLeter> }",
    ):
        res = run("sparql", query, "--store", str(store))
        assert res.returncode == 2, (query, res.stdout)
        assert b"does not define" in res.stderr and res.stderr.count(b"\n") == 1, res.stderr
        assert any(t in res.stderr for t in (b"imr:citedBy", b"imr:outcom", b"imr:DeterminationLeter"))
    res = run("sparql", prefix + 'SELECT ?l WHERE { ?l imr:caseNumber "no such case" }', "--store", str(store))
    assert res.returncode == 0 and b"does not define" not in res.stderr
    res = run("sparql", prefix + "SELECT ?l WHERE { ?l a imr:DeterminationLetter }", "--store", str(store))
    assert res.returncode == 0 and res.stdout.strip()


def test_build_refuses_missing_inputs_and_bad_job_counts(tmp_path):
    res = run("build", str(tmp_path / "nothing-here"), "-o", str(tmp_path / "out"))
    assert res.returncode == 2 and b"no such file or directory" in res.stderr and not (tmp_path / "out").exists()
    res = run("build", str(EXAMPLES), "-o", str(tmp_path / "out"), "--jobs", "-3")
    assert res.returncode == 2 and b"Traceback" not in res.stderr


def test_a_malformed_endpoint_is_one_usage_error_and_never_shows_the_password(example_build):
    res = run("load", str(example_build), "--endpoint", "dba:s3cret@127.0.0.1:8890/sparql")
    lines = res.stderr.decode().strip().splitlines()
    assert (
        res.returncode == 2
        and len(lines) == 1
        and "not an http(s) URL" in lines[0]
        and "s3cret" not in res.stderr.decode()
    )


def test_show_prints_each_fact_with_the_words_it_came_from(example_build, tmp_path):
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    res = run("show", "CM16-9000001", "--item", "1", "--store", str(store))
    out = res.stdout.decode()
    assert res.returncode == 0 and "item 1" in out and "item 2" not in out
    assert 'reason: Indications not documented  "No diagnostic medial branch block has been documented."' in out
    assert 'title:  "Bilateral lumbar facet joint injection L4-5 and L5-S1 under fluoroscopy"' in out
    # the party of a citation is the ontology's imr:citingParty of the property the data use
    assert "citation by ClaimsAdministrator:" in out and 'citation by IMRReviewer:  "Decision based on MTUS' in out
    res = run("show", "CM16-0000000", "--store", str(store))
    assert res.returncode == 2 and b"no letter with case number" in res.stderr


def test_records_carry_the_text_their_spans_index():
    res = run("parse", str(EXAMPLES / "synthetic-2016-facet.txt"))
    record = json.loads(res.stdout)
    for item in record["items"]:
        start, end = item["title_span"]
        assert record["text"][start:end].replace("\n", " ").startswith(item["title"][:30])


def test_help_text_names_no_python_types():
    """Help is for people: PATH, TEXT, [table|csv|json], never <list[str]>, <bool> or <str>."""
    import re

    for command in ("build", "parse", "load", "query", "queries", "concepts", "sparql", "report", "export", "show"):
        res = run(command, "--help")
        assert res.returncode == 0, command
        assert not re.search(rb"<(str|bool|int|float|path|list\[\w+\])>", res.stdout), (command, res.stdout.decode())


def test_parse_streams_records_in_order_from_workers(tmp_path):
    """`imrkg parse -j 2` gives the records of `-j 1`, in input order; a worker that dies costs
    one document (tested in test_build for the shared pool)."""
    one = run("parse", str(EXAMPLES), "-j", "1")
    two = run("parse", str(EXAMPLES), "-j", "2", "-o", str(tmp_path / "r.jsonl"))
    assert one.returncode == two.returncode == 0
    assert (tmp_path / "r.jsonl").read_bytes() == one.stdout
    as_json = run("parse", str(EXAMPLES), "-f", "json")
    assert [r["file"] for r in json.loads(as_json.stdout)] == [json.loads(x)["file"] for x in one.stdout.splitlines()]


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal: its exit status and what it drew there."""
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "160", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return proc.wait(timeout=300), seen.decode(errors="replace")


def test_build_progress_on_a_terminal_has_a_total_a_rate_and_time_left(tmp_path):
    """On a terminal `build` shows done/total, letters/s and time left; off one it is silent (issue 18)."""
    status, text = _on_a_terminal("build", str(EXAMPLES), "-o", str(tmp_path / "out"))
    assert status == 0
    assert "letters/s" in text and "/2" in text and "left" in text, text[-2000:]
    quiet = run("build", str(EXAMPLES), "-o", str(tmp_path / "out2"))
    assert b"letters/s" not in quiet.stderr  # not a terminal: no bar


@needs_shared
def test_load_progress_on_a_terminal_counts_the_bytes_read(shared_build, tmp_path):
    """`load` shows bytes read of the total, a rate and time left on a terminal; --quiet and a
    pipe show nothing (issue 18). The callbacks add up to the total they announced."""
    from kg.building.builddir import BuildDir
    from kg.stores.store import load, open_store

    status, text = _on_a_terminal("load", str(shared_build), "--store", str(tmp_path / "s1"))
    assert status == 0
    assert "/s" in text and "MB" in text and "left" in text, text[-2000:]
    status, text = _on_a_terminal("load", str(shared_build), "--store", str(tmp_path / "s2"), "--quiet")
    assert status == 0 and "left" not in text
    named = run("load", str(shared_build), "--store", str(tmp_path / "s4"), "--verbose")
    assert named.returncode == 0 and b"graph.trig (" in named.stderr and b"statistics.trig (" in named.stderr
    planned, advanced = [], []
    load(open_store(tmp_path / "s3"), [shared_build], planned=planned.append, advanced=advanced.append)
    size = sum(p.stat().st_size for p in BuildDir(shared_build).graph_files())
    assert planned == [size] and sum(advanced) == size


def test_an_output_that_cannot_be_written_is_one_line(example_build, tmp_path):
    """A missing or read-only destination (here under /proc) is one line naming it, exit 1, no traceback (issue 13)."""
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    for args in (
        ("parse", str(EXAMPLES), "-o", "/proc/imrkg-test/x.jsonl"),
        ("build", str(EXAMPLES), "-o", "/proc/imrkg-test/out", "-q"),
        ("query", "outcome-trend", "--store", str(store), "-o", "/proc/imrkg-test/q.csv"),
        ("report", "--store", str(store), "-o", "/proc/imrkg-test/r.html"),
        ("export", "gexf", str(example_build), "-o", "/proc/imrkg-test/v.gexf"),
    ):
        res = run(*args)
        lines = res.stderr.decode().strip().splitlines()
        assert res.returncode == 1 and len(lines) == 1 and "/proc/imrkg-test" in lines[0], (args, res.stderr)
        assert b"Traceback" not in res.stderr and b".part" not in res.stderr


def test_a_virtuoso_bulk_load_without_an_endpoint_is_a_usage_error(example_build, tmp_path):
    """`load --virtuoso-sql` needs Virtuoso's SPARQL URL: said before any store is looked for."""
    res = run("load", str(example_build), "--virtuoso-sql", "127.0.0.1:1111", "--store", str(tmp_path / "none"))
    assert res.returncode == 2 and b"needs --endpoint" in res.stderr and len(res.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "graph_store",
    ["alice:pw5ecret@127.0.0.1:8890/store", "http//alice:pw5ecret@127.0.0.1/store", "ftp://127.0.0.1/store"],
)
def test_a_malformed_graph_store_url_is_refused_like_an_endpoint_and_never_shows_the_password(
    example_build, tmp_path, graph_store
):
    """0.7.0 printed --graph-store's password and wrote it twice into --report; ftp:// passed."""
    report = tmp_path / "report.txt"
    res = run(
        "load",
        str(example_build),
        "--endpoint",
        "http://127.0.0.1:9/sparql",
        "--graph-store",
        graph_store,
        "--report",
        str(report),
    )
    err = res.stderr.decode()
    assert res.returncode == 2 and err.count("\n") == 1 and "--graph-store: not an http(s) URL" in err, err
    assert "pw5ecret" not in err and not report.exists()


def test_control_characters_from_an_argument_are_escaped_not_sent_to_the_terminal(example_build, tmp_path):
    """`show` echoed a terminal escape from its case argument; every printed value is escaped."""
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    res = run("show", "CM16-\x1b[2J\x07evil", "--store", str(store))
    assert b"\x1b" not in res.stderr + res.stdout and b"\\x1b[2J\\x07evil" in res.stderr


def test_json_lines_stay_one_line_for_every_reader():
    """A record holding U+2028, U+0085 or a C1 control is still one line for str.splitlines."""
    from kg.base.output import json_text

    text = json_text({"t": "a\u2028b\u0085c\u2029d\x9be"})
    assert text.splitlines() == [text] and "\\u2028" in text and "\\u0085" in text and "\\u009b" in text
    assert json.loads(text) == {"t": "a\u2028b\u0085c\u2029d\x9be"}


def test_sparql_declares_the_project_prefixes_and_refuses_an_update(example_build, tmp_path):
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    res = run(
        "sparql", "SELECT (COUNT(?l) AS ?n) WHERE { ?l a imr:DeterminationLetter }", "--store", str(store), "-f", "csv"
    )
    assert res.returncode == 0 and res.stdout.decode().split() == ["n", "2"], res.stderr
    res = run("sparql", "DELETE WHERE { ?s ?p ?o }", "--store", str(store))
    assert res.returncode == 2 and b"SELECT and ASK queries only (the store is read-only" in res.stderr


def test_usage_mistakes_are_refused_with_exit_2_and_say_what_to_do(example_build, tmp_path):
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("build", str(empty), "-o", str(tmp_path / "out"))  # nothing to build is no success
    assert res.returncode == 2 and b"no .pdf or .txt letters" in res.stderr and not (tmp_path / "out").exists()
    for params, says in (
        (["--param", "category="], b"has no value"),
        (["--param", "category=Injection", "--param", "category=Surgery"], b"given twice"),
    ):
        res = run("query", "outcome-by-category", *params, "--store", str(store))
        assert res.returncode == 2 and says in res.stderr, res.stderr
    res = run("query", "outcome-by-category", "--store", str(example_build))
    assert res.returncode == 2 and b"is a build folder, not a store: run `imrkg load" in res.stderr
    res = run("concepts", "--kind", "treatmnt")
    assert res.returncode == 2 and b"did you mean treatment?" in res.stderr
    res = run("concepts", "facett", "--kind", "treatment")
    assert res.returncode == 2 and b"closest: Facet" in res.stderr


def test_the_python_api_asks_a_store_by_its_path_and_never_creates_one(example_build, tmp_path):
    from kg.stores.queries import ask
    from kg.stores.store import StoreError

    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    assert ask(str(store), "outcome-by-category").rows
    with pytest.raises(StoreError, match="no store at"):
        ask(tmp_path / "missing", "outcome-by-category")
    assert not (tmp_path / "missing").exists()


def test_a_date_filter_says_what_it_left_out_and_an_empty_range_says_why(example_build, tmp_path):
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    res = run("query", "outcome-by-category", "--param", "from=2030-01-01", "--store", str(store), "-f", "csv")
    err = res.stderr.decode()
    assert res.returncode == 0 and res.stdout.decode().strip() == "category,items,overturned,overturn_pct"
    assert "nothing was decided from 2030-01-01 to the end: the letters here were decided from 2016-" in err
    assert "1 letters have no decision date (2014 layout): from/to leave them out" in err
    res = run(
        "query", "outcome-by-category", "--param", "from=2017-02-01", "--param", "to=2017-01-01", "--store", str(store)
    )
    assert res.returncode == 2 and b"is after to=2017-01-01" in res.stderr


def test_a_corrupt_store_a_bad_question_file_and_a_letters_folder_given_to_load_are_one_line_each(
    example_build, tmp_path
):
    """0.7.0: a RuntimeError traceback (corrupt store), a UnicodeDecodeError traceback (a .rq not in
    UTF-8), a read of /dev/zero forever (a .rq linked to it), and an empty store folder left behind
    by `load LETTERS`."""
    store = tmp_path / "store"
    assert run("load", str(example_build), "--store", str(store)).returncode == 0
    (store / "CURRENT").write_text("garbage\n")
    res = run("load", str(example_build), "--store", str(store))
    assert res.returncode == 2 and b"Traceback" not in res.stderr and b"move it aside" in res.stderr
    bad = tmp_path / "questions"
    bad.mkdir()
    (bad / "latin1.rq").write_bytes(b"SELECT \xff\xfe WHERE {}")
    res = run("queries", "--queries", str(bad))
    assert res.returncode == 2 and b"latin1.rq: not UTF-8 text" in res.stderr and b"Traceback" not in res.stderr
    (bad / "latin1.rq").unlink()
    (bad / "zero.rq").symlink_to("/dev/zero")
    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "queries", "--queries", str(bad)], capture_output=True, timeout=60
    )
    assert res.returncode == 2 and b"zero.rq: not a regular file" in res.stderr
    res = run("load", str(EXAMPLES), "--store", str(tmp_path / "new-store"))
    assert res.returncode == 2 and b"not a build folder" in res.stderr and not (tmp_path / "new-store").exists()


def test_a_corrupt_manifest_is_remade_with_a_word_about_it(tmp_path):
    out = tmp_path / "out"
    assert run("build", str(EXAMPLES), "-o", str(out), "-q").returncode == 0
    (out / "manifest.sqlite").write_text("not a database")
    res = run("build", str(EXAMPLES), "-o", str(out))
    assert res.returncode == 0 and b"manifest.sqlite: unreadable" in res.stderr and b"parsed again" in res.stderr
    assert json.loads((out / "summary.json").read_text())["letters"] == 2


def test_the_disk_check_speaks_in_units_a_person_reads():
    from kg.stores.store import _size

    assert [_size(n) for n in (3.2e9, 7.4e8, 12_000, 512)] == ["3.2 GB", "740.0 MB", "12.0 KB", "512 bytes"]


# ("load", 0.15): during the imports of the command (0.7.0 printed their traceback). A Ctrl-C in the
# interpreter's own first few tens of milliseconds, before any line of imrkg runs, is Python's to print.
@pytest.mark.parametrize("command, delay", [("build", 1.5), ("load", 0.15), ("load", 0.4)])
def test_ctrl_c_from_the_terminal_is_one_line_and_exit_130(tmp_path, command, delay):
    """A terminal sends Ctrl-C to the whole process group: 0.7.0's workers printed "Exception in
    initializer ... KeyboardInterrupt" and an early Ctrl-C printed an import traceback."""
    import os
    import signal
    import time

    from factories import synth

    if command == "build":
        letters = synth(tmp_path / "letters", 3000)  # more than 1.5 s of work on any machine
        args = ["build", str(letters), "-o", str(tmp_path / "out"), "-j", "2"]
    else:  # a graph file of 200,000 quads: about 2 s of loading (the example build's two letters
        # loaded in under 0.4 s once the CLI started faster, and the Ctrl-C then came after the end)
        big = tmp_path / "big.nq"
        with big.open("w") as fh:
            fh.writelines(f'<urn:x:s{i}> <urn:x:p> "v{i}" <urn:x:g{i % 100}> .\n' for i in range(200_000))
        args = ["load", str(big), "--store", str(tmp_path / "store")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    text = err.decode()
    assert proc.returncode == 130, text
    assert text.count("\n") == 1 and text.startswith("imrkg: interrupted (Ctrl-C)"), text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker is left behind
        os.killpg(proc.pid, 0)


@pytest.mark.parametrize("limit", [20_000, 400_000])
def test_a_full_disk_during_a_build_is_one_line_and_the_previous_build_is_kept(tmp_path, limit):
    """A file size limit stands in for a full disk (writes fail the same way: EFBIG instead of
    ENOSPC, or SQLite's "disk I/O error"). 0.7.0 printed an OSError traceback."""
    import resource
    import signal

    from factories import synth

    letters = synth(tmp_path / "letters", 60)
    out = tmp_path / "out"
    assert run("build", str(letters), "-o", str(out), "-q").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    extra = synth(tmp_path / "more", 60)

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(letters), str(extra), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
    )
    assert res.returncode == 1 and res.stderr.count("\n") == 1, res.stderr
    assert "Traceback" not in res.stderr and "free disk and run it again" in res.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert after == before  # the previous build, whole


def test_help_is_paragraphs_a_terminal_wraps_and_build_names_the_validation_report():
    """0.7.0's help kept the docstrings' line breaks after the first paragraph ("the store is" /
    "read-only, so ..."); `build --help` spoke of "a report"."""
    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--help"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    assert "validation report (validation-report.txt)" in res.stdout
    for command in ("sparql", "build", "load", "query", "parse"):
        res = subprocess.run(
            [sys.executable, "-m", "kg.cli", command, "--help"],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "COLUMNS": "400"},
        )
        intro = res.stdout.split("\nArguments:")[0].split("\nOptions:")[0]
        lines = [line.strip() for line in intro.splitlines() if line.strip() and not line.strip().startswith("Usage")]
        # at 400 columns each paragraph is one line: a break inside a sentence shows as a line not ending in . or :
        assert all(line.endswith((".", ":", ")")) for line in lines), (command, lines)


_HEAVY = ("rdflib", "pydantic", "networkx", "rich", "requests", "matplotlib", "pyshacl", "lxml")
_IMPORTED = """
import contextlib, io, json, sys
heavy = set(json.loads(sys.argv[2]))
sys.argv = ["imrkg", *json.loads(sys.argv[1])]
from kg.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main()
    except SystemExit as stop:
        code = stop.code
print(json.dumps({"code": code, "out": out.getvalue(),
                  "heavy": sorted({m.split(".")[0] for m in sys.modules} & heavy)}))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["query", "--help"],
        ["query", "outcome-by-category", "--store", "{store}"],
        ["query", "outcome-by-category", "--store", "{store}", "-f", "csv"],
        ["query", "outcome-by-category", "--store", "{store}", "-p", "category=injection", "-f", "json"],
    ],
)
def test_a_question_and_help_start_without_the_heavy_libraries(example_build, tmp_path_factory, args):
    """`imrkg query` and `--help` import none of rdflib, pydantic (typer 0.29's coercion), networkx,
    rich, requests, matplotlib: a question answered from a loaded store took 585 ms in 0.7.0, most
    of it imports (docs/scale.md has the wall times); what a command imports is what it costs."""
    store = tmp_path_factory.getbasetemp() / "heavy-imports-store"
    if not store.exists():
        assert run("load", str(example_build), "--store", str(store)).returncode == 0
    argv = [a.format(store=store) for a in args]
    res = subprocess.run(
        [sys.executable, "-c", _IMPORTED, json.dumps(argv), json.dumps(_HEAVY)], capture_output=True, text=True
    )
    seen = json.loads(res.stdout.splitlines()[-1])
    assert seen["code"] in (0, None), res.stderr
    assert seen["out"].strip(), "an answer or a help text"
    assert seen["heavy"] == [], f"{argv} imported {seen['heavy']}"


@pytest.mark.parametrize(
    ("columns", "rows", "width"),
    [
        (["category", "items"], [["Injection", "12"], ["Surgery", "3"]], 80),
        (["title", "n"], [["Lumbar facet injection L3-L4 with a title long enough to wrap twice", "1"]], 30),
        (["name", "x"], [["日本語のテキスト長い長い", "y\nz"]], 20),
        (["a" * 40, "b"], [["c", "d"]], 12),  # a header wider than the room wraps too
    ],
)
def test_a_table_fits_the_width_and_keeps_every_word(columns, rows, width):
    """The box table (kg.outputs.boxes): every line the same width, within ``width`` where the
    columns can give way, and every word of every cell still there, in order."""
    from kg.outputs.boxes import cells, render

    lines = render(columns, rows, width).splitlines()
    assert len({cells(line) for line in lines}) == 1
    assert cells(lines[0]) <= max(width, 3 * len(columns) + 1 + 6 * len(columns))
    body = "".join(line.strip("│┃ ") for line in lines)
    for cell in [*columns, *(c for r in rows for c in r)]:
        at = 0
        for ch in "".join(cell.split()):  # the cell's characters, in order, wherever it wrapped
            at = body.find(ch, at) + 1
            assert at > 0, (cell, ch)
