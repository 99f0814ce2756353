"""The compare view: two articles side by side, e.g. the same story from two outlets.

`GET /compare` is a form with two sides; each side is pasted text, an address to fetch, or an
analysis already here (its link `/a/KEY`, its key, or a stored article's id). `POST /compare`
analyses and keeps what is new and answers with a redirect to `/compare?a=KEY&b=KEY`, a link that
keeps working. `?download=json|html|ptc` saves the comparison: both results as one JSON object,
the self-contained compare report, or both articles' PTC lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from unspin.article import Result
from unspin.errors import UnspinError
from unspin.render.compare import compare_context, render_compare_html
from unspin.saved_results import KEY, content_key
from unspin.score import shown
from unspin.web.errors import NotFound
from unspin.web.pages import render
from unspin.web.permalinks import MEDIA, SUFFIX, Download, find, keep, link_query, threshold
from unspin.web.requests import AnalyzeRequest, form_text, form_threshold

router = APIRouter(include_in_schema=False)
LINK = re.compile(r"/a/([0-9a-f]{16})\b")
STORED_LINK = re.compile(r"/articles/([^/?#]+)")  # a stored article's page, as the corpus lists it
CSS = (Path(__file__).resolve().parent.parent / "render" / "templates" / "compare.css").read_text(encoding="utf-8")


def _blank_form() -> dict[str, str]:
    return {f"{s}_{k}": "" for s in "ab" for k in ("text", "url", "ref")} | {"min_confidence": ""}


async def _stored_key(request: Request, ref: str) -> str:
    """The key of an analysis named by its link, its key or a stored article's id."""
    ref = ref.strip()
    m = LINK.search(ref)
    if m:
        return m.group(1)
    if KEY.match(ref):
        return ref
    if stored := STORED_LINK.search(ref):
        from urllib.parse import unquote

        ref = unquote(stored.group(1))
    if request.app.state.settings.db is not None:
        from unspin.web.corpus import load_result

        try:
            result = await run_in_threadpool(load_result, request.app.state.settings.db, ref)
        except NotFound:
            result = None
        if result is not None:
            return content_key(result.article.text)
    raise NotFound(f"{ref!r} is not a link, key or stored article id known here")


async def _side(request: Request, name: str, text: str, url: str, ref: str) -> str:
    given = [v for v in (text.strip(), url.strip(), ref.strip()) if v]
    if len(given) != 1:
        raise UnspinError(f"article {name}: paste its text, give its address, or name an analysis here (one of them)")
    if ref.strip():
        key = await _stored_key(request, ref)
        await find(request, key)
        return key
    req = AnalyzeRequest.model_validate(
        {"text": form_text(text) if text.strip() else None, "url": url.strip() or None, "min_confidence": 0.0})
    result = await request.app.state.service.analyze(req)
    return await keep(request, result)


@router.post("/compare", response_class=HTMLResponse)
async def compare_form(
    request: Request,
    a_text: Annotated[str, Form()] = "", a_url: Annotated[str, Form()] = "", a_ref: Annotated[str, Form()] = "",
    b_text: Annotated[str, Form()] = "", b_url: Annotated[str, Form()] = "", b_ref: Annotated[str, Form()] = "",
    min_confidence: Annotated[str, Form()] = "",
) -> Response:
    form = {"a_text": a_text, "a_url": a_url, "a_ref": a_ref, "b_text": b_text, "b_url": b_url, "b_ref": b_ref,
            "min_confidence": min_confidence}
    try:
        conf = form_threshold(min_confidence)
        a = await _side(request, "A", a_text, a_url, a_ref)
        b = await _side(request, "B", b_text, b_url, b_ref)
    except UnspinError as e:
        return HTMLResponse(render(request, "compare.html.j2", form=form, error=str(e), compared=None, css=CSS),
                            status_code=e.status_code)
    return RedirectResponse(f"/compare{link_query(conf, a=a, b=b)}", status_code=303)


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    a: Annotated[str | None, Query()] = None,
    b: Annotated[str | None, Query()] = None,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    download_as: Annotated[Download | None, Query(alias="download")] = None,
) -> Response:
    if not a or not b:
        form = _blank_form() | {"a_ref": a or "", "b_ref": b or ""}
        return HTMLResponse(render(request, "compare.html.j2", form=form, error=None, compared=None, css=CSS))
    t = threshold(request, min_confidence)
    ra = shown(await find(request, a), t)
    rb = shown(await find(request, b), t)
    if download_as is not None:
        return _download(ra, rb, download_as, f"unspin-compare-{a}-{b}")
    query = link_query(min_confidence, a=a, b=b)
    return HTMLResponse(render(request, "compare.html.j2", form=None, error=None, css=CSS, keys=(a, b), query=query,
                               request_base=str(request.base_url),
                               compared=compare_context(ra, rb)))


def _download(a: Result, b: Result, kind: Download, name: str) -> Response:
    if kind == "json":
        body = json.dumps({"a": a.to_dict(), "b": b.to_dict()}, ensure_ascii=False, indent=2)
    elif kind == "html":
        body = render_compare_html(a, b)
    else:
        from unspin.ptc.files import render_ptc

        body = render_ptc(a) + render_ptc(b)
    return Response(body, media_type=MEDIA[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{SUFFIX[kind]}"'})
