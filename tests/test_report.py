"""Stage 13, the report: `imrkg report` as a person sees it, rendered by headless Chromium (issue 19)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, needs_shared
from servers import _missing

from kg.outputs.report import sections_spec

CLI = [sys.executable, "-m", "kg.cli"]
ARTIFACTS = ROOT / ".ci" / "artifacts"  # kept after the run (not in git): the screenshot a person would see


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    _missing("chromium (Debian package chromium)")
    return ""


def _headless(*args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def shared_report(shared_build, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("report")
    store = work / "store"
    subprocess.run([*CLI, "load", str(shared_build), "--store", str(store)], check=True, capture_output=True)
    res = subprocess.run([*CLI, "report", "--store", str(store), "-o", str(work / "report.html")], capture_output=True)
    assert res.returncode == 0, res.stderr
    return work / "report.html"


@needs_shared
def test_the_report_is_one_self_contained_page(shared_report):
    page = shared_report.read_text()
    assert "<script" not in page.lower()  # nothing to run, nothing to fail
    links = re.findall(r"""(?:src|href)=['"]([^'"]+)""", page)
    assert all(link.startswith("#") for link in links), links  # nothing fetched: it opens offline
    for spec in sections_spec():
        assert f"id='{spec['question']}'" in page
        assert f"SPARQL ({spec['question']})" in page  # the query behind it, one click away


@needs_shared
def test_every_chart_draws_in_chromium(shared_report):
    dom = _headless("--dump-dom", shared_report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Uncaught" not in dom.stderr and "CONSOLE" not in dom.stderr  # no script error
    sections = re.findall(r"<section id=\"([^\"]+)\">(.*?)</section>", dom.stdout, re.S)
    assert [name for name, _ in sections] == [s["question"] for s in sections_spec()]
    for name, body in sections:
        svg = re.search(r"<svg.*?</svg>", body, re.S)
        assert svg, f"{name}: no chart"
        marks = re.findall(r"<path", svg.group(0))
        assert len(marks) > 5, f"{name}: the chart drew nothing"
        assert "<table>" in body and "<td" in body, f"{name}: no numbers under the chart"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    res = _headless("--window-size=1100,2600", f"--screenshot={shot}", shared_report.as_uri())
    assert res.returncode == 0 and shot.stat().st_size > 50_000  # a page with charts, not a blank one


def test_report_from_the_examples_and_its_errors(example_build, tmp_path):
    store = tmp_path / "store"
    subprocess.run([*CLI, "load", str(example_build), "--store", str(store)], check=True, capture_output=True)
    out = tmp_path / "r.html"
    res = subprocess.run(
        [*CLI, "report", "--store", str(store), "-o", str(out), "-p", "from=2016-01", "-p", "to=2017-12"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and "<svg" in out.read_text() and "from=2016-01, to=2017-12" in out.read_text()
    bad = subprocess.run(
        [*CLI, "report", "--store", str(store), "-o", str(out), "-p", "category=nope"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "no category named" in bad.stderr
    missing = subprocess.run([*CLI, "report", "--store", str(tmp_path / "none"), "-o", str(out)], capture_output=True)
    assert missing.returncode == 2


def test_each_outcome_has_one_colour_in_every_chart(example_build, monkeypatch):
    """0.7.0 coloured series by their order: upheld was dark in one chart and light in the next."""
    from matplotlib.axes import Axes

    from kg.outputs import report
    from kg.stores.store import in_memory

    drawn: list[tuple[str, str]] = []
    real_barh, real_bar = Axes.barh, Axes.bar

    def barh(self, *args, color=None, label=None, **kw):
        drawn.append((label, color))
        return real_barh(self, *args, color=color, label=label, **kw)

    def bar(self, *args, color=None, label=None, **kw):
        drawn.append((label, color))
        return real_bar(self, *args, color=color, label=label, **kw)

    monkeypatch.setattr(Axes, "barh", barh)
    monkeypatch.setattr(Axes, "bar", bar)
    report.build_report(in_memory([example_build]))
    outcomes = {(label, colour) for label, colour in drawn if label in ("upheld", "overturned")}
    assert outcomes == {
        ("upheld", report.OUTCOME_COLOURS["upheld"]),
        ("overturned", report.OUTCOME_COLOURS["overturned"]),
    }


def test_a_letter_page_marks_every_fact_and_opens_offline_in_chromium(example_build, tmp_path):
    """`imrkg show CASE --html -o FILE` (issue 33): one self-contained page; each fact links to its
    words, marked in the letter's text; no script, nothing fetched."""
    from kg.outputs.show import letter_facts
    from kg.stores.store import in_memory

    store = tmp_path / "store"
    assert (
        subprocess.run([sys.executable, "-m", "kg.cli", "load", str(example_build), "--store", str(store)]).returncode
        == 0
    )
    page = tmp_path / "letter.html"
    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "show", "CM16-9000001", "--store", str(store), "--html", "-o", str(page)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    html = page.read_text()
    assert "<script" not in html.lower()
    links = re.findall(r"""(?:src|href)=['"]([^'"]+)""", html)
    assert links and all(link.startswith("#f") for link in links), links
    facts = letter_facts(in_memory([example_build]), "CM16-9000001")
    spanned = [i for i, f in enumerate(facts.facts) if f.span]
    assert {f"#f{i}" for i in spanned} == set(links)
    for i in spanned:
        assert f"<span id='f{i}'></span>" in html
    reason = next(f for f in facts.facts if f.kind == "reason")
    assert re.search(r"<mark class='[^']*reason[^']*'>" + re.escape(reason.quote.split()[0]), html)
    dom = _headless("--dump-dom", page.as_uri())
    assert dom.returncode == 0 and dom.stdout.count("<mark") >= len(spanned), dom.stderr[-1000:]
