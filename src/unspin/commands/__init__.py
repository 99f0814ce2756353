"""CLI commands that live beside their feature (batch, stats, serve).

Each module here defines `register(app)`, which adds its commands to the
`unspin` Typer app; `unspin.cli` calls every one of them. Keeping them apart
lets each feature own its command without a single crowded CLI file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app)
