"""Unlabeled news for a teacher to label: a seeded sample from a JSONL file or a folder of texts.

A JSONL file (optionally gzipped) has one JSON object a line with a `text` field and optionally
`id` and `title` (the AllSides layout, `../shared/data/allsides/PROVENANCE.md`); an article is read
as title, blank line, body, which is what `unspin analyze` would be given. A folder is read as its
`*.txt` files, sorted by name. No torch here: the benches use it too.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from unspin.errors import InputError


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _jsonl_rows(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, id, text) of every row that has a non-empty text."""
    with _open(path) as f:
        for i, line in enumerate(f):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{path}: line {i + 1} is not JSON") from None
            body = row.get("text") if isinstance(row, dict) else None
            if not isinstance(body, str) or not body.strip():
                continue
            title = str(row.get("title") or "").strip()
            yield i, str(row.get("id", i)), f"{title}\n\n{body}" if title else body


def sample_unlabeled(path: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """(id, text) of `n` articles drawn without replacement by `seed`, in file order (all if fewer).

    Raises InputError when the path is missing, empty or unreadable.
    """
    if path.is_dir():
        files = sorted(path.glob("*.txt"))
        rows = [(i, f.stem, f.read_text(encoding="utf-8", errors="replace")) for i, f in enumerate(files)]
        total = len(rows)
    elif path.is_file():
        try:
            total = sum(1 for _ in _jsonl_rows(path))
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: cannot read ({e})") from None
        rows = []
    else:
        raise InputError(f"{path}: no such file or folder of unlabeled articles")
    if total == 0:
        raise InputError(f"{path}: no articles with text")
    pick = set(np.random.default_rng(seed).choice(total, size=min(n, total), replace=False).tolist())
    if path.is_dir():
        return [(aid, text) for k, (_, aid, text) in enumerate(rows) if k in pick]
    return [(aid, text) for k, (_, aid, text) in enumerate(_jsonl_rows(path)) if k in pick]
