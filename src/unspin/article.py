"""The one data model: an Article, and the Result that pipeline stages fill in.

Every finding is addressed by `start`/`end` Python string indices into
`Article.text` (end exclusive). Views (terminal, JSON, HTML, PTC labels, DuckDB
rows, web pages) render a `Result`; none of them recomputes an analysis.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from unspin.density import spin_density
from unspin.errors import InputError

if TYPE_CHECKING:  # `unspin.sourcing` imports this module (through segment.py): import it when it is needed
    from unspin.sourcing.model import Sourcing

# 2.0: `article.source` renamed `article.outlet`. 3.0: `score` is spin density (expected propaganda phrases
# per 1,000 words outside quotes; it was the 0-1 mean of the sentence scores), with `score_detail`, `shown`
# and per-technique sentence scores. 1.x and 2.x results still load: their scores are recomputed from their spans.
# 3.1: sourcing keys added (see docs/json-schema.md; nothing removed or renamed).
SCHEMA_VERSION = "3.1"


class SchemaError(InputError):
    """A stored or supplied result was written by a newer, incompatible unspin."""


def _check_schema(version: object) -> None:
    major = str(version or "1.0").split(".")[0]
    ours = SCHEMA_VERSION.split(".")[0]
    if not major.isdigit() or int(major) > int(ours):
        raise SchemaError(f"result schema {version} is newer than this unspin reads ({SCHEMA_VERSION}); upgrade unspin")


def content_hash(text: str) -> str:
    """Stable identity of a text, used for default ids and for idempotent storage."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Article:
    text: str
    title: str = ""
    id: str = ""
    outlet: str | None = None  # the outlet that published it (schema 1.x called it `source`)
    url: str | None = None
    published: str | None = None  # ISO 8601 date (or date and time), when known
    title_end: int = 0  # the title is text[0:title_end]; 0 when the text has no title line
    language: str | None = None  # ISO 639-1 code, detected by the pipeline; None when unsure
    published_raw: str | None = None  # the date as the input wrote it, when it was normalised (corpora, feeds)

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_hash(self.text)[:16]

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
            "title_end": self.title_end,
            "language": self.language,
        }
        if self.published_raw is not None:  # only inputs whose dates were normalised (corpora, feeds) have one
            d["published_raw"] = self.published_raw
        return d


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    technique: str
    confidence: float
    text: str = ""
    explanation: str = ""  # one sentence of why: the word that carried it and what to check
    cue_start: int | None = None  # the word that carried it most (see detect/cues.py)
    cue_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "technique": self.technique, "confidence": self.confidence,
                "text": self.text, "explanation": self.explanation, "cue_start": self.cue_start, "cue_end": self.cue_end}


@dataclass
class Sentence:
    start: int
    end: int
    score: float = 0.0  # the highest confidence of any span the detector emitted in it (0 when none)
    is_title: bool = False
    techniques: dict[str, float] = field(default_factory=dict)  # the highest confidence per technique

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "score": self.score, "is_title": self.is_title,
                "techniques": dict(self.techniques)}


@dataclass
class ArticleScore:
    """The article score a reader sees: spin density, and its place among ordinary news.

    Spin density is the expected number of propaganda phrases per 1,000 words (`density.py`): the
    sum of the calibrated confidences of every span the detector emitted (each the probability that
    the span shows its technique), per 1,000 words. The article score counts the article's own
    words, outside direct quotes; quotes are counted apart. It does not depend on the display
    threshold. `share_below` and `share_above` are the shares (0 to 1) of the model's reference
    articles with a lower and a higher density, None when the model ships no reference for its version.
    """

    density: float
    expected_phrases: float
    words: int  # outside direct quotes
    quoted_density: float = 0.0
    quoted_expected_phrases: float = 0.0
    quoted_words: int = 0
    share_below: float | None = None  # of the reference articles, the share with a lower density
    share_above: float | None = None  # and the share with a higher one (ties make the two add up to less than 1)
    reference: str | None = None  # e.g. "33,015 news articles from 466 outlets"

    def to_dict(self) -> dict[str, Any]:
        return {"measure": "spin density", "unit": "expected propaganda phrases per 1,000 words outside direct quotes",
                **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleScore:
        return cls(**{k: d[k] for k in (f.name for f in fields(cls)) if k in d})


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str


@dataclass
class Result:
    """An article and everything the pipeline found in it."""

    article: Article
    model: ModelInfo
    spans: list[Span] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    score: float = 0.0  # spin density: expected propaganda phrases per 1,000 words (see ArticleScore)
    score_detail: ArticleScore | None = None
    sourcing: Sourcing | None = None  # once the sourcing stage has run
    min_confidence: float = 0.0  # spans below this are not in `spans` (shown elsewhere only as a count)
    hidden_spans: int = 0  # how many spans the detector emitted below min_confidence

    def technique_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.spans:
            counts[s.technique] = counts.get(s.technique, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self, include_text: bool = True) -> dict[str, Any]:
        art = self.article.to_dict()
        if include_text:
            art["text"] = self.article.text
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "model": {"name": self.model.name, "version": self.model.version},
            "article": art,
            "score": round(self.score, 4),
            "score_detail": self.score_detail.to_dict() if self.score_detail else None,
            "shown": {"min_confidence": self.min_confidence, "hidden_spans": self.hidden_spans},
            "spans": [s.to_dict() for s in self.spans],
            "sentences": [s.to_dict() for s in self.sentences],
        }
        if self.sourcing is not None:
            out["sourcing"] = self.sourcing.to_dict()
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """A Result from its JSON form (`to_dict`), schema 1.x to 3.x.

        A result from before 3.0 (score = mean of the sentence scores) gets its scores recomputed from
        its spans. The sourcing becomes a `Sourcing` again (`Sourcing.from_dict`; keys a later schema added may
        be absent), and `to_dict` writes it back as it was read. Raises `SchemaError` for a result written by a newer major schema version.
        """
        from unspin.sourcing.model import Sourcing  # here, not at the top: see the import under TYPE_CHECKING

        _check_schema(d.get("schema_version"))
        if int(str(d.get("schema_version") or "1.0").split(".")[0]) < 3:
            d = _upgrade_scores(d)
        a = d["article"]
        article = Article(
            text=a.get("text", ""), title=a.get("title", ""), id=a["id"], outlet=a.get("outlet", a.get("source")),
            url=a.get("url"), published=a.get("published"), title_end=a.get("title_end", 0),
            language=a.get("language"),
            published_raw=a.get("published_raw"),
        )
        return cls(
            article=article,
            model=ModelInfo(**d["model"]),
            spans=[Span(**s) for s in d.get("spans", [])],
            sentences=[Sentence(**s) for s in d.get("sentences", [])],
            score=d.get("score", 0.0),
            score_detail=ArticleScore.from_dict(d["score_detail"]) if d.get("score_detail") else None,
            sourcing=Sourcing.from_dict(d["sourcing"]) if d.get("sourcing") is not None else None,
            min_confidence=d.get("shown", {}).get("min_confidence", 0.0),
            hidden_spans=d.get("shown", {}).get("hidden_spans", 0),
        )


def _upgrade_scores(d: dict[str, Any]) -> dict[str, Any]:
    """Schema 1.x/2.x to 3.0: spin density and per-technique sentence scores from the stored spans.

    Such a result holds the spans it was asked to show (a store's results hold every span), so the
    density is computed from those; the sentence scores are recomputed the same way.
    """
    d = dict(d)
    spans = d.get("spans", [])
    quotes = [(q["start"], q["end"]) for q in (d.get("sourcing") or {}).get("quotes", [])]
    dens = spin_density(d["article"].get("text", ""), [(s["start"], s["end"], s["confidence"]) for s in spans], quotes)
    d["score"] = dens.density
    d["score_detail"] = asdict(dens)
    sents = []
    for s in d.get("sentences", []):
        techs: dict[str, float] = {}
        for sp in spans:
            if sp["start"] < s["end"] and sp["end"] > s["start"]:
                techs[sp["technique"]] = max(techs.get(sp["technique"], 0.0), sp["confidence"])
        sents.append({**s, "score": max(techs.values(), default=0.0), "techniques": techs})
    d["sentences"] = sents
    d["schema_version"] = SCHEMA_VERSION
    return d
