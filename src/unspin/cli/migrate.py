"""`unspin migrate`: bring a results store written before 2026-11-29 to the current layout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from unspin.cli.exits import user_errors


def migrate(
    db: Annotated[Path, typer.Argument(help="Results store (DuckDB file) written by an older `unspin batch`.")],
) -> None:
    """Move each stored full result into FILE.results.jsonl and drop the old unique indexes; safe to rerun."""
    with user_errors():
        from unspin.corpus.migrate import migrate as run

        done = run(db)
        if not done.changed:
            typer.echo(f"{db}: already in the current layout; nothing to do", err=True)
            return
        counts = ", ".join(f"{n:,} {table}" for table, n in done.rows.items())
        typer.echo(f"{db}: migrated ({counts}); full results now in {db}.results.jsonl", err=True)


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
