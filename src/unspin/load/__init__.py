"""Loading one article from where users have it: a file, HTML, a URL or stdin (corpora: `unspin.corpus.readers`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from unspin.article import Article
from unspin.load.html import article_from_html
from unspin.load.text import MAX_BYTES, article_from_text, check_size, decode, load_text_file, read_file_bytes
from unspin.load.url import fetch

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def load_source(source: str, allow_private_urls: bool = False) -> Article:
    """An Article from a path, an http(s) URL, or `-` for standard input."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        check_size(len(data), "stdin")
        text = decode(data, "stdin")
        if text.lstrip().startswith("<") and "<html" in text[:2000].lower():
            return article_from_html(text, name="stdin")
        return article_from_text(text)
    if URL_SCHEME.match(source):  # any scheme: fetch() refuses all but http(s) with a clear message
        final, ctype, body = fetch(source, allow_private=allow_private_urls)
        if ctype == "text/plain":
            art = article_from_text(decode(body.encode("utf-8"), final))
            art.url = final
            return art
        return article_from_html(body, url=final, name=final)
    path = Path(source)
    if path.suffix.lower() in HTML_SUFFIXES:
        html = decode(read_file_bytes(path), str(path))
        return article_from_html(html, name=str(path))
    return load_text_file(path)


__all__ = ["load_source", "load_text_file", "article_from_html", "article_from_text", "Article"]
