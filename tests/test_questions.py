"""Stage 12, questions: reading a question file and deriving its queries (kg/graph/questions.py) and
resolving the names its parameters take (kg/graph/concepts.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.graph.concepts import UnknownConcept, concepts, resolve, search
from kg.graph.questions import QuestionError, fast_query, load_questions, partial_query, raw_query, read_question

HEAD = "PREFIX imr: <https://w3id.org/imr-kg/ontology#>\n"


def q(body: str, header: str = "# title: t\n# question: q?\n"):
    return read_question("t", header + HEAD + body)


def test_every_shipped_question_derives_queries_that_parse():
    for question in load_questions().values():
        derived = [] if question.not_summable else [
            partial_query(question), fast_query(question, {}, None), fast_query(question, {}, ["2017-01", "2017-02"])
        ]  # fmt: skip
        for sparql in (
            *derived,
            raw_query(question, {}, {"category": "<https://w3id.org/imr-kg/id/treatment/injection>"}),
        ):
            ox.Store().query(sparql)  # raises SyntaxError if the text is not SPARQL


def test_the_unit_is_what_the_where_binds():
    assert q("SELECT ?c (COUNT(?item) AS ?n) WHERE { ?item imr:treatmentCategory ?c } GROUP BY ?c").unit == "item"
    assert q("SELECT ?p (COUNT(?letter) AS ?n) WHERE { ?letter imr:priority ?p } GROUP BY ?p").unit == "letter"
    sub = "SELECT ?k (COUNT(?letter) AS ?n) WHERE { { SELECT ?letter (COUNT(?item) AS ?k) WHERE { ?letter imr:hasItem ?item } GROUP BY ?letter } } GROUP BY ?k"
    assert q(sub).unit == "letter"  # ?item only inside the sub-query: the question counts letters
    none = q("SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }")
    assert none.unit is None and "neither ?item nor ?letter" in none.not_summable


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("SELECT ?c (SAMPLE(?item) AS ?x) WHERE { ?item imr:treatmentCategory ?c } GROUP BY ?c", "SAMPLE"),
        (
            "SELECT ?c (SUM(DISTINCT ?n) AS ?x) WHERE { ?item imr:itemNumber ?n ; imr:treatmentCategory ?c } GROUP BY ?c",
            "DISTINCT",
        ),
        ("SELECT DISTINCT ?c WHERE { ?item imr:treatmentCategory ?c }", "DISTINCT"),
        ("SELECT ?c WHERE { ?item imr:treatmentCategory ?c }", "no aggregates"),
        ("SELECT (COUNT(?item) AS ?n) WHERE { ?item imr:decision ?d } GROUP BY (STR(?d))", "expression"),
    ],
)
def test_what_cannot_be_summed_is_said(body, why):
    question = q(body)
    assert why in question.not_summable
    with pytest.raises(QuestionError):
        partial_query(question)


def test_a_parameter_must_be_a_group_variable_and_files_must_be_selects():
    with pytest.raises(QuestionError, match="GROUP BY variable"):
        q("SELECT (COUNT(?item) AS ?n) WHERE { ?item imr:treatment ?t }", "# title: t\n# param: t (treatment) = mri\n")
    with pytest.raises(QuestionError, match="SELECT"):
        q("ASK { ?s ?p ?o }")
    with pytest.raises(QuestionError, match="no such folder"):
        load_questions(("/nonexistent-folder",))


def test_averages_become_a_sum_and_a_count():
    question = q(
        "SELECT ?p (AVG(?d) AS ?mean) (COUNT(?letter) AS ?n) WHERE { ?letter imr:priority ?p ; imr:x ?d } GROUP BY ?p"
    )
    assert "SUM(?d) AS ?_a0" in partial_query(question) and "COUNT(?d) AS ?_a1" in partial_query(question)
    assert "(SUM(?_a0) / SUM(?_a1)) AS ?mean" in fast_query(question, {}, None)


def test_comments_and_strings_do_not_fool_the_reader():
    question = q(
        'SELECT ?c (COUNT(?item) AS ?n) WHERE {\n  # a } brace and SUM( in a comment\n  ?item imr:label "}{ COUNT(" ; imr:c ?c }\nGROUP BY ?c'
    )
    assert [a.text for a in question.aggregates] == ["COUNT(?item)"]
    assert question.group_by == ("c",)


def test_concepts_by_label_slug_or_iri_and_the_closest_when_none():
    mri = resolve("treatment", "mri")
    assert resolve("treatment", "MRI") == resolve("treatment", mri.iri) == resolve("treatment", f"<{mri.iri}>") == mri
    assert resolve("drug-class", "opioids").label == "Opioids"
    assert resolve("category", "Evaluation & Management").kind == "category"
    with pytest.raises(UnknownConcept, match="closest: injection"):
        resolve("category", "injections")
    with pytest.raises(UnknownConcept, match="no specialty"):
        resolve("specialty", "'); DROP ALL")
    assert {c.kind for c in concepts()} >= {
        "treatment",
        "category",
        "drug-class",
        "specialty",
        "work",
        "reason",
        "outcome",
    }
    assert any(c.slug == "facet-joint-injection" for c in search("facet joint"))


def test_a_sub_query_counting_across_letters_is_asked_of_the_letter_graphs_with_the_filters_inside():
    """A denominator ("all upheld items of the treatment") cannot be summed from per-letter
    partials; the filters restrict it as they restrict the items (issue 33)."""
    per_letter = q(
        "SELECT ?k (COUNT(?letter) AS ?n) WHERE { { SELECT ?letter (COUNT(?item) AS ?k) WHERE "
        "{ ?letter imr:hasItem ?item } GROUP BY ?letter } } GROUP BY ?k"
    )
    assert per_letter.not_summable is None
    across = q(
        "SELECT ?t (COUNT(DISTINCT ?item) AS ?n) (MAX(?all) AS ?base) WHERE { ?item imr:treatment ?t . "
        "{ SELECT ?t (COUNT(DISTINCT ?item) AS ?all) WHERE { ?item imr:treatment ?t } GROUP BY ?t } } GROUP BY ?t"
    )
    assert across.not_summable == "a sub-query aggregates across letters (GROUP BY t)"
    sparql = raw_query(across, {}, {"outcome": "<https://w3id.org/imr-kg/ontology#Upheld>"})
    assert sparql.count("FILTER EXISTS") == 2  # in the sub-query and in the question
    ox.Store().query(sparql)
