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
def _by_term() -> tuple[dict[str, tuple[float, tuple[tuple[int, float], ...]]], tuple[str, ...], tuple[float, ...]]:
    """term -> (idf, ((code index, weight), ...)), the codes, and their intercepts: a sentence's
    few terms are looked up once each, instead of once per code, and scores add up in a list."""
    model = _model() or {"codes": {}, "idf": {}}
    codes = tuple(model["codes"])
    table: dict[str, list[tuple[int, float]]] = {}
    for k, code in enumerate(codes):
        for term, w in model["codes"][code]["weights"].items():
            table.setdefault(term, []).append((k, w))
    idf = model["idf"]
    terms = {t: (idf[t], tuple(v)) for t, v in table.items() if t in idf}
    return terms, codes, tuple(model["codes"][c]["intercept"] for c in codes)


def features(sentence: str, ngrams: tuple[int, int] = (1, 2)) -> Counter[str]:
    """Word n-gram counts of a sentence, lower case, tokens as scikit-learn splits them (counted by
    ``Counter.update``, which runs in C: half the time of adding them one by one)."""
    tokens = P.MODEL_TOKEN.findall(sentence.lower())
    out: Counter[str] = Counter()
    for n in range(ngrams[0], ngrams[1] + 1):
        out.update(tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return out


def probabilities(sentence: str, codes: list[str]) -> dict[str, float]:
    """Each code's probability that the sentence states it."""
    if _model() is None:
        return {}
    _, order, _ = _by_term()
    z = _logits([sentence])[0]
    wanted = set(codes)
    return {code: 1.0 / (1.0 + math.exp(-float(z[k]))) for k, code in enumerate(order) if code in wanted}


@cache
def _matrix():
    """The weights as a dense terms x codes array (3,223 x 13), for scoring a rationale's sentences
    in one product: a third of the time of adding them up term by term in Python."""
    import numpy as np

    terms, codes, intercepts = _by_term()
    index = {t: i for i, t in enumerate(terms)}
    weights = np.zeros((len(terms), len(codes)))
    for t, (_, pairs) in terms.items():
        for k, w in pairs:
            weights[index[t], k] = w
    return index, weights, np.array(intercepts)


@cache
def _terms() -> dict[str, tuple[float, int]]:
    """term -> (idf, its row in :func:`_matrix`'s weights, or -1 when no code weighs it): one
    lookup a term instead of two."""
    model = _model() or {"idf": {}}
    index = _matrix()[0]
    return {t: (w, index.get(t, -1)) for t, w in model["idf"].items()}


def _logits(sentences: list[str]):
    """Each sentence's logit for every code (rows: sentences; columns: :func:`_by_term`'s codes):
    TF-IDF with sublinear tf and an L2 norm, as scikit-learn computes it (terms no code weighs
    count towards the norm only), times the weights, plus the intercepts."""
    import numpy as np

    model = _model() or {"ngrams": [1, 2]}
    _, weights, intercepts = _matrix()
    terms, ngrams = _terms(), tuple(model["ngrams"])
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for i, sentence in enumerate(sentences):
        found: list[tuple[int, float]] = []
        total = 0.0
        for t, c in features(sentence, ngrams).items():
            known = terms.get(t)
            if known is None:
                continue
            x = (1.0 + _LOG[c] if c < len(_LOG) else 1.0 + math.log(c)) * known[0]
            total += x * x
            if known[1] >= 0:
                found.append((known[1], x))
        norm = math.sqrt(total) or 1.0
        for j, x in found:
            rows.append(i)
            cols.append(j)
            values.append(x / norm)
    logits = np.tile(intercepts, (len(sentences), 1))
    if rows:  # rows come in order: sum each sentence's run of terms (np.add.at is 5x slower)
        order = np.array(rows)
        starts = np.flatnonzero(np.r_[True, order[1:] != order[:-1]])
        logits[order[starts]] += np.add.reduceat(weights[cols] * np.array(values)[:, None], starts, axis=0)
    return logits


def confident(sentences: list[tuple[str, Span]], codes: list[str]) -> dict[str, tuple[str, Span]]:
    """The codes whose best sentence scores above the model's threshold, with that sentence."""
    import numpy as np

    model = _model()
    if model is None or not sentences:
        return {}
    logits = _logits([s for s, _ in sentences])
    _, order, _ = _by_term()
    threshold = math.log(model["threshold"] / (1.0 - model["threshold"]))  # p > t, as a logit
    out: dict[str, tuple[str, Span]] = {}
    for code in codes:
        if code not in order:
            continue
        column = logits[:, order.index(code)]
        best = int(np.argmax(column))  # the first of equal bests, as a sentence-by-sentence scan takes
        if column[best] > threshold:
            out[code] = sentences[best]
    return out


__all__ = ["confident", "features", "probabilities"]
