"""The one data model: an Article, and the Result that pipeline stages fill in.

Every finding is addressed by `start`/`end` Python string indices into
`Article.text` (end exclusive). Views (terminal, JSON, HTML, PTC labels, DuckDB
rows, web pages) render a `Result`; none of them recomputes an analysis.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from unspin.errors import InputError

SCHEMA_VERSION = "2.1"  # 2.1: sourcing keys added (see docs/json-schema.md); 2.0: `article.source` -> `article.outlet`


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
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Sentence:
    start: int
    end: int
    score: float = 0.0
    is_title: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    score: float = 0.0
    sourcing: Any = None  # a `unspin.sourcing.Sourcing` once that stage has run

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
            "spans": [s.to_dict() for s in self.spans],
            "sentences": [s.to_dict() for s in self.sentences],
        }
        if self.sourcing is not None:
            out["sourcing"] = self.sourcing.to_dict() if hasattr(self.sourcing, "to_dict") else self.sourcing
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """A Result from its JSON form (`to_dict`), schema 1.x or 2.x.

        Raises `SchemaError` for a result written by a newer major schema version.
        """
        _check_schema(d.get("schema_version"))
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
            sourcing=d.get("sourcing"),
        )
