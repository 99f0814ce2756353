"""A cap on request body size, enforced before any route parses the body.

The body is read here (it is small by construction) and replayed to the app. A
body over the cap is still drained up to a hard ceiling before answering 413,
so an honest client that is mid-upload reads the error instead of a reset
connection; a declared length above the ceiling is refused at once.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_CEILING = 16 * 1024 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes + DRAIN_CEILING:
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size <= self.max_bytes:
                chunks.append(body)
            elif size > self.max_bytes + DRAIN_CEILING:
                break
            if not message.get("more_body", False):
                break
        if size > self.max_bytes:
            await self._too_large(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        limit = f"{self.max_bytes / (1024 * 1024):g} MiB"
        message = f"request body is over the {limit} limit"
        if scope.get("path", "").startswith("/api/"):
            body = json.dumps({"error": message}).encode()
            ctype = b"application/json"
        else:
            body = (
                "<!doctype html><html lang=en><meta charset=utf-8>"
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Too large</title><main><h1>Too large</h1><p>{message}.</p>"
                '<p><a href="/">Back</a></p></main></html>'
            ).encode()
            ctype = b"text/html; charset=utf-8"
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
