"""Corpus statistics over a results store: which outlets use which techniques, how often, and when.

Everything here is a plain query returning JSON-ready dicts, so the CLI, the HTML
report, the CSV/Parquet export and the web app's `/api/stats` all show the same
numbers. Heavy lifting stays in DuckDB; Python only turns counts into ratios.

Definitions (also in docs/stats.md):
- An article is counted once per content hash: when a text was analysed by several
  model versions, the most recent analysis wins (or the one `model_version` asks for).
- spans per 1,000 words = 1000 * spans / words, over all the articles in the group.
- flagged share = sentences holding at least one span / all sentences (pooled).
  Per technique: sentences holding at least one span of that technique.
- mean score = the plain mean of article scores; per technique, the mean over the
  articles that use the technique at least once.
- Articles without a `published` date are left out of the monthly trend and counted
  in `undated` instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from unspin.corpus.selection import StatsFilter, check_period, selection
from unspin.corpus.store import Store
from unspin.corpus.stories import StoryOptions, story_report
from unspin.errors import UnspinError
from unspin.techniques import BY_ID, TECHNIQUE_IDS

ALL = "(all)"  # the outlet label of rows that sum over every selected outlet
REQUIRED_TABLES = ("articles", "spans", "sentences")
STATS_SCHEMA = "unspin.stats/1"


class StatsError(UnspinError):
    """The results database cannot be read for statistics."""


def _cursor(con_or_store: Any) -> duckdb.DuckDBPyConnection:
    """The connection to query: a Store's gets a cursor of its own; a connection given is used as it is (and left open).

    As it is, because a caller that hands over a connection may have chosen its database (`USE`), which a new
    cursor would not inherit, and may interrupt it to enforce a deadline (unspin.corpus.store_access).
    """
    if isinstance(con_or_store, duckdb.DuckDBPyConnection):
        return con_or_store
    con = getattr(con_or_store, "connection", None)
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise TypeError("expected a DuckDB connection or a Store")
    return con.cursor()


def check_schema(con: duckdb.DuckDBPyConnection, where: str = "the database") -> None:
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        raise StatsError(f"{where} is not an unspin results store (no table {', '.join(missing)})")


@contextmanager
def open_results(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a results store read-only (the store turns open failures into one line) and check its tables."""
    with Store(path, read_only=True) as store:
        check_schema(store.connection, str(path))
        yield store.connection


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return round(scale * num / den, 4) if den else 0.0


def _name(technique: str) -> str:
    t = BY_ID.get(technique)
    return t.name if t else technique


def _technique_order(technique: str) -> int:
    return TECHNIQUE_IDS.index(technique) if technique in TECHNIQUE_IDS else len(TECHNIQUE_IDS)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def outlet_rows(con: duckdb.DuckDBPyConnection, flt: StatsFilter) -> list[dict[str, Any]]:
    """One row per outlet plus an `(all)` row first."""
    cte, params = selection(flt)
    sql = f"""
WITH {cte}
SELECT CASE WHEN grouping(outlet) = 1 THEN NULL ELSE outlet END AS outlet,
       count(*) AS articles, sum(words) AS words, sum(n_spans) AS spans, sum(n_sentences) AS sentences,
       sum(n_flagged_sentences) AS flagged_sentences, avg(score) AS mean_score,
       count(*) FILTER (WHERE published IS NULL) AS undated, min(published) AS first, max(published) AS last
FROM picked GROUP BY GROUPING SETS ((outlet), ())
ORDER BY outlet NULLS FIRST"""
    out = []
    for r in _rows(con, sql, params):
        out.append({
            "outlet": r["outlet"] or ALL,
            "articles": int(r["articles"]),
            "words": int(r["words"] or 0),
            "spans": int(r["spans"] or 0),
            "spans_per_1k_words": _ratio(r["spans"] or 0, r["words"] or 0, 1000),
            "sentences": int(r["sentences"] or 0),
            "flagged_sentences": int(r["flagged_sentences"] or 0),
            "flagged_share": _ratio(r["flagged_sentences"] or 0, r["sentences"] or 0),
            "mean_score": round(float(r["mean_score"] or 0.0), 4),
            "undated": int(r["undated"]),
            "first_published": _iso(r["first"]),
            "last_published": _iso(r["last"]),
        })
    return out


def technique_rows(
    con: duckdb.DuckDBPyConnection, flt: StatsFilter, outlets: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per (outlet, technique) that occurs, plus `(all)` rows per technique."""
    cte, params = selection(flt)
    sql = f"""
WITH {cte},
art_tech AS (
  SELECT p.outlet, p.id, p.score, s.technique, count(*) AS n
  FROM picked p JOIN spans s ON s.article_id = p.id GROUP BY ALL
),
t AS (
  SELECT CASE WHEN grouping(outlet) = 1 THEN NULL ELSE outlet END AS outlet, technique,
         sum(n) AS spans, count(*) AS articles, avg(score) AS mean_score
  FROM art_tech GROUP BY GROUPING SETS ((outlet, technique), (technique))
),
sent_tech AS (
  SELECT DISTINCT p.outlet, se.article_id, se.idx, sp.technique
  FROM picked p
  JOIN sentences se ON se.article_id = p.id
  JOIN spans sp ON sp.article_id = se.article_id AND sp.start < se."end" AND sp."end" > se.start
),
f AS (
  SELECT CASE WHEN grouping(outlet) = 1 THEN NULL ELSE outlet END AS outlet, technique, count(*) AS flagged
  FROM sent_tech GROUP BY GROUPING SETS ((outlet, technique), (technique))
)
SELECT t.outlet, t.technique, t.spans, t.articles, t.mean_score, coalesce(f.flagged, 0) AS flagged
FROM t LEFT JOIN f ON f.outlet IS NOT DISTINCT FROM t.outlet AND f.technique = t.technique"""
    by_outlet = {o["outlet"]: o for o in outlets}
    out = []
    for r in _rows(con, sql, params):
        o = by_outlet[r["outlet"] or ALL]
        out.append({
            "outlet": o["outlet"],
            "technique": r["technique"],
            "name": _name(r["technique"]),
            "articles": int(r["articles"]),
            "spans": int(r["spans"]),
            "spans_per_1k_words": _ratio(r["spans"], o["words"], 1000),
            "share_of_spans": _ratio(r["spans"], o["spans"]),
            "flagged_sentences": int(r["flagged"]),
            "flagged_share": _ratio(r["flagged"], o["sentences"]),
            "mean_score": round(float(r["mean_score"] or 0.0), 4),
        })
    out.sort(key=lambda r: (r["outlet"] != ALL, r["outlet"], -r["spans"], _technique_order(r["technique"])))
    return out


def trend_rows(con: duckdb.DuckDBPyConnection, flt: StatsFilter) -> list[dict[str, Any]]:
    """Per month (of `published`) and outlet, plus `(all)` per month. Undated articles are left out."""
    cte, params = selection(flt)
    sql = f"""
WITH {cte}, dated AS (SELECT *, strftime(published, '%Y-%m') AS month FROM picked WHERE published IS NOT NULL)
SELECT month, CASE WHEN grouping(outlet) = 1 THEN NULL ELSE outlet END AS outlet,
       count(*) AS articles, sum(words) AS words, sum(n_spans) AS spans, sum(n_sentences) AS sentences,
       sum(n_flagged_sentences) AS flagged, avg(score) AS mean_score
FROM dated GROUP BY GROUPING SETS ((month, outlet), (month))
ORDER BY month, outlet NULLS FIRST"""
    return [
        {
            "month": r["month"],
            "outlet": r["outlet"] or ALL,
            "articles": int(r["articles"]),
            "words": int(r["words"] or 0),
            "spans": int(r["spans"] or 0),
            "spans_per_1k_words": _ratio(r["spans"] or 0, r["words"] or 0, 1000),
            "flagged_share": _ratio(r["flagged"] or 0, r["sentences"] or 0),
            "mean_score": round(float(r["mean_score"] or 0.0), 4),
        }
        for r in _rows(con, sql, params)
    ]


def trend_technique_rows(
    con: duckdb.DuckDBPyConnection, flt: StatsFilter, trend: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Spans per month, outlet and technique (and `(all)` outlets), normalised by that month's words."""
    cte, params = selection(flt)
    sql = f"""
WITH {cte}
SELECT strftime(p.published, '%Y-%m') AS month, CASE WHEN grouping(p.outlet) = 1 THEN NULL ELSE p.outlet END AS outlet,
       s.technique, count(*) AS spans
FROM picked p JOIN spans s ON s.article_id = p.id
WHERE p.published IS NOT NULL
GROUP BY GROUPING SETS ((month, p.outlet, s.technique), (month, s.technique))
ORDER BY month, outlet NULLS FIRST, s.technique"""
    words = {(t["month"], t["outlet"]): t["words"] for t in trend}
    out = []
    for r in _rows(con, sql, params):
        outlet = r["outlet"] or ALL
        out.append({
            "month": r["month"],
            "outlet": outlet,
            "technique": r["technique"],
            "spans": int(r["spans"]),
            "spans_per_1k_words": _ratio(r["spans"], words.get((r["month"], outlet), 0), 1000),
        })
    return out


def top_span_rows(con: duckdb.DuckDBPyConnection, flt: StatsFilter, top: int) -> list[dict[str, Any]]:
    """The most frequent span texts per technique, lowercased with whitespace collapsed."""
    cte, params = selection(flt)
    sql = f"""
WITH {cte},
norm AS (
  SELECT s.technique, lower(trim(regexp_replace(coalesce(s.text, ''), '\\s+', ' ', 'g'))) AS t, s.article_id, p.outlet
  FROM picked p JOIN spans s ON s.article_id = p.id
)
SELECT technique, t AS text, count(*) AS n, count(DISTINCT article_id) AS articles, count(DISTINCT outlet) AS outlets
FROM norm WHERE t <> ''
GROUP BY technique, t
QUALIFY row_number() OVER (PARTITION BY technique ORDER BY count(*) DESC, t) <= ?
ORDER BY technique, n DESC, t"""
    rows = _rows(con, sql, [*params, top])
    out = [
        {
            "technique": r["technique"], "name": _name(r["technique"]), "text": r["text"], "count": int(r["n"]),
            "articles": int(r["articles"]), "outlets": int(r["outlets"]),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (_technique_order(r["technique"]), r["technique"], -r["count"], r["text"]))
    return out


def model_versions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    sql = "SELECT model_version, count(*) AS articles FROM articles GROUP BY ALL ORDER BY articles DESC, model_version"
    return [{"model_version": r[0], "articles": int(r[1])} for r in con.execute(sql).fetchall()]


def compute_stats(
    con_or_store: Any,
    filter: StatsFilter | None = None,
    top: int = 10,
    stories: bool = False,
    story_options: Any = None,
) -> dict[str, Any]:
    """All statistics as one JSON-serialisable dict (see docs/stats.md for its shape)."""
    if top < 1:
        raise StatsError(f"the number of top span texts must be at least 1, not {top}")
    flt = filter or StatsFilter()
    check_period(flt)
    con = _cursor(con_or_store)
    try:
        check_schema(con)
        outlets = outlet_rows(con, flt)
        overall = outlets[0] if outlets else None
        if overall is None or overall["articles"] == 0:
            outlets = []
        trend = trend_rows(con, flt) if outlets else []
        result: dict[str, Any] = {
            "schema": STATS_SCHEMA,
            "filter": flt.to_dict(),
            "model_versions": model_versions(con),
            "articles": overall["articles"] if overall is not None and outlets else 0,
            "overall": outlets[0] if outlets else None,
            "outlets": outlets[1:],
            "techniques": technique_rows(con, flt, outlets) if outlets else [],
            "months": sorted({t["month"] for t in trend}),
            "trend": trend,
            "trend_techniques": trend_technique_rows(con, flt, trend) if outlets else [],
            "top_spans": top_span_rows(con, flt, top) if outlets else [],
            "top": top,
        }
        if stories:

            opts = story_options or StoryOptions()
            result["story_options"] = opts.to_dict()
            result["stories"] = story_report(con, flt, opts) if outlets else []
        return result
    except duckdb.Error as e:
        raise StatsError(f"cannot compute statistics: {str(e).splitlines()[0]}") from None
    finally:
        if con is not con_or_store:  # a cursor of our own (see _cursor); a connection given stays open
            con.close()
