"""Analyse a corpus into a DuckDB store, on local worker processes or on a Ray cluster.

The main process (the driver) reads the corpus as a stream, skips every text
the store already holds for this model version, sends the rest to an engine,
and writes what comes back, in input order, in short transactions. It is the
only process that touches the DuckDB file. Engines differ only in where
`Analyzer.analyze` runs:

- `LocalEngine`: a pool of worker processes on this machine, each with its own
  Analyzer and ONE onnxruntime thread (scale with processes, not threads);
- `RayEngine`: one Ray actor per worker, on a local or a multi-node cluster.

Both hand back `concurrent.futures.Future`s, so the driver loop is shared.
Memory stays flat however large the corpus: at most `window` articles are in
flight and at most `FLUSH_EVERY` results wait to be written.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import duckdb

from unspin.article import Article, Result
from unspin.corpus.readers import Columns, Corpus, PendingHtml, Record, extract, short_reason
from unspin.corpus.store import Store
from unspin.errors import FetchError, ModelError, UnspinError
from unspin.load.dates import parse_published
from unspin.load.polite import PoliteFetcher, Politeness
from unspin.load.storable import storable
from unspin.load.text import article_from_text
from unspin.parent_watch import die_with_parent

READ_CHUNK = 64  # records read and looked up in the store at a time
FLUSH_EVERY = 64  # results per write transaction
ERROR_FLUSH_EVERY = 1000  # failed records noted before their rows are written
FLUSH_SECONDS = 2.0  # and at least this often, so an interruption loses little work
IN_FLIGHT_PER_WORKER = 4
RAY_OBJECT_STORE_BYTES = 256 * 1024 * 1024
ACTOR_START_SECONDS = 180


class BatchError(UnspinError):
    """The batch cannot start or cannot go on (workers lost, cluster unreachable)."""


@dataclass
class Outcome:
    """What a worker sends back for one article: a Result or the reason it failed."""

    result: Result | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Summary:
    read: int = 0
    stored: int = 0
    skipped: int = 0  # already in the store (this run or before) for this model version
    errors: int = 0
    repaired: int = 0  # characters replaced (lone surrogates) to make stored text storable
    fetched: int = 0  # pages fetched for feeds and URL lists
    interrupted: bool = False
    seconds: float = 0.0
    model_seconds: float = 0.0  # summed over workers
    engine: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def default_workers() -> int:
    from unspin.threads import available_cores

    return available_cores()


def model_version(model_dir: Path | None) -> str:
    """The version the workers' Analyzer will report, read without loading the model."""
    from unspin.detect.runtime import DEFAULT_MODEL_DIR, check_model_dir

    d = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    check_model_dir(d)
    try:
        return str(json.loads((d / "meta.json").read_text()).get("version", "0"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{d}/meta.json: unreadable ({e})") from None


# -- the worker side (runs in worker processes / Ray actors) ------------------

_analyzer: Any = None


def _analyse(analyzer: Any, article: Article) -> Outcome:
    t = time.perf_counter()
    try:
        result = analyzer.analyze(article)
    except UnspinError as e:
        return Outcome(error=str(e), seconds=time.perf_counter() - t)
    except Exception as e:  # a bug on one article must not stop the corpus; it is logged in `errors`
        return Outcome(error=f"{type(e).__name__}: {e}", seconds=time.perf_counter() - t)
    return Outcome(result=result, seconds=time.perf_counter() - t)


def _init_local_worker(model_dir: str | None, parent: int | None = None) -> None:
    if parent is not None:
        die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C and drains cleanly
    from unspin.threads import pin_env

    pin_env(1)  # before numpy loads: its BLAS must not fan out across cores either (Analyzer pins it again)
    from unspin.pipeline import Analyzer

    global _analyzer
    _analyzer = Analyzer(Path(model_dir) if model_dir else None, threads=1)


def _local_task(article: Article) -> Outcome:
    return _analyse(_analyzer, article)


class AnalyzerActor:
    """A Ray actor holding one Analyzer (one onnxruntime thread, one CPU)."""

    def __init__(self, model_dir: str | None) -> None:
        from unspin.pipeline import Analyzer  # Ray sets OMP_NUM_THREADS to the actor's one CPU

        self.analyzer = Analyzer(Path(model_dir) if model_dir else None, threads=1)

    def analyse(self, article: Article) -> Outcome:
        return _analyse(self.analyzer, article)

    def model_version(self) -> str:
        return str(self.analyzer.model.version)

    def extract(self, record: Record) -> Record:
        return extract(record)


# -- engines ------------------------------------------------------------------

class Engine(Protocol):
    workers: int
    description: str  # one line for the user: where the model runs

    def submit(self, article: Article) -> Future[Outcome]: ...

    def submit_extract(self, record: Record) -> Future[Record]: ...

    def close(self, cancel: bool = False) -> None: ...


class LocalEngine:
    """Worker processes on this machine (spawned, so no thread state is forked)."""

    def __init__(self, workers: int, model_dir: Path | None) -> None:
        import multiprocessing

        self.workers = workers
        self.description = f"{workers} local worker process{'es' if workers > 1 else ''}, 1 thread each"
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_local_worker, initargs=(str(model_dir) if model_dir else None, os.getpid()),
        )

    def submit(self, article: Article) -> Future[Outcome]:
        return self.pool.submit(_local_task, article)

    def submit_extract(self, record: Record) -> Future[Record]:
        return self.pool.submit(extract, record)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class RayEngine:
    """One Ray actor per worker; the driver (this process) still does all reading and writing."""

    def __init__(self, workers: int | None, model_dir: Path | None, address: str | None, version: str) -> None:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        host = _check_reachable(address) if address else ""
        if not address or host in LOOPBACK:
            # read when ray is imported: at 0, Ray keeps a one-machine cluster (and the driver) on 127.0.0.1
            # instead of swapping in the machine's LAN address
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError:
            raise BatchError("--engine ray needs Ray: pip install 'unspin[ray]'") from None
        self.ray = ray
        try:
            if address:
                ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
            else:  # a private cluster for this run, on loopback only, with a small object store
                ray.init(
                    address="local", num_cpus=workers or default_workers(), include_dashboard=False,
                    object_store_memory=RAY_OBJECT_STORE_BYTES, logging_level=logging.WARNING,
                    log_to_driver=False, _node_ip_address="127.0.0.1",
                )
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise BatchError(f"cannot start or reach Ray at {address or 'a local cluster'}: {_first_line(e)}") from None
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if workers is None:
            workers = max(1, cpus)
        if workers > cpus:
            ray.shutdown()
            raise BatchError(f"--workers {workers} is more than the {cpus} CPUs of the Ray cluster")
        self.workers = workers
        actor_cls = ray.remote(num_cpus=1, max_restarts=3)(AnalyzerActor)
        md = str(Path(model_dir).resolve()) if model_dir else None
        self.actors: list[Any] = [actor_cls.remote(md) for _ in range(workers)]  # ray.actor.ActorHandle
        self.load = [0] * workers
        self.lock = threading.Lock()
        self._check_actors(version)
        nodes = sorted({n["NodeManagerAddress"] for n in ray.nodes() if n.get("Alive")})
        self.description = f"Ray: {workers} actors on {len(nodes)} node{'s' if len(nodes) > 1 else ''} ({', '.join(nodes)})"

    def _check_actors(self, version: str) -> None:
        """Every actor must load the same model version as the driver, or idempotency would break."""
        try:
            versions = self.ray.get([a.model_version.remote() for a in self.actors], timeout=ACTOR_START_SECONDS)
        except Exception as e:  # GetTimeoutError, RayActorError: the model or the package is missing on a node
            self.close()
            raise BatchError(f"Ray workers did not start: {_first_line(e)}") from None
        if any(v != version for v in versions):
            self.close()
            raise BatchError(f"Ray workers load model version(s) {sorted(set(versions))}, this machine {version!r}")

    def submit(self, article: Article) -> Future[Outcome]:
        return self._call("analyse", article)

    def submit_extract(self, record: Record) -> Future[Record]:
        return self._call("extract", record)

    def _call(self, method: str, arg: Any) -> Future[Any]:
        with self.lock:
            i = min(range(self.workers), key=self.load.__getitem__)  # the least busy actor
            self.load[i] += 1
        fut: Future[Any] = getattr(self.actors[i], method).remote(arg).future()

        def done(_: Future[Any], i: int = i) -> None:
            with self.lock:
                self.load[i] -= 1

        fut.add_done_callback(done)
        return fut

    def close(self, cancel: bool = False) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.ray.shutdown()


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _check_reachable(address: str) -> str:
    """Fail in seconds, with one line, when nothing listens at the address (Ray itself retries for minutes)."""
    import socket

    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if address == "auto" or not host or not port.isdigit():
        return host
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as e:
        raise BatchError(f"cannot reach Ray at {address} ({e.strerror or e}); is `ray start --head` running?") from None
    return host


def make_engine(
    kind: str, workers: int | None, model_dir: Path | None, ray_address: str | None, version: str
) -> Engine:
    if kind == "local":
        return LocalEngine(workers or default_workers(), model_dir)
    if kind == "ray":
        return RayEngine(workers, model_dir, ray_address, version)
    raise BatchError(f"unknown engine {kind!r}; use local or ray")


# -- the driver ---------------------------------------------------------------

@dataclass
class _Pending:
    record: Record
    hash: str
    future: Future[Outcome]


class Progress(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def set_total(self, total: int) -> None: ...


class _NoProgress:
    def advance(self, n: int = 1) -> None:
        pass

    def set_total(self, total: int) -> None:
        pass


class BatchRun:
    """One pass over a corpus: look up, dispatch, collect in order, write."""

    def __init__(self, store: Store, engine: Engine, version: str, progress: Progress | None = None,
                 fetcher: PoliteFetcher | None = None) -> None:
        self.store = store
        self.engine = engine
        self.version = version
        self.fetcher = fetcher
        self.fetched_urls: set[str] = set()
        self.progress = progress or _NoProgress()
        self.window = engine.workers * IN_FLIGHT_PER_WORKER
        self.pending: deque[_Pending] = deque()
        self.buffer: list[Result] = []
        self.errors: list[tuple[str | None, str, str]] = []  # (id, input, reason) rows not yet written
        self.in_flight: set[str] = set()  # hashes sent or waiting to be written in this run
        self.last_flush = time.monotonic()
        self.summary = Summary()
        self.timings = {"read": 0.0, "lookup": 0.0, "write": 0.0, "wait": 0.0}

    def run(self, records: Iterable[Record]) -> Summary:
        t0 = time.perf_counter()
        try:
            it = self._extract_ahead(self._fetch_new(records))
            broken: UnspinError | None = None
            while broken is None:
                chunk: list[Record] = []
                t = time.perf_counter()
                try:
                    chunk.extend(islice(it, READ_CHUNK))
                except UnspinError as e:  # an input broken half-way: finish what was read, then report it
                    broken = e
                self.timings["read"] += time.perf_counter() - t
                if not chunk and broken is None:
                    break
                self._dispatch(chunk)
            while self.pending:
                self._collect(block=True)
            self._flush()
            if broken is not None:
                raise broken
        except BaseException as e:  # Ctrl-C, a lost worker pool, an input that breaks mid-way
            self.summary.interrupted = isinstance(e, KeyboardInterrupt)
            self._save_finished()
            if not self.summary.interrupted:
                raise
        finally:
            self.summary.seconds = time.perf_counter() - t0
            self.summary.timings = dict(self.timings)
        return self.summary

    def _fetch_new(self, records: Iterable[Record]) -> Iterator[Record]:
        """Records of feeds and URL lists fetched (politely), unless the store already holds their URL."""
        for rec in records:
            if rec.fetch is None:
                yield rec
                continue
            url = rec.fetch.url
            t = time.perf_counter()
            known = url in self.fetched_urls or bool(self.store.urls_stored([url], self.version))
            self.timings["lookup"] += time.perf_counter() - t
            if known:  # stored by an earlier run (or listed twice): not fetched again
                self.summary.read += 1
                self.summary.skipped += 1
                self.progress.advance()
                continue
            self.fetched_urls.add(url)
            yield self._fetch(rec)

    def _fetch(self, rec: Record) -> Record:
        assert rec.fetch is not None
        url = rec.fetch.url
        if self.fetcher is None:
            return Record(rec.origin, error=f"{url}: no fetcher to fetch it with", id=url)
        t = time.perf_counter()
        try:
            page = self.fetcher.fetch(url)
            self.summary.fetched += 1
            html = page.text()
        except FetchError as e:
            return Record(rec.origin, error=short_reason(e), id=url)
        except (Exception, RecursionError) as e:  # one page must not stop the run
            return Record(rec.origin, error=f"{url}: cannot fetch ({type(e).__name__}: {short_reason(e)})", id=url)
        finally:
            self.timings["fetch"] = self.timings.get("fetch", 0.0) + time.perf_counter() - t
        if page.media_type == "text/plain":  # a plain-text article: read like a .txt file
            try:
                art = article_from_text(storable(html)[0], url=url, published=parse_published(rec.fetch.published),
                                        published_raw=rec.fetch.published)
            except UnspinError as e:
                return Record(rec.origin, error=short_reason(e), id=url)
            return Record(rec.origin, article=art, id=art.id)
        return Record(rec.origin, id=url, html=PendingHtml(html, url, url, title=rec.fetch.title,
                                                           published=rec.fetch.published))

    def _extract_ahead(self, records: Iterable[Record]) -> Iterator[Record]:
        """Records in input order, their HTML extracted on the workers (a window ahead of analysis)."""
        ahead: deque[tuple[Record, Future[Record] | None]] = deque()

        def take() -> Record:
            rec, fut = ahead.popleft()
            if fut is None:
                return rec
            try:
                return fut.result()
            except BrokenProcessPool:
                raise BatchError("a worker process died (out of memory?); run the same command again to resume") from None
            except Exception as e:  # a lost Ray actor: this page becomes an error record
                return Record(rec.origin, error=f"worker failed: {_first_line(e)}", id=rec.id)

        try:
            for rec in records:
                ahead.append((rec, self.engine.submit_extract(rec) if rec.html is not None else None))
                while ahead and (len(ahead) > self.window or ahead[0][1] is None or ahead[0][1].done()):
                    yield take()
        except UnspinError:  # an input broken half-way: what was read before still goes through
            while ahead:
                yield take()
            raise
        while ahead:
            yield take()

    def _dispatch(self, chunk: list[Record]) -> None:
        self.summary.read += len(chunk)
        self.summary.repaired += sum(r.repaired for r in chunk)
        t = time.perf_counter()
        hashes = {id(r): r.article.hash for r in chunk if r.article is not None}
        seen = self.store.seen_many(list(hashes.values()), self.version)
        self.timings["lookup"] += time.perf_counter() - t
        for rec in chunk:
            if rec.article is None:
                self._error(rec, rec.error or "unreadable")
                continue
            h = hashes[id(rec)]
            if h in seen or h in self.in_flight:
                self.summary.skipped += 1
                self.progress.advance()
                continue
            while len(self.pending) >= self.window:
                self._collect(block=True)
            self.pending.append(_Pending(rec, h, self.engine.submit(rec.article)))
            self.in_flight.add(h)
            self._collect(block=False)

    def _collect(self, block: bool) -> None:
        """Take finished results off the head of the queue (input order), writing when due."""
        while self.pending and (block or self.pending[0].future.done()):
            p = self.pending[0]
            t = time.perf_counter()
            try:
                outcome = p.future.result()
            except BrokenProcessPool:
                raise BatchError("a worker process died (out of memory?); run the same command again to resume") from None
            except Exception as e:  # a lost Ray actor or task: log this article, keep going
                outcome = Outcome(error=f"worker failed: {_first_line(e)}")
            self.timings["wait"] += time.perf_counter() - t
            self.pending.popleft()
            block = False
            self.summary.model_seconds += outcome.seconds
            if outcome.result is not None:
                self.buffer.append(outcome.result)
            else:
                self.in_flight.discard(p.hash)
                self._error(p.record, outcome.error or "unknown error")
        if len(self.buffer) >= FLUSH_EVERY or (self.buffer and time.monotonic() - self.last_flush >= FLUSH_SECONDS):
            self._flush()

    def _save_finished(self) -> None:
        """When stopping early: store the results already back (in order), drop the rest."""
        try:
            while self.pending and self.pending[0].future.done():
                self._collect(block=False)
        except BatchError:  # the pool is gone: what was collected so far is still written below
            pass
        for p in self.pending:
            p.future.cancel()
        self.pending.clear()
        self._flush()

    def _flush(self) -> None:
        self._flush_errors()
        if not self.buffer:
            return
        t = time.perf_counter()
        with ctrl_c_held():
            try:
                n = self.store.write_many(self.buffer)
            except duckdb.Error:  # one unstorable result must not sink its neighbours: retry one by one
                n = 0
                for r in self.buffer:
                    try:
                        n += self.store.write_many([r])
                    except duckdb.Error as e:
                        reason = f"cannot store: {_first_line(e)}"
                        self.store.record_error(r.article.id, r.article.url or r.article.id, reason)
                        self.summary.errors += 1
            # accounted inside the block: a Ctrl-C held during the write is raised when it ends
            self.timings["write"] += time.perf_counter() - t
            self.summary.stored += n
            self.summary.skipped += len(self.buffer) - n
            self.progress.advance(len(self.buffer))
            for r in self.buffer:
                self.in_flight.discard(r.article.hash)
            self.buffer = []
            self.last_flush = time.monotonic()

    def _error(self, rec: Record, reason: str) -> None:
        """Note a failed record; the rows are written in one transaction with the next results, or every
        ERROR_FLUSH_EVERY failures (a corpus of bad lines is not logged one statement a line)."""
        article_id = rec.article.id if rec.article is not None else rec.id
        self.errors.append((article_id or rec.origin, rec.origin, reason))
        self.summary.errors += 1
        self.progress.advance()
        if len(self.errors) >= ERROR_FLUSH_EVERY:
            self._flush_errors()

    def _flush_errors(self) -> None:
        if not self.errors:
            return
        with ctrl_c_held():
            self.store.record_errors(self.errors)
            self.errors = []


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back while the store writes, so it lands between writes, never inside one.

    DuckDB aborts a running statement when a signal handler raises ("Query interrupted"), which would
    surface as an error instead of a clean stop. Inside this block SIGINT is only noted; when the block
    ends, the usual handler is back and a noted Ctrl-C is raised as `KeyboardInterrupt`, with everything
    written so far committed. Outside the main thread (where handlers cannot be set) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if noted and previous is signal.default_int_handler:
        raise KeyboardInterrupt
    if noted and callable(previous):
        previous(signal.SIGINT, None)


def run_batch(
    inputs: list[Path] | list[str] | list[Path | str],
    db: Path,
    *,
    columns: Columns | None = None,
    engine: str = "local",
    workers: int | None = None,
    model_dir: Path | None = None,
    limit: int | None = None,
    ray_address: str | None = None,
    progress_factory: Callable[[], Any] | None = None,
    delimiter: str | None = None,
    politeness: Politeness | None = None,
    allow_private_urls: bool = False,
) -> Summary:
    """Analyse every article of `inputs` that `db` does not hold yet; safe to rerun after any interruption.

    `inputs` are paths or http(s) URLs (feeds); pages of feeds and URL lists are fetched with
    `politeness`, and private addresses only when `allow_private_urls` is set.
    """
    if workers is not None and workers < 1:
        raise BatchError(f"the number of workers must be at least 1, not {workers}")
    if limit is not None and limit < 0:
        raise BatchError(f"the record limit must be 0 or more, not {limit}")
    fetcher = PoliteFetcher(politeness, allow_private=allow_private_urls)
    corpus = Corpus(inputs, columns, defer_html=True, delimiter=delimiter, fetcher=fetcher)
    corpus.check()
    version = model_version(model_dir)
    records: Iterable[Record] = corpus if limit is None else islice(corpus, limit)
    from unspin.corpus.store_access import ReadService

    # the web app (`unspin serve --db`) reads the store through this run while it writes (store_access.py)
    with Store(db) as store, ReadService(store):
        eng = make_engine(engine, workers, model_dir, ray_address, version)
        cancel = True
        try:
            with _progress(progress_factory) as progress:
                _count_in_background(corpus, limit, progress)
                summary = BatchRun(store, eng, version, progress, fetcher).run(records)
            summary.engine = eng.description
            cancel = summary.interrupted
        finally:
            eng.close(cancel=cancel)
    return summary


class _ProgressScope:
    def __init__(self, factory: Callable[[], Any] | None) -> None:
        self.factory = factory
        self.inner: Any = None

    def __enter__(self) -> Progress:
        if self.factory is None:
            return _NoProgress()
        self.inner = self.factory()
        return self.inner.__enter__()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.inner is not None:
            self.inner.__exit__(et, ev, tb)


def _progress(factory: Callable[[], Any] | None) -> _ProgressScope:
    return _ProgressScope(factory)


def _count_in_background(corpus: Corpus, limit: int | None, progress: Progress) -> None:
    """Count the records on a side thread so the bar gets a total (and an ETA) without delaying the start."""

    def count() -> None:
        try:
            n = corpus.count()
        except Exception:  # the count only feeds the ETA; reading errors surface in the main loop
            return
        progress.set_total(n if limit is None else min(n, limit))

    threading.Thread(target=count, name="unspin-count", daemon=True).start()


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
