"""A small sentence model for decision reasons: TF-IDF over word uni- and bigrams, one logistic
regression per reason code, stored as plain numbers in ``kg/data/reason_model.json``.

Trained by ``bench/train_reasons.py`` (scikit-learn, a fixed seed, grouped cross-validation on the
shared item labels) and applied here in plain Python, exactly as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` and ``LogisticRegression`` compute it, so scikit-learn is
not needed at run time. Every code it adds points at the sentence it scored highest.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

from kg.base.vocab import load_json
from kg.reading import patterns as P
from kg.reading.memo import CACHED_SENTENCES, LONGEST_CACHED_SENTENCE, remembered
from kg.reading.models import Span


@cache
def _model() -> dict | None:
    try:
        return load_json("reason_model.json")
    except FileNotFoundError:
        return None


@cache
def _codes() -> tuple[str, ...]:
    """The codes the model scores, in the order of the values of :func:`_row`."""
    return tuple((_model() or {"codes": {}})["codes"])


def features(sentence: str, ngrams: tuple[int, int] = (1, 2)) -> Counter[str]:
    """Word n-gram counts of a sentence, lower case, tokens as scikit-learn splits them."""
    return Counter(_grams(sentence, ngrams))


def probabilities(sentence: str, codes: list[str]) -> dict[str, float]:
    """Each code's probability that the sentence states it."""
    if _model() is None:
        return {}
    order = _codes()
    z = _row(sentence)
    wanted = set(codes)
    return {code: 1.0 / (1.0 + math.exp(-float(z[k]))) for k, code in enumerate(order) if code in wanted}


@cache
def _table() -> tuple[dict[str, tuple[float, tuple[tuple[int, float], ...]]], tuple[float, ...], tuple[int, int]]:
    """The model as one lookup: term -> (its idf, the (code column, idf x weight) pairs of the
    codes that weigh it), for every term with an idf (they all count towards a sentence's norm);
    the intercepts in the order of :func:`_codes`; and the n-gram range."""
    model = _model() or {"idf": {}, "codes": {}, "ngrams": [1, 2]}
    codes = _codes()
    table = {
        term: (
            idf,
            tuple(
                (k, idf * model["codes"][c]["weights"][term])
                for k, c in enumerate(codes)
                if term in model["codes"][c]["weights"]
            ),
        )
        for term, idf in model["idf"].items()
    }
    return table, tuple(model["codes"][c]["intercept"] for c in codes), tuple(model["ngrams"])


def _grams(sentence: str, ngrams: tuple[int, int]) -> list[str]:
    """A sentence's word n-grams in order (unigrams first), as :func:`features` counts them."""
    tokens = _tokens(sentence.lower())
    out: list[str] = []
    for n in range(ngrams[0], ngrams[1] + 1):
        out.extend(tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return out


def _tokens(lowered: str) -> list[str]:
    """The words of two or more word characters, as scikit-learn's token pattern finds them
    (kg.reading.patterns.MODEL_TOKEN); in an ASCII sentence with the ASCII form of that pattern, which
    finds the same words in about two thirds of the time (3 against 4.8 µs a rationale sentence)."""
    return (P.MODEL_TOKEN_ASCII if lowered.isascii() else P.MODEL_TOKEN).findall(lowered)


def _score(sentence: str) -> tuple[float, ...]:
    """A sentence's logit for every code (in the order of :func:`_codes`): TF-IDF with sublinear
    tf and an L2 norm, as scikit-learn computes it (terms no code weighs count towards the norm
    only), times the weights, plus the intercepts.

    Term by term in Python, remembered per sentence: the letters quote the same guideline
    sentences again and again (a quarter of the findings of the 130 shared letters repeat an
    earlier one), and a remembered row costs a lookup. Measured on those letters, alternated in
    one run: 0.31 ms a letter for numpy arrays over each rationale, about the same for this
    computed afresh, and 0.2 ms with the rows remembered."""
    table, intercepts, ngrams = _table()
    acc = [0.0] * len(intercepts)
    squares = 0.0
    for term, count in Counter(_grams(sentence, ngrams)).items():
        entry = table.get(term)
        if entry is None:
            continue
        idf, weighted = entry
        if count == 1:  # nine terms in ten: no logarithm, no multiplication by tf
            squares += idf * idf
            for k, w in weighted:
                acc[k] += w
            continue
        tf = 1.0 + math.log(count)
        squares += (tf * idf) ** 2
        for k, w in weighted:
            acc[k] += tf * w
    norm = math.sqrt(squares) or 1.0
    return tuple(b + a / norm for b, a in zip(intercepts, acc, strict=True))


_row = remembered(CACHED_SENTENCES, LONGEST_CACHED_SENTENCE)(_score)  # :func:`_score`, remembered (kg.reading.memo)


def confident(sentences: list[tuple[str, Span]], codes: list[str]) -> dict[str, tuple[str, Span]]:
    """The codes whose best sentence scores above the model's threshold, with that sentence (the
    first of equal bests)."""
    model = _model()
    if model is None or not sentences:
        return {}
    order = _codes()
    wanted = [(code, order.index(code)) for code in codes if code in order]
    if not wanted:
        return {}
    rows = [_row(s) for s, _ in sentences]
    threshold = math.log(model["threshold"] / (1.0 - model["threshold"]))  # p > t, as a logit
    out = {}
    for code, k in wanted:
        best = max(range(len(rows)), key=lambda i: rows[i][k])
        if rows[best][k] > threshold:
            out[code] = sentences[best]
    return out


__all__ = ["confident", "features", "probabilities"]
