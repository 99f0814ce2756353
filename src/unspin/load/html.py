"""Main text and metadata from an HTML page, boilerplate dropped (trafilatura).

The article text is rebuilt in the PTC layout (title, blank line, body), so the
title is analysed too and all offsets point into that one string.
"""

from __future__ import annotations

import json

from unspin.article import Article
from unspin.errors import InputError

MIN_WORDS = 5


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
