"""The HTML view: one self-contained page (no external assets), readable on a phone.

`view_context` (the article body, legend, score card and key) is shared with the web app and the
compare view, so the report and the web pages draw the spans identically. All article text passes
through `markupsafe.escape`; nothing from the article is ever inserted unescaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from unspin.article import Result, Span
from unspin.confidence import Bands
from unspin.render import reading
from unspin.render.pieces import pieces
from unspin.segment import lines
from unspin.techniques import BY_ID, TECHNIQUE_IDS, TECHNIQUES

TEMPLATES = Path(__file__).parent / "templates"
INDEX = {t: i for i, t in enumerate(TECHNIQUE_IDS)}


def environment(*extra_dirs: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in (*extra_dirs, TEMPLATES)]),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.globals.update(techniques=TECHNIQUES, tech_index=INDEX, by_id=BY_ID, reading=reading)
    return env


def _tip(span: Span, bands: Bands) -> str:
    t = BY_ID[span.technique]
    return (f'<span class="tip-head"><b>{escape(t.name)}</b> · {escape(reading.how_sure(bands, span.confidence))}</span>'
            f'<span class="tip-why">{escape(span.explanation)}</span>'
            f'<span class="tip-def">{escape(t.definition)}</span>')


def _label(span: Span, bands: Bands) -> str:
    return f"{BY_ID[span.technique].name}, {reading.how_sure(bands, span.confidence)}. {span.explanation}"


def _mark(result: Result, a: int, b: int, spans: tuple[Span, ...], bands: Bands) -> str:
    text = escape(result.article.text[a:b])
    if not spans:
        return str(text)
    top = max(spans, key=lambda s: s.confidence)
    idx = " ".join(f"t{INDEX[s.technique]}" for s in spans)
    tips = "".join(f'<span class="tip-item">{_tip(s, bands)}</span>' for s in sorted(spans, key=lambda s: -s.confidence))
    label = " ".join(_label(s, bands) for s in spans)
    colour = BY_ID[top.technique].colour
    return (
        f'<mark class="span b-{escape(bands.band(top.confidence).name)}" tabindex="0" data-tech="{idx}" '
        f'style="--c:{colour}" aria-label="{escape(label)}">{text}<span class="tip" role="tooltip">{tips}</span></mark>'
    )


def _gs(cls: str, score: float, title: str, bands: Bands) -> str:
    band = bands.band(score).name if score > 0 else "none"
    shown = reading.conf_text(score) if score > 0 else "–"  # as the terminal: nothing weighed is no score, not 0.00
    return f'<span class="gs {cls} b-{escape(band)}" title="{escape(title)}">{shown}</span>'


def _gutter(sent_score: float, techniques: dict[str, float], bands: Bands, listed: list[str]) -> str:
    """The sentence's score, and one per listed technique for the CSS filter to swap in."""
    parts = [_gs("all", sent_score, reading.sentence_title(bands, sent_score), bands)]
    for t in listed:
        if t in techniques:
            parts.append(_gs(f"t{INDEX[t]}", techniques[t], reading.sentence_title(bands, techniques[t], t), bands))
    parts.append('<span class="gs none" title="No phrase of this technique in this sentence">–</span>')
    return f'<span class="gutter">{"".join(parts)}</span>'


def article_body(result: Result) -> Markup:
    """Paragraphs of sentences, each sentence with its score in a gutter, spans marked."""
    text = result.article.text
    sents = result.sentences
    bands = reading.result_bands(result)
    listed = [item["technique"].id for item in legend_items(result)]
    out: list[str] = []
    k = 0
    for _, lb in lines(text):
        rows: list[str] = []
        while k < len(sents) and sents[k].start < lb:
            s = sents[k]
            k += 1
            inner = "".join(_mark(result, p.start, p.end, p.spans, bands)
                            for p in pieces(len(text), result.spans, s.start, s.end))
            cls = "sent title" if s.is_title else "sent"
            techs = " ".join(f"t{INDEX[t]}" for t in s.techniques if t in INDEX)
            rows.append(
                f'<div class="{cls}" data-start="{s.start}" data-end="{s.end}" data-techs="{techs}">'
                f'{_gutter(s.score, s.techniques, bands, listed)}'
                f'<span class="stext">{inner}</span></div>'
            )
        if rows:
            out.append('<div class="para">' + "".join(rows) + "</div>")
    return Markup("\n".join(out))


def legend_items(result: Result) -> list[dict[str, Any]]:
    counts = result.technique_counts()
    return [
        {"index": INDEX[t.id], "technique": t, "count": counts.get(t.id, 0)}
        for t in TECHNIQUES
        if counts.get(t.id, 0)
    ]


def score_card(result: Result) -> dict[str, Any]:
    """What the header says about the article score, each number with its words."""
    d = result.score_detail
    share = d.share_below if d is not None else None
    return {
        "density": f"{result.score:.1f}",
        "unit": reading.UNIT,
        "help": reading.DENSITY_HELP,
        "limits": reading.LIMITS_HELP,
        "notices": reading.notices(result),
        "expected": f"{d.expected_phrases:.1f}" if d else None,
        "quoted": reading.quoted_text(result),
        "words": d.words if d else result.article.words,
        "placement": reading.placement(result),
        "no_reference": reading.no_reference_text(result) if share is None else None,
        # the marker sits in the middle of the articles that tie with this one
        "percent": round(50 * (share + 1 - (d.share_above or 0.0)), 1) if d is not None and share is not None else None,
        "shown": reading.shown_text(result),
        "flagged": sum(1 for s in result.sentences if any(sp.start < s.end and sp.end > s.start for sp in result.spans)),
        "sentences": len(result.sentences),
    }


def view_context(result: Result) -> dict[str, Any]:
    """Everything article_view.html.j2 needs."""
    bands = reading.result_bands(result)
    return {
        "result": result, "body": article_body(result), "legend": legend_items(result), "card": score_card(result),
        "bands": reading.band_views(bands), "bands_measured": bands.measured_on,
        "how_sure": lambda c: reading.how_sure(bands, c), "band_of": bands.band,
        "sourcing": result.sourcing.to_dict() if result.sourcing is not None else None,
    }


def render_html(result: Result) -> str:
    env = environment()
    css = (TEMPLATES / "report.css").read_text()
    return env.get_template("report.html.j2").render(css=Markup(css), **view_context(result))
