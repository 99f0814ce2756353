"""Throughput of `unspin batch` with 1 and 2 local workers, side by side in one run.

Each run starts from an empty DuckDB file and includes everything a user waits
for: spawning workers, loading the model in each, reading, analysing, writing.
Runs alternate (1, 2, 1, 2, ...) so background load hits both alike; the best
of each is reported.

    .venv/bin/python bench/batch_scaling.py [--articles 120] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus
from unspin.corpus.batch import run_batch


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and its reaped children (the workers, once the pool is shut down)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def one_run(corpus: Path, workdir: Path, workers: int, tag: str) -> tuple[float, float]:
    db = workdir / f"{tag}.duckdb"
    busy0, own0 = busy_seconds(), own_seconds()
    t = time.perf_counter()
    s = run_batch([corpus], db, workers=workers)
    wall = time.perf_counter() - t
    others = max(0.0, (busy_seconds() - busy0) - (own_seconds() - own0)) / wall  # cores used by other processes
    assert s.stored == s.read and s.errors == 0, s
    rate = s.stored / wall
    print(f"  {workers} worker(s): {s.stored} articles in {wall:.1f}s = {rate:.2f} articles/s "
          f"(driver: read {s.timings['read']:.2f}s, lookup {s.timings['lookup']:.2f}s, write {s.timings['write']:.2f}s;"
          f" other processes used {others:.2f} cores)")
    return rate, others


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        corpus = make_corpus(work / "corpus.jsonl", args.articles)
        best = {1: 0.0, 2: 0.0}
        worst_others = 0.0
        for r in range(args.rounds):
            for w in (1, 2):
                rate, others = one_run(corpus, work, w, f"r{r}w{w}")
                best[w] = max(best[w], rate)
                worst_others = max(worst_others, others)
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores")
    print(f"best: 1 worker {best[1]:.2f} art/s, 2 workers {best[2]:.2f} art/s, speed-up {best[2] / best[1]:.2f}x "
          f"(target >= 1.8x)")
    if worst_others > 0.2:
        print(f"WARNING: other processes used up to {worst_others:.2f} cores during a run; the figures are contended")


if __name__ == "__main__":
    main()
