"""What the sourcing stage finds, as plain dataclasses with a stable JSON form.

Every element carries `start`/`end` (str indices into `Article.text`, end
exclusive) and `text == article.text[start:end]`; the JSON form is documented in
docs/sourcing.md because DuckDB rows and the web app store it as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

_T = TypeVar("_T")


def _known(cls: type[_T], d: dict[str, Any]) -> dict[str, Any]:
    """The keys of `d` that are fields of `cls`; a key added by a later schema that `d` lacks takes its default."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return {k: v for k, v in d.items() if k in names}


def _pairs(parts: Any) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in parts or []]


@dataclass(frozen=True)
class Quote:
    """A direct quotation, marks included; `parts` are its pieces when it runs across paragraphs."""

    start: int
    end: int
    text: str
    speaker: str | None = None  # the named source, full name when the article gives one
    role: str | None = None
    speaker_start: int | None = None  # where the speaker is mentioned for this quote ("he", "Ushakov")
    speaker_end: int | None = None
    speaker_text: str | None = None
    cue: str | None = None  # the reporting verb ("said", "told", "according to")
    how: str | None = None  # which rule gave the speaker: after, before, context, pronoun, carried, dash, label
    anonymous: bool = False  # the speaker is an unnamed source ("a senior diplomat said")
    parts: list[tuple[int, int]] = field(default_factory=list)
    source_kind: str | None = None  # person, outlet or institution when the speaker is named

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parts"] = [list(p) for p in self.parts]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        """The quote `to_dict` gave (`parts` back to pairs); keys added since schema 2.0 may be absent."""
        return cls(**{**_known(cls, d), "parts": _pairs(d.get("parts"))})


@dataclass(frozen=True)
class Attribution:
    """Indirect speech: a source, its reporting verb and the claim it is credited with."""

    start: int
    end: int
    text: str  # the source and verb ("the Kremlin confirmed", "According to the Post piece")
    source: str
    source_start: int
    source_end: int
    verb: str
    claim_start: int
    claim_end: int
    claim: str
    named: bool  # the source names a person, body or outlet
    anonymous: bool  # the source is unnamed ("officials", "sources familiar with")
    resolved: str | None = None  # the full name behind a pronoun or short name
    claim_parts: list[tuple[int, int]] = field(default_factory=list)  # the claim's pieces, around a mid-claim cue
    how: str = "rule"  # rule (a reporting-verb rule) or tagger (the learned attribution tagger)
    name: str | None = None  # the named source as the summary counts it: full name, outlet or body
    source_kind: str | None = None  # person, outlet or institution when named

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["claim_parts"] = [list(p) for p in self.claim_parts or [(self.claim_start, self.claim_end)]]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attribution:
        """The attribution `to_dict` gave; keys added since schema 2.0 (`claim_parts`, `how`, `name`,
        `source_kind`) may be absent."""
        return cls(**{**_known(cls, d), "claim_parts": _pairs(d.get("claim_parts"))})


@dataclass(frozen=True)
class AnonymousSource:
    start: int
    end: int
    text: str
    kind: str  # unnamed_marker, familiar_with, anonymity_clause, unnamed_group, impersonal, vague_reports
    in_quote: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnonymousSource:
        return cls(**_known(cls, d))


@dataclass(frozen=True)
class ProvenanceItem:
    start: int
    end: int
    text: str
    outlet: str
    kind: str  # source_line, credit_line, originally_published, dateline, relayed_outlet
    credit: str | None = None  # a credit line's full credit ("Khalil Ashawi / Reuters")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProvenanceItem:
        return cls(**_known(cls, d))


@dataclass(frozen=True)
class Summary:
    text_chars: int
    quoted_chars: int
    quoted_share: float
    quotes: int
    quotes_with_speaker: int
    named_attributions: int
    anonymous_attributions: int
    other_attributions: int
    anonymous_sources: int
    named_sources: list[str]  # each person, outlet and institution once, however many name forms it has
    distinct_named_sources: int
    outlets: list[str]  # every outlet in provenance (publisher, relayed, credits), first seen first
    # Added in schema 3.1; None only in a summary stored before it (its JSON then lacks the key, and views
    # show its `outlets` as one list).
    named_by_kind: dict[str, list[str]] | None = None  # people / outlets / institutions
    publisher: list[str] | None = None  # source lines, datelines, "originally published by"
    relayed: list[str] | None = None  # outlets whose reporting the article relays
    credits: list[str] | None = None  # photo and image credits

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k not in _SINCE_3_1}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Summary:
        return cls(**_known(cls, d))


_SINCE_3_1 = {"named_by_kind", "publisher", "relayed", "credits"}


@dataclass(frozen=True)
class Sourcing:
    quotes: list[Quote]
    attributions: list[Attribution]
    anonymous_sources: list[AnonymousSource]
    provenance: list[ProvenanceItem]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "quotes": [q.to_dict() for q in self.quotes],
            "attributions": [a.to_dict() for a in self.attributions],
            "anonymous_sources": [a.to_dict() for a in self.anonymous_sources],
            "provenance": [p.to_dict() for p in self.provenance],
            "summary": self.summary.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sourcing:
        """The sourcing `to_dict` gave, from any schema since 2.0: `from_dict(x.to_dict()).to_dict() ==
        x.to_dict()`. Raises `KeyError` or `TypeError` for a dict that is not a sourcing's JSON form."""
        return cls(
            quotes=[Quote.from_dict(q) for q in d.get("quotes", [])],
            attributions=[Attribution.from_dict(a) for a in d.get("attributions", [])],
            anonymous_sources=[AnonymousSource.from_dict(a) for a in d.get("anonymous_sources", [])],
            provenance=[ProvenanceItem.from_dict(p) for p in d.get("provenance", [])],
            summary=Summary.from_dict(d["summary"]),
        )
