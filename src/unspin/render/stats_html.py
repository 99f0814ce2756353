"""The corpus statistics report: one self-contained HTML file with inline SVG charts.

No scripts, fonts or images are loaded from anywhere: the charts are SVG drawn
here, the CSS is inlined, so the file can be mailed or archived as it is. Every
string from the corpus (outlet names, titles, span texts) is escaped, by Jinja's
autoescape in the template and by `markupsafe.escape` in the SVG built here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from markupsafe import Markup, escape

from unspin.corpus.stats import ALL
from unspin.render.html import TEMPLATES, environment
from unspin.techniques import BY_ID, TECHNIQUE_IDS

# Outlet colours: distinct on white, none of them the technique colours' pure red.
OUTLET_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
                  "#bcbd22", "#393b79")
MAX_LINES = len(OUTLET_COLOURS)  # outlets drawn in the trend chart (the rest are in the tables)
WIDTH = 420  # SVG units; the CSS caps the drawn width so text stays a readable size


def technique_colour(technique: str) -> str:
    t = BY_ID.get(technique)
    return t.colour if t else "#444444"


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def _nice_step(x: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) at least `x`."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5):
        if x <= m * p:
            return m * p
    return 10 * p


def stacked_bars(rows: list[tuple[str, list[tuple[str, float]]]], unit: str) -> Markup:
    """Horizontal stacked bars, one per label, segments coloured by technique.

    Labels and values are HTML beside a text-free SVG bar, so they keep their size on
    a phone while the bar stretches to the width available.
    """
    if not rows:
        return Markup("")
    top = max(sum(v for _, v in segs) for _, segs in rows) or 1.0
    out = ['<div class="bars">']
    for label, segs in rows:
        total = sum(v for _, v in segs)
        rects = []
        x = 0.0
        for tech, v in segs:
            w = 100 * v / top
            if w <= 0:
                continue
            name = BY_ID[tech].name if tech in BY_ID else tech
            rects.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="10" fill="{technique_colour(tech)}">'
                         f"<title>{escape(label)}: {escape(name)} {_fmt(v)} {escape(unit)}</title></rect>")
            x += w
        out.append(
            f'<div class="barrow"><div class="lab">{escape(label)}</div>'
            f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
            f'aria-label="{escape(label)}: {_fmt(total)} {escape(unit)}">{"".join(rects)}</svg>'
            f'<span class="val">{_fmt(total)}</span></div>'
        )
    out.append("</div>")
    return Markup("".join(out))


def month_range(months: list[str]) -> list[str]:
    """Every calendar month from the first to the last, so gaps in coverage show as gaps."""
    if not months:
        return []
    y0, m0 = map(int, months[0].split("-"))
    y1, m1 = map(int, months[-1].split("-"))
    n = (y1 - y0) * 12 + (m1 - m0) + 1
    if n > 600:  # a stray date decades away: keep the months that have data
        return months
    return [f"{y0 + (m0 - 1 + k) // 12:04d}-{(m0 - 1 + k) % 12 + 1:02d}" for k in range(n)]


def line_chart(months: list[str], series: list[tuple[str, str, dict[str, float]]], unit: str) -> Markup:
    """Lines over months, one per (name, colour, {month: value}); a month without data breaks the line."""
    if not months or not series:
        return Markup("")
    left, right, top_m, bottom = 36, 8, 8, 24
    height = 220
    plot_w, plot_h = WIDTH - left - right, height - top_m - bottom
    step = _nice_step(max((v for _, _, vals in series for v in vals.values()), default=0.0) / 4)
    n_ticks = max(1, math.ceil(max((v for _, _, vals in series for v in vals.values()), default=0.0) / step))
    top = step * n_ticks
    n = len(months)

    def xy(k: int, v: float) -> tuple[float, float]:
        x = left + (plot_w * (k + 0.5) / n)
        return x, top_m + plot_h * (1 - v / top)

    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="trend per month, '
           f'{escape(unit)}">']
    for j in range(n_ticks + 1):
        v = step * j
        y = top_m + plot_h * (1 - j / n_ticks)
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_fmt(v)}</text>')
    every = max(1, math.ceil(n / 6))
    for k in range(0, n, every):
        x, _ = xy(k, 0)
        out.append(f'<text x="{x:.1f}" y="{height - 10}" class="tick" text-anchor="middle">{escape(months[k])}</text>')
    for name, colour, vals in series:
        run: list[str] = []
        runs: list[list[str]] = []
        for k, m in enumerate(months):
            if m in vals:
                x, y = xy(k, vals[m])
                run.append(f"{x:.1f},{y:.1f}")
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                           f"<title>{escape(name)}, {escape(m)}: {_fmt(vals[m])} {escape(unit)}</title></circle>")
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                out.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _mix_rows(stats: dict[str, Any]) -> list[tuple[str, list[tuple[str, float]]]]:
    by_outlet: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for t in stats["techniques"]:
        by_outlet[t["outlet"]].append((t["technique"], t["spans_per_1k_words"]))
    order = [ALL] + [o["outlet"] for o in stats["outlets"]]
    rank = {t: i for i, t in enumerate(TECHNIQUE_IDS)}
    return [(o, sorted(by_outlet.get(o, []), key=lambda s: rank.get(s[0], 99))) for o in order]


def _outlet_colours(stats: dict[str, Any]) -> dict[str, str]:
    ranked = sorted(stats["outlets"], key=lambda o: (-o["articles"], o["outlet"]))[:MAX_LINES]
    return {o["outlet"]: OUTLET_COLOURS[i] for i, o in enumerate(ranked)}


def _matrix(stats: dict[str, Any]) -> dict[str, Any]:
    """Technique x outlet spans per 1,000 words, with a 0-1 shade per cell for the heat map."""
    outlets = [ALL] + [o["outlet"] for o in stats["outlets"]]
    cells = {(t["outlet"], t["technique"]): t for t in stats["techniques"]}
    present = {t["technique"] for t in stats["techniques"]}
    techs = [t for t in TECHNIQUE_IDS if t in present] + sorted(present - set(TECHNIQUE_IDS))
    peak = max((t["spans_per_1k_words"] for t in stats["techniques"]), default=0.0) or 1.0
    rows = []
    for tech in techs:
        row = []
        for o in outlets:
            c = cells.get((o, tech))
            v = c["spans_per_1k_words"] if c else 0.0
            row.append({"value": v, "shade": round(v / peak, 3), "cell": c})
        rows.append({"technique": tech, "name": BY_ID[tech].name if tech in BY_ID else tech,
                     "colour": technique_colour(tech), "cells": row})
    return {"outlets": outlets, "rows": rows}


def render_stats_html(stats: dict[str, Any], title: str = "unspin corpus statistics", max_stories: int = 50) -> str:
    env = environment()
    css = (TEMPLATES / "stats_report.css").read_text(encoding="utf-8")
    months = month_range(stats["months"])
    colours = _outlet_colours(stats)
    outlet_series = []
    for outlet, colour in colours.items():
        vals = {t["month"]: t["spans_per_1k_words"] for t in stats["trend"] if t["outlet"] == outlet}
        outlet_series.append((outlet, colour, vals))
    tech_vals: dict[str, dict[str, float]] = defaultdict(dict)
    for t in stats["trend_techniques"]:
        if t["outlet"] == ALL:
            tech_vals[t["technique"]][t["month"]] = t["spans_per_1k_words"]
    tech_series = [
        (BY_ID[t].name if t in BY_ID else t, technique_colour(t), tech_vals[t])
        for t in sorted(tech_vals, key=lambda t: TECHNIQUE_IDS.index(t) if t in TECHNIQUE_IDS else 99)
    ]
    top_spans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in stats["top_spans"]:
        top_spans[r["technique"]].append(r)
    present = sorted({t["technique"] for t in stats["techniques"]},
                     key=lambda t: TECHNIQUE_IDS.index(t) if t in TECHNIQUE_IDS else 99)
    return env.get_template("stats_report.html.j2").render(
        title=title,
        stats=stats,
        css=Markup(css),
        all_label=ALL,
        mix_chart=stacked_bars(_mix_rows(stats), "spans per 1,000 words"),
        legend=[(BY_ID[t].name if t in BY_ID else t, technique_colour(t)) for t in present],
        outlet_chart=line_chart(months, outlet_series, "spans per 1,000 words"),
        outlet_legend=list(colours.items()),
        more_outlets=max(0, len(stats["outlets"]) - len(colours)),
        tech_chart=line_chart(months, tech_series, "spans per 1,000 words"),
        matrix=_matrix(stats),
        top_spans=[(t, BY_ID[t].name if t in BY_ID else t, technique_colour(t), rows) for t, rows in top_spans.items()],
        trend_all=[t for t in stats["trend"] if t["outlet"] == ALL],
        technique_colour=technique_colour,
        stories=stats.get("stories", [])[:max_stories],
    )
