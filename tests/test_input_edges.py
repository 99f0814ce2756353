"""The edges of loading one article: special files, odd paths and URLs, unsafe redirects,
text the API cannot encode, and escape sequences that must not reach the terminal."""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from unspin.errors import FetchError, InputError, TooLargeError
from unspin.load import load_source
from unspin.load.text import read_file_bytes
from unspin.load.url import _is_forbidden, check_url, fetch_bytes
from unspin.render.safe import terminal_safe, terminal_safe_same_length

ARTICLE = (
    "Ferry Fares Double Overnight\n\n"
    "The harbour authority doubled ferry fares on Monday without telling residents first.\n"
    "\u201cIt is daylight robbery,\u201d said Ingrid Holm, who takes the ferry to work every day.\n"
)
PAGE = ("<!doctype html><html><head><title>Ferry Fares Double Overnight</title></head><body><article>"
        "<h1>Ferry Fares Double Overnight</h1><p>The harbour authority doubled ferry fares on Monday "
        "without telling the residents of the island first.</p><p>\u201cIt is daylight robbery,\u201d said "
        "Ingrid Holm, who takes the ferry to work every day.</p></article></body></html>")


def _one_line_error(proc) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


# -- special files are refused before anything is read ---------------------------------------


def test_fifo_without_writer_is_refused_at_once(tmp_path: Path, cli) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    start = time.monotonic()
    err = _one_line_error(cli("analyze", str(fifo), timeout=60))
    assert "FIFO" in err and time.monotonic() - start < 60


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(InputError, match="not a regular file"):
        read_file_bytes(Path(device))


def test_directory_and_bounded_reads(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        load_source(str(tmp_path))
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    with pytest.raises(TooLargeError):
        read_file_bytes(big, limit=1000)
    assert len(read_file_bytes(big, limit=5000)) == 5000


def test_long_name_and_nul_in_path_are_one_line(tmp_path: Path, cli) -> None:
    err = _one_line_error(cli("analyze", str(tmp_path / ("n" * 300 + ".txt"))))
    assert "too long" in err and len(err) < 300
    with pytest.raises(InputError):
        load_source("bad\x00name.txt")


# -- URLs -------------------------------------------------------------------------------------


def test_invalid_ipv6_url_is_one_line(cli) -> None:
    err = _one_line_error(cli("analyze", "http://[::1"))
    assert "invalid URL" in err
    with pytest.raises(FetchError, match="invalid URL"):
        check_url("http://[::1")


@pytest.mark.parametrize("address", [
    "fec0::1", "64:ff9b:1::a00:1", "3fff::1", "5f00::1", "2001:2::1", "fd00:ec2::254", "::ffff:10.0.0.1",
    "2002:a00:1::", "169.254.170.2", "100.64.0.1", "192.0.0.192", "fe80::1", "ff02::1", "::",
])
def test_addresses_that_are_not_global_are_refused(address: str) -> None:
    assert _is_forbidden(ipaddress.ip_address(address))


def test_global_addresses_pass() -> None:
    for address in ("2606:4700:4700::1111", "2a00:1450:4001::200e", "93.184.215.14"):
        assert not _is_forbidden(ipaddress.ip_address(address)), address
    with pytest.raises(FetchError, match="refusing"):
        check_url("http://[fec0::1]/")


class _Site(http.server.BaseHTTPRequestHandler):
    redirects = {
        "/to-data": "data:text/html,<h1>hi</h1>", "/to-js": "javascript:alert(1)", "/to-mail": "mailto:a@b.example",
        "/to-port": "http://127.0.0.1:99999/x", "/to-bad-ipv6": "http://[::1/x", "/to-ftp": "ftp://127.0.0.1/x",
        "/to-page": "/page",
    }

    def do_GET(self) -> None:
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_uppercase_scheme_is_fetched(site: str) -> None:
    upper = site.replace("http://", "HTTP://", 1)
    art = load_source(upper + "/to-page", allow_private_urls=True)
    assert art.title == "Ferry Fares Double Overnight" and art.url == site + "/page"
    assert fetch_bytes(site.replace("http://", "hTtP://", 1) + "/page", allow_private=True).url == site + "/page"


@pytest.mark.parametrize("path", ["/to-data", "/to-js", "/to-mail", "/to-port", "/to-bad-ipv6", "/to-ftp"])
def test_redirects_off_the_web_are_refused(site: str, path: str) -> None:
    with pytest.raises(FetchError, match="refused") as e:
        fetch_bytes(site + path, allow_private=True)
    assert "\n" not in str(e.value)


def test_refused_redirect_on_the_command_line(site: str, cli) -> None:
    err = _one_line_error(cli("analyze", site + "/to-js", "--allow-private-urls"))
    assert "refused" in err


# -- the terminal ----------------------------------------------------------------------------

NASTY = "\x1b]0;owned\x07Ferry \x1b[2J\x1b[1;1HFares\x9b31m Double\x07 Overnight\x08\x08"


def test_terminal_safe_removes_sequences_and_controls() -> None:
    assert terminal_safe(NASTY) == "Ferry Fares Double Overnight"
    kept = terminal_safe_same_length(NASTY + "\nline two\tend")
    assert len(kept) == len(NASTY) + len("\nline two\tend") and "\x1b" not in kept and "\x9b" not in kept
    assert kept.endswith("\nline two\tend")


def test_analyze_never_prints_escapes(tmp_path: Path, cli) -> None:
    f = tmp_path / "nasty.txt"
    body = ARTICLE.split("\n\n", 1)[1] * 8  # a few escapes in a real article, not a binary file
    f.write_text(NASTY + "\n\n" + body.replace("Monday", "Monday\x1b[5A\x1bc", 1), encoding="utf-8")
    proc = cli("analyze", str(f))
    assert proc.returncode == 0, proc.stderr.decode()
    for bad in (b"\x1b", b"\x07", b"\x08", "\x9b".encode()):
        assert bad not in proc.stdout and bad not in proc.stderr
    assert b"Ferry" in proc.stdout and b"Ingrid Holm" in proc.stdout
    err = _one_line_error(cli("analyze", str(tmp_path / "x\x1b]0;owned\x07.txt")))
    assert "\x1b" not in err and "\x07" not in err


# -- the API: text that cannot be encoded -----------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    from unspin.web import Settings, create_app
    from unspin.web.server import BackgroundServer

    with BackgroundServer(create_app(Settings())) as s:
        yield s.url


@pytest.mark.parametrize("body, field", [
    (b'{"text": "Ferry fares double.\\n\\nIt is a disgrace \\ud83d, said one islander."}', "text"),
    (b'{"text": "Ferry fares double overnight, residents say.", "title": "Fares \\udc00"}', "title"),
    (b'{"url": "http://example.org/\\ud800"}', "url"),
    (b'{"html": "<p>\\udfff</p>"}', "html"),
])
def test_lone_surrogate_is_a_4xx_with_a_reason(api: str, body: bytes, field: str) -> None:
    r = httpx.post(api + "/api/analyze", content=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err.startswith(field) and "surrogate" in err


def test_api_invalid_and_uppercase_urls(api: str) -> None:
    r = httpx.post(api + "/api/analyze", json={"url": "http://[::1"}, timeout=60)
    assert r.status_code in (400, 422) and "invalid" in r.json()["error"].lower(), r.text  # refused at validation
    r = httpx.post(api + "/api/analyze", json={"url": "HTTP://127.0.0.1:9/"}, timeout=60)
    assert r.status_code == 400 and "refusing" in r.json()["error"]  # reached the address check, not "only http(s)"


def test_api_valid_text_still_analysed(api: str) -> None:
    r = httpx.post(api + "/api/analyze", json={"text": ARTICLE}, timeout=60)
    assert r.status_code == 200, r.text
    assert json.loads(r.text)["article"]["text"] == ARTICLE


def test_one_stray_escape_in_a_short_text_is_text_and_a_few_hundred_controls_are_binary(tmp_path: Path, cli) -> None:
    short = tmp_path / "short.txt"
    short.write_text("Council vote\n\nThe council voted \x1b[1mfor\x1b[0m the bridge on Tuesday.\n", encoding="utf-8")
    proc = cli("analyze", str(short))
    assert proc.returncode == 0, proc.stderr.decode()
    blob = tmp_path / "controls.txt"
    blob.write_bytes(b"word \x01\x02\x03\x04 " * 100)
    assert _one_line_error(cli("analyze", str(blob))).endswith("looks like a binary file, not text\n")
