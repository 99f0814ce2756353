"""Errors only the web app raises, and the handlers that keep stack traces from clients.

A request the user got wrong gets its `UnspinError.status_code` and a one-line
message; anything else is a bug: logged here with its traceback, answered with a
generic 500. API paths answer JSON `{"error": ...}`, pages answer an HTML page.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from unspin.errors import UnspinError

log = logging.getLogger("unspin.web")


class AnalysisTimeout(UnspinError):
    """The analysis did not finish within the server's per-request time limit."""

    status_code = 504


class StoreUnavailable(UnspinError):
    """The article store cannot be opened right now (missing, or held by a writer)."""

    status_code = 503


class NotFound(UnspinError):
    status_code = 404


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    from unspin.web.pages import render_error

    return HTMLResponse(render_error(request, status, message), status_code=status)


def validation_message(exc: RequestValidationError) -> str:
    """The first validation problem as one line, e.g. `body.min_confidence: ...`."""
    errs = exc.errors()
    if not errs:
        return "invalid request"
    first = errs[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return "request body is not valid JSON"
    return f"{loc}: {msg}" if loc else msg


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(UnspinError)
    async def _unspin_error(request: Request, exc: UnspinError) -> Response:
        return error_response(request, exc.status_code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, "internal server error; the details are in the server log")
