"""The outermost layer of the app: security headers on every response, and the last catch for bugs.

Starlette answers an unhandled exception from its own outermost layer, outside
every middleware the app adds, so such a 500 (and a 413 from the body limit)
would go out without our headers. This middleware wraps everything the app
adds instead: it sets the headers on each `http.response.start` that passes
through it, whoever produced it, and turns an exception that escapes the app
into the generic 500 itself (logged with its traceback), headers included.
Responses uvicorn writes on its own for requests it cannot parse (400) never
reach the app and carry none of this.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("unspin.web")

# Our pages, the API reference at /docs included, load nothing from elsewhere and run no script.
PAGE_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers plus each security header the response does not set itself."""
    present = {k.lower() for k, _ in headers}
    return list(headers) + [(k, v) for k, v in SECURITY_HEADERS if k not in present]


class SecurityHeaders:
    """Add `SECURITY_HEADERS` to every HTTP response; answer an escaped exception with the generic 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": with_security_headers(list(message.get("headers", [])))}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # a bug: the client gets one generic line, the log gets the traceback
            log.error("unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            if started:  # too late for a status: the client sees a cut-off response
                return
            from starlette.responses import JSONResponse, Response

            from unspin.web.errors import error_response

            message = "internal server error; the details are in the server log"
            response: Response
            try:
                response = error_response(Request(scope), 500, message)
            except Exception:  # the error page itself failed: the plainest answer
                response = JSONResponse({"error": message}, status_code=500)
            await response(scope, receive, send_with_headers)
