"""Stage 6b, treatment classification: DWC category, subcategory, drug class and ingredients.

The titles here are not from the shared letters: other drugs, brands, devices and procedures,
classified by the conventions of ../shared/corpus/ITEM_LABELS.md, so these tests check that the
rules generalise rather than that they remember the corpus.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS
from factories import item

from kg import parse_text
from kg.reading.treatments import classify

DRUGS = [
    ("Fioricet #60", "Barbiturates", ["butalbital", "acetaminophen", "caffeine"]),
    ("Elavil 25mg #30", "Antidepressant", ["amitriptyline"]),
    ("Cymbalta 60mg #30", "Antidepressant", ["duloxetine"]),
    ("Soma 350mg #90", "Muscle Relaxant", ["carisoprodol"]),
    ("Butrans patch 10mcg/hr #4", "Opioids", ["buprenorphine"]),
    ("Duragesic 25mcg/hr transdermal patch #10", "Opioids", ["fentanyl"]),
    ("Ambien 10mg #30", "Sedative-hypnotics", ["zolpidem"]),
    ("Lunesta 3mg #30", "Sedative-hypnotics", ["eszopiclone"]),
    ("Xanax 0.5mg #60", "Benzodiazepines", ["alprazolam"]),
    ("Topamax 50mg #60", "Anti-epilepsy drugs", ["topiramate"]),
    ("Imitrex 50mg #9", "Antimigraine Agent", ["sumatriptan"]),
    ("Nexium 40mg #30", "Proton Pump Inhibitors", ["esomeprazole"]),
    ("Terocin patch #30", "Topical Compounds", ["methyl salicylate", "capsaicin", "menthol", "lidocaine"]),
    ("Ketoprofen 20% cream 120g", "Topical Analgesics", ["ketoprofen"]),
    ("Gabapentin 10%/Lidocaine 5% cream 180g", "Topical Compounds", ["gabapentin", "lidocaine"]),
    ("Nucynta ER 100mg #60", "Opioids", ["tapentadol"]),
    ("Medrol Dosepak", "Adrenal Cortical Steroids", ["methylprednisolone"]),
    ("Theramine #120", "Nutritional Products", []),
    ("Naltrexone 50mg #30", "Opioid Antagonist", ["naltrexone"]),
    ("Viagra 100mg #10", "Impotence Agents", ["sildenafil"]),
    ("Cipro 500mg #20", "Anti-infectives", ["ciprofloxacin"]),
    ("Ketorolac tromethamine 10mg #20", "NSAID", ["ketorolac"]),
    ("Rabeprazole 20mg #30", "Proton Pump Inhibitors", ["rabeprazole"]),  # placed by its USAN stem
    ("Percocet 10/325mg #90", "Opioids", ["oxycodone", "acetaminophen"]),
    # the drugs of a combination joined by hyphens, and brand suffixes: read as parts
    ("Hydrocodone-acetaminophen 10/325mg #90", "Opioids", ["hydrocodone", "acetaminophen"]),
    ("Flurbiprofen-cyclobenzaprine 20%/4% cream 180g", "Topical Compounds", ["flurbiprofen", "cyclobenzaprine"]),
    ("Naproxen-sodium 550mg #60", "NSAID", ["naproxen"]),
    ("Senokot-S #60", "GI Agents", ["sennosides", "docusate"]),
    ("Embeda 20mg #30", "Opioids", ["morphine", "naltrexone"]),
    ("Vicoprofen 7.5/200mg #60", "Opioids", ["hydrocodone", "ibuprofen"]),
    ("Augmentin 875mg #20", "Anti-infectives", ["amoxicillin", "clavulanate"]),
    ("Miralax 17g", "GI Agents", ["polyethylene glycol 3350"]),
    ("Nalocet 2.5/300mg #60", "Opioids", ["oxycodone", "acetaminophen"]),
    ("Qmiiz ODT 7.5mg #30", "NSAID", ["meloxicam"]),
    # a dosage form is no ingredient, even where the dictionary has it as an entry ("nasal spray")
    ("Sprix nasal spray 15.75mg #5", "NSAID", ["ketorolac"]),
    ("Imitrex nasal spray 20mg #6", "Antimigraine Agent", ["sumatriptan"]),
]


@pytest.mark.parametrize("title, drug_class, ingredients", DRUGS)
def test_drugs_resolve_to_ingredients_and_a_dwc_class(title, drug_class, ingredients):
    t = classify(item(title=title))
    assert (t.category, t.drug_class, list(t.ingredients)) == ("Pharmaceuticals", drug_class, ingredients)


def test_an_unknown_drug_takes_its_class_from_the_rationale():
    rationale = "Muscle relaxants are recommended only for short-term use; this request exceeds that."
    t = classify(item(title="Zyxolan 10mg #60", rationale=rationale))
    assert (t.category, t.drug_class, t.concept, t.basis) == ("Pharmaceuticals", "Muscle Relaxant", None, "dose")


OTHERS = [
    ("Spinal cord stimulator trial", "Surgery", "Spine"),
    ("Sleep study", "Diagnostic Testing", "Other Diagnostic Tests"),
    ("Bilateral hearing aids", "DMEPOS", "DME"),
    ("Cervical traction unit for home use", "DMEPOS", "DME"),
    ("Lumbar support brace", "DMEPOS", "Prosthetics/Orthotics"),
    ("Interferential unit rental", "DMEPOS", "Electrical Stimulation"),
    ("Raised toilet seat", "DMEPOS", "DME"),
    ("Tub transfer bench and grab bars", "DMEPOS", "DME"),
    ("Urine drug screen", "Diagnostic Testing", "Lab & Pathology"),
    ("Genetic testing for opioid metabolism", "Diagnostic Testing", "Lab & Pathology"),
    ("Nerve conduction study of the upper extremities", "Diagnostic Testing", "EMG/NCV/NCS"),
    ("Echocardiogram", "Diagnostic Testing", "Other Diagnostic Tests"),
    ("Cognitive behavioral therapy 6 sessions", "Psych Services", "Therapies"),
    ("Psychiatric evaluation", "Psych Services", "Evaluation & Management"),
    ("Functional restoration program 80 hours", "Programs", "Programs"),
    ("Home health aide 4 hours a day", "Home Health", "Home Health"),
    ("Orthopedic follow-up visit", "Evaluation & Management", "Medical Specialties"),
    ("Pain management consultation", "Evaluation & Management", "Medical Specialties"),
    ("Consultation with a spine surgeon", "Surgery", "Surgical Consult"),
    ("Left L4-5 microdiscectomy", "Surgery", "Spine"),
    ("Right carpal tunnel release", "Surgery", "Non-arthroscopic Surgery"),
    ("Left knee arthroscopic partial meniscectomy", "Surgery", "Arthroscopic Surgery"),
    ("Occipital nerve block", "Injection", "Injection"),
    ("Cervical epidural steroid injection C6-7", "Injection", "Injection"),
    ("Lumbar radiofrequency ablation L3-L5", "Injection", "Facet Injection"),
    ("Ultrasound-guided cortisone injection right shoulder", "Injection", "Injection"),
    ("Aquatic therapy 12 sessions", "Rehabilitation", "Physical Therapy/Occupational Therapy (PT/OT)"),
    ("Massage therapy 6 sessions", "Rehabilitation", "Other Therapies"),
    ("Work hardening program 10 visits", "Rehabilitation", "Other Therapies"),
    ("Round trip taxi to medical appointments", "Transportation", "Transportation"),
    ("Dental evaluation", "Evaluation & Management", "Dental Services"),
    ("Ultrasound of the left shoulder", "Diagnostic Testing", "Other Diagnostic Tests"),
    ("Bone scan", "Diagnostic Testing", "Other Diagnostic Tests"),
]


@pytest.mark.parametrize("title, category, subcategory", OTHERS)
def test_procedures_devices_and_services_get_their_dwc_category(title, category, subcategory):
    t = classify(item(title=title))
    assert (t.category, t.subcategory, t.drug_class) == (category, subcategory, None), t


def test_every_item_gets_a_category_and_says_why():
    from factories import citation

    no_sources = citation(cited_evidence=False, sources=())
    t = classify(item(title="Zzyzx", rationale="No rationale was provided.", imr=no_sources))
    assert t.category and t.concept is None and t.basis == "default"
    t = classify(item(title="Associated surgical service: cold therapy unit"))
    assert (t.category, t.associated_surgery, t.basis, t.evidence) == ("DMEPOS", True, "title", "cold therapy")


def test_a_modified_request_is_classified_by_the_remaining_portion():
    from kg.reading.models import ModifiedRequest

    modified = ModifiedRequest("Norco 10/325mg #90", "Norco 10/325mg #60", "Norco 10/325mg #30")
    t = classify(item(title="Norco 10/325mg #90 was the original request ...", modified=modified))
    assert (t.drug_class, t.ingredients) == ("Opioids", ("hydrocodone", "acetaminophen"))


def test_a_hyphenated_word_is_read_whole_first_then_as_its_parts():
    """A name with a hyphen ("Depo-Medrol") is found whole; "Tramadol-APAP" is two names, each
    with its span; words that only have a hyphen ("follow-up", "x-ray", "post-op") are no drugs."""
    from kg.reading import drugs

    assert [m.ingredients for m in drugs.find("Depo-Medrol 80mg")] == [("methylprednisolone",)]
    found = drugs.find("Tramadol-APAP 37.5/325 #60")
    assert [(m.start, m.end, m.name, m.ingredients) for m in found] == [
        (0, 8, "Tramadol", ("tramadol",)),
        (9, 13, "APAP", ("acetaminophen",)),
    ]
    assert drugs.find("Follow-up x-ray of the post-op knee, self-care") == []


def test_gated_rules_pick_the_rule_and_match_every_rule_in_turn_would():
    """kg.reading.treatments searches only the rules whose literals a title holds (in lower case, for an
    ASCII title; any other title searches them all): the same first rule and match as searching
    every rule in order, on mixed-case, non-ASCII and the shared letters' titles."""
    from kg.reading import treatments

    def every_rule(text):
        for rule in treatments._scheme()[1]:
            m = rule.pattern.whole.search(text)
            if m:
                return rule.concept, m.span()
        return None

    titles = [
        "LUMBAR MRI WITHOUT CONTRAST",
        "Physical Therapy 2x6 Lumbar",
        "TENS unit purchase",
        "Acupuncture x 6",
        "Électromyography of the upper extremities",
        "Kelvin \u212a brace",
        "ﬁngertip splint",
        "",
    ]
    from kg.rules import schemes

    # the treatment rules' own examples (shipped), and where CI has them the shared letters' titles
    titles += [
        e.text for c in schemes.treatment_scheme()["concepts"] for r in schemes.treatment_rules(c) for e in r.examples
    ]
    found = CORPUS / "found"
    for path in sorted(found.glob("*.txt"))[:80]:
        titles += [item.title for item in parse_text(path.read_text(), path.name).items]
    assert len(titles) > 20
    for title in titles:
        got = treatments._first_rule(title)
        assert (got and (got[0], got[1].span())) == every_rule(title), title


def test_treatment_rules_are_gated_without_compiling_each_alternative():
    """The rules answer only may_match and whole (their alternatives are not compiled one by one,
    which cost 66 ms a process); a search by alternatives is refused, not answered wrongly."""
    import pytest

    from kg.reading.treatments import _scheme

    _, rules, literals = _scheme()
    title = "Lumbar facet joint injection L4-5"
    gates = literals.gates_of(title)
    matched = [r.concept for r in rules if r.pattern.may_match(gates) and r.pattern.whole.search(title)]
    assert matched and all(r.pattern.gated == {} for r in rules)
    with pytest.raises(TypeError):
        rules[0].pattern.search(title, gates)


# Products the dictionary does not know (the names are invented): what the title and the rationale
# state about them decides, by the labels' conventions; nothing stated, nothing guessed (issue 31).
PRODUCTS = [
    # a compound named by its ingredient and strength: one ingredient is Topical Analgesics
    ("Compound ketoprofen 20%, 240 grams", "", "Topical Analgesics", ["ketoprofen"]),
    ("Compounded cream: capsaicin 0.025%, menthol 10%, camphor 2%", "", "Topical Compounds",
     ["capsaicin", "menthol", "camphor"]),
    ("CM4 - Ketoprofen 10%/Cyclobenzaprine 3%/Lidocaine 5% 240gm", "", "Topical Compounds",
     ["ketoprofen", "cyclobenzaprine", "lidocaine"]),
    # the rationale says what the product contains
    ("Xyzolux topical cream 4 oz", "Xyzolux contains menthol 10% and methyl salicylate 25%.", "Topical Compounds",
     ["menthol", "methyl salicylate"]),
    ("Fluriflex 180gm", "Fluriflex is a compounded product of flurbiprofen and cyclobenzaprine.", "Topical Compounds",
     ["flurbiprofen", "cyclobenzaprine"]),
    ("Theraflex cream", "The requested cream contains flurbiprofen 20% and cyclobenzaprine 10%.", "Topical Compounds",
     ["flurbiprofen", "cyclobenzaprine"]),
    ("Retrospective Flurbi (NAP) cream-LA 180gms", "The request is for Flurbi (NAP) cream-LA (flurbiprofen 20%).",
     "Topical Analgesics", ["flurbiprofen"]),
    ("Quantum compound kit", "This kit includes gabapentin and ketoprofen.", "Topical Compounds",
     ["gabapentin", "ketoprofen"]),
    ("Zenoflex 15mg #60", "Zenoflex consists of meloxicam.", "NSAID", ["meloxicam"]),
    # nothing says what it is: the form gives the class, no ingredient is guessed
    ("Xyzolux topical cream 4 oz", "Topical analgesics are largely experimental.", "Topical Analgesics", []),
    ("Quantum compound kit", "", "Topical Compounds", []),
    # a rationale naming the product without saying what it contains gives nothing
    ("Zorbix 10mg #30", "The patient has been taking Zorbix and naproxen for months.", None, []),
]  # fmt: skip


@pytest.mark.parametrize("title, rationale, drug_class, ingredients", PRODUCTS)
def test_a_product_no_dictionary_knows_is_read_from_what_the_letter_states(title, rationale, drug_class, ingredients):
    t = classify(item(title=title, rationale=rationale))
    assert (t.category, t.drug_class, list(t.ingredients)) == ("Pharmaceuticals", drug_class, ingredients)
    assert (t.subcategory == "Topical Compounds") == (drug_class == "Topical Compounds")


def test_a_drug_whose_ingredients_are_unknown_is_marked_and_the_shapes_warn():
    from dataclasses import replace

    from factories import letter

    from kg.building.validate import validate_triples
    from kg.graph.mapping import letter_triples

    unknown = item(title="Xyzolux topical cream 4 oz", rationale="Topical analgesics are largely experimental.")
    known = item(2, title="Naproxen 550mg #60", rationale="")
    done = [replace(i, treatment=classify(i)) for i in (unknown, known)]
    triples = letter_triples(letter(*done))
    flagged = [s for s, p, _ in triples if p == "imr:drugIngredientsUnknown"]
    assert len(flagged) == 1 and flagged[0].endswith("/item/1>")
    warnings = [v for v in validate_triples(triples) if v.is_warning and "Unknown ingredient" in v.message]
    assert len(warnings) == 1 and not [v for v in validate_triples(triples) if not v.is_warning]


@pytest.mark.parametrize(
    "pattern, matches, misses",
    [
        ("COMPOUND_WORD", ["Compound kit", "compounded cream", "kit #1"], ["compounding pharmacy", "kitchen"]),
        ("GRAMS", ["180gm", "240 grams", "4.5 g", "120gms"], ["250mg", "10 gauge"]),
        ("CONTAINS", ["contains menthol", "is composed of", "a combination of", "ingredients:", "(flurbiprofen"],
         ["continued", "a combination"]),
        ("THIS_PRODUCT", ["this compound", "the requested cream", "this topical analgesic", "the kit"],
         ["this patient", "the request"]),
    ],
)  # fmt: skip
def test_the_product_patterns_match_their_examples(pattern, matches, misses):
    from kg.reading import patterns as P

    regex = getattr(P, pattern)
    for text in matches:
        assert regex.search(text), (pattern, text)
    for text in misses:
        assert not regex.search(text), (pattern, text)
