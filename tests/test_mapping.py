"""Stage 8, mapping: a letter record as RDF under the ontology, IRIs from kg.graph.namespaces."""

from __future__ import annotations

import pyoxigraph as ox
from conftest import ROOT, corpus_texts, needs_shared
from factories import item, letter, letter_text
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg import parse_text
from kg.graph.mapping import letter_graph, letter_trig, letter_triples
from kg.graph.namespaces import IMR, OA, compact, expand, graph_iri, item_iri, letter_iri, split_letter_iri
from kg.graph.terms import read_iri, read_term, trig_header
from kg.graph.vocab_rdf import vocabulary_chapters, vocabulary_turtle

L = URIRef("https://w3id.org/imr-kg/id/letter/CM16-9000042")


def test_iris_come_from_the_case_number_and_nest_below_the_letter():
    one = letter()
    assert letter_iri(one) == L and graph_iri(one) == URIRef(f"{L}/graph") and item_iri(one, 1) == URIRef(f"{L}/item/1")
    g = letter_graph(one, "a" * 64)
    assert (L, RDF.type, IMR.DeterminationLetter) in g
    assert (item_iri(one, 1), RDFS.label, Literal("Lumbar facet joint injection L4-5")) in g
    (position,) = g.objects(item_iri(one, 1), IMR.textPosition)  # an RFC 5147 fragment of the text
    assert str(position).startswith(f"{L}/text#char=100,")
    assert (L, IMR.hasText, URIRef(f"{L}/text")) in g
    assert split_letter_iri(f"{L}/item/1/decision") == ("CM16-9000042", "item/1/decision")
    nameless = letter(case_number=None, sha256="ab" * 32)
    assert str(letter_iri(nameless)).endswith("/letter/sha256-" + "ab" * 10)


def test_compact_and_expand_are_inverse():
    for iri in (str(L), str(IMR.Upheld), str(OA.start), str(RDF.type)):
        assert expand(compact(iri)) == iri and compact(iri) != iri
    assert compact("urn:sha256:00") == "urn:sha256:00" == expand("urn:sha256:00")
    assert expand("https://example.org/x") == "https://example.org/x"


def test_triples_are_a_fixed_set_and_trig_reads_back_as_the_same_graph():
    one = letter(item(1, title='A "quoted" title\\ with\nbreaks\r and \u00e9'))
    triples = letter_triples(one, "a" * 64)
    assert triples == letter_triples(one, "a" * 64) and len(set(triples)) == len(triples)
    text, count = letter_trig(one, "a" * 64)
    assert count == len(triples)
    parsed = list(ox.parse((trig_header() + text).encode(), format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in parsed} == {str(graph_iri(one))}
    read = {(_term(q.subject), q.predicate.value, _term(q.object)) for q in parsed}
    assert read == {(read_term(s), read_iri(p), read_term(o)) for s, p, o in triples}
    assert ("lit", 'A "quoted" title\\ with\nbreaks\r and \u00e9', str(XSD.string), None) in {t[2] for t in read}


def _term(t) -> tuple:
    if isinstance(t, ox.NamedNode):
        return ("iri", t.value)
    return ("lit", t.value, t.datatype.value, t.language)


def test_nodes_below_the_letter_are_untyped_and_sources_lean_on_the_vocabulary():
    parsed = parse_text(letter_text(), "f.txt")
    g = letter_graph(parsed, "a" * 64)
    assert set(g.subjects(RDF.type, None)) == {letter_iri(parsed)}
    sources = set(g.objects(None, IMR.hasSource))
    assert sources and not set(g.triples((None, IMR.isMTUS, None)))
    for s in sources:  # a chapter the vocabulary labels has no name on the source
        chapter = g.value(s, IMR.chapter)
        assert chapter is None or str(chapter) not in vocabulary_chapters() or g.value(s, IMR.chapterName) is None


def test_vocabulary_file_is_generated_from_data():
    committed = (ROOT / "ontology" / "vocabulary.ttl").read_text()
    assert committed == vocabulary_turtle(), "run: python -m kg.graph.vocab_rdf > ontology/vocabulary.ttl"


@needs_shared
def test_every_shared_item_has_a_category_and_most_a_concept():
    items = [i for p in corpus_texts() for i in parse_text(p.read_text(), p.name).items]
    assert all(i.treatment and i.treatment.category for i in items)
    specific = sum(1 for i in items if i.treatment.concept)
    assert specific / len(items) >= 0.95


def test_classification_is_in_the_graph_with_its_evidence():
    one = letter()
    g = letter_graph(one, "a" * 64)
    it = item_iri(one, 1)
    t = one.items[0].treatment
    assert t is None  # factories build items without classifying them

    from kg import parse_text as parse

    parsed = parse(letter_text(), "f.txt")
    g = letter_graph(parsed, "a" * 64)
    it = item_iri(parsed, 1)
    assert (it, IMR.treatmentCategory, URIRef("https://w3id.org/imr-kg/id/treatment/injection")) in g
    assert (
        it,
        IMR.treatmentSubcategory,
        URIRef("https://w3id.org/imr-kg/id/treatment/subcategory/injection/facet-injection"),
    ) in g
    assert (it, IMR.treatment, URIRef("https://w3id.org/imr-kg/id/treatment/facet-joint-injection")) in g
    assert (it, IMR.classificationEvidence, Literal("facet")) in g


def test_a_graph_without_triples_is_written_as_nothing():
    """RDF has no empty named graph, and Virtuoso's TriG loader refuses `<g> { }` (a question with
    no rows in a month wrote one into statistics.trig)."""
    from kg.graph.terms import trig_graph

    assert trig_graph(str(graph_iri("CM16-9000042")), []) == ""
    assert trig_graph(str(graph_iri("CM16-9000042")), [("<CM16-9000042>", "a", "imr:DeterminationLetter")]).startswith(
        "<CM16-9000042/graph> {"
    )
