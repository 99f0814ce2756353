"""Fetching an article by URL, safely.

Every hop is checked before it is requested: the host is resolved and refused
when any address is private, loopback, link-local, reserved or a cloud metadata
endpoint, unless the caller explicitly allows private addresses (local use).
Redirects are followed by hand so that each hop is checked the same way.

The connection then goes to the very address that was checked (the host name
is kept for the Host header and TLS), so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot steer the request inside.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

from unspin.errors import FetchError, TooLargeError
from unspin.load.decode import decode

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 30.0
ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Cloud metadata endpoints, refused whatever their range says: AWS (v4, ECS, IPv6), GCP IPv6, Alibaba, Oracle.
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "fd20:ce::254", "100.100.100.200", "192.0.0.192",
)}
# Ranges the IANA special-purpose registries mark not globally reachable that some Python versions'
# `is_global` still accepts: shared address space, deprecated site-local, local-use NAT64,
# benchmarking, documentation (2024) and SRv6 SIDs.
NOT_GLOBAL = [ipaddress.ip_network(n) for n in (
    "100.64.0.0/10", "fec0::/10", "64:ff9b:1::/48", "2001:2::/48", "3fff::/20", "5f00::/16",
)]


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_forbidden(ip: IPAddress) -> bool:
    """True for any address that is not globally reachable, or that is a cloud metadata endpoint."""
    inner = _embedded_ipv4(ip)
    if inner is not None and _is_forbidden(inner):
        return True
    return (
        not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or ip in METADATA_ADDRESSES
        or any(ip in net for net in NOT_GLOBAL if net.version == ip.version)
    )


def shown(url: str, limit: int = 100) -> str:
    """A URL as error messages show it: without control characters, long ones shortened."""
    url = "".join(c if c.isprintable() else "?" for c in url)
    return url if len(url) <= limit else url[: limit - 1] + "…"


def split_url(url: str) -> SplitResult:
    """`url` split, checked to be http(s) (any case) with a host and a valid port; else FetchError."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError as e:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise FetchError(f"{shown(url)}: invalid URL ({e})") from None
    if parts.scheme not in ("http", "https"):  # urlsplit lowercases the scheme
        raise FetchError(f"{shown(url)}: only http(s) URLs can be fetched")
    if not host:
        raise FetchError(f"{shown(url)}: invalid URL (no host)")
    if port == 0:
        raise FetchError(f"{shown(url)}: invalid port")
    return parts


def check_url(url: str, allow_private: bool = False) -> str | None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to private ranges.

    Returns the checked address to connect to, or None when private addresses are
    allowed (then the client resolves the host itself).
    """
    parts = split_url(url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return None
    host = hostname.lower().rstrip(".")
    if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"{shown(url)}: refusing to fetch a private or metadata address")
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"{shown(url)}: cannot resolve host {shown(host)}") from None
    if not infos:
        raise FetchError(f"{shown(url)}: cannot resolve host {shown(host)}")
    for info in infos:
        if _is_forbidden(ipaddress.ip_address(str(info[4][0]).split("%")[0])):
            raise FetchError(f"{shown(url)}: refusing to fetch a private or internal address ({info[4][0]})")
    return str(infos[0][4][0]).split("%")[0]


def _redirect_target(current: str, location: str | None) -> str:
    """The absolute URL a redirect points to, refused at once (one line) unless it is http(s)
    with a host and a valid port; the next hop's address is then checked like the first."""
    if not location or not location.strip():
        raise FetchError(f"{shown(current)}: redirect without a location")
    try:
        target = urljoin(current, location.strip())
    except ValueError:
        raise FetchError(f"{shown(current)}: redirect to an invalid URL ({shown(location, 60)}) refused") from None
    try:
        return split_url(target).geturl()
    except FetchError as e:
        raise FetchError(f"{shown(current)}: redirect to {shown(location, 60)} refused ({str(e).rsplit(': ', 1)[-1]})") from None


def pinned_request(parts: SplitResult, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(url, headers, extensions) that connect to `address` while asking for the URL's own host."""
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    url = parts._replace(netloc=netloc).geturl()
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    return url, {"Host": host_header}, {"sni_hostname": host}


USER_AGENT = "unspin/0.1"


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx); `retry_after` is its Retry-After header, if any."""

    def __init__(self, message: str, status: int, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class NetworkError(FetchError):
    """The request did not complete (timeout, refused or lost connection): worth retrying later."""


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the final URL after redirects, its media type (e.g. "text/html"),
    the whole Content-Type header (charset included) and the body's bytes, undecoded."""

    url: str
    media_type: str
    content_type: str
    body: bytes

    def text(self) -> str:
        """The body decoded as a browser would (BOM, then the header's charset, then <meta> for HTML,
        then detection); bytes that do not decode become U+FFFD."""
        decoded = decode(self.body, self.content_type, html=self.media_type != "text/plain")
        return decoded.text if decoded else self.body.decode("utf-8", errors="replace")


def fetch(
    url: str, allow_private: bool = False, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
    check: Callable[[str, bool], str | None] = check_url,
) -> tuple[str, str, str]:
    """Return (final_url, media_type, text) of a page, or raise FetchError; see `fetch_bytes`."""
    page = fetch_bytes(url, allow_private, timeout, max_bytes, check)
    return page.url, page.media_type, page.text()


def fetch_bytes(
    url: str, allow_private: bool = False, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
    check: Callable[[str, bool], str | None] = check_url, accept: tuple[str, ...] | None = ALLOWED_TYPES,
    user_agent: str = USER_AGENT,
) -> Fetched:
    """The page at `url`, following up to MAX_REDIRECTS redirects, each hop checked; or raise FetchError.

    `check` vets each hop and returns the address to connect to (tests pass their own resolver).
    `accept` lists the media types taken (None: any). An error status raises HTTPStatusError,
    a timeout or a failed connection NetworkError.
    """
    import httpx  # here, not at import: `unspin analyze FILE` does not pay for it (cold start)

    current = split_url(url).geturl()  # the scheme lowercased: HTTP://example.org is http://example.org
    deadline = time.monotonic() + max(timeout, TOTAL_TIMEOUT_S)
    next_hop: list[str] = []

    def vet_redirect(response: httpx.Response) -> None:
        # httpx parses a redirect's Location itself, even with redirects off, and fails on data:,
        # a bad port or a broken IPv6 literal; a response hook sees the header first and refuses it.
        next_hop.clear()
        if response.is_redirect:
            next_hop.append(_redirect_target(current, response.headers.get("location")))

    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": user_agent},
                      event_hooks={"response": [vet_redirect]}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if time.monotonic() > deadline:
                raise FetchError(f"{current}: took longer than {max(timeout, TOTAL_TIMEOUT_S):g} s")
            address = check(current, allow_private)
            target, headers, extensions = current, dict[str, str](), dict[str, str]()
            if address is not None:
                target, headers, extensions = pinned_request(urlsplit(current), address)
            try:
                with client.stream("GET", target, headers=headers, extensions=extensions) as r:
                    if r.is_redirect and next_hop:
                        current = next_hop[0]
                        continue
                    if r.status_code >= 400:
                        raise HTTPStatusError(f"{current}: HTTP {r.status_code}", r.status_code,
                                              r.headers.get("retry-after"))
                    ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    if accept is not None and ctype not in accept:
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
                        if time.monotonic() > deadline:
                            raise FetchError(f"{current}: took longer than {max(timeout, TOTAL_TIMEOUT_S):g} s")
                        chunks.append(chunk)
                    return Fetched(current, ctype, r.headers.get("content-type", ""), b"".join(chunks))
            except httpx.TimeoutException:
                raise NetworkError(f"{current}: timed out after {timeout:g} s") from None
            except httpx.TransportError as e:  # refused, reset or lost connection: worth a retry
                raise NetworkError(f"{shown(current)}: cannot fetch ({type(e).__name__})") from None
            except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict) as e:
                raise FetchError(f"{shown(current)}: cannot fetch ({type(e).__name__})") from None
            except (ValueError, UnicodeError) as e:  # a URL httpx or idna cannot encode
                raise FetchError(f"{shown(current)}: invalid URL ({type(e).__name__})") from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
