"""Writing the statistics tables as CSV or Parquet files, one file per table.

The files are written from the same dict the terminal and HTML views show, so an
exported number is always the number on screen. DuckDB's COPY writes both
formats with proper column types, so no pandas or pyarrow is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from unspin.errors import UnspinError

Columns = list[tuple[str, str]]

RATE = "DOUBLE"
TABLES: dict[str, Columns] = {
    "outlets": [
        ("outlet", "VARCHAR"), ("articles", "BIGINT"), ("words", "BIGINT"), ("spans", "BIGINT"),
        ("spans_per_1k_words", RATE), ("sentences", "BIGINT"), ("flagged_sentences", "BIGINT"),
        ("flagged_share", RATE), ("mean_score", RATE), ("undated", "BIGINT"), ("first_published", "DATE"),
        ("last_published", "DATE"),
    ],
    "techniques": [
        ("outlet", "VARCHAR"), ("technique", "VARCHAR"), ("name", "VARCHAR"), ("articles", "BIGINT"),
        ("spans", "BIGINT"), ("spans_per_1k_words", RATE), ("share_of_spans", RATE),
        ("flagged_sentences", "BIGINT"), ("flagged_share", RATE), ("mean_score", RATE),
    ],
    "trend": [
        ("month", "VARCHAR"), ("outlet", "VARCHAR"), ("articles", "BIGINT"), ("words", "BIGINT"), ("spans", "BIGINT"),
        ("spans_per_1k_words", RATE), ("flagged_share", RATE), ("mean_score", RATE),
    ],
    "trend_techniques": [
        ("month", "VARCHAR"), ("outlet", "VARCHAR"), ("technique", "VARCHAR"), ("spans", "BIGINT"),
        ("spans_per_1k_words", RATE),
    ],
    "top_spans": [
        ("technique", "VARCHAR"), ("name", "VARCHAR"), ("text", "VARCHAR"), ("count", "BIGINT"),
        ("articles", "BIGINT"), ("outlets", "BIGINT"),
    ],
    "story_outlets": [
        ("story", "BIGINT"), ("label", "VARCHAR"), ("outlet", "VARCHAR"), ("articles", "BIGINT"),
        ("mean_score", RATE), ("spans", "BIGINT"), ("spans_per_1k_words", RATE), ("flagged_share", RATE),
        ("techniques", "VARCHAR"),
    ],
    "story_articles": [
        ("story", "BIGINT"), ("outlet", "VARCHAR"), ("article_id", "VARCHAR"), ("title", "VARCHAR"),
        ("url", "VARCHAR"), ("published", "DATE"), ("words", "BIGINT"), ("score", RATE), ("spans", "BIGINT"),
        ("techniques", "VARCHAR"),
    ],
}


def _mix(counts: dict[str, int]) -> str:
    """A technique mix in one cell: `Loaded_Language=3; Doubt=1`."""
    return "; ".join(f"{t}={n}" for t, n in counts.items())


def table_rows(stats: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The flat tables of a `compute_stats` dict (story tables only when stories were computed)."""
    tables: dict[str, list[dict[str, Any]]] = {
        "outlets": ([stats["overall"]] if stats.get("overall") else []) + stats["outlets"],
        "techniques": stats["techniques"],
        "trend": stats["trend"],
        "trend_techniques": stats["trend_techniques"],
        "top_spans": stats["top_spans"],
    }
    if "stories" in stats:
        so, sa = [], []
        for s in stats["stories"]:
            for o in s["outlets"]:
                so.append({**o, "story": s["story"], "label": s["label"], "articles": len(o["articles"]),
                           "techniques": _mix(o["techniques"])})
                for a in o["articles"]:
                    sa.append({**a, "story": s["story"], "outlet": o["outlet"], "article_id": a["id"],
                               "techniques": _mix(a["techniques"])})
        tables["story_outlets"] = so
        tables["story_articles"] = sa
    return tables


def export_tables(stats: dict[str, Any], directory: Path, fmt: str) -> list[Path]:
    """Write every table to `directory/<table>.<fmt>` (fmt: csv or parquet); returns the files written."""
    if fmt not in ("csv", "parquet"):
        raise UnspinError(f"unknown export format {fmt!r}")
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UnspinError(f"{directory}: cannot create the folder ({e.strerror})") from None
    written = []
    con = duckdb.connect()
    try:
        for name, rows in table_rows(stats).items():
            cols = TABLES[name]
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
            if rows:
                frame = {c: np.array([r.get(c) for r in rows], dtype=object) for c, _ in cols}
                con.register("frame", frame)
                casts = ", ".join(f"CAST({c} AS {t})" for c, t in cols)
                con.execute(f"INSERT INTO {name} SELECT {casts} FROM frame")
                con.unregister("frame")
            out = directory / f"{name}.{fmt}"
            options = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT parquet"
            con.execute(f"COPY {name} TO '{_sql_path(out)}' ({options})")
            written.append(out)
    except duckdb.Error as e:
        raise UnspinError(f"{directory}: cannot write the {fmt} files ({str(e).splitlines()[0]})") from None
    finally:
        con.close()
    return written


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
