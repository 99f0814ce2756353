"""Tokens with character offsets, and the windows that cover a long article.

Training and the runtime share this module, so the model sees text cut into
windows in exactly the same way in both.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

# Tokens per window, not counting [CLS] and [SEP].
WINDOW = 254


@dataclass(frozen=True)
class Encoded:
    """Word pieces of a whole article: ids and (start, end) character offsets."""

    ids: np.ndarray  # (n,) int64
    offsets: np.ndarray  # (n, 2) int64, into the original text

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def load_tokenizer(path: Path) -> Tokenizer:
    """Load `tokenizer.json` with truncation and padding off: we window ourselves."""
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def special_ids(tok: Tokenizer) -> tuple[int, int, int]:
    """(cls, sep, pad) ids: the tokens the tokenizer's own post-processor puts around a text
    ([CLS]/[SEP] for BERT, <s>/</s> for MPNet), and <pad>, else [PAD]."""
    around = tok.encode("a", add_special_tokens=True).ids
    inner = tok.encode("a", add_special_tokens=False).ids
    pad = next((i for i in (tok.token_to_id("<pad>"), tok.token_to_id("[PAD]")) if i is not None), None)
    if len(around) != len(inner) + 2 or pad is None:
        raise ValueError("tokenizer does not wrap a text in one start and one end token, or has no pad token")
    return around[0], around[-1], pad


def encode(tok: Tokenizer, text: str) -> Encoded:
    enc = tok.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    return Encoded(ids, offsets)


def windows(n: int, size: int = WINDOW, stride: int | None = None, first: int = 0) -> list[tuple[int, int]]:
    """Token ranges that cover [0, n) with windows of `size` tokens.

    `stride` < `size` makes windows overlap (the runtime uses a small overlap so a
    span at an edge is seen with context on both sides). `first` shortens the
    first window, which training uses to move the edges from epoch to epoch.
    """
    if n <= 0:
        return []
    stride = stride or size
    out: list[tuple[int, int]] = []
    start = 0
    if 0 < first < n:
        out.append((0, first))
        start = max(first - (size - stride), 0) if stride < size else first
    while True:
        end = min(start + size, n)
        out.append((start, end))
        if end >= n:
            break
        start += stride
    return out


def sentence_windows(n: int, breaks: Sequence[int], size: int = WINDOW, overlap: int = 32) -> list[tuple[int, int]]:
    """Token ranges that cover [0, n) with windows of at most `size` tokens that end where a sentence ends.

    `breaks` are sorted token indices where a sentence (or line) starts. Each window
    ends at the last break that fits, so windows do not overlap and a span inside a
    sentence never crosses a window edge. Only when no break falls in the second half
    of a window (a sentence longer than half a window) is it cut at `size`, and the
    next window then starts `overlap` tokens earlier, so a span across that cut is
    still read with context on both sides (the runtime averages the shared tokens).
    """
    out: list[tuple[int, int]] = []
    a = 0
    while n - a > size:
        limit = a + size
        j = bisect_right(breaks, limit) - 1
        b = breaks[j] if j >= 0 else 0
        if b > a + size // 2:
            out.append((a, b))
            a = b
        else:
            out.append((a, limit))
            a = limit - overlap
    if n > a:
        out.append((a, n))
    return out


def token_starts(offsets: np.ndarray, char_starts: Sequence[int]) -> list[int]:
    """Index of the first token at or after each character offset, without 0 and duplicates (sorted)."""
    if len(offsets) == 0:
        return []
    idx = np.searchsorted(offsets[:, 0], np.asarray(char_starts, dtype=np.int64))
    return sorted({int(i) for i in idx if 0 < i < len(offsets)})


def token_span(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Token index range [a, b) whose characters overlap [start, end); (0, 0) if none."""
    if len(offsets) == 0:
        return 0, 0
    inside = np.nonzero((offsets[:, 0] < end) & (offsets[:, 1] > start))[0]
    if inside.size == 0:
        return 0, 0
    return int(inside[0]), int(inside[-1]) + 1
