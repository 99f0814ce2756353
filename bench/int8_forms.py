"""int8 forms of the shipped encoder, side by side: speed on this CPU, one thread (issue 18).

    python bench/int8_forms.py [--out /tmp/int8-forms] [--rounds 15] [--calibration ../shared/data/allsides/articles.jsonl.gz]

Rebuilds the fp32 encoder from the shipped int8 `model.onnx` (`unspin.train.requantize`;
the int8 weights are exact in fp32), writes each form of `quantize_form` plus the fp32
graph, and times one full window of the demo article per call, the forms interleaved,
against torch fp32 and torch dynamic int8 on the same weights. Accuracy on PTC dev:
`python bench/window_plans.py ../shared/data/ptc/dev --plans overlap:32 --model OUT --encoder FORM.onnx`
(OUT holds copies of the shipped heads, tokenizer and settings).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_speed import thousand_words

FORMS = ["dynamic-rr", "dynamic", "dynamic-per-tensor", "dynamic-u8", "static-qoperator", "static-qdq"]


def calibration_windows(path: Path, tok, n: int = 48) -> list[np.ndarray]:
    from unspin.detect.encoding import encode, windows

    out: list[np.ndarray] = []
    with gzip.open(path, "rt") as f:
        for line in f:
            e = encode(tok, json.loads(line)["text"])
            for a, b in windows(len(e), 254, 254):
                out.append(np.concatenate([[101], e.ids[a:b], [102]])[None].astype(np.int64))
                if len(out) >= n:
                    return out
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/int8-forms"))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--calibration", type=Path, default=Path("../shared/data/allsides/articles.jsonl.gz"))
    args = ap.parse_args()
    import onnxruntime as ort
    import torch

    from unspin.detect.encoding import encode
    from unspin.detect.runtime import DEFAULT_MODEL_DIR, Detector
    from unspin.train.export import export_fp32
    from unspin.train.requantize import dequantized_encoder, export_raw, quantize_form

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name in ("heads.npz", "tokenizer.json", "meta.json", "calibration.json"):
        shutil.copy(DEFAULT_MODEL_DIR / name, out / name)
    det = Detector()
    fp32, raw = out / "fp32.onnx", out / "raw.onnx"
    if not fp32.exists():
        export_fp32(dequantized_encoder(DEFAULT_MODEL_DIR / "model.onnx"), fp32)
        export_raw(dequantized_encoder(DEFAULT_MODEL_DIR / "model.onnx"), raw)
    cal = calibration_windows(args.calibration, det.tokenizer) if args.calibration.exists() else None
    for form in FORMS:
        if not (out / f"{form}.onnx").exists() and (cal or not form.startswith("static")):
            quantize_form(form, fp32, raw, out / f"{form}.onnx", cal)
    enc = encode(det.tokenizer, thousand_words())
    ids = np.concatenate([[det.cls], enc.ids[: det.window], [det.sep]])[None].astype(np.int64)
    feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    runs = {}
    for name, path in [("shipped", DEFAULT_MODEL_DIR / "model.onnx"), ("fp32", fp32)] + [
            (f, out / f"{f}.onnx") for f in FORMS if (out / f"{f}.onnx").exists()]:
        o = ort.SessionOptions()
        o.intra_op_num_threads, o.inter_op_num_threads = 1, 1
        s = ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])
        runs[name] = lambda s=s: s.run(None, feed)
    torch.set_num_threads(1)
    t32 = dequantized_encoder(DEFAULT_MODEL_DIR / "model.onnx")
    t8 = torch.ao.quantization.quantize_dynamic(dequantized_encoder(DEFAULT_MODEL_DIR / "model.onnx"),
                                                {torch.nn.Linear}, dtype=torch.qint8)
    tids = torch.from_numpy(ids)
    for name, m in (("torch fp32", t32), ("torch int8", t8)):
        def run(m=m) -> None:
            with torch.inference_mode():
                m(input_ids=tids, attention_mask=torch.ones_like(tids))
        runs[name] = run
    times: dict[str, list[float]] = {k: [] for k in runs}
    for f in runs.values():
        f()
    for _ in range(args.rounds):
        for k, f in runs.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    base = statistics.median(times["shipped"])
    print(f"one {det.window}-token window, one thread, {args.rounds} interleaved rounds")
    print(f"{'form':20s} {'median ms':>10s} {'min ms':>8s} {'tok/s (min)':>12s} {'shipped/form':>13s} {'torch int8/form':>16s}")
    for k, v in times.items():
        print(f"{k:20s} {statistics.median(v) * 1e3:10.1f} {min(v) * 1e3:8.1f} {det.window / min(v):12,.0f} "
              f"{base / statistics.median(v):13.2f} {statistics.median(times['torch int8']) / statistics.median(v):16.2f}")


if __name__ == "__main__":
    main()
