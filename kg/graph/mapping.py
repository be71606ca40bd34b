"""Letter record -> RDF: one named graph per letter, under the ontology in ``ontology/imr.ttl``.

IRIs come from the scheme in :mod:`kg.graph.iris` (the case number, or a hash of the normalized
text when a letter has none), so they are the same on every run and machine. Provenance (source
file name and sha256, parser version) is in the letter's graph; the generation time is not, so
the output is reproducible.

The graph states each fact once. Where the text says something is an RFC 5147 fragment of the
letter's text resource (``<CM16-0000001/text#char=120,164>``), not a selector node, and a reason
statement is that fragment itself; nodes carry no ``rdf:type`` that the property pointing at them
implies (``rdfs:range`` in the ontology; only the letter, where queries start, is typed); a source
names its work and chapter, whose labels and MTUS status the vocabulary graph holds (a chapter the
vocabulary lacks keeps its name on the source), and its words stay at its position in the text; a
citation's party is the property pointing at it; a flag is stated only where it holds (``true``).
109.3 triples and 16.8 KB of TriG a letter on 10,000 synthetic letters (0.5.4: 149 and 18.9 KB;
0.4.0: 243 quads and 67 KB of N-Quads); 109.2 on the shared corpus.

Terms are written as TriG text here (:mod:`kg.graph.terms`), not made as rdflib or pyoxigraph objects:
the letter's graph is text in the build output anyway, and a term object costs a microsecond
or more to make, for some 150 terms a letter.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Dataset, Graph, URIRef

from kg.base.vocab import is_known_state, specialty_label
from kg.graph.iris import (
    chapter_iri,
    edition_iri,
    graph_iri,
    item_iri,
    letter_iri,
    letter_key,
    parser_iri,
    reason_iri,
    source_file_iri,
    specialty_iri,
    state_iri,
    text_iri,
    text_position_iri,
    treatment_iri,
    work_iri,
)
from kg.graph.terms import BOOLEAN, integer, literal_term, ref, string, trig_graph, trig_header, typed
from kg.graph.vocab_rdf import vocabulary_chapters, vocabulary_editions
from kg.reading.models import Citation, Item, Letter, Span, Treatment
from kg.reading.treatments import category_concept, concepts, drug_class_concept, drug_concept, subcategory_concept

Triple = tuple[str, str, str]  # terms as TriG text
_OUTCOME = {"Upheld": "imr:Upheld", "Overturned": "imr:Overturned", "Partially Overturned": "imr:PartiallyOverturned"}
_PARSER = ref(str(parser_iri()))
_TRUE = BOOLEAN[True]  # a flag is stated only where it holds (the ontology's rule): never "false"


@lru_cache(maxsize=16384)
def _shared(iri: str) -> str:
    """A shared concept's IRI as TriG (treatments, works, chapters, states repeat across letters)."""
    return ref(iri)


def _label_outside_scheme(add, concept: str, name: str) -> None:
    """A specialty, state or drug the vocabulary lacks gets its label from the letter's words, in
    the letter's graph: questions that group by label then count it instead of dropping it unseen."""
    add(concept, "skos:prefLabel", literal_term(name, language="en"))


def letter_trig(letter: Letter, source_sha256: str | None = None) -> tuple[str, int]:
    """The letter's named graph as a TriG block (for a file that starts with
    :func:`kg.graph.terms.trig_header`) and its number of triples."""
    triples = letter_triples(letter, source_sha256)
    return trig_graph(str(graph_iri(letter)), triples), len(triples)


def letter_graph(letter: Letter, source_sha256: str | None = None) -> Graph:
    """All triples of one letter as an rdflib Graph (for Python users and the tests)."""
    ds = Dataset()
    ds.parse(data=trig_header() + letter_trig(letter, source_sha256)[0], format="trig")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, URIRef(graph_iri(letter)))):  # type: ignore[arg-type]
        g.add((s, p, o))
    return g


def letter_triples(letter: Letter, source_sha256: str | None = None) -> list[Triple]:
    """All triples of one letter as TriG terms, without duplicates, in a fixed order."""
    g: dict[Triple, None] = {}

    def add(s: str, p: str, o: str) -> None:
        g[(s, p, o)] = None

    iri = str(letter_iri(letter))
    L = ref(iri)
    add(L, "a", "imr:DeterminationLetter")
    if letter.case_number:
        add(L, "imr:caseNumber", string(letter.case_number))
    if letter.priority:
        add(L, "imr:priority", string(letter.priority))
    add(L, "imr:layout", string(letter.layout))
    for prop, value in (
        ("imr:dateAssigned", letter.dates.assigned),
        ("imr:decisionDate", letter.dates.decision),
        ("imr:urDenialDate", letter.dates.ur_denial),
        ("imr:applicationReceivedDate", letter.dates.application_received),
    ):
        if value:
            add(L, prop, typed(value, "xsd:date"))
    if letter.case_summary:
        add(L, "imr:caseSummary", string(letter.case_summary))
    # the text every position IRI of this graph is a fragment of, so SPARQL can quote the evidence
    T = ref(str(text_iri(letter)))
    add(L, "imr:hasText", T)
    add(T, "rdf:value", string(letter.text))
    add(L, "imr:letterOutcome", _OUTCOME[letter.outcome])
    # provenance: the source file and the parser; no timestamps in the data
    if source_sha256:
        src = ref(str(source_file_iri(source_sha256)))
        add(L, "prov:wasDerivedFrom", src)  # urn:sha256:HASH, the file's hash
        add(src, "dcterms:title", string(letter.file))
    add(L, "prov:wasAttributedTo", _PARSER)  # this parser version (the vocabulary describes it)

    P = ref(f"{iri}/patient")
    add(L, "imr:patient", P)
    if letter.patient.age is not None:
        add(P, "imr:age", integer(letter.patient.age))
    if letter.patient.sex:
        add(P, "imr:sex", string(letter.patient.sex))
    if letter.dates.injury:
        add(P, "imr:injuryDate", typed(letter.dates.injury, "xsd:date"))

    R = ref(f"{iri}/reviewer")
    add(L, "imr:reviewer", R)
    for prop, names in (
        ("imr:specialty", letter.reviewer.specialties),
        ("imr:subspecialty", letter.reviewer.subspecialties),
    ):
        for name in names:
            concept = _shared(str(specialty_iri(name)))
            add(R, prop, concept)
            label = specialty_label(name)
            if label is None:
                _label_outside_scheme(add, concept, name)
            elif label != name:  # as written, where the vocabulary's label differs; on the reviewer
                add(R, "imr:specialtyName", string(name))
    for name in letter.reviewer.licensed_states:
        concept = _shared(str(state_iri(name)))
        add(R, "imr:licensedIn", concept)
        if not is_known_state(name):
            _label_outside_scheme(add, concept, name)

    position = _Positions(letter_key(letter))
    for item in letter.items:
        _item(add, position, L, str(item_iri(letter, item.number)), item)
    return list(g)


class _Positions:
    """Text positions of one letter as TriG IRIs (:func:`kg.graph.iris.text_position_iri`)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, span: Span) -> str:
        return ref(text_position_iri(self.key, span.start, span.end))


def _item(add, position: _Positions, L: str, iri: str, item: Item) -> None:
    IT = ref(iri)
    add(L, "imr:hasItem", IT)
    add(IT, "imr:itemNumber", integer(item.number))
    add(IT, "rdfs:label", string(item.title))
    if item.title_span is not None:
        add(IT, "imr:textPosition", position(item.title_span))
    if item.treatment is not None:
        _treatment(add, IT, item.treatment)
    D = ref(f"{iri}/decision")
    add(IT, "imr:decision", D)
    add(D, "imr:outcome", _OUTCOME[item.outcome])
    if item.rationale:
        add(D, "imr:rationale", string(item.rationale))
    if item.rationale_span is not None:
        add(D, "imr:textPosition", position(item.rationale_span))
    for reason in item.reasons:  # the statement is the sentence itself: two sentences' codes never mix
        statement = position(reason.span)
        add(D, "imr:hasReasonStatement", statement)
        add(statement, "imr:reasonCode", _shared(str(reason_iri(reason.code))))
    for k, literature in enumerate(item.literature, start=1):
        ref_node = ref(f"{iri}/decision/reference/{k}")
        add(D, "imr:citesLiterature", ref_node)
        add(ref_node, "imr:author", string(literature.author))
        add(ref_node, "imr:year", typed(str(literature.year), "xsd:gYear"))
        if literature.span is not None:
            add(ref_node, "imr:textPosition", position(literature.span))
    _citation(
        add,
        position,
        IT,
        f"{iri}/citation/claims-administrator",
        "imr:claimsAdministratorCitation",
        item.claims_administrator,
    )
    _citation(add, position, IT, f"{iri}/citation/imr", "imr:reviewerCitation", item.imr)

    q = item.quantity
    for prop, value in (
        ("imr:sessionsPerWeek", q.sessions_per_week),
        ("imr:weeks", q.weeks),
        ("imr:totalSessions", q.total),
        ("imr:quantity", q.count),
        ("imr:refills", q.refills),
    ):
        if value is not None:
            add(IT, prop, integer(value))
    for level in item.spinal_levels:
        add(IT, "imr:spinalLevel", string(level))
    if item.laterality:
        add(IT, "imr:laterality", string(item.laterality))
    for region in item.body_regions:
        add(IT, "imr:bodyRegion", string(region))
    if item.drug:
        add(IT, "imr:drugName", string(item.drug.name))
        if item.drug.strength:
            add(IT, "imr:strength", string(item.drug.strength))
    if item.modified:
        add(IT, "imr:isRemainderOfModifiedRequest", _TRUE)
        add(IT, "imr:originalRequest", string(item.modified.original))
        if item.modified.authorized:
            add(IT, "imr:authorizedPortion", string(item.modified.authorized))
        add(IT, "imr:remainingPortion", string(item.modified.remaining))
    if item.retrospective:
        add(IT, "imr:isRetrospective", _TRUE)
    if item.service_date:
        add(IT, "imr:serviceDate", typed(item.service_date, "xsd:date"))


def _treatment(add, IT: str, t: Treatment) -> None:
    """The item's classification: concept (when known), DWC category, subcategory and drug class,
    ingredients, and the words that decided it (``imr:classificationEvidence``)."""
    if t.concept:
        concept = _shared(str(treatment_iri(t.concept)))
        add(IT, "imr:treatment", concept)
        if t.concept not in concepts():  # a drug the vocabulary does not list (the dictionary knows it)
            _label_outside_scheme(add, concept, t.label or t.concept)
    add(IT, "imr:treatmentCategory", _shared(str(treatment_iri(category_concept(t.category)))))
    if t.subcategory:
        add(IT, "imr:treatmentSubcategory", _shared(str(treatment_iri(subcategory_concept(t.category, t.subcategory)))))
    if t.drug_class:
        add(IT, "imr:drugClass", _shared(str(treatment_iri(drug_class_concept(t.drug_class)))))
    if t.category == "Pharmaceuticals" and not t.ingredients and t.drug_class != "Nutritional Products":
        add(IT, "imr:drugIngredientsUnknown", _TRUE)  # nothing in the letter says what it contains
    for ingredient in t.ingredients:
        drug = drug_concept(ingredient)
        add(IT, "imr:drugIngredient", _shared(str(treatment_iri(drug))))
        if drug not in concepts():
            _label_outside_scheme(add, _shared(str(treatment_iri(drug))), ingredient)
    if t.associated_surgery:
        add(IT, "imr:associatedSurgery", _TRUE)
    add(IT, "imr:classificationBasis", string(t.basis))
    if t.evidence:
        add(IT, "imr:classificationEvidence", string(t.evidence))


def _citation(add, position: _Positions, IT: str, iri: str, party_property: str, c: Citation) -> None:
    """One party's citation; the property names the party (a sub-property of ``imr:hasCitation``)."""
    C = ref(iri)
    add(IT, party_property, C)
    if not c.cited_evidence:
        add(C, "imr:citedNoEvidence", _TRUE)
    if c.outside_mtus:
        add(C, "imr:outsideMTUS", _TRUE)
    if c.span is not None:
        add(C, "imr:textPosition", position(c.span))
    known_chapters, known_editions = vocabulary_chapters(), vocabulary_editions()
    for k, src in enumerate(c.sources, start=1):
        S = ref(f"{iri}/source/{k}")
        add(C, "imr:hasSource", S)
        if src.span is None:  # otherwise the sources' positions give their order
            add(S, "imr:sourceOrder", integer(k))
        add(S, "imr:work", _shared(str(work_iri(src.work))))
        if src.chapter:
            chapter = str(chapter_iri(src.work, src.chapter))
            add(S, "imr:chapter", _shared(chapter))
            if chapter not in known_chapters:  # the vocabulary labels the chapters it knows
                add(S, "imr:chapterName", string(src.chapter))
        for page in src.pages:
            add(S, "imr:page", integer(page))
        for section in src.sections:
            add(S, "imr:section", string(section))
        if src.year:
            add(S, "imr:editionYear", typed(str(src.year), "xsd:gYear"))
            if src.chapter:
                edition = str(edition_iri(src.work, src.chapter, src.year))
                if edition in known_editions:  # the adopted ACOEM guidelines' editions
                    add(S, "imr:edition", _shared(edition))
        if src.span is not None:
            add(S, "imr:textPosition", position(src.span))
