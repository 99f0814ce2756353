"""Sentence and article scores, derived from the spans.

A sentence's score is the highest confidence of a span that overlaps it (0 when
none does), so a sentence is "propagandistic" exactly when it holds a span; the
article's score is the mean over its sentences, title included. Both are in
[0, 1] and are explained by the spans a reader can see.
"""

from __future__ import annotations

from unspin.article import Result, Sentence, Span


def sentence_scores(sentences: list[Sentence], spans: list[Span]) -> None:
    ordered = sorted(spans, key=lambda s: s.start)
    for sent in sentences:
        best = 0.0
        for sp in ordered:
            if sp.start >= sent.end:
                break
            if sp.end > sent.start:
                best = max(best, sp.confidence)
        sent.score = round(best, 4)


def article_score(sentences: list[Sentence]) -> float:
    if not sentences:
        return 0.0
    return round(sum(s.score for s in sentences) / len(sentences), 4)


def score(result: Result) -> None:
    sentence_scores(result.sentences, result.spans)
    result.score = article_score(result.sentences)
