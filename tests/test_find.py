"""`imrkg find` (issue 33): the decided items behind a number, through the build's word index
(SQLite FTS5) or, without it, SPARQL over the letter graphs -- the same items either way."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys

import pytest
from conftest import needs_shared
from factories import synth

from kg.building.words import WordIndex
from kg.outputs.find import find, find_in_graphs, fts_query, word_pieces
from kg.stores.queries import run
from kg.stores.store import open_for_reading

CLI = [sys.executable, "-m", "kg.cli"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("words", "pieces", "fts"),
    [
        ("functional improvement", [("functional", False), ("improvement", False)], '"functional" AND "improvement"'),
        ('"no functional improvement"', [("no functional improvement", False)], '"no functional improvement"'),
        ("improv*", [("improv", True)], '"improv" *'),
        ("AND OR NOT", [("NOT", False)], '"NOT"'),  # FTS5 operators are words here; "and", "or": common words
        ('"lack of improvement"', [("lack improvement", False)], '"lack improvement"'),
        ('facet-joint "L4-5"', [("facet joint", False), ("L4 5", False)], '"facet joint" AND "L4 5"'),
        ("--- ::", [], ""),
        ("the of", [], ""),
    ],
)
def test_words_become_a_safe_fts5_query(words, pieces, fts):
    """User words never reach FTS5 as syntax: every piece is quoted, punctuation dropped."""
    assert word_pieces(words) == pieces
    assert fts_query(pieces) == fts


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    """80 synthetic letters built (with the word index) and loaded."""
    work = tmp_path_factory.mktemp("find")
    letters = synth(work / "letters", 80)
    out, store = work / "out", work / "store"
    assert _cli("build", str(letters), "-o", str(out), "-q").returncode == 0
    res = _cli("load", str(out), "--store", str(store), "-q")
    assert res.returncode == 0, res.stderr
    return letters, out, store


def _items(found) -> set[tuple[str, int]]:
    return {(h.case, h.item) for h in found.hits}


def _sparql_items(target, where: str) -> set[tuple[str, int]]:
    _, rows = run(
        target,
        "PREFIX imr: <https://w3id.org/imr-kg/ontology#> SELECT ?case ?n WHERE { ?l imr:hasItem ?item . "
        f'?item imr:itemNumber ?n . BIND(STRAFTER(STR(?l), "/letter/") AS ?case) {where} }}',
    )
    return {(str(c), int(n)) for c, n in rows}


FILTER_CASES = [
    ({"outcome": "Upheld"}, "?item imr:decision/imr:outcome imr:Upheld"),
    ({"category": "Pharmaceuticals"}, "?item imr:treatmentCategory <https://w3id.org/imr-kg/id/treatment/pharmaceuticals>"),
    ({"reason": "no-functional-improvement"}, "?item imr:decision/imr:hasReasonStatement/imr:reasonCode <https://w3id.org/imr-kg/id/reason/no-functional-improvement>"),
    ({"work": "odg"}, "?item imr:reviewerCitation/imr:hasSource/imr:work <https://w3id.org/imr-kg/id/guideline/odg>"),
    ({"section": "Physical"}, '?item imr:reviewerCitation/imr:hasSource/imr:section ?s FILTER(CONTAINS(LCASE(?s), "physical"))'),
    ({"from": "2016-01-01", "to": "2016-12-31"}, "?l imr:decisionDate ?d FILTER(?d >= \"2016-01-01\"^^<http://www.w3.org/2001/XMLSchema#date> && ?d <= \"2016-12-31\"^^<http://www.w3.org/2001/XMLSchema#date>)"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "where"), FILTER_CASES, ids=[",".join(p) for p, _ in FILTER_CASES])
def test_each_filter_finds_exactly_the_items_sparql_finds_on_both_routes(synth_store, params, where):
    """The index and the SPARQL route give the items a hand-written SPARQL pattern gives."""
    _, out, store = synth_store
    target = open_for_reading(store)
    wanted = _sparql_items(target, where)
    assert wanted, f"the synthetic letters have no item for {params}: the case tests nothing"
    by_index = find("", params, target=target, index=store, limit=10_000)
    assert _items(by_index) == wanted
    assert by_index.total == len(wanted) and by_index.route == "word index"
    by_graphs = find_in_graphs(target, "", params, limit=10_000)
    assert _items(by_graphs) == wanted and by_graphs.route == "letter graphs"


def test_treatment_means_the_concept_and_every_narrower_one(synth_store):
    _, _, store = synth_store
    target = open_for_reading(store)
    broader = "<http://www.w3.org/2004/02/skos/core#broader>"
    pharma = "<https://w3id.org/imr-kg/id/treatment/pharmaceuticals>"
    wanted = _sparql_items(
        target, f"{{ ?item imr:treatment/{broader}* {pharma} }} UNION {{ ?item imr:treatmentCategory {pharma} }}"
    )
    found = find("", {"treatment": "pharmaceuticals"}, target=target, index=store, limit=10_000)
    assert wanted and _items(found) == wanted


def test_words_find_items_whose_sentence_holds_them_stemmed_with_its_position(synth_store):
    _, _, store = synth_store
    target = open_for_reading(store)
    found = find("functional improvement", {"outcome": "Upheld"}, target=target, index=store, limit=10_000)
    assert found.hits
    texts = {}
    for h in found.hits:
        assert h.outcome == "Upheld"
        low = h.sentence.lower()
        assert "function" in low and "improv" in low, h.sentence
        key, span = h.position.rsplit("/text#char=", 1)
        start, end = map(int, span.split(","))
        if h.case not in texts:
            _, rows = run(
                target, f"SELECT ?t WHERE {{ <{key}/text> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?t }}"
            )
            texts[h.case] = rows[0][0]
        assert " ".join(texts[h.case][start:end].split()) == h.sentence
    # stemming: a word finds its other forms, which CONTAINS does not
    stemmed = find("improved", {}, target=target, index=store, limit=10_000)
    assert any("improvement" in h.sentence.lower() and "improved" not in h.sentence.lower() for h in stemmed.hits)
    # the SPARQL route finds the words as written in one sentence (here as the first hit writes
    # them): every such item the index finds too
    first = found.hits[0].sentence.lower()
    words = " ".join(re.search(rf"\b{stem}\w*", first).group(0) for stem in ("function", "improv"))  # type: ignore[union-attr]
    plain = find_in_graphs(target, words, {"outcome": "Upheld"}, limit=10_000)
    assert _items(plain) and _items(plain) <= _items(found)
    assert all(all(w in h.sentence.lower() for w in words.split()) for h in plain.hits)


def test_a_phrase_is_a_phrase(synth_store):
    _, _, store = synth_store
    target = open_for_reading(store)
    phrase = find('"functional improvement"', {}, target=target, index=store, limit=10_000)
    loose = find("improvement functional", {}, target=target, index=store, limit=10_000)
    assert _items(phrase) <= _items(loose)
    assert all(re.search(r"functional\W+improvement", h.sentence, re.I) for h in phrase.hits)


def test_limit_and_order(synth_store):
    _, _, store = synth_store
    target = open_for_reading(store)
    first = find("", {}, target=target, index=store, limit=5)
    assert len(first.hits) == 5 and first.total and first.total > 5
    dates = [h.date or "" for h in find("", {}, target=target, index=store, limit=10_000).hits]
    undated = [d for d in dates if not d]
    assert [d for d in dates if d] == sorted((d for d in dates if d), reverse=True) and dates[
        len(dates) - len(undated) :
    ] == undated
    cases = [(h.case, h.item) for h in find("", {}, target=target, index=store, limit=10_000, order="case").hits]
    assert cases == sorted(cases)


def test_the_index_follows_an_edited_a_removed_and_an_added_letter(synth_store, tmp_path):
    """Incremental: after edits the index answers as a fresh build's does."""
    letters, _, _ = synth_store
    work = tmp_path / "letters"
    shutil.copytree(letters, work)
    out = tmp_path / "out"
    assert _cli("build", str(work), "-o", str(out), "-q").returncode == 0
    files = sorted(work.rglob("*.txt"))
    files[0].unlink()
    edited = files[1].read_text().replace("functional improvement", "zebra improvement", 1)
    files[1].write_text(edited.replace("Upheld", "Upheld", 1) + "\n")
    shutil.copy(files[2], work / "copy-of-a-letter-with-another-name.txt")
    res = _cli("build", str(work), "-o", str(out), "-q")
    assert res.returncode in (0, 1), res.stderr  # the copy is a duplicate, not a failure
    fresh = tmp_path / "fresh"
    _cli("build", str(work), "-o", str(fresh), "-q")
    for words in ("zebra", "functional improvement", "opioid", ""):
        a = find(words, {}, index=out, limit=10_000)
        b = find(words, {}, index=fresh, limit=10_000)
        assert _items(a) == _items(b) and a.total == b.total, words
    assert (
        WordIndex.open_read_only(out / "words.sqlite").letters()
        == WordIndex.open_read_only(fresh / "words.sqlite").letters()
    )
    orphans = sqlite3.connect(out / "words.sqlite").execute("SELECT value FROM meta WHERE key = 'orphans'").fetchone()
    assert orphans is not None and int(orphans[0]) >= 2  # the removed and the edited letter's old words


def test_a_missing_index_is_made_again_and_said(synth_store, tmp_path):
    letters, _, _ = synth_store
    out = tmp_path / "out"
    assert _cli("build", str(letters), "-o", str(out), "-q").returncode == 0
    (out / "words.sqlite").unlink()
    res = _cli("build", str(letters), "-o", str(out))
    assert res.returncode == 0 and "parsed again" in (out / "summary.json").read_text()
    assert WordIndex.open_read_only(out / "words.sqlite").letters() == 80


def test_find_on_the_command_line(synth_store, tmp_path):
    _, out, store = synth_store
    res = _cli(
        "find", "functional improvement", "-p", "outcome=Upheld", "--store", str(store), "-f", "jsonl", "-n", "3"
    )
    assert res.returncode == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line]
    assert len(rows) == 3 and '"item_iri"' in rows[0] and '"position"' in rows[0]
    assert "items match; the first 3 are listed" in res.stderr
    csv = _cli("find", "-p", "reason=no-functional-improvement", "--store", str(store), "-f", "csv")
    assert csv.returncode == 0 and csv.stdout.startswith("case,date,item,title,category,drug_class,outcome,reasons")
    # mistakes are errors that say what to do
    bad = _cli("find", "-p", "reason=no-funtional-improvement", "--store", str(store))
    assert bad.returncode == 2 and "closest: no-functional-improvement" in bad.stderr
    bad = _cli("find", "-p", "colour=red", "--store", str(store))
    assert bad.returncode == 2 and "takes no parameter colour" in bad.stderr
    bad = _cli("find", "::", "--store", str(store))
    assert bad.returncode == 2 and "no word to search for" in bad.stderr
    bad = _cli("find", "x", "--store", str(store), "--order", "size")
    assert bad.returncode == 2 and "no order 'size'" in bad.stderr
    bad = _cli("find", "x", "--store", str(store), "--html")
    assert bad.returncode == 2 and "-o FILE" in bad.stderr
    none = _cli("find", "zzyzx", "--store", str(store))
    assert none.returncode == 0 and not none.stdout and "no decided item matches" in none.stderr
    # a build folder: the index is there, the letters' text is not (said)
    built = _cli("find", "functional improvement", "--store", str(out), "-f", "json", "-n", "1")
    assert built.returncode == 0 and "sentences need the letters' text" in built.stderr


def test_find_html_lists_the_items_and_links_each_to_its_letter_page(synth_store, tmp_path):
    _, _, store = synth_store
    page = tmp_path / "found.html"
    res = _cli("find", "functional improvement", "--store", str(store), "-n", "4", "--html", "-o", str(page))
    assert res.returncode == 0, res.stderr
    html = page.read_text()
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    links = re.findall(r"href='([^']+)'", html)
    assert len(links) == 4
    for link in links:
        target = page.parent / link.split("#")[0]
        assert target.is_file() and "<mark" in target.read_text()


@needs_shared
def test_on_the_shared_letters_reason_filter_equals_sparql_for_every_code(shared_build, tmp_path):
    """`find --param reason=CODE` returns exactly the decisions that carry the code."""
    store = tmp_path / "store"
    assert _cli("load", str(shared_build), "--store", str(store), "-q").returncode == 0
    target = open_for_reading(store)
    codes = [
        str(c)
        for (c,) in run(target, "SELECT DISTINCT ?c WHERE { ?s <https://w3id.org/imr-kg/ontology#reasonCode> ?c }")[1]
    ]
    assert len(codes) >= 10
    for code in codes:
        wanted = _sparql_items(target, f"?item imr:decision/imr:hasReasonStatement/imr:reasonCode <{code}>")
        found = find("", {"reason": code.rsplit("/", 1)[-1]}, target=target, index=store, limit=100_000)
        assert _items(found) == wanted, code
        assert all(h.sentence and h.position for h in found.hits), code
    upheld = find("functional improvement", {"outcome": "Upheld"}, target=target, index=store, limit=100_000)
    assert upheld.hits and all(h.outcome == "Upheld" for h in upheld.hits)
    assert all("function" in h.sentence.lower() and "improv" in h.sentence.lower() for h in upheld.hits)


def test_the_index_keeps_no_text(synth_store):
    _, out, _ = synth_store
    conn = sqlite3.connect(out / "words.sqlite")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "words" in tables and "words_content" not in tables  # contentless: the graph holds the text


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_served_page_offers_every_canned_question_ready_to_run_in_chromium(synth_store):
    """`imrkg serve` writes a page of the canned questions; each link opens the server's query
    editor with the question's SPARQL, which runs there (headless Chromium)."""
    from test_report import _headless

    from kg.graph.questions import load_questions

    _, _, store = synth_store
    port = _free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--store", str(store), "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        line = ""
        while "serving" not in line:
            line = server.stderr.readline()
            assert line or server.poll() is None, "imrkg serve ended before serving"
        page = store / "imrkg-questions.html"
        assert page.as_uri() in line
        html = page.read_text()
        assert "<script" not in html.lower()
        links = re.findall(r"<a href='(http://127\.0\.0\.1:\d+/#query=[^']+)'", html)
        assert len(links) == len(load_questions())
        link = links[[*load_questions()].index("outcome-by-category")].replace("&amp;", "&")
        dom = _headless("--virtual-time-budget=8000", "--dump-dom", link)
        assert dom.returncode == 0, dom.stderr[-800:]
        # the editor ran it: the answer's columns head the results table
        assert "overturn_pct" in dom.stdout and "Activate to sort" in dom.stdout, dom.stdout[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=20)
