"""Text made storable: every value written to the store must encode as UTF-8.

JSON may carry an escaped lone surrogate (`"\\ud83d"`, half of an emoji cut in
two by a truncating exporter); Python decodes it into a `str` that cannot be
encoded, hashed or written. Such code points are replaced with U+FFFD and
counted, so one damaged character never costs the record, or the run.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> tuple[str, int]:
    """(text with every surrogate code point replaced by U+FFFD, how many were replaced)."""
    if text.isascii():
        return text, 0
    return _SURROGATE.subn(REPLACEMENT, text)


def storable_or_none(value: str | None) -> tuple[str | None, int]:
    """`storable` for an optional value."""
    if value is None:
        return None, 0
    return storable(value)
