"""A sentence a reader understands, for each span."""

from __future__ import annotations

from unspin.article import Span
from unspin.techniques import BY_ID


def _level(conf: float) -> str:
    if conf >= 0.7:
        return "likely"
    if conf >= 0.4:
        return "possibly"
    return "weakly suggests"


def explain(span: Span, text: str) -> str:
    """Technique, what it means, how sure the model is, and article-wide evidence."""
    tech = BY_ID[span.technique]
    words = " ".join(text[span.start : span.end].split())
    if len(words) > 80:
        words = words[:77] + "..."
    verb = "weakly suggests" if _level(span.confidence) == "weakly suggests" else f"is {_level(span.confidence)}"
    msg = f"“{words}” {verb} {tech.name} ({span.confidence:.0%} confidence). {tech.definition}"
    earlier = text.lower()[: span.start].count(words.lower()) if words else 0
    if earlier:
        msg += f" The same words appear {earlier} time{'s' if earlier > 1 else ''} earlier in the article."
    return msg
