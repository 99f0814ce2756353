"""Peak memory of the results writer alone, at 1,000 to 1,000,000 stored articles (no model in the process).

`unspin batch` writes every result from its driver process, so the driver's
memory is the store's. This feeds the real `Store` what a batch feeds it,
without workers: one real analysis (`unspin analyze --format json`, run once
in a child process so no model is loaded here) becomes the template, and
every stored article gets its own text (the template plus a line with its
number), id, outlet and date. Articles arrive in chunks of 50 (not 64, so
writes do not line up with row groups by luck), each looked up with
`seen_many` first as the driver does, then stored with `write_many`.

Each size runs in a fresh process and reports its peak RSS (VmHWM), the RSS
once the store is open (the baseline: Python, duckdb, unspin imported), and
the write cost per article, so whether the writer's memory grows with the
corpus (and whether a capped cache ever fails to pin a block) is settled in
seconds for small sizes and minutes for 1M. With `--trace K` each size also
prints the peak so far, the current RSS and DuckDB's own accounting
(`duckdb_memory()`, the cache) every K articles, and the mean and largest RSS
seen between writes since the last mark: whether the level levels off or keeps
climbing, and how far single peaks stand above it, is the question a single
end figure cannot answer.

    .venv/bin/python bench/store_memory.py [--sizes 1000 10000 100000] [--full] [--trace 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import demo_text

CHUNK = 50


def _vm(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(n: int, db: Path, template: Path, trace: int) -> None:
    """Store n articles; print one JSON line with the figures."""
    from unspin.article import Article, Result
    from unspin.corpus.store import Store

    tmpl = Result.from_dict(json.loads(template.read_text(encoding="utf-8")))
    a = tmpl.article
    t0 = time.perf_counter()
    write = 0.0
    # articles, peak so far, RSS now, DuckDB's cache, mean and max RSS after each chunk since the last mark (MB)
    marks: list[tuple[int, float, float, float, float, float]] = []
    window: list[float] = []
    with Store(db) as store:
        base = _vm("VmRSS")
        for i in range(0, n, CHUNK):
            results = [
                replace(tmpl, article=Article(
                    text=f"{a.text}\n[{j}]", title=a.title, id=f"a{j}", outlet=f"Outlet {j % 9}",
                    url=f"https://news.example.org/a{j}", published=f"2024-{1 + j % 12:02d}-{1 + j % 28:02d}",
                    title_end=a.title_end))
                for j in range(i, min(n, i + CHUNK))
            ]
            t = time.perf_counter()
            store.seen_many([r.article.hash for r in results], tmpl.model.version)
            store.write_many(results)
            write += time.perf_counter() - t
            done = min(n, i + CHUNK)
            if trace:
                window.append(_vm("VmRSS"))
            if trace and done % trace == 0:
                row = store.connection.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
                marks.append((done, _vm("VmHWM"), _vm("VmRSS"), (row[0] or 0) / 2**20 if row else 0.0,
                              sum(window) / len(window), max(window)))
                window = []
        stored = store.count()
    print(json.dumps({"n": n, "stored": stored, "base_mb": base, "peak_mb": _vm("VmHWM"),
                      "write_ms": write / n * 1e3, "wall_s": time.perf_counter() - t0,
                      "db_mb": db.stat().st_size / 1e6, "json_bytes": len(tmpl.to_json(indent=None)), "marks": marks}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--full", action="store_true", help="the whole demo article instead of the short variant")
    ap.add_argument("--trace", type=int, default=0, help="print peak/RSS/cache every K articles (a multiple of 50)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), Path(args.child[1]), Path(args.child[2]), int(args.child[3]))
        return
    with tempfile.TemporaryDirectory() as d:
        article = Path(d) / "article.txt"
        article.write_text(demo_text(short=not args.full), encoding="utf-8")
        template = Path(d) / "result.json"
        template.write_text(subprocess.run(
            [sys.executable, "-c", "from unspin.cli import main; main()", "analyze", str(article), "--format", "json"],
            check=True, capture_output=True, text=True).stdout, encoding="utf-8")
        for n in args.sizes:
            out = subprocess.run([sys.executable, __file__, "--child", str(n), str(Path(d) / f"s{n}.duckdb"),
                                  str(template), str(args.trace)], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{n:8d} articles: FAILED: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{r['n']:8d} articles ({r['json_bytes']} B full result each): peak RSS {r['peak_mb']:6.1f} MB "
                  f"(open store {r['base_mb']:.1f} MB, +{r['peak_mb'] - r['base_mb']:.1f}), "
                  f"write {r['write_ms']:.3f} ms/article, {r['wall_s']:.0f}s, db {r['db_mb']:.0f} MB, "
                  f"stored {r['stored']}", flush=True)
            for k, peak, rss, cache, mean, top in r["marks"]:
                print(f"    at {k:8d}: peak so far {peak:6.1f} MB, RSS now {rss:6.1f} MB, DuckDB cache {cache:5.1f} MB; "
                      f"since the last mark RSS between writes: mean {mean:6.1f}, max {top:6.1f} MB", flush=True)


if __name__ == "__main__":
    main()
