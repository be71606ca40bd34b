"""Stage 9, validation: the SHACL shapes catch broken graphs and trace each problem to its letter;
kg.graph.shacl (the build's engine) finds exactly what pySHACL (the reference) finds."""

from __future__ import annotations

import os

import pytest
from conftest import EXAMPLES, ROOT, corpus_texts, needs_shared
from factories import cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg import parse_text
from kg.building.validate import validate_graph, validate_path, validate_triples, validate_with_pyshacl
from kg.graph.mapping import letter_graph, letter_triples
from kg.graph.namespaces import IMR, text_position_iri


def test_ontology_and_shapes_parse_and_every_term_is_documented():
    onto = Graph().parse(ROOT / "ontology" / "imr.ttl")
    Graph().parse(ROOT / "shapes" / "imr-shapes.ttl")
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(IMR))}
    assert len(terms) > 60
    for t in terms:
        assert onto.value(t, RDFS.label) or onto.value(t, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")), t
        assert onto.value(t, RDFS.comment) is not None, t


EXAMPLES_N = int(os.environ.get("IMRKG_FUZZ_EXAMPLES", "150"))


def _example_graph() -> Graph:
    letter = parse_text((EXAMPLES / "synthetic-2016-facet.txt").read_text(), "synthetic-2016-facet.txt")
    return letter_graph(letter, "0" * 64)


def test_example_graph_conforms():
    assert validate_graph(_example_graph()) == []
    assert validate_with_pyshacl(_example_graph()) == []


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
        lambda g: _set(g, C1, IMR.citedNoEvidence, Literal(True)),
        "cited no evidence",
    ),
    "claims administrator's citation missing": (
        lambda g: _remove(g, I1, IMR.claimsAdministratorCitation),
        "claims administrator's citation",
    ),
    "citation without its party": (lambda g: g.add((I1, IMR.hasCitation, CA1)), "names its party"),
    "flag stated as false": (lambda g: g.add((I1, IMR.isRetrospective, Literal(False))), "only as true"),
    "citation flag stated as false": (lambda g: g.add((CA1, IMR.outsideMTUS, Literal(False))), "only as true"),
    "reason statement that is not a position": (
        lambda g: (
            g.add((D1, IMR.hasReasonStatement, URIRef(f"{D1}/reason/1"))),
            g.add(
                (URIRef(f"{D1}/reason/1"), IMR.reasonCode, URIRef("https://w3id.org/imr-kg/id/reason/long-term-use"))
            ),
        ),
        "the sentence's position",
    ),
    "reason statement without a reason": (
        lambda g: g.add((D1, IMR.hasReasonStatement, URIRef(text_position_iri("CM16-9000001", 10, 40)))),
        "names a reason",
    ),
    "age out of range": (
        lambda g: _set(g, URIRef(f"{L}/patient"), IMR.age, Literal(430, datatype=XSD.integer)),
        "between 14 and 100",
    ),
    "spinal level not normalised": (lambda g: g.add((I1, IMR.spinalLevel, Literal("L4-5"))), "segment pairs"),
    "position that is not a character range": (
        lambda g: _set(g, I1, IMR.textPosition, URIRef(f"{L}/text#line=3")),
        "RFC 5147",
    ),
    "position given as a number": (
        lambda g: _set(g, I1, IMR.textPosition, Literal(12, datatype=XSD.integer)),
        "RFC 5147",
    ),
    "letter without its text": (lambda g: _remove(g, L, IMR.hasText), "point to its text"),
    "text without its characters": (lambda g: _remove(g, URIRef(f"{L}/text"), RDF.value), "normalized text"),
    "decision date not well formed": (
        lambda g: _set(g, L, IMR.decisionDate, Literal("2016-13-45", datatype=XSD.date)),
        "xsd:date",
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
    assert validate_with_pyshacl(g) == violations  # the reference finds exactly the same


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
    violations, size = validate_path(example_build)  # a build directory: its TriG, a graph at a time
    assert violations == [] and size > len(g)
    (tmp_path / "g.json").write_text("{}")
    with pytest.raises(ValueError, match="unknown RDF format .json"):
        validate_path(tmp_path / "g.json")
    (tmp_path / "bad.ttl").write_text("<a> <b> .")
    with pytest.raises(ValueError, match="cannot parse bad.ttl"):
        validate_path(tmp_path / "bad.ttl")
    with pytest.raises(FileNotFoundError):
        validate_path(tmp_path / "none.trig")


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

    from kg.stores.store import in_memory

    store = in_memory([example_build])
    with open(tmp_path / "dump.nq", "wb") as fh:
        store.dump(fh, format=ox.RdfFormat.N_QUADS)
    violations, size = validate_path(tmp_path / "dump.nq")
    assert [v for v in violations if not v.is_warning] == [] and size > 1000


def test_the_build_validator_reads_the_mappings_own_terms():
    """The worker validates the mapping's TriG terms directly: the same results as the graph."""
    letter = parse_text((EXAMPLES / "synthetic-2016-facet.txt").read_text(), "synthetic-2016-facet.txt")
    assert validate_triples(letter_triples(letter, "0" * 64)) == []
    broken = [t for t in letter_triples(letter, "0" * 64) if t[1] != "imr:outcome"]
    messages = [v.message for v in validate_triples(broken)]
    assert messages == ["A decision must have exactly one outcome, Upheld or Overturned."] * len(letter.items)


def test_positions_are_fragments_of_the_letters_text():
    g = _example_graph()
    text = str(g.value(URIRef(f"{L}/text"), RDF.value))
    position = g.value(I1, IMR.textPosition)
    start, end = map(int, str(position).split("#char=")[1].split(","))
    assert str(position) == text_position_iri("CM16-9000001", start, end)
    assert " ".join(text[start:end].split()) == str(g.value(I1, RDFS.label))


# -- kg.graph.shacl against the reference, on many broken graphs -------------------------------------------
_PATHS = sorted({str(p) for p in Graph().parse(ROOT / "shapes" / "imr-shapes.ttl").objects(None, SH.path)})
_VALUES = [
    Literal("x"),
    Literal(""),
    Literal("2016-02-30", datatype=XSD.date),
    Literal("2016-02-03", datatype=XSD.date),
    Literal("abc", datatype=XSD.integer),
    Literal(-1, datatype=XSD.integer),
    Literal(3, datatype=XSD.integer),
    Literal(200, datatype=XSD.integer),
    Literal(True),
    Literal("2004", datatype=XSD.gYear),
    Literal("male"),
    Literal("L4-L5"),
    Literal("text", lang="en"),
    URIRef("https://w3id.org/imr-kg/id/treatment/mri"),
    URIRef("https://w3id.org/imr-kg/id/guideline/odg"),
    URIRef("https://w3id.org/imr-kg/ontology#Upheld"),
    URIRef(f"{L}/text#char=1,5"),
    URIRef("https://example.org/elsewhere"),
]


@settings(max_examples=EXAMPLES_N, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.data())
def test_kg_shacl_agrees_with_pyshacl_on_broken_graphs(data):
    g = _example_graph()
    triples = sorted(g)
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()):
            g.remove(data.draw(st.sampled_from(triples)))
        else:
            subject = data.draw(st.sampled_from(sorted({s for s, _, _ in triples})))
            g.add((subject, URIRef(data.draw(st.sampled_from(_PATHS))), data.draw(st.sampled_from(_VALUES))))
    assert validate_graph(g) == validate_with_pyshacl(g)


@needs_shared
def test_kg_shacl_agrees_with_pyshacl_on_the_shared_corpus():
    letters = [parse_text(p.read_text(), p.name) for p in corpus_texts()]
    g = Graph()
    for one in letters:
        for triple in letter_graph(one, "0" * 64):
            g.add(triple)
    assert validate_graph(g) == validate_with_pyshacl(g) == []
