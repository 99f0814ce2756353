"""The `unspin` command line: thin Typer commands over the library.

`app` holds the core commands (analyze, evaluate, predict, classify, train); the feature commands
(`batch`, `serve`, `stats`, `migrate`) live beside it in this package and are registered by name in `commands.py`.
"""

from unspin.cli.commands import app, main

__all__ = ["app", "main"]
