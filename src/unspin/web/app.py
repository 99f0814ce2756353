"""The FastAPI app factory. One process: one model, one analysis thread pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from unspin.render.html import TEMPLATES as REPORT_TEMPLATES
from unspin.saved_results import SavedResults, default_folder
from unspin.web import api, apidocs, compare, corpus, pages, permalinks
from unspin.web.admission import ShedEarly
from unspin.web.analysis import AnalysisService
from unspin.web.errors import install_handlers
from unspin.web.limits import BodySizeLimit
from unspin.web.middleware import PAGE_POLICY, SecurityHeaders
from unspin.web.settings import Settings

STATIC = Path(__file__).parent / "static"
__all__ = ["create_app", "app_from_env", "PAGE_POLICY"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = AnalysisService(settings)
        app.state.saved = SavedResults(settings.saved_dir or default_folder(), settings.db,
                                       app.state.service.analyzer.model.version)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(
        title="unspin", version="0.1.0", lifespan=lifespan,
        # FastAPI's Swagger UI and ReDoc load from a CDN (blank offline); apidocs renders /docs instead.
        docs_url=None, redoc_url=None,
        description="Find propaganda techniques in news articles. Every offset is a Python string index into `article.text`.",
    )
    app.state.settings = settings
    install_handlers(app)
    _static_routes(app)
    app.include_router(api.router)
    app.include_router(corpus.router)
    app.include_router(pages.router)
    app.include_router(corpus.pages)
    app.include_router(permalinks.router)
    app.include_router(compare.router)
    app.include_router(apidocs.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(ShedEarly)  # inside the body limit: the body is read (and capped) before a 503
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so it sees every response (middleware.py)
    return app


def _static_routes(app: FastAPI) -> None:
    """The report's stylesheet and filter rules, served from the shared templates."""
    report_css = (REPORT_TEMPLATES / "report.css").read_text(encoding="utf-8")
    filter_css = pages.env().get_template("filter_rules.css.j2").render()
    cache = {"Cache-Control": "public, max-age=3600"}

    @app.get("/static/report.css", include_in_schema=False)
    async def _report_css() -> PlainTextResponse:
        return PlainTextResponse(report_css, media_type="text/css", headers=cache)

    @app.get("/static/filter.css", include_in_schema=False)
    async def _filter_css() -> PlainTextResponse:
        return PlainTextResponse(filter_css, media_type="text/css", headers=cache)


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes: settings come from the environment."""
    return create_app(Settings.from_env())
