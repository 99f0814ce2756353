"""Publication dates as news data writes them, normalised to ISO 8601.

Corpora and feeds write dates in many forms: ISO 8601 (`2024-03-05`,
`2024-03-05T08:00:00Z`), RFC 822 from RSS (`Tue, 05 Mar 2024 08:00:00 GMT`),
US-style `M/D/YYYY` and `M/D/YY` (the AllSides corpus: `7/23/17`), month names
(`March 5, 2024`), `YYYYMMDD`, and Unix timestamps. `parse_published` turns any
of them into an ISO 8601 string; the caller keeps the raw value next to it.

Sources: ISO 8601 by `datetime.fromisoformat`, RFC 822 / RFC 2822 by
`email.utils.parsedate_to_datetime`, everything else by python-dateutil with
month-first order (the US convention of the English-language news data we read).
"""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime

from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]

MIN_YEAR = 1800
MAX_YEAR = 2200
# two different defaults: a component dateutil fills from the default differs between them, so it was not in the value
_DEFAULT_A = datetime(2001, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 1, 1, 1)
MAX_CHARS = 100  # a date is short; anything longer is not one (and dateutil's cost grows with the length)


def parse_published(raw: object) -> str | None:
    """The ISO 8601 form of a publication date, or None when `raw` is not a whole date.

    Returns `YYYY-MM-DD` when the value has no time of day, else the full
    `YYYY-MM-DDTHH:MM:SS[+HH:MM]` (the offset only when the value gives one).
    A value missing its year, month or day (`2024`, `Mar 2024`, `5`) is None,
    and so is a year outside 1800-2200. Never raises.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return _from_timestamp(float(raw))
    s = " ".join(str(raw).split())
    if not s or len(s) > MAX_CHARS:
        return None
    if s.isdigit():
        if len(s) == 8:  # YYYYMMDD
            return _iso_date(s[:4], s[4:6], s[6:])
        if len(s) in (9, 10, 12, 13):  # Unix seconds or milliseconds
            return _from_timestamp(int(s) / (1000 if len(s) >= 12 else 1))
        return None
    for parse in (_iso, _rfc822, _free_form):
        try:
            got = parse(s)
        except (ValueError, OverflowError, TypeError, IndexError):
            continue
        if got is not None:
            return got
    return None


def published_date(iso: str | None) -> date | None:
    """The calendar date of a value `parse_published` returned (the date as written, in its own time zone)."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def _ok(d: date) -> bool:
    return MIN_YEAR <= d.year <= MAX_YEAR


def _render(dt: datetime, has_time: bool) -> str | None:
    if not _ok(dt):
        return None
    if not has_time:
        return dt.date().isoformat()
    return dt.isoformat(timespec="seconds")


def _iso_date(y: str, m: str, d: str) -> str | None:
    try:
        got = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return got.isoformat() if _ok(got) else None


def _from_timestamp(seconds: float) -> str | None:
    try:
        dt = datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return _render(dt, True)


def _iso(s: str) -> str | None:
    if len(s) == 10 and s[4] == "-" and s[7] == "-":
        got = date.fromisoformat(s)
        return got.isoformat() if _ok(got) else None
    if len(s) < 10 or not s[:4].isdigit() or s[4] != "-":
        return None
    return _render(datetime.fromisoformat(s.replace("z", "Z")), True)


def _rfc822(s: str) -> str | None:
    if "," not in s[:5] and not s[:1].isdigit():
        return None
    dt = email.utils.parsedate_to_datetime(s)
    return _render(dt, True)


def _free_form(s: str) -> str | None:
    if not any(c.isdigit() for c in s):
        return None
    a = dateutil_parser.parse(s, default=_DEFAULT_A)
    b = dateutil_parser.parse(s, default=_DEFAULT_B)
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None  # the year, month or day came from the default: not a whole date
    has_time = (a.hour, a.minute, a.second) == (b.hour, b.minute, b.second)
    return _render(a, has_time)
