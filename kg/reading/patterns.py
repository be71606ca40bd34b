"""The letter grammar: every regular expression that finds a letter's sections, header, reviewer, items and
citations, kept together so it reads in one place. The reason and treatment rules are data
(``kg/data``), run by :mod:`kg.rules`.

Patterns run on normalized text (:mod:`kg.reading.normalize`): one line per text line, single spaces.
"""

from __future__ import annotations

import re

M = re.MULTILINE
IC = re.IGNORECASE

# --- sections (Format 1: seeds 2014 and 2016-17 letters) -----------------------------------
HOW_MADE = re.compile(r"^HOW THE IMR FINAL DETERMINATION WAS MADE\s*$", M)
CASE_SUMMARY = re.compile(r"^CLINICAL CASE SUMMARY\s*$", M)
ISSUES = re.compile(r"^IMR ISSUES,? DECISIONS,? AND RATIONALES\s*$", M)
ISSUES_INTRO = re.compile(r"^The Final Determination was based on decisions for the disputed .*?below:\s*$", M)
SUMMARY_INTRO = re.compile(
    r"^The expert reviewer developed the following clinical case summary.*?\n?.*?medical records:\s*$", M | IC
)

# --- other layouts and documents we recognise but do not parse -----------------------------
FORMAT2 = re.compile(r"IMR DECISION\(S\) AND RATIONALE\(S\)|^DOCUMENTS REVIEWED\s*$", M)
FORMAT3 = re.compile(
    r"^MEDICAL PROFESSIONAL REVIEW\s*$|^ISSUE AT DISPUTE:|MEDICAL TREATMENT GUIDELINE\(S\) RELIED UPON", M
)
NOTICE_2013 = re.compile(
    r"Notice of Independent Medical Review Determination|INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE", IC
)

# --- header block (2016-17) -----------------------------------------------------------------
CASE_NUMBER = re.compile(r"Case Number:\s*(CM\d{2}-\d{7})\b")
CASE_NUMBER_ANY = re.compile(r"\bCM\d{2}-\d{7}\b")
_DATE = r"(\d{1,2}/\d{1,2}/\d{2,4})"
HEADER_DATES = {
    "assigned": re.compile(r"Date\s+Assigned:\s*" + _DATE),
    "injury": re.compile(r"Date\s+of\s+Injury:\s*" + _DATE),
    "decision": re.compile(r"Decision\s+Date:\s*" + _DATE),
    "ur_denial": re.compile(r"UR\s+Denial\s+Date:\s*" + _DATE),
    # "Application Received" is split by pypdf: "Priority: Standard Application\nReceived:\n12/01/2016"
    "application_received": re.compile(r"Application\s+Received:\s*" + _DATE),
}
PRIORITY = re.compile(r"Priority:\s*(Standard|Expedited|Urgent)\b", IC)

# --- reviewer ---------------------------------------------------------------------------
LICENSURE = re.compile(r"^State\(s\) of Licensure:\s*(?P<states>.*?)\s*$", M)
SPECIALTY_BLOCK = re.compile(
    r"^Certification\(s\)/Specialty:\s*(?P<spec>.*?)\s*(?=^CLINICAL CASE SUMMARY|^State\(s\)|\Z)", M | re.S
)
REVIEWER_PROSE = re.compile(
    r"(?:Board[ -]Certified|certified)\s+in\s+(?P<spec>.+?)"
    r"(?:,\s*(?:and\s+)?(?:has|with)\s+(?:a\s+)?sub-?specialt(?:y|ies)\s+in\s+(?P<sub>.+?))?"
    r",?\s+and\s+is\s+licensed\s+to\s+practice\s+in\s+(?P<states>.+?)\.",
    IC | re.S,
)
REVIEWER_LICENSED = re.compile(
    r"reviewer is (?:a )?(?:licensed|practicing) (?P<spec>[A-Za-z ]+?) (?:who is |and is )?licensed to practice in (?P<states>.+?)\.",
    IC | re.S,
)
LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")

# --- patient ------------------------------------------------------------------------------
AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", IC)
SEX_AFTER_AGE = re.compile(r"^\s*(?:\w+\s+){0,3}?(male|female|man|woman|gentleman|lady|boy|girl)\b", IC)
SEX_WORD = re.compile(r"\b(male|female|gentleman|woman|man|lady)\b", IC)
PRONOUN = re.compile(r"\b(he|his|him|she|her|hers)\b", IC)

INJURY_DATE_PROSE = re.compile(
    r"(?:date of injury|injur(?:y|ed)(?: at work)?|industrial injury|occupational claim)"
    r"(?:\s+(?:of|on|from|dated|date))*:?\s+"
    r"(?P<date>\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|[A-Z][a-z]+\.? \d{1,2}, \d{4})",
    IC,
)

# --- items ----------------------------------------------------------------------------------
# The outcome closes an item's title; the token may wrap onto its own line.
OUTCOME = re.compile(r":[ ]?\n?[ ]?(?P<outcome>Upheld|Overturned)[ ]*$", M)
CA_LABEL = re.compile(r"^Claims Administrator guideline:\s*", M)
IMR_LABEL = re.compile(r"^MAXIMUS guideline:\s*", M)
RATIONALE_LABEL = re.compile(r"^Decision rationale:\s*", M)
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s*$")
# Sentences that belong to a modified request's long title ("X was the original request. ...")
MODIFIED_SENTENCE = re.compile(
    r"(?:was the original request|authorized by the Claims Administrator|"
    r"leaving the original request IMR eligible|was modified|was certified)[.,]?\s*$",
    IC,
)

# --- citations ------------------------------------------------------------------------------
NO_EVIDENCE = re.compile(r"did not cite any medical evidence", IC)
OUTSIDE_MTUS = re.compile(r"based (?:their|its|his/her) decision on recommendation\(?s?\)? outside of the MTUS", IC)
DECISION_BASED_ON = re.compile(r"Decision based on\s+", IC)

# --- literature references in rationales: "(Fritz, 2007)", "(Smith et al., 2010)" -------------
LITERATURE = re.compile(
    r"\((?P<author>[A-Z][A-Za-z'\-]+(?:\s+(?:et al\.?|and|&)\s*(?:[A-Z][A-Za-z'\-]+)?)?),?\s+(?P<year>(?:19|20)\d{2})[a-z]?\)"
)

# --- drug names and dosage forms (kg.reading.drugs) ---------------------------------------------
DRUG_NAME_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# words in a dictionary's canonical name that say the form, not the drug ("lidocaine patch")
DRUG_FORM_WORDS = re.compile(
    r"\b(?:patch|patches|gel|cream|ointment|lotion|topical|transdermal|oral|tablets?|capsules?|injection|"
    r"injectable|solutions?|suspensions?|ophthalmic|otic|extended[- ]release|delayed[- ]release|er|xr|sr|cr|buccal|nasal|sprays?|drops?|inhalers?|"
    r"sodium|potassium|hydrochloride|hcl|bitartrate|sulfate|citrate|maleate|besylate|succinate|tartrate|"
    r"tromethamine|mesylate|fumarate|acetate|phosphate|hydrobromide|bromide|dihydrate|monohydrate|hyclate)\b"
)
TOPICAL_FORM = re.compile(
    r"\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|transdermal|topical(?:ly)?|rub|balm|liniment|roll-?on|"
    r"compound(?:ed)?|apply|applied|emulsion|foam)\b|\d\s*%",
    re.I,
)
INJECTED = re.compile(r"\binject|\bIM\b|\bIV\b|intramuscular|intravenous", re.I)
COMPOUND_WORD = re.compile(r"\bcompound(?:ed)?\b|\bkit\b", re.I)  # a product of two or more ingredients
GRAMS = re.compile(r"\b\d+(?:\.\d+)?\s*(?:g|gm|gms|grams?)\b", re.I)  # "180gm": a cream's or gel's weight
# "X contains A and B", "is composed of", "a combination of", "ingredients:", "(A/B)": what follows names the contents
CONTAINS = re.compile(
    r"\b(?:contains?|containing|consists? of|consisting of|(?:is )?composed of|comprised of|is made (?:up )?of|"
    r"(?:is )?a (?:compound(?:ed)?|combination|mixture|blend) (?:product |cream |medication )?of|includes?|including|"
    r"formulated with|(?:active )?ingredients? (?:include|are))\b|\b(?:active )?ingredients?:|\(",
    re.I,
)
THIS_PRODUCT = re.compile(
    r"\b(?:this|the|requested|the requested) (?:compound(?:ed)? (?:product|cream|medication)?|compound|cream|gel|"
    r"patch|lotion|ointment|product|medication|topical(?: product| analgesic)?|kit)\b",
    re.I,
)

# --- treatment classification (kg.reading.treatments) -------------------------------------------
TITLE_PREFIX = re.compile(
    r"^(?:(?:associated surgical services?|retrospective(?: request)?|post-?op(?:erative)?|pre-?op(?:erative)?|"
    r"purchase|rental|request(?:ed)?|continued?|additional)\b\s*(?:of|for)?\s*:?\s*)+",
    re.I,
)
SURGICAL_PREFIX = re.compile(r"^\W*(?:associated surgical services?|post-?op(?:erative)?|pre-?op(?:erative)?)\b", re.I)

# --- decision reasons (kg.reading.reasons) ------------------------------------------------------
# a sentence ends at . ! ? before a capital, a quote or a bracket (ABBREVIATION_END tells false ends)
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
ABBREVIATION_END = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|vs|No|Nos|approx|e\.g|i\.e|Fig|St|Jr|Sr|al)|\b[A-Z])\.$")
TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")

# --- the reason model's tokens (kg.reading.reason_model) ----------------------------------------
MODEL_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
MODEL_TOKEN_ASCII = re.compile(r"[a-z0-9_]{2,}")  # the same words in lower-case ASCII text

# --- item details (kg.reading.details) ----------------------------------------------------------
DOSAGE_FORM = re.compile(
    r"\b(tablets?|tabs?|capsules?|patch(?:es)?|gel|cream|ointment|suspension|solution|injection|lotion|spray)\b", re.I
)

# -- dates (kg.reading.dates) --------------------------------------------------------------------------
NUMERIC_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})")  # 12/07/2016, 10-13-16: no dateutil needed
