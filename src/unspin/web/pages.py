"""Server-rendered pages: the paste/URL form and the highlighted article view.

Nothing here needs JavaScript: the form is a plain POST, the filter is CSS-only
radios, tooltips open on hover and on keyboard focus. The article view is the
same template and span markup as `unspin analyze --format html`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from unspin.article import Result
from unspin.errors import UnspinError
from unspin.explain import explain_spans
from unspin.render.html import environment, view_context
from unspin.render.reading import band_views, result_bands
from unspin.saved_results import content_key
from unspin.score import place, shown
from unspin.web.requests import form_request

TEMPLATES = Path(__file__).parent / "templates"
_env: Environment | None = None
HEADINGS = {400: "Bad request", 404: "Not found", 413: "Too large", 422: "Cannot analyse this", 500: "Something went wrong",
            503: "Unavailable", 504: "Too slow"}

router = APIRouter(include_in_schema=False)


def path_segment(value: object) -> str:
    """A value as one URL path segment: every reserved character encoded, `/` included (ids from folders hold it)."""
    return quote(str(value), safe="")


def env() -> Environment:
    global _env
    if _env is None:
        _env = environment(TEMPLATES)
        _env.filters["path_segment"] = path_segment
    return _env


def _has_store(request: Request) -> bool:
    return getattr(request.app.state, "settings", None) is not None and request.app.state.settings.db is not None


def render(request: Request, name: str, **context: object) -> str:
    return env().get_template(name).render(has_store=_has_store(request), **context)


def render_error(request: Request, status: int, message: str) -> str:
    return render(request, "error.html.j2", status=status, heading=HEADINGS.get(status, "Error"), message=message)


def for_reading(request: Request, result: Result) -> Result:
    """A kept result as this server shows it: placed in the model's reference distribution when it was
    kept without a place (before 3.0, or without a reference), and, for results from before 3.0 (no
    cue words), explanations in today's words. Neither changes a score or a span."""
    ref = request.app.state.service.analyzer.reference
    d = result.score_detail
    if d is not None and d.share_below is None and ref is not None and ref.model_version == result.model.version:
        result = replace(result, score_detail=place(d, ref))
    if result.spans and all(s.cue_start is None for s in result.spans):
        result = replace(result)
        explain_spans(result)
    return result


def render_result(request: Request, result: Result, stored: bool = False, min_confidence: float | None = None) -> str:
    """The article page: the shared article view, its permalink, downloads and threshold choice.

    A result that lists every span (as stores keep them) is shown from the display threshold,
    unless the reader asked for another one (`min_confidence`).
    """
    display = request.app.state.service.analyzer.display_threshold
    result = for_reading(request, result)
    if min_confidence is None and result.min_confidence == 0 and result.hidden_spans == 0:
        result = shown(result, display)
    key = content_key(result.article.text)
    from unspin.web.permalinks import link_query

    thresholds = [{"value": b.low, "label": f"{b.band.name} and surer (from {b.low:.2f})" if b.low > 0
                   else "every phrase the model weighed (from 0)"} for b in band_views(result_bands(result))]
    return render(request, "article.html.j2", stored=stored, key=key, permalink=f"{request.base_url}a/{key}",
                  query=link_query(min_confidence), sep="&" if min_confidence is not None else "?",
                  thresholds=thresholds, current=result.min_confidence, display=display, **view_context(result))


def _form_values(text: str, url: str, title: str, min_confidence: str) -> dict[str, str]:
    return {"text": text, "url": url, "title": title, "min_confidence": min_confidence}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request, "home.html.j2", form=_form_values("", "", "", ""), error=None,
                               display=request.app.state.service.analyzer.display_threshold))


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_form(
    request: Request,
    text: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    min_confidence: Annotated[str, Form()] = "",
) -> Response:
    """Analyse, keep the whole analysis under its content key, and answer with a redirect to its link."""
    from unspin.web.permalinks import keep, link_query

    try:
        req = form_request(text, url, title, min_confidence)
        result = await request.app.state.service.analyze(req.model_copy(update={"min_confidence": 0.0}))
        key = await keep(request, result)
    except UnspinError as e:
        page = render(request, "home.html.j2", form=_form_values(text, url, title, min_confidence), error=str(e),
                      display=request.app.state.service.analyzer.display_threshold)
        return HTMLResponse(page, status_code=e.status_code)
    return RedirectResponse(f"/a/{key}{link_query(req.min_confidence)}", status_code=303)


@router.get("/analyze", include_in_schema=False)
async def analyze_get() -> RedirectResponse:
    """A reload or a bookmark of the form's address goes back to the form."""
    return RedirectResponse("/", status_code=303)
