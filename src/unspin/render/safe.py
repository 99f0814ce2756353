"""Text from articles made safe to print on a terminal.

An article's title, outlet, URL or text may carry control characters and escape
sequences (ESC [ ... for the cursor and colours, ESC ] ... for the window title,
C1 controls such as U+009B). Printed raw they move the cursor, clear the screen or
retitle the terminal. Everything unspin prints to a terminal from an input goes
through here first.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from unspin.article import Result
from unspin.sourcing.model import Sourcing

# ESC followed by a CSI, OSC, DCS/SOS/PM/APC string or a two-character sequence; and the C1 CSI/OSC forms
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI ... final byte
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC / DCS / SOS / PM / APC ... BEL or ST
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences (ESC c, ESC ( B ...)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # C1 CSI
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # C1 OSC / DCS / SOS / PM / APC
)
_CONTROLS = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)] if chr(c) not in "\n\t")
_BLANK = str.maketrans(_CONTROLS, " " * len(_CONTROLS))
_DROP = str.maketrans("", "", _CONTROLS)


def terminal_safe(s: str) -> str:
    """`s` without escape sequences and control characters (newlines and tabs kept)."""
    return _SEQUENCE.sub("", s).translate(_DROP)


def terminal_safe_same_length(s: str) -> str:
    """`s` with each control character replaced by a space, so offsets into it still hold.

    What is left of an escape sequence after its ESC is plain text, which a terminal prints as is.
    """
    return s.translate(_BLANK)


def _safe_tree(value: Any) -> Any:
    if isinstance(value, str):
        return terminal_safe_same_length(value)
    if isinstance(value, dict):
        return {k: _safe_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe_tree(v) for v in value]
    return value


def terminal_safe_result(result: Result) -> Result:
    """A copy of `result` fit for the terminal: metadata cleaned of escapes, the text and every
    string of the spans and sourcing with controls blanked (offsets unchanged)."""
    art = result.article
    article = replace(
        art, text=terminal_safe_same_length(art.text), title=terminal_safe(art.title),
        outlet=terminal_safe(art.outlet) if art.outlet else art.outlet,
        url=terminal_safe(art.url) if art.url else art.url,
        published=terminal_safe(art.published) if art.published else art.published,
    )
    sourcing = result.sourcing
    if sourcing is not None:
        sourcing = Sourcing.from_dict(_safe_tree(sourcing.to_dict()))
    return replace(result, article=article, spans=[replace(s, text=terminal_safe_same_length(s.text))
                                                   for s in result.spans], sourcing=sourcing)
