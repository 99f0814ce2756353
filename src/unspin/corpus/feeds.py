"""RSS/Atom feeds and plain lists of URLs as corpus inputs: every item is a page to fetch.

A feed (a `.rss`/`.atom`/`.xml` file, or an http(s) URL that serves one) is
parsed by feedparser; each entry with a link becomes a `Record` whose `fetch`
names the page. A URL list (`.urls`, or a `.txt` whose every line is an http(s)
URL; `#` comments and blank lines allowed) gives one such record a line.

The pages themselves are fetched by `unspin batch` (`batch.py`), politely
(`polite.py`), and only when the store does not hold the URL yet: a newsroom can
rerun the same feeds every day. The feed's own title and date for an entry go
along as hints, used when the page does not give them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from unspin.corpus.bounded import check_regular
from unspin.corpus.readers import Columns, CorpusInput, PendingFetch, Record, short_reason
from unspin.errors import FetchError, InputError

if TYPE_CHECKING:
    from unspin.load.polite import PoliteFetcher

FEED_SUFFIXES = (".rss", ".atom", ".xml")
URL_LIST_SUFFIXES = (".urls",)
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_LIST_LINE = 8192
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
              "application/feed+json", "text/html", "application/xhtml+xml", "text/plain")


def is_url(value: str) -> bool:
    return urlsplit(value).scheme.lower() in ("http", "https") and "://" in value


def looks_like_url_list(path: Path, sample: int = 64 * 1024) -> bool:
    """Whether a .txt file is a list of URLs rather than an article: every non-blank, non-# line is an http(s) URL."""
    try:
        check_regular(path)
        with path.open("rb") as f:
            head = f.read(sample)
    except (OSError, InputError):
        return False
    lines = [ln.strip() for ln in head.decode("utf-8", errors="replace").splitlines()]
    if len(head) == sample and lines:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    urls = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(urls) and all(is_url(u) and " " not in u for u in urls)


def _parse_feed(data: bytes, content_type: str | None, name: str) -> Any:
    import feedparser  # type: ignore[import-untyped]

    headers = {"content-type": content_type} if content_type else {}
    # a stream, never bytes or str: feedparser opens a str or bytes that names a file or URL itself
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise InputError(f"{name}: not an RSS or Atom feed" + (f" ({short_reason(reason)})" if reason else ""))
    return parsed


def _entry_records(parsed: Any, name: str) -> list[Record]:
    recs = []
    for i, entry in enumerate(parsed.entries, start=1):
        origin = f"{name}#{i}"
        link = (entry.get("link") or "").strip()
        if not link:
            recs.append(Record(origin, error=f"{origin}: feed entry without a link", id=origin))
            continue
        recs.append(Record(origin, id=link, fetch=PendingFetch(
            url=link, title=entry.get("title") or None,
            published=entry.get("published") or entry.get("updated") or None)))
    return recs


class FeedFile(CorpusInput):
    """An RSS or Atom feed saved as a file."""

    def __init__(self, path: Path, columns: Columns) -> None:
        super().__init__(path, columns)
        self._records: list[Record] | None = None

    def _load(self) -> list[Record]:
        if self._records is None:
            check_regular(self.path)
            if self.path.stat().st_size > MAX_FEED_BYTES:
                raise InputError(f"{self.path}: feed over the {MAX_FEED_BYTES // (1024 * 1024)} MiB limit")
            try:
                data = self.path.read_bytes()
            except OSError as e:
                raise InputError(f"{self.path}: cannot read ({e.strerror})") from None
            self._records = _entry_records(_parse_feed(data, None, str(self.path)), str(self.path))
        return self._records

    def check(self) -> None:
        self._load()

    def records(self) -> Iterator[Record]:
        yield from self._load()

    def count(self) -> int:
        return len(self._load())


class FeedUrl(CorpusInput):
    """An http(s) URL given as an input: a feed (its entries are fetched) or a single page."""

    def __init__(self, url: str, columns: Columns, fetcher: PoliteFetcher | None) -> None:
        super().__init__(Path(url), columns)
        self.url = url
        self.fetcher = fetcher
        self._records: list[Record] | None = None

    def _load(self) -> list[Record]:
        if self._records is not None:
            return self._records
        if self.fetcher is None:
            raise InputError(f"{self.url}: URLs can only be read by `unspin batch`")
        try:
            page = self.fetcher.fetch(self.url, accept=FEED_TYPES, max_bytes=MAX_FEED_BYTES)
        except FetchError as e:
            raise InputError(short_reason(e)) from None
        if page.media_type in ("text/html", "application/xhtml+xml", "text/plain"):
            # a page, not a feed: one record, fetched again by the batch like any listed URL (the store may hold it)
            self._records = [Record(self.url, id=self.url, fetch=PendingFetch(url=self.url))]
        else:
            self._records = _entry_records(_parse_feed(page.body, page.content_type, self.url), self.url)
        return self._records

    def check(self) -> None:
        self._load()

    def records(self) -> Iterator[Record]:
        yield from self._load()

    def count(self) -> int:
        return len(self._load())


class UrlList(CorpusInput):
    """A plain list of URLs, one a line; blank lines and `#` comments are skipped, anything else is a bad line."""

    def check(self) -> None:
        check_regular(self.path)

    def _lines(self) -> Iterator[tuple[int, str]]:
        with self.path.open("rb") as f:
            for n, raw in enumerate(iter(lambda: f.readline(MAX_LIST_LINE + 1), b""), start=1):
                if len(raw) > MAX_LIST_LINE and not raw.endswith(b"\n"):
                    while (rest := f.readline(MAX_LIST_LINE)) and not rest.endswith(b"\n"):
                        pass
                    yield n, ""  # too long: not a URL
                    continue
                line = raw.decode("utf-8", errors="replace").strip()
                if line and not line.startswith("#"):
                    yield n, line

    def records(self) -> Iterator[Record]:
        for n, line in self._lines():
            origin = f"{self.path}:{n}"
            if not line or not is_url(line) or any(c.isspace() for c in line):
                yield Record(origin, error=f"{origin}: not an http(s) URL", id=origin)
                continue
            yield Record(origin, id=line, fetch=PendingFetch(url=line))

    def count(self) -> int:
        return sum(1 for _ in self._lines())
