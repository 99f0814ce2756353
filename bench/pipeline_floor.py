"""The whole speed story of one analysis, side by side in one run (issue 18).

    python bench/pipeline_floor.py [--rounds 3] [--serve-seconds 20] [--clients 20] [--json out.json]

Prints, for a 1,000-word article (the demo text repeated, `model_speed.thousand_words`),
one process and one thread unless said otherwise:

1. the encoder's floor: one full window at a time, in article tokens per second, and
   the same article's windows in one padded batch (what batching costs on a CPU);
2. the whole pipeline (`Analyzer.analyze`) in article tokens per second, as a share
   of that floor, and each stage's share of an analysis;
3. unspin's encoder against torch fp32 and torch dynamic int8 (`quantize_dynamic`) on
   the same weights (the shipped int8 weights dequantised, `unspin.train.requantize`)
   and the same windows (needs the `train` or `test` extra; skipped without torch);
4. cold start and peak RSS of a whole `unspin analyze` process;
5. a 30,000-word article's cost per word against the 1,000-word one's;
6. `unspin serve` under CLIENTS concurrent clients, with 1 worker and with 2 workers,
   against the single-thread library loop measured between them.

The machine may be shared: every ratio is taken between measurements interleaved in
the same run, `--rounds` times, and the spread over rounds is printed as the noise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_speed import thousand_words
from web_load import free_port, load, start_server

ROOT = Path(__file__).resolve().parents[1]


def words_article(n_words: int) -> str:
    """`n_words` words of the demo text, in numbered paragraphs (as `thousand_words`)."""
    body = (ROOT / "examples" / "demo-article.txt").read_text().split("\n", 2)[2]
    paras: list[str] = []
    words = 0
    k = 0
    while words < n_words:
        k += 1
        para = f"(Part {k}) {body}".split()
        para = para[: n_words - words]
        paras.append(" ".join(para))
        words += len(para)
    return "Reckless Council Betrays Harbour Town\n\n" + "\n\n".join(paras) + "\n"


def best_of(fn: Callable[[], object], n: int) -> float:
    """Fastest of n timed calls (the least disturbed by other processes), in seconds."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def cpu_best_of(fn: Callable[[], object], n: int) -> float:
    """Least CPU time (this thread's, user + system) of n calls: what the work costs when other
    processes take turns on the same cores, which wall time does not separate out."""
    out = []
    for _ in range(n):
        t = time.thread_time()
        fn()
        out.append(time.thread_time() - t)
    return min(out)


def spread(xs: list[float]) -> str:
    if len(xs) < 2:
        return f"{xs[0]:.3f}"
    return f"{statistics.median(xs):.3f} (min {min(xs):.3f}, max {max(xs):.3f}, {len(xs)} rounds)"


def encoder_inputs(det, enc, plan: list[tuple[int, int]]) -> list[np.ndarray]:
    out = []
    for a, b in plan:
        ids = np.empty((1, b - a + 2), dtype=np.int64)
        ids[0, 0], ids[0, -1] = det.cls, det.sep
        ids[0, 1:-1] = enc.ids[a:b]
        out.append(ids)
    return out


def padded_batch(det, windows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    L = max(w.shape[1] for w in windows)
    ids = np.full((len(windows), L), det.pad, dtype=np.int64)
    mask = np.zeros_like(ids)
    for r, w in enumerate(windows):
        ids[r, : w.shape[1]] = w[0]
        mask[r, : w.shape[1]] = 1
    return ids, mask


def part_pipeline(rounds: int) -> dict:
    from unspin.detect.encoding import encode
    from unspin.detect.features import PhraseCounts
    from unspin.detect.runtime import TokenView
    from unspin.explain import explain
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer
    from unspin.score import score
    from unspin.segment import segment
    from unspin.sourcing import find_sourcing

    text = thousand_words()
    art = article_from_text(text)
    an = Analyzer(threads=1)
    det = an.detector
    sess = det.session
    enc = encode(det.tokenizer, text)
    n = len(enc)
    plan = det.window_plan(enc, text)
    wins = encoder_inputs(det, enc, plan)
    full = encoder_inputs(det, enc, [(0, det.window)])[0]
    ones = np.ones_like(full)
    bids, bmask = padded_batch(det, wins)

    def run_one(ids: np.ndarray) -> None:
        sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})

    an.analyze(art)
    res: dict[str, list[float]] = {k: [] for k in ("floor", "alone", "batch", "analyze", "cpu", "floor_cpu",
                                                   "analyze_cpu")}
    stages: dict[str, list[float]] = {}
    for _ in range(rounds):
        res["floor"].append(det.window / best_of(lambda: sess.run(None, {"input_ids": full, "attention_mask": ones}), 12))
        res["alone"].append(n / best_of(lambda: [run_one(w) for w in wins], 3))
        res["batch"].append(n / best_of(lambda: sess.run(None, {"input_ids": bids, "attention_mask": bmask}), 3))
        c0, w0 = time.process_time(), time.perf_counter()
        t = best_of(lambda: an.analyze(art), 5)
        res["cpu"].append((time.process_time() - c0) / (time.perf_counter() - w0))
        res["analyze"].append(n / t)
        res["floor_cpu"].append(det.window / cpu_best_of(lambda: sess.run(None, {"input_ids": full, "attention_mask": ones}), 12))
        res["analyze_cpu"].append(n / cpu_best_of(lambda: an.analyze(art), 5))
        # each stage alone, on the same article
        view: TokenView = det.token_view(text)
        spans = det.spans(text, view)
        low = text.lower()
        result = an.analyze(art)
        parts = {
            "tokenise": best_of(lambda: encode(det.tokenizer, text), 5),
            "encoder (windows)": best_of(lambda: [run_one(w) for w in wins], 3),
            "heads + decoding": best_of(lambda v=view: det.spans(text, v), 5),
            "explain": best_of(lambda sp=spans, lo=low: [explain(s, text, c) for c in [PhraseCounts(lo)] for s in sp], 5),
            "segment": best_of(lambda: segment(art), 5),
            "score": best_of(lambda r=result: score(r), 5),
            "sourcing": best_of(lambda: find_sourcing(art), 5),
        }
        for k, v in parts.items():
            stages.setdefault(k, []).append(v)
    floor = statistics.median(res["floor"])
    out = {
        "article_tokens": n, "windows": len(plan), "window_tokens": sum(b - a for a, b in plan),
        "floor_tok_s": res["floor"], "alone_tok_s": res["alone"], "batch_tok_s": res["batch"],
        "analyze_tok_s": res["analyze"], "analyze_vs_floor": [a / f for a, f in zip(res["analyze"], res["floor"], strict=True)],
        "batch_vs_alone": [b / a for a, b in zip(res["alone"], res["batch"], strict=True)],
        "cores_used_by_loop": res["cpu"], "stages_s": stages, "floor_cpu_tok_s": res["floor_cpu"],
        "analyze_cpu_tok_s": res["analyze_cpu"],
        "analyze_vs_floor_cpu": [a / f for a, f in zip(res["analyze_cpu"], res["floor_cpu"], strict=True)],
    }
    print(f"\n== 1. floor and pipeline: {n} article tokens in {len(plan)} windows "
          f"({out['window_tokens']} window tokens, +{out['window_tokens'] / n - 1:.1%} for overlaps)")
    print(f"encoder floor, one {det.window}-token window at a time: {spread(res['floor'])} -> {floor:,.0f} tok/s")
    print(f"the article's windows one at a time: {statistics.median(res['alone']):,.0f} article tok/s; "
          f"in one padded batch: {statistics.median(res['batch']):,.0f} (batch/alone {spread(out['batch_vs_alone'])})")
    print(f"whole pipeline: {statistics.median(res['analyze']):,.0f} article tok/s = "
          f"{spread(out['analyze_vs_floor'])} of the floor (target >= 0.90)")
    print(f"in CPU time (this thread): floor {statistics.median(res['floor_cpu']):,.0f} tok/s, pipeline "
          f"{statistics.median(res['analyze_cpu']):,.0f} article tok/s = {spread(out['analyze_vs_floor_cpu'])} of the floor")
    print(f"cores used by the one-thread library loop: {spread(res['cpu'])}")
    total = sum(statistics.median(v) for v in stages.values())
    print("stage shares (each timed alone, best of 5):")
    for k, v in stages.items():
        print(f"  {k:20s} {statistics.median(v) * 1000:8.2f} ms  {statistics.median(v) / total:6.1%}")
    return out


def part_torch(rounds: int) -> dict | None:
    try:
        import torch
    except ImportError:
        print("\n== 3. torch: not installed (install the test extra); skipped")
        return None
    from unspin.detect.encoding import encode
    from unspin.detect.runtime import Detector
    from unspin.train.requantize import dequantized_encoder

    torch.set_num_threads(1)
    det = Detector(threads=1)
    text = thousand_words()
    enc = encode(det.tokenizer, text)
    plan = det.window_plan(enc, text)
    wins = encoder_inputs(det, enc, plan)
    fp32 = dequantized_encoder(det.model_dir / "model.onnx")
    int8 = torch.ao.quantization.quantize_dynamic(dequantized_encoder(det.model_dir / "model.onnx"),
                                                  {torch.nn.Linear}, dtype=torch.qint8)
    twins = [torch.from_numpy(w) for w in wins]

    def run_torch(model) -> None:
        with torch.inference_mode():
            for w in twins:
                model(input_ids=w, attention_mask=torch.ones_like(w))

    def run_ort() -> None:
        for w in wins:
            det.session.run(None, {"input_ids": w, "attention_mask": np.ones_like(w)})

    run_torch(fp32), run_torch(int8), run_ort()
    t: dict[str, list[float]] = {"unspin": [], "torch fp32": [], "torch int8": []}
    c: dict[str, list[float]] = {"unspin": [], "torch fp32": [], "torch int8": []}
    for _ in range(rounds):
        t["unspin"].append(best_of(run_ort, 3))
        t["torch fp32"].append(best_of(lambda: run_torch(fp32), 2))
        t["torch int8"].append(best_of(lambda: run_torch(int8), 3))
        c["unspin"].append(cpu_best_of(run_ort, 3))
        c["torch fp32"].append(cpu_best_of(lambda: run_torch(fp32), 2))
        c["torch int8"].append(cpu_best_of(lambda: run_torch(int8), 3))
    vs8 = [b / a for a, b in zip(t["unspin"], t["torch int8"], strict=True)]
    vs32 = [b / a for a, b in zip(t["unspin"], t["torch fp32"], strict=True)]
    print(f"\n== 3. encoders on the same weights and the same {len(wins)} windows, one thread (seconds, best of each round)")
    for k, v in t.items():
        print(f"  {k:12s} {spread(v)}")
    print(f"unspin vs torch int8: {spread(vs8)}x (target >= 1.2); vs torch fp32: {spread(vs32)}x")
    c8 = [b / a for a, b in zip(c["unspin"], c["torch int8"], strict=True)]
    c32 = [b / a for a, b in zip(c["unspin"], c["torch fp32"], strict=True)]
    print(f"in CPU time: vs torch int8 {spread(c8)}x, vs torch fp32 {spread(c32)}x")
    return {"seconds": t, "cpu_seconds": c, "vs_torch_int8": vs8, "vs_torch_fp32": vs32, "vs_torch_int8_cpu": c8,
            "vs_torch_fp32_cpu": c32}


def part_cold(rounds: int) -> dict:
    path = Path(tempfile.mkdtemp()) / "article.txt"
    path.write_text(thousand_words())
    secs, cpu, rss = [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "unspin", "analyze", str(path), "--format", "json"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        secs.append(time.perf_counter() - t)
        cpu.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)
        if status != 0:
            raise SystemExit(f"unspin analyze failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    print(f"\n== 4. `unspin analyze` of the 1,000-word article, whole process: {spread(secs)} s "
          f"(target <= 1), CPU time {spread(cpu)} s, peak RSS {spread(rss)} MiB (target <= 300)")
    return {"seconds": secs, "cpu_seconds": cpu, "rss_mib": rss}


def part_length(rounds: int) -> dict:
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer

    an = Analyzer(threads=1)
    small, big = article_from_text(words_article(1000)), article_from_text(words_article(30000))
    an.analyze(small)
    ratios, cpu_ratios = [], []
    for _ in range(rounds):
        a = best_of(lambda: an.analyze(small), 3) / 1000
        b = best_of(lambda: an.analyze(big), 1) / 30000
        ratios.append(b / a)
        a = cpu_best_of(lambda: an.analyze(small), 3) / 1000
        b = cpu_best_of(lambda: an.analyze(big), 1) / 30000
        cpu_ratios.append(b / a)
    print(f"\n== 5. cost per word, 30,000 words / 1,000 words: wall {spread(ratios)}, CPU time {spread(cpu_ratios)} "
          f"(target <= 1.1)")
    return {"per_word_ratio": ratios, "per_word_ratio_cpu": cpu_ratios}


def library_loop(seconds: float) -> tuple[float, float]:
    """(articles/s, CPU seconds per article) of one Analyzer in a loop, one thread."""
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer

    an = Analyzer(threads=1)
    text = (ROOT / "bench" / "web_article.txt").read_text()
    an.analyze(article_from_text(text))
    n, start, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        an.analyze(article_from_text(text))
        n += 1
    return n / (time.perf_counter() - start), (time.process_time() - c0) / n


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(d.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def serve_rate(args: list[str], clients: int, seconds: float) -> tuple[float, float]:
    """(articles/s, CPU seconds per article) of `unspin serve ARGS` under `clients` clients."""
    text = (ROOT / "bench" / "web_article.txt").read_text()
    port = free_port()
    proc = start_server(port, args)
    try:
        asyncio.run(load(f"http://127.0.0.1:{port}", text, clients, 3.0, 120.0))  # warm-up: every worker loaded
        c0 = tree_cpu_seconds(proc.pid)
        r = asyncio.run(load(f"http://127.0.0.1:{port}", text, clients, seconds, 120.0))
        cpu = tree_cpu_seconds(proc.pid) - c0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    if r["errors"]:
        raise SystemExit(f"serve {' '.join(args)}: errors {r['errors']}")
    return float(r["per_s"]), cpu / max(1, r["requests"])


def part_serve(rounds: int, clients: int, seconds: float) -> dict:
    out: dict[str, list[float]] = {"library": [], "serve 1 worker": [], "serve 2 workers": []}
    cpu: dict[str, list[float]] = {k: [] for k in out}
    for _ in range(rounds):
        a = library_loop(seconds / 2)
        for key, args in (("serve 1 worker", ["--workers", "1"]), ("serve 2 workers", ["--workers", "2"])):
            rate, c = serve_rate(args, clients, seconds)
            out[key].append(rate)
            cpu[key].append(c)
        b = library_loop(seconds / 2)
        out["library"].append((a[0] + b[0]) / 2)
        cpu["library"].append((a[1] + b[1]) / 2)
    r1 = [w / lib for w, lib in zip(out["serve 1 worker"], out["library"], strict=True)]
    r2 = [w / lib for w, lib in zip(out["serve 2 workers"], out["library"], strict=True)]
    print(f"\n== 6. web server, {clients} clients, {available()} cores: articles/s; CPU ms per article")
    for k, v in out.items():
        print(f"  {k:16s} {spread(v)};  {statistics.median(cpu[k]) * 1000:.0f} ms CPU per article")
    print(f"serve / library loop: 1 worker {spread(r1)}x, 2 workers {spread(r2)}x (target >= 1.8)")
    eff = [lib / w for w, lib in zip(cpu["serve 2 workers"], cpu["library"], strict=True)]
    print(f"CPU per article, library / serve 2 workers: {spread(eff)} (on {available()} free cores serve could reach "
          f"{available()} x this)")
    return {"rates": out, "cpu_s_per_article": cpu, "one_worker_vs_library": r1, "two_workers_vs_library": r2,
            "cpu_efficiency_two_workers": eff}


def available() -> int:
    from unspin.threads import available_cores

    return available_cores()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--serve-seconds", type=float, default=20.0, help="seconds of load per server and round")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: torch,cold,length,serve")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
          f"{available()} cores, load average {os.getloadavg()[0]:.2f}")
    out: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "loadavg_start": os.getloadavg()[0]}
    out["pipeline"] = part_pipeline(args.rounds)
    if "cold" not in skip:
        out["cold"] = part_cold(args.rounds)
    if "length" not in skip:
        out["length"] = part_length(args.rounds)
    if "serve" not in skip:
        out["serve"] = part_serve(args.rounds, args.clients, args.serve_seconds)
    if "torch" not in skip:  # last: importing torch changes the process
        out["torch"] = part_torch(args.rounds)
    out["loadavg_end"] = os.getloadavg()[0]
    print(f"\nload average at the end: {out['loadavg_end']:.2f}; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
