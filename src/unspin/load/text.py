"""Plain text from files, bytes and stdin, decoded without crashing.

Decoding is `unspin.load.decode` (WHATWG order: BOM, declared charset, detection).
Detection tries UTF-8 first, strictly, because PTC offsets count the characters
of the file as read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from unspin.article import Article
from unspin.errors import InputError, TooLargeError
from unspin.load.decode import decode as decode_bytes
from unspin.segment import title_end

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB: far beyond any news article
MIN_CONTROL = 3  # control characters a text may hold whatever its length (1% of a long one)


def decode(data: bytes, name: str, content_type: str | None = None, html: bool = False) -> str:
    """Bytes to text by the one decoder (`unspin.load.decode`); binary or empty data is a user error.

    `content_type` is the transport's header (HTTP, WARC), `html` turns on the `<meta>` prescan.
    Raises InputError for empty input, undetectable bytes and text that is mostly control characters.
    """
    if not data.strip():
        raise InputError(f"{name}: empty input")
    decoded = decode_bytes(data, content_type=content_type, html=html)
    if decoded is None:
        raise InputError(f"{name}: cannot detect the text encoding (binary file?)")
    text = decoded.text
    if text.startswith("\ufeff"):  # a second BOM, or one a declared encoding did not consume
        text = text[1:]
    control = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    # a rate, but never fewer than a few: one stray escape in a short pasted text is not a binary file
    if control > max(MIN_CONTROL, 0.01 * min(len(text), 8192)) or "\x00" in text[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: empty input")
    return text


def check_size(n: int, name: str, limit: int = MAX_BYTES) -> None:
    """TooLargeError when `n` bytes are over `limit`."""
    if n > limit:
        shown = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} byte"
        raise TooLargeError(f"{name}: {n / 1e6:.1f} MB is over the {shown} limit")


def read_file_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` (TooLargeError beyond it).

    FIFOs, devices, sockets and directories are refused before anything is read:
    the file is opened non-blocking (a FIFO without a writer cannot hang us) and
    checked with fstat, so a path swapped after a check is caught too. Reading
    stops at `limit` + 1 bytes whatever the file claims to be.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise InputError(_os_message(path, e)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a directory, not an article (use `unspin batch` for folders)")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{path}: not a regular file ({_file_kind(st.st_mode)}); give a file, a URL or -")
        check_size(st.st_size, str(path), limit)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(limit + 1)
    except OSError as e:
        raise InputError(_os_message(path, e)) from None
    finally:
        if fd >= 0:
            os.close(fd)
    check_size(len(data), str(path), limit)
    return data


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def _os_message(path: Path, e: OSError) -> str:
    """One line for an OSError on `path`; an over-long name is shown shortened."""
    shown = str(path)
    if len(shown) > 120:
        shown = shown[:60] + "..." + shown[-40:]
    if e.errno == errno.ENOENT:
        return f"{shown}: no such file"
    if e.errno == errno.ENAMETOOLONG:
        return f"{shown}: file name too long"
    if e.errno == errno.EISDIR:
        return f"{shown}: is a directory, not an article (use `unspin batch` for folders)"
    return f"{shown}: cannot read ({e.strerror or type(e).__name__})"


def article_from_text(text: str, **meta: str | None) -> Article:
    """An Article whose title is line 1 when the text follows the PTC layout."""
    te = title_end(text)
    title = text[:te].strip() if te else ""
    return Article(text=text, title=title, title_end=te, **meta)  # type: ignore[arg-type]


def load_text_file(path: Path, article_id: str | None = None) -> Article:
    text = decode(read_file_bytes(path), str(path))
    return article_from_text(text, id=article_id or "")
