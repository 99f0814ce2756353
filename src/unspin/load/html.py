"""Main text and metadata from an HTML page, boilerplate dropped (trafilatura).

The article text is rebuilt in the PTC layout (title, blank line, body), so the
title is analysed too and all offsets point into that one string.
"""

from __future__ import annotations

import json
import re

from unspin.article import Article
from unspin.errors import InputError
from unspin.load.decode import bom_encoding

MIN_WORDS = 5
SNIFF_CHARS = 4096
# A page starts (after a BOM, whitespace, an XML declaration, comments) with a doctype or a tag
# that only HTML has. <html>, <head> and <body> may all be left out (HTML Standard, optional tags).
_HTML_START = re.compile(
    r"\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|link|script|style|base|noscript|article|main|header|"
    r"nav|section|div|p|h[1-6]|span|a|table|ul|ol|figure|br|img|template)[\s/>]",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(data: bytes | str) -> bool:
    """True when an input (bytes or text) starts as an HTML page does, `<html>` or not."""
    if isinstance(data, bytes):
        head = data[:SNIFF_CHARS * 2]
        bom = bom_encoding(head)
        codec = {"utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}.get(bom[0], "utf-8") if bom else "latin-1"
        data = head[bom[1] if bom else 0:].decode(codec, errors="ignore")  # ASCII is all the pattern needs
    return bool(_HTML_START.match(data[:SNIFF_CHARS]))


def article_from_html(html: str, url: str | None = None, name: str = "HTML") -> Article:
    import trafilatura

    raw = trafilatura.extract(
        html, url=url, output_format="json", with_metadata=True, include_comments=False,
        include_tables=False, favor_precision=True,
    )
    if not raw:
        # favour recall before giving up: short pages trip the precision filters
        raw = trafilatura.extract(html, url=url, output_format="json", with_metadata=True, include_comments=False)
    if not raw:
        raise InputError(f"{name}: no article text found in the HTML")
    data = json.loads(raw)
    body = (data.get("text") or "").strip()
    if len(body.split()) < MIN_WORDS:  # a menu or a cookie banner is not an article
        raise InputError(f"{name}: no article text found in the HTML")
    title = " ".join((data.get("title") or "").split())
    text = f"{title}\n\n{body}\n" if title else body + "\n"
    return Article(
        text=text, title=title, title_end=len(title), url=url or data.get("url") or None,
        outlet=data.get("sitename") or data.get("hostname") or None, published=data.get("date") or None,
    )
