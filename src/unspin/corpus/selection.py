"""Which articles and outlets a corpus view covers: the filter, the one SQL selection every query starts from,
and the outlets a table lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from unspin.errors import InputError

UNKNOWN_OUTLET = "(unknown)"


@dataclass(frozen=True)
class StatsFilter:
    """Which articles the statistics cover. Empty fields select everything."""

    outlets: tuple[str, ...] = ()  # matched case-insensitively
    since: date | None = None  # inclusive, on `published`; undated articles are dropped when set
    until: date | None = None  # inclusive
    model_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["outlets"] = list(self.outlets)
        d["since"] = self.since.isoformat() if self.since else None
        d["until"] = self.until.isoformat() if self.until else None
        return d


def check_period(flt: StatsFilter) -> None:
    """Raise `InputError` when the period ends before it starts (`since` after `until`)."""
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"the period starts after it ends (since {flt.since.isoformat()}, until {flt.until.isoformat()})")


def selection(flt: StatsFilter) -> tuple[str, list[Any]]:
    """A `picked` CTE (one row per article, deduplicated by hash) and its parameters.

    Every query starts from this CTE so all tables agree on which articles count.
    """
    sql = f"""
picked AS (
  SELECT * FROM (
    SELECT id, hash, coalesce(nullif(trim(outlet), ''), '{UNKNOWN_OUTLET}') AS outlet, url, title, published,
           coalesce(words, 0) AS words, coalesce(score, 0) AS score, coalesce(n_spans, 0) AS n_spans,
           coalesce(n_sentences, 0) AS n_sentences, coalesce(n_flagged_sentences, 0) AS n_flagged_sentences,
           analysed_at
    FROM articles
    WHERE (CAST(? AS VARCHAR) IS NULL OR model_version = ?)
    QUALIFY row_number() OVER (PARTITION BY hash ORDER BY analysed_at DESC NULLS LAST, id) = 1
  )
  WHERE (len(CAST(? AS VARCHAR[])) = 0 OR list_contains(CAST(? AS VARCHAR[]), lower(outlet)))
    AND (CAST(? AS DATE) IS NULL OR published >= ?)
    AND (CAST(? AS DATE) IS NULL OR published <= ?)
)"""
    outlets = [o.strip().lower() for o in flt.outlets]
    params: list[Any] = [
        flt.model_version, flt.model_version, outlets, outlets, flt.since, flt.since, flt.until, flt.until,
    ]
    return sql, params


MAX_OUTLETS = 30  # outlet rows of the terminal tables (`unspin stats --max-outlets`)


def largest_outlets(outlets: list[dict[str, Any]], n: int | None) -> tuple[list[dict[str, Any]], int]:
    """The `n` outlet rows with the most articles (all of them when `n` is None or 0), kept in their
    own (name) order, and how many were left out. Views of a corpus of hundreds of outlets open on
    the ones its figures rest on."""
    if not n or len(outlets) <= n:
        return list(outlets), 0
    keep = {o["outlet"] for o in sorted(outlets, key=lambda o: (-o["articles"], o["outlet"]))[:n]}
    return [o for o in outlets if o["outlet"] in keep], len(outlets) - len(keep)
