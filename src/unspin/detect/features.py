"""Span features shared by training (torch) and the runtime (numpy).

A span is described by the mean and max of its token states, the mean state of
its neighbourhood, and three article-level signals. The article-level signals
exist because a window cannot see that a phrase was already used 800 tokens
earlier, which is what Repetition is about.
"""

from __future__ import annotations

import math

import numpy as np

CONTEXT_TOKENS = 32
N_ARTICLE_FEATURES = 3


def article_features(text: str, start: int, end: int, lowered: str | None = None) -> list[float]:
    """log(1 + earlier uses), log(1 + later uses) of the span's words, log(1 + word count)."""
    low = lowered if lowered is not None else text.lower()
    phrase = " ".join(low[start:end].split())
    words = len(phrase.split())
    if not phrase:
        return [0.0, 0.0, 0.0]
    before = low[:start].count(phrase)
    after = low[end:].count(phrase)
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
