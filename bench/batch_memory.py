"""Peak memory of `unspin batch` does not grow with the corpus: 1,000 vs 10,000 articles.

Runs the real command (2 local workers) on JSONL corpora of the short demo
variant (title + two paragraphs, ~50 words, so 10,000 analyses finish in
minutes on 2 cores) and samples the peak RSS (VmHWM) of the driver and of
each worker process.

    .venv/bin/python bench/batch_memory.py [--sizes 1000 10000] [--full]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import PeakMemory, make_corpus

CMD = [sys.executable, "-c", "from unspin.cli import main; main()", "batch"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--full", action="store_true", help="the whole demo article instead of the short variant")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for n in args.sizes:
            corpus = make_corpus(Path(d) / f"c{n}.jsonl", n, short=not args.full)
            db = Path(d) / f"m{n}.duckdb"
            t = time.perf_counter()
            proc = subprocess.Popen([*CMD, str(corpus), "--db", str(db), "--workers", str(args.workers), "-q"],
                                    stderr=subprocess.PIPE, text=True)
            with PeakMemory(proc.pid) as mem:
                _, err = proc.communicate()
            wall = time.perf_counter() - t
            assert proc.returncode == 0, err
            print(f"{n:6d} articles ({corpus.stat().st_size / 1e6:.1f} MB JSONL) in {wall:6.1f}s: "
                  f"peak RSS driver {mem.driver_mb:6.1f} MB, largest worker {mem.worker_max_mb:6.1f} MB, "
                  f"db {db.stat().st_size / 1e6:.1f} MB | {err.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
