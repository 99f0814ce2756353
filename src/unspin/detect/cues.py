"""The word that carried a span: where the token head was most sure of the span's technique.

A span's explanation names this word ("“shameless” carries it"), so a reader sees what the model
reacted to, not only the whole phrase. The cue is the token inside the span with the highest
per-technique token probability, widened to the whole word around it; offsets are str indices
into the article text, like every other offset.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from unspin.article import Span
from unspin.detect.runtime import Detector, TokenView
from unspin.techniques import TECHNIQUE_IDS

WORD_JOINERS = "'’-"


def cue_range(view: TokenView, text: str, span: Span) -> tuple[int, int]:
    """(start, end) of the word in `span` with the highest token probability for its technique."""
    a, b = Detector.token_range(view.enc, span.start, span.end)
    if b <= a:
        return span.start, span.end
    k = TECHNIQUE_IDS.index(span.technique)
    j = a + int(np.argmax(view.tech[a:b, k]))
    s, e = int(view.enc.offsets[j, 0]), int(view.enc.offsets[j, 1])
    while s > span.start and (text[s - 1].isalnum() or (text[s - 1] in WORD_JOINERS and s - 2 >= span.start
                                                         and text[s - 2].isalnum())):
        s -= 1
    while e < span.end and (text[e].isalnum() or (text[e] in WORD_JOINERS and e + 1 < span.end
                                                  and text[e + 1].isalnum())):
        e += 1
    s, e = max(s, span.start), min(e, span.end)
    return (s, e) if e > s else (span.start, span.end)


def with_cues(view: TokenView, text: str, spans: list[Span]) -> list[Span]:
    out = []
    for sp in spans:
        s, e = cue_range(view, text, sp)
        out.append(replace(sp, cue_start=s, cue_end=e))
    return out
