"""How a command ends: a user error is one line on stderr and exit code 2.

Shared by every command module of `unspin.cli`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from unspin.errors import UnspinError


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except UnspinError as e:
        from unspin.render.safe import terminal_safe

        typer.echo(f"error: {' '.join(terminal_safe(str(e)).splitlines())}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None
