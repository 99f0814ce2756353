"""What a client may send to be analysed, and how it becomes an Article.

The JSON API and the home-page form share this, so both accept the same inputs
and the same limits. A separate `title` is used only when the input has none
of its own; it is then put in front of the text (title, blank line, body), so
it is analysed too and every offset still points into the one article text,
exactly as `unspin analyze` sees a file in that layout.
"""

from __future__ import annotations

import re

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from unspin.article import Article
from unspin.errors import InputError, TooLargeError
from unspin.load.html import article_from_html
from unspin.load.text import article_from_text

_SURROGATE = re.compile("[\ud800-\udfff]")


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Plain article text; a first line followed by a blank line is the title.")
    html: str | None = Field(None, description="An HTML page; the main text is extracted, boilerplate dropped.")
    url: str | None = Field(None, description="An http(s) URL to fetch (public addresses only, unless the server allows private ones).")
    min_confidence: float = Field(0.0, ge=0.0, le=1.0, description="Hide spans below this confidence, as `--min-confidence`.")
    title: str | None = Field(None, max_length=1000, description="A title, used when the input has none of its own.")
    outlet: str | None = Field(
        None, max_length=200, validation_alias=AliasChoices("outlet", "source"),
        description="The outlet that published the article (`source` is accepted as its former name).",
    )

    @field_validator("text", "html", "url", "title", "outlet", mode="before")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        """A lone surrogate (JSON `"\\ud800"` unpaired) is not a character: refuse it with its
        position rather than fail later or drop it silently."""
        if isinstance(value, str) and (m := _SURROGATE.search(value)):
            raise ValueError(f"contains a lone surrogate (U+{ord(m.group()):04X}) at character {m.start():,}, "
                             "which is not valid Unicode; send the text as valid UTF-8")
        return value

    @model_validator(mode="after")
    def _exactly_one_input(self) -> AnalyzeRequest:
        given = [k for k in ("text", "html", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of text, html or url (got {', '.join(given) or 'none'})")
        return self


def _with_title(article: Article, title: str | None) -> Article:
    title = " ".join((title or "").split())
    if not title or article.title_end:
        return article
    body = article.text.lstrip()
    return Article(
        text=f"{title}\n\n{body}", title=title, title_end=len(title), outlet=article.outlet,
        url=article.url, published=article.published,
    )


def check_length(chars: int, what: str, max_chars: int) -> None:
    if chars > max_chars:
        raise TooLargeError(f"{what}: {chars:,} characters is over the {max_chars:,} character limit")


def build_article(req: AnalyzeRequest, max_chars: int, allow_private_urls: bool) -> Article:
    """Load the one input the request names; blocking (it may fetch a URL)."""
    if req.text is not None:
        check_length(len(req.text), "text", max_chars)
        if not req.text.strip():
            raise InputError("text: empty input")
        article = article_from_text(req.text)
    elif req.html is not None:
        check_length(len(req.html), "html", 5 * max_chars)
        article = article_from_html(req.html, name="html")
    else:
        from unspin.load import load_source

        url = (req.url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise InputError("url: only http(s) URLs can be fetched")
        article = load_source(url, allow_private_urls=allow_private_urls)
    article = _with_title(article, req.title)
    check_length(len(article.text), "article text", max_chars)
    if req.outlet:
        article.outlet = req.outlet
    return article
