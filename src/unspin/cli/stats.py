"""`unspin stats`: per-outlet and per-technique statistics of a results store, and story comparison."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from unspin.cli.exits import user_errors
from unspin.corpus.selection import MAX_OUTLETS
from unspin.errors import UnspinError

DATE_FORMATS = ["%Y-%m-%d"]


def stats(
    db: Annotated[Path, typer.Option("--db", help="Results store written by `unspin batch` (DuckDB file).")],
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report with charts.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write every table as CSV into this folder.")] = None,
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Write every table as Parquet into this folder.")]
    = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write all statistics as one JSON file.")] = None,
    stories: Annotated[bool, typer.Option("--stories", help="Group articles into stories and compare outlets.")] = False,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", metavar="<str>", help="Only this outlet (repeat for several).")] = None,
    since: Annotated[datetime | None, typer.Option(formats=DATE_FORMATS, metavar="<YYYY-MM-DD>", help="Published on or after (YYYY-MM-DD).")]
    = None,
    until: Annotated[datetime | None, typer.Option(formats=DATE_FORMATS, metavar="<YYYY-MM-DD>", help="Published on or before (YYYY-MM-DD).")]
    = None,
    model_version: Annotated[str | None, typer.Option(help="Only analyses by this model version.")] = None,
    top: Annotated[int, typer.Option("--top", help="Most frequent span texts to list per technique.")] = 10,
    max_outlets: Annotated[int, typer.Option(help="Outlets listed in the terminal tables, those with the most "
                                             "articles (0: all). Files hold all.")] = MAX_OUTLETS,
    story_threshold: Annotated[float, typer.Option(help="TF-IDF cosine that links two articles (0-1).")] = 0.25,
    story_window: Annotated[int, typer.Option(help="Most days between two articles of one story.")] = 3,
    story_min_outlets: Annotated[int, typer.Option(help="Show stories covered by at least this many outlets.")] = 2,
    story_min_shared: Annotated[int, typer.Option(help="Shared distinctive terms a link needs.")] = 3,
    show_stories: Annotated[int, typer.Option(help="Stories shown in the terminal and the HTML report (files hold all).")]
    = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal tables (only the files asked for).")]
    = False,
) -> None:
    """Which outlets use which techniques, how often, and over time; with --stories, one story across outlets."""
    with user_errors():
        from rich.console import Console

        from unspin.corpus.stats import StatsFilter, compute_stats, open_results
        from unspin.corpus.stories import StoryOptions

        flt = StatsFilter(
            outlets=tuple(outlet or ()), since=since.date() if since else None, until=until.date() if until else None,
            model_version=model_version,
        )
        if show_stories < 0:
            raise UnspinError("--show-stories must be 0 or more")
        if max_outlets < 0:
            raise UnspinError("--max-outlets must be 0 or more")
        opts = StoryOptions(threshold=story_threshold, window_days=story_window, min_outlets=story_min_outlets,
                            min_shared_terms=story_min_shared)
        err = Console(stderr=True)
        with open_results(db) as con, err.status("computing statistics…"):
            result = compute_stats(con, flt, top=top, stories=stories, story_options=opts)
        if not quiet:
            from unspin.render.stats_terminal import render_stats_terminal

            render_stats_terminal(result, max_stories=show_stories, max_outlets=max_outlets)
        elif not result["articles"]:
            err.print("no articles match" + (" the filter" if any(flt.to_dict().values()) else " (the store is empty)"))
        _write_outputs(result, html, csv, parquet, json_out, err, show_stories)


def _write_text(path: Path, content: str) -> None:
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as e:
        raise UnspinError(f"{path}: cannot write ({e.strerror})") from None


def _write_outputs(result: dict, html: Path | None, csv: Path | None, parquet: Path | None, json_out: Path | None,
                   err, show_stories: int) -> None:
    if html is not None:
        from unspin.render.stats_html import render_stats_html

        _write_text(html, render_stats_html(result, max_stories=show_stories))
        err.print(f"wrote {html}")
    if json_out is not None:
        _write_text(json_out, json.dumps(result, indent=2, ensure_ascii=False))
        err.print(f"wrote {json_out}")
    for folder, fmt in ((csv, "csv"), (parquet, "parquet")):
        if folder is not None:
            from unspin.corpus.export import export_tables

            files = export_tables(result, folder, fmt)
            err.print(f"wrote {len(files)} {fmt} files to {folder}")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
