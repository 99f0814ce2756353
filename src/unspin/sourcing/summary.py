"""Figures a reader (or a stats query) wants first: how much is quoted, and who is relied on."""

from __future__ import annotations

from unspin.sourcing.model import AnonymousSource, Attribution, ProvenanceItem, Quote, Summary


def _covered(spans: list[tuple[int, int]]) -> int:
    total, reach = 0, 0
    for a, b in sorted(spans):
        a = max(a, reach)
        if b > a:
            total += b - a
            reach = b
    return total


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        if x and x.lower() not in {k.lower() for k in seen}:
            seen[x] = None
    return list(seen)


def summarise(text: str, quotes: list[Quote], attributions: list[Attribution],
              anonymous: list[AnonymousSource], provenance: list[ProvenanceItem]) -> Summary:
    quoted = _covered([(q.start, q.end) for q in quotes])
    named_quotes = [q for q in quotes if q.speaker]
    named_attr = [a for a in attributions if a.named]
    anon = sum(q.anonymous for q in quotes) + sum(a.anonymous for a in attributions)
    sources = _unique([q.speaker for q in named_quotes if q.speaker] + [a.resolved or a.source for a in named_attr])
    return Summary(
        text_chars=len(text),
        quoted_chars=quoted,
        quoted_share=round(quoted / len(text), 4) if text else 0.0,
        quotes=len(quotes),
        quotes_with_speaker=len(named_quotes),
        named_attributions=len(named_quotes) + len(named_attr),
        anonymous_attributions=anon,
        other_attributions=sum(1 for a in attributions if not a.named and not a.anonymous),
        anonymous_sources=len(anonymous),
        named_sources=sources,
        distinct_named_sources=len(sources),
        outlets=_unique([p.outlet for p in provenance]),
    )
