"""Choose the confidence bands and the default display threshold from PTC dev, and write bands.json.

    .venv/bin/python bench/ptc_dev_spans.py            # once per model: every span on dev
    .venv/bin/python bench/confidence_bands.py [--spans bench/out/ptc-dev-spans.json] [--write]

For the shipped model, whose decoding is already tuned: the same choice `unspin train --calibrate-on`
makes for a new model (`unspin.ptc.calibrate.bands_from_spans`), from the cross-fitted confidences
that ptc_dev_spans.py writes, so a span's band was not calibrated on its own article. The display
threshold is the confidence at which the spans a reader sees (confidence >= it) reach the best FLC
F1 against the gold spans (a 0.05 grid). `--write` writes `bands.json` into the model directory.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from unspin.confidence import BANDS_FILE, times_in_ten
from unspin.detect.runtime import DEFAULT_MODEL_DIR
from unspin.ptc.calibrate import bands_from_spans, threshold_curve
from unspin.ptc.evaluate import LabeledSpan

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spans", type=Path, default=ROOT / "bench/out/ptc-dev-spans.json")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--write", action="store_true", help="write bands.json into the model directory")
    args = ap.parse_args()
    d = json.loads(args.spans.read_text())
    meta = json.loads((args.model / "meta.json").read_text())
    if d["model"]["version"] != meta["version"]:
        raise SystemExit(f"{args.spans} is for model {d['model']['version']}, not {meta['version']}: rerun ptc_dev_spans.py")
    spans = [LabeledSpan(s["article"], s["start"], s["end"], s["technique"]) for s in d["spans"]]
    conf = np.array([s["cross_confidence"] for s in d["spans"]])
    gold: dict[str, list[LabeledSpan]] = {}
    for a in d["articles"]:
        gold[a["id"]] = [LabeledSpan(a["id"], g[0], g[1], g[2]) for g in a["gold"]]
    grid, f1 = threshold_curve(spans, conf, [g for gs in gold.values() for g in gs])
    print(f"{'shown from':>10} {'spans':>6} {'per article':>11} {'FLC F1':>7}")
    for t, f in zip(grid, f1, strict=True):
        n = int((conf >= t).sum())
        print(f"{t:10.2f} {n:6d} {n / len(d['articles']):11.1f} {f:7.3f}")
    bands = bands_from_spans(spans, conf, gold,
                             f"PTC dev ({len(d['articles'])} articles, {len(spans)} spans), confidences cross-fitted "
                             f"over two halves (seed {d['seed']}), model {d['model']['name']} {d['model']['version']}")
    print(f"\ndisplay threshold {bands.display_threshold}")
    for b in bands.bands:
        print(f"{b.name:9} from {b.low:.2f}  {b.spans:5d} spans  technique right {b.precision:.2f} "
              f"({times_in_ten(b.precision)})  propaganda of any technique {b.any_precision:.2f}")
    if args.write:
        (args.model / BANDS_FILE).write_text(json.dumps(bands.to_dict(), indent=2) + "\n")
        print(f"wrote {args.model / BANDS_FILE}")


if __name__ == "__main__":
    main()
