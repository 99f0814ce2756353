"""A small news site on 127.0.0.1 for feed and URL-list tests: pages, feeds, robots.txt, a flaky page, a request log."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Route:
    body: bytes
    ctype: str = "text/html; charset=utf-8"
    status: int = 200
    fail_first: int = 0  # answer 503 (Retry-After: 0) this many times before the real answer
    served: int = 0


@dataclass
class Site:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic time, path, User-Agent)

    def add(self, path: str, body: str | bytes, ctype: str = "text/html; charset=utf-8", status: int = 200,
            fail_first: int = 0) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, ctype, status, fail_first)
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)


def page(title: str, body: str, site_name: str = "Harbour Times") -> str:
    paras = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (f"<html><head><title>{title}</title><meta property='og:site_name' content='{site_name}'></head>"
            f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paras}</article>"
            "<footer>Copyright</footer></body></html>")


def rss(title: str, items: list[tuple[str, str, str]]) -> str:
    """items: (title, link, RFC 822 date)."""
    entries = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate><guid>{link}</guid></item>"
                      for t, link, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>news</description>{entries}</channel></rss>")


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            route = site.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            route.served += 1
            if route.served <= route.fail_first:
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.ctype)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{srv.server_address[1]}"
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield site
    finally:
        srv.shutdown()
        srv.server_close()
