"""Permalinks and downloads: `/a/{key}` shows a kept analysis; `?download=json|html|ptc` saves it.

A pasted or fetched analysis is kept (`saved_results.SavedResults`) under its content key and the
form answers with a redirect to its link, so a reload does not post again and the link still works
after a restart. Any article of the `--db` store has a link too (its text's key). The display
threshold is part of the link (`?min_confidence=`), not of the analysis: the scores are the same at
every threshold.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from unspin.article import Result
from unspin.saved_results import KEY, SavedResults
from unspin.score import shown
from unspin.web.errors import NotFound

router = APIRouter(include_in_schema=False)
Download = Literal["json", "html", "ptc"]
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "ptc": "text/plain; charset=utf-8"}
SUFFIX = {"json": "json", "html": "html", "ptc": "txt"}


def saved(request: Request) -> SavedResults:
    return request.app.state.saved


async def keep(request: Request, result: Result) -> str:
    """Keep a whole analysis (every span) and return its key."""
    return await run_in_threadpool(saved(request).save, result)


async def find(request: Request, key: str) -> Result:
    from unspin.web.pages import for_reading

    missing = NotFound(f"no saved analysis with the key {key!r} here; paste the article again to make its link")
    if not KEY.match(key):  # not a key at all (a link cut short, a typo): a link to nothing, as a well-formed one
        raise missing
    result = await run_in_threadpool(saved(request).load, key)
    if result is None:
        raise missing
    return for_reading(request, result)


def threshold(request: Request, min_confidence: float | None) -> float:
    return request.app.state.service.analyzer.display_threshold if min_confidence is None else min_confidence


def link_query(min_confidence: float | None, **extra: str) -> str:
    parts = [f"{k}={v}" for k, v in extra.items()]
    if min_confidence is not None:
        parts.append(f"min_confidence={min_confidence:g}")
    return ("?" + "&".join(parts)) if parts else ""


def download(view: Result, kind: Download, name: str) -> Response:
    """One view as a file: the JSON result, the self-contained HTML report, or PTC label lines."""
    if kind == "json":
        body = view.to_json()
    elif kind == "html":
        from unspin.render.html import render_html

        body = render_html(view)
    else:
        from unspin.ptc.files import render_ptc

        body = render_ptc(view)
    return Response(body, media_type=MEDIA[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{SUFFIX[kind]}"'})


@router.get("/a/{key}", response_class=HTMLResponse)
async def permalink(
    request: Request, key: str,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    download_as: Annotated[Download | None, Query(alias="download")] = None,
) -> Response:
    result = await find(request, key)
    view = shown(result, threshold(request, min_confidence))
    if download_as is not None:
        return download(view, download_as, f"unspin-{key}")
    from unspin.web.pages import render_result

    return HTMLResponse(render_result(request, view, min_confidence=min_confidence))
