"""Reference vocabularies as RDF: guideline works and chapters, the SKOS treatment scheme with
drugs (RxNorm codes), reviewer specialties (NUCC codes) and US states.

``python -m kg.graph.vocab_rdf > ontology/vocabulary.ttl`` regenerates the committed file; a test keeps
the two in step.
"""

from __future__ import annotations

import sys
from functools import cache

from rdflib import Graph, Literal, URIRef

from kg.base.resources import ontology_file
from kg.base.version import PARSER_VERSION
from kg.base.vocab import ADOPTED_WORK as ADOPTED
from kg.base.vocab import guideline_works, load_json, specialties, states
from kg.graph.namespaces import (
    DCTERMS,
    IMR,
    NUCC_DATATYPE,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    REASON_SCHEME,
    RXCUI_DATATYPE,
    SKOS,
    SPECIALTY_SCHEME,
    STATE_SCHEME,
    TREATMENT_SCHEME,
    XSD,
    chapter_iri,
    edition_iri,
    parser_iri,
    reason_iri,
    specialty_iri,
    state_iri,
    treatment_iri,
    work_iri,
)
from kg.reading.drugs import rxcui
from kg.reading.treatments import category_of, concepts, is_drug_concept, subcategory_concept
from kg.rules.schemes import reason_codes


@cache
def vocabulary_chapters() -> frozenset[str]:
    """The IRIs of the guideline chapters the vocabulary graph labels (ACOEM and ODG)."""
    data = load_json("guidelines.json")
    return frozenset(
        str(chapter_iri(work, ch["title"]))
        for work, key in (
            ("mtus-acoem", "acoem_chapters"),
            ("odg", "odg_chapters"),
            (ADOPTED, "acoem_adopted_chapters"),
        )
        for ch in data[key]
    )


@cache
def vocabulary_editions() -> frozenset[str]:
    """The IRIs of the chapter editions the vocabulary graph has (the adopted ACOEM guidelines')."""
    data = load_json("guidelines.json")
    return frozenset(
        str(edition_iri(ADOPTED, ch["title"], year)) for ch in data["acoem_adopted_chapters"] for year in ch["editions"]
    )


def ontology_graph() -> Graph:
    """The ontology file (ontology/imr.ttl) as an rdflib Graph: the build writes it as the
    ontology graph, and kg.stores.queries reads which terms it defines."""
    return Graph().parse(data=ontology_file().read_text(encoding="utf-8"), format="turtle")


def vocabulary_graph() -> Graph:
    """The reference vocabularies as one rdflib Graph (the build's vocabulary graph)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for work in guideline_works().values():
        w = work_iri(work.id)
        g.add((w, RDF.type, IMR.GuidelineWork))
        g.add((w, RDFS.label, Literal(work.label, lang="en")))
        g.add((w, IMR.isMTUS, Literal(work.mtus)))
        for year in work.editions:
            g.add((w, IMR.editionYear, Literal(str(year), datatype=XSD.gYear)))
        if work.in_force_from:
            g.add((w, IMR.inForceFrom, Literal(work.in_force_from, datatype=XSD.date)))
        if work.in_force_until:
            g.add((w, IMR.inForceUntil, Literal(work.in_force_until, datatype=XSD.date)))
    data = load_json("guidelines.json")
    for ch in data["acoem_adopted_chapters"]:
        c = chapter_iri(ADOPTED, ch["title"])
        g.add((c, RDF.type, IMR.GuidelineChapter))
        g.add((c, RDFS.label, Literal(ch["title"], lang="en")))
        g.add((c, DCTERMS.isPartOf, work_iri(ADOPTED)))
        for year in ch["editions"]:
            e = edition_iri(ADOPTED, ch["title"], year)
            g.add((e, RDF.type, IMR.GuidelineEdition))
            g.add((e, RDFS.label, Literal(f"{ch['title']} ({year})", lang="en")))
            g.add((e, IMR.editionOf, c))
            g.add((e, IMR.editionYear, Literal(str(year), datatype=XSD.gYear)))
    for ch in data["acoem_chapters"]:
        c = chapter_iri("mtus-acoem", ch["title"])
        g.add((c, RDF.type, IMR.GuidelineChapter))
        g.add((c, RDFS.label, Literal(ch["title"], lang="en")))
        g.add((c, DCTERMS.isPartOf, work_iri("mtus-acoem")))
        if ch["number"] is not None:
            g.add((c, IMR.chapterNumber, Literal(ch["number"], datatype=XSD.integer)))
        g.add((c, IMR.editionYear, Literal(str(ch["year"]), datatype=XSD.gYear)))
    for ch in data["odg_chapters"]:
        c = chapter_iri("odg", ch["title"])
        g.add((c, RDF.type, IMR.GuidelineChapter))
        g.add((c, RDFS.label, Literal(ch["title"], lang="en")))
        g.add((c, DCTERMS.isPartOf, work_iri("odg")))

    g.add((TREATMENT_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((TREATMENT_SCHEME, SKOS.prefLabel, Literal("IMR treatments", lang="en")))
    brands = _brand_names()
    for cid, c in concepts().items():  # type: ignore[assignment]
        t = treatment_iri(cid)
        g.add((t, RDF.type, IMR.TreatmentConcept))
        g.add((t, SKOS.inScheme, TREATMENT_SCHEME))
        g.add((t, SKOS.prefLabel, Literal(c["label"], lang="en")))  # type: ignore[index]
        if c.get("top"):  # type: ignore[attr-defined]
            g.add((t, SKOS.topConceptOf, TREATMENT_SCHEME))
            g.add((TREATMENT_SCHEME, SKOS.hasTopConcept, t))
        if c.get("broader"):  # type: ignore[attr-defined]
            g.add((t, SKOS.broader, treatment_iri(c["broader"])))  # type: ignore[index]
        for alt in c.get("alt", []):  # type: ignore[attr-defined]
            g.add((t, SKOS.altLabel, Literal(alt, lang="en")))
        if c.get("subcategory") and c.get("broader"):  # type: ignore[attr-defined]
            g.add((t, SKOS.related, treatment_iri(subcategory_concept(_label_of(category_of(cid)), c["subcategory"]))))  # type: ignore[index]
        if is_drug_concept(cid):
            code = rxcui(c["label"])  # type: ignore[index]
            if code:
                g.add((t, SKOS.notation, Literal(code, datatype=RXCUI_DATATYPE)))
                g.add((t, SKOS.exactMatch, URIRef(f"http://purl.bioontology.org/ontology/RXNORM/{code}")))
            for alt in brands.get(c["label"], ()):  # type: ignore[index]
                g.add((t, SKOS.altLabel, Literal(alt, lang="en")))

    g.add((REASON_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((REASON_SCHEME, SKOS.prefLabel, Literal("IMR decision reasons", lang="en")))
    for reason in reason_codes():
        r = reason_iri(reason["code"])
        g.add((r, RDF.type, IMR.ReasonConcept))
        g.add((r, SKOS.inScheme, REASON_SCHEME))
        g.add((r, SKOS.topConceptOf, REASON_SCHEME))
        g.add((r, SKOS.notation, Literal(reason["code"])))
        g.add((r, SKOS.prefLabel, Literal(reason["label"], lang="en")))
        g.add((r, SKOS.definition, Literal(reason["definition"], lang="en")))
        g.add((r, IMR.explainsOutcome, IMR[reason["outcome"]]))

    # the parser version every letter graph of this release is attributed to (prov:wasAttributedTo)
    parser = parser_iri()
    g.add((parser, RDF.type, PROV.SoftwareAgent))
    g.add((parser, RDFS.label, Literal(f"imr-kg parser {PARSER_VERSION}", lang="en")))
    g.add((parser, DCTERMS.isVersionOf, IMR.Parser))
    g.add((parser, OWL.versionInfo, Literal(PARSER_VERSION)))

    g.add((SPECIALTY_SCHEME, RDF.type, SKOS.ConceptScheme))
    for row in specialties():
        s = specialty_iri(row["name"])
        g.add((s, RDF.type, IMR.Specialty))
        g.add((s, SKOS.inScheme, SPECIALTY_SCHEME))
        g.add((s, SKOS.prefLabel, Literal(row["name"], lang="en")))
        if row["nucc"]:
            g.add((s, SKOS.notation, Literal(row["nucc"], datatype=NUCC_DATATYPE)))
    g.add((STATE_SCHEME, RDF.type, SKOS.ConceptScheme))
    for code, name in states().items():
        s = state_iri(code)
        g.add((s, RDF.type, IMR.State))
        g.add((s, SKOS.inScheme, STATE_SCHEME))
        g.add((s, SKOS.prefLabel, Literal(name, lang="en")))
        g.add((s, SKOS.notation, Literal(code)))

    return g


def _brand_names() -> dict[str, list[str]]:
    """Ingredient -> the single-ingredient names drugs.json gives it (brands, abbreviations)."""
    out: dict[str, list[str]] = {}
    for name, ingredients in load_json("drugs.json")["names"].items():
        if len(ingredients) == 1 and name.lower() != ingredients[0]:
            out.setdefault(ingredients[0], []).append(name)
    return out


def _label_of(concept: str) -> str:
    return concepts()[concept]["label"]


def vocabulary_turtle() -> str:
    """The vocabulary graph as the Turtle committed in ``ontology/vocabulary.ttl``."""
    header = "# Generated by `python -m kg.graph.vocab_rdf` from kg/data/*.json|csv. Do not edit by hand.\n"
    return header + vocabulary_graph().serialize(format="turtle")


if __name__ == "__main__":
    sys.stdout.write(vocabulary_turtle())
