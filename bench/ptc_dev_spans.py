"""Every span the shipped detector emits on PTC dev, with cross-fitted confidences, as one JSON file.

    .venv/bin/python bench/ptc_dev_spans.py [--data ../shared/data/ptc/dev] [--out bench/out/ptc-dev-spans.json]

`bench/confidence_bands.py` and `bench/score_agreement.py` read this file, so the model runs over
dev once. For each span: article, offsets, technique, the shipped confidence (calibration fitted on
all of dev) and a *cross-fitted* one (the same Platt-with-offsets fitted on the other half of the
articles, halves drawn with seed 13 as `ptc/calibrate.py` draws them), and whether it is right
(it overlaps a gold span of the same technique, the event a confidence estimates). The decoding
settings are the shipped ones (tuned on all of dev), so only the calibration is cross-fitted.
Gold spans and the PTC sentences (lines) of every article are written too.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from unspin.detect.runtime import DEFAULT_MODEL_DIR, Detector
from unspin.load.text import load_text_file
from unspin.ptc.calibrate import apply_calibration, fit_calibration
from unspin.ptc.files import find_label_file, list_articles, read_tc_labels
from unspin.segment import lines

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/ptc/dev")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out/ptc-dev-spans.json")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    t0 = time.time()
    detector = Detector(args.model)
    label_file = find_label_file(args.data)
    assert label_file is not None, f"{args.data}: no label file"
    gold: dict[str, list[tuple[int, int, str]]] = {}
    for g in read_tc_labels(label_file):
        gold.setdefault(g.article_id, []).append((g.start, g.end, g.technique))
    articles = []
    spans: list[dict] = []
    for aid, path in list_articles(args.data).items():
        text = load_text_file(path, aid).text
        view = detector.token_view(text)
        for a, b, t, raw in detector.label_spans(text, detector.raw_spans(text, view)):
            right = any(gt == t and ga < b and gb > a for ga, gb, gt in gold.get(aid, []))
            spans.append({"article": aid, "start": a, "end": b, "technique": t, "raw": raw,
                          "confidence": detector.confidence(raw, t), "right": right})
        articles.append({"id": aid, "words": len(text.split()), "lines": lines(text),
                         "gold": gold.get(aid, [])})
    # cross-fitted confidences: calibration fitted on one half of the articles, applied to the other
    order = np.random.default_rng(args.seed).permutation(len(articles))
    half = {articles[i]["id"]: int(k >= len(articles) // 2) for k, i in enumerate(order)}
    raw = np.array([s["raw"] for s in spans])
    y = np.array([1.0 if s["right"] else 0.0 for s in spans])
    techs = [s["technique"] for s in spans]
    side = np.array([half[s["article"]] for s in spans])
    cross = np.zeros(len(spans))
    for k in (0, 1):
        fit, held = side == k, side != k
        params = fit_calibration(raw[fit], y[fit], [t for t, m in zip(techs, fit, strict=True) if m])
        cross[held] = apply_calibration(raw[held], [t for t, m in zip(techs, held, strict=True) if m], params)
    for s, c in zip(spans, cross, strict=True):
        s["cross_confidence"] = float(c)
    out = {"data": str(args.data), "model": {"name": detector.info.name, "version": detector.info.version},
           "seed": args.seed, "articles": articles, "spans": spans, "seconds": round(time.time() - t0, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))
    print(f"{len(spans)} spans in {len(articles)} articles -> {args.out} ({out['seconds']} s)")


if __name__ == "__main__":
    main()
