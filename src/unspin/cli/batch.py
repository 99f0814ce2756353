"""`unspin batch`: analyse a corpus into a DuckDB file, resumable, on all cores or on Ray."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class EngineKind(StrEnum):
    local = "local"
    ray = "ray"


class RateColumn(ProgressColumn):
    """Articles per second, averaged over the last half minute (rich's own estimate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("  -  art/s" if speed is None else f"{speed:6.1f} art/s", style="cyan")


class RichProgress:
    """The batch progress bar on stderr: done/total, articles/s, elapsed, ETA."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("[bold]analysing"), BarColumn(), MofNCompleteColumn(), RateColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=False,
        )
        self.task = self.bar.add_task("batch", total=None)

    def __enter__(self) -> RichProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.bar.__exit__(et, ev, tb)

    def advance(self, n: int = 1) -> None:
        self.bar.advance(self.task, n)

    def set_total(self, total: int) -> None:
        self.bar.update(self.task, total=total)


def register(app: typer.Typer) -> None:
    @app.command()
    def batch(
        inputs: Annotated[list[str], typer.Argument(
            help="Folders of .txt/.html files; .jsonl, .csv or .warc(.gz) files; RSS/Atom feeds (.rss, .atom, .xml, "
                 "or an http(s) URL); lists of URLs (.urls, or a .txt of URLs).", show_default=False)],
        db: Annotated[Path, typer.Option("--db", help="DuckDB results file (created if missing).")],
        workers: Annotated[int | None, typer.Option(help="Worker processes / Ray actors (default: all cores).")] = None,
        engine: Annotated[EngineKind, typer.Option(help="Where to run the model.")] = EngineKind.local,
        ray_address: Annotated[str | None, typer.Option(
            help="Ray cluster to join, e.g. 10.0.0.5:6379 (default: start a local one on 127.0.0.1).")] = None,
        text_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the article text [default: text, content, body, ...]", show_default=False)] = None,
        id_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the article id [default: id, article_id, guid, ...]", show_default=False)] = None,
        title_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the title [default: title, headline, ...]", show_default=False)] = None,
        url_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the URL [default: url, link, ...]", show_default=False)] = None,
        outlet_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the outlet [default: outlet, source, publisher, ...]", show_default=False)] = None,
        published_column: Annotated[str | None, typer.Option(
            help="JSONL/CSV field with the publication date [default: published, date, pubDate, ...]",
            show_default=False)] = None,
        delimiter: Annotated[str | None, typer.Option(
            help="CSV field separator, e.g. ';' or tab [default: sniffed from the header row]", show_default=False)] = None,
        delay: Annotated[float, typer.Option(
            help="Feeds and URL lists: seconds between two requests to one host (robots.txt may ask for more).")] = 1.0,
        allow_private_urls: Annotated[bool, typer.Option(
            "--allow-private-urls", help="Feeds and URL lists: allow fetching private and loopback addresses.")] = False,
        model: Annotated[Path | None, typer.Option("--model", help="Model directory (default: the shipped model).")] = None,
        limit: Annotated[int | None, typer.Option(help="Read only the first N records of the inputs.")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Analyse a corpus into a DuckDB file; rerun the same command to resume after any interruption."""
        from unspin.cli.exits import user_errors

        with user_errors():
            from unspin.corpus.batch import run_batch
            from unspin.corpus.readers import Columns, delimiter_option
            from unspin.errors import UnspinError
            from unspin.load.polite import Politeness

            console = Console(stderr=True)
            if engine is EngineKind.local and ray_address:
                raise UnspinError("--ray-address needs --engine ray")
            if not delay >= 0:
                raise UnspinError("--delay must be 0 or more seconds")
            columns = Columns(text=text_column, id=id_column, title=title_column, url=url_column,
                              outlet=outlet_column, published=published_column)
            summary = run_batch(
                inputs, db, columns=columns, engine=engine.value, workers=workers, model_dir=model, limit=limit,
                ray_address=ray_address, progress_factory=None if quiet else (lambda: RichProgress(console)),
                delimiter=delimiter_option(delimiter), politeness=Politeness(delay=delay),
                allow_private_urls=allow_private_urls,
            )
            line = (f"{summary.read} read, {summary.stored} stored, {summary.skipped} already stored, "
                    f"{summary.errors} errors, in {summary.seconds:.1f}s -> {db}")
            if summary.interrupted:
                console.print(f"interrupted: {line}; run the same command again to resume", highlight=False, soft_wrap=True)
                raise typer.Exit(130)
            console.print(f"{line}  [{summary.engine}]", highlight=False, markup=False, soft_wrap=True)
            if summary.repaired:
                console.print(f"{summary.repaired} unencodable character(s) (lone surrogates) replaced with U+FFFD",
                              highlight=False, markup=False)
            if summary.errors:
                console.print(f"see the errors table: SELECT * FROM errors  (duckdb {db})", highlight=False)
