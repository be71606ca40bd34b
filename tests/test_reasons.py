"""Stage 6c, decision reasons: codes of the reason scheme read from the rationale, each with the
sentence that states it. The rationales here are written for the test, not taken from the corpus."""

from __future__ import annotations

from factories import item_text, letter_text

from kg import parse_text, to_record
from kg.reading.reasons import find_reasons, scheme, sentences

RATIONALE = (
    "The MTUS guidelines recommend physical therapy for up to 10 visits for myalgia. "
    "Passive modalities may be used in the initial phase of care for patients with acute pain. "
    "In this case, the patient has completed 18 sessions of physical therapy to date. "
    "There is no documentation of objective functional improvement with the prior sessions. "
    "The requested 12 additional sessions would exceed the guideline recommendations. "
    "The patient should be able to continue with an independent home exercise program. "
    "Therefore, the request is not medically necessary."
)


def _codes(rationale: str, outcome: str = "Upheld", title: str = "Physical therapy 12 sessions") -> list[str]:
    return [r.code for r in find_reasons(rationale, 0, len(rationale), outcome, title)]


def test_findings_about_this_request_give_reasons_and_guideline_text_does_not():
    assert _codes(RATIONALE) == ["no-functional-improvement", "exceeds-guideline-limits", "home-program-sufficient"]


def test_each_reason_points_at_its_sentence():
    for reason in find_reasons(RATIONALE, 0, len(RATIONALE), "Upheld", "Physical therapy"):
        assert RATIONALE[reason.span.start : reason.span.end] == reason.text
    (first, *_) = find_reasons(RATIONALE, 0, len(RATIONALE), "Upheld", "Physical therapy")
    assert first.text.startswith("There is no documentation of objective functional improvement")


def test_overturned_items_get_only_overturn_reasons():
    rationale = (
        "The patient has documented radicular findings on examination and corroborating imaging. "
        "The guideline criteria are met, and the request is medically necessary."
    )
    assert _codes(rationale, "Overturned", "Epidural steroid injection") == ["criteria-met"]
    assert "criteria-met" not in _codes(rationale, "Upheld", "Epidural steroid injection")


def test_a_request_that_depends_on_a_denied_one():
    rationale = (
        "As the requested surgical procedure is not medically necessary, the associated post-operative "
        "cold therapy unit is also not medically necessary."
    )
    assert _codes(rationale, title="Associated surgical service: cold therapy unit") == ["dependent-request"]


def test_opioid_monitoring_only_where_an_opioid_is_discussed():
    rationale = "There is no urine drug screen documented for this patient on chronic opioid therapy."
    assert "opioid-monitoring" in _codes(rationale, title="Norco 10/325mg #60")
    assert "opioid-monitoring" not in _codes("There is no urine drug screen documented.", title="MRI")


def test_an_opioid_item_needs_no_opioid_word_in_its_rationale():
    """An item the classification places among the opioids (a brand no pattern lists) gets the
    opioid monitoring code from its rationale alone."""
    rationale = "There is no urine drug screen documented, and no signed pain agreement."
    letter = parse_text(letter_text(item_text(title="Kadian 20mg #60", rationale=rationale)))
    (item,) = letter.items
    assert item.treatment.drug_class == "Opioids"
    assert "opioid-monitoring" in {r.code for r in item.reasons}
    assert "opioid-monitoring" not in {
        r.code for r in find_reasons(letter.text, item.rationale_span.start, item.rationale_span.end, "Upheld")
    }


def test_sentences_keep_abbreviations_and_give_spans_in_the_letter():
    text = "Header. The patient saw Dr. Smith on 1/2/2016 (i.e. last year).\nNo red flags\nwere noted. End"
    start = text.index("The")
    found = sentences(text, start, len(text))
    assert [s for s, _ in found] == [
        "The patient saw Dr. Smith on 1/2/2016 (i.e. last year).",
        "No red flags were noted.",
        "End",
    ]
    for sentence, span in found:
        assert " ".join(text[span.start : span.end].split()) == sentence


def test_records_carry_reasons_with_spans_into_the_letter():
    letter = parse_text(letter_text(item_text(rationale=RATIONALE)), "f.txt")
    (item,) = to_record(letter)["items"]
    assert [r["code"] for r in item["reasons"]] == [
        "no-functional-improvement",
        "exceeds-guideline-limits",
        "home-program-sufficient",
    ]
    for r in item["reasons"]:
        assert " ".join(letter.text[r["span"][0] : r["span"][1]].split()) == r["text"]


def test_the_scheme_has_the_thirteen_codes_of_the_item_labels():
    codes = {r["code"]: r["outcome"] for r in scheme()}
    assert len(codes) == 13
    assert sum(o == "Upheld" for o in codes.values()) == 11 and codes["criteria-met"] == "Overturned"


def test_the_sentence_model_scores_and_points_at_its_sentence():
    from kg.reading import reason_model
    from kg.reading.models import Span

    finding = "There is no documentation that the patient failed a course of conservative treatment."
    other = "The patient is a 45 year old male."
    p = reason_model.probabilities(finding, ["conservative-care-not-tried", "home-program-sufficient"])
    assert 0 < p["home-program-sufficient"] < p["conservative-care-not-tried"] < 1
    picked = reason_model.confident([(other, Span(0, 1)), (finding, Span(2, 3))], ["conservative-care-not-tried"])
    assert picked == {"conservative-care-not-tried": (finding, Span(2, 3))}


def test_the_model_scores_sentences_as_tf_idf_times_the_weights_would():
    """The scoring of a sentence gives it the logit of the formula (sublinear tf x idf, L2 norm
    over every known term, weights, intercept), computed here from the model file's numbers."""
    import math

    from kg.base.vocab import load_json
    from kg.reading import reason_model

    model = load_json("reason_model.json")
    batch = [
        "There is no documentation that the patient failed a course of conservative treatment.",
        "The request exceeds the guideline's recommended number of sessions: 12 sessions, 12 sessions.",
        "zzz qqq",  # no known term: the intercepts
        "Urine drug screens and a pain agreement are not documented for the opioid.",
    ]
    for sentence, row in zip(batch, map(reason_model._row, batch), strict=True):
        x = {
            t: (1 + math.log(c)) * model["idf"][t]
            for t, c in reason_model.features(sentence).items()
            if t in model["idf"]
        }
        norm = math.sqrt(sum(v * v for v in x.values())) or 1.0
        for k, code in enumerate(model["codes"]):
            weights = model["codes"][code]
            expected = weights["intercept"] + sum(weights["weights"].get(t, 0.0) * v / norm for t, v in x.items())
            assert math.isclose(row[k], expected, abs_tol=1e-9), (sentence, code)


def test_the_committed_model_says_how_it_was_measured():
    from kg.base.vocab import load_json

    model = load_json("reason_model.json")
    assert 0.5 < model["threshold"] < 1 and model["cross_validated_f1"] > 0.75 and model["ngrams"] == [1, 2]


def test_long_sentences_are_read_alike_but_not_remembered():
    """The memos of readings and model scores (kg.reading.memo) keep only sentences of at most
    LONGEST_CACHED_SENTENCE characters, so hostile letters cannot grow them past a few tens of
    MB; a longer sentence gives the same reasons, read afresh."""
    from kg.reading import memo, reason_model, reasons

    memo.clear_all()
    finding = "There is no documentation of objective functional improvement with the prior sessions"
    long = finding + ", " + ", ".join(["and the patient reports ongoing pain"] * 60) + "."
    assert len(long) > memo.LONGEST_CACHED_SENTENCE
    assert "no-functional-improvement" in _codes(long)
    assert reasons._reading.size() == 0
    assert reason_model._row.size() == 0
    assert "no-functional-improvement" in _codes(finding + ".")
    assert reasons._reading.size() == 1


def test_a_negation_reaches_only_its_own_clause():
    # a cue inside a parenthesis does not deny what the sentence says after it closes
    aside = (
        "Passive modalities (treatments that do not require effort on the part of the patient) are beneficial "
        "for controlling swelling in the early phase of care."
    )
    assert "no-functional-improvement" not in _codes(aside)
    # a cue before a semicolon does not reach the next clause ...
    assert "no-functional-improvement" not in _codes(
        "The patient did not attend the last visit; functional improvement was noted after the first six sessions."
    )
    # ... but a cue after it does, and so does a parenthesis the cue does not sit in
    assert "no-functional-improvement" in _codes(
        "The patient returned for follow-up; there is no evidence of functional improvement from therapy."
    )
    assert "no-functional-improvement" in _codes(
        "There is no note (of the six visits so far) of any functional improvement from therapy."
    )


def test_a_sentence_the_guideline_speaks_is_no_finding_unless_it_names_this_case():
    speaks = [
        "The ACOEM Guidelines recommend reserving MRI for those with clear examination findings when the "
        "symptoms do not respond to conservative management for a month.",
        "Additionally, per the ACOEM Guidelines, physical modalities such as heat and ultrasound have no proven "
        "efficacy in treating acute low back symptoms.",
        "Regarding therapy, the ODG states that when the number of visits exceeds the guideline, exceptional "
        "factors should be noted.",
        "The 2016 MTUS guidelines cite the ODG: allow for fading of treatment frequency plus active self-directed "
        "home therapy.",
    ]
    for sentence in speaks:
        assert _codes(sentence, title="Lumbar MRI") == [], sentence
    assert "conservative-care-not-tried" in _codes(
        "Per the ODG, the patient has not had a trial of conservative care before this request.", title="Lumbar MRI"
    )


def test_a_limit_on_duration_is_not_a_treatment_the_guideline_rejects():
    assert "not-recommended" not in _codes(
        "Muscle relaxants are not recommended for longer than 2-3 weeks.", title="Tizanidine 4mg #60"
    )
    assert "not-recommended" in _codes("Tizanidine is not recommended for this patient.", title="Tizanidine 4mg #60")


def test_the_model_adds_a_code_of_absence_only_from_a_sentence_with_a_negation():
    from kg.reading.reasons import model_may_add

    shown = "The examination shows objective evidence of nerve root compromise at L5."
    assert not model_may_add("indications-not-documented", shown, "Upheld")
    assert model_may_add("indications-not-documented", "There is no nerve root compromise on examination.", "Upheld")
    # a code that is not an absence needs none
    assert model_may_add("exceeds-guideline-limits", "Twelve visits were requested after twelve completed.", "Upheld")


def test_the_model_does_not_add_back_a_code_the_patterns_let_yield():
    from kg.reading.reasons import model_may_add

    home = "There was no clear rationale for more supervised therapy over the patient's home exercise program."
    assert _codes(home) == ["home-program-sufficient"]
    assert not model_may_add("rationale-not-provided", home, "Upheld")
    # the catch-all code may be added beside a specific one: the model was right to more often than not
    tried = "There was no documentation of neuropathic pain or of a failed trial of antidepressants."
    assert model_may_add("indications-not-documented", tried, "Upheld")


def test_a_drug_is_named_by_its_generic_name_as_by_its_title():
    # guideline-worded, so a finding only when it names the request: "Soma" is carisoprodol
    sentence = "Carisoprodol is not indicated for long-term use and is not recommended by the MTUS."
    title = "Soma 350mg #60"
    assert "not-recommended" not in _codes(sentence, title=title)
    found = find_reasons(sentence, 0, len(sentence), "Upheld", title, "Muscle Relaxants", ("carisoprodol",))
    assert [r.code for r in found] == ["not-recommended"]
    # the parser passes the item's ingredients
    letter = parse_text(letter_text(item_text(title=title, rationale=sentence)), "f.txt")
    (item,) = letter.items
    assert "carisoprodol" in item.treatment.ingredients
    assert "not-recommended" in [r.code for r in item.reasons]


def test_a_conclusion_gives_only_its_own_codes_but_a_reason_before_therefore_counts():
    from kg.reading.reasons import model_may_add

    verdict = "Therefore, the request is not supported at this time."
    assert not model_may_add("not-recommended", verdict, "Upheld")
    assert model_may_add("dependent-request", verdict, "Upheld")
    # a reason given before "therefore" is read, and so is a finding that opens with "as such"
    assert "exceeds-guideline-limits" in _codes(
        "No extenuating circumstances would require an extra 12 visits of therapy, therefore this request is "
        "not medically necessary."
    )
    assert "indications-not-documented" in _codes(
        "As such, the medical records do not support MRI of the knee.", title="Knee MRI"
    )


def test_a_diagnostic_test_has_no_benefit_of_its_own_to_document():
    sentence = "The injured worker was previously treated with physical therapy but without improvement."
    found = find_reasons(sentence, 0, len(sentence), "Upheld", "Lumbar MRI", category="Diagnostic Testing")
    assert "no-functional-improvement" not in [r.code for r in found]
    found = find_reasons(sentence, 0, len(sentence), "Upheld", "Physical therapy x 6", category="Rehabilitation")
    assert "no-functional-improvement" in [r.code for r in found]


def test_guideline_words_stay_the_guideline_s():
    for sentence in (
        "When treatment duration and/or number of visits exceeds the guideline, exceptional factors should be noted.",
        'Regarding therapy, ODG states "Patients should be assessed after a six-visit trial to see if the patient '
        'is moving in a positive direction."',
        "The guidelines recommend specific criteria for a hospital bed, which include the specific medical "
        "rationale for the bed, e.g. positioning or inability to transfer.",
        'These guidelines further stipulate that the "addition of cyclobenzaprine to other agents is not recommended."',
    ):
        assert _codes(sentence, title="Physical therapy x 12") == [], sentence
    compound = (
        "Given that the guidelines state that any compounded product that contains a drug that is not recommended "
        "is not recommended, the request for the cream is not medically necessary."
    )
    assert "dependent-request" not in _codes(compound, title="Ketoprofen/lidocaine cream")


def test_the_model_does_not_add_a_code_where_its_unless_rules_it_out():
    from kg.reading.reasons import model_may_add

    sentence = "The objective findings provided do not provide a clear rationale for this study."
    assert not model_may_add("rationale-not-provided", sentence, "Upheld")
    assert "indications-not-documented" in _codes(sentence, title="EMG/NCV")


def test_etc_ends_a_sentence_before_a_capital():
    text = "It includes positioning, pressure wounds, etc. These criteria are not met."
    assert [t for t, _ in sentences(text, 0, len(text))] == [
        "It includes positioning, pressure wounds, etc.",
        "These criteria are not met.",
    ]
