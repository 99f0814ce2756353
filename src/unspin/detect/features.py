"""Span features shared by training (torch) and the runtime (numpy).

A span is described by the mean and max of its token states, the mean state of
its neighbourhood, and three article-level signals. The article-level signals
exist because a window cannot see that a phrase was already used 800 tokens
earlier, which is what Repetition is about.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

import numpy as np

CONTEXT_TOKENS = 32
N_ARTICLE_FEATURES = 3


def span_phrase(low: str, start: int, end: int) -> str:
    """The words of low[start:end] joined by single spaces: the form in which a phrase is counted."""
    return " ".join(low[start:end].split())


class PhraseCounts:
    """How often phrases occur in one lowered text, before and after a position.

    Counts follow `str.count` exactly (non-overlapping matches, scanned from the
    left): `before(p, i) == low[:i].count(p)` and `after(p, j) == low[j:].count(p)`.
    The text is indexed once: a hash of the PREFIX characters starting at every
    position, sorted. A phrase's occurrences are then the positions whose prefix
    hash matches, checked with `startswith`, and a span's counts are two binary
    searches, so an article with many spans costs O(n log n) in its length instead
    of a scan of the whole text per span.
    """

    PREFIX = 8
    _BASE = np.uint64(0x100000001B3)

    def __init__(self, low: str) -> None:
        self.low = low
        self._hits: dict[str, list[int] | None] = {}
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._codes: np.ndarray | None = None

    def _table(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(sorted hashes, their positions) of the k characters at every position."""
        if k not in self._tables:
            if self._codes is None:
                raw = self.low.encode("utf-32-le", "surrogatepass")
                self._codes = np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)
            codes = self._codes
            m = max(0, len(codes) - k + 1)
            h = np.zeros(m, dtype=np.uint64)
            for j in range(k):  # wraps modulo 2**64, as _key does
                h = h * self._BASE + codes[j : j + m]
            order = np.argsort(h)
            self._tables[k] = (h[order], order)
        return self._tables[k]

    def _key(self, s: str) -> np.uint64:
        h = 0
        for ch in s:
            h = (h * int(self._BASE) + ord(ch)) % (1 << 64)
        return np.uint64(h)

    def _occurrences(self, phrase: str) -> list[int] | None:
        """Starts of every occurrence; None when two occurrences overlap (then str.count decides)."""
        if not phrase:
            return None
        if phrase not in self._hits:
            k = min(len(phrase), self.PREFIX)
            hashes, positions = self._table(k)
            key = self._key(phrase[:k])
            lo, hi = np.searchsorted(hashes, key, "left"), np.searchsorted(hashes, key, "right")
            hits = [int(i) for i in np.sort(positions[lo:hi]) if self.low.startswith(phrase, int(i))]
            overlap = any(b - a < len(phrase) for a, b in zip(hits, hits[1:], strict=False))
            self._hits[phrase] = None if overlap else hits
        return self._hits[phrase]

    def before(self, phrase: str, start: int) -> int:
        """Matches of `phrase` that end at or before `start`."""
        hits = self._occurrences(phrase)
        if hits is None:
            return self.low[:start].count(phrase)
        return bisect_right(hits, start - len(phrase))

    def after(self, phrase: str, end: int) -> int:
        """Matches of `phrase` that start at or after `end`."""
        hits = self._occurrences(phrase)
        if hits is None:
            return self.low[end:].count(phrase)
        return len(hits) - bisect_left(hits, end)


def article_features(
    text: str, start: int, end: int, lowered: str | None = None, counts: PhraseCounts | None = None
) -> list[float]:
    """log(1 + earlier uses), log(1 + later uses) of the span's words, log(1 + word count).

    Pass `counts` (a `PhraseCounts` of the lowered text) when featurising many spans of one text.
    """
    low = lowered if lowered is not None else text.lower()
    phrase = span_phrase(low, start, end)
    words = len(phrase.split())
    if not phrase:
        return [0.0, 0.0, 0.0]
    if counts is None:
        before, after = low[:start].count(phrase), low[end:].count(phrase)
    else:
        before, after = counts.before(phrase, start), counts.after(phrase, end)
    return [math.log1p(before), math.log1p(after), math.log1p(words)]


def context_range(a: int, b: int, lo: int, hi: int) -> tuple[int, int]:
    """Token range around [a, b), clipped to [lo, hi)."""
    return max(lo, a - CONTEXT_TOKENS), min(hi, b + CONTEXT_TOKENS)


def pool_numpy(states: np.ndarray, a: int, b: int, lo: int, hi: int, extra: list[float]) -> np.ndarray:
    """Feature vector of token span [a, b) given states of tokens [lo, hi)."""
    span = states[a:b]
    ca, cb = context_range(a, b, lo, hi)
    ctx = states[ca:cb]
    return np.concatenate([span.mean(0), span.max(0), ctx.mean(0), np.asarray(extra, dtype=states.dtype)])


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))
