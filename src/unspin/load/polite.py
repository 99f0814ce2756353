"""Fetching many pages politely, through the one safe fetcher (`url.fetch_bytes`).

For feeds and URL lists, `unspin batch` fetches every item. A crawler that a
newsroom can point at its outlets must not hammer them:

- one request at a time per host, at least `delay` seconds apart (or the
  host's robots.txt `Crawl-delay`, when longer);
- an honest User-Agent (`USER_AGENT`, token `unspin`);
- robots.txt honoured (RFC 9309): fetched once per origin through the same safe
  fetcher; a 4xx means no rules, a 5xx or an unreachable host means "disallow
  all" for this run; parsed by `urllib.robotparser`;
- transient failures (timeouts, lost connections, HTTP 408/425/429/500/502/503/504)
  retried `retries` times with exponential backoff, honouring `Retry-After`
  (capped at `max_wait` seconds).

Every hop still goes through `check_url`: private addresses stay refused unless
the caller allows them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from unspin import __version__
from unspin.errors import FetchError
from unspin.load import url as urlmod

USER_AGENT = f"unspin/{__version__} (news analysis; honours robots.txt)"
ROBOTS_TOKEN = "unspin"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class RobotsDisallowed(FetchError):
    """robots.txt of the host does not allow unspin to fetch this URL."""


@dataclass(frozen=True)
class Politeness:
    """How a crawl treats each host. Times in seconds."""

    delay: float = 1.0  # between two requests to one host
    retries: int = 3  # more tries after the first, for transient failures only
    backoff: float = 1.0  # the first wait; doubled each retry
    max_wait: float = 60.0  # cap on any one wait (Retry-After included)
    robots: bool = True
    user_agent: str = USER_AGENT


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lowercased: the unit of politeness and of robots.txt."""
    p = urlsplit(url)
    return f"{p.scheme.lower()}://{(p.netloc or '').lower()}"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class PoliteFetcher:
    """Fetch pages one at a time, politely (see the module docstring); not thread-safe."""

    def __init__(
        self, politeness: Politeness | None = None, allow_private: bool = False,
        check: Callable[[str, bool], str | None] = urlmod.check_url,
        sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.p = politeness or Politeness()
        self.allow_private = allow_private
        self.check = check
        self.sleep = sleep
        self.clock = clock
        self._last: dict[str, float] = {}  # origin -> when its last request ended
        self._robots: dict[str, RobotFileParser | bool] = {}  # origin -> rules, or True (all allowed) / False (none)
        self.requests = 0

    def fetch(self, url: str, accept: tuple[str, ...] | None = urlmod.ALLOWED_TYPES,
              max_bytes: int = urlmod.MAX_BYTES) -> urlmod.Fetched:
        """The page at `url`, or FetchError (RobotsDisallowed when robots.txt forbids it)."""
        if self.p.robots and not self.allowed(url):
            raise RobotsDisallowed(f"{url}: disallowed by robots.txt")
        return self._with_retries(url, accept, max_bytes)

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets `unspin` fetch `url` (fetched once per origin)."""
        origin = origin_of(url)
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._robots[origin] = self._load_robots(origin)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(ROBOTS_TOKEN, url)

    def _load_robots(self, origin: str) -> RobotFileParser | bool:
        try:
            page = self._with_retries(f"{origin}/robots.txt", None, ROBOTS_MAX_BYTES)
        except urlmod.HTTPStatusError as e:
            return e.status < 500  # 4xx: no rules; 5xx: the server is failing, so disallow all (RFC 9309)
        except urlmod.NetworkError:
            return False  # unreachable: disallow all (RFC 9309)
        except FetchError:  # refused (private address, too large, odd redirect): behave as if there were no file
            return True
        rules = RobotFileParser()
        rules.parse(page.body.decode("utf-8", errors="replace").splitlines())
        return rules

    def _delay_for(self, origin: str) -> float:
        delay = self.p.delay
        rules = self._robots.get(origin)
        if isinstance(rules, RobotFileParser):
            asked = rules.crawl_delay(ROBOTS_TOKEN)
            if asked:
                delay = max(delay, min(float(asked), self.p.max_wait))
        return delay

    def _wait_turn(self, origin: str) -> None:
        last = self._last.get(origin)
        if last is not None:
            wait = last + self._delay_for(origin) - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _with_retries(self, url: str, accept: tuple[str, ...] | None, max_bytes: int) -> urlmod.Fetched:
        origin = origin_of(url)
        attempt = 0
        while True:
            self._wait_turn(origin)
            try:
                self.requests += 1
                return urlmod.fetch_bytes(url, allow_private=self.allow_private, max_bytes=max_bytes,
                                          check=self.check, accept=accept, user_agent=self.p.user_agent)
            except urlmod.HTTPStatusError as e:
                if e.status not in RETRY_STATUS or attempt >= self.p.retries:
                    raise
                wait = retry_after_seconds(e.retry_after)
            except urlmod.NetworkError:
                if attempt >= self.p.retries:
                    raise
                wait = None
            finally:
                self._last[origin] = self.clock()
            if wait is None:
                wait = self.p.backoff * 2 ** attempt
            self.sleep(min(wait, self.p.max_wait))
            attempt += 1
