"""Unnamed sources: "four unnamed US officials", "sources familiar with", "who asked not to be named".

Each rule is one small function returning spans with a kind; overlapping spans
are merged, keeping the first rule's kind. Sources inside quotations count too
(a columnist quoting "officials acknowledge" still relies on unnamed people),
and are flagged `in_quote`.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from unspin.sourcing.events import SpeechEvent
from unspin.sourcing.layout import Layout, Token
from unspin.sourcing.lexicon import ANONYMITY_ADJECTIVES, ANONYMOUS_NOUNS, DETERMINERS, QUANTIFIERS
from unspin.sourcing.model import AnonymousSource
from unspin.sourcing.names import capital_runs, is_full_name, split_title

Found = tuple[int, int, str]

_FAMILIAR = re.compile(
    r"\s+(?:familiar\s+with|close\s+to|with\s+(?:direct\s+|the\s+)?knowledge\s+of|briefed\s+on|privy\s+to)\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,3}?[\w'’-]+(?=[\s,.;:)!?]|$)"
)
_ANONYMITY_CLAUSE = re.compile(
    r"(?:,\s*|\s+)who\s+(?:asked|requested|declined|refused|did\s+not\s+want|was\s+not\s+authori[sz]ed|were\s+not\s+"
    r"authori[sz]ed|spoke|insisted)\b[^,.;]{0,60}?(?:named|identified|anonymity|publicly|on\s+the\s+record)"
)
_CONDITION = re.compile(r"(?:speaking\s+|spoke\s+)?on\s+(?:the\s+)?condition\s+of\s+anonymity", re.I)
_IMPERSONAL = re.compile(
    r"\b[Ii]t\s+(?:is|was|has\s+been|had\s+been)\s+(?:widely\s+)?(?:understood|believed|said|reported|alleged|"
    r"claimed|rumou?red|thought|learned|learnt)\b"
)
_MODIFIERS = QUANTIFIERS | DETERMINERS | {"senior", "other", "western", "government", "administration", "us",
                                          "u.s.", "military", "intelligence", "former", "current", "top"}


def _extend_left(toks: list[Token], n: int, limit: int = 3) -> int:
    """Index of the first modifier before toks[n] ('four', 'a senior', 'US')."""
    k = n
    while k > 0 and n - k < limit:
        t = toks[k - 1]
        if not t.is_word or not (t.low in _MODIFIERS or (t.is_cap and t.low not in DETERMINERS)):
            break
        k -= 1
    return k


def unnamed_markers(text: str, toks: list[Token]) -> list[Found]:
    """'four unnamed US officials', 'an anonymous source'."""
    out: list[Found] = []
    for n, t in enumerate(toks):
        if t.low not in ANONYMITY_ADJECTIVES:
            continue
        for m in range(n + 1, min(n + 4, len(toks))):
            if toks[m].bare.lower() in ANONYMOUS_NOUNS:
                out.append((toks[_extend_left(toks, n)].start, toks[m].end, "unnamed_marker"))
                break
            if not toks[m].is_word:
                break
    return out


def familiar_with(text: str, toks: list[Token]) -> list[Found]:
    """'sources familiar with the talks', 'a person close to the Kremlin'."""
    out: list[Found] = []
    for n, t in enumerate(toks):
        if t.bare.lower() not in ANONYMOUS_NOUNS:
            continue
        m = _FAMILIAR.match(text, t.end)
        if m:
            out.append((toks[_extend_left(toks, n)].start, m.end(), "familiar_with"))
    return out


def _np_before_comma(text: str, toks: list[Token], comma: int, ends: list[int]) -> int:
    """Start of the noun phrase that ends at offset `comma` (the clause's comma or the space before 'who'),
    at most six words back. `ends`: the tokens' ends (tokens are in text order and do not overlap)."""
    n = bisect_right(ends, comma)  # toks[:n] are the tokens that end by the comma
    k = n
    while k > 0 and n - k < 6:
        t = toks[k - 1]
        if not t.is_word or t.low in {"and", "but", "that", "said", "says", "while", "to", "by", "from"}:
            break
        k -= 1
    return toks[k].start if k < n else comma


def anonymity_clauses(text: str, toks: list[Token]) -> list[Found]:
    """'One diplomat, who asked not to be named' and 'speaking on condition of anonymity'."""
    ends = [t.end for t in toks]
    out: list[Found] = [(_np_before_comma(text, toks, m.start(), ends), m.end(), "anonymity_clause")
                        for m in _ANONYMITY_CLAUSE.finditer(text)]
    out += [(m.start(), m.end(), "anonymity_clause") for m in _CONDITION.finditer(text)]
    return out


def impersonal(text: str, toks: list[Token]) -> list[Found]:
    """'It is understood that ...', 'it was reported'."""
    return [(m.start(), m.end(), "impersonal") for m in _IMPERSONAL.finditer(text)]


def _names_someone(layout: Layout, a: int, b: int) -> bool:
    toks = layout.tokens_in(a, b)
    for i, j in capital_runs(layout.text, toks):
        k, j = split_title(toks, i, j)
        if k < j and is_full_name(toks[k:j]):
            return True
    return False


def unnamed_groups(layout: Layout, events: list[SpeechEvent]) -> list[Found]:
    """Reporting events whose source is a bare group: 'Officials acknowledge', 'diplomats say', 'reports say'."""
    out: list[Found] = []
    for e in events:
        words = [t for t in layout.tokens_in(e.source_start, e.source_end) if t.is_word]
        head = None
        for n, t in enumerate(words):
            if n > 0 and t.low in ("in", "at", "from", "of", "for", "with", "familiar", "close"):
                break
            head = t
        if head is None or _names_someone(layout, e.source_start, e.source_end):
            continue
        if head.bare.lower() in ANONYMOUS_NOUNS:
            end = e.verb_end if e.form == "subject" else e.source_end
            out.append((e.source_start, end, "unnamed_group"))
        elif head.low == "reports" and words[0].low not in DETERMINERS:
            out.append((e.source_start, e.verb_end if e.form == "subject" else e.source_end, "vague_reports"))
    return out


_PRIORITY = {"unnamed_marker": 0, "anonymity_clause": 1, "familiar_with": 2, "unnamed_group": 3,
             "vague_reports": 4, "impersonal": 5}


def _merge(found: list[Found]) -> list[Found]:
    """Overlapping finds become one span, named after the most specific rule."""
    out: list[Found] = []
    for a, b, kind in sorted(found, key=lambda f: (f[0], -f[1])):
        if out and a < out[-1][1]:
            pa, pb, pk = out[-1]
            out[-1] = (pa, max(pb, b), min(pk, kind, key=_PRIORITY.__getitem__))
        else:
            out.append((a, b, kind))
    return out


def find_anonymous(layout: Layout, events: list[SpeechEvent], quotes: list[tuple[int, int]]) -> list[AnonymousSource]:
    text, toks = layout.text, layout.all_tokens
    found = _merge(unnamed_markers(text, toks) + familiar_with(text, toks) + anonymity_clauses(text, toks)
                   + impersonal(text, toks))
    # a bare group ('officials said') adds only where no more specific rule already found the source
    found += [g for g in unnamed_groups(layout, events) if not any(g[0] < b and a < g[1] for a, b, _ in found)]
    return [AnonymousSource(a, b, text[a:b], kind, any(qa <= a < qb for qa, qb in quotes))
            for a, b, kind in _merge(found)]
