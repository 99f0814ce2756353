"""Running analyses off the event loop, one shared model, with a deadline.

One `Analyzer` is loaded per process and shared by a thread pool: onnxruntime
releases the GIL while it runs and its sessions are safe to call from several
threads. The deadline covers queueing too, because that is what a client
waits for; when it passes the client gets a 504 (a job already running
finishes in the background, since threads cannot be interrupted).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from unspin.article import Result
from unspin.pipeline import Analyzer
from unspin.score import score
from unspin.web.errors import AnalysisTimeout
from unspin.web.requests import AnalyzeRequest, build_article
from unspin.web.settings import Settings

T = TypeVar("T")


def apply_min_confidence(result: Result, min_confidence: float) -> Result:
    """Drop spans below the threshold and rescore, as `--min-confidence` does (it filters before scoring)."""
    if min_confidence > 0:
        result.spans = [s for s in result.spans if s.confidence >= min_confidence]
        score(result)
    return result


class AnalysisService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.analyzer = Analyzer(settings.model_dir)
        self.pool = ThreadPoolExecutor(max_workers=settings.analysis_threads, thread_name_prefix="unspin-analysis")

    def analyze_request(self, req: AnalyzeRequest) -> Result:
        """Blocking: load the input, analyse it. Runs in the pool."""
        article = build_article(req, self.settings.max_text_chars, self.settings.allow_private_urls)
        return apply_min_confidence(self.analyzer.analyze(article), req.min_confidence)

    def analyze_request_json(self, req: AnalyzeRequest) -> bytes:
        """Blocking: the Result JSON as bytes, encoded in the pool so the event loop stays free."""
        d = self.analyze_request(req).to_dict()
        return json.dumps(d, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self.pool, functools.partial(fn, *args))
        try:
            return await asyncio.wait_for(job, timeout=self.settings.timeout_s)
        except TimeoutError:
            raise AnalysisTimeout(
                f"the analysis took longer than the server's {self.settings.timeout_s:g} s limit; try a shorter text"
            ) from None

    async def analyze(self, req: AnalyzeRequest) -> Result:
        return await self.run(self.analyze_request, req)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
