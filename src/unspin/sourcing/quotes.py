"""Direct quotations: pairing quote marks, straight or curly, across paragraphs.

News style opens every paragraph of a long quotation with a quote mark and
closes only the last one, so an unclosed quote continues when the next
paragraph opens with a mark. Straight marks have no direction: it is read from
the characters around them (a mark after a digit, as in 65", is neither); a mark set off by spaces on both
sides ('said " we will win " and left') opens a quote when none is open and closes the open one otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from unspin.sourcing.layout import Layout

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'
_MARK_CHARS = frozenset(OPENERS + CLOSERS + STRAIGHT + "'`")
_BEFORE_OPEN = " \t\r\n\u00a0([{—–-/:"
_AFTER_CLOSE = " \t\r\n\u00a0.,;:!?)]}—–-"


@dataclass(frozen=True)
class QuoteSpan:
    start: int
    end: int
    parts: tuple[tuple[int, int], ...]


DOUBLED = "''"  # two apostrophes for a double quote mark, as in news archives ("''We will,'' she said")
BACKTICKS = "``"  # the opening mark of that style in some corpora ("``We will,'' she said")


def mark_length(text: str, i: int) -> int:
    """How many characters the quote mark at text[i] takes: 1, 2 for a doubled apostrophe or backtick, 0 for
    none (a lone apostrophe is not a quote mark: it clashes with "don't" and "the Smiths' house")."""
    c = text[i]
    if c in OPENERS or c in CLOSERS or c == STRAIGHT:
        return 1
    if text.startswith(DOUBLED, i) or text.startswith(BACKTICKS, i):
        return 0 if i > 0 and text[i - 1] == c else 2  # the second of a pair is part of the first's mark
    return 0


def mark_role(text: str, i: int) -> str | None:
    """'open', 'close', 'either', or None for a mark that quotes nothing."""
    c = text[i]
    if c in OPENERS or text.startswith(BACKTICKS, i):
        return "open"
    if c in CLOSERS:
        return "close"
    width = 2 if text.startswith(DOUBLED, i) else 1
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    can_open = before in _BEFORE_OPEN and not after.isspace()
    can_close = not before.isspace() and after in _AFTER_CLOSE and not before.isdigit()
    if (can_open and can_close) or (before.isspace() and after.isspace()):  # 'said " we will win " and'
        return "either"
    return "open" if can_open else "close" if can_close else None


def _opens_paragraph(text: str, para: tuple[int, int]) -> bool:
    return mark_length(text, para[0]) > 0 and mark_role(text, para[0]) in ("open", "either")


def find_quotes(layout: Layout) -> list[QuoteSpan]:
    """Every quotation, in text order; unclosed quotes that do not continue are dropped."""
    text = layout.text
    out: list[QuoteSpan] = []
    paras = layout.paragraphs
    open_at: int | None = None
    parts: list[tuple[int, int]] = []
    for k, (pa, pb) in enumerate(paras):
        part_start = open_at if open_at is not None else None
        if open_at is not None:  # a continued quote re-opens at the paragraph's first mark
            part_start = pa
        for i in range(pa, pb):
            width = mark_length(text, i) if text[i] in _MARK_CHARS else 0
            if not width:
                continue
            role = mark_role(text, i)
            if role is None:
                continue
            if open_at is None and role in ("open", "either"):
                open_at, part_start, parts = i, i, []
            elif open_at is not None and role in ("close", "either") and i > (part_start or 0):
                parts.append((part_start or open_at, i + width))
                out.append(QuoteSpan(open_at, i + width, tuple(parts)))
                open_at, part_start, parts = None, None, []
            elif open_at is not None and role == "open" and i != part_start:
                open_at, part_start, parts = i, i, []  # a stray opener: start over from here
        if open_at is not None:
            nxt = paras[k + 1] if k + 1 < len(paras) else None
            if nxt is not None and _opens_paragraph(text, nxt):
                parts.append((part_start if part_start is not None else open_at, pb))
            else:
                open_at, parts = None, []
    return out
