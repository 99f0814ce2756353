"""Which texts and ids a store already holds, in 8 bytes per article and key, in the writer's memory.

Why: before it stores an article the writer must know whether this text was
already analysed by this model version and whether its id is taken. Asking
DuckDB each time scans the whole `hash` and `id` columns: the cost per
article grew with the file (2.5 ms at 300,000 stored) and the scanned blocks
filled DuckDB's cache, so the writer's memory grew with the corpus too. Here
each key is DuckDB's 64-bit `hash()` of the value, kept in a sorted numpy
array; a lookup is a binary search. A hit is only a candidate (two values may
share a 64-bit hash), so the store confirms hits with an exact query, which
in a fresh run almost never happens. The keys are built once when a writer
opens the store, by DuckDB, from the columns themselves, so no string of the
corpus passes through Python, and they are never saved: a new DuckDB version
hashing differently only means the next open builds them its way.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np

MERGE_EVERY = 4096  # keys added since the last sort; a merge re-sorts everything (about 60 ms at 1M keys)
# Memory: 8 bytes a key, two keys an article (16 MB per million stored), and while merging the old array too.


def text_key_sql(hash_col: str, version_col: str) -> str:
    """The SQL expression of a text's key: its content hash under one model version."""
    return f"hash({hash_col} || '|' || {version_col})"


def keys_of(con: duckdb.DuckDBPyConnection, values: Sequence[str]) -> np.ndarray:
    """DuckDB's hash of each value, in order, as the key arrays hold them."""
    if not values:
        return np.zeros(0, dtype=np.uint64)
    row = con.execute("SELECT list_transform(?::VARCHAR[], lambda v: hash(v))", [list(values)]).fetchall()
    return np.asarray(row[0][0], dtype=np.uint64)


class KeyIndex:
    """A set of 64-bit keys: sorted array plus a small unsorted tail of recent additions."""

    def __init__(self, keys: np.ndarray | None = None) -> None:
        self._sorted = np.sort(np.asarray(keys if keys is not None else [], dtype=np.uint64))
        self._tail: list[np.ndarray] = []
        self._n_tail = 0

    def __len__(self) -> int:
        return len(self._sorted) + self._n_tail

    @property
    def nbytes(self) -> int:
        return int(self._sorted.nbytes) + sum(int(t.nbytes) for t in self._tail)

    def add(self, keys: np.ndarray) -> None:
        if len(keys) == 0:
            return
        self._tail.append(np.asarray(keys, dtype=np.uint64))
        self._n_tail += len(keys)
        if self._n_tail >= MERGE_EVERY:
            merged = np.concatenate([self._sorted, *self._tail])
            merged.sort()  # in place: a merge holds the old and the new array, not a third copy
            self._sorted, self._tail, self._n_tail = merged, [], 0

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """A boolean per key: whether it may be in the set (exact for keys; values must be confirmed)."""
        keys = np.asarray(keys, dtype=np.uint64)
        hit = np.zeros(len(keys), dtype=bool)
        if len(self._sorted):
            pos = np.searchsorted(self._sorted, keys)
            hit = self._sorted[np.minimum(pos, len(self._sorted) - 1)] == keys
        if self._tail:
            hit |= np.isin(keys, np.concatenate(self._tail))
        return hit
