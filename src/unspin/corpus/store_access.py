"""Reading a results store while `unspin batch` writes it: short direct reads, or reads through the writer.

DuckDB locks a database file for one writing process, and while it is held
nobody else may open the file, not even read-only; a reader holding it (even
read-only) keeps the writer out. So the web app and a batch run on one file
need rules, and these are they:

- The writer announces itself in a sidecar file, `<db>.writer`, by holding an
  exclusive `flock` on it for as long as it has the store open (`WriterLock`),
  and removes it when it closes the store (still holding the lock; a new writer
  checks, once locked, that the file it locked is still the one named).
  A second writer finds the lock taken and is refused at once, with one line.
- A reader first checks that lock (a non-blocking shared `flock`, released
  straight away). With no writer it opens the DuckDB file read-only, runs one
  query under a deadline (`READ_SECONDS`, enforced with DuckDB's interrupt)
  and closes it again, so it holds the file briefly.
- With a writer present, the reader asks the writer instead: a writer that
  shares reads (`ReadService`, started by `unspin batch`) listens on a Unix
  socket named in the sidecar and answers the same few queries from its own
  connection (DuckDB serves concurrent readers inside one process), while it
  goes on writing. A writer that does not share reads answers nothing, and the
  reader raises `StoreBusy` (the web app: 503 with Retry-After).
- The writer never fails because of a reader: when its open finds the file
  held (a reader that checked the sidecar just before the writer arrived), it
  waits for that read to end (`store.WRITER_WAIT_SECONDS`). New readers do not
  open the file while the sidecar is locked, so the wait is one read at most.

The queries (`OPS`) are the ones the web app needs: one stored result, the
corpus statistics, and the list of stored articles. Answers travel as JSON.
Readers ask them through `StoreReader`, which names each query and types its
answer, so no caller writes SQL or an op name.
Unix only (`fcntl`, `AF_UNIX`), as is the DuckDB file lock itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from unspin.errors import UnspinError

if TYPE_CHECKING:
    from unspin.article import Result
    from unspin.corpus.selection import StatsFilter
    from unspin.corpus.store import Store

log = logging.getLogger("unspin.store")

READ_SECONDS = 10.0  # the longest one read may hold the store (or the writer's reading connection)
WRITER_STARTING_SECONDS = 2.0  # how long a reader waits for a writer that has just started to share reads
MAX_REQUEST_BYTES = 64 * 1024
SIDECAR_SUFFIX = ".writer"


class StoreBusy(UnspinError):
    """The store cannot be read just now (a writer holds it and does not share reads, or a read ran too long)."""

    status_code = 503


class RemoteError(UnspinError):
    """An error the writer's read service answered with, carrying its status code."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def sidecar_path(db: Path) -> Path:
    """`corpus.duckdb` announces its writer in `corpus.duckdb.writer`."""
    return db.with_name(db.name + SIDECAR_SUFFIX)


# -- the writer's side ------------------------------------------------------------------


class WriterLock:
    """The sidecar lock a writer holds while it has the store open; its content names the read socket."""

    def __init__(self, db: Path) -> None:
        from unspin.corpus.store import StoreError, StoreLocked

        self.path = sidecar_path(db)
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as e:
                raise StoreError(f"{self.path}: cannot create the writer's lock file ({e.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise StoreLocked(
                    f"{db}: in use by another writer (a DuckDB file takes one writer); wait for it to finish") from None
            if self._still_named(fd):
                break
            # the writer before this one removed the file between this open and this lock: lock the one there now
            os.close(fd)
        self.fd: int | None = fd
        self.publish(None)

    def _still_named(self, fd: int) -> bool:
        """Whether the file `fd` is open on is the one at `self.path` (not one a leaving writer has removed)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        own = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)

    def publish(self, read_socket: str | None) -> None:
        """Name the socket readers may ask (None: this writer does not share reads)."""
        if self.fd is None:
            return
        data = json.dumps({"pid": os.getpid(), "socket": read_socket}).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        """Empty and remove the sidecar, then let go of the lock.

        It is removed while still locked, so a new writer that opened it just before finds, once it has the
        lock, that the name is gone or names another file, and locks the file named now instead (`__init__`).
        A writer that is killed leaves the file; the next one reuses it.
        """
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        with contextlib.suppress(OSError):
            if self._still_named(self.fd):
                os.unlink(self.path)
        os.close(self.fd)  # closing the descriptor releases the flock
        self.fd = None


_FLOCK = "hhqqi"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (padded to 32 bytes)


def file_lock_holder(db: Path) -> str | None:
    """Who holds DuckDB's own lock on the file: "writer", "reader" (read-only opens), or None.

    DuckDB locks the whole file with `fcntl` (F_WRLCK for a writer, F_RDLCK for read-only), so F_GETLK tells a
    writer that finds the file taken whether to wait (readers finish) or give up (another writer).
    """
    try:
        fd = os.open(db, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = max(32, struct.calcsize(_FLOCK))
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0).ljust(size, b"\0")
        got = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        kind = struct.unpack(_FLOCK, got[:struct.calcsize(_FLOCK)])[0]
    except OSError:
        return None
    finally:
        os.close(fd)
    return {fcntl.F_RDLCK: "reader", fcntl.F_WRLCK: "writer"}.get(kind)


@dataclass
class WriterInfo:
    pid: int | None
    socket: str | None


def current_writer(db: Path) -> WriterInfo | None:
    """The writer holding `db` now (None when there is none), read from its sidecar without waiting."""
    try:
        fd = os.open(sidecar_path(db), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raw = os.pread(fd, 4096, 0)
            try:
                info = json.loads(raw) if raw else {}
            except ValueError:
                info = {}
            return WriterInfo(info.get("pid"), info.get("socket"))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class ReadService:
    """Answers readers' queries from inside the writing process, on a Unix socket named in the sidecar.

    One thread; one request per connection (a JSON line in, a JSON line out). Nothing a reader sends can stop
    the writer: every failure becomes an error answer, and each query runs under `READ_SECONDS`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.dir: str | None = None
        self.sock: socket.socket | None = None
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.answered = 0

    def __enter__(self) -> ReadService:
        if self.store.writer_lock is None:
            return self
        try:
            self.dir = tempfile.mkdtemp(prefix="unspin-reads-")  # mode 0700: only this user can reach the socket
            path = os.path.join(self.dir, "socket")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(path)
            sock.listen(16)
            sock.settimeout(0.2)
        except OSError as e:  # sharing reads is a courtesy: the batch goes on without it
            log.warning("cannot share reads of %s while writing: %s", self.store.path, e)
            self._cleanup()
            return self
        self.sock = sock
        self.thread = threading.Thread(target=self._serve, name="unspin-store-reads", daemon=True)
        self.thread.start()
        self.store.writer_lock.publish(path)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.store.writer_lock is not None:
            self.store.writer_lock.publish(None)
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=READ_SECONDS + 2)
        self._cleanup()

    def _cleanup(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _serve(self) -> None:
        assert self.sock is not None
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                with conn:
                    conn.settimeout(READ_SECONDS)
                    conn.sendall(self._answer(_recv_line(conn, MAX_REQUEST_BYTES)))
            except Exception as e:  # a reader that went away or sent junk: its problem, never the writer's
                log.debug("store read request failed: %s", e)

    def _answer(self, raw: bytes) -> bytes:
        try:
            req = json.loads(raw)
            op = OPS[req["op"]]
            args = dict(req.get("args") or {})
        except (ValueError, KeyError, TypeError) as e:
            return _error_answer(400, f"bad read request ({type(e).__name__})")
        try:
            with self.store.reading() as con:
                value = run_op(op, con, self.store.path, args)
            self.answered += 1
            return json.dumps({"ok": value}, ensure_ascii=False).encode("utf-8") + b"\n"
        except Exception as e:  # one line in the writer's log, never a traceback on its terminal
            status, message = _error_status(e)
            if status >= 500:
                log.warning("a read through the writer failed: %s: %s", type(e).__name__, _first_line(e))
            return _error_answer(status, message)


def _error_answer(status: int, message: str) -> bytes:
    return json.dumps({"error": message, "status": status}).encode() + b"\n"


def run_op(op: Callable[[duckdb.DuckDBPyConnection, Path, dict[str, Any]], Any], con: duckdb.DuckDBPyConnection,
           db: Path, args: dict[str, Any]) -> Any:
    """One query in one read transaction (its several statements see one snapshot, however the writer goes on
    committing), interrupted after READ_SECONDS."""
    with _deadline(con):
        con.begin()
        try:
            return op(con, db, args)
        finally:
            con.rollback()  # it only read


def _recv_line(conn: socket.socket, limit: int) -> bytes:
    buf = bytearray()
    while not buf.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit:
            raise ValueError(f"message over {limit:,} bytes")
    return bytes(buf)


def _error_status(e: BaseException) -> tuple[int, str]:
    if isinstance(e, duckdb.InterruptException):
        return 503, f"the query took longer than {READ_SECONDS:g} s"
    if isinstance(e, UnspinError):
        return e.status_code, str(e)
    if isinstance(e, duckdb.Error):
        return 503, f"the store could not answer ({_first_line(e)})"
    return 503, f"the store could not answer ({type(e).__name__})"


# -- the reader's side ------------------------------------------------------------------


def read(db: Path, op: str, args: dict[str, Any] | None = None) -> Any:
    """Run one query (`OPS[op]`) on the store, directly or through its writer; JSON-ready answer.

    Raises `StoreBusy` when the store cannot be read just now, `store.StoreError` when it cannot be read at all
    (missing, not a store), and the query's own `UnspinError`s (e.g. a bad statistics filter).
    """
    from unspin.corpus.store import StoreLocked

    args = args or {}
    started = time.monotonic()
    while True:
        writer = current_writer(db)
        if writer is None:
            try:
                return _read_directly(db, op, args)
            except StoreLocked as e:  # a writer took the file between the check and the open, or one without a sidecar
                if time.monotonic() - started > WRITER_STARTING_SECONDS:
                    raise StoreBusy(str(e)) from None
        elif writer.socket:
            try:
                return _ask_writer(writer.socket, op, args)
            except (ConnectionError, FileNotFoundError):  # the writer is leaving or just left: look again
                if time.monotonic() - started > WRITER_STARTING_SECONDS:
                    raise StoreBusy(f"{db}: its writer does not answer; retry in a moment") from None
        elif time.monotonic() - started > WRITER_STARTING_SECONDS:
            raise StoreBusy(
                f"{db}: in use by a writer that does not share reads (pid {writer.pid}); "
                f"retry when it has finished")
        time.sleep(0.05)


def check_store(db: Path) -> None:
    """Refuse now, with one line (`store.StoreError`), a file that is not an unspin results store, by the check
    `unspin stats` makes (`stats.open_results`): a brief read-only open. A store that a writer holds right now
    is not opened (its writer opened it as a store; the open would only find it locked)."""
    from unspin.corpus.stats import open_results
    from unspin.corpus.store import StoreLocked

    if current_writer(db) is not None:
        return
    try:
        with open_results(db):
            pass
    except StoreLocked:  # held by a process that does not announce itself (a duckdb shell): readable later
        return


class StoreReader:
    """Read-only access to one results store, datasette-style: each query a method with a typed answer.

    Every method is one `read`: a short read-only open of the file when no batch writes it, else a question to
    the writing batch. All raise `StoreBusy` when the store cannot be read just now (retry in a moment),
    `store.StoreError` when it cannot be read at all (missing, not a store, its results file gone or damaged),
    and a query's own `UnspinError` (e.g. a statistics filter with `since` after `until`). Holds no
    connection: share one between threads.
    """

    def __init__(self, db: Path) -> None:
        self.db = db

    def result(self, article_id: str) -> Result | None:
        """The stored analysis of the article with this id, None when there is none."""
        return self._result(read(self.db, "result", {"id": article_id}))

    def result_by_key(self, key: str, model_version: str = "") -> Result | None:
        """The stored analysis whose text hash starts with `key` (a permalink's 16 hex digits), that of
        `model_version` first, else the latest; None when there is none."""
        return self._result(read(self.db, "result_by_key", {"key": key, "model_version": model_version}))

    def stats(self, flt: StatsFilter, top: int = 10) -> dict[str, Any]:
        """The corpus statistics of the articles `flt` selects, as `unspin stats --json` writes them; `top`
        most frequent span texts per technique."""
        stats: dict[str, Any] = read(self.db, "stats", {"filter": flt.to_dict(), "top": top})
        return stats

    def articles(self, flt: StatsFilter, technique: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """At most `limit` of the articles `flt` selects (those with a span of `technique`, when given), highest
        spin density first: dicts of id, title, outlet, published (ISO date or None), score (spin density),
        spans and words."""
        rows: list[dict[str, Any]] = read(self.db, "articles", {"filter": flt.to_dict(), "technique": technique,
                                                                "limit": limit})
        return rows

    @staticmethod
    def _result(d: dict[str, Any] | None) -> Result | None:
        from unspin.article import Result

        return None if d is None else Result.from_dict(d)


def _read_directly(db: Path, op: str, args: dict[str, Any]) -> Any:
    from unspin.corpus.store import Store

    with Store(db, read_only=True) as store:
        try:
            return run_op(OPS[op], store.connection, db, args)
        except duckdb.InterruptException:
            raise StoreBusy(f"the query took longer than {READ_SECONDS:g} s") from None


def _ask_writer(path: str, op: str, args: dict[str, Any]) -> Any:
    st = os.stat(path)
    if st.st_uid != os.getuid():
        raise StoreBusy(f"{path}: the store's read socket belongs to another user; not asking it")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(READ_SECONDS + 5)
        sock.connect(path)
        sock.sendall(json.dumps({"op": op, "args": args}).encode() + b"\n")
        try:
            raw = _recv_line(sock, 1 << 30)
        except TimeoutError:
            raise StoreBusy("the store's writer did not answer in time") from None
    if not raw:
        raise StoreBusy("the store's writer closed the connection without an answer")
    answer = json.loads(raw)
    if "error" in answer:
        status = int(answer.get("status", 503))
        if status == 503:
            raise StoreBusy(answer["error"])
        raise RemoteError(answer["error"], status)
    return answer["ok"]


@contextlib.contextmanager
def _deadline(con: duckdb.DuckDBPyConnection, seconds: float = READ_SECONDS) -> Iterator[None]:
    """Interrupt whatever `con` runs once `seconds` have passed (DuckDB raises InterruptException)."""
    timer = threading.Timer(seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# -- the queries ----------------------------------------------------------------------------


def stats_filter_from_dict(d: dict[str, Any]) -> StatsFilter:
    from unspin.corpus.selection import StatsFilter

    def day(v: Any) -> date | None:
        return date.fromisoformat(v) if v else None

    return StatsFilter(outlets=tuple(d.get("outlets") or ()), since=day(d.get("since")), until=day(d.get("until")),
                       model_version=d.get("model_version"))


def _op_result(con: duckdb.DuckDBPyConnection, db: Path, args: dict[str, Any]) -> Any:
    from unspin.corpus.store import read_result

    return read_result(con, db, str(args["id"]))


def _op_stats(con: duckdb.DuckDBPyConnection, db: Path, args: dict[str, Any]) -> Any:
    from unspin.corpus.stats import compute_stats

    return compute_stats(con, stats_filter_from_dict(args.get("filter") or {}), top=int(args.get("top", 10)))


def _op_articles(con: duckdb.DuckDBPyConnection, db: Path, args: dict[str, Any]) -> Any:
    """Stored articles (the same deduplicated selection the statistics count), highest score first."""
    from unspin.corpus.selection import selection
    from unspin.corpus.stats import check_schema

    check_schema(con)
    cte, params = selection(stats_filter_from_dict(args.get("filter") or {}))
    technique = args.get("technique")
    sql = f"""
WITH {cte}
SELECT p.id, p.title, p.outlet, p.published, p.score, p.n_spans, p.words
FROM picked p
WHERE CAST(? AS VARCHAR) IS NULL OR EXISTS (SELECT 1 FROM spans s WHERE s.article_id = p.id AND s.technique = ?)
ORDER BY p.score DESC, p.id LIMIT ?"""
    rows = con.execute(sql, [*params, technique, technique, int(args.get("limit", 500))]).fetchall()
    keys = ("id", "title", "outlet", "published", "score", "spans", "words")
    out = []
    for r in rows:
        row = dict(zip(keys, r, strict=True))
        row["published"] = row["published"].isoformat() if row["published"] else None
        out.append(row)
    return out


def _op_result_by_key(con: duckdb.DuckDBPyConnection, db: Path, args: dict[str, Any]) -> Any:
    """The stored result whose text hash starts with `key` (a permalink's key), the given model version first."""
    from unspin.corpus.store import read_result

    row = con.execute("SELECT id FROM articles WHERE starts_with(hash, ?) ORDER BY (model_version = ?) DESC, "
                      "analysed_at DESC LIMIT 1", [str(args["key"]), str(args.get("model_version", ""))]).fetchone()
    return None if row is None else read_result(con, db, row[0])


OPS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path, dict[str, Any]], Any]] = {
    "result": _op_result, "stats": _op_stats, "articles": _op_articles, "result_by_key": _op_result_by_key,
}


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
