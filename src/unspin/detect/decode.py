"""From token probabilities to spans a reader can trust.

The tagger gives each word piece a probability of lying inside a propaganda span. Decoding turns
runs of confident pieces into character spans under three rules (docs/model-card.md):

1. a span is whole words: its edges move out to word edges, and a hyphen or apostrophe between
   letters does not end a word ("shake-up", "Bush-era"), see `unspin.detect.words`;
2. a span is never only function words, punctuation or digits ("the", "in", "2016"): such a run is
   dropped;
3. a Repetition label needs a repeated content word: some content word of the span occurs again
   elsewhere in the article (`repeated_elsewhere`); otherwise the span takes its next technique.

Offsets are str indices into the article text, end exclusive, as everywhere in unspin.
"""

from __future__ import annotations

import numpy as np

from unspin.detect.words import content_word_positions, content_words, has_content, snap_to_words

EDGE_CHARS = " \t\r\n.,:;"


def token_runs(text: str, offsets: np.ndarray, on: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs [a, b) of token indices where `on` holds; runs at most `gap` tokens apart on one line merge.

    `offsets` is (n, 2) character offsets of the tokens, `on` is (n,) bool.
    """
    runs: list[list[int]] = []
    for i in np.nonzero(on)[0].tolist():
        if runs:
            last = runs[-1][1]
            between = text[offsets[last - 1, 1] : offsets[i, 0]]
            if i - last <= gap and "\n" not in between:
                runs[-1][1] = i + 1
                continue
        runs.append([i, i + 1])
    return [(a, b) for a, b in runs]


def run_to_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The character span a reader is shown for the characters [start, end) of a token run.

    Widened to whole words, stripped of surrounding spaces and `. , : ;`; None when nothing is
    left or what is left holds no content word (rules 1 and 2).
    """
    s, e = snap_to_words(text, start, end)
    while s < e and text[s] in EDGE_CHARS:
        s += 1
    while e > s and text[e - 1] in EDGE_CHARS:
        e -= 1
    if e <= s or not has_content(text[s:e]):
        return None
    return s, e


def repeated_elsewhere(text: str, start: int, end: int, positions: list[tuple[int, str]] | None = None) -> bool:
    """Whether a content word of text[start:end] also occurs in the article outside [start, end) (rule 3).

    `positions` may pass the article's `content_word_positions` when many spans of one article are
    checked.
    """
    mine = set(content_words(text[start:end]))
    if not mine:
        return False
    pairs = positions if positions is not None else content_word_positions(text)
    return any(w in mine and not start <= i < end for i, w in pairs)
