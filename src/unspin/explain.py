"""A sentence a reader understands, for each span."""

from __future__ import annotations

from unspin.article import Span
from unspin.detect.features import PhraseCounts
from unspin.techniques import BY_ID


def _level(conf: float) -> str:
    if conf >= 0.7:
        return "likely"
    if conf >= 0.4:
        return "possibly"
    return "weakly suggests"


def explain(span: Span, text: str, counts: PhraseCounts | None = None) -> str:
    """Technique, what it means, how sure the model is, and article-wide evidence.

    `counts` (a `PhraseCounts` of `text.lower()`, shared by all spans of one article)
    keeps the cost of the whole article linear; without it the text is scanned once.
    """
    tech = BY_ID[span.technique]
    words = " ".join(text[span.start : span.end].split())
    shown = words if len(words) <= 80 else words[:77] + "..."
    verb = "weakly suggests" if _level(span.confidence) == "weakly suggests" else f"is {_level(span.confidence)}"
    msg = f"“{shown}” {verb} {tech.name} ({span.confidence:.0%} confidence). {tech.definition}"
    phrase = words.lower()
    if not phrase:
        earlier = 0
    elif counts is None:
        earlier = text.lower()[: span.start].count(phrase)
    else:
        earlier = counts.before(phrase, span.start)
    if earlier:
        msg += f" The same words appear {earlier} time{'s' if earlier > 1 else ''} earlier in the article."
    return msg
