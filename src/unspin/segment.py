"""Title and sentences, as (start, end) offsets into the article text.

Lines are split first (the PTC layout puts one sentence per line and the title on
line 1), then each line is split at sentence ends. Leading and trailing blanks are
never part of a segment, so a segment's text is never empty.
"""

from __future__ import annotations

import re

from unspin.article import Article, Sentence

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets), then
# whitespace, then something that can open a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Lt|St|Jr|Sr|vs|No|U\.S|U\.K|Inc|Co|Corp|Ltd|Gov|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.|\b[A-Z]\.)$")


def title_end(text: str) -> int:
    """End of the title in the PTC layout: line 1 followed by a blank line.

    Returns 0 when the text does not look like that layout.
    """
    first = text.find("\n")
    if first <= 0:
        return 0
    if text[first:].startswith("\n\n") or text[first:].startswith("\n\r\n"):
        return len(text[:first].rstrip())
    return 0


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def split_line(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Sentences inside text[a:b]."""
    out: list[tuple[int, int]] = []
    start = a
    for m in _BOUNDARY.finditer(text, a, b):
        if _ABBREV.search(text, max(start, m.start() - 12), m.start()):
            continue
        out.append((start, m.end(1)))
        start = m.end()
    out.append((start, b))
    return [s for s in (_strip(text, x, y) for x, y in out) if s[1] > s[0]]


def lines(text: str) -> list[tuple[int, int]]:
    """Non-blank lines as stripped (start, end) ranges."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        a, b = _strip(text, pos, pos + len(line))
        if b > a:
            out.append((a, b))
        pos += len(line)
    return out


LineSentences = list[tuple[tuple[int, int], list[tuple[int, int]]]]


def line_sentences(text: str) -> LineSentences:
    """Each non-blank line of `text` as a stripped (start, end) range, with the sentences inside it (`split_line`).

    The one segmentation of an article: `segment` and the sourcing `Layout` both read it, so one analysis
    splits its text once (`unspin.pipeline.Shared`).
    """
    return [((a, b), split_line(text, a, b)) for a, b in lines(text)]


def segment(article: Article, split: LineSentences | None = None) -> list[Sentence]:
    """The title (if any) as its own segment, then every sentence of the body.

    `split` is `line_sentences(article.text)` when the caller has it already (computed here otherwise).
    """
    out: list[Sentence] = []
    for (a, b), sentences in line_sentences(article.text) if split is None else split:
        if article.title_end and b <= article.title_end:
            out.append(Sentence(a, b, is_title=True))
            continue
        out.extend(Sentence(x, y) for x, y in sentences)
    return out
