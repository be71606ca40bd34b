"""Answers remembered per process for short texts: the one owner of the parse's caches.

Letters repeat the same titles, guideline sentences and citation lines again and again, so the
parse reads each once (:mod:`kg.reading.drugs` titles, :mod:`kg.reading.citations` citation lines,
:mod:`kg.reading.reasons` sentence readings, :mod:`kg.reading.reason_model` sentence scores). A memo keeps only
texts up to a length and only so many of them (least recently used first out), so its memory stays
bounded whatever the letters hold: a longer text (a run-on table, hostile input) is read afresh.
:func:`clear_all` empties every memo, so a benchmark round measures letters read for the first time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")

# the reason stages' memos: about 0.4 KB a sentence with its text, 8,192 sentences ~3 MB each
CACHED_SENTENCES = 8192
LONGEST_CACHED_SENTENCE = 2000


class ShortTextMemo(Generic[T]):
    """``fn(text, *rest)``, remembered for a ``text`` of at most ``longest`` characters."""

    def __init__(self, fn: Callable[..., T], maxsize: int, longest: int) -> None:
        self.fn = fn
        self.longest = longest
        self._cached = lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(self)

    def __call__(self, text: str, *rest: object) -> T:
        """The answer for ``text`` (and ``rest``), remembered if ``text`` is short enough."""
        if len(text) <= self.longest:
            return self._cached(text, *rest)
        return self.fn(text, *rest)

    def size(self) -> int:
        """How many answers are remembered now."""
        return self._cached.cache_info().currsize

    def clear(self) -> None:
        """Forget this memo's answers."""
        self._cached.cache_clear()


_MEMOS: list[ShortTextMemo] = []


def remembered(maxsize: int, longest: int) -> Callable[[Callable[..., T]], ShortTextMemo[T]]:
    """Decorate ``fn(text, *rest)`` as a :class:`ShortTextMemo`."""

    def wrap(fn: Callable[..., T]) -> ShortTextMemo[T]:
        return ShortTextMemo(fn, maxsize, longest)

    return wrap


def clear_all() -> None:
    """Forget every remembered answer."""
    for memo in _MEMOS:
        memo.clear()


__all__ = ["CACHED_SENTENCES", "LONGEST_CACHED_SENTENCE", "ShortTextMemo", "clear_all", "remembered"]
