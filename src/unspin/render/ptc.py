"""PTC technique-classification label lines: ID<TAB>TECHNIQUE<TAB>START<TAB>END."""

from __future__ import annotations

from unspin.article import Result
from unspin.load.ptc import format_tc_line


def render_ptc(result: Result) -> str:
    return "".join(format_tc_line(result.article.id, s.technique, s.start, s.end) + "\n" for s in result.spans)
