"""`unspin serve`: the web app and HTTP API under uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from unspin.errors import UnspinError


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Keep 127.0.0.1 unless a proxy sits in front.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: Annotated[Path | None, typer.Option("--db", help="A DuckDB store from `unspin batch`: enables articles, stats and the corpus view.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes, each with its own copy of the model.")] = 1,
    threads: Annotated[int, typer.Option(help="Analysis threads per worker (0: the cores divided among the workers).")] = 0,
    timeout: Annotated[float, typer.Option(help="Seconds a request may wait for its analysis, queueing included.")] = 60.0,
    queue_seconds: Annotated[float, typer.Option(
        help="Most seconds of queued analysis work a request may wait behind; beyond it, 503 with Retry-After.")] = 5.0,
    max_chars: Annotated[int, typer.Option(help="Longest article text accepted, in characters.")] = 200_000,
    allow_private_urls: Annotated[bool, typer.Option(help="Allow fetching URLs on private/loopback addresses (local use only).")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Model directory (default: the shipped model).")] = None,
    saved: Annotated[Path | None, typer.Option("--saved", help="Folder for pasted and fetched analyses, kept for their links (default: the user data folder; with --db they go into the store).")] = None,
) -> None:
    """Serve the web app and the HTTP API (docs at /docs)."""
    from unspin.cli.exits import user_errors

    with user_errors():
        from unspin.web.server import run
        from unspin.web.settings import Settings

        if workers < 1:
            raise UnspinError("--workers must be at least 1")
        if threads < 0:
            raise UnspinError("--threads must be 0 or more")
        if timeout <= 0:
            raise UnspinError("--timeout must be positive")
        if queue_seconds <= 0:
            raise UnspinError("--queue-seconds must be positive")
        if max_chars < 1:
            raise UnspinError("--max-chars must be positive")
        if not 0 < port < 65536:
            raise UnspinError("--port must be between 1 and 65535")
        if db is not None and not db.is_file():
            raise UnspinError(f"{db}: no such database file")
        if model is not None:
            from unspin.detect.runtime import check_model_dir

            check_model_dir(model)  # the workers would each fail at start-up
        settings = Settings(
            host=host, port=port, db=db.resolve() if db else None, workers=workers, threads=threads,
            timeout_s=timeout, queue_seconds=queue_seconds, max_text_chars=max_chars, allow_private_urls=allow_private_urls,
            model_dir=model.resolve() if model else None, saved_dir=saved.resolve() if saved else None,
        )
        run(settings)
