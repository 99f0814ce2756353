"""Load shedding: a bounded analysis queue that refuses at once what it could not finish in time.

Each request is priced before it queues, in estimated seconds of one analysis
thread: `seconds_per_char * max(size, MIN_CHARS)`, where `size` is the text's
length in characters or six per word, whichever is more (the model's cost
follows tokens: a text of one-letter lines has as many tokens as characters
over two, a text of ordinary prose about one per six), the rate learnt from the
analyses that finished (an exponentially weighted mean, so it follows the
machine's current speed, contention included). The queue holds the price of
every admitted request that has not finished. A request is admitted when the
queue is empty, or when the work ahead of it, spread over the analysis
threads, plus its own price fits in `max_wait_s`; otherwise it is refused with
`Overloaded` (503) straight away, with `Retry-After` set to the time until the
work ahead is down to half the budget (at least 1 s). A hard cap on the number of queued requests bounds the
memory their texts hold whatever the prices say.

So an admitted request waits about `max_wait_s` at most and a client is never
left in a queue it cannot get out of in time; the per-request deadline
(`--timeout`) stays the backstop for estimates that turn out wrong.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from unspin.web.errors import Overloaded

MIN_CHARS = 1_000  # an analysis has a fixed cost too: a short text is priced as this many characters
INITIAL_SECONDS_PER_CHAR = 5e-5  # about 0.3 s for a 1,000-word article on one core, until measured
RATE_WEIGHT = 0.2  # weight of the newest measurement in the running mean of seconds per character
CHARS_PER_WORD = 6  # ordinary prose, spaces included; shorter words cost more tokens per character


def text_size(text: str) -> int:
    """What an analysis of `text` costs, in characters of ordinary prose: `max(len, 6 * words)`."""
    return max(len(text), CHARS_PER_WORD * len(text.split()))


@dataclass
class Ticket:
    """One admitted request: its price (seconds) and its deadline (monotonic seconds)."""

    chars: int
    price: float
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
        self.seconds_per_char = INITIAL_SECONDS_PER_CHAR
        self.outstanding = 0.0  # the summed price of admitted, unfinished requests
        self.jobs = 0
        self.admitted = 0
        self.shed = 0
        self._lock = threading.Lock()

    def price(self, chars: int) -> float:
        return self.seconds_per_char * max(chars, MIN_CHARS)

    def wait_estimate(self) -> float:
        """Seconds a request admitted now would wait before its analysis starts."""
        return self.outstanding / self.threads

    def admit(self, chars: int, deadline: float | None = None) -> Ticket:
        """A ticket for a request of `chars` characters, or `Overloaded` when the queue cannot take it in time.

        `deadline` (monotonic seconds) defaults to `timeout_s` from now.
        """
        now = time.monotonic()
        with self._lock:
            price = self.price(chars)
            ahead = self.wait_estimate()
            if self.jobs and (self.jobs >= self.max_jobs or ahead + price > self.max_wait_s):
                self.shed += 1
                raise Overloaded(
                    f"the server is busy: {self.jobs} requests queued, about {ahead:.1f} s of work ahead "
                    f"(it admits up to {self.max_wait_s:g} s); retry later",
                    retry_after=max(1.0, ahead - self.max_wait_s / 2))
            self.outstanding += price
            self.jobs += 1
            self.admitted += 1
            return Ticket(chars, price, now, now + self.timeout_s if deadline is None else deadline)

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
            self.outstanding = max(0.0, self.outstanding - ticket.price)
            self.jobs -= 1
            if seconds is not None and seconds > 0:
                rate = seconds / max(ticket.chars, MIN_CHARS)
                self.seconds_per_char += RATE_WEIGHT * (rate - self.seconds_per_char)

    def snapshot(self) -> dict[str, float | int]:
        """The queue's state, for /healthz: queued requests, estimated wait, and the counts since start."""
        with self._lock:
            return {"queued": self.jobs, "wait_s": round(self.wait_estimate(), 2), "admitted": self.admitted,
                    "shed": self.shed, "seconds_per_char": self.seconds_per_char}
