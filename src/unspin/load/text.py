"""Plain text from files, bytes and stdin, decoded without crashing.

UTF-8 is tried first, strictly, because PTC offsets count the characters of the
file as read; anything else is decoded by detection (charset-normalizer).
"""

from __future__ import annotations

from pathlib import Path

from unspin.article import Article
from unspin.errors import InputError, TooLargeError
from unspin.segment import title_end

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB: far beyond any news article


def decode(data: bytes, name: str) -> str:
    """Bytes to text; binary data and undecodable bytes are user errors."""
    if not data.strip():
        raise InputError(f"{name}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(data))
        if not matches:
            raise InputError(f"{name}: cannot detect the text encoding (binary file?)") from None
        best = matches[0]
        # Ties are common for short Western texts (cp1250/cp1252/cp1257 all decode them
        # without "chaos"); cp1252 is by far the most common legacy encoding of news pages.
        tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence]
        best = next((m for m in tied if m.encoding == "cp1252"), best)
        text = str(best)
    if text.startswith("\ufeff"):
        text = text[1:]
    control = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if control > 0.01 * min(len(text), 8192):
        raise InputError(f"{name}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: empty input")
    return text


def check_size(n: int, name: str) -> None:
    if n > MAX_BYTES:
        raise TooLargeError(f"{name}: {n / 1e6:.1f} MB is over the {MAX_BYTES // (1024 * 1024)} MiB limit")


def read_file_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article (use `unspin batch` for folders)")
    try:
        check_size(path.stat().st_size, str(path))
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None


def article_from_text(text: str, **meta: str | None) -> Article:
    """An Article whose title is line 1 when the text follows the PTC layout."""
    te = title_end(text)
    title = text[:te].strip() if te else ""
    return Article(text=text, title=title, title_end=te, **meta)  # type: ignore[arg-type]


def load_text_file(path: Path, article_id: str | None = None) -> Article:
    text = decode(read_file_bytes(path), str(path))
    return article_from_text(text, id=article_id or "")
