"""Cutting the text at every span edge, so overlapping spans can be drawn.

Each piece knows which spans cover it; terminal and HTML views colour a piece
by its most confident span and list the others in its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from unspin.article import Span


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    spans: tuple[Span, ...]

    @property
    def top(self) -> Span | None:
        return max(self.spans, key=lambda s: s.confidence) if self.spans else None


def pieces(text_len: int, spans: list[Span], start: int = 0, end: int | None = None) -> list[Piece]:
    """Pieces covering [start, end) of the text, in order."""
    end = text_len if end is None else end
    cuts = {start, end}
    for s in spans:
        if s.end > start and s.start < end:
            cuts.add(max(s.start, start))
            cuts.add(min(s.end, end))
    edges = sorted(cuts)
    out: list[Piece] = []
    for a, b in zip(edges, edges[1:], strict=False):
        cover = tuple(s for s in spans if s.start <= a and s.end >= b)
        out.append(Piece(a, b, cover))
    return out
