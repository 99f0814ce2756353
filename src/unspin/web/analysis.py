"""Running analyses off the event loop, one shared model, a bounded queue and a deadline.

One `Analyzer` is loaded per process and shared by a thread pool: onnxruntime
releases the GIL while it runs and its sessions are safe to call from several
threads. Before a request queues for that pool it must be admitted
(`admission.AnalysisQueue`): a request the queue could not finish in time is
refused at once with 503 and `Retry-After` instead of waiting. URL inputs are
fetched first, on a separate pool of I/O threads (a slow site must not hold an
analysis thread), and priced once their text is known.

The deadline (`--timeout`) covers queueing too, because that is what a client
waits for. A request still queued when it passes is dropped and answered 503
(the server was busy); one whose analysis is running gets 504 (the analysis
itself was too slow; it finishes in the background, since threads cannot be
interrupted).
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from unspin.article import Article, Result
from unspin.pipeline import Analyzer
from unspin.web.admission import AnalysisQueue, Ticket, text_size
from unspin.web.errors import AnalysisTimeout, Overloaded
from unspin.web.requests import AnalyzeRequest, build_article
from unspin.web.settings import Settings

T = TypeVar("T")
HTML_CHARS_PER_TEXT_CHAR = 4  # sizing an HTML input before extraction: markup is most of a page
# analysed once at start-up: it loads what the model loads lazily and gives the queue the machine's speed
WARM_UP_TEXT = (
    "Council approves harbour bridge\n\n"
    "The city council voted on Tuesday to spend 40 million on a new toll bridge across the harbour, a decision "
    "that critics called a reckless giveaway to developers. The mayor said the bridge would cut commuting times "
    "in half and bring hundreds of jobs to the east side of town. Residents who spoke at the meeting were divided. "
    "\"Every family in this town will pay for this mistake,\" said the chair of the residents' association. Two "
    "council staff members, who asked not to be named, said the estimate was drawn up in a single afternoon. The "
    "regional transport authority has not yet said whether it will contribute to the cost, and a final vote on "
    "the toll rates is expected next month. Opponents have promised to take the decision to court.\n"
)


def encode_result(result: Result) -> bytes:
    """The Result JSON, compact, as bytes."""
    d = result.to_dict()
    return json.dumps(d, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


class AnalysisService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.analyzer = Analyzer(settings.model_dir)
        threads = settings.analysis_threads
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="unspin-analysis")
        self.queue = AnalysisQueue(threads, settings.queue_seconds, settings.queue_requests, settings.timeout_s)
        self.fetch_pool = ThreadPoolExecutor(max_workers=settings.fetch_threads, thread_name_prefix="unspin-fetch")
        self._fetching = 0
        self._fetch_lock = threading.Lock()
        if settings.warm_up:
            from unspin.load.text import article_from_text

            warm_up = article_from_text(WARM_UP_TEXT)
            self.analyzer.analyze(warm_up)  # the first run also sets up onnxruntime's buffers: not a measure
            t0 = time.perf_counter()
            self.analyzer.analyze(warm_up)
            self.queue.measure(time.perf_counter() - t0, text_size(WARM_UP_TEXT))

    # -- blocking parts, run in the pools -------------------------------------------

    def load(self, req: AnalyzeRequest) -> Article:
        """Blocking: the article the request names (it may fetch a URL)."""
        return build_article(req, self.settings.max_text_chars, self.settings.allow_private_urls)

    def analyze_article(self, article: Article, min_confidence: float | None) -> Result:
        """The analysis, listing spans from `min_confidence` (None: the model's display threshold)."""
        threshold = self.analyzer.display_threshold if min_confidence is None else min_confidence
        return self.analyzer.analyze(article, min_confidence=threshold)

    def analyze_request(self, req: AnalyzeRequest) -> Result:
        """Blocking: load the input, analyse it."""
        return self.analyze_article(self.load(req), req.min_confidence)

    def analyze_request_json(self, req: AnalyzeRequest) -> bytes:
        """Blocking: the Result JSON as bytes, encoded in the pool so the event loop stays free."""
        return encode_result(self.analyze_request(req))

    # -- the async entry points ---------------------------------------------------------

    async def analyze(self, req: AnalyzeRequest) -> Result:
        """The Result, once admitted and analysed; `Overloaded` (503) when shed, `AnalysisTimeout` (504)."""
        return await self._run(req, lambda article: self.analyze_article(article, req.min_confidence))

    async def analyze_json(self, req: AnalyzeRequest) -> bytes:
        """As `analyze`, the Result JSON encoded on the analysis thread so the event loop stays free."""
        return await self._run(req, lambda article: encode_result(self.analyze_article(article, req.min_confidence)))

    async def _run(self, req: AnalyzeRequest, then: Callable[[Article], T]) -> T:
        """`then(article)` on an analysis thread once admitted; a URL is fetched (and priced) first."""
        started = time.monotonic()
        job: Callable[[], T]
        if req.url is not None:
            article = await self._fetch(req, started)
            size = text_size(article.text)
            job = functools.partial(then, article)
        else:
            size = text_size(req.text) if req.text is not None else len(req.html or "") // HTML_CHARS_PER_TEXT_CHAR
            job = functools.partial(_load_then, self.load, req, then)
        ticket = self.queue.admit(size, deadline=started + self.settings.timeout_s)
        return await self._run_admitted(ticket, job)

    async def _run_admitted(self, ticket: Ticket, job: Callable[[], T]) -> T:
        queue = self.queue

        def work() -> T:
            if not queue.start(ticket):  # its client has been answered already: do not spend a thread on it
                queue.finish(ticket, None)
                raise _Expired
            t0 = time.perf_counter()
            try:
                return job()
            finally:
                queue.finish(ticket, time.perf_counter() - t0)

        future = self.pool.submit(work)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=max(0.0, ticket.deadline - time.monotonic()))
        except (TimeoutError, _Expired):
            if ticket.started_at is None or future.cancelled():  # never started: the queue was too slow
                queue.finish(ticket, None)
                raise Overloaded(
                    f"the server is busy: this request waited {ticket.waited():.0f} s in the queue without starting "
                    f"(the server's limit is {self.settings.timeout_s:g} s); retry later",
                    retry_after=queue.wait_estimate()) from None
            raise AnalysisTimeout(
                f"the analysis did not finish within the server's {self.settings.timeout_s:g} s limit "
                f"(it started after {ticket.waited():.1f} s in the queue)") from None

    async def _fetch(self, req: AnalyzeRequest, started: float) -> Article:
        with self._fetch_lock:
            if self._fetching >= self.settings.fetch_threads * 2:
                raise Overloaded(f"the server is busy: {self._fetching} pages are being fetched; retry later",
                                 retry_after=5)
            self._fetching += 1
        try:
            future = self.fetch_pool.submit(self.load, req)
            remaining = max(0.0, started + self.settings.timeout_s - time.monotonic())
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), timeout=remaining)
            except TimeoutError:
                raise AnalysisTimeout(
                    f"fetching the page did not finish within the server's {self.settings.timeout_s:g} s limit"
                ) from None
        finally:
            with self._fetch_lock:
                self._fetching -= 1

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetch_pool.shutdown(wait=False, cancel_futures=True)


class _Expired(Exception):
    """A queued request whose deadline passed before a thread was free (its client gets 503)."""


def _load_then(load: Callable[[AnalyzeRequest], Article], req: AnalyzeRequest, then: Callable[[Article], T]) -> T:
    return then(load(req))
