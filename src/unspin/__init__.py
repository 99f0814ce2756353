"""unspin: find the spin in news.

The public API is `analyze`, `Analyzer`, `Article`, `Span`, `Sentence` and `Result`.
They are imported on first use, so `import unspin` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["analyze", "Analyzer", "Article", "Span", "Sentence", "Result"]

_WHERE = {
    "analyze": "unspin.pipeline",
    "Analyzer": "unspin.pipeline",
    "Article": "unspin.article",
    "Span": "unspin.article",
    "Sentence": "unspin.article",
    "Result": "unspin.article",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'unspin' has no attribute {name!r}")
