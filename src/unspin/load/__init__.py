"""Loading one article from where users have it: a file, HTML, a URL or stdin (corpora: `unspin.corpus.readers`)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from unspin.article import Article
from unspin.errors import InputError
from unspin.load.html import article_from_html, looks_like_html
from unspin.load.text import MAX_BYTES, article_from_text, check_size, decode, load_text_file, read_file_bytes
from unspin.load.url import fetch_bytes

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HTTP_URL = re.compile(r"^https?://", re.IGNORECASE)


def _is_url(source: str) -> bool:
    """http(s) URLs in any case, and `scheme:...` of any other scheme that is not an existing path
    (the fetcher refuses those with a clear message)."""
    if HTTP_URL.match(source):
        return True
    if not URL_SCHEME.match(source):
        return False
    try:
        return not os.path.lexists(source)
    except (OSError, ValueError):
        return True


def article_from_bytes(data: bytes, name: str, html: bool | None = None, content_type: str | None = None,
                       url: str | None = None) -> Article:
    """An Article from an input's bytes: decoded by `unspin.load.decode`, extracted as HTML when
    `html` is True, or, when it is None, when the bytes look like an HTML page."""
    if html is None:
        html = looks_like_html(data)
    text = decode(data, name, content_type=content_type, html=html)
    if html:
        return article_from_html(text, url=url, name=name)
    art = article_from_text(text)
    art.url = url
    return art


def load_source(source: str, allow_private_urls: bool = False) -> Article:
    """An Article from a path, an http(s) URL, or `-` for standard input.

    Raises UnspinError subclasses (one line each) for anything the user can get wrong.
    """
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        check_size(len(data), "stdin")
        return article_from_bytes(data, "stdin")
    if _is_url(source):  # any scheme: the fetcher refuses all but http(s) with a clear message
        page = fetch_bytes(source, allow_private=allow_private_urls)
        return article_from_bytes(page.body, page.url, html=page.media_type != "text/plain",
                                  content_type=page.content_type, url=page.url)
    if "\x00" in source:
        raise InputError("the path contains a NUL character")
    path = Path(source)
    data = read_file_bytes(path)
    html = True if path.suffix.lower() in HTML_SUFFIXES else None
    return article_from_bytes(data, str(path), html=html)


__all__ = ["load_source", "load_text_file", "article_from_html", "article_from_text", "article_from_bytes", "Article"]
