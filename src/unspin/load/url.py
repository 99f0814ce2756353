"""Fetching an article by URL, safely.

Every hop is checked before it is requested: the host is resolved and refused
when any address is private, loopback, link-local, reserved or a cloud metadata
endpoint, unless the caller explicitly allows private addresses (local use).
Redirects are followed by hand so that each hop is checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx

from unspin.errors import FetchError, TooLargeError

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_S = 10.0
ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


def _is_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or str(ip) in {"169.254.169.254", "100.100.100.200"}
        or ip in ipaddress.ip_network("100.64.0.0/10")
    )


def check_url(url: str, allow_private: bool = False) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to private ranges."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http(s) URLs can be fetched")
    if allow_private:
        return
    host = parts.hostname.lower().rstrip(".")
    if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"{url}: refusing to fetch a private or metadata address")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise FetchError(f"{url}: cannot resolve host {host}") from None
    for info in infos:
        if _is_forbidden(ipaddress.ip_address(info[4][0].split("%")[0])):
            raise FetchError(f"{url}: refusing to fetch a private or internal address ({info[4][0]})")


def fetch(url: str, allow_private: bool = False, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> tuple[str, str, str]:
    """Return (final_url, content_type, text) of a page, or raise FetchError."""
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": "unspin/0.1"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private)
            try:
                with client.stream("GET", current) as r:
                    if r.is_redirect:
                        loc = r.headers.get("location")
                        if not loc:
                            raise FetchError(f"{current}: redirect without a location")
                        current = urljoin(current, loc)
                        continue
                    if r.status_code >= 400:
                        raise FetchError(f"{current}: HTTP {r.status_code}")
                    ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    if ctype not in ALLOWED_TYPES:
                        raise FetchError(f"{current}: refusing content type {ctype or 'unknown'!r}; need HTML or text")
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise TooLargeError(f"{current}: page is over the {max_bytes // (1024 * 1024)} MiB limit")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in r.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise TooLargeError(f"{current}: page is over the {max_bytes // (1024 * 1024)} MiB limit")
                        chunks.append(chunk)
                    data = b"".join(chunks)
                    return current, ctype, data.decode(r.encoding or "utf-8", errors="replace")
            except httpx.TimeoutException:
                raise FetchError(f"{current}: timed out after {timeout:g} s") from None
            except httpx.HTTPError as e:
                raise FetchError(f"{current}: cannot fetch ({type(e).__name__})") from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
