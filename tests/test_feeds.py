"""Feeds and URL lists (issue 14, kind 6): fetched politely from a real HTTP server on 127.0.0.1, skipped once stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from site_server import Site, page, rss, serve
from unspin.corpus.readers import Corpus
from unspin.load import url as urlmod
from unspin.load.polite import PoliteFetcher, Politeness, RobotsDisallowed, retry_after_seconds

UNSPIN = [sys.executable, "-c", "from unspin.cli import main; main()"]
BODY = ("The council voted on Tuesday to spend forty million on a new toll bridge across the harbour. "
        "Critics called it a shameless giveaway to friends of the mayor. "
        "The mayor said the bridge would cut commuting times in half and bring new jobs to the east side. "
        "A residents group has started a petition against the plan and will present it next week.")
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def cli(*args: str | Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNSPIN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200"})


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def news_site(site: Site) -> dict[str, str]:
    site.add("/robots.txt", ROBOTS, "text/plain")
    urls = {
        "a": site.add("/news/bridge", page("Bridge Vote Splits Harbour Town", BODY)),
        "b": site.add("/news/ferry", page("Ferry Service Cut Angers Islanders", BODY.replace("bridge", "ferry"))),
        "private": site.add("/private/draft", page("Draft Story Not For Robots", BODY)),
    }
    site.add("/feed.xml", rss("Harbour Times", [
        ("Bridge Vote Splits Harbour Town", urls["a"], "Tue, 05 Mar 2024 08:00:00 GMT"),
        ("Ferry Service Cut Angers Islanders", urls["b"], "Wed, 06 Mar 2024 17:30:00 +0100"),
        ("Draft", urls["private"], "Thu, 07 Mar 2024 09:00:00 GMT"),
    ]), "application/rss+xml")
    return urls


def fetcher(**kw: object) -> PoliteFetcher:
    return PoliteFetcher(Politeness(**{"delay": 0.0, "backoff": 0.05, **kw}), allow_private=True)  # type: ignore[arg-type]


def test_robots_txt_is_honoured_and_fetched_once_per_host() -> None:
    with serve() as site:
        urls = news_site(site)
        f = fetcher()
        assert b"Bridge Vote" in f.fetch(urls["a"]).body
        with pytest.raises(RobotsDisallowed, match="robots.txt"):
            f.fetch(urls["private"])
        f.fetch(urls["b"])
        assert site.hits("/robots.txt") == 1 and site.hits("/private/draft") == 0
        assert all(ua.startswith("unspin/") for _, _, ua in site.log)


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (410, True), (500, False), (503, False)])
def test_a_missing_robots_txt_allows_all_and_a_failing_one_disallows_all(status: int, allowed: bool) -> None:
    """RFC 9309: 4xx means no rules; a server error means 'disallow all' (after the retries)."""
    with serve() as site:
        site.add("/robots.txt", "", "text/plain", status=status)
        link = site.add("/news/a", page("A Story About The Bridge Vote", BODY))
        f = fetcher(retries=1)
        assert f.allowed(link) is allowed
        if not allowed:
            with pytest.raises(RobotsDisallowed):
                f.fetch(link)
            assert site.hits("/news/a") == 0


def test_requests_to_one_host_are_spaced_by_the_delay() -> None:
    with serve() as site:
        urls = news_site(site)
        f = fetcher(delay=1.0)  # well above the time of a request, even on a loaded machine (0.2-0.3 s seen)
        for u in (urls["a"], urls["b"], urls["a"]):
            f.fetch(u)
        times = [t for t, _, _ in site.log]
        assert len(times) == 4  # robots.txt and three pages
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.99


def test_robots_crawl_delay_is_honoured_when_longer() -> None:
    with serve() as site:
        site.add("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", "text/plain")
        link = site.add("/news/a", page("A Story About The Bridge Vote", BODY))
        f = fetcher(delay=0.1)
        f.fetch(link)
        f.fetch(link)
        times = [t for t, p, _ in site.log if p == "/news/a"]
        assert times[1] - times[0] >= 0.95


def test_transient_failures_are_retried_with_backoff_and_then_given_up() -> None:
    with serve() as site:
        site.add("/robots.txt", "", "text/plain", status=404)
        flaky = site.add("/news/flaky", page("Flaky Page About The Bridge", BODY), fail_first=2)
        broken = site.add("/news/broken", page("Broken Page", BODY), fail_first=100)
        f = fetcher(retries=3)
        assert b"Flaky Page" in f.fetch(flaky).body and site.hits("/news/flaky") == 3
        f = fetcher(retries=2)
        with pytest.raises(urlmod.HTTPStatusError) as e:
            f.fetch(broken)
        assert e.value.status == 503 and site.hits("/news/broken") == 3
        gone = site.add("/news/gone", "", status=404)
        with pytest.raises(urlmod.HTTPStatusError):
            f.fetch(gone)
        assert site.hits("/news/gone") == 1  # a 404 is not retried


def test_retry_after_is_read_in_both_forms() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_private_addresses_stay_refused_unless_allowed() -> None:
    with serve() as site:
        urls = news_site(site)
        with pytest.raises(urlmod.FetchError, match="private"):
            PoliteFetcher(Politeness(delay=0.0)).fetch(urls["a"])
        assert site.log == []


def test_url_lists_and_feed_files_become_pages_to_fetch(tmp_path: Path) -> None:
    lst = tmp_path / "links.txt"
    lst.write_text("# my outlets\nhttps://news.example.org/a\n\nhttps://news.example.org/b\n", encoding="utf-8")
    other = tmp_path / "more.urls"
    other.write_text("https://news.example.org/c\nnot a url\n", encoding="utf-8")
    article = tmp_path / "story.txt"
    article.write_text("Bridge Vote\n\nhttps://news.example.org/a is where it was first reported.\n", encoding="utf-8")
    feed = tmp_path / "feed.rss"
    feed.write_text(rss("Gazette", [("One", "https://news.example.org/one", "Tue, 05 Mar 2024 08:00:00 GMT"),
                                    ("No link", "", "Tue, 05 Mar 2024 08:00:00 GMT")]), encoding="utf-8")
    recs = list(Corpus([lst, other, article, feed], defer_html=True))
    fetches = [r.fetch.url for r in recs if r.fetch is not None]
    assert fetches == ["https://news.example.org/a", "https://news.example.org/b", "https://news.example.org/c",
                       "https://news.example.org/one"]
    errors = {r.origin: r.error for r in recs if r.error}
    assert list(errors) == [f"{other}:2", f"{feed}#2"]
    assert any(r.article is not None and r.article.title == "Bridge Vote" for r in recs)  # a .txt article stays one
    one = next(r for r in recs if r.fetch is not None and r.fetch.url.endswith("/one"))
    assert one.fetch is not None and one.fetch.title == "One" and one.fetch.published == "Tue, 05 Mar 2024 08:00:00 GMT"


def test_a_file_that_is_not_a_feed_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "feed.xml"
    bad.write_text("this is not xml at all", encoding="utf-8")
    r = cli("batch", bad, "--db", tmp_path / "x.duckdb")
    assert r.returncode == 2 and "not an RSS or Atom feed" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_batch_on_a_feed_url_stores_its_pages_and_a_rerun_fetches_nothing_again(tmp_path: Path) -> None:
    db = tmp_path / "feeds.duckdb"
    with serve() as site:
        urls = news_site(site)
        feed = site.base + "/feed.xml"
        refused = cli("batch", feed, "--db", db, "-q")
        assert refused.returncode == 2 and "private" in refused.stderr and "Traceback" not in refused.stderr
        r = cli("batch", feed, "--db", db, "--allow-private-urls", "--delay", "0.2", "--workers", "1", "-q")
        assert r.returncode == 0, r.stderr
        assert "3 read, 2 stored, 0 already stored, 1 errors" in r.stderr
        rows = query(db, "SELECT url, outlet, title, CAST(published AS VARCHAR), published_raw FROM articles ORDER BY url")
        assert rows == [
            (urls["a"], "Harbour Times", "Bridge Vote Splits Harbour Town", "2024-03-05", "Tue, 05 Mar 2024 08:00:00 GMT"),
            (urls["b"], "Harbour Times", "Ferry Service Cut Angers Islanders", "2024-03-06",
             "Wed, 06 Mar 2024 17:30:00 +0100"),
        ]
        assert query(db, "SELECT input, reason FROM errors") == [
            (f"{feed}#3", f"{urls['private']}: disallowed by robots.txt")]
        assert site.hits("/private/draft") == 0
        assert all(ua.startswith("unspin/") for _, _, ua in site.log)
        pages = [t for t, p, _ in site.log if p.startswith("/news/")]
        assert len(pages) == 2 and pages[1] - pages[0] >= 0.19

        again = cli("batch", feed, "--db", db, "--allow-private-urls", "--delay", "0.2", "--workers", "1", "-q")
        assert again.returncode == 0, again.stderr
        assert "3 read, 0 stored, 2 already stored, 1 errors" in again.stderr
        assert site.hits("/news/bridge") == 1 and site.hits("/news/ferry") == 1  # stored pages are not fetched again

        # a list of URLs, one of them already stored through the feed, one new
        new = site.add("/news/tunnel", page("Tunnel Plan Shelved After Protest", BODY.replace("bridge", "tunnel")))
        lst = tmp_path / "today.urls"
        lst.write_text(f"{urls['a']}\n{new}\n", encoding="utf-8")
        listed = cli("batch", lst, "--db", db, "--allow-private-urls", "--delay", "0", "--workers", "1", "-q")
        assert listed.returncode == 0, listed.stderr
        assert "2 read, 1 stored, 1 already stored, 0 errors" in listed.stderr
        assert site.hits("/news/bridge") == 1 and site.hits("/news/tunnel") == 1
