"""Corpus files opened with bounds: regular files only, capped decompression, capped lines.

A corpus file is read as a stream, so its size alone never exhausts memory;
what can is a single huge line (a 2 MB `.jsonl.gz` that expands to 2 GB of one
line), a decompression bomb, or a path that is not a file at all (a FIFO that
blocks forever, `/dev/zero` that never ends). Here:

- `check_regular` refuses anything but a regular file, before it is opened;
- `open_corpus_file` un-gzips `.gz` files through a reader that stops at
  `decompressed_cap(path)` bytes (`ReadCapError`);
- `bounded_lines` yields lines of at most `MAX_LINE_BYTES`; a longer line is
  reported as one bad line (its bytes are skipped, never held) and reading goes on.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from unspin.errors import InputError

MiB = 1024 * 1024
MAX_LINE_BYTES = 32 * MiB  # a JSON line holding a 10 MiB article, escapes and all
# a .gz file may expand to this many times its own size, and at least to DECOMPRESSED_FLOOR: news text compresses
# 3-10x, a bomb 1,000x
MAX_EXPANSION = 200
DECOMPRESSED_FLOOR = 1024 * MiB
SKIP_CHUNK = MiB
BLANK = b" \t\r\n"


class ReadCapError(InputError):
    """A compressed file expanded past its cap (a decompression bomb, or a file unlike any corpus)."""


def check_regular(path: Path) -> None:
    """Raise InputError unless `path` is a regular file (FIFOs, devices and sockets never reach `open`)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file (a FIFO, device or socket); refusing to read it")


def is_gzip_name(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def decompressed_cap(path: Path) -> int:
    """The most bytes a `.gz` corpus file may expand to: MAX_EXPANSION x its size, at least DECOMPRESSED_FLOOR."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return max(DECOMPRESSED_FLOOR, MAX_EXPANSION * size)


class CappedReader(io.RawIOBase):
    """A binary stream that raises ReadCapError once more than `cap` bytes have been read through it."""

    def __init__(self, inner: IO[bytes], cap: int, name: str) -> None:
        self.inner = inner
        self.cap = cap
        self.name_ = name
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(b), self.cap - self.total + 1)
        # read1: one step of decompression, so the data before a corrupt or truncated spot is delivered first
        read1 = getattr(self.inner, "read1", None)
        data = read1(want) if read1 is not None else self.inner.read(want)
        n = len(data)
        if n:
            b[:n] = data
        self.total += n
        if self.total > self.cap:
            raise ReadCapError(f"{self.name_}: expands to more than {self.cap // MiB:,} MiB; "
                               "a decompression bomb? stopped reading it")
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_corpus_file(path: Path, gunzip: bool = True) -> IO[bytes]:
    """A buffered binary stream over a regular file; `.gz` files are un-gzipped under `decompressed_cap`."""
    check_regular(path)
    try:
        raw: IO[bytes] = path.open("rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    if gunzip and is_gzip_name(path):
        capped = CappedReader(gzip.GzipFile(fileobj=raw), decompressed_cap(path), str(path))  # type: ignore[arg-type]
        return io.BufferedReader(capped, buffer_size=256 * 1024)
    return raw


@dataclass
class Line:
    """One line of a corpus file: its number (from 1), its byte offset, and its bytes (None when over the cap)."""

    number: int
    offset: int
    data: bytes | None
    size: int  # bytes in the line, newline included, even when `data` is None


def bounded_lines(f: IO[bytes], max_line: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """The lines of `f`, each at most `max_line` bytes; a longer one comes with `data=None`, its bytes skipped.

    Read errors (a truncated or corrupt gzip stream, `ReadCapError`) propagate
    to the caller, who knows the position from the last line it was given.
    """
    number = 0
    offset = 0
    peek = getattr(f, "peek", None)
    while True:
        if peek is not None:  # a run of blank lines is skipped a buffer at a time (a gigabyte of "\n" is a bomb too)
            buf = peek(SKIP_CHUNK)[:SKIP_CHUNK]
            blank = len(buf) - len(buf.lstrip(BLANK))
            if blank > 1:
                cut = buf.rfind(b"\n", 0, blank) + 1  # whole lines only: a line keeps its own leading spaces
                if cut > 0:
                    f.read(cut)
                    number += buf.count(b"\n", 0, cut)
                    offset += cut
                    continue
        line = f.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) <= max_line or line.endswith(b"\n"):
            yield Line(number, offset, line, len(line))
            offset += len(line)
            continue
        size = len(line)
        del line
        while True:  # skip the rest of the line without holding it
            chunk = f.readline(SKIP_CHUNK)
            size += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                break
        yield Line(number, offset, None, size)
        offset += size
