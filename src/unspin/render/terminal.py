"""The terminal view: coloured spans, a legend, sentence scores, the article score."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from unspin.article import Result
from unspin.render.pieces import pieces
from unspin.render.safe import terminal_safe_result
from unspin.techniques import BY_ID


def _bar(score: float, width: int = 10) -> str:
    filled = round(score * width)
    return "█" * filled + "·" * (width - filled)


def highlighted(result: Result) -> Text:
    text = result.article.text
    out = Text()
    for sent_no, sent in enumerate(result.sentences, 1):
        gutter = Text(f"{sent_no:>3} {_bar(sent.score, 5)} ", style="dim")
        out.append_text(gutter)
        for p in pieces(len(text), result.spans, sent.start, sent.end):
            chunk = text[p.start : p.end].replace("\n", " ")
            top = p.top
            if top is None:
                out.append(chunk, style="bold" if sent.is_title else "")
            else:
                out.append(chunk, style=f"bold black on {BY_ID[top.technique].colour}")
        out.append("\n")
    return out


def legend(result: Result) -> Table:
    table = Table(title="Techniques found", show_edge=False, box=None, pad_edge=False)
    table.add_column("")
    table.add_column("technique")
    table.add_column("spans", justify="right")
    table.add_column("max conf.", justify="right")
    for tid, n in result.technique_counts().items():
        best = max(s.confidence for s in result.spans if s.technique == tid)
        table.add_row(Text("  ", style=f"on {BY_ID[tid].colour}"), BY_ID[tid].name, str(n), f"{best:.2f}")
    return table


def render_terminal(result: Result, console: Console | None = None, show_spans: bool = True) -> None:
    """Print `result` on the terminal; escape sequences and controls from the article are removed first."""
    console = console or Console()
    result = terminal_safe_result(result)
    art = result.article
    head = Text(art.title or art.id, style="bold")
    meta = " · ".join(x for x in (art.outlet, art.url, art.published) if x)
    if meta:
        head.append(f"\n{meta}", style="dim")
    head.append(f"\nArticle score {result.score:.2f} {_bar(result.score)}   "
                f"{len(result.spans)} spans · {sum(1 for s in result.sentences if s.score > 0)}/{len(result.sentences)} "
                f"sentences flagged · model {result.model.name} {result.model.version}")
    console.print(Panel(head, title="unspin", expand=True))
    console.print(highlighted(result))
    if result.spans:
        console.print(legend(result))
    if show_spans and result.spans:
        table = Table(title="Spans", show_lines=False)
        for col in ("start", "end", "technique", "conf.", "text"):
            table.add_column(col, justify="right" if col in ("start", "end", "conf.") else "left")
        for s in result.spans:
            table.add_row(str(s.start), str(s.end), BY_ID[s.technique].name, f"{s.confidence:.2f}",
                          " ".join(s.text.split())[:70])
        console.print(table)
    if result.sourcing is not None:
        from unspin.render.sourcing_view import render_sourcing_terminal

        render_sourcing_terminal(result, console)
    if not result.spans:
        console.print(Group(Text("No propaganda techniques found above the confidence threshold.", style="green")))
