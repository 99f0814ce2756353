"""The JSON view: the documented, versioned schema (docs/json-schema.md)."""

from __future__ import annotations

from unspin.article import Result


def render_json(result: Result, indent: int | None = 2) -> str:
    return result.to_json(indent=indent)
