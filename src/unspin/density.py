"""Spin density: expected propaganda phrases per 1,000 words, in the article's own words and in quotes.

A span's confidence is the calibrated probability that it shows its technique, so the sum of the
confidences of a set of spans is the number of right spans the model expects among them. Spin
density divides that by the words they were found in, per 1,000:

- own words: spans not inside a direct quote, over the words outside direct quotes. This is the
  article score: what the article says in its own voice (an opinion piece's wording, not the words
  of the people a wire report quotes).
- quotes: spans inside a direct quote, over the quoted words.

Pure functions over offsets, so the scoring stage and the upgrade of stored results share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Density:
    density: float  # expected propaganda phrases per 1,000 own words: the article score
    expected_phrases: float
    words: int
    quoted_density: float
    quoted_expected_phrases: float
    quoted_words: int


def inside(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def spin_density(text: str, spans: Iterable[tuple[int, int, float]], quotes: Sequence[tuple[int, int]]) -> Density:
    """From (start, end, confidence) spans and the (start, end) ranges of direct quotes."""
    quoted_words = sum(len(text[a:b].split()) for a, b in quotes)
    words = max(len(text.split()) - quoted_words, 0)
    own = quoted = 0.0
    for s, e, c in spans:
        if inside(s, e, quotes):
            quoted += c
        else:
            own += c
    return Density(
        round(1000 * own / words, 4) if words else 0.0, round(own, 4), words,
        round(1000 * quoted / quoted_words, 4) if quoted_words else 0.0, round(quoted, 4), quoted_words,
    )
