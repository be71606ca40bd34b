"""Ontology, vocabularies, mapping, SHACL shapes and `imrkg build` (issue 3)."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import CORPUS, EXAMPLES, ROOT, corpus_texts, needs_shared
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg import parse_text
from kg.mapping import letter_graph
from kg.namespaces import IMR, OA
from kg.treatments import classify
from kg.validate import batch_graph, validate_graph
from kg.vocab_rdf import vocabulary_turtle


def test_ontology_and_shapes_parse_and_every_term_is_documented():
    onto = Graph().parse(ROOT / "ontology" / "imr.ttl")
    Graph().parse(ROOT / "shapes" / "imr-shapes.ttl")
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(IMR))}
    assert len(terms) > 60
    for t in terms:
        assert onto.value(t, RDFS.label) or onto.value(t, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")), t
        assert onto.value(t, RDFS.comment) is not None, t


def test_vocabulary_file_is_generated_from_data():
    committed = (ROOT / "ontology" / "vocabulary.ttl").read_text()
    assert committed == vocabulary_turtle(), "run: python -m kg.vocab_rdf > ontology/vocabulary.ttl"


def _example_graph() -> Graph:
    letter = parse_text((EXAMPLES / "synthetic-2016-facet.txt").read_text(), "synthetic-2016-facet.txt")
    return letter_graph(letter, "0" * 64)


def test_example_graph_conforms():
    assert validate_graph(_example_graph()) == []


L = URIRef("https://w3id.org/imr-kg/id/letter/CM16-9000001")
I1 = URIRef(f"{L}/item/1")
D1 = URIRef(f"{I1}/decision")
C1 = URIRef(f"{I1}/citation/imr")
S1 = URIRef(f"{C1}/source/1")
CA1 = URIRef(f"{I1}/citation/claims-administrator")


def _remove(g, s, p):
    for o in list(g.objects(s, p)):
        g.remove((s, p, o))


def _set(g, s, p, o):
    _remove(g, s, p)
    g.add((s, p, o))


BREAKAGES = {
    "missing outcome": (lambda g: _remove(g, D1, IMR.outcome), "exactly one outcome"),
    "outcome outside Upheld/Overturned": (lambda g: _set(g, D1, IMR.outcome, IMR.Maybe), "Upheld or Overturned"),
    "citation without a work": (lambda g: _remove(g, S1, IMR.work), "known guideline work"),
    "unknown work": (
        lambda g: _set(g, S1, IMR.work, URIRef("https://w3id.org/imr-kg/id/guideline/wikipedia")),
        "known guideline work",
    ),
    "page not an integer": (
        lambda g: g.add((S1, IMR.page, Literal("three hundred"))),
        "Pages must be positive integers",
    ),
    "item without a treatment": (lambda g: _remove(g, I1, IMR.treatment), "treatment concept"),
    "item without a title": (lambda g: _remove(g, I1, RDFS.label), "non-empty title"),
    "letter without items": (lambda g: _remove(g, L, IMR.hasItem), "at least one disputed item"),
    "bad case number": (lambda g: _set(g, L, IMR.caseNumber, Literal("12345")), "CM16-0231745"),
    "date not a date": (lambda g: _set(g, L, IMR.decisionDate, Literal("yesterday")), "xsd:date"),
    "no-evidence citation with sources": (
        lambda g: _set(g, C1, IMR.citedEvidence, Literal(False)),
        "cited no evidence",
    ),
    "citing party missing": (lambda g: _remove(g, CA1, IMR.citedBy), "who cited"),
    "age out of range": (
        lambda g: _set(g, URIRef(f"{L}/patient"), IMR.age, Literal(430, datatype=XSD.integer)),
        "between 14 and 100",
    ),
    "spinal level not normalised": (lambda g: g.add((I1, IMR.spinalLevel, Literal("L4-5"))), "segment pairs"),
    "span ends before it starts": (
        lambda g: _set(g, URIRef(f"{I1}/position"), OA.end, Literal(0, datatype=XSD.nonNegativeInteger)),
        "end after it starts",
    ),
    "two reviewers": (
        lambda g: (
            g.add((L, IMR.reviewer, URIRef(f"{L}/reviewer2"))),
            g.add((URIRef(f"{L}/reviewer2"), RDF.type, IMR.ExpertReviewer)),
        ),
        "exactly one expert reviewer",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_graph_is_caught(name):
    g = _example_graph()
    breakage, expected = BREAKAGES[name]
    breakage(g)
    violations = validate_graph(g)
    assert violations, name
    assert any(expected in v.message for v in violations), [v.message for v in violations]
    assert all(v.letter == "CM16-9000001" for v in violations)  # traced back to the letter
    # the light store the build validates its batches in finds exactly the same
    batch = batch_graph()
    batch.addN((s, p, o, batch) for s, p, o in g)
    assert validate_graph(batch) == violations


def test_build_examples(tmp_path):
    out = tmp_path / "out"
    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(EXAMPLES), "-o", str(out), "--turtle"], capture_output=True
    )
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["letters"] == 2 and summary["violations"] == 0
    ttl = Graph().parse(out / "graph.ttl", format="turtle")  # rdflib loads the Turtle
    assert (None, RDF.type, IMR.DisputedItem) in ttl
    store = ox.Store()  # pyoxigraph loads the N-Quads, one named graph per letter + vocabulary
    store.bulk_load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = {str(g.value) for g in store.named_graphs()}
    assert len(graphs) == 4 and any(g.endswith("/letter/CM16-9000001/graph") for g in graphs)
    res = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(out)], capture_output=True)
    assert res.returncode == 0


def test_build_is_byte_identical(tmp_path):
    for name in ("a", "b"):
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "build", str(EXAMPLES), "-o", str(tmp_path / name), "-q"],
            check=True,
            capture_output=True,
        )
    assert (tmp_path / "a" / "graph.nq").read_bytes() == (tmp_path / "b" / "graph.nq").read_bytes()


@needs_shared
def test_shared_corpus_builds_and_conforms(tmp_path):
    out = tmp_path / "out"
    res = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(CORPUS / "found"), str(CORPUS / "seeds"), "-o", str(out), "-q"],
        capture_output=True,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["letters"] == 135 and summary["violations"] == 0 and not summary["failures"]


@needs_shared
def test_treatment_coverage():
    items = [i for p in corpus_texts() for i in parse_text(p.read_text(), p.name).items]
    matches = [classify(i) for i in items]
    assert all(m is not None for m in matches)  # 100% get at least a category
    specific = sum(1 for m in matches if m and m.specific and m.concept != m.category)
    assert specific / len(items) >= 0.95
