"""Which texts and ids a store already holds, in 8 bytes per article and key, in the writer's memory.

Why: before it stores an article the writer must know whether this text was
already analysed by this model version and whether its id is taken. Asking
DuckDB each time scans the whole `hash` and `id` columns: the cost per
article grew with the file (2.5 ms at 300,000 stored) and the scanned blocks
filled DuckDB's cache, so the writer's memory grew with the corpus too. Here
each key is DuckDB's 64-bit `hash()` of the value, kept in sorted numpy
arrays; a lookup is a binary search in each. A hit is only a candidate (two values may
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

MERGE_EVERY = 4096  # keys added since the last merge, kept unsorted and searched linearly meanwhile
RUN_MAX = 1 << 18  # keys in one sorted run (2 MB): a merge copies at most one run, never the whole set
# Memory: 8 bytes a key, two keys an article (16 MB per million stored). Merging only ever rewrites the last,
# unfilled run, so the set is never held twice (one sorted array re-sorted at each merge briefly doubled it:
# +8 MB at 1,000,000 articles, measured).


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
    """A set of 64-bit keys: sorted runs of at most RUN_MAX keys plus a small unsorted tail of recent additions.

    Lookups binary-search every run (a few at a million keys, about 40 at ten million: microseconds per chunk of
    articles), which is what buys a merge cost and a transient memory that do not grow with the set.
    """

    def __init__(self, keys: np.ndarray | None = None, run_max: int = RUN_MAX) -> None:
        self._run_max = run_max
        ordered = np.sort(np.asarray(keys if keys is not None else [], dtype=np.uint64))
        # runs are views into the one sorted array the store built, not copies
        self._runs: list[np.ndarray] = [ordered[i:i + run_max] for i in range(0, len(ordered), run_max)]
        self._tail: list[np.ndarray] = []
        self._n_tail = 0

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs) + self._n_tail

    def add(self, keys: np.ndarray) -> None:
        if len(keys) == 0:
            return
        self._tail.append(np.asarray(keys, dtype=np.uint64))
        self._n_tail += len(keys)
        if self._n_tail >= MERGE_EVERY:
            self._merge_tail()

    def _merge_tail(self) -> None:
        """The tail joins the last run while that stays within run_max keys, else starts a run of its own."""
        if self._runs and len(self._runs[-1]) + self._n_tail <= self._run_max:
            merged = np.concatenate([self._runs[-1], *self._tail])
            merged.sort()
            self._runs[-1] = merged
        else:
            run = np.concatenate(self._tail)
            run.sort()
            # a tail larger than a run (only when run_max is set small) is split, each part a view of one array
            self._runs.extend(run[i:i + self._run_max] for i in range(0, len(run), self._run_max))
        self._tail, self._n_tail = [], 0

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """A boolean per key: whether it may be in the set (exact for keys; values must be confirmed)."""
        keys = np.asarray(keys, dtype=np.uint64)
        hit = np.zeros(len(keys), dtype=bool)
        for run in self._runs:
            pos = np.searchsorted(run, keys)
            hit |= run[np.minimum(pos, len(run) - 1)] == keys
        if self._tail:
            hit |= np.isin(keys, np.concatenate(self._tail))
        return hit
