"""Letter record -> RDF: one named graph per letter, under the ontology in ``ontology/imr.ttl``.

IRIs come from the scheme in :mod:`kg.namespaces` (the case number, or a hash of the normalized
text when a letter has none), so they are the same on every run and machine. Provenance (source
file name and sha256, parser version) is in the letter's graph; the generation time is not, so
the output is reproducible.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from kg import namespaces as ns
from kg.models import Citation, Item, Letter, Span, Treatment
from kg.namespaces import (
    Cached,
    chapter_iri,
    item_iri,
    letter_iri,
    part_iri,
    reason_iri,
    source_file_iri,
    specialty_iri,
    state_iri,
    treatment_iri,
    work_iri,
)
from kg.treatments import category_concept, drug_class_concept, drug_concept, subcategory_concept
from kg.version import PARSER_VERSION

# the same URIRef objects every time: rdflib makes a new one per attribute access
DCTERMS, IMR, OA, PROV, RDF, RDFS, SKOS, XSD = (
    Cached(n) for n in (ns.DCTERMS, ns.IMR, ns.OA, ns.PROV, ns.RDF, ns.RDFS, ns.SKOS, ns.XSD)
)
_BOOL = {True: Literal(True), False: Literal(False)}


@lru_cache(maxsize=4096)
def _int(value: int) -> Literal:
    """Item numbers, pages and orders repeat across letters; a Literal costs microseconds to make."""
    return Literal(value, datatype=XSD.integer)


_OUTCOME = {"Upheld": IMR.Upheld, "Overturned": IMR.Overturned, "Partially Overturned": IMR.PartiallyOverturned}


class _Triples(dict):
    """An ordered set of triples with ``Graph.add``'s signature: building an rdflib Graph per
    letter costs more than the rest of the mapping together (store indexes, events)."""

    def add(self, triple: tuple) -> None:
        self[triple] = None


def letter_graph(letter: Letter, source_sha256: str | None = None) -> Graph:
    """All triples of one letter (stored in its :func:`kg.namespaces.graph_iri`) as an rdflib Graph."""
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in letter_triples(letter, source_sha256))
    return g


def letter_triples(letter: Letter, source_sha256: str | None = None) -> list[tuple]:
    """All triples of one letter, without duplicates, in a fixed order."""
    g = _Triples()
    add = g.add
    L = letter_iri(letter)
    add((L, RDF.type, IMR.DeterminationLetter))
    if letter.case_number:
        add((L, IMR.caseNumber, Literal(letter.case_number)))
    if letter.priority:
        add((L, IMR.priority, Literal(letter.priority)))
    add((L, IMR.layout, Literal(letter.layout)))
    for prop, value in (
        (IMR.dateAssigned, letter.dates.assigned),
        (IMR.decisionDate, letter.dates.decision),
        (IMR.urDenialDate, letter.dates.ur_denial),
        (IMR.applicationReceivedDate, letter.dates.application_received),
    ):
        if value:
            add((L, prop, Literal(value, datatype=XSD.date)))
    if letter.case_summary:
        add((L, IMR.caseSummary, Literal(letter.case_summary)))
    # the text every oa:TextPositionSelector of this graph indexes, so SPARQL can quote the evidence
    add((L, IMR.text, Literal(letter.text)))
    add((L, IMR.letterOutcome, _OUTCOME[letter.outcome]))
    # provenance: the source file and the parser; no timestamps in the data
    src = source_file_iri(source_sha256) if source_sha256 else None
    if src is not None:
        add((L, PROV.wasDerivedFrom, src))
        add((src, RDF.type, PROV.Entity))
        add((src, DCTERMS.title, Literal(letter.file)))
        add((src, IMR.sha256, Literal(source_sha256)))
    if letter.sha256:
        add((L, IMR.sha256, Literal(letter.sha256)))
    add((L, PROV.wasAttributedTo, IMR.Parser))
    add((L, DCTERMS.creator, Literal(f"imr-kg {PARSER_VERSION}")))

    P = part_iri(L, "patient")
    add((L, IMR.patient, P))
    add((P, RDF.type, IMR.Patient))
    if letter.patient.age is not None:
        add((P, IMR.age, Literal(letter.patient.age, datatype=XSD.integer)))
    if letter.patient.sex:
        add((P, IMR.sex, Literal(letter.patient.sex)))
    if letter.dates.injury:
        add((P, IMR.injuryDate, Literal(letter.dates.injury, datatype=XSD.date)))

    R = part_iri(L, "reviewer")
    add((L, IMR.reviewer, R))
    add((R, RDF.type, IMR.ExpertReviewer))
    for name in letter.reviewer.specialties:
        add((R, IMR.specialty, specialty_iri(name)))
        add((R, IMR.specialtyName, Literal(name)))  # as written; on the reviewer, not the shared concept
    for name in letter.reviewer.subspecialties:
        add((R, IMR.subspecialty, specialty_iri(name)))
        add((R, IMR.specialtyName, Literal(name)))
    for name in letter.reviewer.licensed_states:
        add((R, IMR.licensedIn, state_iri(name)))

    for item in letter.items:
        _item(g, L, item_iri(letter, item.number), item)
    return list(g)


def _position(g: _Triples, subject: URIRef, span: Span | None) -> None:
    if span is None:
        return
    sel = part_iri(subject, "position")
    g.add((subject, IMR.textPosition, sel))
    g.add((sel, RDF.type, OA.TextPositionSelector))
    g.add((sel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    g.add((sel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


def _item(g: _Triples, L: URIRef, IT: URIRef, item: Item) -> None:
    add = g.add
    add((L, IMR.hasItem, IT))
    add((IT, RDF.type, IMR.DisputedItem))
    add((IT, IMR.itemNumber, _int(item.number)))
    add((IT, RDFS.label, Literal(item.title)))
    _position(g, IT, item.title_span)
    if item.treatment is not None:
        _treatment(g, IT, item.treatment)
    D = part_iri(IT, "decision")
    add((IT, IMR.decision, D))
    add((D, RDF.type, IMR.Decision))
    add((D, IMR.outcome, _OUTCOME[item.outcome]))
    if item.rationale:
        add((D, IMR.rationale, Literal(item.rationale)))
    _position(g, D, item.rationale_span)
    for reason in item.reasons:
        # the code on the decision (what questions join on), and a statement pointing at its sentence
        add((D, IMR.reason, reason_iri(reason.code)))
        R = part_iri(D, "reason", reason.code)
        add((D, IMR.hasReasonStatement, R))
        add((R, RDF.type, IMR.ReasonStatement))
        add((R, IMR.reasonCode, reason_iri(reason.code)))
        _position(g, R, reason.span)
    for k, ref in enumerate(item.literature, start=1):
        ref_iri = part_iri(D, "reference", k)
        add((D, IMR.citesLiterature, ref_iri))
        add((ref_iri, RDF.type, IMR.LiteratureReference))
        add((ref_iri, IMR.author, Literal(ref.author)))
        add((ref_iri, IMR.year, Literal(str(ref.year), datatype=XSD.gYear)))
        _position(g, ref_iri, ref.span)
    _citation(g, L, IT, "claims-administrator", IMR.ClaimsAdministrator, item.claims_administrator)
    _citation(g, L, IT, "imr", IMR.IMRReviewer, item.imr)

    q = item.quantity
    for prop, value in (
        (IMR.sessionsPerWeek, q.sessions_per_week),
        (IMR.weeks, q.weeks),
        (IMR.totalSessions, q.total),
        (IMR.quantity, q.count),
        (IMR.refills, q.refills),
    ):
        if value is not None:
            add((IT, prop, _int(value)))
    for level in item.spinal_levels:
        add((IT, IMR.spinalLevel, Literal(level)))
    if item.laterality:
        add((IT, IMR.laterality, Literal(item.laterality)))
    for region in item.body_regions:
        add((IT, IMR.bodyRegion, Literal(region)))
    if item.drug:
        add((IT, IMR.drugName, Literal(item.drug.name)))
        if item.drug.strength:
            add((IT, IMR.strength, Literal(item.drug.strength)))
    add((IT, IMR.isRemainderOfModifiedRequest, _BOOL[item.modified is not None]))
    if item.modified:
        add((IT, IMR.originalRequest, Literal(item.modified.original)))
        if item.modified.authorized:
            add((IT, IMR.authorizedPortion, Literal(item.modified.authorized)))
        add((IT, IMR.remainingPortion, Literal(item.modified.remaining)))
    add((IT, IMR.isRetrospective, _BOOL[item.retrospective]))
    if item.service_date:
        add((IT, IMR.serviceDate, Literal(item.service_date, datatype=XSD.date)))


def _treatment(g: _Triples, IT: URIRef, t: Treatment) -> None:
    """The item's classification: concept (when known), DWC category, subcategory and drug class,
    ingredients, and the words that decided it (``imr:classificationEvidence``)."""
    add = g.add
    if t.concept:
        add((IT, IMR.treatment, treatment_iri(t.concept)))
    add((IT, IMR.treatmentCategory, treatment_iri(category_concept(t.category))))
    if t.subcategory:
        add((IT, IMR.treatmentSubcategory, treatment_iri(subcategory_concept(t.category, t.subcategory))))
    if t.drug_class:
        add((IT, IMR.drugClass, treatment_iri(drug_class_concept(t.drug_class))))
    for ingredient in t.ingredients:
        add((IT, IMR.drugIngredient, treatment_iri(drug_concept(ingredient))))
    add((IT, IMR.associatedSurgery, _BOOL[t.associated_surgery]))
    add((IT, IMR.classificationBasis, Literal(t.basis)))
    if t.evidence:
        add((IT, IMR.classificationEvidence, Literal(t.evidence)))


def _citation(g: _Triples, L: URIRef, IT: URIRef, key: str, party: URIRef, c: Citation) -> None:
    add = g.add
    C = part_iri(IT, "citation", key)
    add((IT, IMR.hasCitation, C))
    add((C, RDF.type, IMR.GuidelineCitation))
    add((C, IMR.citedBy, party))
    add((C, IMR.citedEvidence, _BOOL[c.cited_evidence]))
    add((C, IMR.outsideMTUS, _BOOL[c.outside_mtus]))
    _position(g, C, c.span)
    for k, src in enumerate(c.sources, start=1):
        S = part_iri(C, "source", k)
        add((C, IMR.hasSource, S))
        add((S, RDF.type, IMR.GuidelineSource))
        add((S, IMR.sourceOrder, _int(k)))
        add((S, IMR.work, work_iri(src.work)))
        if src.chapter:
            ch = chapter_iri(src.work, src.chapter)
            add((S, IMR.chapter, ch))
            # the name goes on the letter's own source node: a label on the shared chapter IRI
            # would be repeated in every letter graph, and union-graph joins multiply by it
            add((S, IMR.chapterName, Literal(src.chapter)))
        for page in src.pages:
            add((S, IMR.page, _int(page)))
        for section in src.sections:
            add((S, IMR.section, Literal(section)))
        add((S, IMR.isMTUS, _BOOL[src.mtus]))
        if src.year:
            add((S, IMR.editionYear, Literal(str(src.year), datatype=XSD.gYear)))
        add((S, DCTERMS.bibliographicCitation, Literal(src.text)))
        _position(g, S, src.span)
