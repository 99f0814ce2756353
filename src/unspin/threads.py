"""Native thread pools held to what the process was given.

An analysis runs three native libraries that each may start a thread per core:
onnxruntime (the encoder; its session is given `intra_op_num_threads`), the
BLAS under numpy (the heads' matrix products) and the tokenizers' Rayon pool.
Left alone, BLAS starts its own threads for the heads, so a "one-thread"
analysis used 1.4 cores and processes or threads that share the cores got in
each other's way. The library, `serve` and `batch` all call `pin_threads`.
"""

from __future__ import annotations

import os

# read by the libraries when they start their pools: set before they load, so
# even a pool that threadpoolctl cannot reach starts at the right size
_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def pin_env(threads: int) -> None:
    """Set the thread-count variables for pools not started yet (child processes inherit them)."""
    for var in _ENV:
        os.environ[var] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "false" if threads == 1 else "true"


def pin_threads(threads: int) -> int:
    """Hold BLAS, OpenMP and the tokenizers to `threads` threads (capped by the cores available).

    Returns the number used. BLAS libraries already loaded (numpy's OpenBLAS) are
    limited at once through threadpoolctl; the limit applies to the whole process.
    """
    n = max(1, min(threads, available_cores()))
    pin_env(n)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    threadpool_limits(limits=n)
    return n
