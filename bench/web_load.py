"""Load test of `unspin serve`: many concurrent clients against one server, on loopback.

Measures, in one run:
1. the CLI's single-process throughput: the library's `Analyzer` analysing the
   article in a loop, one process, one thread (what `unspin analyze` does per article),
   half before and half after the load;
2. the server (started as `unspin serve` with its default settings unless told
   otherwise) under CLIENTS concurrent clients posting the same ~1,000-word
   article to /api/analyze for DURATION seconds: errors, p50/p95 latency and
   throughput, and that throughput as a share of (1).

Load shedding: a 503 is the server refusing a request it could not finish in
time. It is counted apart (the shed share, and how fast the refusal came), not
as an error, and the client waits the `Retry-After` seconds it names before its
next request, as a well-behaved client does. Latency figures are those of the
admitted (200) requests. Several client counts (`--clients 50,200,400`) run one
after another against the same server. The clients are coroutines, each on a
keep-alive connection written and read as raw HTTP/1.1 bytes, so that hundreds
of them in one process cost little next to the server they measure.

    python bench/web_load.py [--duration 60] [--clients 50[,200,...]] [--cli-seconds 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

ARTICLE = Path(__file__).with_name("web_article.txt")
console = Console(stderr=True)


def cli_throughput(text: str, seconds: float) -> dict[str, float]:
    """Articles per second of one Analyzer in one thread, after one warm-up run."""
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer

    analyzer = Analyzer()
    analyzer.analyze(article_from_text(text))
    n, start = 0, time.perf_counter()
    with Progress(TextColumn("CLI loop"), BarColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("cli", total=seconds)
        while (elapsed := time.perf_counter() - start) < seconds:
            analyzer.analyze(article_from_text(text))
            n += 1
            bar.update(task, completed=min(elapsed, seconds))
    elapsed = time.perf_counter() - start
    return {"articles": n, "seconds": round(elapsed, 2), "per_s": n / elapsed, "latency_s": elapsed / n}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, extra: list[str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "unspin", "serve", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
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


class Conn:
    """One keep-alive HTTP/1.1 connection speaking raw bytes: light enough that hundreds of clients in one process
    measure the server, not the client library."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes, timeout: float) -> tuple[int, dict[str, str], bytes]:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(raw)
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        except asyncio.IncompleteReadError as e:
            if not reused or e.partial:
                raise
            # the server closed the idle keep-alive connection (after 5 s) before it read this request: anew
            self.close()
            return await self.request(raw, timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        body = await asyncio.wait_for(self.reader.readexactly(int(headers.get("content-length", 0))), timeout)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def load(url: str, text: str, clients: int, duration: float, timeout: float) -> dict:
    latencies: list[float] = []
    shed: list[float] = []  # seconds to each 503
    errors: dict[str, int] = {}
    body = json.dumps({"text": text}).encode()
    port = int(url.rsplit(":", 1)[1])
    raw = (b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    expected = json.dumps(text, ensure_ascii=False).encode()
    stop_at = time.perf_counter() + duration

    async def one_client() -> None:
        conn = Conn(port)
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            retry_after = 0.0
            try:
                status, headers, answer = await conn.request(raw, timeout)
                key = None if status == 200 and expected in answer else f"HTTP {status}"
                if status == 503 and "retry-after" in headers:
                    key, retry_after = "shed", float(headers["retry-after"])
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as e:
                key = type(e).__name__
                conn.close()
            if key is None:
                latencies.append(time.perf_counter() - t0)
            elif key == "shed":
                shed.append(time.perf_counter() - t0)
                await asyncio.sleep(min(retry_after, max(0.0, stop_at - time.perf_counter())))
            else:
                errors[key] = errors.get(key, 0) + 1
        conn.close()

    start = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(f"{clients} clients", total=duration)
        workers = [asyncio.create_task(one_client()) for _ in range(clients)]
        while not all(w.done() for w in workers):
            await asyncio.sleep(0.5)
            bar.update(task, completed=min(time.perf_counter() - start, duration),
                       description=f"{clients} clients, {len(latencies)} done, {len(shed)} shed, "
                                   f"{sum(errors.values())} errors")
        await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    qs = statistics.quantiles(shed, n=100) if len(shed) >= 2 else [max(shed, default=float("nan"))] * 99
    answered = len(latencies) + len(shed)
    return {
        "clients": clients, "requests": len(latencies), "shed": len(shed), "errors": errors,
        "shed_share": len(shed) / answered if answered else 0.0, "shed_p95_s": qs[94],
        "seconds": round(elapsed, 2), "per_s": len(latencies) / elapsed,
        "p50_s": q[49], "p95_s": q[94], "max_s": max(latencies, default=float("nan")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--clients", default="50", help="concurrent clients; several, comma-separated, run in turn")
    ap.add_argument("--cli-seconds", type=float, default=20.0, help="seconds of the single-process CLI loop")
    ap.add_argument("--client-timeout", type=float, default=120.0)
    ap.add_argument("--serve-args", default="", help="extra `unspin serve` options, e.g. '--workers 2' (default: none)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    text = ARTICLE.read_text(encoding="utf-8")
    console.print(f"article: {len(text.split())} words, {len(text)} characters; {os.cpu_count()} CPUs")
    # The CLI loop runs before and after the load, half each, so a change in background load
    # during the run biases the comparison less.
    before = cli_throughput(text, args.cli_seconds / 2)
    console.print(f"CLI, one process, one thread: {before['per_s']:.2f} articles/s ({before['latency_s'] * 1000:.0f} ms each)")

    port = free_port()
    proc = start_server(port, args.serve_args.split())
    runs = []
    try:
        for clients in [int(c) for c in str(args.clients).split(",")]:
            runs.append(asyncio.run(load(f"http://127.0.0.1:{port}", text, clients, args.duration, args.client_timeout)))
            time.sleep(min(10.0, args.duration / 3))  # let the queue drain between runs
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    web = runs[-1]
    after = cli_throughput(text, args.cli_seconds / 2)
    console.print(f"CLI again after the load: {after['per_s']:.2f} articles/s")
    n = before["articles"] + after["articles"]
    secs = before["seconds"] + after["seconds"]
    cli = {"articles": n, "seconds": round(secs, 2), "per_s": n / secs, "before_per_s": before["per_s"],
           "after_per_s": after["per_s"]}

    ratio = web["per_s"] / cli["per_s"]
    out = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": platform.machine(), "cpus": os.cpu_count(),
        "words": len(text.split()), "clients": args.clients, "serve_args": args.serve_args or "(defaults)",
        "cli": cli, "web": web, "runs": runs, "web_vs_cli": ratio, "loadavg_end": os.getloadavg()[0],
    }
    for run in runs:
        print(f"{run['clients']} clients: {run['requests']} admitted in {run['seconds']:.1f} s, "
              f"p50 {run['p50_s']:.2f} s, p95 {run['p95_s']:.2f} s, max {run['max_s']:.2f} s; "
              f"shed {run['shed']} ({run['shed_share']:.0%}, 503 p95 {run['shed_p95_s']:.3f} s); "
              f"errors {sum(run['errors'].values())} {run['errors'] or ''}".rstrip())
    print(f"throughput ({web['clients']} clients): web {web['per_s']:.2f} articles/s, CLI single process "
          f"{cli['per_s']:.2f} articles/s (before {before['per_s']:.2f}, after {after['per_s']:.2f}), web/CLI {ratio:.0%}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
