"""The terminal view: spin density and its place, coloured spans, a key, each span with its why.

Everything fits the console's width (80 columns included): long texts wrap at spaces, and every
number is named where it is shown. `terminal_text` renders the same view as plain text for a file.
"""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from unspin.article import Result, Span
from unspin.render import reading
from unspin.render.pieces import pieces
from unspin.render.safe import terminal_safe_result
from unspin.techniques import BY_ID


class SentenceRows:
    """Rows of a number, a score and a wrapped text, drawn straight to segments.

    A rich `Table` measures every cell of every row, about 2 ms a row: minutes for an input
    of 100,000 one-word lines. These rows cost one wrap each.
    """

    def __init__(self, rows: list[tuple[str, str, Text]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        num_w = max((len(n) for n, _, _ in self.rows), default=1)
        score_w = max((len(s) for _, s, _ in self.rows), default=4)
        indent = num_w + 1 + score_w + 1
        width = max(options.max_width - indent, 10)
        blank = Segment(" " * indent)
        for num, score, line in self.rows:
            for i, part in enumerate(line.wrap(console, width)):
                if i:
                    yield blank
                else:
                    yield Segment(f"{num:>{num_w}} {score:<{score_w}} ", DIM)
                yield from part.render(console)
                yield Segment.line()


DIM = Style(dim=True)


def spans_by_sentence(result: Result) -> list[list[Span]]:
    """For each sentence, the spans that overlap it (one sweep over spans sorted by start)."""
    spans = sorted(result.spans, key=lambda s: s.start)
    out: list[list[Span]] = []
    active: list[Span] = []
    nxt = 0
    for sent in result.sentences:
        while nxt < len(spans) and spans[nxt].start < sent.end:
            active.append(spans[nxt])
            nxt += 1
        active = [s for s in active if s.end > sent.start]
        out.append([s for s in active if s.start < sent.end])
    return out


def highlighted(result: Result) -> SentenceRows:
    """The article, one sentence a row: its number, its score, its text with the spans coloured."""
    text = result.article.text
    rows: list[tuple[str, str, Text]] = []
    for sent_no, (sent, near) in enumerate(zip(result.sentences, spans_by_sentence(result), strict=True), 1):
        line = Text()
        for p in pieces(len(text), near, sent.start, sent.end):
            chunk = text[p.start : p.end].replace("\n", " ")
            top = p.top
            if top is None:
                line.append(chunk, style="bold" if sent.is_title else "")
            else:
                line.append(chunk, style=f"bold black on {BY_ID[top.technique].colour}")
        rows.append((str(sent_no), reading.conf_text(sent.score) if sent.score > 0 else "  - ", line))
    return SentenceRows(rows)


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
    for notice in reading.notices(result):
        head.append("\n" + notice, style="bold yellow")
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
    out.append("\n" + reading.LIMITS_HELP)
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
