"""Throughput of `unspin batch` with 1 and 2 local workers, side by side in one run.

Each run starts from an empty DuckDB file and includes everything a user waits
for: spawning workers, loading the model in each, reading, analysing, writing.
Runs alternate (1, 2, 1, 2, ...) so background load hits both alike; the best
of each is reported.

    .venv/bin/python bench/batch_scaling.py [--articles 120] [--rounds 2]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus  # noqa: E402
from unspin.batch import run_batch  # noqa: E402


def one_run(corpus: Path, workdir: Path, workers: int, tag: str) -> float:
    db = workdir / f"{tag}.duckdb"
    t = time.perf_counter()
    s = run_batch([corpus], db, workers=workers)
    wall = time.perf_counter() - t
    assert s.stored == s.read and s.errors == 0, s
    rate = s.stored / wall
    print(f"  {workers} worker(s): {s.stored} articles in {wall:.1f}s = {rate:.2f} articles/s "
          f"(driver: read {s.timings['read']:.2f}s, lookup {s.timings['lookup']:.2f}s, write {s.timings['write']:.2f}s)")
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        corpus = make_corpus(work / "corpus.jsonl", args.articles)
        best = {1: 0.0, 2: 0.0}
        for r in range(args.rounds):
            for w in (1, 2):
                best[w] = max(best[w], one_run(corpus, work, w, f"r{r}w{w}"))
    print(f"machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores")
    print(f"best: 1 worker {best[1]:.2f} art/s, 2 workers {best[2]:.2f} art/s, speed-up {best[2] / best[1]:.2f}x "
          f"(target >= 1.8x)")


if __name__ == "__main__":
    main()
