"""Batch and serve on one store (issue 17): `unspin batch` runs while clients keep reading through `unspin serve --db`.

For DURATION seconds (600), batch runs follow one another on one DuckDB file,
each over a fresh chunk of the synthetic corpus (bench/batch_corpus.py, the
full demo article varied, so the writer also reconnects every few hundred
articles, as a long run does), so the bench covers batches starting while the
web reads as well as batches running. Meanwhile CLIENTS (4) clients poll the
server without pause: `/api/stats`, `/corpus`, one stored article as JSON and
as a page. Reported: batch runs and their failures (a non-zero exit or a
traceback), articles stored, and the polls by status with their latency.

    python bench/web_batch.py [--duration 600] [--clients 4] [--chunk 300] [--workers 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus

PATHS = ["/api/stats", "/corpus", "/api/articles/a0", "/articles/a1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "unspin", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start within 120 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--chunk", type=int, default=300, help="articles per batch run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="unspin-web-batch-"))
    db = work / "corpus.duckdb"
    corpus = make_corpus(work / "corpus.jsonl", args.chunk * 20)
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first = work / "chunk-0.jsonl"
    first.write_text("".join(lines[:20]), encoding="utf-8")
    seed = subprocess.run([sys.executable, "-m", "unspin", "batch", str(first), "--db", str(db), "-q"],
                          capture_output=True, text=True)
    if seed.returncode != 0:
        raise SystemExit(f"seeding the store failed: {seed.stderr}")
    port = free_port()
    server = start_server(db, port)
    polls: Counter[str] = Counter()
    latency: list[float] = []
    stop = threading.Event()

    def poll(k: int) -> None:
        path = PATHS[k % len(PATHS)]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    status = str(client.get(path).status_code)
                except httpx.HTTPError as e:
                    status = type(e).__name__
                latency.append(time.perf_counter() - t0)
                polls[f"{path} {status}"] += 1

    pollers = [threading.Thread(target=poll, args=(k,), daemon=True) for k in range(args.clients)]
    for t in pollers:
        t.start()
    runs: list[dict[str, object]] = []
    start = time.monotonic()
    offset = 20
    try:
        while time.monotonic() - start < args.duration and offset < len(lines):
            chunk = work / f"chunk-{len(runs) + 1}.jsonl"
            chunk.write_text("".join(lines[offset:offset + args.chunk]), encoding="utf-8")
            offset += args.chunk
            t0 = time.monotonic()
            left = max(30.0, args.duration - (t0 - start))
            proc = subprocess.Popen([sys.executable, "-m", "unspin", "batch", str(chunk), "--db", str(db),
                                     "--workers", str(args.workers), "-q"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
            try:
                _, err = proc.communicate(timeout=left)
                stopped = False
            except subprocess.TimeoutExpired:  # the bench's time is up: stop it as Ctrl-C would (not a failure)
                os.killpg(proc.pid, signal.SIGINT)
                _, err = proc.communicate(timeout=120)
                stopped = True
            failed = (proc.returncode != 0 and not (stopped and proc.returncode == 130)) or "Traceback" in err
            runs.append({"rc": proc.returncode, "seconds": round(time.monotonic() - t0, 1), "stopped": stopped,
                         "failed": failed, "last": (err.strip().splitlines() or [""])[-1][:200]})
            print(f"batch {len(runs)}: rc {proc.returncode} in {runs[-1]['seconds']} s{' (stopped)' if stopped else ''}"
                  f"{' FAILED' if failed else ''}: {runs[-1]['last']}", file=sys.stderr, flush=True)
    finally:
        stop.set()
        for t in pollers:
            t.join(timeout=150)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
        stored = int(row[0]) if row else 0
    q = statistics.quantiles(latency, n=100) if len(latency) >= 2 else [float("nan")] * 99
    ok = sum(n for k, n in polls.items() if k.endswith(" 200"))
    out = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(), "seconds": round(time.monotonic() - start),
        "batch_runs": len(runs), "batch_failures": sum(1 for r in runs if r["failed"]), "stored": stored,
        "polls": dict(polls), "polls_ok": ok, "polls_total": sum(polls.values()),
        "poll_p50_s": q[49], "poll_p95_s": q[94], "runs": runs, "loadavg_end": os.getloadavg()[0],
    }
    print(f"{len(runs)} batch runs, {out['batch_failures']} failed; {stored} articles stored; "
          f"{ok} of {out['polls_total']} polls answered 200 (p50 {q[49]:.2f} s, p95 {q[94]:.2f} s); "
          f"others: {({k: n for k, n in polls.items() if not k.endswith(' 200')}) or 'none'}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
