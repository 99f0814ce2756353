"""Sentence scores and the article score (spin density), from every span the detector emitted.

- A sentence's score is the highest confidence of a span overlapping it (0 when none), and
  `Sentence.techniques` holds the highest confidence per technique, so a view filtered to one
  technique can show that technique's sentence scores.
- The article score is *spin density* (`density.py`): the expected number of propaganda phrases
  per 1,000 words of the article's own text (outside direct quotes), i.e. 1,000 x (sum of the
  confidences of the spans outside quotes) / (words outside quotes); quotes are counted apart. A
  confidence is the calibrated probability that a span shows its technique, so the sum is the
  number of right spans the model expects among those it found. It is placed in the model's
  reference distribution (`reference.py`) when one ships for the model's version. Quotes come from
  the sourcing stage, which runs first; without it every word counts as the article's own.

Scores are computed before any display threshold is applied (`shown`), so `--min-confidence`
changes which spans are listed, never what the scores mean.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import asdict, replace

from unspin.article import ArticleScore, Result, Sentence, Span
from unspin.density import spin_density
from unspin.reference import Reference


def sentence_scores(sentences: list[Sentence], spans: list[Span]) -> None:
    """Each sentence's score (the best confidence among the spans that overlap it) and its best per technique.

    Sentences do not overlap, so a span's sentences are found by binary search:
    O((sentences + spans) log sentences), linear in practice however long the article.
    """
    order = sorted(range(len(sentences)), key=lambda i: sentences[i].start)
    starts = [sentences[i].start for i in order]
    ends = [sentences[i].end for i in order]
    best: list[dict[str, float]] = [{} for _ in order]
    for sp in spans:
        lo = bisect_right(ends, sp.start)  # the first sentence that ends after the span starts
        hi = bisect_left(starts, sp.end)  # sentences that start before the span ends
        for k in range(lo, hi):
            if sp.confidence > best[k].get(sp.technique, 0.0):
                best[k][sp.technique] = sp.confidence
    for k, i in enumerate(order):
        techs = best[k]
        sentences[i].techniques = {t: round(c, 4) for t, c in sorted(techs.items(), key=lambda kv: -kv[1])}
        sentences[i].score = round(max(techs.values(), default=0.0), 4)


def article_score(result: Result, reference: Reference | None = None) -> ArticleScore:
    quotes = [(q.start, q.end) for q in result.sourcing.quotes] if result.sourcing is not None else []
    d = spin_density(result.article.text, [(s.start, s.end, s.confidence) for s in result.spans], quotes)
    return place(ArticleScore(**asdict(d)), reference)


def place(detail: ArticleScore, reference: Reference | None) -> ArticleScore:
    """The score with its share of the reference below it (unchanged without a reference)."""
    if reference is None:
        return detail
    return replace(detail, share_below=round(reference.share_below(detail.density), 4),
                   share_above=round(reference.share_above(detail.density), 4), reference=reference.label)


def score(result: Result, reference: Reference | None = None) -> None:
    """Fill sentence scores and the article score from `result.spans` (all the detector emitted)."""
    sentence_scores(result.sentences, result.spans)
    result.score_detail = article_score(result, reference)
    result.score = result.score_detail.density


def shown(result: Result, min_confidence: float) -> Result:
    """The same result with only the spans at or above `min_confidence` listed; scores untouched.

    Applied to a result that is already filtered, the hidden count adds up.
    """
    keep = [s for s in result.spans if s.confidence >= min_confidence]
    return replace(result, spans=keep, min_confidence=max(min_confidence, result.min_confidence),
                   hidden_spans=result.hidden_spans + len(result.spans) - len(keep))
