"""The terminal view: spin density and its place, coloured spans, a key, each span with its why.

Everything fits the console's width (80 columns included): long texts wrap at spaces, and every
number is named where it is shown. `terminal_text` renders the same view as plain text for a file.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from unspin.article import Result
from unspin.render import reading
from unspin.render.pieces import pieces
from unspin.render.safe import terminal_safe_result
from unspin.techniques import BY_ID


def highlighted(result: Result) -> Table:
    """The article, one sentence a row: its number, its score, its text with the spans coloured."""
    text = result.article.text
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column(justify="right", no_wrap=True, style="dim")
    table.add_column(no_wrap=True, style="dim")
    table.add_column(ratio=1)
    for sent_no, sent in enumerate(result.sentences, 1):
        line = Text()
        for p in pieces(len(text), result.spans, sent.start, sent.end):
            chunk = text[p.start : p.end].replace("\n", " ")
            top = p.top
            if top is None:
                line.append(chunk, style="bold" if sent.is_title else "")
            else:
                line.append(chunk, style=f"bold black on {BY_ID[top.technique].colour}")
        table.add_row(str(sent_no), reading.conf_text(sent.score) if sent.score > 0 else "  - ", line)
    return table


def header(result: Result) -> Text:
    art = result.article
    head = Text(art.title or art.id, style="bold")
    meta = " · ".join(x for x in (art.outlet, art.url, art.published) if x)
    if meta:
        head.append(f"\n{meta}", style="dim")
    head.append("\nSpin density ", style="bold")
    head.append(f"{result.score:.1f}", style="bold reverse")
    head.append(f" {reading.UNIT}")
    place = reading.placement(result)
    head.append("\n" + (place or reading.no_reference_text(result)), style="" if place else "dim")
    quoted = reading.quoted_text(result)
    if quoted:
        head.append("\n" + quoted, style="dim")
    flagged = sum(1 for s in result.sentences if any(sp.start < s.end and sp.end > s.start for sp in result.spans))
    head.append(f"\n{reading.shown_text(result)} · {flagged} of {len(result.sentences)} sentences hold one",
                style="dim")
    head.append(f"\nmodel {result.model.name} {result.model.version}", style="dim")
    return head


def key(result: Result) -> Text:
    bands = reading.result_bands(result)
    out = Text("How sure: ", style="bold")
    for i, b in enumerate(reading.band_views(bands)):
        if i:
            out.append("; ")
        out.append(b.band.name, style="bold")
        out.append(f" ({b.range_text})")
        if b.measured:
            out.append(f" right {reading.times_in_ten(b.band.precision)}")
    out.append(f". {reading.CONFIDENCE_HELP}\n")
    out.append("Beside each sentence: ", style="bold")
    out.append("its number, then the highest confidence of any phrase the model weighed in it.\n")
    out.append(reading.DENSITY_HELP)
    return out


def legend(result: Result) -> Table:
    bands = reading.result_bands(result)
    table = Table(title="Techniques highlighted", title_justify="left", show_edge=False, box=None, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("technique", ratio=1)
    table.add_column("phrases", justify="right", no_wrap=True)
    table.add_column("most sure", no_wrap=True)
    for tid, n in result.technique_counts().items():
        best = max(s.confidence for s in result.spans if s.technique == tid)
        table.add_row(Text("  ", style=f"on {BY_ID[tid].colour}"), BY_ID[tid].name, str(n),
                      f"{bands.band(best).name} {reading.conf_text(best)}")
    return table


def span_list(result: Result) -> Group:
    bands = reading.result_bands(result)
    items: list[Text | Padding] = [Text("Highlighted phrases, and why", style="bold")]
    for s in result.spans:
        head = Text(f"{s.start}-{s.end} ", style="dim")
        head.append(BY_ID[s.technique].name, style=f"bold black on {BY_ID[s.technique].colour}")
        head.append(f" {reading.how_sure(bands, s.confidence)}")
        items.append(head)
        items.append(Padding(Text(f"“{' '.join(s.text.split())}”\n{s.explanation}"), (0, 0, 0, 2)))
    return Group(*items)


def render_terminal(result: Result, console: Console | None = None, show_spans: bool = True) -> None:
    """Print `result` on the terminal; escape sequences and controls from the article are removed first."""
    console = console or Console()
    result = terminal_safe_result(result)
    console.print(Panel(header(result), title="unspin", expand=True))
    console.print(key(result), style="dim")
    console.print(highlighted(result))
    console.print()
    if result.spans:
        console.print(legend(result))
    if show_spans and result.spans:
        console.print(span_list(result))
    if result.sourcing is not None:
        from unspin.render.sourcing_view import render_sourcing_terminal

        render_sourcing_terminal(result, console)
    if not result.spans:
        console.print(Group(Text("No phrase reaches the confidence threshold.", style="green")))


def terminal_text(result: Result, width: int = 80) -> str:
    """The terminal view as plain text (no colours), for `-o view.txt`."""
    buf = io.StringIO()
    render_terminal(result, Console(file=buf, width=width, color_system=None, force_terminal=False, emoji=False))
    return buf.getvalue()
