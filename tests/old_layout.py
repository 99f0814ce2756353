"""A results store in the layout from before 2026-11-29, built with plain DuckDB SQL (as that unspin wrote it):
unique indexes on `articles`, each full result in its `result_json` column, no `published_raw`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from unspin.article import Result

OLD_SCHEMA = [
    """CREATE TABLE articles(
        id VARCHAR PRIMARY KEY, hash VARCHAR, model_version VARCHAR, outlet VARCHAR, url VARCHAR, title VARCHAR,
        published DATE, words INTEGER, score DOUBLE, n_spans INTEGER, n_sentences INTEGER,
        n_flagged_sentences INTEGER, analysed_at TIMESTAMP, result_json VARCHAR, UNIQUE(hash, model_version))""",
    """CREATE TABLE spans(
        article_id VARCHAR, start INTEGER, "end" INTEGER, technique VARCHAR, confidence DOUBLE, text VARCHAR)""",
    """CREATE TABLE sentences(
        article_id VARCHAR, idx INTEGER, start INTEGER, "end" INTEGER, score DOUBLE, is_title BOOLEAN)""",
    """CREATE TABLE errors(id VARCHAR, input VARCHAR, reason VARCHAR, "at" TIMESTAMP)""",
]
AT = datetime(2026, 11, 20, 12, 0)


def write_old_store(db: Path, results: Sequence[Result], errors: Sequence[tuple[str, str, str]] = ()) -> None:
    """`db` with these results (ids as given) and error rows, in the old layout."""
    con = duckdb.connect(str(db))
    for stmt in OLD_SCHEMA:
        con.execute(stmt)
    for r in results:
        a = r.article
        flagged = sum(1 for s in r.sentences if any(sp.start < s.end and sp.end > s.start for sp in r.spans))
        con.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [a.id, a.hash, r.model.version, a.outlet, a.url, a.title, a.published, a.words, r.score,
                     len(r.spans), len(r.sentences), flagged, AT, r.to_json(indent=None)])
        for s in r.spans:
            con.execute("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?)",
                        [a.id, s.start, s.end, s.technique, s.confidence, s.text])
        for i, s in enumerate(r.sentences):
            con.execute("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                        [a.id, i, s.start, s.end, s.score, s.is_title])
    for e in errors:
        con.execute("INSERT INTO errors VALUES (?, ?, ?, ?)", [*e, AT])
    con.close()
