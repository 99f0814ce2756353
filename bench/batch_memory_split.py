"""Whose is the driver's memory growth: the batch driver with and without its writes, 1,000 vs 10,000 articles.

A diagnostic beside `batch_memory.py`: the same `unspin batch` run (2 local
workers, short articles, `-q`) in a fresh process per case, once as it is and
once with `Store.write_many` replaced by a function that only counts (the
store is still opened and every article still looked up, read, dispatched,
analysed and collected). If the peak of the second is flat and the first is
not, the growth is in writing (DuckDB, the results file, the key sets), not in
reading, dispatching or collecting.

    .venv/bin/python bench/batch_memory_split.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus

CHILD = """
import sys
import unspin.corpus.store as S
corpus, db, mode = sys.argv[1:4]
if mode == "without writes":
    S.Store.write_many = lambda self, results: len(list(results))
from unspin.cli import main
sys.argv = ["unspin", "batch", corpus, "--db", db, "--workers", "2", "-q"]
try:
    main()
except SystemExit as e:
    if e.code:
        raise
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) / 1024)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for mode in ("as it is", "without writes"):
            for n in args.sizes:
                corpus = make_corpus(Path(d) / f"c{n}.jsonl", n, short=True)
                db = Path(d) / f"{mode[0]}{n}.duckdb"
                out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(db), mode],
                                     capture_output=True, text=True, check=True)
                print(f"{mode:15s} {n:6d} articles: driver peak RSS {float(out.stdout.split()[-1]):6.1f} MB",
                      flush=True)


if __name__ == "__main__":
    main()
