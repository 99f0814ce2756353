"""Where the time goes in a batch: reading, segmenting and writing against the model itself.

Measured part by part on one process (one onnxruntime thread, as in a worker):
- read: parse the corpus (JSONL, or a WARC of HTML pages with --warc) into records and hash each text
  (the driver's work);
- html extract: trafilatura on each page (--warc only; `unspin batch` runs it on the workers);
- segment: title and sentence segmentation;
- model: the detect stage (tokenise, ONNX encoder, heads, decoding);
- other stages (score, sourcing) are reported but are neither "model" nor overhead;
- write: storing all Results in a fresh DuckDB file, 64 per transaction (the driver's work).
Target: read (+ extract) + segment + write <= 10% of model.

    .venv/bin/python bench/batch_parts.py [--articles 200] [--short] [--warc]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import make_corpus, make_warc
from unspin.article import Result
from unspin.corpus.readers import Corpus, extract
from unspin.corpus.store import Store
from unspin.pipeline import Analyzer, Shared


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--short", action="store_true", help="~50-word articles instead of the full demo article")
    ap.add_argument("--warc", action="store_true", help="read HTML pages from a WARC (trafilatura) instead of JSONL")
    args = ap.parse_args()
    analyzer = Analyzer(threads=1)
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        make = make_warc if args.warc else make_corpus
        corpus = make(work / ("c.warc.gz" if args.warc else "c.jsonl"), args.articles, short=args.short)
        t = time.perf_counter()
        records = list(Corpus([corpus], defer_html=True))  # what the driver does: bytes to records
        read = time.perf_counter() - t
        t = time.perf_counter()
        articles = []
        for rec in records:
            art = extract(rec).article  # HTML only (trafilatura); batch runs this on the workers
            assert art is not None
            articles.append(art)
        extracted = time.perf_counter() - t
        t = time.perf_counter()
        for a in articles:
            _ = a.hash  # the driver hashes every text for the store lookup
        read += time.perf_counter() - t

        stage_time: dict[str, float] = {}
        results = []
        analyzer.analyze(articles[0])  # warm-up: first-call allocations in onnxruntime
        for a in articles:
            r = Result(article=a, model=analyzer.model)
            shared = Shared(a.text)
            for stage in analyzer.stages:
                name = getattr(stage, "__name__", type(stage).__name__).strip("_").removesuffix("_stage")
                t = time.perf_counter()
                stage(r, shared)
                stage_time[name] = stage_time.get(name, 0.0) + time.perf_counter() - t
            results.append(r)

        with Store(work / "parts.duckdb") as store:  # opened once per batch run: not counted
            t = time.perf_counter()
            for i in range(0, len(results), 64):
                store.write_many(results[i:i + 64])
            write = time.perf_counter() - t

    n = len(articles)
    words = sum(a.words for a in articles) / n
    model = stage_time.get("detect", 0.0)
    seg = stage_time.get("segment", 0.0)
    print(f"{n} articles from {'a WARC of HTML pages' if args.warc else 'JSONL'}, {words:.0f} words each on average")
    parts = [("read+hash", read), *([("html extract", extracted)] if args.warc else []), *stage_time.items(),
             ("write", write)]
    for name, sec in parts:
        print(f"  {name:<15} {sec:8.3f}s  {1000 * sec / n:7.2f} ms/article  {100 * sec / model:6.1f}% of model")
    overhead = read + (extracted if args.warc else 0.0) + seg + write
    what = "read + extract + segment + write" if args.warc else "read + segment + write"
    print(f"{what} = {overhead:.3f}s = {100 * overhead / model:.1f}% of model time (target <= 10%)")


if __name__ == "__main__":
    main()
