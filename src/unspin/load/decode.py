"""Bytes to text the way browsers decode them (WHATWG Encoding Standard, HTML's encoding sniffing).

One decoder for every way an article arrives: a file, stdin, a fetched URL, a
WARC record, a CSV or JSONL corpus. The encoding is chosen in this order, the
first that answers wins:

1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE), which is then dropped;
2. the `charset` parameter of the transport's `Content-Type` (HTTP, WARC);
3. for HTML only: the `<meta charset>` / `<meta http-equiv=Content-Type>`
   prescan of the first 1024 bytes (HTML Standard, "prescan a byte stream");
4. for HTML only: a `<meta>` declaration later in the page, which a browser's
   tree builder also obeys while its encoding is still tentative
   (HTML Standard, "changing the encoding while parsing");
5. detection: strict UTF-8 if the bytes are valid UTF-8, else charset-normalizer's
   guess (windows-1252 wins its ties: the commonest legacy encoding of news).

Labels map to encodings as the WHATWG label table says (`webencodings`):
`iso-8859-1`, `latin1` and `us-ascii` are windows-1252, `shift_jis` is
Windows-31J, `euc-kr` is windows-949, `big5` is Big5-HKSCS; `gbk` and `gb2312`
decode as gb18030, as the standard's GBK decoder does. A declared encoding
never fails: bytes it cannot map become U+FFFD, and windows-1252's five unmapped
bytes become the C1 controls the standard's index gives them.

Names in results are the standard's encoding names (`windows-1252`, `utf-16le`).
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from email.message import Message
from typing import IO, Literal

import webencodings  # type: ignore[import-untyped]

PRESCAN_BYTES = 1024  # the HTML Standard's prescan window
LATE_META_BYTES = 512 * 1024  # how far the "later <meta>" step looks
DETECT_SAMPLE = 256 * 1024  # bytes given to charset detection
ERRORS = "replace"  # bytes an encoding cannot map become U+FFFD
ERRORS_1252 = "unspin-windows-1252"  # ... except windows-1252's five, which the standard maps to C1 controls

How = Literal["bom", "content-type", "meta", "late-meta", "utf-8", "detected", "default"]

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16be"), (codecs.BOM_UTF16_LE, "utf-16le"))
# WHATWG's GBK decoder is the gb18030 decoder; Python's gbk codec is a subset.
_PYTHON_CODEC = {"gbk": "gb18030"}
_WS = b"\t\n\x0c\r "
_LETTERS = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))


def _c1_controls(err: UnicodeError) -> tuple[str, int]:
    """Python's cp1252 leaves bytes 81 8D 8F 90 9D unmapped; index-windows-1252 gives them U+0081 etc."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return "".join(chr(b) for b in err.object[err.start:err.end]), err.end


codecs.register_error(ERRORS_1252, _c1_controls)


def errors_for(codec: str) -> str:
    """The codec error handler that gives the standard's result for `codec` (a Python codec name)."""
    return ERRORS_1252 if codecs.lookup(codec).name == "cp1252" else ERRORS


@dataclass(frozen=True)
class Sniffed:
    """The encoding chosen for some bytes, and why.

    `encoding` is the WHATWG name (e.g. "windows-1252"), `codec` the Python codec
    that decodes it, `bom` the number of leading bytes that are a byte order mark.
    """

    encoding: str
    codec: str
    how: How
    bom: int = 0


@dataclass(frozen=True)
class Decoded:
    """Decoded text (BOM removed) with the encoding used and how it was chosen."""

    text: str
    encoding: str
    how: How


def lookup(label: str | None) -> tuple[str, str] | None:
    """(WHATWG encoding name, Python codec) for an encoding label, or None if the label is unknown.

    Follows the standard's "get an encoding": ASCII case and surrounding whitespace are ignored.
    The "replacement" encoding (labels such as iso-2022-kr) is returned as ("replacement", ...):
    it decodes any input to a single U+FFFD.
    """
    if not label:
        return None
    enc = webencodings.lookup(label)
    if enc is None:
        return None
    return enc.name, _PYTHON_CODEC.get(enc.name, enc.codec_info.name)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(WHATWG name, BOM length) when `data` starts with a UTF-8 or UTF-16 byte order mark."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def content_type_charset(content_type: str | None) -> str | None:
    """The WHATWG encoding name a `Content-Type` value's charset names, or None (absent or unknown label)."""
    if not content_type:
        return None
    msg = Message()
    try:
        msg["content-type"] = content_type
        charset = msg.get_content_charset()
    except (ValueError, LookupError, UnicodeError):
        return None
    found = lookup(charset)
    return found[0] if found else None


def _meta_content_charset(value: bytes) -> bytes | None:
    """The HTML Standard's "extract a character encoding from a meta element" on a content value."""
    pos = 0
    while True:
        i = value.lower().find(b"charset", pos)
        if i < 0:
            return None
        pos = i + 7
        while pos < len(value) and value[pos] in _WS:
            pos += 1
        if pos >= len(value) or value[pos] != ord("="):
            continue  # "charset" not followed by "=": look for the next one
        pos += 1
        while pos < len(value) and value[pos] in _WS:
            pos += 1
        if pos >= len(value):
            return None
        quote = value[pos]
        if quote in b"\"'":
            end = value.find(bytes([quote]), pos + 1)
            return value[pos + 1:end] if end >= 0 else None
        end = pos
        while end < len(value) and value[end] not in _WS and value[end] != ord(";"):
            end += 1
        return value[pos:end]


class _Prescan:
    """The HTML Standard's "prescan a byte stream to determine its encoding", over `data`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _attribute(self) -> tuple[bytes, bytes] | None:
        """The standard's "get an attribute": (lowercased name, value) or None at '>' or the end."""
        d, n = self.data, len(self.data)
        while self.pos < n and (d[self.pos] in _WS or d[self.pos] == ord("/")):
            self.pos += 1
        if self.pos >= n or d[self.pos] == ord(">"):
            return None
        name = bytearray()
        while True:
            if self.pos >= n:
                return None
            c = d[self.pos]
            if c == ord("=") and name:
                self.pos += 1
                break
            if c in _WS:
                while self.pos < n and d[self.pos] in _WS:
                    self.pos += 1
                if self.pos >= n:
                    return None
                if d[self.pos] != ord("="):
                    return bytes(name), b""
                self.pos += 1
                break
            if c in b"/>":
                return bytes(name), b""
            name.append(c | 0x20 if c in _LETTERS else c)
            self.pos += 1
        while self.pos < n and d[self.pos] in _WS:
            self.pos += 1
        if self.pos >= n:
            return None
        c = d[self.pos]
        if c in b"\"'":
            end = d.find(bytes([c]), self.pos + 1)
            if end < 0:
                return None
            value = d[self.pos + 1:end].lower()
            self.pos = end + 1
            return bytes(name), value
        if c == ord(">"):
            return bytes(name), b""
        start = self.pos
        while self.pos < n and d[self.pos] not in _WS and d[self.pos] != ord(">"):
            self.pos += 1
        if self.pos >= n:
            return None
        return bytes(name), d[start:self.pos].lower()

    def _meta(self) -> str | None:
        seen: set[bytes] = set()
        got_pragma = False
        need_pragma: bool | None = None
        charset: tuple[str, str] | None = None
        while (attr := self._attribute()) is not None:
            name, value = attr
            if name in seen:
                continue
            seen.add(name)
            if name == b"http-equiv" and value == b"content-type":
                got_pragma = True
            elif name == b"content" and charset is None:
                label = _meta_content_charset(value)
                if label is not None and (found := lookup(label.decode("latin-1"))):
                    charset, need_pragma = found, True
            elif name == b"charset" and charset is None:
                charset, need_pragma = lookup(value.decode("latin-1")), False
        if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
            return None
        if charset[0] in ("utf-16be", "utf-16le"):
            return "utf-8"
        if charset[0] == "x-user-defined":
            return "windows-1252"
        return charset[0]

    def run(self) -> str | None:
        d, n = self.data, len(self.data)
        while True:
            self.pos = d.find(b"<", self.pos)
            if self.pos < 0:
                return None
            if d.startswith(b"<!--", self.pos):
                end = d.find(b"-->", self.pos + 2)
                if end < 0:
                    return None
                self.pos = end + 2  # at the ">"; "next byte" steps past it
            elif d[self.pos:self.pos + 5].lower() == b"<meta" and self.pos + 5 < n and d[self.pos + 5] in _WS + b"/":
                self.pos += 6
                found = self._meta()
                if found is not None:
                    return found
            elif self.pos + 1 < n and (
                d[self.pos + 1] in _LETTERS
                or (d[self.pos + 1] == ord("/") and self.pos + 2 < n and d[self.pos + 2] in _LETTERS)
            ):
                self.pos += 1
                while self.pos < n and d[self.pos] not in _WS and d[self.pos] != ord(">"):
                    self.pos += 1
                while self._attribute() is not None:
                    pass
            elif d[self.pos:self.pos + 2] in (b"<!", b"</", b"<?"):
                end = d.find(b">", self.pos + 2)
                if end < 0:
                    return None
                self.pos = end
            self.pos += 1


def prescan(data: bytes, limit: int = PRESCAN_BYTES) -> str | None:
    """The encoding a `<meta charset>` or `<meta http-equiv="Content-Type" content="...;charset=...">`
    in the first `limit` bytes declares (WHATWG name), or None.

    As the standard says, a declared UTF-16 means UTF-8 (the bytes were readable as ASCII)
    and x-user-defined means windows-1252.
    """
    return _Prescan(data[:limit]).run()


def detect(data: bytes) -> tuple[str, How] | None:
    """(WHATWG name or Python codec, how) guessed from the bytes alone, or None when nothing fits.

    Valid UTF-8 (ASCII included) is UTF-8; otherwise charset-normalizer decides on a sample.
    """
    try:
        data.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError as e:
        # a sample cut mid-character is still UTF-8 if only its last few bytes are incomplete
        if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
            return "utf-8", "utf-8"
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:DETECT_SAMPLE]))
    if not matches:
        return None
    best = matches[0]
    # Ties are common for short Western texts (cp1250/cp1252/cp1257 all decode them
    # without "chaos"); cp1252 is by far the most common legacy encoding of news pages.
    # A match stands for every encoding that gives the same text (`could_be_from_charset`).
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "windows-1252", "detected"
    found = lookup(best.encoding.replace("_", "-"))
    return (found[0] if found else best.encoding), "detected"


def _codec(name: str) -> str:
    found = lookup(name)
    if found:
        return found[1]
    return codecs.lookup(name).name  # a Python codec name from detection


def sniff(data: bytes, content_type: str | None = None, html: bool = False) -> Sniffed | None:
    """Choose the encoding of `data` (the whole input, or its first bytes) in the standard's order.

    `content_type` is the transport's Content-Type header, if any; `html` turns on the
    `<meta>` steps. None when nothing fits (detection failed: likely binary data).
    """
    if bom := bom_encoding(data):
        return Sniffed(bom[0], _codec(bom[0]), "bom", bom[1])
    if declared := content_type_charset(content_type):
        return Sniffed(declared, _codec(declared), "content-type")
    if html:
        if meta := prescan(data):
            return Sniffed(meta, _codec(meta), "meta")
        if meta := prescan(data, LATE_META_BYTES):
            return Sniffed(meta, _codec(meta), "late-meta")
    guess = detect(data)
    if guess is None:
        return None
    name, how = guess
    return Sniffed(name, _codec(name), how)


def decode_with(data: bytes, sniffed: Sniffed) -> str:
    """`data` decoded as `sniffed` says: BOM dropped, unmappable bytes as U+FFFD (never raises)."""
    if sniffed.encoding == "replacement":
        return "\ufffd" if data else ""
    return data[sniffed.bom:].decode(sniffed.codec, errors=errors_for(sniffed.codec))


def decode(data: bytes, content_type: str | None = None, html: bool = False) -> Decoded | None:
    """Decode a whole input: `sniff`, then `decode_with`. None when no encoding fits (binary data)."""
    sniffed = sniff(data, content_type, html)
    if sniffed is None:
        return None
    return Decoded(decode_with(data, sniffed), sniffed.encoding, sniffed.how)


def text_stream(raw: IO[bytes], content_type: str | None = None, sample: int = DETECT_SAMPLE,
                newline: str | None = None) -> tuple[IO[str], Sniffed | None]:
    """A text stream over a binary one, its encoding sniffed from the first `sample` bytes.

    For corpus files (CSV, JSONL) read as streams: the sample is put back in front
    of the rest, the BOM is skipped, undecodable bytes become U+FFFD. `newline`
    is passed to `io.TextIOWrapper` (use "" for the csv module). The Sniffed is
    None when detection found no encoding (the stream then decodes as UTF-8).
    """
    head = raw.read(sample)
    sniffed = sniff(head, content_type)
    buffered = io.BufferedReader(_Prepend(head[sniffed.bom if sniffed else 0:], raw))  # type: ignore[type-var]
    codec = "utf-8" if sniffed is None or sniffed.encoding == "replacement" else sniffed.codec
    return io.TextIOWrapper(buffered, encoding=codec, errors=errors_for(codec), newline=newline), sniffed


class _Prepend(io.RawIOBase):
    """A readable raw stream: `head`, then whatever `rest` yields."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)
