"""Stage 9, validation: the SHACL shapes catch broken graphs and trace each problem to its letter."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, ROOT
from factories import cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg import parse_text
from kg.mapping import letter_graph
from kg.namespaces import IMR, OA
from kg.validate import batch_graph, validate_graph, validate_path


def test_ontology_and_shapes_parse_and_every_term_is_documented():
    onto = Graph().parse(ROOT / "ontology" / "imr.ttl")
    Graph().parse(ROOT / "shapes" / "imr-shapes.ttl")
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(IMR))}
    assert len(terms) > 60
    for t in terms:
        assert onto.value(t, RDFS.label) or onto.value(t, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")), t
        assert onto.value(t, RDFS.comment) is not None, t


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
    "item without a category": (lambda g: _remove(g, I1, IMR.treatmentCategory), "DWC treatment category"),
    "category outside the DWC list": (
        lambda g: _set(g, I1, IMR.treatmentCategory, URIRef("https://w3id.org/imr-kg/id/treatment/mri")),
        "DWC treatment category",
    ),
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


def test_an_item_without_a_concept_is_a_warning_not_a_violation():
    g = _example_graph()
    _remove(g, I1, IMR.treatment)
    (found,) = validate_graph(g)
    assert found.is_warning and "vocabulary lacks a word" in found.message and found.focus == "item/1"


def test_validate_reads_every_graph_format_and_refuses_others(tmp_path, example_build):
    g = _example_graph()
    for fmt, suffix in (("turtle", ".ttl"), ("nt", ".nt")):
        g.serialize(tmp_path / f"g{suffix}", format=fmt, encoding="utf-8")
        assert validate_path(tmp_path / f"g{suffix}") == ([], len(g))
    violations, size = validate_path(example_build)  # a build directory: its N-Quads, streamed
    assert violations == [] and size > len(g)
    (tmp_path / "g.json").write_text("{}")
    with pytest.raises(ValueError, match="unknown RDF format .json"):
        validate_path(tmp_path / "g.json")
    (tmp_path / "bad.ttl").write_text("<a> <b> .")
    with pytest.raises(ValueError, match="cannot parse turtle"):
        validate_path(tmp_path / "bad.ttl")
    with pytest.raises(FileNotFoundError):
        validate_path(tmp_path / "none.nq")


def test_cli_validate_exit_codes(tmp_path, example_build):
    assert cli("validate", str(example_build)).returncode == 0
    broken = _example_graph()
    broken.remove((None, IMR.outcome, None))
    broken.serialize(tmp_path / "broken.ttl", format="turtle")
    res = cli("validate", str(tmp_path / "broken.ttl"))
    assert res.returncode == 1 and "CM16-9000001 item/1/decision: imr:outcome:" in res.stdout
    assert cli("validate", str(tmp_path / "missing.nq")).returncode == 2


def test_a_dump_of_a_loaded_store_still_conforms(example_build, tmp_path):
    import pyoxigraph as ox

    from kg.store import in_memory

    store = in_memory([example_build])  # the store turns xsd:nonNegativeInteger into xsd:integer
    with open(tmp_path / "dump.nq", "wb") as fh:
        store.dump(fh, format=ox.RdfFormat.N_QUADS)
    violations, size = validate_path(tmp_path / "dump.nq")
    assert [v for v in violations if not v.is_warning] == [] and size > 1000


def test_a_negative_or_fractional_offset_is_still_caught():
    g = _example_graph()
    _set(g, URIRef(f"{I1}/position"), OA.start, Literal(-3, datatype=XSD.integer))
    assert any("whole number" in v.message for v in validate_graph(g))
