"""Corpus statistics as rich terminal tables, readable at 80 columns.

Every corpus string goes in as a `Text`, never as markup, so an outlet called
"[red]x" prints as written. Number columns never wrap (their headers break at
a newline of their own, never inside a word); text columns wrap at spaces and
take the width that is left, so outlet names are not cut mid-word at 80 columns.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspin.corpus.selection import MAX_OUTLETS, largest_outlets
from unspin.corpus.stats import ALL
from unspin.techniques import BY_ID

MONTH_COLUMNS = 6  # outlets shown side by side in the monthly table, when the terminal is wide enough
SCORE_NOTE = ("density: mean spin density, the propaganda phrases expected to be right per 1,000 words outside "
              "quotes (each span counts its confidence, so it is below /1k words; stores written before result "
              "schema 3.0 hold the old 0-1 article score)")


def _table(title: str | Text, caption: str | None = None) -> Table:
    return Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=title, title_justify="left",
                 caption=caption, caption_justify="left", padding=(0, 1, 0, 0))


def _num(table: Table, header: str) -> None:
    table.add_column(header, justify="right", no_wrap=True)


def _text(table: Table, header: str, min_width: int = 12) -> None:
    table.add_column(header, ratio=1, min_width=min_width, overflow="fold")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _swatch(technique: str) -> Text:
    t = BY_ID.get(technique)
    return Text("  ", style=f"on {t.colour}") if t else Text("  ")


def _hidden_note(hidden: int) -> str:
    return f". {hidden:,} smaller outlets not shown (--max-outlets 0 shows all; --csv writes all)." if hidden else ""


def outlets_table(stats: dict[str, Any], max_outlets: int | None = MAX_OUTLETS) -> Table:
    shown, hidden = largest_outlets(stats["outlets"], max_outlets)
    table = _table("Outlets", "/1k words: every span the model weighed, faint ones and quotes included, per 1,000 words; "
                   "% sents: sentences holding a span; " + SCORE_NOTE
                   + _hidden_note(hidden))
    _text(table, "outlet", 14)
    for name in ("articles", "undated", "words", "spans", "/1k\nwords", "%\nsents", "density"):
        _num(table, name)
    for r in [stats["overall"], *shown]:
        table.add_row(
            Text(r["outlet"], style="bold" if r["outlet"] == ALL else ""), f"{r['articles']:,}", f"{r['undated']:,}",
            f"{r['words']:,}", f"{r['spans']:,}", f"{r['spans_per_1k_words']:.2f}", _pct(r["flagged_share"]),
            f"{r['mean_score']:.3f}", end_section=r["outlet"] == ALL,
        )
    return table


def techniques_table(stats: dict[str, Any], max_outlets: int | None = MAX_OUTLETS) -> Table:
    """One section per outlet (its name on a row of its own), one row per technique."""
    shown, hidden = largest_outlets(stats["outlets"], max_outlets)
    names = {o["outlet"] for o in shown} | {ALL}
    table = _table("Techniques per outlet",
                   "art.: articles using it; /1k w: spans per 1,000 words; %spans: of the outlet's spans; "
                   "%sents: sentences holding it; density: mean spin density of the articles using it"
                   + _hidden_note(hidden))
    table.add_column("", no_wrap=True)
    _text(table, "outlet / technique", 16)
    for name in ("art.", "spans", "/1k w", "%spans", "%sents", "density"):
        _num(table, name)
    rows = [r for r in stats["techniques"] if r["outlet"] in names]
    for i, r in enumerate(rows):
        if i == 0 or rows[i - 1]["outlet"] != r["outlet"]:
            table.add_row("", Text(r["outlet"], style="bold"), *[""] * 6)
        last = i == len(rows) - 1 or rows[i + 1]["outlet"] != r["outlet"]
        table.add_row(
            _swatch(r["technique"]), Text(r["name"]), str(r["articles"]), str(r["spans"]),
            f"{r['spans_per_1k_words']:.2f}", _pct(r["share_of_spans"]), _pct(r["flagged_share"]),
            f"{r['mean_score']:.3f}", end_section=last,
        )
    return table


def trend_table(stats: dict[str, Any], width: int = 80) -> Table:
    fits = max(0, min(MONTH_COLUMNS, (width - 36) // 10))  # month and four numbers take ~36 columns, an outlet ~10
    shown = sorted(stats["outlets"], key=lambda o: (-o["articles"], o["outlet"]))[:fits]  # largest first
    hidden = len(stats["outlets"]) - len(shown)
    caption = "Outlet columns: spans per 1,000 words."
    if hidden:
        caption += f" {hidden} smaller outlets not shown (see --csv)."
    undated = stats["overall"]["undated"]
    if undated:
        caption += f" {undated} undated article{'s are' if undated != 1 else ' is'} not counted here."
    table = _table("Per month (by published date)", caption + " density: mean spin density.")
    table.add_column("month", no_wrap=True)
    for name in ("articles", "/1k\nwords", "%\nsents", "density"):
        _num(table, name)
    for o in shown:
        table.add_column(Text(o["outlet"]), justify="right", min_width=7, overflow="fold")
    cells = {(t["month"], t["outlet"]): t for t in stats["trend"]}
    for m in stats["months"]:
        a = cells[(m, ALL)]
        per = [cells.get((m, o["outlet"])) for o in shown]
        table.add_row(
            m, str(a["articles"]), f"{a['spans_per_1k_words']:.2f}", _pct(a["flagged_share"]), f"{a['mean_score']:.3f}",
            *[f"{c['spans_per_1k_words']:.2f}" if c else "–" for c in per],
        )
    return table


def top_spans_table(stats: dict[str, Any]) -> Table:
    table = _table(f"Most frequent span texts (top {stats['top']} per technique)")
    table.add_column("", no_wrap=True)
    _text(table, "technique", 12)
    _text(table, "text", 14)
    for name in ("times", "articles", "outlets"):
        _num(table, name)
    rows = stats["top_spans"]
    for i, r in enumerate(rows):
        first = i == 0 or rows[i - 1]["technique"] != r["technique"]
        last = i == len(rows) - 1 or rows[i + 1]["technique"] != r["technique"]
        table.add_row(
            _swatch(r["technique"]) if first else "", Text(r["name"] if first else ""), Text(r["text"]),
            str(r["count"]), str(r["articles"]), str(r["outlets"]), end_section=last,
        )
    return table


def story_table(story: dict[str, Any]) -> Table:
    dates = story["first"] or "undated"
    if story["last"] and story["last"] != story["first"]:
        dates += f" to {story['last']}"
    title = Text(f"Story {story['story']}: ", style="bold")
    title.append(Text(story["label"] or "", style="bold"))
    title.append(Text(f"  ({dates}; {', '.join(story['keywords'])})", style="dim"))
    table = _table(title)
    _text(table, "outlet", 10)
    for name in ("articles", "density", "/1k\nwords", "%\nsents"):
        _num(table, name)
    _text(table, "techniques", 12)
    _text(table, "headline", 12)
    for o in story["outlets"]:
        mix = Text("\n".join(f"{BY_ID[t].name if t in BY_ID else t} {n}" for t, n in o["techniques"].items()))
        heads = Text("\n".join(a["title"] or a["id"] for a in o["articles"]))
        table.add_row(
            Text(o["outlet"]), str(len(o["articles"])), f"{o['mean_score']:.3f}", f"{o['spans_per_1k_words']:.2f}",
            _pct(o["flagged_share"]), mix, heads,
        )
    return table


def render_stats_terminal(stats: dict[str, Any], console: Console | None = None, max_stories: int = 20,
                          max_outlets: int | None = MAX_OUTLETS) -> None:
    """The corpus statistics as terminal tables; the outlet tables list the `max_outlets` outlets with the
    most articles (None or 0: all)."""
    console = console or Console()
    if not stats["articles"]:
        console.print("no articles match" + (" the filter" if any(stats["filter"].values()) else " (the store is empty)"))
        return
    console.print(outlets_table(stats, max_outlets))
    if stats["techniques"]:
        console.print(techniques_table(stats, max_outlets))
    if stats["months"]:
        console.print(trend_table(stats, console.width))
    else:
        console.print(Text("No article has a publication date: no monthly trend.", style="dim"))
    if stats["top_spans"]:
        console.print(top_spans_table(stats))
    if "stories" in stats:
        opts = stats["story_options"]
        if not stats["stories"]:
            console.print(f"No story is covered by {opts['min_outlets']} or more outlets "
                          f"(threshold {opts['threshold']}, window {opts['window_days']} days).")
        for s in stats["stories"][:max_stories]:
            console.print(story_table(s))
        hidden = len(stats["stories"]) - max_stories
        if hidden > 0:
            console.print(Text(f"{hidden} more stories not shown (--show-stories, or all of them with --csv/--json).",
                               style="dim"))
