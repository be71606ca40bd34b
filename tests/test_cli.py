from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES


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
    from kg.version import __version__

    res = run("--version")
    assert res.returncode == 0 and res.stdout.decode().strip() == f"imrkg {__version__}"
    res = run("export", "--help")
    assert res.returncode == 0 and "treatment-guideline" in res.stdout.decode()  # the views kg.export offers
