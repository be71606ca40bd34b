"""Canned questions on the embedded store: every question and filter answered the same from the
statistics, from the letter graphs and in plain Python from the records (issue 16)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter

import pytest
from conftest import EXAMPLES, ROOT, needs_shared
from expected import EXPECTED, filtered, normalize

from kg import parse_text
from kg.building.builddir import BuildDir
from kg.graph.concepts import UnknownConcept, resolve
from kg.graph.namespaces import item_iri
from kg.graph.questions import QuestionError, load_questions
from kg.stores.queries import LETTER_GRAPHS, STATISTICS, ask, to_frame
from kg.stores.store import load, open_store

CLI = [sys.executable, "-m", "kg.cli"]
# filters a user gives: none, a year (month boundaries: statistics), days inside months (letter
# graphs), and each concept filter
FILTERS = [
    {},
    {"from": "2017-01-01", "to": "2017-01-31"},
    {"from": "2017-01-15", "to": "2017-02-10"},
    {"from": "2017-02"},
    {"category": "Pharmaceuticals"},
    {"drug-class": "opioids"},
    {"treatment": "injection"},
    {"specialty": "orthopedic-surgery"},
    {"outcome": "Overturned"},
    {"to": "2017-01", "outcome": "upheld"},
]


@pytest.fixture(scope="module")
def shared_store(shared_build, tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("store"))
    load(store, [shared_build])
    return store


# questions with a denominator from a sub-query that counts across letters (all upheld items of a
# treatment): per-letter partials cannot add up to it, so they are asked of the letter graphs
WITH_BASE = {"upheld-facet-guidelines", "upheld-facet-guideline-chapters", "upheld-facet-guideline-pages"}


def test_about_twenty_five_documented_questions():
    qs = load_questions()
    assert len(qs) >= 25
    for q in qs.values():
        assert q.title and q.question, q.name
        # every shipped question is fast, but those whose denominator counts across letters (issue 33)
        if q.name in WITH_BASE:
            assert q.not_summable and q.not_summable.startswith("a sub-query aggregates across letters"), q.name
        else:
            assert q.not_summable is None, (q.name, q.not_summable)


def test_every_canned_query_has_an_independent_check():
    assert set(EXPECTED) == set(load_questions())


@needs_shared
def test_every_question_answers_fast_from_the_statistics(shared_store):
    for name in load_questions():
        for params in ({}, {"from": "2017-01-01", "to": "2017-12-31"}):
            start = time.perf_counter()
            answer = ask(shared_store, name, params)
            assert answer.route == (LETTER_GRAPHS if name in WITH_BASE else STATISTICS), (name, answer.why)
            assert time.perf_counter() - start < 1.0, name


@needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_question_matches_plain_python(shared_store, shared_letters, name):
    q = load_questions()[name]
    nonempty = 0
    for params in FILTERS:
        answer = ask(shared_store, q, params, typed=False)
        own = {k: resolve(k, v).slug for k, v in params.items() if k in {p.name for p in q.params}}
        rest = {k: v for k, v in params.items() if k not in own}
        expected = EXPECTED[name](filtered(shared_letters, rest, q.unit), **own)
        assert normalize(answer.rows) == expected, (name, params)
        nonempty += bool(expected)
    assert nonempty >= 2, f"{name}: the shared corpus should give non-empty answers"


@needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_statistics_answer_as_the_letter_graphs_do(shared_store, name):
    q = load_questions()[name]
    treatments = ("", "mri", "facet-joint-injection", "epidural-steroid-injection", "physical-therapy")
    for params in FILTERS + [{"treatment": t} for t in treatments if t and q.params]:
        fast, raw = ask(shared_store, q, params, typed=False), ask(shared_store, q, params, raw=True, typed=False)
        assert raw.route == LETTER_GRAPHS
        assert fast.columns == raw.columns
        assert normalize(fast.rows) == normalize(raw.rows), (name, params, fast.route)


@needs_shared
def test_route_follows_the_filters(shared_store):
    assert ask(shared_store, "outcome-trend", {"from": "2017-01", "to": "2017-12"}).route == STATISTICS
    mid_month = ask(shared_store, "outcome-trend", {"from": "2017-01-15"})
    assert mid_month.route == LETTER_GRAPHS and "month boundary" in mid_month.why
    by_category = ask(shared_store, "outcome-trend", {"category": "injection"})
    assert by_category.route == LETTER_GRAPHS and "category" in by_category.why


@needs_shared
def test_typed_rows_and_a_frame(shared_store):
    answer = ask(shared_store, "outcome-by-category")
    first = answer.records()[0]
    assert isinstance(first["items"], int) and isinstance(first["overturn_pct"], float)
    pd = pytest.importorskip("pandas")
    frame = to_frame(answer)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == answer.columns


def test_unknown_values_are_errors_naming_the_closest(example_store):
    with pytest.raises(UnknownConcept, match="closest: acupuncture"):
        ask(example_store, "outcome-trend", {"treatment": "acupunture"})
    with pytest.raises(QuestionError, match="takes no parameter"):
        ask(example_store, "outcome-trend", {"colour": "red"})
    with pytest.raises(QuestionError, match="not a date"):
        ask(example_store, "outcome-trend", {"from": "last year"})
    with pytest.raises(QuestionError, match="no question named"):
        ask(example_store, "no-such-question")
    # a label, a slug and an IRI name the same concept
    same = {
        repr(ask(example_store, "cited-sections-for-treatment", {"treatment": v}).rows)
        for v in (
            "MRI",
            "mri",
            "https://w3id.org/imr-kg/id/treatment/mri",
            "<https://w3id.org/imr-kg/id/treatment/mri>",
        )
    }
    assert len(same) == 1


@pytest.fixture
def example_store(example_build, tmp_path):
    store = open_store(tmp_path / "store")
    load(store, [example_build])
    return store


def test_parameter_values_cannot_change_the_query(example_store):
    before = len(example_store)
    for evil in ['x" } ; DROP ALL ; #', "a b c", "<http://x> } DROP ALL {"]:
        for name in ("treatment", "from", "category"):
            with pytest.raises(ValueError):
                ask(example_store, "cited-sections-for-treatment", {name: evil})
    assert len(example_store) == before


def test_statistics_follow_a_changed_letter(tmp_path):
    """Rebuilding after one letter changes gives the statistics a fresh build of the new corpus gives."""
    src = tmp_path / "letters"
    shutil.copytree(EXAMPLES, src)
    build = [*CLI, "build"]
    subprocess.run([*build, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    first = BuildDir(tmp_path / "out").statistics.read_text()
    one, other = sorted(p for p in src.iterdir() if p.suffix == ".txt")[:2]
    one.unlink()
    subprocess.run([*build, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    subprocess.run([*build, str(src), "-o", str(tmp_path / "fresh"), "-q", "--shards", "2"], check=True)
    again = BuildDir(tmp_path / "out").statistics.read_text()
    assert again == BuildDir(tmp_path / "fresh").statistics.read_text()
    assert again != first
    other.write_text(other.read_text().replace("Upheld", "Overturned"))
    subprocess.run([*build, str(src), "-o", str(tmp_path / "out"), "-q", "--shards", "2"], check=True)
    subprocess.run([*build, str(src), "-o", str(tmp_path / "fresh2"), "-q", "--shards", "2"], check=True)
    assert BuildDir(tmp_path / "out").statistics.read_text() == BuildDir(tmp_path / "fresh2").statistics.read_text()


USER_QUESTION = """# title: Items per treatment category and outcome
# question: How many items of each category had each outcome?
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?category ?outcome (COUNT(?item) AS ?items)
WHERE { ?item imr:treatmentCategory/skos:prefLabel ?category ; imr:decision/imr:outcome/skos:prefLabel ?outcome . }
GROUP BY ?category ?outcome
ORDER BY ?category ?outcome
"""


def test_a_users_own_question_is_summed_by_the_build(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "category-outcomes.rq").write_text(USER_QUESTION)
    out, store = tmp_path / "out", tmp_path / "store"
    subprocess.run([*CLI, "build", str(EXAMPLES), "-o", str(out), "-q", "--queries", str(mine)], check=True)
    subprocess.run([*CLI, "load", str(out), "--store", str(store)], check=True, capture_output=True)
    ask_it = [*CLI, "query", "category-outcomes", "--store", str(store), "--queries", str(mine), "-f", "json"]
    res = subprocess.run(ask_it, capture_output=True, text=True)
    assert res.returncode == 0 and "answered from the letter graphs" not in res.stderr, res.stderr
    rows = json.loads(res.stdout)
    raw = subprocess.run([*ask_it, "--raw"], capture_output=True, text=True)
    assert rows and json.loads(raw.stdout) == rows
    # the question changed after the build: answered from the letter graphs, and said so
    (mine / "category-outcomes.rq").write_text(USER_QUESTION.replace("ORDER BY ?category ?outcome", "ORDER BY ?items"))
    res = subprocess.run(ask_it, capture_output=True, text=True)
    assert res.returncode == 0 and "another version of this question" in res.stderr
    assert sorted(map(repr, json.loads(res.stdout))) == sorted(map(repr, rows))


def test_cli_query_concepts_and_help(example_build, tmp_path):
    store = tmp_path / "store"
    subprocess.run([*CLI, "load", str(example_build), "--store", str(store)], check=True, capture_output=True)
    res = subprocess.run(
        [*CLI, "query", "outcome-by-category", "-f", "csv", "--store", str(store)], capture_output=True, text=True
    )
    assert res.returncode == 0 and "Injection" in res.stdout
    raw = subprocess.run(
        [*CLI, "query", "outcome-by-category", "-f", "csv", "--raw", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert raw.returncode == 0 and raw.stdout == res.stdout  # the letter graphs say the same
    rows = json.loads(
        subprocess.run(
            [*CLI, "query", "outcome-trend", "-f", "json", "--store", str(store)], capture_output=True, text=True
        ).stdout
    )
    assert rows and all(isinstance(r["items"], int) and isinstance(r["year"], int) for r in rows)
    target = tmp_path / "answer.csv"
    res = subprocess.run(
        [*CLI, "query", "outcome-trend", "-f", "csv", "-o", str(target), "--store", str(store)], capture_output=True
    )
    assert res.returncode == 0 and res.stdout == b"" and target.read_text().startswith("year,quarter,items")
    helped = subprocess.run([*CLI, "query", "cited-sections-for-treatment", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "treatment" in helped.stdout and "(default mri)" in helped.stdout
    assert "imrkg concepts --kind drug-class" in helped.stdout
    wrong = subprocess.run(
        [*CLI, "query", "outcome-trend", "-p", "category=injections", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 2 and "closest: injection" in wrong.stderr and wrong.stdout == ""
    assert subprocess.run([*CLI, "query", "no-such-query", "--store", str(store)], capture_output=True).returncode == 2
    found = subprocess.run([*CLI, "concepts", "facet", "-f", "csv"], capture_output=True, text=True)
    assert found.returncode == 0 and "facet-joint-injection" in found.stdout
    # a name that names nothing is a usage error
    assert subprocess.run([*CLI, "concepts", "zzzqqq"], capture_output=True).returncode == 2
    listed = subprocess.run([*CLI, "queries"], capture_output=True, text=True).stdout
    assert "outcome-trend" in listed and "from, to" in listed
    res = subprocess.run(
        [*CLI, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "json", "--store", str(store)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and json.loads(res.stdout)[0]["n"] > 100


def test_embedded_queries_stop_at_their_time_limit_and_call_no_server(example_store):
    """--timeout applies to the embedded store (the query runs in a thread the wait can leave),
    and a SERVICE clause is refused rather than sent over the network (issue 13)."""
    from kg.stores.queries import QueryTimeout, run

    start = time.perf_counter()
    with pytest.raises(QueryTimeout, match="--timeout"):
        run(example_store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }", timeout=0.3)  # about 5 s
    assert time.perf_counter() - start < 5
    with pytest.raises(ValueError, match="SERVICE"):
        run(example_store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert run(example_store, 'SELECT ?x WHERE { BIND("SERVICE" AS ?x) }')[1] == [
        ["SERVICE"]
    ]  # a word in a string is fine


def test_a_users_question_that_is_not_sparql_stops_the_build_before_it_starts(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "bad.rq").write_text(
        USER_QUESTION.replace("GROUP BY ?category ?outcome", "GROUP BY ?category ?outcome FILTER((")
    )
    res = subprocess.run(
        [*CLI, "build", str(EXAMPLES), "-o", str(tmp_path / "out"), "-q", "--queries", str(mine)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "bad.rq" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_the_readmes_evidence_query_quotes_each_items_title(example_build):
    """The README's SPARQL that cuts evidence out of a letter's text by its RFC 5147 positions."""
    import re

    from kg.stores.store import in_memory

    sparql = re.search(r"```sparql\n(.*?)```", (ROOT / "docs" / "guide.md").read_text(), re.S).group(1)
    store = in_memory([example_build])
    rows = {(s["item"].value, s["quote"].value) for s in store.query(sparql, use_default_graph_as_union=True)}
    letter = parse_text((EXAMPLES / "synthetic-2016-facet.txt").read_text(), "synthetic-2016-facet.txt")
    assert letter.case_number == "CM16-9000001"
    expected = {
        (str(item_iri(letter, i.number)), letter.text[i.title_span.start : i.title_span.end]) for i in letter.items
    }
    assert rows == expected and len(rows) == len(letter.items)


def test_a_specialty_state_or_drug_outside_the_vocabulary_is_counted_under_its_own_words(tmp_path):
    """The questions group by a concept's label. A specialty, state or drug the vocabulary lacks
    ("Spine Surgery", "Ontario", donepezil) is labelled from the letter's words, so it is counted,
    not dropped unseen; the statistics and the letter graphs agree on it."""
    from factories import item_text, letter_text

    from kg.building.build import build

    letters = tmp_path / "letters"
    letters.mkdir()
    a = letter_text(case="CM16-9000001", specialty="Spine Surgery, Orthopedic Surgery", states="California, Ontario")
    (letters / "a.txt").write_text(a)
    aricept = item_text(title="Aricept 10mg #30")  # a drug the dictionary knows and the vocabulary does not
    (letters / "b.txt").write_text(letter_text(aricept, case="CM16-9000002", specialty="Orthopedic Surgery"))
    build([letters], tmp_path / "out")
    store = open_store(tmp_path / "store")
    load(store, [tmp_path / "out"])
    for raw in (False, True):
        answer = ask(store, load_questions()["specialty-match"], raw=raw)
        assert answer.route == (LETTER_GRAPHS if raw else STATISTICS)
        rows = Counter()
        for r in answer.records():
            rows[r["specialty"]] += r["items"]
        assert rows == Counter({"Spine Surgery": 1, "Orthopedic Surgery": 2}), (raw, rows)
        states = {r["state"]: r["letters"] for r in ask(store, load_questions()["reviewer-states"], raw=raw).records()}
        assert states == {"California": 2, "Ontario": 1}, (raw, states)
        treatments = {r["treatment"] for r in ask(store, load_questions()["outcome-by-treatment"], raw=raw).records()}
        assert "donepezil" in treatments and len(treatments) == 2, (raw, treatments)


@pytest.mark.parametrize(
    "value", ["injection", "facet-joint-injection", "Facet Injection", "subcategory/injection/facet-injection"]
)
def test_a_treatment_means_it_or_any_narrower_one_in_every_question(example_store, value):
    """0.7.0: `upheld-facet-guidelines --param treatment=injection` answered nothing while
    `outcome-by-treatment` answered; and the subcategory `imrkg concepts` offers ("Facet
    Injection") matched nothing although the facet items carry it."""
    own = ask(example_store, "upheld-facet-guidelines", {"treatment": value}).rows
    assert own and {r[0].rsplit("/", 1)[-1] for r in own} == {"facet-joint-injection"}, own
    filtered = ask(example_store, "outcome-by-treatment", {"treatment": value}).rows
    assert filtered and all("facet" in str(r).lower() or "injection" in str(r).lower() for r in filtered), filtered
