"""One sentence of why for each span: the words that carried it and what a reader should check.

The definition of a technique is shown once, in the legend; a span's explanation is about this
span: the word the model reacted to most (`Span.cue_start/cue_end`), facts from the article (how
often a repeated phrase occurs, who is cited for an appeal to authority, the two options of a
black-and-white claim, whose words a quoted span are) and the question to ask. The explanation
stage runs after sourcing, so it can name speakers. One article's spans are explained in time that
grows with its length, not with spans x length: phrase counts come from one `PhraseCounts` and the
sourcing is looked up by binary search (`Sources`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import TypeVar

from unspin.article import Result, Span
from unspin.detect.features import PhraseCounts
from unspin.sourcing.model import AnonymousSource, Attribution, Quote, Sourcing

MAX_QUOTED = 60
EITHER_OR = re.compile(r"\beither\b\s+(?P<a>[^,;.?!]+?)\s*,?\s+\bor\b\s+(?P<b>[^,;.?!]+)", re.IGNORECASE)
OR_ELSE = re.compile(r"(?P<a>[^,;.?!]+?)\s*,?\s+\bor\b\s+(?P<b>[^,;.?!]+)", re.IGNORECASE)

# what to check, per technique; {cue} is the word or phrase that carried the span
CHECKS: dict[str, str] = {
    "Loaded_Language": "“{cue}” carries it: ask what happened, told in neutral words",
    "Name_Calling,Labeling": "“{cue}” labels someone: ask what they actually said or did, apart from the label",
    "Exaggeration,Minimisation": "“{cue}” inflates or plays down: look for the actual figures or scale",
    "Doubt": "“{cue}” casts doubt: look for the evidence behind the doubt",
    "Appeal_to_fear-prejudice": "“{cue}” warns of harm: ask how likely it is, and who says so",
    "Flag-Waving": "“{cue}” appeals to national or group pride: ask whether the argument stands without it",
    "Causal_Oversimplification": "it gives one cause (“{cue}”): ask what else could explain the outcome",
    "Slogans": "“{cue}” is a catchy phrase: ask which claim is behind it and whether it is supported",
    "Thought-terminating_Cliches": "“{cue}” closes the discussion: ask which question it leaves unanswered",
    "Whataboutism,Straw_Men,Red_Herring": "“{cue}” turns to someone else's conduct or a side issue: "
                                          "check whether the original point is answered",
    "Bandwagon,Reductio_ad_hitlerum": "“{cue}” appeals to what everyone does or to a hated group: "
                                      "ask whether the claim stands on its own",
}


def _short(words: str) -> str:
    words = " ".join(words.split())
    return words if len(words) <= MAX_QUOTED else words[: MAX_QUOTED - 1].rstrip() + "…"


NEAR = 200  # characters either side of a span in which a source counts as its source
LONGEST_SOURCE = 400  # attributions and unnamed-source phrases are shorter than this (they end in a sentence)


_Item = TypeVar("_Item", Attribution, AnonymousSource)


class Sources:
    """One article's quotes, attributions and unnamed sources, sorted by start, for binary search."""

    def __init__(self, sourcing: Sourcing | None) -> None:
        self.quotes = sorted(sourcing.quotes, key=lambda x: x.start) if sourcing is not None else []
        self.quote_starts = [q.start for q in self.quotes]
        self.attributions = sorted(sourcing.attributions, key=lambda x: x.start) if sourcing is not None else []
        self.attribution_starts = [a.start for a in self.attributions]
        self.unnamed = sorted(sourcing.anonymous_sources, key=lambda x: x.start) if sourcing is not None else []
        self.unnamed_starts = [a.start for a in self.unnamed]

    def enclosing_quote(self, span: Span) -> Quote | None:
        """The direct quote the span lies inside, if any (quotes do not overlap)."""
        i = bisect_right(self.quote_starts, span.start) - 1
        if i >= 0 and self.quotes[i].end >= span.end:
            return self.quotes[i]
        return None

    @staticmethod
    def _near(items: list[_Item], starts: list[int], span: Span) -> list[_Item]:
        lo = bisect_left(starts, span.start - NEAR - LONGEST_SOURCE)
        hi = bisect_right(starts, span.end + NEAR)
        near = [x for x in items[lo:hi] if x.start < span.end + NEAR and x.end > span.start - NEAR]
        return sorted(near, key=lambda x: abs(x.start - span.start))

    def near_attributions(self, span: Span) -> list[Attribution]:
        return self._near(self.attributions, self.attribution_starts, span)

    def near_unnamed(self, span: Span) -> list[AnonymousSource]:
        return self._near(self.unnamed, self.unnamed_starts, span)


def enclosing_quote(sourcing: Sourcing | None, span: Span) -> Quote | None:
    """The direct quote the span lies inside, if any."""
    return Sources(sourcing).enclosing_quote(span)


def _quote_clause(quote: Quote) -> str:
    if quote.speaker:
        return f" (inside a quote from {quote.speaker}: the wording is theirs, not the reporter's)"
    if quote.anonymous:
        return " (inside a quote from an unnamed source)"
    return " (inside a quote whose speaker the article does not name)"


def _authority(span: Span, sources: Sources) -> str:
    quote = sources.enclosing_quote(span)
    if quote is not None and quote.speaker:
        who = quote.speaker + (f", {quote.role}" if quote.role else "")
        return f"it leans on {who}: ask whether they are an expert on this, and who else agrees"
    for a in sources.near_attributions(span):
        if a.anonymous:
            return (f"it leans on “{_short(a.source)}”, who is not named: "
                    "ask who this is and why they should be believed")
        if a.named:
            who = a.resolved or a.source
            return f"it leans on {_short(who)}: ask whether they are an expert on this, and who else agrees"
    unnamed = sources.near_unnamed(span)
    if unnamed:
        return (f"it leans on “{_short(unnamed[0].text)}”, who is not named: "
                "ask who this is and why they should be believed")
    return "it leans on an authority the article does not name: ask who it is and whether they are an expert on this"


def _two_options(text: str, span: Span) -> str:
    words = text[span.start : span.end]
    m = EITHER_OR.search(words) or OR_ELSE.search(words)
    if m:
        return (f"it offers only two options, “{_short(m.group('a'))}” or “{_short(m.group('b'))}”: "
                "ask what other outcomes are possible")
    return "it presents two options as the only ones: ask what other outcomes are possible"


def occurrences(text: str, phrase: str, counts: PhraseCounts | None = None) -> int:
    """How often `phrase` occurs in `text`, ignoring case (as `str.count` counts, on the lowered text).

    `counts`, a `PhraseCounts` of `text.lower()` shared by the spans of one article, keeps this cheap.
    """
    p = " ".join(phrase.split()).lower()
    if not p:
        return 0
    if counts is None:
        return text.lower().count(p)
    return counts.before(p, len(text))


def why(span: Span, text: str, sourcing: Sourcing | None = None, counts: PhraseCounts | None = None,
        sources: Sources | None = None) -> str:
    """One sentence: the words that carried the span and what to check.

    Pass `counts` (a `PhraseCounts` of `text.lower()`) and `sources` (a `Sources` of the sourcing) when
    explaining many spans of one article; without them each call scans the text and the sourcing.
    """
    sources = sources if sources is not None else Sources(sourcing)
    phrase = _short(text[span.start : span.end])
    has_cue = span.cue_start is not None and span.cue_end is not None and span.cue_end > span.cue_start
    cue = _short(text[span.cue_start : span.cue_end]) if has_cue else phrase
    if span.technique == "Appeal_to_Authority":
        msg = _authority(span, sources)
    elif span.technique == "Black-and-White_Fallacy":
        msg = _two_options(text, span)
    elif span.technique == "Repetition":
        n = occurrences(text, text[span.start : span.end], counts)
        msg = (f"“{phrase}” occurs {n} times in the article: ask whether repeating it adds any evidence" if n > 1
               else f"“{phrase}” repeats a point made elsewhere: ask whether repeating it adds any evidence")
    else:
        msg = CHECKS.get(span.technique, "“{cue}” carries it: ask what the plain claim is").format(cue=cue)
    quote = sources.enclosing_quote(span)
    if quote is not None and not (span.technique == "Appeal_to_Authority" and quote.speaker):
        msg += _quote_clause(quote)
    return msg[0].upper() + msg[1:] + "."


def explain(span: Span, text: str, counts: PhraseCounts | None = None) -> str:
    """The why of one span without the article's sourcing (no speakers named)."""
    return why(span, text, None, counts)


def explain_spans(result: Result, counts: PhraseCounts | None = None) -> None:
    """The explanation stage: fills `Span.explanation` for every span, in time linear in the article.

    `counts` is a `PhraseCounts(result.article.text.lower())` when the caller has one (built here otherwise).
    """
    text = result.article.text
    counts = PhraseCounts(text.lower()) if counts is None else counts
    sources = Sources(result.sourcing)
    result.spans = [replace(s, explanation=why(s, text, result.sourcing, counts, sources)) for s in result.spans]
