"""Peak memory of `unspin batch` on hostile corpus files: decompression bombs, huge lines, deep nesting.

Each input is written to a temporary folder and run through the real CLI
(`unspin batch FILE --db X -q --workers 1`); the peak RSS of the largest process
(driver or worker; `getrusage(RUSAGE_CHILDREN).ru_maxrss`, one fresh interpreter
per input) and the wall time are reported, with the exit code and the errors
rows. Target (issue 17): every peak under 1 GB, no traceback, exit 0.

    .venv/bin/python bench/corpus_bomb.py [--gigabytes 2]

Inputs:
- one-line bomb: a ~2 MB .jsonl.gz whose one JSON line expands to N GB (the line cap stops it);
- blank bomb: a .jsonl.gz of N GB of blank lines between two good records (the per-file cap stops it);
- nested: a .jsonl with a line of 100,000 '[' between good records (RecursionError, caught per line);
- CSV bomb: a .csv.gz whose one quoted field expands to N GB (the csv field limit stops it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb

CMD = [sys.executable, "-c", "from unspin.cli import main; main()", "batch"]
GOOD = {"id": "good", "text": "The council voted on Tuesday to spend forty million on a new toll bridge. "
        "Critics said the decision was rushed."}
MiB = 1024 * 1024


def gz_stream(path: Path, parts: list[tuple[bytes, int]]) -> None:
    """Write a .gz of each (chunk, times) in turn, compressed as it goes (never held whole)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as f:
        for chunk, times in parts:
            for _ in range(times):
                f.write(z.compress(chunk))
        f.write(z.flush())


def one_line_bomb(d: Path, gb: int) -> Path:
    p = d / "bomb.jsonl.gz"
    gz_stream(p, [(json.dumps({**GOOD, "id": "before"}).encode() + b"\n", 1), (b'{"id": "bomb", "text": "', 1),
                  (b"a" * MiB, gb * 1024), (b'"}\n', 1), (json.dumps({**GOOD, "id": "after"}).encode() + b"\n", 1)])
    return p


def blank_bomb(d: Path, gb: int) -> Path:
    p = d / "blanks.jsonl.gz"
    gz_stream(p, [(json.dumps({**GOOD, "id": "before"}).encode() + b"\n", 1), (b"\n" * MiB, gb * 1024),
                  (json.dumps({**GOOD, "id": "after"}).encode() + b"\n", 1)])
    return p


def nested(d: Path, gb: int) -> Path:
    p = d / "nested.jsonl"
    p.write_text(json.dumps({**GOOD, "id": "before"}) + "\n" + "[" * 100_000 + "\n"
                 + '{"text": ' + "[" * 100_000 + "\n" + json.dumps({**GOOD, "id": "after"}) + "\n", encoding="utf-8")
    return p


def csv_bomb(d: Path, gb: int) -> Path:
    p = d / "bomb.csv.gz"
    gz_stream(p, [(b'id,text\r\nbefore,"' + GOOD["text"].encode() + b'"\r\nbomb,"', 1), (b"a" * MiB, gb * 1024),
                  (b'"\r\nafter,"' + GOOD["text"].encode() + b'"\r\n', 1)])
    return p


INPUTS: dict[str, Callable[[Path, int], Path]] = {
    "one-line .jsonl.gz bomb": one_line_bomb, "blank-line .jsonl.gz bomb": blank_bomb,
    "100,000 nested '['": nested, "one-field .csv.gz bomb": csv_bomb,
}


def run_one(path: Path, db: Path) -> tuple[int, float, float, str, int, int]:
    """(exit code, wall s, peak RSS MB, last stderr line, articles, errors), in a fresh interpreter."""
    code = (
        "import resource, subprocess, sys, json, time\n"
        "t = time.perf_counter()\n"
        f"r = subprocess.run({CMD!r} + [{str(path)!r}, '--db', {str(db)!r}, '-q', '--workers', '1'],"
        " capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([r.returncode, time.perf_counter() - t, peak, r.stderr]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, wall, peak, stderr = json.loads(out.stdout)
    articles = errors = -1
    if db.exists():
        con = duckdb.connect(str(db), read_only=True)
        try:
            articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            errors = con.execute("SELECT count(*) FROM errors").fetchone()[0]
        finally:
            con.close()
    last = "Traceback!" if "Traceback" in stderr else (stderr.strip().splitlines() or [""])[-1]
    return rc, wall, peak, last, articles, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gigabytes", type=int, default=2, help="what each bomb expands to")
    args = ap.parse_args()
    print(f"unspin batch on hostile inputs ({args.gigabytes} GB bombs); peak RSS of the largest process")
    print(f"{'input':28s} {'file':>9s} {'exit':>4s} {'wall s':>7s} {'peak MB':>8s} {'stored':>6s} {'errors':>6s}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, make in INPUTS.items():
            path = make(d, args.gigabytes)
            db = d / f"{path.name}.duckdb"
            rc, wall, peak, last, articles, errors = run_one(path, db)
            worst = max(worst, peak)
            size = f"{path.stat().st_size / MiB:.1f} MiB"
            print(f"{name:28s} {size:>9s} {rc:4d} {wall:7.1f} {peak:8.0f} {articles:6d} {errors:6d}  {last[:70]}")
            path.unlink()
    print(f"worst peak RSS: {worst:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
