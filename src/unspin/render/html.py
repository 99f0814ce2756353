"""The HTML view: one self-contained page (no external assets), readable on a phone.

`article_body` and `legend_items` are shared with the web app, so the report and
the web page draw the spans identically. All article text passes through
`markupsafe.escape`; nothing from the article is ever inserted unescaped.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from unspin.article import Result
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
    env.globals.update(techniques=TECHNIQUES, tech_index=INDEX, by_id=BY_ID)
    return env


def _mark(result: Result, a: int, b: int, spans) -> str:
    text = escape(result.article.text[a:b])
    if not spans:
        return str(text)
    top = max(spans, key=lambda s: s.confidence)
    idx = " ".join(f"t{INDEX[s.technique]}" for s in spans)
    tip = "; ".join(
        f"{BY_ID[s.technique].name} · confidence {s.confidence:.2f} — {BY_ID[s.technique].definition}" for s in spans
    )
    colour = BY_ID[top.technique].colour
    return (
        f'<mark class="span" tabindex="0" data-tech="{idx}" style="--c:{colour}" '
        f'aria-label="{escape(tip)}">{text}<span class="tip" role="tooltip">{escape(tip)}</span></mark>'
    )


def article_body(result: Result) -> Markup:
    """Paragraphs of sentences, each sentence with its score in a gutter, spans marked."""
    text = result.article.text
    sents = result.sentences
    out: list[str] = []
    k = 0
    for _, lb in lines(text):
        rows: list[str] = []
        while k < len(sents) and sents[k].start < lb:
            s = sents[k]
            k += 1
            inner = "".join(_mark(result, p.start, p.end, p.spans) for p in pieces(len(text), result.spans, s.start, s.end))
            level = "hi" if s.score >= 0.6 else "mid" if s.score >= 0.3 else "lo" if s.score > 0 else "none"
            cls = "sent title" if s.is_title else "sent"
            rows.append(
                f'<div class="{cls}" data-start="{s.start}" data-end="{s.end}">'
                f'<span class="gutter g-{level}" title="sentence score {s.score:.2f}">{s.score:.2f}</span>'
                f'<span class="stext">{inner}</span></div>'
            )
        if rows:
            out.append('<div class="para">' + "".join(rows) + "</div>")
    return Markup("\n".join(out))


def legend_items(result: Result) -> list[dict]:
    counts = result.technique_counts()
    return [
        {"index": INDEX[t.id], "technique": t, "count": counts.get(t.id, 0)}
        for t in TECHNIQUES
        if counts.get(t.id, 0)
    ]


def render_html(result: Result) -> str:
    env = environment()
    css = (TEMPLATES / "report.css").read_text()
    return env.get_template("report.html.j2").render(
        result=result, body=article_body(result), legend=legend_items(result), css=Markup(css),
        sourcing=result.sourcing.to_dict() if hasattr(result.sourcing, "to_dict") else result.sourcing,
    )
