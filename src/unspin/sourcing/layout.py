"""Tokens, sentences and paragraphs of an article, all as offsets into its text.

The sourcing rules reason about words ("Ushakov", "said") and about where a
sentence or paragraph starts, never about copies of the text, so every finding
can point back into `Article.text`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from unspin.segment import LineSentences, line_sentences

if TYPE_CHECKING:
    from unspin.sourcing.outlets import OutletMention

# Initialisms ("U.S."), words (with inner apostrophes and hyphens), or one mark.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’\-]*|[^\w\s]")


class Token(NamedTuple):
    """One token: offsets into the text (end exclusive) and its text. A tuple: cheap to make by the thousand."""

    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def bare(self) -> str:
        """The word without a possessive ending."""
        for suffix in ("'s", "’s"):
            if self.text.endswith(suffix):
                return self.text[: -len(suffix)]
        return self.text


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


class Layout:
    """Paragraphs and sentences of one text, with lookups by offset.

    `split` is `line_sentences(text)` when the caller has it already (the pipeline segments once per article).
    """

    def __init__(self, text: str, split: LineSentences | None = None) -> None:
        self.text = text
        split = line_sentences(text) if split is None else split
        self.paragraphs: list[tuple[int, int]] = [line for line, _ in split]
        self.sentences: list[tuple[int, int]] = [s for _, sentences in split for s in sentences]
        self._sent_starts = [a for a, _ in self.sentences]
        self._para_starts = [a for a, _ in self.paragraphs]

    @cached_property
    def headlines(self) -> list[tuple[int, int]]:
        """Paragraphs in Title Case (a headline or a standfirst), where capitals say nothing about names."""
        out = []
        for a, b in self.paragraphs:
            if self.text[b - 1] in ".!?\"”’":  # headlines carry no full stop
                continue
            words = [t for t in self.tokens_in(a, b) if t.is_word and len(t.text) > 3]
            if len(words) >= 3 and sum(t.is_cap for t in words) >= 0.7 * len(words):
                out.append((a, b))
        return out

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect_right(self._sent_starts, pos) - 1)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        return self.sentences[self.sentence_index(pos)] if self.sentences else (0, len(self.text))

    def paragraph_index(self, pos: int) -> int:
        return max(0, bisect_right(self._para_starts, pos) - 1)

    @cached_property
    def all_tokens(self) -> list[Token]:
        return tokens(self.text)

    @cached_property
    def outlets(self) -> list[OutletMention]:
        """Every outlet mention in the text (`find_outlets`), found once for all the rules that need them."""
        from unspin.sourcing.outlets import find_outlets

        return find_outlets(self.text, toks=self.all_tokens)

    @cached_property
    def _token_starts(self) -> list[int]:
        return [t.start for t in self.all_tokens]

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """Same as tokens(text, start, end), taken from the article's tokens (tokenised once)."""
        toks = self.all_tokens
        i = bisect_left(self._token_starts, start)
        j = bisect_left(self._token_starts, end, i)
        if (i > 0 and toks[i - 1].end > start) or (j > i and toks[j - 1].end > end):
            return tokens(self.text, start, end)  # a token crosses an edge: the range tokenises differently
        return toks[i:j]


class Ranges:
    """`pos in Ranges(ranges)` is `any(a <= pos < b for a, b in ranges)`, by binary search (ranges may overlap)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(r for r in ranges if r[1] > r[0]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


def trim(text: str, start: int, end: int, chars: str = " \t\r\n\u00a0,;:") -> tuple[int, int]:
    """Shrink [start, end) past the given characters at both ends."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end
