"""The DuckDB results store: one file per corpus, one writer, idempotent writes.

A DuckDB file takes one writing process at a time, so `unspin batch` writes
from its main process only; workers send their `Result`s back. Each
`write_many` call is one transaction: an article row commits together with its
spans and sentences or not at all, so a run killed at any moment leaves only
whole articles behind, and the next run picks up where it stopped.

The full result of each article (text, spans, sentences, sourcing) is not a
column: it is a line in `<file>.results.jsonl` next to the DuckDB file
(`results_file.py` says why and how it stays in step with the tables); the
`articles` row points at it. Files written before 2026-11-29 (a `result_json`
column, unique indexes) are refused with a line that names `unspin migrate`,
which rewrites them to this layout (`migrate.py`).

Identity rules (see docs/batch.md), checked by the one writer inside the inserting transaction (no SQL
constraints: their indexes would live in the writer's memory and grow with the corpus):
- The same text under the same model version is stored once (hash, model_version).
- The same id and the same text under a newer model version replaces the older analysis.
- The same id with a *different* text is kept as a second article under the id
  `"<id>~<first 12 hex digits of its hash>"`, so an edited article never
  overwrites (or is lost to) the version stored before it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from unspin.article import Result
from unspin.corpus.results_file import ResultsFile, ResultsFileError, results_path
from unspin.errors import UnspinError

if TYPE_CHECKING:
    from unspin.corpus.key_index import KeyIndex
    from unspin.corpus.store_access import WriterLock

SCHEMA = [
    # id and (hash, model_version) are unique, but not by PRIMARY KEY/UNIQUE: DuckDB keeps those ART indexes in
    # the writer's memory, growing with the corpus (files created before 2026-11-29 had them: `unspin migrate`)
    """CREATE TABLE IF NOT EXISTS articles(
        id VARCHAR, hash VARCHAR, model_version VARCHAR, outlet VARCHAR, url VARCHAR, title VARCHAR,
        published DATE, published_raw VARCHAR, words INTEGER, score DOUBLE, n_spans INTEGER, n_sentences INTEGER,
        n_flagged_sentences INTEGER, analysed_at TIMESTAMP, result_offset BIGINT, result_bytes INTEGER)""",
    """CREATE TABLE IF NOT EXISTS spans(
        article_id VARCHAR, start INTEGER, "end" INTEGER, technique VARCHAR, confidence DOUBLE, text VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS sentences(
        article_id VARCHAR, idx INTEGER, start INTEGER, "end" INTEGER, score DOUBLE, is_title BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS errors(id VARCHAR, input VARCHAR, reason VARCHAR, "at" TIMESTAMP)""",
]

ARTICLE_COLUMNS: list[tuple[str, str]] = [
    ("id", "VARCHAR"), ("hash", "VARCHAR"), ("model_version", "VARCHAR"), ("outlet", "VARCHAR"),
    ("url", "VARCHAR"), ("title", "VARCHAR"), ("published", "DATE"), ("published_raw", "VARCHAR"),
    ("words", "INTEGER"), ("score", "DOUBLE"),
    ("n_spans", "INTEGER"), ("n_sentences", "INTEGER"), ("n_flagged_sentences", "INTEGER"),
    ("analysed_at", "TIMESTAMP"), ("result_offset", "BIGINT"), ("result_bytes", "INTEGER"),
]
SPAN_COLUMNS = [("article_id", "VARCHAR"), ("start", "INTEGER"), ('"end"', "INTEGER"), ("technique", "VARCHAR"),
                ("confidence", "DOUBLE"), ("text", "VARCHAR")]
SENTENCE_COLUMNS = [("article_id", "VARCHAR"), ("idx", "INTEGER"), ("start", "INTEGER"), ('"end"', "INTEGER"),
                    ("score", "DOUBLE"), ("is_title", "BOOLEAN")]

LOOKUP_CHUNK = 2048
# Writer memory (bench/store_memory.py, docs/benchmarks.md). DuckDB keeps appended rows in memory until a
# checkpoint, and a checkpoint rewrites the table's last, unfinished row group in full; with the default row
# groups (122,880 rows, each full result included, as files before 2026-11-29 had it) that transient grows with the corpus. So the writer attaches the
# file with the smallest row groups DuckDB allows, never checkpoints on its own (a WAL threshold would fall at
# arbitrary rows), and instead reconnects (close = checkpoint, and an empty cache) each time the articles table
# completes a row group, so a checkpoint finds few unfinished rows to rewrite.
WRITER_ROW_GROUP_SIZE = 2048
WRITER_MEMORY_LIMIT = "32MB"
# The writer reconnects once a table has grown by this many rows since the last time: articles at each
# completed row group, spans and sentences (several per article, up to ~100 in a long one) every few.
RECONNECT_ROWS = {"articles": WRITER_ROW_GROUP_SIZE, "spans": 4 * WRITER_ROW_GROUP_SIZE,
                  "sentences": 4 * WRITER_ROW_GROUP_SIZE}
# One DuckDB thread: the writer's inserts and checkpoints are small and the model workers want every core; measured
# with `unspin batch`, it also lowers the driver's peak and halves its rise from 1,000 to 10,000 articles
WRITER_THREADS = 1
WRITER_CHECKPOINT_THRESHOLD = "1GB"  # at most one row group of articles sits in the WAL between reconnects
# A writer that finds the file held waits this long for the holder to let go: with the sidecar lock taken
# (store_access.py) no new reader opens the file, and a read lasts at most store_access.READ_SECONDS.
WRITER_WAIT_SECONDS = 120.0


class StoreError(UnspinError):
    """The results file cannot be opened or used."""


class StoreLocked(StoreError):
    """Another process holds the DuckDB file (a writer, or a reader while this one wants to write)."""


def clash_id(article_id: str, text_hash: str) -> str:
    """The id an article gets when its own id is already taken by a different text."""
    return f"{article_id}~{text_hash[:12]}"


def parse_date(value: str | None) -> date | None:
    """The calendar date of an ISO 8601 value; anything unparseable stays only in `published_raw`."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def flagged_sentences(result: Result) -> int:
    n = 0
    for s in result.sentences:
        if any(sp.start < s.end and sp.end > s.start for sp in result.spans):
            n += 1
    return n


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
    """Bulk insert through column lists: DuckDB's executemany costs ~1.5 ms a row, this ~4 µs."""
    if not rows:
        return
    names = ", ".join(c for c, _ in columns)
    selects = ", ".join(f"unnest(?::{t}[])" for _, t in columns)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {selects}", [list(col) for col in zip(*rows, strict=True)])


@dataclass
class WritePlan:
    """What one `write_many` call stores, decided before anything is written (`plan_write`).

    `articles`: one row per new result, ARTICLE_COLUMNS up to `analysed_at` (where its full result lives is
    added when it is written); `spans`, `sentences`: their rows; `replaced`: stored ids whose older analysis
    the new rows replace; `kept`: the new results, in row order, each under the id it is stored as.
    """

    articles: list[tuple[Any, ...]] = field(default_factory=list)
    spans: list[tuple[Any, ...]] = field(default_factory=list)
    sentences: list[tuple[Any, ...]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: list[Result] = field(default_factory=list)


def plan_write(results: Sequence[Result], stored_texts: set[tuple[str, str]],
               stored_ids: dict[str, tuple[str, str]], now: datetime) -> WritePlan:
    """Apply the identity rules (module docstring) to `results`, in order, without writing anything.

    `stored_texts`: the (hash, model_version) pairs already stored, at least those of `results`;
    `stored_ids`: stored id -> (hash, model_version), at least for each result's id and its `clash_id`;
    `now`: the rows' `analysed_at`. Neither input is changed. Raises StoreError when one id would be
    analysed by two model versions in this one write.
    """
    seen = set(stored_texts)
    ids = dict(stored_ids)
    plan = WritePlan()
    planned: set[str] = set()
    for r in results:
        h, v = r.article.hash, r.model.version
        if (h, v) in seen:
            continue
        aid = _place(r, ids, planned, plan.replaced)
        if aid != r.article.id:
            r = replace(r, article=replace(r.article, id=aid))
        seen.add((h, v))
        ids[aid] = (h, v)
        planned.add(aid)
        _add_rows(plan, r, now)
    return plan


def _place(r: Result, ids: dict[str, tuple[str, str]], planned: set[str], replaced: list[str]) -> str:
    """The id a new result is stored under; a stored id it replaces goes into `replaced`."""
    aid = r.article.id
    if aid in ids and ids[aid][0] != r.article.hash:  # a different text under this id: keep both
        aid = clash_id(aid, r.article.hash)
    if aid in ids:  # same text, other model version: the newer analysis replaces it
        if aid in planned:
            raise StoreError(f"article {aid}: analysed by two model versions in one write")
        replaced.append(aid)
    return aid


def _add_rows(plan: WritePlan, r: Result, now: datetime) -> None:
    aid = r.article.id
    plan.articles.append(_article_row(r, now))
    plan.kept.append(r)
    plan.spans.extend((aid, s.start, s.end, s.technique, float(s.confidence), s.text) for s in r.spans)
    plan.sentences.extend(
        (aid, i, s.start, s.end, float(s.score), bool(s.is_title)) for i, s in enumerate(r.sentences))


def _article_row(r: Result, now: datetime) -> tuple[Any, ...]:
    a = r.article
    return (
        a.id, a.hash, r.model.version, a.outlet, a.url, a.title, parse_date(a.published), a.published_raw, a.words,
        float(r.score), len(r.spans), len(r.sentences), flagged_sentences(r), now,
    )


class Store:
    """A DuckDB results file. Use as a context manager; one writing process at a time."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._check_path()
        self.results = ResultsFile(results_path(self.path))
        self._text_keys: KeyIndex | None = None  # writers only (key_index.py)
        self._id_keys: KeyIndex | None = None
        self.writer_lock: WriterLock | None = None
        self._lock = threading.RLock()  # the connection may be swapped (reconnect) while another thread reads
        self._reader: duckdb.DuckDBPyConnection | None = None  # writers: the connection readers' queries use
        if read_only:
            self._open_read_only()
        else:
            self._open_for_writing()

    def _check_path(self) -> None:
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a DuckDB file")
        if self.read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no such results file")
        if not self.read_only and not self.path.parent.exists():
            raise StoreError(f"{self.path.parent}: no such directory")

    def _open_read_only(self) -> None:
        try:
            self.connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as e:
            raise _open_failure(self.path, e) from None
        try:
            refuse_old_layout(self.connection, self.path)
        except StoreError:
            self.connection.close()
            raise

    def _open_for_writing(self) -> None:
        """The sidecar lock, the file attached, its tables made sure of, the results file and key sets ready."""
        from unspin.corpus.store_access import WriterLock

        self.writer_lock = WriterLock(self.path)  # refuses a second writer at once
        try:
            self.connection = self._open_writer()
        except BaseException:
            self.writer_lock.release()
            raise
        try:
            self._prepare_writer()
        except duckdb.Error as e:
            self.close()
            raise StoreError(f"{self.path}: cannot create the results tables ({_first_line(e)})") from None
        except ResultsFileError as e:
            self.close()
            raise StoreError(str(e)) from None
        except BaseException:
            self.close()
            raise

    def _prepare_writer(self) -> None:
        refuse_old_layout(self.connection, self.path)  # before anything changes the file
        for stmt in SCHEMA:
            self.connection.execute(stmt)
        # files from before 2026-12-02 lack the raw date column
        self.connection.execute("ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_raw VARCHAR")
        self._plan_reconnect()
        self.results = ResultsFile(results_path(self.path), committed_end=self._committed_end())
        self._load_keys()
        self._open_reader()

    def _open_writer(self) -> duckdb.DuckDBPyConnection:
        """The file attached for writing; while readers hold it, wait for their reads to end (WRITER_WAIT_SECONDS)."""
        from unspin.corpus.store_access import file_lock_holder

        give_up = time.monotonic() + WRITER_WAIT_SECONDS
        pause = 0.02
        while True:
            try:
                return self._attach_writer()
            except StoreLocked:
                # another writer (one that predates the sidecar lock, or not unspin) does not finish soon: refuse
                if file_lock_holder(self.path) == "writer" or time.monotonic() + pause > give_up:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _attach_writer(self) -> duckdb.DuckDBPyConnection:
        """The file attached with small row groups, a capped cache and no automatic checkpoints."""
        con = duckdb.connect()
        try:
            # a writer only appends: capping DuckDB's cache (default: up to 80% of RAM) keeps a long batch from
            # holding the whole file it wrote in memory
            con.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
            con.execute(f"SET checkpoint_threshold = '{WRITER_CHECKPOINT_THRESHOLD}'")
            con.execute(f"SET threads = {WRITER_THREADS}")
            con.execute("SET temp_directory = ?", [f"{self.path}.tmp"])  # where a file database would spill
            con.execute(f"ATTACH ? AS store (ROW_GROUP_SIZE {WRITER_ROW_GROUP_SIZE})", [str(self.path)])
            con.execute("USE store")
        except duckdb.Error as e:
            con.close()
            raise _open_failure(self.path, e) from None
        return con

    def _open_reader(self) -> None:
        """(Writers) a second connection to the attached store, for queries from other threads (`reading`)."""
        self._close_reader()
        reader = self.connection.cursor()
        reader.execute("USE store")
        self._reader = reader

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for read queries from another thread than the writer's.

        Writers: their second connection, held (readers take turns) so a reconnect waits for the read to end;
        DuckDB gives it a consistent snapshot while the writer goes on committing. Read-only stores: theirs.
        """
        with self._lock:
            con = self._reader if self._reader is not None else self.connection
            yield con

    def _load_keys(self) -> None:
        """The key sets of the stored texts and ids, built by DuckDB in one scan."""
        # numpy only here, in the writer: `unspin batch` workers import this module before they set their BLAS
        # thread count, and a numpy loaded first would fan out across every core in each worker
        import numpy as np

        from unspin.corpus.key_index import KeyIndex, text_key_sql

        got = self.connection.execute(
            f"SELECT {text_key_sql('hash', 'model_version')} AS t, hash(id) AS i FROM articles").fetchnumpy()
        self._text_keys = KeyIndex(np.asarray(got["t"]))
        self._id_keys = KeyIndex(np.asarray(got["i"]))
        if len(self._text_keys):
            self._reconnect()  # let go of the blocks that scan cached

    def _keys(self, values: Sequence[str]) -> Any:
        """DuckDB's 64-bit hash of each value, as the key sets hold them (numpy: see `_load_keys`)."""
        from unspin.corpus.key_index import keys_of

        return keys_of(self.connection, values)

    def _committed_end(self) -> int:
        """Where the results file's last committed line ends."""
        row = self.connection.execute("SELECT max(result_offset + result_bytes) FROM articles").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _table_counts(self) -> dict[str, int]:
        counts = {}
        for table in RECONNECT_ROWS:
            row = self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    def _plan_reconnect(self) -> None:
        """Per table, the row count at which the writer next reconnects (see RECONNECT_ROWS)."""
        self._counts = self._table_counts()
        self._next_reconnect = {t: (n // RECONNECT_ROWS[t] + 1) * RECONNECT_ROWS[t] for t, n in self._counts.items()}

    def _maybe_reconnect(self, added: dict[str, int]) -> None:
        """After a write that filled a table's quota: close (checkpoint, free the cache) and attach again."""
        for t, n in added.items():
            self._counts[t] += n
        if all(self._counts[t] < end for t, end in self._next_reconnect.items()):
            return
        self._reconnect()

    def _reconnect(self) -> None:
        with self._lock:
            had_reader = self._reader is not None
            self._close_reader()
            self.connection.close()
            self.connection = self._open_writer()
            self._plan_reconnect()
            if had_reader:
                self._open_reader()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._close_reader()
            if hasattr(self, "connection"):
                self.connection.close()
            self.results.close()
            if self.writer_lock is not None:
                self.writer_lock.release()

    # -- reading -------------------------------------------------------------

    def seen(self, text_hash: str, model_version: str) -> bool:
        """Whether this text was already analysed by this model version."""
        return bool(self.seen_many([text_hash], model_version))

    def seen_many(self, hashes: Sequence[str], model_version: str) -> set[str]:
        """The subset of `hashes` already stored for this model version, in one query per chunk."""
        found: set[str] = set()
        if self._text_keys is not None:  # only hashes whose key is known can be stored: confirm just those
            maybe = self._text_keys.contains(self._keys([_text_key(h, model_version) for h in hashes]))
            hashes = [h for h, m in zip(hashes, maybe, strict=True) if m]
        for i in range(0, len(hashes), LOOKUP_CHUNK):
            chunk = list(hashes[i:i + LOOKUP_CHUNK])
            rows = self.connection.execute(
                "SELECT hash FROM articles WHERE model_version = ? AND hash IN (SELECT unnest(?::VARCHAR[]))",
                [model_version, chunk],
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def urls_stored(self, urls: Sequence[str], model_version: str) -> set[str]:
        """The subset of `urls` already stored for this model version (feeds and URL lists skip them unfetched)."""
        found: set[str] = set()
        for i in range(0, len(urls), LOOKUP_CHUNK):
            rows = self.connection.execute(
                "SELECT DISTINCT url FROM articles WHERE model_version = ? AND url IN (SELECT unnest(?::VARCHAR[]))",
                [model_version, list(urls[i:i + LOOKUP_CHUNK])],
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def get_result(self, article_id: str) -> Result | None:
        """The full stored result of one article (None when no such id)."""
        d = read_result(self.connection, self.path, article_id)
        return None if d is None else Result.from_dict(d)

    def texts(self, ids: Sequence[str]) -> list[str]:
        """The article texts of these ids, in order (a missing id or an empty text gives its title or "")."""
        return read_texts(self.connection, ids)

    def count(self) -> int:
        row = self.connection.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0

    # -- writing -------------------------------------------------------------

    def write(self, result: Result) -> bool:
        """Store one result; False when this text and model version were already stored."""
        return self.write_many([result]) == 1

    def write_many(self, results: Iterable[Result]) -> int:
        """Store results in one transaction; returns how many were new (the rest were already stored).

        Raises StoreError (and stores none of them) when one id is analysed by two model versions in one call.
        """
        results = list(results)
        if not results:
            return 0
        con = self.connection
        undo_to = self.results.end
        con.begin()
        try:
            plan = plan_write(results, self._stored_texts(results), self._stored_ids(results),
                              datetime.now(UTC).replace(tzinfo=None))
            new_keys = self._apply(plan)
            con.commit()
        except BaseException:
            con.rollback()
            self.results.truncate(undo_to)
            raise
        if plan.articles:
            self._after_commit(plan, new_keys)
        return len(plan.articles)

    def _stored_texts(self, results: Sequence[Result]) -> set[tuple[str, str]]:
        """The (hash, model_version) pairs of these results that are already stored."""
        found: set[tuple[str, str]] = set()
        for v in sorted({r.model.version for r in results}):
            found.update((h, v) for h in self.seen_many([r.article.hash for r in results if r.model.version == v], v))
        return found

    def _stored_ids(self, results: Sequence[Result]) -> dict[str, tuple[str, str]]:
        """Stored id -> (hash, model_version), for the ids these results have or would get on a clash."""
        ids = sorted({r.article.id for r in results} | {clash_id(r.article.id, r.article.hash) for r in results})
        if self._id_keys is not None:
            ids = [i for i, m in zip(ids, self._id_keys.contains(self._keys(ids)), strict=True) if m]
        if not ids:
            return {}
        rows = self.connection.execute(
            "SELECT id, hash, model_version FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
        return {i: (h, v) for i, h, v in rows}

    def _apply(self, plan: WritePlan) -> tuple[Any, Any]:
        """(Inside the caller's transaction) carry out a plan; the key-set entries of its new rows."""
        con = self.connection
        if plan.replaced:
            for table, col in (("articles", "id"), ("spans", "article_id"), ("sentences", "article_id")):
                con.execute(f"DELETE FROM {table} WHERE {col} IN (SELECT unnest(?::VARCHAR[]))", [plan.replaced])
        articles = self._with_results(plan)
        _insert(con, "articles", ARTICLE_COLUMNS, articles)
        _insert(con, "spans", SPAN_COLUMNS, plan.spans)
        _insert(con, "sentences", SENTENCE_COLUMNS, plan.sentences)
        # computed before the commit: a failure here must not leave stored rows the key sets do not know
        return self._keys([_text_key(a[1], a[2]) for a in articles]), self._keys([a[0] for a in articles])

    def _with_results(self, plan: WritePlan) -> list[tuple[Any, ...]]:
        """The plan's article rows completed with where each full result lives."""
        if not plan.articles:
            return []
        # the lines are on disk before the rows that point at them commit (results_file.py)
        refs = self.results.append([(k.to_json(indent=None) + "\n").encode("utf-8") for k in plan.kept])
        return [row + ref for row, ref in zip(plan.articles, refs, strict=True)]

    def _after_commit(self, plan: WritePlan, new_keys: tuple[Any, Any]) -> None:
        """Tell the key sets about the committed rows, and reconnect when a table filled its quota."""
        if self._text_keys is not None and self._id_keys is not None:
            self._text_keys.add(new_keys[0])
            self._id_keys.add(new_keys[1])
        self._maybe_reconnect(
            {"articles": len(plan.articles), "spans": len(plan.spans), "sentences": len(plan.sentences)})

    def record_error(self, article_id: str, input: str, reason: str) -> None:
        """Log an article that could not be analysed; the same failure is logged once, however often retried."""
        self.record_errors([(article_id, input, reason)])

    def record_errors(self, rows: Sequence[tuple[str | None, str, str]]) -> int:
        """Log failures, (article id, input position, reason) each, in one transaction; a row already in the
        `errors` table (or twice in `rows`) is logged once. Returns how many rows were added.

        Values are made storable first (a lone surrogate in an id or a reason must not lose the error row).
        One statement for the lot: a file of 10,000 bad lines took 37 s row by row, and takes well under one.
        """
        from unspin.load.storable import storable

        def clean(v: str | None) -> str | None:
            return storable(v)[0] if isinstance(v, str) else v

        fresh = list(dict.fromkeys((clean(a), clean(i) or "", clean(r) or "") for a, i, r in rows))
        if not fresh:
            return 0
        con = self.connection
        con.begin()
        try:
            added = con.execute(
                "INSERT INTO errors SELECT u.id, u.input, u.reason, ?::TIMESTAMP FROM ("
                " SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS input, unnest(?::VARCHAR[]) AS reason) u"
                " WHERE NOT EXISTS (SELECT 1 FROM errors e WHERE e.id IS NOT DISTINCT FROM u.id"
                " AND e.input = u.input AND e.reason = u.reason)",
                [datetime.now(UTC).replace(tzinfo=None), [f[0] for f in fresh], [f[1] for f in fresh],
                 [f[2] for f in fresh]],
            ).fetchone()
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return int(added[0]) if added else 0


def read_result(con: duckdb.DuckDBPyConnection, db: Path, article_id: str) -> dict[str, Any] | None:
    """The stored result of one article as its JSON dict (None when no such id)."""
    ref = con.execute("SELECT result_offset, result_bytes FROM articles WHERE id = ?", [article_id]).fetchone()
    if ref is None or ref[0] is None:  # no such id, or (migrated) a row whose full result was never stored
        return None
    try:
        return dict(json.loads(ResultsFile(results_path(db)).read(int(ref[0]), int(ref[1]))))
    except ResultsFileError as e:
        raise StoreError(str(e)) from None


def _text_key(text_hash: str, model_version: str) -> str:
    """The value whose hash keys a text under a model version; `key_index.text_key_sql` builds the same in SQL."""
    return f"{text_hash}|{model_version}"


def old_layout(con: duckdb.DuckDBPyConnection) -> str | None:
    """What marks the connection's current database as written before 2026-11-29 (None: the current layout).

    Such files keep each full result in a `result_json` column and/or unique indexes on `articles`.
    """
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
        " AND table_catalog = current_database()").fetchall()}
    if "result_json" in cols:
        return "full results inside the file"
    indexed = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database()"
        " AND table_name = 'articles' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchone()
    return "unique indexes" if indexed and indexed[0] else None


def refuse_old_layout(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise StoreError, naming the migration, when the file has the layout from before 2026-11-29."""
    why = old_layout(con)
    if why is not None:
        raise StoreError(f"{path}: written by an older unspin ({why}); run `unspin migrate {path}` once to bring "
                         f"it to the current layout (nothing was changed)")


def db_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind a connection's current database (None for an in-memory one)."""
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return Path(rows[0][0]) if rows and rows[0][0] else None


def read_texts(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[str]:
    """Article texts by id, from the results file; a missing text falls back to the title."""
    if not ids:
        return []
    rows = con.execute(
        "SELECT id, result_offset, result_bytes, coalesce(title, '') FROM articles"
        " WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)]).fetchall()
    path = db_path(con)
    if path is None:
        raise StoreError("this connection has no database file, so no results file to read texts from")
    have = [r for r in rows if r[1] is not None]
    try:
        lines = ResultsFile(results_path(path)).read_many([(int(r[1]), int(r[2])) for r in have])
    except ResultsFileError as e:
        raise StoreError(str(e)) from None
    texts = {r[0]: r[3] for r in rows}
    for r, line in zip(have, lines, strict=True):
        texts[r[0]] = json.loads(line)["article"]["text"] or r[3]
    return [texts.get(i, "") for i in ids]


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _open_failure(path: Path, e: duckdb.Error) -> StoreError:
    msg = str(e)
    if "not a valid DuckDB database" in msg:
        return StoreError(f"{path}: not a DuckDB results file")
    if "Could not set lock" in msg or "Conflicting lock" in msg:
        return StoreLocked(
            f"{path}: in use by another process (a DuckDB file takes one writer); wait for it to finish or close it")
    return StoreError(f"{path}: cannot open ({_first_line(e)})")
