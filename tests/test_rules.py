"""The reading rules as data with their proof beside them (after reporters-db's ``check_regexes``):
every rule file holds to its JSON Schema, every pattern matches each of its own examples, the
reader reads each example as its code (and none of its not-examples), and the engine that gates
the patterns answers as the plain patterns would. One case per rule, so a run lists every broken
rule, not the first."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CORPUS

from kg import parse_text
from kg.base.resources import data_file
from kg.reading import treatments
from kg.reading.reasons import find_reasons, sentences
from kg.rules import engine as E
from kg.rules import rulefile as R
from kg.rules import schemes as S

REASON_FILES = ["reasons/scheme.json", *[f"reasons/{c}.json" for c in S.reason_scheme()["codes"]]]
RULE_FILES = [*REASON_FILES, "treatments.json", "fragments.json", "guidelines.json", "drug_classes.json"]


def _reason_cases():
    for code in S.reason_codes():
        for kind in S.REASON_RULE_KINDS:
            for rule in S.reason_rules(code, kind):
                yield pytest.param(code, kind, rule, id=f"{code['code']}:{kind}:{rule.id}")
        if code.get("requires"):
            (rule,) = S.rules([code["requires"]], code["code"])
            yield pytest.param(code, "requires", rule, id=f"{code['code']}:requires")


def _codes(example: R.Example, outcome: str) -> list[str]:
    text = example.text
    return [r.code for r in find_reasons(text, 0, len(text), outcome, example.title, example.drug_class)]


@pytest.mark.parametrize("name", RULE_FILES)
def test_rule_files_hold_to_their_schemas(name):
    """The full JSON Schema validator agrees with the loader's own check (kg.rules.rulefile.check)."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    schemas = {}
    for f in data_file("schemas").iterdir():
        schemas[f.name] = json.loads(f.read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resources(
        (n, referencing.Resource.from_contents(s)) for n, s in schemas.items()
    )
    data = json.loads(data_file(name).read_text(encoding="utf-8"))
    schema_name = R._schema_for(name)
    jsonschema.Draft202012Validator(schemas[schema_name], registry=registry).validate(data)
    R.check(data, schema_name, name)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["patterns"][0].pop("examples"), "lacks 'examples'"),
        (lambda d: d["patterns"][0].update(examples=[]), "at least 1"),
        (lambda d: d["patterns"][0].update(keywords=["x"]), "unknown key 'keywords'"),
        (lambda d: d.update(outcome="Denied"), "should be one of"),
        (lambda d: d["patterns"][0].update(id="Not An Id"), "does not match"),
    ],
)
def test_the_loader_refuses_a_rule_file_that_does_not_hold(change, message):
    data = json.loads(data_file("reasons/long-term-use.json").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(R.RuleError, match=re.escape(message)):
        R.check(data, "reason-code.schema.json", "reasons/long-term-use.json")


def test_a_pattern_nothing_can_gate_or_an_unknown_fragment_is_an_error_not_a_silent_no_op():
    ungated = R.rule({"id": "classes-only", "regex": r"\b[a-z]+\b|not indicated", "examples": ["x"]}, "test")
    with pytest.raises(R.RuleError, match="no word every match contains"):
        R.gate_literals(ungated, "test", lower=True)
    with pytest.raises(R.RuleError, match="unknown fragment"):
        R.expand(r"no {nothing_like_this} here", "test")
    with pytest.raises(R.RuleError, match="needs a number"):
        R.expand(r"pain{gap}remained", "test")
    assert R.expand(["pain{gap:30}remained", "{lead_in}per the odg"]).startswith("pain[^.]{0,30}remained|(?:(?:")


@pytest.mark.parametrize("code, kind, rule", list(_reason_cases()))
def test_each_reason_rule_matches_its_examples_and_the_reader_reads_them(code, kind, rule):
    regex = re.compile(E.lower_pattern(rule.regex))
    assert rule.examples, "a rule without an example of its own"
    for example in rule.examples:
        assert regex.search(example.text.lower()), f"{rule.id} does not match its example {example.text!r}"
        if kind == "requires":
            continue
        read = code["code"] in _codes(example, code["outcome"])
        if kind == "unless":
            assert not read, f"'unless' {rule.id} should keep {code['code']} from {example.text!r}"
        else:
            assert read, f"{code['code']} is not read from {rule.id}'s example {example.text!r}"
    for example in rule.not_examples:
        assert code["code"] not in _codes(example, code["outcome"]), f"{code['code']} read from {example.text!r}"


@pytest.mark.parametrize("code", S.reason_codes(), ids=lambda c: c["code"])
def test_a_code_s_own_examples_are_read_and_its_statements_of_the_opposite_are_not(code):
    """Code-level examples: wordings no pattern matches that the sentence model reads; and
    statements of the opposite (therapy helped, care was tried) that must give no code."""
    for example in (R._example(e) for e in code.get("examples", ())):
        assert code["code"] in _codes(example, code["outcome"]), example.text
    for example in (R._example(e) for e in code.get("not_examples", ())):
        assert code["code"] not in _codes(example, code["outcome"]), example.text


@pytest.mark.parametrize("name", sorted(S.reason_scheme()["cues"]))
def test_each_cue_matches_its_examples(name):
    rule = S.cue(name)
    for example in rule.examples:
        assert re.search(E.lower_pattern(rule.regex), example.text.lower()), example.text


@pytest.mark.parametrize("fragment", R.load("fragments.json")["fragments"], ids=lambda f: f["id"])
def test_each_fragment_matches_its_examples_whole(fragment):
    body = fragment["regex"].replace("N", "80") if fragment.get("param") else fragment["regex"]
    for example in fragment["examples"]:
        assert re.fullmatch(body, example), example


def _treatment_cases():
    for concept in S.treatment_scheme()["concepts"]:
        for rule in S.treatment_rules(concept):
            yield pytest.param(concept["id"], rule, id=f"{concept['id']}:{rule.id}")


@pytest.mark.parametrize("concept, rule", list(_treatment_cases()))
def test_each_treatment_rule_matches_its_examples_and_classifies_them(concept, rule):
    """A title the rule matches is classified as its concept, or (``shadowed_by``) as the earlier
    concept that catches every text the rule matches: rule_report lists those as dead."""
    regex = re.compile(rule.regex, re.I)
    assert rule.examples, "a rule without an example of its own"
    for example in rule.examples:
        assert regex.search(example.text), f"{rule.id} does not match its example {example.text!r}"
        found = treatments._first_rule(example.text)
        assert found is not None and found[0] == (rule.shadowed_by or concept), (example.text, found and found[0])


def test_the_dose_evidence_matches_its_examples():
    (dose,) = S.rules([S.treatment_scheme()["evidence"]["dose"]], "dose")
    for example in dose.examples:
        assert re.search(dose.regex, example.text, re.I), example.text


# --- the engine (kg.rules.engine) -------------------------------------------------------------


def test_the_private_regex_parser_still_says_what_the_engine_reads():
    """kg.rules.engine reads literals through re._parser, private to Python: if a release changes
    what it returns, this fails before any rule is silently searched everywhere or nowhere."""
    import re._constants as c
    import re._parser as p

    parsed = list(p.parse(r"\bno (?:evidence|indication)+ of"))
    assert [op for op, _ in parsed][:2] == [c.AT, c.LITERAL]
    repeat = next(av for op, av in parsed if op is c.MAX_REPEAT)
    assert repeat[0] == 1 and repeat[2][0][0] is c.BRANCH and len(repeat[2][0][1][1]) == 2
    assert E.required_literals(r"\bexceed") == {"exceed"}
    assert E.required_literals(r"\b(?:twice|double) the (?:number|amount)") == {"number", "amount"}


def test_shared_word_boundary_alternation_finds_what_the_plain_join_finds():
    """kg.rules.engine.alternation puts runs of ``\\b`` alternatives behind one ``\\b`` for speed; every
    search must give the same span as the plain ``|``-join (the negation cue's end is used)."""

    from kg.rules.engine import alternation
    from kg.rules.engine import alternatives as _alternatives

    patterns = [
        r"(?:\bno\b|\bnot\b|n't\b|\black(?:s|ing)?\b|\bfail(?:s|ed)? to\b)",
        r"[|(]x\b",
        r"\bpurchase is not (?:supported|indicated)",
        r"(?<!no )(?:functional improvement)",
        r"^(?:therefore|thus)\b|\bmedically necessary\W*$",
    ]
    assert _alternatives(patterns[0])[:3] == [r"\bno\b", r"\bnot\b", r"n't\b"]
    assert _alternatives(r"(?:a)(?:b|c)") == [r"(?:a)(?:b|c)"]  # a group that does not wrap it all
    plain, shared = re.compile("|".join(f"(?:{p})" for p in patterns)), alternation(patterns)
    assert shared.pattern.count(r"\b(?:") >= 2
    sentences = [
        "the patient did not fail to improve",
        "there was a lack of functional improvement",
        "no functional improvement, (x noted; purchase is not supported",
        "therefore, the request is medically necessary.",
        "it isn't documented",
        "nothing here",
    ]
    for s in sentences:
        for start in range(0, len(s), 5):
            a, b = plain.search(s, start), shared.search(s, start)
            assert (a and a.span()) == (b and b.span()), (s, start)


def test_one_literal_scan_finds_every_keyword_a_substring_search_finds():
    """kg.rules.engine.LiteralIndex finds every keyword occurrence, overlapping ones and those inside
    longer words too, with where each negated keyword begins."""
    from kg.rules.engine import LiteralIndex

    words = ["post", "posterior", "pre", "red", "red flag", "flag", "end", "ending", "effic", "4 a", "hep"]
    index = LiteralIndex()
    for i, w in enumerate(words):
        index.keyword(w, 1 << i, 1 << i if i % 2 else 0)
    index.build()
    texts = [
        "postoperative red flags were absent, ending the trial; no efficacy",
        "the hep (home exercise) preceded the posterior approach; 4 a's not documented",
        "",
        "nothing of note",
    ]
    for text in texts:
        keywords, gates, negated = index.scan(text)
        assert gates == 0
        assert keywords == sum(1 << i for i, w in enumerate(words) if w in text), text
        expected = sorted(
            (j, 1 << i) for i, w in enumerate(words) if i % 2 for j in range(len(text)) if text.startswith(w, j)
        )
        assert sorted(negated) == expected, text


def test_reason_keyword_masks_are_derived_from_what_the_patterns_require():
    """A code's bit is set for a sentence exactly when a literal one of its patterns requires is in
    it, and its negated bit when a literal of its negated terms begins after a position: the gates
    are derived, so no pattern sits behind a gate that cannot let it through."""
    from kg.reading.reasons import _scheme

    literals = _scheme().literals
    sentence = "no documentation of objective functional improvement from the prior home exercise program"
    keywords, _, after = literals.scan(sentence)
    negated = 0
    for start, mask in after:
        negated |= mask if start >= 10 else 0
    for i, code in enumerate(S.reason_codes()):
        for kind, mask, text in (("patterns", keywords, sentence), ("negated", negated, sentence[10:])):
            words = {
                w
                for r in S.reason_rules(code, kind)
                for a in E.alternatives(E.lower_pattern(r.regex))
                for w in E.required_literals(a) or ()
            }
            assert bool(mask & 1 << i) == any(w in text for w in words), (code["code"], kind)


def test_required_literals_are_in_every_match():
    """kg.rules.engine.required_literals: every match holds one of the literals; no set where one
    cannot be told (a class, an optional part, flags)."""
    from kg.rules.engine import required_literals

    assert required_literals(r"(?:does|do|did) not meet (?:the |any )?(?:\w+ )?criteria") == {" not meet "}
    assert required_literals(r"\bno (?:evidence|indication) of\b[^.]{0,60}\bred flags?") == {"red flag"}
    assert required_literals(r"(?:\bno\b|\bnot\b|n't\b|\black(?:s|ing)?\b)") == {"no", "not", "n't", "lack"}
    assert required_literals(r"x+") == {"x"}
    for none in (r"[abc]", r"(?:abc)?", r"(?i)abc", r"\w+", r"a|[bc]", r"(?i:abc)"):
        assert required_literals(none) is None, none
    pattern, texts = r"\b(?:is|are) not (?:medically )?indicated(?: at this time)?\W*$", ["it is not indicated."]
    for t in texts:
        assert re.search(pattern, t) and any(lit in t for lit in required_literals(pattern))


def test_gated_patterns_answer_as_the_whole_pattern_on_every_sentence():
    """Each reason pattern searched as its gated alternatives says what the whole pattern says,
    on the composed wordings and, where CI has them, every rationale sentence of the shared letters."""
    from kg.reading.reasons import _scheme

    s = _scheme()
    patterns = [s.negation, s.generic, s.about_case, s.conclusion, s.connector]
    for c in s.codes:
        patterns += [p for p in (c.pattern, c.negated, c.in_guideline_text, c.unless) if p is not None]
    texts = [e.text.lower() for c, _, r in (p.values for p in _reason_cases()) for e in r.examples]
    for path in sorted((CORPUS / "found").glob("*.txt"))[:60]:
        letter = parse_text(path.read_text(), path.name)
        for item in letter.items:
            texts += [t.lower() for t, _ in sentences(letter.text, item.rationale_span.start, item.rationale_span.end)]
    assert len(texts) > 20
    for text in texts:
        _, gates, _ = s.literals.scan(text)
        for p in patterns:
            for pos in (0, len(text) // 2):
                assert p.search(text, gates, pos) == bool(p.whole.search(text, pos)), (p.whole.pattern[:80], text)


def test_gated_patterns_answer_as_the_whole_pattern_on_composed_text():
    """The same on texts composed of the patterns' own literals and keywords, joined by spaces or
    punctuation: where a gate could wrongly close, it is most likely to show."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kg.reading.reasons import _scheme

    s = _scheme()
    patterns = [s.negation, s.generic, s.about_case, s.conclusion, s.connector]
    for c in s.codes:
        patterns += [p for p in (c.pattern, c.negated, c.in_guideline_text, c.unless) if p is not None]
    words = sorted(s.literals.words) + ["the", "patient", "request", "medically", "necessary", "of", "is", "was"]

    @settings(max_examples=800, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(words), st.sampled_from([" ", ", ", ". ", " - ", ""])), max_size=30))
    def check(parts):
        text = "".join(w + sep for w, sep in parts).strip()
        _, gates, _ = s.literals.scan(text)
        for p in patterns:
            assert p.search(text, gates) == bool(p.whole.search(text)), (p.whole.pattern[:80], text)

    check()


def _data_files():
    from kg.base.resources import data_file

    root = data_file("")
    for f in sorted([*root.iterdir(), *root.joinpath("reasons").iterdir()], key=lambda f: f.name):
        if f.name.endswith(".json") and f.name not in (
            "reason_model.json",
            "filters.json",
            "report.json",
            "fragments.json",
        ):
            yield f


def _rule_objects(node, path=""):
    """Every rule object (a dict with an id, a regex and examples) in a JSON tree, and every bare
    regex string left under a key that names patterns."""
    if isinstance(node, dict):
        if "regex" in node and "id" in node:
            yield path, node
            return
        for key, value in node.items():
            if key in ("pattern", "patterns", "words", "regex", "odg_chapter_qualifiers") and (
                isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], str))
            ):
                yield f"{path}.{key}", value  # a bare regex: no examples of its own
            else:
                yield from _rule_objects(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _rule_objects(value, f"{path}[{i}]")


@pytest.mark.parametrize("f", list(_data_files()), ids=lambda f: f.name)
def test_every_pattern_in_kg_data_is_a_rule_with_examples_of_its_own(f):
    """reporters-db's check_regexes over every data file: no regex stands without examples, and
    each matches its own (reason rules on lower-cased text, the others case-insensitively)."""
    found = list(_rule_objects(json.loads(f.read_text(encoding="utf-8"))))
    for path, obj in found:
        assert isinstance(obj, dict), f"{f.name}{path} is a bare regex: make it a rule with examples"
        rule = R.rule(obj, f.name)
        assert rule.examples, f"{f.name}{path} has no example"
        for example in rule.examples:
            text, regex = example.text, rule.regex
            if f.parent.name == "reasons":
                text, regex = text.lower(), E.lower_pattern(regex)
            assert re.search(regex, text, 0 if f.parent.name == "reasons" else re.I), f"{f.name}{path}: {text!r}"


def test_an_acronym_rule_matches_the_word_not_letters_inside_other_words():
    """`bench/rule_report.py` showed opioid-monitoring's VAS rule with precision 0.0: "vas" matched
    "the vast majority of recommendations" (its evidence in three shared letters)."""
    code = next(c for c in S.reason_codes() if c["code"] == "opioid-monitoring")
    (vas,) = [r for r in S.reason_rules(code, "patterns") if r.id == "vas"]
    regex = re.compile(E.lower_pattern(vas.regex))
    assert regex.search("there are no vas scores documented")
    assert not regex.search("the vast majority of recommendations are consensus-based")
    assert not regex.search("invasive procedures and vascular findings")
