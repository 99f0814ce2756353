"""Indirect speech: which source is credited with which claim.

Every reporting event outside quotations that is not a quotation's own cue
becomes an attribution. The claim is the clause the verb reports: what follows
"X said (that)", or what precedes a trailing ", the Kremlin confirmed" or
", according to ...".
"""

from __future__ import annotations

import re

from unspin.sourcing.events import SpeechEvent
from unspin.sourcing.layout import Layout, trim
from unspin.sourcing.model import AnonymousSource, Attribution
from unspin.sourcing.speakers import SpeakerResolver, within

_THAT = re.compile(r"\s*(?:that\b|,)?\s*")
_TOLD_OBJECT = re.compile(r"[^.;:!?]{0,60}?\bthat\b")
_RELATIVE = re.compile(r",\s*(?:which|who)\b[^,]*,")
_CLAIM_CHARS = " \t\r\n\u00a0,;:.—–-"


def _comma_before(text: str, sentence_start: int, pos: int) -> int | None:
    """The comma that puts a source at the end of its clause ('..., the Kremlin confirmed')."""
    k = pos
    while k > sentence_start and text[k - 1] in " \u00a0":
        k -= 1
    return k - 1 if k > sentence_start and text[k - 1] == "," else None


def _clause_follows(text: str, start: int, end: int) -> bool:
    """Whether a clause (not just 'on Thursday' or a comma) follows the verb."""
    rest = text[start:end].strip(" \u00a0")
    return not rest.startswith(",") and len(rest.split()) >= 3


def claim_span(layout: Layout, e: SpeechEvent) -> tuple[int, int]:
    """The reported clause of an event, within its sentence."""
    text = layout.text
    sa, sb = layout.sentence_at(e.verb_start)
    if e.form == "citing" and text[e.source_end : e.source_end + 1] == ",":  # 'which cites X, <claim>'
        return trim(text, e.source_end + 1, sb, _CLAIM_CHARS)
    if e.form in ("inverted", "citing"):
        return trim(text, sa, e.start, _CLAIM_CHARS) if e.start > sa else trim(text, e.end, sb, _CLAIM_CHARS)
    if e.form == "according_to":
        if text[e.source_end : e.source_end + 1] == "," and e.start == sa:
            rel = _RELATIVE.match(text, e.source_end, sb)  # ', which cites ..., ' belongs to the source
            return trim(text, rel.end() if rel else e.source_end, sb, _CLAIM_CHARS)
        if e.start == sa:  # 'According to X who asked not to be named, <claim>': the claim follows the comma
            comma = text.find(",", e.source_end, sb)
            if comma >= 0:
                return trim(text, comma + 1, sb, _CLAIM_CHARS)
        return trim(text, sa, e.start, _CLAIM_CHARS)
    start = e.verb_end
    if e.verb in ("told", "tells", "tell"):
        m = _TOLD_OBJECT.match(text, start, sb)
        start = m.end() if m else sb  # 'told Reuters.' reports nothing after the verb
    before = _comma_before(text, sa, e.source_start)
    if before is not None and not _clause_follows(text, start, sb):
        return trim(text, sa, before, _CLAIM_CHARS)
    m = _THAT.match(text, start, sb)
    start = m.end() if m else start
    a, b = trim(text, start, sb, _CLAIM_CHARS)
    return (a, b) if b > a else trim(text, sa, sb, _CLAIM_CHARS)


def find_attributions(
    layout: Layout,
    events: list[SpeechEvent],
    cues: set[SpeechEvent],
    quotes: list[tuple[int, int]],
    anonymous: list[AnonymousSource],
    resolver: SpeakerResolver,
) -> list[Attribution]:
    text = layout.text
    out: list[Attribution] = []
    for e in events:
        if e in cues or e.framing or within(e.verb_start, quotes):
            continue
        ca, cb = claim_span(layout, e)
        is_anon = any(a.start < e.source_end and e.source_start < a.end for a in anonymous)
        sp = resolver.speaker(e)
        named = not is_anon and not sp.anonymous and sp.name is not None
        source = text[e.source_start : e.source_end]
        resolved = sp.name if named and sp.name and sp.name.lower() not in source.lower() else None
        out.append(Attribution(
            start=e.start, end=e.end, text=text[e.start : e.end], source=source, source_start=e.source_start,
            source_end=e.source_end, verb=e.verb, claim_start=ca, claim_end=cb, claim=text[ca:cb], named=named,
            anonymous=is_anon or sp.anonymous, resolved=resolved, name=sp.name if named else None,
            source_kind=sp.kind if named else None,
        ))
    title = headline_attribution(layout, anonymous, resolver)
    if title is not None:
        out.insert(0, title)
    return out


_TITLE_SOURCE = re.compile(r"[ \t\u00a0]*([A-Z][\w.'’-]*(?:[ \u00a0][A-Z][\w.'’-]*){0,3}):[ \t\u00a0]+(?=\S)")
# Section labels, not sources: 'Exclusive: ...', 'Watch: ...', 'The Latest: ...'.
_TITLE_LABELS = frozenset(
    """source sources photo photos update updated watch video read exclusive breaking opinion analysis live editorial
    review podcast interview commentary explainer listen correction note editor's editors' factbox timeline
    graphic chart quiz recap latest""".split()
)
_TITLE_WORDS = 25


def headline_attribution(layout: Layout, anonymous: list[AnonymousSource],
                         resolver: SpeakerResolver) -> Attribution | None:
    """A headline that credits its claim with a colon ('Vale: Ferry Fares Won't Rise', 'Poll:
    Vale and Brandl in dead heat'): the article's first line, short, opening with one to four capitalised words
    and a colon that is not a section label ('Exclusive:', 'Watch:')."""
    if not layout.paragraphs:
        return None
    text = layout.text
    a, b = layout.paragraphs[0]
    m = _TITLE_SOURCE.match(text, a, b)
    if (m is None or m.group(1).lower().removeprefix("the ") in _TITLE_LABELS
            or len(text[a:b].split()) > _TITLE_WORDS):
        return None
    sa, sb = m.span(1)
    ca, cb = trim(text, m.end(), b, _CLAIM_CHARS + "\"“”‘’'")
    if cb <= ca:
        return None
    e = SpeechEvent(":", sb, sb + 1, sa, sb, "headline")
    is_anon = any(x.start < sb and sa < x.end for x in anonymous)
    sp = resolver.speaker(e)
    named = not is_anon and not sp.anonymous and sp.name is not None
    source = text[sa:sb]
    resolved = sp.name if named and sp.name and sp.name.lower() not in source.lower() else None
    return Attribution(
        start=sa, end=sb + 1, text=text[sa : sb + 1], source=source, source_start=sa, source_end=sb, verb=":",
        claim_start=ca, claim_end=cb, claim=text[ca:cb], named=named, anonymous=is_anon or sp.anonymous,
        resolved=resolved, claim_parts=[(ca, cb)], name=sp.name if named else None,
        source_kind=sp.kind if named else None)
