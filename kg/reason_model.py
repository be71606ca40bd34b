"""A small sentence model for decision reasons: TF-IDF over word uni- and bigrams, one logistic
regression per reason code, stored as plain numbers in ``kg/data/reason_model.json``.

Trained by ``bench/train_reasons.py`` (scikit-learn, a fixed seed, grouped cross-validation on the
shared item labels) and applied here in plain Python, exactly as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` and ``LogisticRegression`` compute it, so nothing beyond
the package is needed at run time. Every code it adds points at the sentence it scored highest.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

from kg import patterns as P
from kg.models import Span
from kg.vocab import load_json

_LOG = [0.0] + [math.log(n) for n in range(1, 16)]


@cache
def _model() -> dict | None:
    try:
        return load_json("reason_model.json")
    except FileNotFoundError:
        return None


@cache
def _by_term() -> tuple[dict[str, tuple[tuple[str, float], ...]], dict[str, float]]:
    """term -> ((code, weight), ...) and code -> intercept: a sentence's few terms are looked up
    once each, instead of once per code (a third of the model's time)."""
    model = _model() or {"codes": {}}
    table: dict[str, list[tuple[str, float]]] = {}
    for code, m in model["codes"].items():
        for term, w in m["weights"].items():
            table.setdefault(term, []).append((code, w))
    return {t: tuple(v) for t, v in table.items()}, {c: m["intercept"] for c, m in model["codes"].items()}


def features(sentence: str, ngrams: tuple[int, int] = (1, 2)) -> Counter[str]:
    """Word n-gram counts of a sentence, lower case, tokens as scikit-learn splits them."""
    tokens = P.MODEL_TOKEN.findall(sentence.lower())
    out: Counter[str] = Counter()
    for n in range(ngrams[0], ngrams[1] + 1):
        for i in range(len(tokens) - n + 1):
            out[" ".join(tokens[i : i + n])] += 1
    return out


def _vector(sentence: str, model: dict) -> dict[str, float]:
    idf = model["idf"]
    weights = {
        t: (1.0 + _LOG[c] if c < len(_LOG) else 1.0 + math.log(c)) * idf[t]
        for t, c in features(sentence, tuple(model["ngrams"])).items()
        if t in idf
    }
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def probabilities(sentence: str, codes: list[str]) -> dict[str, float]:
    """Each code's probability that the sentence states it."""
    model = _model()
    if model is None:
        return {}
    weights, intercepts = _by_term()
    z = {code: intercepts[code] for code in codes if code in intercepts}
    for term, v in _vector(sentence, model).items():
        for code, w in weights.get(term, ()):
            if code in z:
                z[code] += w * v
    return {code: 1.0 / (1.0 + math.exp(-s)) for code, s in z.items()}


def confident(sentences: list[tuple[str, Span]], codes: list[str]) -> dict[str, tuple[str, Span]]:
    """The codes whose best sentence scores above the model's threshold, with that sentence."""
    model = _model()
    if model is None:
        return {}
    best: dict[str, tuple[float, str, Span]] = {}
    for sentence, span in sentences:
        for code, p in probabilities(sentence, codes).items():
            if p > model["threshold"] and (code not in best or p > best[code][0]):
                best[code] = (p, sentence, span)
    return {code: (s, span) for code, (_, s, span) in best.items()}


__all__ = ["confident", "features", "probabilities"]
