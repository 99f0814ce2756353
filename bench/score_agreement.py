"""Agreement of the reader scores with the gold labels of PTC dev (sentence level and article level).

    .venv/bin/python bench/ptc_dev_spans.py && .venv/bin/python bench/score_agreement.py [--json FILE]

Sentences are the PTC lines; a line is propagandistic in the gold when it overlaps a gold span.
- Sentence score (highest confidence of any span in the sentence): ROC AUC against the gold, and
  P/R/F1 when a sentence counts as flagged once it holds a span at or above the display threshold.
- Article score: Spearman correlation, over the 75 articles, of spin density (expected propaganda
  phrases per 1,000 words outside direct quotes, quotes found by the sourcing rules) and of the old
  score (mean of the sentence scores) with the gold density (gold spans per 1,000 words, and the
  same outside quotes) and with the gold share of propagandistic sentences; and the mean expected
  against the mean gold number of phrases per article.
Confidences are the shipped ones, whose calibration was fitted on dev itself (in-sample).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from score_ranking import auc
from unspin.confidence import load_bands
from unspin.density import inside, spin_density
from unspin.detect.runtime import DEFAULT_MODEL_DIR
from unspin.load.text import load_text_file
from unspin.ptc.files import list_articles
from unspin.sourcing import find_sourcing

ROOT = Path(__file__).resolve().parents[1]


def spearman(x: list[float], y: list[float]) -> float:
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spans", type=Path, default=ROOT / "bench/out/ptc-dev-spans.json")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    d = json.loads(args.spans.read_text())
    threshold = load_bands(args.model).display_threshold
    by_art: dict[str, list[dict]] = {}
    for s in d["spans"]:
        by_art.setdefault(s["article"], []).append(s)
    files = list_articles(Path(d["data"]))
    sent_score, sent_gold = [], []
    density, old, gold_density, gold_share, expected, gold_n, gold_own = [], [], [], [], [], [], []
    for a in d["articles"]:
        article = load_text_file(files[a["id"]], a["id"])
        quotes = [(q.start, q.end) for q in find_sourcing(article).quotes]
        spans = by_art.get(a["id"], [])
        scores, golds = [], []
        for s, e in a["lines"]:
            scores.append(max((x["confidence"] for x in spans if x["start"] < e and x["end"] > s), default=0.0))
            golds.append(any(g[0] < e and g[1] > s for g in a["gold"]))
        sent_score += scores
        sent_gold += golds
        spin = spin_density(article.text, [(x["start"], x["end"], x["confidence"]) for x in spans], quotes)
        density.append(spin.density)
        old.append(float(np.mean(scores)) if scores else 0.0)
        gold_density.append(1000 * len(a["gold"]) / a["words"])
        own = [g for g in a["gold"] if not inside(g[0], g[1], quotes)]
        gold_own.append(1000 * len(own) / spin.words if spin.words else 0.0)
        gold_share.append(float(np.mean(golds)) if golds else 0.0)
        expected.append(sum(x["confidence"] for x in spans))
        gold_n.append(len(a["gold"]))
    sc, gd = np.array(sent_score), np.array(sent_gold)
    flagged = sc >= threshold
    tp = float((flagged & gd).sum())
    p, r = tp / max(flagged.sum(), 1), tp / max(gd.sum(), 1)
    out = {
        "sentences": int(len(sc)), "gold_propagandistic": int(gd.sum()),
        "sentence_auc": auc(list(sc[gd]), list(sc[~gd])),
        "display_threshold": threshold,
        "sentence_at_threshold": {"precision": float(p), "recall": float(r), "f1": float(2 * p * r / (p + r)) if p + r else 0.0},
        "articles": len(d["articles"]),
        "spearman_density_vs_gold_density": spearman(density, gold_density),
        "spearman_old_score_vs_gold_density": spearman(old, gold_density),
        "spearman_density_vs_gold_density_outside_quotes": spearman(density, gold_own),
        "spearman_old_score_vs_gold_density_outside_quotes": spearman(old, gold_own),
        "spearman_density_vs_gold_sentence_share": spearman(density, gold_share),
        "spearman_old_score_vs_gold_sentence_share": spearman(old, gold_share),
        "mean_expected_phrases_all_spans": float(np.mean(expected)), "mean_gold_spans": float(np.mean(gold_n)),
    }
    for k, v in out.items():
        print(f"{k:45} {v if not isinstance(v, float) else round(v, 3)}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
