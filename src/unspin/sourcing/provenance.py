"""Where the article's material comes from: source lines, credit lines, datelines, relayed outlets.

A relayed article often says so only in a last line ("Source: RT") or in a
photo credit ("© Khalil Ashawi / Reuters"); the body then leans on another
outlet's report ("the report, by Washington Post columnist ..."). Line-shaped
credits are matched per paragraph; outlet mentions in the body count as relayed
only in a sentence that reports something (a reporting verb or a word such as
"report", "piece", "columnist").
"""

from __future__ import annotations

import re

from unspin.sourcing.layout import Layout
from unspin.sourcing.lexicon import SPEECH_VERBS
from unspin.sourcing.model import ProvenanceItem
from unspin.sourcing.outlets import canonical

_MAX_LINE = 140
_SOURCE_LINE = re.compile(r"(?:Sources?|Via|Courtesy(?:\s+of)?|Originally\s+from)\s*[:：]\s*(?P<value>\S.*)", re.I)
_CREDIT_LINE = re.compile(
    r"(?:©|\(c\)|Copyright\b|(?:Photo|Photograph|Picture|Image|Illustration|Video|Credit|Pictured)s?"
    r"(?:\s+credits?)?\s*[:：]|(?:AP|AFP|Reuters|EPA)\s+Photo\b)\s*(?P<value>\S.*)",
    re.I,
)
_INLINE_CREDIT = re.compile(r"\((?:Photo|Image|Picture|Photograph)\s*(?:by|:)\s*(?P<value>[^)]{1,80})\)")
_ORIGINALLY = re.compile(
    r"(?:originally|first)\s+(?:published|appeared|ran|posted)\s+(?:by|in|on|at)\s+(?P<value>(?:the\s+)?[A-Z][^.;,\n]*)"
    r"|(?:republished|reprinted|adapted)\s+(?:with\s+permission\s+)?(?:from|by)\s+(?P<value2>(?:the\s+)?[A-Z][^.;,\n]*)"
)
_DATELINE = re.compile(r"(?:[A-Z][A-Za-z .,'’-]{0,40}?\s)?\((?P<value>[A-Z][A-Za-z .&]{1,30})\)\s*[-–—]")
_REPORT_WORDS = {"report", "reports", "reported", "piece", "article", "story", "column", "columnist", "reporter",
                 "correspondent", "editor", "interview", "according", "citing", "cited", "cites", "published",
                 "investigation", "broadcast", "aired", "quoted", "op-ed", "editorial", "newspaper", "broadcaster"}
_WORD = re.compile(r"[\w'’-]+")


def credit_outlet(value: str) -> str:
    """The agency in a credit: the last part after '/', '|' or 'via' ('Khalil Ashawi / Reuters' -> 'Reuters')."""
    parts = [p.strip() for p in re.split(r"/|\||\bvia\b|,", value) if p.strip()]
    last = parts[-1] if parts else value.strip()
    last = re.sub(r"^(?:©|\(c\))?\s*(?:\d{4}\s+)?", "", last).strip().rstrip(".")
    return canonical(last)


def source_lines(layout: Layout) -> list[ProvenanceItem]:
    text = layout.text
    out: list[ProvenanceItem] = []
    for a, b in layout.paragraphs:
        if b - a > _MAX_LINE:
            continue
        if m := _SOURCE_LINE.fullmatch(text, a, b):
            value = m.group("value").strip().rstrip(".")
            out.append(ProvenanceItem(a, b, text[a:b], canonical(value), "source_line"))
        elif m := _CREDIT_LINE.fullmatch(text, a, b):
            value = m.group("value").strip()
            out.append(ProvenanceItem(a, b, text[a:b], credit_outlet(value), "credit_line", credit=value))
    return out


def inline_credits(layout: Layout) -> list[ProvenanceItem]:
    text = layout.text
    return [ProvenanceItem(m.start(), m.end(), m.group(), credit_outlet(m.group("value")), "credit_line",
                           credit=m.group("value")) for m in _INLINE_CREDIT.finditer(text)]


def originally_published(layout: Layout) -> list[ProvenanceItem]:
    """'This article was originally published by X.' (the whole sentence)."""
    text = layout.text
    out: list[ProvenanceItem] = []
    for m in _ORIGINALLY.finditer(text):
        a, b = layout.sentence_at(m.start())
        value = (m.group("value") or m.group("value2")).strip()
        out.append(ProvenanceItem(a, b, text[a:b], canonical(value), "originally_published"))
    return out


def datelines(layout: Layout) -> list[ProvenanceItem]:
    """'VARNA (Reuters) -' at the start of a paragraph: the parenthesised agency."""
    text = layout.text
    out: list[ProvenanceItem] = []
    for a, b in layout.paragraphs:
        m = _DATELINE.match(text, a, b)
        if m:
            s, e = m.start("value") - 1, m.end("value") + 1
            out.append(ProvenanceItem(s, e, text[s:e], canonical(m.group("value")), "dateline"))
    return out


def _reports_something(sentence: str) -> bool:
    words = {w.lower() for w in _WORD.findall(sentence)}
    return bool(words & (_REPORT_WORDS | SPEECH_VERBS))


def relayed_outlets(layout: Layout, taken: list[tuple[int, int]]) -> list[ProvenanceItem]:
    """Outlets named in sentences that report something, outside the lines already credited."""
    text = layout.text
    out: list[ProvenanceItem] = []
    for m in layout.outlets:
        if any(a <= m.start < b for a, b in taken):
            continue
        sa, sb = layout.sentence_at(m.start)
        if _reports_something(text[sa:sb]):
            out.append(ProvenanceItem(m.start, m.end, text[m.start : m.end], m.name, "relayed_outlet"))
    return out


def find_provenance(layout: Layout) -> list[ProvenanceItem]:
    lines = source_lines(layout) + inline_credits(layout) + originally_published(layout) + datelines(layout)
    taken = [(p.start, p.end) for p in lines]
    items = lines + relayed_outlets(layout, taken)
    return sorted(items, key=lambda p: (p.start, p.end))
