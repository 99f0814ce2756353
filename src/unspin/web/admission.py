"""Load shedding: a bounded analysis queue that refuses at once what it could not finish in time.

Work is counted in characters of ordinary prose: a text's `size` is its length
or six characters a word, whichever is more (the model's cost follows tokens:
one-letter lines have a token every two characters, prose one every six), and
at least `MIN_CHARS` (an analysis has a fixed cost too). The queue keeps the
summed size of the requests it admitted that have not finished, and the
machine's speed: seconds of one analysis thread per character, measured over
the last `WINDOW` analyses, so it follows the machine as it is now, contention
included (the server measures one analysis as it starts, `AnalysisService`).

A request is admitted when the queue is empty, or when the work ahead of it,
spread over the analysis threads, plus its own fits in `max_wait_s`;
otherwise it is refused with `Overloaded` (503) straight away, with
`Retry-After` set to the time until the work ahead is down to half that
budget (at least 1 s). Until a few analyses are measured, the work is priced
at `COLD_SAFETY` times the speed measured so far (the start-up measurement is of
one analysis alone, faster than one of several at once); with no measurement at
all, at most two requests a thread are admitted. A hard cap on the number of queued requests bounds the
memory their texts hold, whatever the estimates say.

So an admitted request waits about `max_wait_s` at most, and a client is never
left in a queue it cannot get out of in time; the per-request deadline
(`--timeout`) stays the backstop for estimates that turn out wrong.

`ShedEarly` applies the same rule before a request's body is parsed, so a
server that is full spends as little as it can on the requests it refuses.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from unspin.web.errors import Overloaded

MIN_CHARS = 1_000  # an analysis has a fixed cost too: a short text counts as this many characters
CHARS_PER_WORD = 6  # ordinary prose, spaces included; shorter words cost more tokens per character
WINDOW = 16  # analyses the speed is measured over
COLD_JOBS_PER_THREAD = 2  # admitted a thread while no analysis has been measured
COLD_SAMPLES = 4  # a lone analysis at start-up runs faster than one of several at once: wait for a few of those
COLD_SAFETY = 2.0  # until then, work is priced at this many times the speed measured so far
ANALYSIS_PATHS = ("/api/analyze", "/analyze")


def text_size(text: str) -> int:
    """What an analysis of `text` costs, in characters of ordinary prose: `max(len, 6 * words)`."""
    return max(len(text), CHARS_PER_WORD * len(text.split()))


@dataclass
class Ticket:
    """One admitted request: its size (characters of prose) and its deadline (monotonic seconds)."""

    size: int
    admitted_at: float
    deadline: float
    started_at: float | None = None
    closed: bool = field(default=False, repr=False)

    def waited(self) -> float:
        """Seconds between admission and the start of its analysis (or now, when it has not started)."""
        return (self.started_at or time.monotonic()) - self.admitted_at


class AnalysisQueue:
    """Admission control for a pool of `threads` analysis threads (thread-safe)."""

    def __init__(self, threads: int, max_wait_s: float, max_jobs: int, timeout_s: float) -> None:
        self.threads = max(1, threads)
        self.max_wait_s = max_wait_s
        self.max_jobs = max(1, max_jobs)
        self.timeout_s = timeout_s
        self.outstanding = 0  # summed size of admitted, unfinished requests
        self.jobs = 0
        self.admitted = 0
        self.shed = 0
        self._samples: deque[tuple[float, int]] = deque(maxlen=WINDOW)  # (seconds, size) of finished analyses
        self._lock = threading.Lock()

    @property
    def seconds_per_char(self) -> float | None:
        """Seconds of one analysis thread per character, over the last WINDOW analyses (None before any)."""
        if not self._samples:
            return None
        return sum(s for s, _ in self._samples) / sum(n for _, n in self._samples)

    def measure(self, seconds: float, size: int) -> None:
        """Record one analysis of `size` that took `seconds` on one thread."""
        with self._lock:
            self._samples.append((seconds, max(size, MIN_CHARS)))

    def pricing_rate(self) -> float | None:
        """Seconds per character the queue prices work at: the measured speed, times COLD_SAFETY while
        fewer than COLD_SAMPLES analyses are measured; None before any."""
        rate = self.seconds_per_char
        if rate is not None and len(self._samples) < COLD_SAMPLES:
            rate *= COLD_SAFETY
        return rate

    def wait_estimate(self) -> float:
        """Seconds a request admitted now would wait before its analysis starts (0 when the speed is unknown)."""
        rate = self.pricing_rate()
        return 0.0 if rate is None else self.outstanding * rate / self.threads

    def refusal(self, size: int) -> Overloaded | None:
        """The 503 a request of `size` would get now, or None when it would be admitted (call under the lock)."""
        if not self.jobs:
            return None
        rate = self.pricing_rate()
        unknown = rate is None
        if self.jobs >= self.max_jobs or (unknown and self.jobs >= COLD_JOBS_PER_THREAD * self.threads):
            ahead = self.wait_estimate()
            return Overloaded(f"the server is busy: {self.jobs} requests queued; retry later",
                              retry_after=max(1.0, ahead - self.max_wait_s / 2))
        if rate is None:
            return None
        ahead = self.wait_estimate()
        if ahead + rate * max(size, MIN_CHARS) <= self.max_wait_s:
            return None
        return Overloaded(
            f"the server is busy: {self.jobs} requests queued, about {ahead:.1f} s of work ahead "
            f"(it admits up to {self.max_wait_s:g} s); retry later",
            retry_after=max(1.0, ahead - self.max_wait_s / 2))

    def would_shed(self, size: int) -> Overloaded | None:
        """`refusal` for a look before the request is read (counted as shed when it is one)."""
        with self._lock:
            refused = self.refusal(size)
            if refused is not None:
                self.shed += 1
            return refused

    def admit(self, size: int, deadline: float | None = None) -> Ticket:
        """A ticket for a request of `size`, or `Overloaded` when the queue cannot take it in time.

        `deadline` (monotonic seconds) defaults to `timeout_s` from now.
        """
        now = time.monotonic()
        with self._lock:
            refused = self.refusal(size)
            if refused is not None:
                self.shed += 1
                raise refused
            size = max(size, MIN_CHARS)
            self.outstanding += size
            self.jobs += 1
            self.admitted += 1
            return Ticket(size, now, now + self.timeout_s if deadline is None else deadline)

    def start(self, ticket: Ticket) -> bool:
        """Called by the analysis thread as it picks the request up: False when its deadline has already passed."""
        now = time.monotonic()
        if now >= ticket.deadline:
            return False
        ticket.started_at = now
        return True

    def finish(self, ticket: Ticket, seconds: float | None) -> None:
        """The request left the queue; `seconds` is how long its analysis ran (None when it never ran)."""
        with self._lock:
            if ticket.closed:
                return
            ticket.closed = True
            self.outstanding = max(0, self.outstanding - ticket.size)
            self.jobs -= 1
            if seconds is not None and seconds > 0:
                self._samples.append((seconds, ticket.size))

    def snapshot(self) -> dict[str, float | int | None]:
        """The queue's state, for /healthz: queued requests, estimated wait, and the counts since start."""
        with self._lock:
            return {"queued": self.jobs, "wait_s": round(self.wait_estimate(), 2), "admitted": self.admitted,
                    "shed": self.shed, "seconds_per_char": self.seconds_per_char}


class ShedEarly:
    """Refuse an analysis request the queue could not take before its body is parsed (503 + Retry-After).

    Its size is taken from Content-Length (bytes, about the characters of a JSON or form body). It sits inside
    `limits.BodySizeLimit`, which has read the body already, so the client is answered, not cut off mid-upload.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in ANALYSIS_PATHS:
            service = getattr(scope["app"].state, "service", None)
            if service is not None:
                refused = service.queue.would_shed(_content_length(scope))
                if refused is not None:
                    from unspin.web.errors import error_response

                    request = Request(scope)
                    await error_response(request, 503, str(refused), refused.retry_after)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return max(0, int(value))
            except ValueError:
                return 0
    return 0
