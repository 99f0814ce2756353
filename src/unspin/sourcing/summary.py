"""Figures a reader (or a stats query) wants first: how much is quoted, who is relied on, where it comes from.

Named sources are counted once each: a person under every name form the article uses ("Josh Rogin",
"Rogin", "Washington Post columnist Josh Rogin") is one person, "the Kremlin" and "Kremlin" one institution.
Outlets in provenance are told apart by what they are to the article: its publisher (a source line, a dateline,
"originally published by"), an outlet it relays, or a photo credit.
"""

from __future__ import annotations

import re

from unspin.sourcing.model import AnonymousSource, Attribution, ProvenanceItem, Quote, Summary

_KINDS = {"person": "people", "outlet": "outlets", "institution": "institutions"}
_PUBLISHER = {"source_line", "originally_published", "dateline"}


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


def _key(name: str) -> str:
    """'The Kremlin' and 'Kremlin's' are one name."""
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.I)
    return re.sub(r"['’]s$", "", name).lower()


def distinct_sources(named: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(name, kind) pairs -> names per kind, each once: a person's one-word name joins the full name that ends
    or starts with it ('Rogin' -> 'Josh Rogin'); a body named like an outlet is that outlet."""
    outlets = {_key(n) for n, k in named if k == "outlet"}
    full = [n for n, k in named if k == "person" and len(n.split()) > 1]
    out: dict[str, list[str]] = {v: [] for v in _KINDS.values()}
    seen: set[str] = set()
    for name, kind in named:
        if kind == "institution" and _key(name) in outlets:
            kind = "outlet"
        if kind == "person" and len(name.split()) == 1:
            name = next((f for f in full if name in (f.split()[-1], f.split()[0])), name)
        key = _key(name)
        if key in seen:
            continue
        seen.add(key)
        out[_KINDS.get(kind, "institutions")].append(re.sub(r"^(?:the)\s+", "", name, flags=re.I))
    return out


def summarise(text: str, quotes: list[Quote], attributions: list[Attribution],
              anonymous: list[AnonymousSource], provenance: list[ProvenanceItem]) -> Summary:
    quoted = _covered([tuple(p) for q in quotes for p in (q.parts or [(q.start, q.end)])])  # type: ignore[misc]
    named_quotes = [q for q in quotes if q.speaker]
    named_attr = [a for a in attributions if a.named]
    anon = sum(q.anonymous for q in quotes) + sum(a.anonymous for a in attributions)
    named = [(q.speaker, q.source_kind or "person") for q in named_quotes if q.speaker]
    named += [(a.name or a.resolved or a.source, a.source_kind or "institution") for a in named_attr]
    by_kind = distinct_sources(named)
    order = [n for n, _ in named]
    sources = sorted((n for names in by_kind.values() for n in names),
                     key=lambda n: next((i for i, m in enumerate(order) if _key(m) == _key(n)), len(order)))
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
        named_by_kind=by_kind,
        publisher=_unique([p.outlet for p in provenance if p.kind in _PUBLISHER]),
        relayed=_unique([p.outlet for p in provenance if p.kind == "relayed_outlet"]),
        credits=_unique([p.outlet for p in provenance if p.kind == "credit_line"]),
    )
