"""Two articles side by side: spin density and its place, techniques, and how each is sourced.

`compare_context(a, b)` takes two results (each already filtered to what is shown, scores from all
spans) and gives what `compare_view.html.j2` draws; the web compare page and the self-contained
compare report (`render_compare_html`) share it. For sourcing it counts who each article quotes:
named speakers with their number of quotes, quotes from unnamed sources, quotes with no speaker,
and named against unnamed attributions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup

from unspin.article import Result
from unspin.render.html import INDEX, TEMPLATES, article_body, environment, score_card
from unspin.render.reading import band_views, result_bands
from unspin.techniques import BY_ID, TECHNIQUES


def sourcing_side(result: Result) -> dict[str, Any]:
    s = result.sourcing
    if s is None:
        return {"available": False}
    quotes = s.quotes
    speakers = Counter(q.speaker for q in quotes if q.speaker)
    summary = s.summary
    return {
        "available": True,
        "quotes": len(quotes),
        "speakers": speakers.most_common(),
        "unnamed_quotes": sum(1 for q in quotes if not q.speaker and q.anonymous),
        "unattributed_quotes": sum(1 for q in quotes if not q.speaker and not q.anonymous),
        "named_attributions": summary.named_attributions,
        "anonymous_attributions": summary.anonymous_attributions,
        "anonymous_sources": [a.text for a in s.anonymous_sources],
        "named_sources": list(summary.named_sources),
        "quoted_share": summary.quoted_share,
        "outlets": list(summary.outlets),
    }


def technique_rows(a: Result, b: Result) -> list[dict[str, Any]]:
    """Per technique present in either: highlighted phrases and phrases per 1,000 words, for each side."""
    ca, cb = a.technique_counts(), b.technique_counts()
    rows = []
    for t in TECHNIQUES:
        if t.id in ca or t.id in cb:
            rows.append({"technique": t, "index": INDEX[t.id], "sides": [
                {"count": c.get(t.id, 0), "rate": 1000 * c.get(t.id, 0) / r.article.words if r.article.words else 0.0}
                for r, c in ((a, ca), (b, cb))]})
    return rows


def compare_context(a: Result, b: Result) -> dict[str, Any]:
    bands = result_bands(a)
    counts = Counter(a.technique_counts()) + Counter(b.technique_counts())
    legend = [{"index": INDEX[t.id], "technique": t, "count": counts[t.id]} for t in TECHNIQUES if counts[t.id]]
    return {
        "sides": [{"label": label, "result": r, "card": score_card(r), "body": article_body(r), "sourcing": sourcing_side(r)}
                  for label, r in (("A", a), ("B", b))],
        "techniques_rows": technique_rows(a, b), "legend": legend, "bands": band_views(bands),
        "by_id": BY_ID,
    }


def render_compare_html(a: Result, b: Result) -> str:
    """The compare view as one self-contained page."""
    env = environment()
    css = (TEMPLATES / "report.css").read_text() + (TEMPLATES / "compare.css").read_text()
    return env.get_template("compare_report.html.j2").render(css=Markup(css), **compare_context(a, b))
