"""The URL fetcher's rules on a real HTTP server on 127.0.0.1: which addresses it refuses, redirects, types, sizes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from unspin.errors import FetchError, TooLargeError
from unspin.load.url import MAX_REDIRECTS, check_url, fetch, pinned_request

MIB = 1024 * 1024
BIG = b"x" * (2 * MIB + 1)
PAGE = b"<html><head><title>T</title></head><body><p>Caf\xc3\xa9 news.</p></body></html>"


class _Site(BaseHTTPRequestHandler):
    seen: dict[str, str] = {}  # the User-Agent and Host of the last request

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, ctype: str | None = None, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        _Site.seen.update({"ua": self.headers.get("User-Agent", ""), "host": self.headers.get("Host", "")})
        if path == "/page":
            self._send(200, "text/html; charset=utf-8", PAGE)
        elif path == "/plain":
            self._send(200, "text/plain", "naïve café".encode())  # no charset: detected
        elif path == "/moved":
            self._send(302, Location="/page")
        elif path.startswith("/hop"):
            n = int(path[4:])
            self._send(302, Location=f"/hop{n + 1}" if n < MAX_REDIRECTS + 2 else "/page")
        elif path == "/nowhere":
            self._send(302)
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, "text/html", b"late")
        elif path == "/bad":
            self._send(400, "text/html", b"no")
        elif path == "/gone":
            self._send(404, "text/html", b"no")
        elif path == "/pdf":
            self._send(200, "application/pdf", b"%PDF")
        elif path == "/untyped":
            self._send(200, None, b"x")
        elif path == "/latin":
            self._send(200, "text/html; charset=iso-8859-1", "café".encode("latin-1"))
        elif path == "/sized":
            self._send(200, "text/html", BIG)
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no length: the fetcher has to count
            self.wfile.write(BIG)
        else:
            self._send(500, "text/plain", b"?")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hangs up on pages over its limit: a broken pipe here is expected


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    srv = _Server(("127.0.0.1", 0), _Site)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


# -- check_url -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a", "/etc/passwd"])
def test_url_only_http(url: str) -> None:
    with pytest.raises(FetchError, match="only http"):
        check_url(url)


def test_url_invalid_port() -> None:
    with pytest.raises(FetchError, match="invalid URL .Port out of range"):
        check_url("http://example.org:99999/")


@pytest.mark.parametrize("url", ["http://localhost/", "http://a.localhost/", "http://LOCALHOST./",
                                 "http://metadata.google.internal/", "http://metadata/"])
def test_url_private_names_refused_before_resolving(url: str) -> None:
    with pytest.raises(FetchError, match="private or metadata"):
        check_url(url)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
                                     "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "[::1]", "[fe80::1]",
                                     "[fc00::1]"])
def test_url_private_addresses_refused(address: str) -> None:
    with pytest.raises(FetchError, match=r"private or internal address \("):
        check_url(f"http://{address}:8080/a")


@pytest.mark.parametrize(("url", "address"), [("http://8.8.8.8/", "8.8.8.8"), ("https://1.1.1.1:8443/x", "1.1.1.1"),
                                               ("http://[2606:4700:4700::1111]/", "2606:4700:4700::1111")])
def test_url_public_address_is_returned_to_connect_to(url: str, address: str) -> None:
    assert check_url(url) == address


def test_url_private_allowed_returns_no_address() -> None:
    assert check_url("http://127.0.0.1/", allow_private=True) is None
    assert check_url("http://localhost/", allow_private=True) is None
    with pytest.raises(FetchError, match="only http"):
        check_url("file:///etc/passwd", allow_private=True)


def test_url_unresolvable_host() -> None:
    with pytest.raises(FetchError, match="cannot resolve host nowhere.invalid"):
        check_url("http://nowhere.invalid/")


def test_url_pinned_request_keeps_host_and_port() -> None:
    assert pinned_request(urlsplit("https://news.example/a?b=1"), "2606:4700::1") == (
        "https://[2606:4700::1]/a?b=1", {"Host": "news.example"}, {"sni_hostname": "news.example"})
    assert pinned_request(urlsplit("http://[2606:4700::2]:8080/a"), "2606:4700::2") == (
        "http://[2606:4700::2]:8080/a", {"Host": "[2606:4700::2]:8080"}, {"sni_hostname": "2606:4700::2"})


# -- fetch ------------------------------------------------------------------------------------------------------

def test_url_fetch_follows_redirects_and_decodes(site: str) -> None:
    final, ctype, text = fetch(f"{site}/moved", allow_private=True)
    assert (final, ctype) == (f"{site}/page", "text/html")
    assert text == PAGE.decode("utf-8")
    assert fetch(f"{site}/plain", allow_private=True)[1:] == ("text/plain", "naïve café")


def test_url_fetch_checks_every_hop(site: str) -> None:
    seen: list[str] = []

    def check(url: str, allow_private: bool) -> str:
        seen.append(url)
        if url.endswith("/page"):
            raise FetchError(f"{url}: refused")
        return "127.0.0.1"

    with pytest.raises(FetchError, match="/page: refused"):
        fetch(f"{site}/moved", check=check)
    assert seen == [f"{site}/moved", f"{site}/page"]


def test_url_fetch_refuses_private_without_the_flag(site: str) -> None:
    with pytest.raises(FetchError, match="private or internal"):
        fetch(f"{site}/page")


def test_url_fetch_redirect_limit(site: str) -> None:
    with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{site}/hop2", allow_private=True)  # 6 redirects: one too many
    assert fetch(f"{site}/hop3", allow_private=True)[0] == f"{site}/page"  # 5 redirects: allowed


@pytest.mark.parametrize(("path", "message"), [
    ("/nowhere", "redirect without a location"), ("/gone", "HTTP 404"), ("/bad", "HTTP 400"),
    ("/pdf", "refusing content type 'application/pdf'"), ("/untyped", "refusing content type 'unknown'"),
])
def test_url_fetch_refuses(site: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        fetch(f"{site}{path}", allow_private=True)


@pytest.mark.parametrize("path", ["/sized", "/big"])  # with a Content-Length, and without one (counted)
def test_url_fetch_size_limit(site: str, path: str) -> None:
    with pytest.raises(TooLargeError, match="over the 2 MiB limit"):
        fetch(f"{site}{path}", allow_private=True, max_bytes=2 * MIB)
    assert fetch(f"{site}{path}", allow_private=True, max_bytes=2 * MIB + 1)[2] == BIG.decode()  # the limit is allowed


def test_url_fetch_decodes_the_declared_charset(site: str) -> None:
    assert fetch(f"{site}/latin", allow_private=True)[2] == "café"


def test_url_fetch_connection_refused() -> None:
    with pytest.raises(FetchError, match=r"127.0.0.1:9/: cannot fetch \(ConnectError\)"):
        fetch("http://127.0.0.1:9/", allow_private=True)


def test_url_fetch_names_itself_and_asks_for_the_urls_host(site: str) -> None:
    port = urlsplit(site).port
    fetch(f"http://news.example:{port}/page", check=lambda url, allow_private: "127.0.0.1")
    assert _Site.seen == {"ua": "unspin/0.1", "host": f"news.example:{port}"}


def test_url_fetch_timeout(site: str) -> None:
    with pytest.raises(FetchError, match="timed out after 0.3 s"):
        fetch(f"{site}/slow", allow_private=True, timeout=0.3)
