"""int8 against fp32 on PTC dev: every measure, side by side, and the file sizes.

    .venv/bin/python bench/model_quality.py [--data ../shared/data/ptc/dev] [--model DIR]

Needs the fp32 encoder (model-fp32.onnx) next to the shipped int8 one; it is not
committed, `unspin train` or `bench/export_model.py` leaves it there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from unspin.detect.runtime import DEFAULT_MODEL_DIR
from unspin.ptc.evaluate import evaluate_dir


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/data/ptc/dev")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = {}
    for label, f in (("fp32", "model-fp32.onnx"), ("int8", "model.onnx")):
        r = evaluate_dir(args.data, args.model, encoder_file=f)
        rows[label] = {
            "si": r["si"]["f1"], "tc": r["tc"]["micro_f1"], "flc": r["flc"]["f1"], "sentence": r["sentence"]["f1"],
            "size_mb": (args.model / f).stat().st_size / 1e6,
            "per_technique_flc": {t: v["f1"] for t, v in r["flc"]["per_technique"].items()},
            "per_technique_tc": {t: v["f1"] for t, v in r["tc"]["per_technique"].items()},
        }
    print(f"{'measure':10} {'fp32':>7} {'int8':>7} {'diff':>7}")
    for k in ("si", "tc", "flc", "sentence"):
        print(f"{k:10} {rows['fp32'][k]:7.3f} {rows['int8'][k]:7.3f} {rows['int8'][k] - rows['fp32'][k]:+7.3f}")
    print(f"{'size MB':10} {rows['fp32']['size_mb']:7.1f} {rows['int8']['size_mb']:7.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
