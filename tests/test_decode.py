"""The one decoder (unspin.load.decode): WHATWG order and labels, on our own small inputs,
and that every single-article input (file, stdin, URL) goes through it."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
from pathlib import Path

import pytest

from unspin.load import load_source
from unspin.load.decode import content_type_charset, decode, lookup, prescan, sniff, text_stream
from unspin.load.url import fetch_bytes

QUOTE = "\u201cIt is a waste,\u201d said Ren\u00e9e \u2014 the mayor\u2019s caf\u00e9 critic."
CP1252 = QUOTE.encode("cp1252")  # 93/94/92/97 bytes: not Latin-1 characters


def _page(meta: str, body: str) -> str:
    return (f"<!doctype html><html><head>{meta}<title>Bridge Vote Delayed Again</title></head><body><article>"
            f"<h1>Bridge Vote Delayed Again</h1><p>{body}</p>"
            "<p>The council met on Tuesday evening and postponed the decision for a third time this year.</p>"
            "<p>Residents who had waited for hours left the town hall angry and without an answer again.</p>"
            "</article></body></html>")


# -- labels, as the WHATWG table maps them ---------------------------------------------------


@pytest.mark.parametrize("label, name", [
    ("ISO-8859-1", "windows-1252"), ("latin1", "windows-1252"), ("us-ascii", "windows-1252"),
    (" Shift_JIS ", "shift_jis"), ("x-sjis", "shift_jis"), ("gb2312", "gbk"), ("utf8", "utf-8"),
    ("unicode-1-1-utf-8", "utf-8"), ("utf-16", "utf-16le"), ("ks_c_5601-1987", "euc-kr"),
])
def test_labels_map_as_the_standard_says(label: str, name: str) -> None:
    assert lookup(label) is not None and lookup(label)[0] == name  # type: ignore[index]


def test_unknown_label_is_none() -> None:
    assert lookup("no-such-charset") is None
    assert content_type_charset("text/html; charset=no-such-charset") is None
    assert content_type_charset('text/html; Charset="ISO-8859-1"') == "windows-1252"


def test_iso_8859_1_label_decodes_as_windows_1252() -> None:
    for label in ("iso-8859-1", "us-ascii", "latin1"):
        d = decode(CP1252, f"text/html; charset={label}")
        assert d is not None and d.text == QUOTE and d.encoding == "windows-1252" and d.how == "content-type"


def test_windows_1252_unmapped_bytes_are_c1_controls() -> None:
    d = decode(b"a\x81b\x9dc", "text/plain; charset=windows-1252")
    assert d is not None and d.text == "a\x81b\x9dc"


def test_legacy_cjk_labels_decode_their_supersets() -> None:
    # NEC row 13 (circled digit one) is Windows-31J, not plain Shift_JIS
    d = decode("\u2460 \u65e5\u672c".encode("cp932"), "text/plain; charset=shift_jis")
    assert d is not None and d.text == "\u2460 \u65e5\u672c"
    # a four-byte GB 18030 sequence, labelled gbk: the standard's GBK decoder is gb18030's
    d = decode("\U00020000\u4e2d".encode("gb18030"), "text/plain; charset=gbk")
    assert d is not None and d.text == "\U00020000\u4e2d"
    # a Hangul syllable outside KS X 1001 (UHC extension), labelled euc-kr
    d = decode("\ub620".encode("cp949"), "text/plain; charset=euc-kr")
    assert d is not None and d.text == "\ub620"


# -- order: BOM, then Content-Type, then <meta>, then detection ---------------------------


def test_bom_wins_over_header_and_meta() -> None:
    html = _page('<meta charset="windows-1252">', QUOTE).encode("utf-8")
    d = decode(b"\xef\xbb\xbf" + html, "text/html; charset=iso-8859-1", html=True)
    assert d is not None and d.how == "bom" and d.encoding == "utf-8" and QUOTE in d.text
    assert not d.text.startswith("\ufeff")
    for codec, name in (("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")):
        raw = ("\ufeff" + QUOTE).encode(codec)
        d = decode(raw, "text/plain; charset=utf-8")
        assert d is not None and (d.encoding, d.how, d.text) == (name, "bom", QUOTE)


def test_header_wins_over_meta() -> None:
    html = _page('<meta charset="utf-8">', QUOTE).encode("cp1252")
    d = decode(html, "text/html; charset=windows-1252", html=True)
    assert d is not None and d.how == "content-type" and QUOTE in d.text


def test_meta_charset_and_http_equiv() -> None:
    body = _page('<meta charset="iso-8859-1">', QUOTE).encode("cp1252")
    d = decode(body, "text/html", html=True)
    assert d is not None and (d.encoding, d.how) == ("windows-1252", "meta") and QUOTE in d.text
    body = _page('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1250">', "\u0161\u010d").encode("cp1250")
    d = decode(body, None, html=True)
    assert d is not None and (d.encoding, d.how) == ("windows-1250", "meta") and "\u0161\u010d" in d.text


def test_prescan_rules() -> None:
    # content=...charset without http-equiv does not count (need pragma)
    assert prescan(b'<meta content="text/html; charset=koi8-r">') is None
    assert prescan(b'<meta http-equiv="content-type" content="text/html; charset=koi8-r">') == "koi8-r"
    # a declaration inside a comment is skipped; attributes of other tags are skipped
    assert prescan(b'<!-- <meta charset="koi8-r"> --><div title="<meta charset=gbk>"><meta charset=big5>') == "big5"
    # the first charset attribute wins; UTF-16 in a meta means UTF-8; unknown labels are ignored
    assert prescan(b"<meta charset=utf-16le charset=gbk>") == "utf-8"
    assert prescan(b"<meta charset=bogus><meta charset='x-user-defined'>") == "windows-1252"
    # only the first 1024 bytes are prescanned
    late = b"<!doctype html><head>" + b"<!-- padding -->" * 80 + b'<meta charset="koi8-r">'
    assert prescan(late) is None and prescan(late, limit=len(late)) == "koi8-r"


def test_late_meta_beats_detection() -> None:
    text = "\u0428\u043e\u043a: \u0441\u043e\u0432\u0435\u0442 \u043f\u0440\u043e\u0434\u0430\u043b \u043c\u043e\u0441\u0442"
    raw = ("<!doctype html><head>" + "<script>var x = 1;</script>" * 60 + '<meta charset="koi8-r">'
           f"<title>t</title></head><body><p>{text}</p>").encode("koi8-r")
    s = sniff(raw, None, html=True)
    assert s is not None and (s.encoding, s.how) == ("koi8-r", "late-meta")


def test_detection_utf8_first_then_legacy() -> None:
    d = decode(QUOTE.encode("utf-8"))
    assert d is not None and (d.encoding, d.how, d.text) == ("utf-8", "utf-8", QUOTE)
    d = decode(("Council vote. " * 20 + QUOTE).encode("cp1252"))
    assert d is not None and d.how == "detected" and d.encoding == "windows-1252" and QUOTE in d.text


def test_text_stream_for_corpora() -> None:
    rows = [["id", "text"], ["a1", QUOTE], ["a2", "line one\nline two"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    raw = ("\ufeff" + buf.getvalue()).encode("utf-16-le")
    stream, sniffed = text_stream(io.BytesIO(raw), newline="")
    assert sniffed is not None and sniffed.encoding == "utf-16le"
    assert list(csv.reader(stream)) == rows
    # a sample that ends in the middle of a UTF-8 character is still UTF-8
    data = ("x" * 9 + "\u00e9" * 10).encode("utf-8")
    stream, sniffed = text_stream(io.BytesIO(data), sample=10)
    assert sniffed is not None and sniffed.encoding == "utf-8" and stream.read() == "x" * 9 + "\u00e9" * 10


# -- every single-article input goes through it ---------------------------------------------


def test_utf16_files_and_stdin_are_text(tmp_path: Path, cli) -> None:
    text = "Harbour Plan Angers Residents\n\n" + QUOTE + " The council\u2019s plan will ruin the harbour.\n"
    p = tmp_path / "notepad.txt"
    p.write_bytes(("\ufeff" + text).encode("utf-16-le"))
    art = load_source(str(p))
    assert art.text == text and art.title == "Harbour Plan Angers Residents"
    proc = cli("analyze", "-", "--format", "json", input=("\ufeff" + text).encode("utf-16-be"))
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert doc["article"]["text"] == text
    page = tmp_path / "page.html"
    page.write_bytes(("\ufeff" + _page('<meta charset="utf-8">', QUOTE)).encode("utf-16-le"))
    art = load_source(str(page))
    assert art.title == "Bridge Vote Delayed Again" and QUOTE in art.text


def test_html_stdin_meta_charset(cli) -> None:
    raw = _page('<meta charset="iso-8859-1">', QUOTE).replace("<html>", "").encode("cp1252")
    proc = cli("analyze", "-", "--format", "json", input=raw)
    assert proc.returncode == 0, proc.stderr.decode()
    assert QUOTE in json.loads(proc.stdout)["article"]["text"]


class _Pages(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:
        ctype, body = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages():
    _Pages.routes = {
        "/meta": ("text/html", _page('<meta charset="iso-8859-1">', QUOTE).encode("cp1252")),
        "/header": ("text/html; charset=ISO-8859-1", _page("", QUOTE).encode("cp1252")),
        "/utf16": ("text/plain; charset=utf-8", ("\ufeffA Title Line\n\n" + QUOTE + "\n").encode("utf-16-le")),
    }
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_urls_decode_like_a_browser(pages: str) -> None:
    for path in ("/meta", "/header"):
        art = load_source(pages + path, allow_private_urls=True)
        assert QUOTE in art.text and "\ufffd" not in art.text, path
    art = load_source(pages + "/utf16", allow_private_urls=True)
    assert art.text == "A Title Line\n\n" + QUOTE + "\n" and art.url == pages + "/utf16"
    page = fetch_bytes(pages + "/header", allow_private=True)
    assert page.content_type == "text/html; charset=ISO-8859-1" and page.body.startswith(b"<!doctype")
