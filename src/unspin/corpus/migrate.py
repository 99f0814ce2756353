"""`unspin migrate`: rewrite a results store from before 2026-11-29 to the current layout.

Old files keep each full result in an `articles.result_json` column and have unique indexes on `articles`
(store.py says why neither is kept any more); the store refuses them with a line that names this command.
The migration copies every row of `articles`, `spans`, `sentences` and `errors` into a new file beside the
old one (`<file>.migrating`), moving each `result_json` to a line of that file's results file
(`results_file.py`, the store's own writer API), checks the row counts, and only then renames the new
results file and the new DuckDB file over the old names. Killed at any point before the last rename, the
old file is untouched and a rerun starts over; on a file already in the current layout it changes nothing.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from unspin.corpus.results_file import ResultsFile, results_path
from unspin.corpus.store import (
    ARTICLE_COLUMNS,
    SCHEMA,
    SENTENCE_COLUMNS,
    SPAN_COLUMNS,
    StoreError,
    _insert,
    _open_failure,
    old_layout,
)

TABLES = {"articles": ARTICLE_COLUMNS, "spans": SPAN_COLUMNS, "sentences": SENTENCE_COLUMNS,
          "errors": [("id", "VARCHAR"), ("input", "VARCHAR"), ("reason", "VARCHAR"), ('"at"', "TIMESTAMP")]}
CHUNK = 2048  # articles copied per insert (each with its full result in memory)


@dataclass
class Migrated:
    """What `migrate` did: `changed` False when the file already had the current layout; the rows copied."""

    changed: bool
    rows: dict[str, int]


def migrating_path(db: Path) -> Path:
    """Where the new file is built before it replaces `db`."""
    return db.with_name(db.name + ".migrating")


def migrate(db: Path) -> Migrated:
    """Rewrite `db` (a DuckDB results store) to the current layout; see the module docstring.

    Raises StoreError (one line) for a missing or foreign file, or one another process holds.
    """
    from unspin.corpus.store_access import WriterLock

    if not db.is_file():
        raise StoreError(f"{db}: no such results file")
    lock = WriterLock(db)  # no `unspin batch` may write while the file is copied
    try:
        return _migrate_locked(db)
    finally:
        lock.release()


def _migrate_locked(db: Path) -> Migrated:
    new = migrating_path(db)
    _remove_leftovers(new)
    con = duckdb.connect()
    try:
        try:
            con.execute("ATTACH ? AS old_store", [str(db)])
        except duckdb.Error as e:
            raise _open_failure(db, e) from None
        con.execute("CHECKPOINT old_store")  # a WAL left by a killed writer goes into the file first
        con.execute("USE old_store")
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'old_store'").fetchall()}
        if "articles" not in tables:
            raise StoreError(f"{db}: not an unspin results store (no table articles)")
        if old_layout(con) is None:
            return Migrated(False, {})
        con.execute("ATTACH ? AS new_store", [str(new)])
        rows = _copy(con, new, tables)
        con.execute("CHECKPOINT new_store")  # everything in the file itself: no WAL to leave behind
        con.execute("USE memory")
        con.execute("DETACH old_store")
        con.execute("DETACH new_store")
    finally:
        con.close()
    _swap(db, new)
    return Migrated(True, rows)


def _remove_leftovers(new: Path) -> None:
    """What a migration killed earlier left beside the file (never the file itself)."""
    for p in (new, new.with_name(new.name + ".wal"), results_path(new)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _copy(con: duckdb.DuckDBPyConnection, new: Path, tables: set[str]) -> dict[str, int]:
    """Every row of the old `tables` into the new file; the row count of each table, checked."""
    for stmt in SCHEMA:
        con.execute(stmt.replace("IF NOT EXISTS ", "IF NOT EXISTS new_store."))
    results = ResultsFile(results_path(new), committed_end=0)
    try:
        _copy_articles(con, results)
    finally:
        results.close()
    for table in ("spans", "sentences", "errors"):
        if table not in tables:
            continue
        names = ", ".join(c for c, _ in TABLES[table])
        con.execute(f"INSERT INTO new_store.{table} ({names}) SELECT {names} FROM old_store.{table}")
    rows = {}
    for table in sorted(tables & set(TABLES)):
        before, after = (_count(con, f"{db}.{table}") for db in ("old_store", "new_store"))
        if before != after:
            raise StoreError(f"{new}: copied {after:,} of {before:,} {table} rows; the old file is unchanged")
        rows[table] = after
    return rows


def _copy_articles(con: duckdb.DuckDBPyConnection, results: ResultsFile) -> None:
    """The article rows in stored order, each `result_json` moved to a line of the results file."""
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'old_store'"
        " AND table_name = 'articles'").fetchall()}
    # a column the old file lacks (`published_raw` came later) is copied as NULL
    cols = [c if c in have else f"NULL::{t}" for c, t in ARTICLE_COLUMNS[:-2]]
    reader = con.cursor()
    try:
        reader.execute(f"SELECT {', '.join(cols)}, result_json FROM old_store.articles ORDER BY rowid")
        while chunk := reader.fetchmany(CHUNK):
            stored = [r for r in chunk if r[-1] is not None]
            refs = iter(results.append([_line(r[-1]) for r in stored]))
            rows = [r[:-1] + (next(refs) if r[-1] is not None else (None, None)) for r in chunk]
            _insert(con, "new_store.articles", ARTICLE_COLUMNS, rows)
    finally:
        reader.close()


def _line(result_json: str) -> bytes:
    """One results-file line: the stored JSON (one line already: it was written without indentation)."""
    if "\n" in result_json:
        raise StoreError("a stored result_json spans several lines; it is not one unspin wrote")
    return (result_json + "\n").encode("utf-8")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _swap(db: Path, new: Path) -> None:
    """The new results file, then the new DuckDB file, over the old names (each rename is atomic)."""
    for f in (db, new):
        if f.with_name(f.name + ".wal").exists():
            raise StoreError(f"{f}: a write-ahead log is left beside it after the migration; the old file is "
                             f"unchanged")
    os.replace(results_path(new), results_path(db))  # the old layout never reads it, so the old file still works
    os.replace(new, db)
    fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
