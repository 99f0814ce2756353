"""Errors only the web app raises, and the handlers that keep stack traces from clients.

A request the user got wrong gets its `UnspinError.status_code` and a one-line
message; anything else is a bug: logged here with its traceback, answered with a
generic 500. API paths answer JSON `{"error": ...}`, pages answer an HTML page.
"""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from unspin.errors import UnspinError

log = logging.getLogger("unspin.web")


class AnalysisTimeout(UnspinError):
    """The analysis did not finish within the server's per-request time limit."""

    status_code = 504


class Unavailable(UnspinError):
    """The server cannot answer this now but may soon: 503, with `Retry-After` when `retry_after` (seconds) is set."""

    status_code = 503

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(Unavailable):
    """The analysis queue is full: the request is refused at once rather than left to wait past its deadline."""


class StoreUnavailable(Unavailable):
    """The article store cannot be read right now (missing, damaged, or busy)."""


class NotFound(UnspinError):
    status_code = 404


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def printable(message: str) -> str:
    """A message safe to encode: a lone surrogate (from a client's input) becomes its escape, e.g. `\\ud800`."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(request: Request, status: int, message: str, retry_after: float | None = None) -> Response:
    message = printable(message)
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else None
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    from unspin.web.pages import render_error

    return HTMLResponse(render_error(request, status, message), status_code=status, headers=headers)


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
    if first.get("type") == "model_attributes_type" and not loc:  # a form or plain text where a JSON object goes
        return ('send a JSON object with Content-Type: application/json, e.g. {"text": "..."} '
                "(the form at /analyze takes form fields)")
    if first.get("type") == "string_unicode":  # pydantic's own JSON parser met a lone surrogate
        msg = "contains a lone surrogate or invalid UTF-8, which is not valid Unicode; send the text as valid UTF-8"
    return f"{loc}: {msg}" if loc else msg


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(UnspinError)
    async def _unspin_error(request: Request, exc: UnspinError) -> Response:
        return error_response(request, exc.status_code, str(exc), getattr(exc, "retry_after", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(ValidationError)
    async def _invalid_model(request: Request, exc: ValidationError) -> Response:
        """A request model built inside a route (the form's) from client input: that input's fault."""
        from unspin.web.requests import validation_line

        return error_response(request, 422, validation_line(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, "internal server error; the details are in the server log")
