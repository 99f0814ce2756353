"""The API reference at /docs, against a real server on 127.0.0.1: built from /openapi.json, offline-safe."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import BaseModel, Field

from unspin.web import Settings, create_app
from unspin.web.apidocs import prose, type_label
from unspin.web.server import BackgroundServer

NASTY = "<script>alert(1)</script> & \"quotes\" 'apos'"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with BackgroundServer(create_app(Settings())) as s:
        yield s.url


class _Page(HTMLParser):
    """Collects what an offline check needs: tags, link targets, operation headings and <pre> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.headings: list[str] = []
        self.pres: list[str] = []
        self.styles: list[str] = []
        self._h2: list[str] | None = None
        self._pre: list[str] | None = None
        self._style: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data", "formaction") and value is not None:
                self.links.append((tag, name, value))
        if tag == "h2":
            self._h2 = []
        elif tag == "pre":
            self._pre = []
        elif tag == "style":
            self._style = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._h2 is not None:
            self.headings.append(" ".join("".join(self._h2).split()))
            self._h2 = None
        elif tag == "pre" and self._pre is not None:
            self.pres.append("".join(self._pre))
            self._pre = None
        elif tag == "style" and self._style is not None:
            self.styles.append("".join(self._style))
            self._style = None

    def handle_data(self, data: str) -> None:
        for buf in (self._h2, self._pre, self._style):
            if buf is not None:
                buf.append(data)


def parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


def operations(spec: dict) -> list[str]:
    return [f"{method} {path}" for path, item in spec["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


def test_docs_lists_every_operation_from_openapi(server: str) -> None:
    r = httpx.get(f"{server}/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    spec = httpx.get(f"{server}/openapi.json").json()
    page = parse(r.text)
    assert sorted(page.headings) == sorted(operations(spec))
    assert len(page.headings) >= 5  # analyze, techniques, healthz and the two store routes
    for path, item in spec["paths"].items():
        for op in item.values():
            section = r.text.split(f'id="{op["operationId"]}"', 1)[1].split("</section>", 1)[0]
            for status in op["responses"]:
                assert f'<span class="status">{status}</span>' in section, (path, status)
            for param in op.get("parameters", []):
                assert f"<code>{param['name']}</code>" in section, (path, param["name"])


def test_docs_shows_the_request_body_fields(server: str) -> None:
    html = httpx.get(f"{server}/docs").text
    spec = httpx.get(f"{server}/openapi.json").json()
    analyze = html.split('id="analyze_api_analyze_post"', 1)[1].split("</section>", 1)[0]
    fields = spec["components"]["schemas"]["AnalyzeRequest"]["properties"]
    assert set(fields) == {"text", "html", "url", "min_confidence", "title", "outlet"}
    for name, prop in fields.items():
        assert f"<code>{name}</code>" in analyze
        assert prose(prop["description"]) in analyze  # the description, escaped, with `code` as <code>
    assert "at most 1.0" in analyze and "max length 1000" in analyze and "Other fields are refused" in analyze


def test_docs_is_self_contained(server: str) -> None:
    r = httpx.get(f"{server}/docs")
    page = parse(r.text)
    assert "script" not in page.tags and "<script" not in r.text.lower()
    assert "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    origin = urlsplit(server).netloc
    for tag, attr, value in page.links:
        target = urlsplit(value)
        assert target.scheme in ("", "http", "https"), (tag, attr, value)
        assert not target.netloc or target.netloc == origin, (tag, attr, value)
    for css in page.styles:
        assert "@import" not in css and "url(" not in css
    assert "cdn" not in r.text.lower() and "swagger" not in r.text.lower()
    assert 'name="viewport"' in r.text


def test_curl_example_works(server: str) -> None:
    """The page's curl example, run as the shell would split it, is accepted by the server."""
    page = parse(httpx.get(f"{server}/docs").text)
    examples = [p for p in page.pres if p.startswith("curl ")]
    assert len(examples) == 1 and "/api/analyze" in examples[0]
    argv = shlex.split(examples[0].replace("\\\n", " "))
    url = next(a for a in argv if a.startswith("http"))
    body = argv[argv.index("-d") + 1]
    headers = dict([argv[argv.index("-H") + 1].split(": ", 1)])
    assert url == f"{server}/api/analyze"
    r = httpx.post(url, content=body.encode(), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["article"]["text"] == json.loads(body)["text"]
    assert all(s["confidence"] >= json.loads(body)["min_confidence"] for s in d["spans"])


def test_no_cdn_pages(server: str) -> None:
    r = httpx.get(f"{server}/redoc")
    assert r.status_code == 308 and r.headers["location"] == "/docs"
    followed = httpx.get(f"{server}/redoc", follow_redirects=True)
    assert followed.status_code == 200 and "<script" not in followed.text.lower() and "cdn" not in followed.text.lower()
    oauth = httpx.get(f"{server}/docs/oauth2-redirect")
    assert oauth.status_code == 404 and "<script" not in oauth.text.lower()
    assert httpx.get(f"{server}/openapi.json").json()["info"]["title"] == "unspin"


class _Odd(BaseModel):
    note: str = Field(description=f"{NASTY} and `code`")


def test_text_from_the_spec_is_escaped() -> None:
    """A route added after create_app shows up (the page is built per request), with its text escaped."""
    app = create_app(Settings())

    @app.post("/api/odd", summary=NASTY, description=f"{NASTY}\n\nSecond `para`.")
    async def odd(body: _Odd) -> dict[str, str]:
        return {"ok": body.note}

    with BackgroundServer(app) as s:
        html = httpx.get(f"{s.url}/docs").text
    page = parse(html)
    assert "post /api/odd" in page.headings
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34; &#39;apos&#39;" in html
    assert "<p>Second <code>para</code>.</p>" in html and "and <code>code</code>" in html


def test_type_labels() -> None:
    assert type_label({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}) == "string (date) or null"
    assert type_label({"type": "array", "items": {"$ref": "#/components/schemas/Span"}}) == "array of Span"
    assert type_label({"enum": ["a", "b"]}) == 'one of "a", "b"'
    assert type_label({}) == "any JSON"


CHROMIUM = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium (`make chromium` installs Debian's)")
def test_docs_on_a_phone_loads_nothing_else(server: str) -> None:
    """At phone width, with JavaScript off, the page fits the screen and asks for nothing but itself."""
    sync_api = pytest.importorskip("playwright.sync_api")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            ctx = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 780},
                                      is_mobile=True, device_scale_factor=2)
            page = ctx.new_page()
            requested: list[str] = []
            page.on("request", lambda req: requested.append(req.url))
            page.goto(f"{server}/docs")
            assert requested == [f"{server}/docs"]
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
            assert size >= 14
            assert page.locator("section.op").count() == len(operations(httpx.get(f"{server}/openapi.json").json()))
        finally:
            browser.close()
