"""Who published a page, and when: read from the page's own metadata, never from its text.

The outlet is the first of: `<meta property="og:site_name">`; the `publisher` of the
page's JSON-LD (schema.org) article, its name or the node its `@id` points to; the
host of the page's URL (the URL it was fetched from or archived under, else its
`<link rel="canonical">` / `og:url`), without a leading `www.`.

The publication date is the first of: the JSON-LD article's `datePublished`; the
`article:published_time` family of `<meta>` tags; an `itemprop="datePublished"`
element; a `<time datetime>` in the article. Anything inside reader comments
(a schema.org Comment, or an element whose class or id names comments or replies)
is skipped, so a comment's date is never taken for the article's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html  # type: ignore[import-untyped]
from lxml.etree import ParserError  # type: ignore[import-untyped]

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "scholarlyarticle", "techarticle", "report", "webpage", "itempage",
}
PUBLISHED_META = (  # (attribute, lowercased value) of <meta> tags that give the publication date, best first
    ("property", "article:published_time"), ("name", "article:published_time"), ("property", "og:published_time"),
    ("name", "parsely-pub-date"), ("name", "sailthru.date"), ("name", "publish-date"), ("name", "publishdate"),
    ("name", "pubdate"), ("name", "publication_date"), ("name", "dcterms.issued"), ("name", "dc.date.issued"),
    ("name", "dcterms.date"), ("name", "dc.date"), ("name", "citation_publication_date"), ("name", "date"),
    ("itemprop", "datepublished"),
)
_COMMENT_WORDS = re.compile(r"^(comments?|comment\w*|repl(y|ies)|responses|disqus\w*|discussion|forum)$", re.IGNORECASE)
MAX_OUTLET = 200


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself: outlet name, publication date (ISO 8601 `YYYY-MM-DD`), canonical URL."""

    outlet: str | None = None
    published: str | None = None
    url: str | None = None


def parse_page(html: str) -> Any | None:
    """An lxml tree of the page, or None when it cannot be parsed at all."""
    try:
        return lxml_html.document_fromstring(html.encode("utf-8", "surrogatepass"))
    except (ParserError, ValueError, TypeError):
        return None


def page_meta(html: str | Any, url: str | None = None) -> PageMeta:
    """Outlet, publication date and canonical URL of a page (its HTML text or an lxml tree).

    `url` is where the page came from (fetched or archived); it gives the host when
    the page names no outlet.
    """
    tree = parse_page(html) if isinstance(html, str) else html
    if tree is None:
        return PageMeta(outlet=host_outlet(url))
    objects = list(_jsonld(tree))
    canonical = _canonical(tree)
    return PageMeta(
        outlet=_site_name(tree) or _publisher(objects) or host_outlet(url) or host_outlet(canonical),
        published=_published(tree, objects),
        url=canonical,
    )


def outlet_from_html(html: str | Any, url: str | None = None) -> str | None:
    """The outlet of a page: og:site_name, then the JSON-LD publisher, then the host of `url`."""
    return page_meta(html, url).outlet


def host_outlet(url: str | None) -> str | None:
    """The host of an http(s) URL, lowercased, without `www.`; None for anything else."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") > 1 else host


def _clean(value: Any, limit: int = MAX_OUTLET) -> str | None:
    if not isinstance(value, str):
        return None
    s = " ".join(value.split())
    return s[:limit] or None


def _meta(tree: Any, attr: str, value: str) -> list[str]:
    """`content` of <meta> (or `content`/`datetime` of any element, for itemprop) whose `attr` is `value`."""
    out = []
    tags = "*" if attr == "itemprop" else "meta"
    for el in tree.iter(tags):
        if not isinstance(el.tag, str) or (el.get(attr) or "").strip().lower() != value:
            continue
        if _in_comments(el):
            continue
        v = el.get("content") or el.get("datetime")
        if v:
            out.append(v)
    return out


def _site_name(tree: Any) -> str | None:
    for attr in ("property", "name"):
        for v in _meta(tree, attr, "og:site_name"):
            if name := _clean(v):
                return name
    return None


def _canonical(tree: Any) -> str | None:
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and host_outlet(el.get("href")):
            return str(el.get("href")).strip()
    for v in _meta(tree, "property", "og:url"):
        if host_outlet(v):
            return v.strip()
    return None


def _jsonld(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph members and nested lists flattened."""
    for script in tree.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*(<!--|<!\[CDATA\[)|(-->|\]\]>)\s*$", "", raw)
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _flatten(data, 0)


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    names = t if isinstance(t, list) else [t]
    return {n.rsplit("/", 1)[-1].lower() for n in names if isinstance(n, str)}


def _is_article(obj: dict[str, Any]) -> bool:
    return bool(_types(obj) & ARTICLE_TYPES)


def _publisher(objects: list[dict[str, Any]]) -> str | None:
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    ordered = [o for o in objects if _is_article(o) and "comment" not in _types(o)]
    ordered += [o for o in objects if o not in ordered and "comment" not in _types(o)]
    for obj in ordered:
        pub = obj.get("publisher")
        for p in pub if isinstance(pub, list) else [pub]:
            if isinstance(p, str) and not p.startswith(("http://", "https://", "#")):
                if name := _clean(p):
                    return name
            if isinstance(p, dict):
                node = by_id.get(p["@id"], p) if isinstance(p.get("@id"), str) and "name" not in p else p
                if name := _clean(node.get("name")):
                    return name
    return None


def iso_date(value: str | None) -> str | None:
    """`YYYY-MM-DD` of a date or date-time as pages write it (ISO 8601, RFC 822, common forms), or None."""
    if not value or not value.strip():
        return None
    s = value.strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]

    try:
        d = dateutil_parser.parse(s, default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if d.year < 1900:  # no year in the value
        return None
    return date(d.year, d.month, d.day).isoformat()


def _in_comments(el: Any) -> bool:
    """True when `el` sits inside reader comments (schema.org Comment, or a comments/replies container)."""
    node = el
    while node is not None:
        if isinstance(node.tag, str):
            if "comment" in (node.get("itemtype") or "").lower():
                return True
            words = re.split(r"[\s_-]+", f"{node.get('class') or ''} {node.get('id') or ''}")
            if any(_COMMENT_WORDS.match(w) for w in words):
                return True
        node = node.getparent()
    return False


def _published(tree: Any, objects: list[dict[str, Any]]) -> str | None:
    for obj in objects:
        if _is_article(obj) and "comment" not in _types(obj) and (d := iso_date(_as_str(obj.get("datePublished")))):
            return d
    for attr, value in PUBLISHED_META:
        for v in _meta(tree, attr, value):
            if d := iso_date(v):
                return d
    scope = next(iter(tree.iter("article")), None)
    if scope is None:
        scope = tree
    for el in scope.iter("time"):
        if el.get("datetime") and not _in_comments(el) and (d := iso_date(el.get("datetime"))):
            return d
    return None


def _as_str(v: Any) -> str | None:
    if isinstance(v, list) and v:
        v = v[0]
    return v if isinstance(v, str) else None
