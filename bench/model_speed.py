"""Latency of `unspin analyze` on a 1,000-word article, one core, one thread.

    taskset -c 0 .venv/bin/python bench/model_speed.py [--runs 15]

The article is built from our own demo text (repeated with numbered paragraphs)
and cut at exactly 1,000 words. Reports the median and the spread of the whole
analysis (segment, detect, score, sourcing), plus the encoder alone, and the
cold start (import + load + first article) in a fresh process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def thousand_words() -> str:
    body = (ROOT / "examples" / "demo-article.txt").read_text().split("\n", 2)[2]
    words: list[str] = []
    n = 0
    while len(words) < 1000:
        n += 1
        words.extend(f"(Part {n}) {body}".split())
    text = " ".join(words[:1000])
    return "Reckless Council Betrays Harbour Town\n\n" + text + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--encoder", default="model.onnx")
    args = ap.parse_args()
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer

    text = thousand_words()
    analyzer = Analyzer(args.model, threads=1)
    if args.encoder != "model.onnx":
        from unspin.detect.runtime import Detector

        analyzer.detector = Detector(args.model, threads=1, encoder_file=args.encoder)
    art = article_from_text(text)
    analyzer.analyze(art)  # warm-up
    full, enc = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        analyzer.analyze(art)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        analyzer.detector.token_view(text)
        enc.append(time.perf_counter() - t)
    ntok = len(analyzer.detector.token_view(text).enc)
    cold = subprocess.run(
        [sys.executable, "-c", "import time; t=time.perf_counter(); import unspin.pipeline as p; "
         f"r = p.analyze({text!r}); print(time.perf_counter() - t)"],
        capture_output=True, text=True, check=True,
    )
    print(f"article: {len(text.split())} words, {ntok} tokens; encoder {args.encoder}")
    print(f"analyze: median {statistics.median(full):.3f} s  min {min(full):.3f}  max {max(full):.3f}  ({args.runs} runs)")
    print(f"encoder only: median {statistics.median(enc):.3f} s")
    print(f"cold start (import, load, first article): {float(cold.stdout):.2f} s")


if __name__ == "__main__":
    main()
