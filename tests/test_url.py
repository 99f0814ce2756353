"""The URL fetcher's rules on a real HTTP server on 127.0.0.1: which addresses it refuses, redirects, types, sizes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from unspin.errors import FetchError, TooLargeError
from unspin.load.url import MAX_REDIRECTS, Fetched, check_url, fetch, pinned_request, shown, split_url

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


# -- the small rules, called in-process (the CLI and server tests reach them too, from other processes) ----


def test_shown_replaces_controls_and_shortens_to_the_limit() -> None:
    assert shown("a" * 100) == "a" * 100
    assert shown("a" * 101) == "a" * 99 + "…" and len(shown("a" * 500)) == 100
    assert shown("http://x/\x1b[2J\x07") == "http://x/?[2J?"
    assert shown("abcd", limit=3) == "ab…" and shown("abc", limit=3) == "abc"


@pytest.mark.parametrize("url, scheme, host, port", [
    (" HTTP://Example.ORG:8080/a?b ", "http", "example.org", 8080),
    ("https://news.example.org/x", "https", "news.example.org", None),
    ("http://[2001:db8::1]:81/", "http", "2001:db8::1", 81),
])
def test_split_url_takes_http_and_https_in_any_case(url: str, scheme: str, host: str, port: int | None) -> None:
    parts = split_url(url)
    assert (parts.scheme, parts.hostname, parts.port) == (scheme, host, port)


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/f", "ftp://example.org/f: only http(s) URLs can be fetched"),
    ("mailto:a@example.org", "mailto:a@example.org: only http(s) URLs can be fetched"),
    ("http:///path", "http:///path: invalid URL (no host)"),
    ("http://example.org:0/", "http://example.org:0/: invalid port"),
    ("http://[::1", "http://[::1: invalid URL (Invalid IPv6 URL)"),
    ("http://example.org:99999/", "http://example.org:99999/: invalid URL (Port out of range 0-65535)"),
    ("http://x/\x1b]0;t\x07", None),
])
def test_split_url_refuses_with_the_url_shown(url: str, message: str | None) -> None:
    if message is None:  # a control character: no error from splitting, and the URL shown without it elsewhere
        assert split_url(url).hostname == "x"
        return
    with pytest.raises(FetchError) as e:
        split_url(url)
    assert str(e.value) == message


def test_fetched_text_honours_meta_for_html_only_and_never_fails() -> None:
    body = '<meta charset="windows-1252"><p>café crème</p>'.encode()  # UTF-8 bytes, a <meta> that lies
    assert "cafÃ©" in Fetched("u", "text/html", "text/html", body).text()  # as a browser reads the page
    assert "café crème" in Fetched("u", "text/plain", "text/plain", body).text()  # plain text has no <meta>
    assert Fetched("u", "text/plain", "text/plain; charset=koi8-r", b"\xf0\xd2\xc9").text() == "При"
    # bytes no encoding fits: UTF-8 with replacement characters, not an exception
    assert Fetched("u", "text/plain", "", b"\x00\x01\xff\xfe\x00").text() == "\x00\x01\ufffd\ufffd\x00"


@pytest.mark.parametrize("url, answer", [
    ("http://93.184.215.14/", "93.184.215.14"),  # a public literal: the address to connect to
    ("https://[2606:4700:4700::1111]:8080/x", "2606:4700:4700::1111"),
    ("http://127.0.0.1/", "http://127.0.0.1/: refusing to fetch a private or internal address (127.0.0.1)"),
    ("http://169.254.169.254/latest", "http://169.254.169.254/latest: refusing to fetch a private or internal "
                                      "address (169.254.169.254)"),
    ("http://localhost:8000/", "http://localhost:8000/: refusing to fetch a private or metadata address"),
    ("http://LOCALHOST./", "http://LOCALHOST./: refusing to fetch a private or metadata address"),
    ("http://news.localhost/", "http://news.localhost/: refusing to fetch a private or metadata address"),
    ("http://Metadata.Google.Internal/", "http://Metadata.Google.Internal/: refusing to fetch a private or "
                                         "metadata address"),
    ("http://no-such-host.invalid/", "http://no-such-host.invalid/: cannot resolve host no-such-host.invalid"),
])
def test_check_url_answers_an_address_or_says_why_not(url: str, answer: str) -> None:
    try:
        got = check_url(url)
    except FetchError as e:
        got = str(e)
    assert got == answer
    assert check_url(url, allow_private=True) is None  # allowed: the client resolves the host itself


@pytest.mark.parametrize("location, answer", [
    ("/next?a=1", "http://a.org/next?a=1"),  # relative: joined to the page
    ("HTTPS://Other.org/p", "https://Other.org/p"),
    ("", "http://a.org/x: redirect without a location"),
    ("mailto:" + "m" * 80, "http://a.org/x: redirect to mailto:" + "m" * 52 + "… refused (only http(s) URLs can be fetched)"),
    ("http://x.org:99999/a: b", "http://a.org/x: redirect to http://x.org:99999/a: b refused (invalid URL (Port out of "
                                "range 0-65535))"),  # the reason is the last part of the inner message
    ("http://[::1" + "/" * 70, "http://a.org/x: redirect to an invalid URL (http://[::1" + "/" * 48 + "…) refused"),
])
def test_a_redirect_target_is_joined_or_refused_in_one_line(location: str, answer: str) -> None:
    from unspin.load.url import _redirect_target

    try:
        got = _redirect_target("http://a.org/x", location)
    except FetchError as e:
        got = str(e)
    assert got == answer


def test_an_http_status_error_keeps_its_status_and_retry_after() -> None:
    from unspin.load.url import HTTPStatusError

    e = HTTPStatusError("http://a.org/: HTTP 503", 503, "120")
    assert (str(e), e.status, e.retry_after) == ("http://a.org/: HTTP 503", 503, "120")
    assert HTTPStatusError("m", 404).retry_after is None
