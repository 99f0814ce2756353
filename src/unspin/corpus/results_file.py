"""The full results of a store: one JSON line per stored article, in a file next to the DuckDB file.

Why not a column: DuckDB keeps the rows appended since its last checkpoint in
the writer's memory, and the checkpoint that writes them needs about as much
again, so a column of whole results (text, spans, sentences, sourcing; 2.5 to
8 KB an article) made the writer's peak memory rise with the corpus
(docs/benchmarks.md). Here each result is written once, appended and never
rewritten, and the `articles` row keeps only where its line starts and how
long it is. The tables stay what users query; the file is what the web
article view, story grouping and `Store.get_result` read, and DuckDB reads it
too: `SELECT * FROM read_json('corpus.duckdb.results.jsonl')`.

Durability follows the order of the writes: a line is flushed and fsynced
before the DuckDB transaction that points at it commits, so a committed
article's line is always on disk. A run killed between the two leaves lines
past the last committed pointer; the next writer cuts them off when it opens
the store, so the file holds exactly the committed results, in order (plus
the superseded lines of articles a newer model version re-analysed).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from unspin.errors import UnspinError

SUFFIX = ".results.jsonl"


class ResultsFileError(UnspinError):
    """The results file next to a store is missing, shorter than the store expects, or unreadable."""


def results_path(db: Path) -> Path:
    """`corpus.duckdb` keeps its full results in `corpus.duckdb.results.jsonl`."""
    return db.with_name(db.name + SUFFIX)


class ResultsFile:
    """Append-only for the one writer; random reads by (offset, size) for everyone."""

    def __init__(self, path: Path, committed_end: int | None = None) -> None:
        """`committed_end` (writers only): the end of the last line a committed row points to."""
        self.path = path
        self._fh: BinaryIO | None = None
        self.end = 0
        if committed_end is None:
            return
        size = path.stat().st_size if path.exists() else 0
        if size < committed_end:
            what = "is missing" if not path.exists() else f"holds {size:,} bytes, the store points up to {committed_end:,}"
            raise ResultsFileError(
                f"{path}: {what}; the full results of the stored articles live there, so keep it next to its "
                f"DuckDB file (nothing was changed)")
        fh = open(path, "ab")  # held open for the writer's lifetime, closed in close()
        if size > committed_end:  # lines of a run killed before its transaction committed
            fh.truncate(committed_end)
            fh.flush()
            os.fsync(fh.fileno())
        self._fh = fh
        self.end = committed_end

    def append(self, lines: Sequence[bytes]) -> list[tuple[int, int]]:
        """Write lines durably (flushed and fsynced); their (offset, size), newline included."""
        if self._fh is None:
            raise ResultsFileError(f"{self.path}: opened for reading only")
        refs = []
        at = self.end
        for line in lines:
            refs.append((at, len(line)))
            at += len(line)
        self._fh.write(b"".join(lines))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.end = at
        return refs

    def truncate(self, end: int) -> None:
        """Cut the file back to `end`: what was appended after it belongs to a transaction that did not commit."""
        if self._fh is None:
            return
        # always, even at `end == self.end`: an append that failed half-way (a full disk) wrote bytes it never
        # counted, and the next append would land after them while its offsets say otherwise
        self._fh.truncate(end)
        self._fh.flush()
        self.end = end

    def read(self, offset: int, size: int) -> bytes:
        return self.read_many([(offset, size)])[0]

    def read_many(self, refs: Sequence[tuple[int, int]]) -> list[bytes]:
        """The lines at these places, in the order asked (read in file order)."""
        out: list[bytes] = [b""] * len(refs)
        try:
            with open(self.path, "rb") as f:
                for i in sorted(range(len(refs)), key=lambda k: refs[k][0]):
                    offset, size = refs[i]
                    f.seek(offset)
                    data = f.read(size)
                    if len(data) != size:
                        raise ResultsFileError(
                            f"{self.path}: ends before byte {offset + size:,}; the file is damaged or not this "
                            f"store's")
                    out[i] = data
        except FileNotFoundError:
            raise ResultsFileError(
                f"{self.path}: missing; the full results of the stored articles live there, next to the DuckDB file"
            ) from None
        return out

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
