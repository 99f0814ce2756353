"""The fuzz bench's inputs (bench/fuzz.py runs them): over 1,000 bad inputs, generated from a fixed seed.

Surfaces: `unspin analyze` (bad file contents, special files, long and odd
names, URLs), standard input, `unspin batch` (JSONL, CSV, WARC, gzip, folders:
a bad value in every field, broken structure, bombs, truncation) and the HTTP
API (JSON, form, multipart, URLs, raw headers, paths). Each input is a `Case`;
large files are written just before their run (`Case.prepare`). URL inputs
name only IP literals, `localhost` or the local `Origin` server, so nothing
leaves 127.0.0.1.
"""


from __future__ import annotations

import contextlib
import csv
import functools
import gzip
import json
import os
import random
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
SHORT = "Bridge vote\n\nThe reckless council betrayed us all, critics said on Tuesday. The mayor disagreed.\n"

@dataclass
class Case:
    name: str  # unique: surface/family/variant
    surface: str  # analyze | stdin | batch | api
    argv: list[str] = field(default_factory=list)  # CLI: the arguments after `unspin`
    stdin: Path | None = None  # CLI: a file (or device) to read standard input from
    request: bytes | None = None  # API: the raw HTTP request (Host and Connection filled in)
    server: str = "main"  # API: which server: main | private (--allow-private-urls, for the local origin)
    db: Path | None = None  # batch: the store, to count what was stored
    expect_stored: int | None = None  # batch: good records that must be in the store afterwards
    terminal: bool = False  # CLI: its stdout is terminal text (checked for control characters)
    half_close: bool = False  # API: the request promises more body than it sends; close our side after 1 s
    prepare: Callable[[], None] | None = field(default=None, repr=False)  # writes a large input just before its run
    program: list[str] | None = None  # CLI: what runs instead of `python -m unspin` (the harness's own checks)

    @property
    def family(self) -> str:
        return "/".join(self.name.split("/")[:2])


# -- payloads: bytes that make bad articles ------------------------------------------------------


def _cesu(s: str) -> bytes:
    """UTF-8 with lone surrogates encoded as if they were characters (what `surrogatepass` writes)."""
    return s.encode("utf-8", "surrogatepass")


def _nested_html(n: int) -> bytes:
    return b"<html><body>" + b"<div>" * n + b"deep text" + b"</div>" * n + b"</body></html>"


def contents(rng: random.Random) -> dict[str, bytes]:
    """Bad article bodies, each a few bytes to a few MB."""
    demo = DEMO.encode()
    return {
        "empty": b"",
        "whitespace": b" \n\t\r\n  \n",
        "nul-only": b"\x00" * 1000,
        "nul-in-text": demo[:200] + b"\x00\x00" + demo[200:],
        "random-1k": rng.randbytes(1024),
        "random-1m": rng.randbytes(1 << 20),
        "invalid-utf8": b"Title\n\nBroken \xff\xfe\xc3\x28 bytes \xe2\x82 here.\n" * 20,
        "lone-surrogate-bytes": _cesu("Title \ud800\n\nBody \udfff text \ud83d here.\n"),
        "utf16-bom": "\ufeffTitle\n\nThe reckless council.\n".encode("utf-16"),
        "utf16le-no-bom": "Title\n\nThe reckless council betrayed us.\n".encode("utf-16-le"),
        "utf32": "Title\n\nThe reckless council.\n".encode("utf-32"),
        "latin1": "Caf\xe9 na\xefve \xe0 la carte\n\nThe reckless council.\n".encode("latin-1"),
        "bom-only": b"\xef\xbb\xbf",
        "one-line-3mb": b"word " * 600_000,
        "one-word-1mb": b"a" * (1 << 20),
        "many-blank-lines": b"\n" * 200_000,
        "many-tiny-lines": b"x\n" * 100_000,
        "control-chars": bytes(range(1, 32)) * 50 + demo,
        "ansi-title": b"\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31mRed title\x1b[0m\n\n" + demo,
        "osc8-link-title": b"\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\n\n" + demo,
        "csi-8bit": "Title \x9b2J\x9d0;x\x9c\n\n".encode() + demo,
        "bidi-override": "\u202eEltit desrever\u202c\n\n".encode() + demo,
        "zero-width": ("\u200b\u200c\u200d\ufeff" * 5000).encode() + demo,
        "combining-storm": ("e" + "\u0301" * 10_000 + " ").encode() * 5,
        "emoji-zwj": ("\U0001f468\u200d\U0001f469\u200d\U0001f467 " * 5000).encode(),
        "noncharacters": "\ufffe\uffff\U0010ffff Title\n\nText.\n".encode("utf-8", "surrogatepass"),
        "line-separators": "Title\u2028still title\u2029\n\nBody\u0085text.\n".encode(),
        "cr-only": demo.replace(b"\n", b"\r"),
        "formfeeds-vtabs": demo.replace(b" ", b"\x0c\x0b"),
        "huge-title": b"T" * 200_000 + b"\n\n" + demo,
        "title-only": b"Only a title",
        "surrogate-escape-literal": b"Title\n\nText with \\ud800 written out as an escape.\n",
        "html-nested-100k": _nested_html(100_000),
        "html-attrs-100k": b"<html><body><p " + b" ".join(b"a%d=x" % i for i in range(100_000)) + b">t</p></body></html>",
        "html-unterminated-comment": b"<html><body><!-- " + demo + b"</body></html>",
        "html-script-only": b"<html><head><script>" + b"x=1;" * 50_000 + b"</script></head></html>",
        "html-billion-laughs": (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                                + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(8))
                                + b"]><html><body><p>&i;</p></body></html>"),
        "html-entities": b"<html><body><p>" + b"&amp;&#0;&#x110000;&#xD800;&nosuch;" * 20_000 + b"</p></body></html>",
        "html-binary-body": b"<html><body>" + rng.randbytes(50_000) + b"</body></html>",
        "gzip-bytes": gzip.compress(demo),
        "zip-magic": b"PK\x03\x04" + rng.randbytes(4000),
        "pdf-magic": b"%PDF-1.7\n" + rng.randbytes(4000),
        "elf-magic": b"\x7fELF\x02\x01\x01" + rng.randbytes(4000),
        "json-text": json.dumps({"text": "not an article", "nested": [[[[]]]]}).encode(),
    }


# -- the CLI: analyze, stdin ------------------------------------------------------------------


def analyze_cases(work: Path, rng: random.Random, origin: str) -> list[Case]:
    cases: list[Case] = []
    d = work / "analyze"
    d.mkdir()
    for name, data in contents(rng).items():
        txt = d / f"{name}.txt"
        txt.write_bytes(data)
        html = d / f"{name}.html"
        html.write_bytes(data)
        cases.append(Case(f"analyze/content-txt/{name}", "analyze", ["analyze", str(txt)], terminal=True))
        cases.append(Case(f"analyze/content-html/{name}", "analyze", ["analyze", str(html), "--format", "json"]))
        cases.append(Case(f"analyze/content-html-report/{name}", "analyze",
                          ["analyze", str(txt), "--format", "html", "-o", str(d / f"{name}.out.html")]))
        cases.append(Case(f"stdin/content/{name}", "stdin", ["analyze", "-"], stdin=txt, terminal=True))
    cases += special_path_cases(work)
    cases += [Case(f"analyze/url/{label}", "analyze", ["analyze", url]) for label, url in bad_urls()]
    cases += [Case(f"analyze/redirect/{label}", "analyze", ["analyze", f"{origin}{path}", "--allow-private-urls"])
              for label, path in origin_paths()]
    for label, args in [("min-confidence-nan", ["--min-confidence", "nan"]), ("min-confidence-2", ["--min-confidence", "2"]),
                        ("min-confidence-neg", ["--min-confidence", "-1"]), ("format-bogus", ["--format", "pdf"]),
                        ("model-missing", ["--model", str(work / "nomodel")]), ("model-is-file", ["--model", str(d / "empty.txt")]),
                        ("output-dir", ["-o", str(d)]), ("output-missing-dir", ["-o", str(work / "no" / "where.txt")]),
                        ("output-dev-full", ["-o", "/dev/full"])]:
        cases.append(Case(f"analyze/option/{label}", "analyze", ["analyze", str(ROOT / "examples" / "demo-article.txt"), *args]))
    # standard input that is a device, closed, or huge
    cases.append(Case("stdin/device/dev-zero", "stdin", ["analyze", "-"], stdin=Path("/dev/zero")))
    cases.append(Case("stdin/device/dev-urandom", "stdin", ["analyze", "-"], stdin=Path("/dev/urandom")))
    cases.append(Case("stdin/device/dev-null", "stdin", ["analyze", "-"], stdin=Path("/dev/null")))
    big = d / "stdin-12mb.txt"
    big.write_bytes(b"The reckless council. " * 600_000)
    cases.append(Case("stdin/size/12mb", "stdin", ["analyze", "-"], stdin=big))
    html_stdin = d / "stdin-html.txt"
    html_stdin.write_bytes(b"   <html>" + b"<div>" * 50_000 + b"x")
    cases.append(Case("stdin/content/html-sniffed-nested", "stdin", ["analyze", "-"], stdin=html_stdin))
    return cases


def special_path_cases(work: Path) -> list[Case]:
    d = work / "special"
    d.mkdir()
    fifo = d / "fifo.txt"
    os.mkfifo(fifo)
    fifo_html = d / "fifo.html"
    os.mkfifo(fifo_html)
    (d / "zero.txt").symlink_to("/dev/zero")
    (d / "urandom.html").symlink_to("/dev/urandom")
    (d / "loop.txt").symlink_to(d / "loop.txt")
    (d / "dangling.txt").symlink_to(d / "missing-target.txt")
    (d / "a-dir.txt").mkdir()
    sock_path = d / "sock.txt"
    with contextlib.suppress(OSError):
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(sock_path))
        s.close()
    long255 = d / ("n" * 251 + ".txt")
    long255.write_text(SHORT)
    weird = d / "new\nline \x1b[31mred\x1b[0m.txt"
    weird.write_text(SHORT)
    dash = d / "-rf.txt"
    dash.write_text(SHORT)
    paths = {
        "dev-zero": "/dev/zero", "dev-urandom": "/dev/urandom", "dev-null": "/dev/null", "dev-full": "/dev/full",
        "fifo-no-writer": str(fifo), "fifo-html-no-writer": str(fifo_html), "symlink-dev-zero": str(d / "zero.txt"),
        "symlink-urandom-html": str(d / "urandom.html"), "symlink-loop": str(d / "loop.txt"),
        "symlink-dangling": str(d / "dangling.txt"), "directory": str(d / "a-dir.txt"), "unix-socket": str(sock_path),
        "missing": str(d / "missing.txt"), "name-256-bytes": str(d / ("n" * 252 + ".txt")),
        "name-300-bytes": str(d / ("é" * 150 + ".txt")), "path-5000-bytes": str(d / "/".join(["p" * 200] * 25)),
        "name-255-bytes-ok": str(long255), "name-newline-escape": str(weird), "name-starts-with-dash": str(dash),
        "proc-self-status": "/proc/self/status", "empty-arg": "", "nul-in-arg": "a\x01b.txt",
    }
    return [Case(f"analyze/special/{label}", "analyze", ["analyze", p], terminal=True) for label, p in paths.items()]


def bad_urls() -> list[tuple[str, str]]:
    """URLs that must be refused or rejected without touching the network (IP literals and localhost only)."""
    return [
        ("ipv6-unclosed", "http://[::1"), ("ipv6-garbage", "http://[zz::1]/"), ("ipv6-zone", "http://[fe80::1%25eth0]/"),
        ("port-99999", "http://127.0.0.1:99999/"), ("port-neg", "http://127.0.0.1:-1/"), ("port-alpha", "http://127.0.0.1:http/"),
        ("uppercase-scheme-private", "HTTP://127.0.0.1:1/"), ("mixed-case-scheme", "hTtPs://10.0.0.1/"),
        ("loopback", "http://127.0.0.1:1/"), ("loopback-short", "http://127.1:1/"), ("loopback-int", "http://2130706433/"),
        ("loopback-hex", "http://0x7f000001/"), ("loopback-octal", "http://0177.0.0.1/"), ("zero", "http://0/"),
        ("localhost", "http://localhost:1/"), ("ipv6-loopback", "http://[::1]:1/"), ("ipv6-mapped", "http://[::ffff:127.0.0.1]/"),
        ("ipv6-site-local", "http://[fec0::1]/"), ("ipv6-ula", "http://[fd00::1]/"), ("ipv6-link-local", "http://[fe80::1]/"),
        ("ipv6-documentation", "http://[2001:db8::1]/"), ("ipv6-6to4-private", "http://[2002:7f00:1::]/"),
        ("ipv6-teredo", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/"), ("ipv6-nat64", "http://[64:ff9b::7f00:1]/"),
        ("metadata", "http://169.254.169.254/latest/meta-data/"), ("private-10", "http://10.0.0.1/"),
        ("private-192", "http://192.168.1.1/"), ("shared-100-64", "http://100.64.0.1/"), ("multicast", "http://224.0.0.1/"),
        ("broadcast", "http://255.255.255.255/"), ("userinfo-trick", "http://example.org@127.0.0.1:1/"),
        ("backslash-trick", "http://127.0.0.1\\@example.org/"), ("data", "data:text/html,<p>hi</p>"),
        ("javascript", "javascript:alert(1)"), ("file", "file:///etc/passwd"), ("ftp", "ftp://127.0.0.1/"),
        ("gopher", "gopher://127.0.0.1:70/"), ("no-host", "http:///path"), ("spaces", "http://127.0.0.1 /a b"),
        ("newline", "http://127.0.0.1/\r\nX-Injected: 1"), ("long-100k", "http://127.0.0.1/" + "a" * 100_000),
        ("surrogate-escape", "http://127.0.0.1/%ED%A0%80"), ("idna-junk", "http://xn--/"),
    ]


def origin_paths() -> list[tuple[str, str]]:
    """Paths on the local origin (served by `Origin`), fetched with private addresses allowed."""
    return [
        ("to-data", "/redirect?to=data:text/html,hi"), ("to-javascript", "/redirect?to=javascript:alert(1)"),
        ("to-mailto", "/redirect?to=mailto:a@b.c"), ("to-port-99999", "/redirect?to=http://127.0.0.1:99999/"),
        ("to-ipv6-unclosed", "/redirect?to=http://[::1"), ("to-file", "/redirect?to=file:///etc/passwd"),
        ("to-empty", "/redirect?to="), ("to-self-loop", "/loop"), ("many-hops", "/hops/30"),
        ("to-relative-garbage", "/redirect?to=//[::1"), ("binary-page", "/binary"), ("huge-page", "/huge"),
        ("gzip-bomb-page", "/gzbomb"), ("wrong-charset", "/charset"), ("slow-page", "/slow"), ("no-body", "/empty"),
        ("status-500", "/status/500"), ("status-204", "/status/204"), ("json-ct", "/json"),
    ]


# -- batch: JSONL, CSV, WARC, gzip, folders ---------------------------------------------------------

FIELDS = ["id", "title", "outlet", "url", "published", "text"]


def bad_values() -> dict[str, object]:
    """Values for one field of a record (JSON types included)."""
    return {
        "lone-surrogate": "a\ud800b", "lone-low-surrogate": "\udfff", "reversed-pair": "\udc00\ud800",
        "nul": "a\x00b", "ansi": "\x1b[2J\x1b]0;x\x07", "bidi": "\u202e\u2066x", "long-1mb": "x" * (1 << 20),
        "number": 12345, "float-nan": float("nan"), "list": ["a", ["b"]], "object": {"a": {"b": 1}}, "null": None,
        "empty": "", "bool": True, "invalid-ipv6-url": "http://[::1", "huge-int": 10**400, "date-garbage": "2024-13-45T99:99",
    }


def _good(i: int) -> dict[str, object]:
    return {"id": f"good-{i}", "text": f"Vote {i}\n\nThe reckless council betrayed town {i}, critics said. The mayor disagreed.",
            "outlet": "Gazette", "title": f"Vote {i}", "published": "2024-05-01"}


def _jsonl_line(rec: dict[str, object]) -> bytes:
    # surrogates and NaN written as JSON allows them (\ud800 escapes, NaN), not as UTF-8
    return json.dumps(rec, ensure_ascii=True, allow_nan=True).encode() + b"\n"


def batch_cases(work: Path, rng: random.Random, make_db: Callable[[str], Path]) -> list[Case]:
    d = work / "batch"
    d.mkdir()
    cases: list[Case] = []

    def add(name: str, path: Path, expect: int | None = None, prepare: Callable[[], None] | None = None) -> None:
        db = make_db(name)
        cases.append(Case(f"batch/{name}", "batch", ["batch", str(path), "--db", str(db), "--workers", "1", "-q"],
                          db=db, expect_stored=expect, prepare=prepare))

    # one bad value in one field, between good records (3 before, 2 after)
    for fld in FIELDS:
        for label, value in bad_values().items():
            recs: list[dict[str, object]] = [_good(i) for i in range(3)]
            bad: dict[str, object] = dict(_good(99))
            bad[fld] = value
            recs += [bad, _good(3), _good(4)]
            p = d / f"field-{fld}-{label}.jsonl"
            p.write_bytes(b"".join(_jsonl_line(r) for r in recs))
            add(f"jsonl-field/{fld}-{label}", p, expect=5)
            # the same in CSV (JSON types as their text)
            c = d / f"field-{fld}-{label}.csv"
            with c.open("w", encoding="utf-8", errors="surrogatepass", newline="") as f:
                w = csv.DictWriter(f, fieldnames=FIELDS)
                w.writeheader()
                for r in recs:
                    w.writerow({k: ("" if r.get(k) is None else str(r.get(k))) for k in FIELDS})
            add(f"csv-field/{fld}-{label}", c, expect=5)
    good_lines = b"".join(_jsonl_line(_good(i)) for i in range(3))
    tail = b"".join(_jsonl_line(_good(i)) for i in range(3, 5))
    structural = {
        "not-json": b"{not json}\n", "nested-array-100k": b"[" * 100_000 + b"\n", "nested-object-100k": b'{"a":' * 100_000 + b"\n",
        "top-level-array": b"[1,2,3]\n", "top-level-string": b'"text"\n', "top-level-null": b"null\n",
        "line-10mb": b'{"text": "' + b"word " * 2_000_000 + b'"}\n', "invalid-utf8-line": b'{"text": "\xff\xfe"}\n',
        "raw-surrogate-bytes": b'{"text": "' + _cesu("\ud800") + b'"}\n', "nul-bytes": b'{"text": "a\x00b"}\x00\n',
        "duplicate-keys": b'{"text": "a", "text": "b", "id": "x", "id": {"y": 1}}\n', "number-1e999": b'{"text": 1e999}\n',
        "trailing-garbage": b'{"text": "ok text here"} trailing\n', "truncated-line": b'{"text": "cut off',
        "blank-lines-100k": b"\n" * 100_000, "whitespace-5mb": b" " * (5 << 20) + b"\n", "comment": b"// a comment\n",
        "bom-first": b"\xef\xbb\xbf" + _jsonl_line(_good(50)), "crlf": _jsonl_line(_good(51)).replace(b"\n", b"\r\n"),
    }
    for label, line in structural.items():
        p = d / f"struct-{label}.jsonl"
        p.write_bytes(good_lines + line + (b"\n" if not line.endswith(b"\n") else b"") + tail)
        add(f"jsonl-struct/{label}", p, expect=5)
    # the same bad bodies as the text of one record
    for label, data in contents(rng).items():
        text = data.decode("utf-8", "surrogateescape")
        p = d / f"text-{label}.jsonl"
        p.write_bytes(good_lines + json.dumps({"id": "bad", "text": text}, ensure_ascii=True).encode() + b"\n" + tail)
        add(f"jsonl-text/{label}", p, expect=5)
    _csv_cases(d, add)
    _gzip_cases(d, add, good_lines, tail)
    _warc_cases(d, add, rng)
    _folder_cases(d, add, rng)
    return cases


def _csv_cases(d: Path, add: Callable[..., None]) -> None:
    head = "id,title,text\n"
    good = "".join(f"g{i},T{i},\"Vote {i}. The reckless council betrayed us, critics said.\"\n" for i in range(3))
    tail = "".join(f"g{i},T{i},\"Vote {i}. The reckless council betrayed us, critics said.\"\n" for i in range(3, 5))
    bodies: dict[str, bytes] = {
        "unbalanced-quote": (head + good + 'b,T,"never closed\n' + tail).encode(),
        "field-over-csv-limit": (head + good + "b,T," + "x" * 200_000 + "\n" + tail).encode(),
        "quoted-field-20mb": (head + good + 'b,T,"' + "word " * 4_000_000 + '"\n' + tail).encode(),
        "nul-byte": (head + good + "b,T,a\x00b\n" + tail).encode(),
        "header-only": head.encode(), "no-text-column": b"id,title\n1,2\n", "empty-file": b"",
        "duplicate-columns": ("id,text,text\n" + "1,a,b\n").encode(), "bom-header": b"\xef\xbb\xbf" + (head + good).encode(),
        "semicolons": (head.replace(",", ";") + good.replace(",", ";")).encode(), "ragged-rows": (head + "1\n2,3,4,5,6\n" + good).encode(),
        "binary": os.urandom(20_000), "invalid-utf8": (head + good).encode() + b"b,T,\xff\xfe\xfd\n" + tail.encode(),
        "raw-surrogates": (head + good).encode() + b"b,T," + _cesu("\ud800 x") + b"\n" + tail.encode(),
        "cr-only": (head + good + tail).replace("\n", "\r").encode(), "columns-100k": (",".join(f"c{i}" for i in range(100_000)) + ",text\n").encode(),
        "quote-in-bare-field": (head + good + 'b,T,a "quoted" b\n' + tail).encode(),
        "rows-200k-empty": (head + ",,\n" * 200_000).encode(),
    }
    for label, data in bodies.items():
        p = d / f"csv-{label}.csv"
        p.write_bytes(data)
        add(f"csv-struct/{label}", p)
    tsv = d / "tabs.tsv"
    tsv.write_bytes(b"id\ttext\n1\t\"unclosed\n2\tok text here\n")
    add("csv-struct/tsv-unclosed", tsv)


def _gzip_cases(d: Path, add: Callable[..., None], good: bytes, tail: bytes) -> None:
    ok = gzip.compress(good + tail)
    p = d / "gz-truncated.jsonl.gz"
    p.write_bytes(ok[: len(ok) // 2])
    add("gzip/truncated", p)
    bad_crc = bytearray(ok)
    bad_crc[-8] ^= 0xFF
    p = d / "gz-bad-crc.jsonl.gz"
    p.write_bytes(bytes(bad_crc))
    add("gzip/bad-crc", p, expect=5)
    p = d / "gz-garbage-after.jsonl.gz"
    p.write_bytes(ok + b"garbage after the member")
    add("gzip/garbage-after", p, expect=5)
    p = d / "gz-empty.jsonl.gz"
    p.write_bytes(b"")
    add("gzip/empty-file", p)
    p = d / "gz-not-gzip.jsonl.gz"
    p.write_bytes(good + tail)
    add("gzip/not-gzip", p)
    p = d / "gz-corrupt-deflate.jsonl.gz"
    p.write_bytes(ok[:12] + os.urandom(200) + ok[-8:])
    add("gzip/corrupt-deflate", p)
    p = d / "gz-concatenated.jsonl.gz"
    p.write_bytes(gzip.compress(good) + gzip.compress(tail))
    add("gzip/concatenated-members", p, expect=5)
    p = d / "gz-of-gz.jsonl.gz"
    p.write_bytes(gzip.compress(ok))
    add("gzip/gzip-of-gzip", p)
    # bombs: a small file that inflates to 2 GB (one line), and to 1 GB of short lines
    bombs = {
        "bomb-2gb-one-line": ("jsonl.gz", good + b'{"text": "', b"a" * (1 << 20), 2048, b'"}\n' + tail),
        "bomb-1gb-lines": ("jsonl.gz", good, b'{"text": "x"}\n' * 50_000, 1400, tail),
        "bomb-1gb-csv-field": ("csv.gz", b'id,text\n1,"', b"b" * (1 << 20), 1024, b'"\n'),
        "bomb-1gb-warc": ("warc.gz", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 1073741824\r\n\r\n",
                          b"\0" * (1 << 20), 1024, b""),
    }
    for label, (suffix, head, chunk, repeat, end) in bombs.items():
        bomb = d / f"gz-{label}.{suffix}"
        add(f"gzip/{label}", bomb, prepare=lambda b=bomb, h=head, c=chunk, r=repeat, e=end: _write_bomb(b, h, c, r, e))
    for name in ("csv", "warc"):
        p = d / f"gz-truncated-{name}.{name}.gz"
        p.write_bytes(gzip.compress(b"id,text\n1,hello there\n" * 500)[:300])
        add(f"gzip/truncated-{name}", p)


def _write_bomb(path: Path, head: bytes, chunk: bytes, repeat: int, tail: bytes) -> None:
    """A gzip file of head + chunk*repeat + tail, compressed as it is written (never held in memory)."""
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(head)
        for _ in range(repeat):
            f.write(chunk)
        f.write(tail)


def _warc_record(rtype: bytes, headers: list[tuple[bytes, bytes]], payload: bytes, length: bytes | None = None) -> bytes:
    hdr = b"WARC/1.0\r\nWARC-Type: " + rtype + b"\r\nWARC-Record-ID: <urn:uuid:%d>\r\n" % random.getrandbits(64)
    hdr += b"".join(k + b": " + v + b"\r\n" for k, v in headers)
    hdr += b"Content-Length: " + (length if length is not None else str(len(payload)).encode()) + b"\r\n\r\n"
    return hdr + payload + b"\r\n\r\n"


def _http(status: bytes, body: bytes, ctype: bytes = b"text/html; charset=utf-8", extra: bytes = b"") -> bytes:
    return status + b"\r\nContent-Type: " + ctype + b"\r\n" + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


def _warc_cases(d: Path, add: Callable[..., None], rng: random.Random) -> None:
    page = b"<html><head><title>Vote</title></head><body><article><p>" + DEMO.encode() + b"</p></article></body></html>"
    uri = (b"WARC-Target-URI", b"http://example.org/a")
    good = _warc_record(b"response", [uri, (b"Content-Type", b"application/http; msgtype=response")],
                        _http(b"HTTP/1.1 200 OK", page))
    variants: dict[str, bytes] = {
        "status-abc-ok": _http(b"HTTP/1.1 abc OK", page), "status-empty": _http(b"", page),
        "status-no-code": _http(b"HTTP/1.1", page), "status-huge": _http(b"HTTP/1.1 99999999999999999999 X", page),
        "status-negative": _http(b"HTTP/1.1 -200 OK", page), "no-http-headers": page,
        "header-invalid-bytes": _http(b"HTTP/1.1 200 OK", page, extra=b"X-\xff\xfe: \x00\x01\r\n"),
        "charset-bogus": _http(b"HTTP/1.1 200 OK", page, ctype=b"text/html; charset=x-no-such-charset"),
        "content-encoding-gzip-lie": _http(b"HTTP/1.1 200 OK", page, extra=b"Content-Encoding: gzip\r\n"),
        "content-encoding-bomb": _http(b"HTTP/1.1 200 OK", gzip.compress(b"<p>" + b"a" * (64 << 20)),
                                       extra=b"Content-Encoding: gzip\r\n"),
        "binary-as-html": _http(b"HTTP/1.1 200 OK", rng.randbytes(50_000)),
        "image": _http(b"HTTP/1.1 200 OK", rng.randbytes(5000), ctype=b"image/png"),
        "nested-html": _http(b"HTTP/1.1 200 OK", _nested_html(100_000)),
        "header-line-1mb": _http(b"HTTP/1.1 200 OK", page, extra=b"X-Long: " + b"a" * (1 << 20) + b"\r\n"),
        "headers-100k": _http(b"HTTP/1.1 200 OK", page, extra=b"".join(b"X-%d: v\r\n" % i for i in range(100_000))),
        "empty-payload": b"",
        "lone-surrogate-page": _http(b"HTTP/1.1 200 OK", b"<html><body><p>" + _cesu("\ud800") + DEMO.encode() + b"</p></body></html>"),
        "latin1-declared-utf8": _http(b"HTTP/1.1 200 OK", "<p>caf\xe9</p>".encode("latin-1") + page),
    }
    for label, payload in variants.items():
        rec = _warc_record(b"response", [uri, (b"Content-Type", b"application/http; msgtype=response")], payload)
        p = d / f"warc-{label}.warc"
        p.write_bytes(good + rec + good.replace(b"/a", b"/b"))
        add(f"warc/{label}", p)
    records = {
        "length-too-long": _warc_record(b"response", [uri], _http(b"HTTP/1.1 200 OK", page), length=b"999999999"),
        "length-negative": _warc_record(b"response", [uri], _http(b"HTTP/1.1 200 OK", page), length=b"-5"),
        "length-not-a-number": _warc_record(b"response", [uri], _http(b"HTTP/1.1 200 OK", page), length=b"ten"),
        "truncated-record": good[: len(good) // 2], "version-garbage": good.replace(b"WARC/1.0", b"WARC/9.\xff"),
        "target-uri-ipv6-unclosed": good.replace(b"http://example.org/a", b"http://[::1"),
        "target-uri-surrogate": good.replace(b"http://example.org/a", b"http://example.org/" + _cesu("\ud800")),
        "warcinfo-only": _warc_record(b"warcinfo", [], b"software: fuzz\r\n"),
        "resource-record": _warc_record(b"resource", [uri, (b"Content-Type", b"text/html")], page),
        "not-a-warc": b"hello, this is not a WARC file\n" * 100, "binary": rng.randbytes(10_000),
    }
    for label, data in records.items():
        p = d / f"warc-rec-{label}.warc"
        p.write_bytes(data)
        add(f"warc/{label}", p)
    gz_bad = d / "warc-gz-corrupt-member.warc.gz"
    member = gzip.compress(good)
    gz_bad.write_bytes(member + member[:20] + os.urandom(100) + member)
    add("warc/gz-corrupt-middle-member", gz_bad)
    plain_named_gz = d / "warc-plain-named-gz.warc.gz"
    plain_named_gz.write_bytes(good)
    add("warc/plain-named-gz", plain_named_gz)


def _folder_cases(d: Path, add: Callable[..., None], rng: random.Random) -> None:
    def folder(label: str) -> Path:
        p = d / f"folder-{label}"
        p.mkdir()
        for i in range(2):
            (p / f"good{i}.txt").write_text(str(_good(i)["text"]), encoding="utf-8")
        return p

    p = folder("fifo")
    os.mkfifo(p / "pipe.txt")
    add("folder/fifo", p)
    p = folder("dev-zero-link")
    (p / "zero.txt").symlink_to("/dev/zero")
    add("folder/dev-zero-symlink", p)
    p = folder("symlink-loop")
    (p / "loop").symlink_to(p)
    add("folder/symlink-loop-dir", p)
    p = folder("long-names")
    (p / ("x" * 251 + ".txt")).write_text(SHORT)
    add("folder/long-name", p)
    p = folder("binary")
    (p / "bin.txt").write_bytes(rng.randbytes(100_000))
    (p / "bin.html").write_bytes(rng.randbytes(100_000))
    add("folder/binary-files", p)
    p = folder("deep")
    deep = p
    for _ in range(60):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(SHORT)
    add("folder/deep-60", p)
    p = folder("surrogate-name")
    with contextlib.suppress(OSError):
        (p / os.fsdecode(b"bad-\xff\xfe-name.txt")).write_text(SHORT)
    add("folder/undecodable-name", p)
    p = folder("ansi-name")
    (p / "\x1b[2J\x1b]0;x\x07.txt").write_text(SHORT)
    add("folder/ansi-name", p)
    p = folder("empty-files")
    for i in range(300):
        (p / f"e{i}.txt").write_bytes(b"")
    add("folder/300-empty-files", p)
    p = folder("nested-html")
    (p / "deep.html").write_bytes(_nested_html(100_000))
    add("folder/nested-html", p)
    p = folder("dir-named-txt")
    (p / "sub.txt").mkdir()
    add("folder/dir-named-txt", p)


# -- the API: JSON, form, URLs, headers, paths ----------------------------------------------------


def http_request(method: str, path: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
                 raw_headers: bytes = b"", length: bool = True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode("latin-1", "replace")]
    for k, v in headers or []:
        lines.append(f"{k}: {v}".encode("latin-1", "replace"))
    if length and body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n" + raw_headers + b"\r\n" + body


def json_request(body: bytes, path: str = "/api/analyze", ctype: str = "application/json") -> bytes:
    return http_request("POST", path, body, [("Content-Type", ctype)])


def form_request(fields: dict[str, str] | bytes) -> bytes:
    if isinstance(fields, bytes):
        body = fields
    else:
        from urllib.parse import urlencode

        body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
    return http_request("POST", "/analyze", body, [("Content-Type", "application/x-www-form-urlencoded")])


def api_cases(rng: random.Random, origin: str) -> list[Case]:
    cases: list[Case] = []

    def add(name: str, request: bytes, server: str = "main") -> None:
        cases.append(Case(f"api/{name}", "api", request=request, server=server))

    ok_text = DEMO
    for fld in ("text", "html", "url", "title", "source", "min_confidence"):
        for label, value in {**bad_values(), "inf": float("inf"), "negative": -1, "array-of-1k": ["x"] * 1000}.items():
            body: dict[str, object] = {"text": ok_text} if fld not in ("text", "html", "url") else {}
            body[fld] = value
            add(f"json-field/{fld}-{label}", json_request(json.dumps(body, allow_nan=True).encode()))
    structural = {
        "empty": b"", "not-json": b"{text: 1}", "truncated": b'{"text": "abc', "nested-array-100k": b"[" * 100_000,
        "nested-object-100k": b'{"a":' * 100_000, "top-array": b"[]", "top-string": b'"text"', "top-null": b"null",
        "nan": b'{"text": "a", "min_confidence": NaN}', "huge-number": b'{"text": "a", "min_confidence": 1e999}',
        "duplicate-keys": b'{"text": "a", "text": {"b": 1}}', "bom": b'\xef\xbb\xbf{"text": "The reckless council."}',
        "utf16": '{"text": "The reckless council."}'.encode("utf-16"), "invalid-utf8": b'{"text": "\xff\xfe"}',
        "raw-surrogate-bytes": b'{"text": "' + _cesu("\ud800") + b'"}', "nul": b'{"text": "a\x00b"}',
        "trailing-garbage": b'{"text": "ok"} junk', "body-1.9mb": json.dumps({"text": "word " * 390_000}).encode(),
        "body-3mb": json.dumps({"text": "word " * 600_000}).encode(), "many-keys": json.dumps({f"k{i}": i for i in range(50_000)}).encode(),
        "surrogate-key": b'{"\\ud800": 1, "text": "a"}', "deep-string-escapes": b'{"text": "' + b"\\u0000" * 100_000 + b'"}',
    }
    for label, raw in structural.items():
        add(f"json-struct/{label}", json_request(raw))
    for label, data in contents(rng).items():
        text = data.decode("utf-8", "surrogateescape")
        if len(text) > 400_000:
            text = text[:400_000]
        add(f"json-text/{label}", json_request(json.dumps({"text": text}).encode()))
        add(f"json-html/{label}", json_request(json.dumps({"html": text}).encode()))
    for label, url in bad_urls():
        add(f"json-url/{label}", json_request(json.dumps({"url": url}).encode()))
        add(f"form-url/{label}", form_request({"url": url}))
    for label, path in origin_paths():
        add(f"json-redirect/{label}", json_request(json.dumps({"url": origin + path}).encode()), server="private")
    form_fields: dict[str, dict[str, str] | bytes] = {
        "title-1001": {"text": SHORT, "title": "t" * 1001}, "title-100k": {"text": SHORT, "title": "t" * 100_000},
        "both": {"text": SHORT, "url": "http://127.0.0.1:1/"}, "neither": {}, "confidence-nan": {"text": SHORT, "min_confidence": "nan"},
        "confidence-inf": {"text": SHORT, "min_confidence": "inf"}, "confidence-word": {"text": SHORT, "min_confidence": "high"},
        "confidence-2": {"text": SHORT, "min_confidence": "2"}, "text-surrogate": {"text": "a\ud800b " * 3},
        "title-surrogate": {"text": SHORT, "title": "\udfff"}, "url-surrogate": {"url": "http://127.0.0.1/\ud800"},
        "text-ansi": {"text": "\x1b[2J\x1b]0;x\x07 " + SHORT}, "text-nul": {"text": "a\x00b " + SHORT},
        "text-over-max-chars": {"text": "word " * 45_000}, "raw-bad-percent": b"text=%ZZ%ED%A0%80%FF&title=%",
        "raw-no-equals": b"textwithoutvalue", "raw-many-fields": b"&".join(b"f%d=v" % i for i in range(20_000)),
        "raw-repeated-text": b"text=a&" * 10_000, "raw-binary": rng.randbytes(10_000),
    }
    for label, fields in form_fields.items():
        add(f"form/{label}", form_request(fields))
    multipart = {
        "no-boundary": http_request("POST", "/analyze", b"--x\r\n", [("Content-Type", "multipart/form-data")]),
        "bad-boundary": http_request("POST", "/analyze", b"garbage", [("Content-Type", "multipart/form-data; boundary=zz")]),
        "unterminated": http_request("POST", "/analyze", b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\nabc',
                                     [("Content-Type", "multipart/form-data; boundary=zz")]),
        "file-part": http_request("POST", "/analyze",
                                  b'--zz\r\nContent-Disposition: form-data; name="text"; filename="a.txt"\r\n\r\n' + DEMO.encode()
                                  + b"\r\n--zz--\r\n", [("Content-Type", "multipart/form-data; boundary=zz")]),
        "many-parts": http_request("POST", "/analyze", b"".join(
            b'--zz\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(5000)) + b"--zz--\r\n",
            [("Content-Type", "multipart/form-data; boundary=zz")]),
        "json-to-form": http_request("POST", "/analyze", b'{"text": "a"}', [("Content-Type", "application/json")]),
        "form-to-api": http_request("POST", "/api/analyze", b"text=abc", [("Content-Type", "application/x-www-form-urlencoded")]),
    }
    for label, req in multipart.items():
        add(f"multipart/{label}", req)
    short_body = json.dumps({"text": SHORT}).encode()
    header_cases: dict[str, bytes] = {
        "no-content-type": http_request("POST", "/api/analyze", short_body),
        "content-type-garbage": http_request("POST", "/api/analyze", short_body, [("Content-Type", "\x01\x02;;;=")]),
        "charset-bogus": http_request("POST", "/api/analyze", short_body, [("Content-Type", "application/json; charset=x-nope")]),
        "charset-utf16-lie": http_request("POST", "/api/analyze", short_body, [("Content-Type", "application/json; charset=utf-16")]),
        "length-short": http_request("POST", "/api/analyze", short_body, [("Content-Type", "application/json"), ("Content-Length", "5")], length=False),
        "length-long": http_request("POST", "/api/analyze", short_body, [("Content-Type", "application/json"), ("Content-Length", "99999")], length=False),
        "length-negative": http_request("POST", "/api/analyze", short_body, [("Content-Length", "-1")], length=False),
        "length-huge": http_request("POST", "/api/analyze", short_body, [("Content-Length", "99999999999999999999")], length=False),
        "length-twice": http_request("POST", "/api/analyze", short_body, [("Content-Length", "10"), ("Content-Length", "20")], length=False),
        "chunked-bad-size": http_request("POST", "/api/analyze", b"zz\r\nabc\r\n0\r\n\r\n", [("Transfer-Encoding", "chunked")], length=False),
        "chunked-and-length": http_request("POST", "/api/analyze", b"5\r\nabcde\r\n0\r\n\r\n",
                                           [("Transfer-Encoding", "chunked"), ("Content-Length", "3")], length=False),
        "chunked-huge-size": http_request("POST", "/api/analyze", b"fffffffffffffff\r\nabc", [("Transfer-Encoding", "chunked")], length=False),
        "header-64kb": http_request("GET", "/healthz", headers=[("X-Big", "a" * 65_536)]),
        "headers-2000": http_request("GET", "/healthz", headers=[(f"X-{i}", "v") for i in range(2000)]),
        "header-nul": http_request("GET", "/healthz", raw_headers=b"X-Nul: a\x00b\r\n"),
        "header-8bit": http_request("GET", "/healthz", raw_headers=b"X-Bytes: \xff\xfe\xed\xa0\x80\r\n"),
        "header-no-colon": http_request("GET", "/healthz", raw_headers=b"NoColonHere\r\n"),
        "header-space-name": http_request("GET", "/healthz", raw_headers=b"Bad Name: v\r\n"),
        "expect-100": http_request("POST", "/api/analyze", short_body, [("Content-Type", "application/json"), ("Expect", "100-continue")]),
        "http-1.0": b"GET /healthz HTTP/1.0\r\n\r\n", "http-2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "http-9.9": b"GET /healthz HTTP/9.9\r\n\r\n", "method-garbage": b"F\x00O /healthz HTTP/1.1\r\n\r\n",
        "method-long": b"X" * 10_000 + b" / HTTP/1.1\r\n\r\n", "request-line-only-spaces": b"   \r\n\r\n",
        "lf-only": b"GET /healthz HTTP/1.1\nHost: x\n\n", "binary-garbage": rng.randbytes(4000),
        "tls-hello": bytes.fromhex("160301020001000100") + rng.randbytes(200), "accept-weird": http_request(
            "GET", "/", headers=[("Accept", "*/*;q=NaN, text/html;q=-1")]),
        "host-weird": http_request("GET", "/", headers=[("Host", "[::1")]),
        "options": http_request("OPTIONS", "/api/analyze"), "delete": http_request("DELETE", "/api/analyze"),
        "head-page": http_request("HEAD", "/"), "trace": http_request("TRACE", "/"),
    }
    for label, req in header_cases.items():
        add(f"headers/{label}", req)
        if label in ("length-long", "chunked-huge-size", "binary-garbage"):
            cases[-1].half_close = True
    paths = [
        "/api/articles/%00", "/api/articles/%ED%A0%80", "/api/articles/%FF%FE", "/api/articles/" + "a" * 20_000,
        "/api/articles/..%2F..%2Fetc%2Fpasswd", "/api/articles/../../etc/passwd", "/articles/%00", "/articles/%ED%A0%80",
        "/articles/" + "%2F" * 5000, "/api/articles/", "/articles/", "/api/articles/odd%2Fid", "/articles/odd/id",
        "/api/stats?since=yesterday", "/api/stats?since=2024-02-30", "/api/stats?since=9999-12-31&until=0001-01-01",
        "/api/stats?top=0", "/api/stats?top=101", "/api/stats?top=abc", "/api/stats?top=1e99", "/api/stats?top=-1",
        "/api/stats?outlet=" + "&outlet=".join(["x"] * 2000), "/api/stats?outlet=%ED%A0%80", "/api/stats?outlet=%00",
        "/api/stats?model_version=%FF", "/corpus?outlet=<script>alert(1)</script>", "/corpus?technique=<b>",
        "/corpus?technique=Loaded_Language&outlet=%ED%A0%80", "/corpus?outlet=" + "o" * 50_000, "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd", "/static/report.css%00", "/docs?x=%ED%A0%80", "/openapi.json/x", "/%ED%A0%80",
        "/" + "a/" * 3000, "/?" + "a=b&" * 5000, "/healthz?%", "/api/techniques?\x7f", "//evil.example/",
    ]
    for i, path in enumerate(paths):
        add(f"path/{i:02d}-{re.sub(r'[^a-z0-9]+', '-', path.lower())[:40].strip('-')}",
            http_request("GET", path.replace(" ", "%20").replace("\x7f", "%7F")))
    return cases


class Origin(BaseHTTPRequestHandler):
    """A local site for the redirect and odd-page inputs (only the servers started with private URLs allowed reach it)."""

    def do_GET(self) -> None:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(self.path)
        path = parts.path
        if path == "/redirect":
            self._send(302, b"", [("Location", parse_qs(parts.query, keep_blank_values=True).get("to", [""])[0])])
        elif path == "/loop":
            self._send(302, b"", [("Location", "/loop")])
        elif path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", [("Location", f"/hops/{n - 1}" if n > 0 else "/page")])
        elif path == "/binary":
            self._send(200, os.urandom(100_000), [("Content-Type", "text/html")])
        elif path == "/huge":
            self._send(200, b"<p>" + b"word " * (3 << 20), [("Content-Type", "text/html")])
        elif path == "/gzbomb":
            self._send(200, _gzip_bomb(), [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
        elif path == "/charset":
            self._send(200, "<p>caf\xe9 \ud800</p>".encode("utf-8", "surrogatepass"), [("Content-Type", "text/html; charset=nope")])
        elif path == "/slow":
            time.sleep(45)
            self._send(200, b"<p>late</p>", [("Content-Type", "text/html")])
        elif path == "/empty":
            self._send(200, b"", [("Content-Type", "text/html")])
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"", [("Content-Type", "text/html")])
        elif path == "/json":
            self._send(200, b'{"a": 1}', [("Content-Type", "application/json")])
        else:
            self._send(200, b"<html><body><p>" + DEMO.encode() + b"</p></body></html>", [("Content-Type", "text/html")])

    def _send(self, code: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        try:
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


@functools.cache
def _gzip_bomb(mib: int = 256) -> bytes:
    """`<p>` and `mib` MiB of one letter, gzipped a MiB at a time (never held uncompressed)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip format
    out = [z.compress(b"<p>")]
    chunk = b"a" * (1 << 20)
    out += [z.compress(chunk) for _ in range(mib)]
    return b"".join(out) + z.flush()


@contextlib.contextmanager
def origin_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def all_cases(work: Path, origin: str, seed: int = 17) -> list[Case]:
    """Every input, generated into `work` (a fresh folder)."""
    rng = random.Random(seed)
    dbs = work / "dbs"
    dbs.mkdir()

    def make_db(name: str) -> Path:
        return dbs / (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") + ".duckdb")

    return analyze_cases(work, rng, origin) + batch_cases(work, rng, make_db) + api_cases(rng, origin)


