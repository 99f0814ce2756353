"""What a client may send to be analysed, and how it becomes an Article.

The JSON API and the home-page form share this, so both accept the same inputs
and the same limits. A separate `title` is used only when the input has none
of its own; it is then put in front of the text (title, blank line, body), so
it is analysed too and every offset still points into the one article text,
exactly as `unspin analyze` sees a file in that layout.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
    min_confidence: float | None = Field(
        None, ge=0.0, le=1.0,
        description="Hide spans below this confidence, as `--min-confidence` (default: the model's display threshold, "
                    "`shown.min_confidence` in the answer; 0 lists every span). Scores do not change.")
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

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value)

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


MAX_URL_CHARS = 8192


def check_http_url(value: str) -> str:
    """The URL stripped, its scheme lower-cased, if it is a well-formed http(s) URL with a host; else ValueError.

    Only the form is checked here; which addresses may be fetched is the fetcher's rule (`unspin.load.url`).
    """
    url = value.strip()
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"{len(url):,} characters is over the {MAX_URL_CHARS:,} character limit for a URL")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError("holds a control character")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError as e:
        raise ValueError(f"not a valid URL ({e})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("only http(s) URLs can be fetched")
    if not parts.hostname:
        raise ValueError("the URL has no host name")
    if port == 0:
        raise ValueError("port 0 is not a valid port")
    return parts.scheme + url[len(parts.scheme):]  # the scheme lower-cased, as the fetcher compares it


def form_request(text: str, url: str, title: str, min_confidence: str) -> AnalyzeRequest:
    """The home-page form's fields as a request: the same checks as the API, each failure one InputError line."""
    has_text, has_url = bool(text.strip()), bool(url.strip())
    if has_text == has_url:
        raise InputError("paste the article text or give its address, not both" if has_text
                         else "paste the article text or give its address")
    conf = form_threshold(min_confidence)
    try:
        return AnalyzeRequest(text=form_text(text) if has_text else None, url=url.strip() if has_url else None,
                              html=None, outlet=None, title=title.strip() or None, min_confidence=conf)
    except ValidationError as e:
        raise InputError(validation_line(e)) from None


def form_text(text: str) -> str:
    """A textarea's text as pasted: browsers send its line ends as CRLF, whatever the reader pasted."""
    return text.replace("\r\n", "\n")


def form_threshold(value: str) -> float | None:
    """The threshold a form field asks for; empty means the model's display threshold (None)."""
    if not value.strip():
        return None
    try:
        conf = float(value)
    except ValueError:
        raise InputError("the confidence threshold must be a number between 0 and 1") from None
    if not 0 <= conf <= 1:
        raise InputError("the confidence threshold must be between 0 and 1")
    return conf


def validation_line(exc: ValidationError) -> str:
    """The first problem of a failed validation as one line: `field: reason`."""
    errs = exc.errors()
    if not errs:
        return "invalid request"
    first = errs[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


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

        try:
            url = check_http_url(req.url or "")
        except ValueError as e:
            raise InputError(f"url: {e}") from None
        article = load_source(url, allow_private_urls=allow_private_urls)
    article = _with_title(article, req.title)
    check_length(len(article.text), "article text", max_chars)
    if req.outlet:
        article.outlet = req.outlet
    return article
