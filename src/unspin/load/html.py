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
from unspin.load.page_meta import PageMeta, outlet_from_html, page_meta

__all__ = ["article_from_html", "looks_like_html", "tame_markup", "outlet_from_html", "page_meta", "PageMeta", "word_count"]

MIN_WORDS = 5
SNIFF_CHARS = 4096
_HAS_ROOT = re.compile(r"<html[\s>]|<!doctype", re.IGNORECASE)
# Han, kana, Hangul syllables, Thai, Lao, Khmer, Myanmar: scripts that do not put spaces between words
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                       "\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f\U00020000-\U0003134f]")
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


MAX_ATTRIBUTES = 64  # per tag; pages in the wild stay far below (lxml and trafilatura slow down quadratically above)
_LONG_TAG = re.compile(r"<([A-Za-z][^\s/<>]*)([^<>]{2048,})>")
_ATTRIBUTE = re.compile(r"""[^\s=/<>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?""")


def tame_markup(html: str) -> str:
    """`html` with every tag cut to its first MAX_ATTRIBUTES attributes (a tag of 100,000 attributes
    takes trafilatura minutes; one of 64 takes nothing). Only tags over 2 KB are looked at."""

    def cut(m: re.Match[str]) -> str:
        attrs = _ATTRIBUTE.findall(m.group(2), 0)
        if len(attrs) <= MAX_ATTRIBUTES:
            return m.group(0)
        return f"<{m.group(1)} {' '.join(attrs[:MAX_ATTRIBUTES])}>"

    return _LONG_TAG.sub(cut, html)


def article_from_html(html: str, url: str | None = None, name: str = "HTML") -> Article:
    """The article of an HTML page: main text (trafilatura) as title + blank line + body,
    outlet and date from the page's metadata (`unspin.load.page_meta`).

    A body that starts by repeating the headline has that line dropped, so the headline
    appears (and is analysed) once. Raises InputError when the page holds no article text.
    """
    import trafilatura

    html = tame_markup(html)
    if not _HAS_ROOT.search(html[:SNIFF_CHARS]):
        # trafilatura takes a string without <html> or a doctype for a fragment and finds nothing;
        # the HTML Standard lets a page leave <html>, <head> and <body> out.
        html = "<!DOCTYPE html>\n" + html
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
    title = " ".join((data.get("title") or "").split())
    body = drop_repeated_headline((data.get("text") or "").strip(), title)
    if word_count(body) < MIN_WORDS:  # a menu or a cookie banner is not an article
        raise InputError(f"{name}: no article text found in the HTML")
    text = f"{title}\n\n{body}\n" if title else body + "\n"
    meta = page_meta(html, url)
    return Article(
        text=text, title=title, title_end=len(title), url=url or meta.url or data.get("url") or None,
        outlet=meta.outlet, published=meta.published,
    )


def _same_line(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(s.split()).casefold().rstrip(".:;,!? ")

    return bool(norm(a)) and norm(a) == norm(b)


def drop_repeated_headline(body: str, title: str) -> str:
    """`body` without its first line(s) when they repeat `title` (a page's <h1> kept in the body)."""
    if not title:
        return body
    lines = body.split("\n")
    while lines and _same_line(lines[0], title):
        lines.pop(0)
        while lines and not lines[0].strip():
            lines.pop(0)
    return "\n".join(lines)


def word_count(text: str) -> int:
    """Words of a text; in scripts written without spaces (Chinese, Japanese, Thai...) every two
    characters count as one word, so such pages are measured by their length, not their spaces."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = len(_UNSPACED.sub(" ", text).split())
    return spaced + unspaced // 2
