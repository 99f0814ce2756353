"""Sentence and article scores, derived from the spans.

A sentence's score is the highest confidence of a span that overlaps it (0 when
none does), so a sentence is "propagandistic" exactly when it holds a span; the
article's score is the mean over its sentences, title included. Both are in
[0, 1] and are explained by the spans a reader can see.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from unspin.article import Result, Sentence, Span


def sentence_scores(sentences: list[Sentence], spans: list[Span]) -> None:
    """Each sentence's score: the best confidence among the spans that overlap it.

    Sentences do not overlap, so a span's sentences are found by binary search:
    O((sentences + spans) log sentences), linear in practice however long the article.
    """
    order = sorted(range(len(sentences)), key=lambda i: sentences[i].start)
    starts = [sentences[i].start for i in order]
    ends = [sentences[i].end for i in order]
    best = [0.0] * len(order)
    for sp in spans:
        lo = bisect_right(ends, sp.start)  # the first sentence that ends after the span starts
        hi = bisect_left(starts, sp.end)  # sentences that start before the span ends
        for k in range(lo, hi):
            if sp.confidence > best[k]:
                best[k] = sp.confidence
    for k, i in enumerate(order):
        sentences[i].score = round(best[k], 4)


def article_score(sentences: list[Sentence]) -> float:
    if not sentences:
        return 0.0
    return round(sum(s.score for s in sentences) / len(sentences), 4)


def score(result: Result) -> None:
    sentence_scores(result.sentences, result.spans)
    result.score = article_score(result.sentences)
