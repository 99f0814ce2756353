"""kill -9 at random moments, each followed by a resume: nothing committed is lost, nothing is stored twice.

Each cycle starts `unspin batch` on the same corpus and database, waits a random
time, then SIGKILLs the whole process group (driver and workers: a power cut).
After every kill the database is opened read-only and checked:
- every article seen committed before is still there with the same analysed_at
  (not lost, not re-analysed);
- no (hash, model_version) twice, and every article's span/sentence rows match its counts;
- every article's line in the results file (`<db>.results.jsonl`) is whole and names it ("torn" otherwise);
  lines past the last committed one (a kill between writing them and committing) are counted as "tail".
A last run completes the corpus, and the final set is checked against the corpus.
With --driver-only, SIGKILL goes to the driver's pid alone (not its group), and the
workers it had must be gone within 5 s (issue 17: no orphaned workers).

    .venv/bin/python bench/batch_kill.py [--kills 20] [--articles 1500] [--max-wait 6] [--driver-only]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from unspin.corpus.results_file import results_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus

CMD = [sys.executable, "-c", "from unspin.cli import main; main()", "batch"]


def results_file_check(con: duckdb.DuckDBPyConnection, db: Path) -> tuple[int, int]:
    """(rows whose line is not a whole JSON line naming them, bytes past the last committed line)."""
    refs = con.execute("SELECT id, result_offset, result_bytes FROM articles").fetchall()
    data = results_path(db).read_bytes() if results_path(db).exists() else b""
    bad = 0
    for aid, offset, size in refs:
        line = data[offset:offset + size]
        try:
            ok = line.endswith(b"\n") and json.loads(line)["article"]["id"] == aid
        except ValueError:
            ok = False
        bad += not ok
    end = max((o + n for _, o, n in refs), default=0)
    return bad, len(data) - end


def snapshot(db: Path) -> tuple[dict[str, object], int, int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = dict(con.execute("SELECT id, analysed_at FROM articles").fetchall())
        (dups,) = con.execute("SELECT count(*) - count(DISTINCT hash || model_version) FROM articles").fetchone()
        (torn,) = con.execute("""
            SELECT count(*) FROM articles a
            LEFT JOIN (SELECT article_id, count(*) n FROM spans GROUP BY ALL) s ON s.article_id = a.id
            LEFT JOIN (SELECT article_id, count(*) n FROM sentences GROUP BY ALL) t ON t.article_id = a.id
            WHERE coalesce(s.n, 0) <> a.n_spans OR coalesce(t.n, 0) <> a.n_sentences""").fetchone()
        (orphans,) = con.execute(
            "SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT id FROM articles)").fetchone()
        bad_lines, tail = results_file_check(con, db)
    finally:
        con.close()
    return rows, dups, torn + bad_lines, orphans, tail


def worker_pids(pid: int) -> list[int]:
    """The driver's spawned worker processes (Linux /proc)."""
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [k for k in kids if _cmdline_has(k, b"spawn_main")]


def _cmdline_has(pid: int, needle: bytes) -> bool:
    try:
        return needle in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def orphans_after(workers: list[int], seconds: float = 5.0) -> int:
    """How many of `workers` are still running `seconds` after their driver died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.05)
    left = [w for w in workers if alive(w)]
    for w in left:  # do not leave them behind
        try:
            os.kill(w, signal.SIGKILL)
        except OSError:
            pass
    return len(left)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--max-wait", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--driver-only", action="store_true", help="kill the driver's pid alone, not its process group")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as d:
        corpus = make_corpus(Path(d) / "c.jsonl", args.articles)  # full demo-length articles
        db = Path(d) / "k.duckdb"
        committed: dict[str, object] = {}
        lost = dups_seen = torn_seen = orphans_seen = 0
        kills = 0
        for cycle in range(args.kills):
            proc = subprocess.Popen([*CMD, str(corpus), "--db", str(db), "-q"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            wait = rng.uniform(0.3, args.max_wait)
            time.sleep(wait)
            left = 0
            if proc.poll() is None:
                if args.driver_only:
                    workers = worker_pids(proc.pid)
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    left = orphans_after(workers)
                    orphans_seen += left
                else:
                    os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            if not db.exists():
                print(f"kill {cycle + 1:2d} at {wait:4.1f}s: before the database was created")
                continue
            rows, dups, torn, orphans, tail = snapshot(db)
            gone = [k for k, v in committed.items() if rows.get(k) != v]
            lost += len(gone)
            dups_seen += dups
            torn_seen += torn + orphans
            print(f"kill {cycle + 1:2d} at {wait:4.1f}s: {len(rows):4d} committed (+{len(rows) - len(committed)}), "
                  f"lost {len(gone)}, duplicates {dups}, torn {torn + orphans}, uncommitted tail {tail} B"
                  + (f", workers left running {left}" if args.driver_only else ""))
            committed = rows
        subprocess.run([*CMD, str(corpus), "--db", str(db), "-q"], check=True)
        rows, dups, torn, orphans, tail = snapshot(db)
        lost += sum(1 for k, v in committed.items() if rows.get(k) != v)
        missing = args.articles - len(rows)
        print(f"{kills} kills; final: {len(rows)}/{args.articles} articles, {missing} missing, "
              f"committed-then-lost {lost}, duplicates {dups_seen + dups}, torn {torn_seen + torn + orphans}, "
              f"results-file bytes not committed at the end {tail}"
              + (f", workers outliving their driver {orphans_seen}" if args.driver_only else ""))


if __name__ == "__main__":
    main()
