"""Server-rendered pages: the paste/URL form and the highlighted article view.

Nothing here needs JavaScript: the form is a plain POST, the filter is CSS-only
radios, tooltips open on hover and on keyboard focus. The article view is the
same template and span markup as `unspin analyze --format html`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from unspin.article import Result
from unspin.errors import UnspinError
from unspin.render.html import article_body, environment, legend_items
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


def render_result(request: Request, result: Result, stored: bool = False) -> str:
    sourcing = result.sourcing.to_dict() if hasattr(result.sourcing, "to_dict") else result.sourcing
    return render(request, "article.html.j2", result=result, body=article_body(result), legend=legend_items(result),
                  sourcing=sourcing, stored=stored)


def _form_values(text: str, url: str, title: str, min_confidence: str) -> dict[str, str]:
    return {"text": text, "url": url, "title": title, "min_confidence": min_confidence}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request, "home.html.j2", form=_form_values("", "", "", "0"), error=None))


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_form(
    request: Request,
    text: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    min_confidence: Annotated[str, Form()] = "0",
) -> HTMLResponse:
    try:
        req = form_request(text, url, title, min_confidence)
        result = await request.app.state.service.analyze(req)
    except UnspinError as e:
        page = render(request, "home.html.j2", form=_form_values(text, url, title, min_confidence), error=str(e))
        return HTMLResponse(page, status_code=e.status_code)
    return HTMLResponse(render_result(request, result))
