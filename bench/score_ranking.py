"""How well an article score orders opinion and state-media articles above wire and public-broadcaster ones.

    .venv/bin/python bench/score_ranking.py --db allsides.duckdb          # or --results FILE, or --jsonl FILE
    .venv/bin/python bench/score_ranking.py --jsonl ../shared/data/allsides/articles.jsonl.gz --per-group 200

The held-out outlet set of issue 16 is not available here, so it is approximated with AllSides outlets
picked by name (below). For the article score before issue 16 (mean over sentences of the highest span
confidence), spin density (the article score now: expected propaganda phrases per 1,000 words
outside direct quotes) and the same over all words, quotes included, it prints the ROC AUC of "opinion or state media" against "wire or public broadcaster": the chance that
a random article of the first group scores higher than one of the second (ties count half).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from stored_results import Scored, articles, from_jsonl
from unspin.detect.runtime import DEFAULT_MODEL_DIR

OPINION = {
    "Guest Writer - Right", "Guest Writer - Left", "Guest Writer", "Guest Writer - Center", "New York Times - Opinion",
    "Fox News Opinion", "CNN - Editorial", "Newsmax - Opinion", "The Week - Opinion", "Wall Street Journal - Editorial",
    "NPR Editorial ", "New York Post (Opinion)", "Boston Herald Editorial", "New York Times Editorial Board",
    "Scriberr Media - Opinion/Editorial",
}
STATE_MEDIA = {"Al Jazeera", "Voice of America"}  # the only state-funded broadcasters AllSides lists
WIRE_AND_PUBLIC = {"Reuters", "Associated Press", "NPR Online News", "BBC News", "PBS NewsHour", "CBC News"}


def auc(pos: list[float], neg: list[float]) -> float:
    """Mann-Whitney ROC AUC, ties counted half."""
    p, n = np.asarray(pos), np.asarray(neg)
    if not len(p) or not len(n):
        return float("nan")
    greater = (p[:, None] > n[None, :]).sum()
    ties = (p[:, None] == n[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(p) * len(n)))


def report(rows: list[Scored], label: str, positive: set[str]) -> dict[str, float]:
    pos = [a for a in rows if a.outlet in positive]
    neg = [a for a in rows if a.outlet in WIRE_AND_PUBLIC]
    out = {"positives": len(pos), "negatives": len(neg),
           "auc_all_words_density": auc([a.all_words_density for a in pos], [a.all_words_density for a in neg]),
           "auc_old_score": auc([a.old_score for a in pos], [a.old_score for a in neg]),
           "auc_spin_density": auc([a.density for a in pos], [a.density for a in neg]),
           "mean_density_positive": float(np.mean([a.density for a in pos])) if pos else float("nan"),
           "mean_density_negative": float(np.mean([a.density for a in neg])) if neg else float("nan")}
    print(f"{label}: {len(pos)} against {len(neg)} | AUC old score {out['auc_old_score']:.3f} | "
          f"spin density {out['auc_spin_density']:.3f} (all words, quotes included: "
          f"{out['auc_all_words_density']:.3f}) | mean density {out['mean_density_positive']:.2f} "
          f"against {out['mean_density_negative']:.2f}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--db", type=Path)
    src.add_argument("--results", type=Path)
    src.add_argument("--jsonl", type=Path)
    ap.add_argument("--per-group", type=int, default=200, help="with --jsonl: articles drawn per group")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    version = json.loads((args.model / "meta.json").read_text())["version"]
    if args.jsonl:
        rows = []
        for group in (OPINION | STATE_MEDIA, WIRE_AND_PUBLIC):
            rows += list(from_jsonl(args.jsonl, args.per_group, args.seed, group))
    else:
        rows = articles(args.db, args.results, None, version)
    rows = [a for a in rows if a.words]
    random.Random(args.seed).shuffle(rows)
    out = {"opinion_and_state_media": report(rows, "opinion + state media", OPINION | STATE_MEDIA),
           "opinion_only": report(rows, "opinion only        ", OPINION),
           "state_media_only": report(rows, "state media only    ", STATE_MEDIA)}
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
