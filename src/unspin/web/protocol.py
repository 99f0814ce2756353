"""The HTTP/1.1 protocol uvicorn runs for us: h11, with the security headers on its own error answers.

uvicorn answers a request it cannot parse (a bad Content-Length, a header without a colon, TLS bytes)
with a 400 of its own, before the app sees anything, so `middleware.SecurityHeaders` cannot add
`nosniff` and the CSP to it. This protocol class sends that 400 with them.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from unspin.web.middleware import SECURITY_HEADERS


class HardenedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol whose parse-error 400 carries `SECURITY_HEADERS`."""

    def send_400_response(self, msg: str) -> None:
        body = msg.encode("ascii", "replace")
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"), *SECURITY_HEADERS]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
