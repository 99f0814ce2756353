"""Detector quality on a PTC split under several window plans, side by side (issue 18).

    python bench/window_plans.py ../shared/data/ptc/dev [--plans overlap:32,overlap:16,overlap:0,sentences:0,sentences:16]
                                 [--model DIR] [--encoder model.onnx]

For each plan (`Detector.window_plan`): SI, TC, FLC and sentence F1, and how many
tokens the encoder reads per article token (the cost of the overlaps).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--plans", default="overlap:32,overlap:16,overlap:0,sentences:0,sentences:16,sentences:32")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--encoder", default="model.onnx")
    args = ap.parse_args()
    from unspin.detect.encoding import encode
    from unspin.detect.runtime import Detector
    from unspin.load.text import load_text_file
    from unspin.ptc.evaluate import evaluate_dir
    from unspin.ptc.files import list_articles

    det = Detector(args.model, encoder_file=args.encoder)
    texts = [load_text_file(p, a).text for a, p in list_articles(args.data).items()]
    encs = [encode(det.tokenizer, t) for t in texts]
    print(f"{'plan':14s} {'SI':>6s} {'TC':>6s} {'FLC':>6s} {'sent':>6s} {'tokens read':>12s} {'s':>6s}")
    for plan in args.plans.split(","):
        det.windowing = plan
        read = sum(b - a for e, t in zip(encs, texts, strict=True) for a, b in det.window_plan(e, t))
        t0 = time.perf_counter()
        r = evaluate_dir(args.data, args.model, progress=False, encoder_file=args.encoder, windowing=plan)
        print(f"{plan:14s} {r['si']['f1']:6.4f} {r['tc']['micro_f1']:6.4f} {r['flc']['f1']:6.4f} "
              f"{r['sentence']['f1']:6.4f} {read / sum(len(e) for e in encs):11.3f}x {time.perf_counter() - t0:6.0f}", flush=True)


if __name__ == "__main__":
    main()
