"""The reference distribution of spin density shipped with the model (reference.json).

Rerun it whenever the model changes (a reference for another model version is not used):

    # from a store that `unspin batch` filled with the corpus, analysed with the shipped model:
    unspin batch ../shared/data/allsides/articles.jsonl.gz --db allsides.duckdb
    .venv/bin/python bench/reference_distribution.py --db allsides.duckdb --write
    # while the batch still holds the DuckDB file, from its results file:
    .venv/bin/python bench/reference_distribution.py --results allsides.duckdb.results.jsonl --write
    # small runs, analysed here:
    .venv/bin/python bench/reference_distribution.py --jsonl ../shared/data/allsides/articles.jsonl.gz --sample 500 --write

Spin density (`unspin.score`) is computed from every span the detector emitted for an article
(a store keeps them all), never from the spans above a display threshold. `--write` puts
reference.json into the model directory (see `unspin.reference` for its form).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np

from stored_results import articles
from unspin.detect.runtime import DEFAULT_MODEL_DIR
from unspin.reference import REFERENCE_FILE, build_reference

CORPUS = "AllSides news articles (Baly et al. 2020), 2012-2020"


def main() -> None:
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--db", type=Path, help="a store written by `unspin batch` with the shipped model")
    src.add_argument("--results", type=Path, help="a store's .results.jsonl file")
    src.add_argument("--jsonl", type=Path, help="a JSONL corpus to analyse here")
    ap.add_argument("--sample", type=int, help="with --jsonl: analyse this many records, drawn at random")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--corpus", default=CORPUS, help="what the articles are, for the reader")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--write", action="store_true", help="write reference.json into the model directory")
    ap.add_argument("--out", type=Path, help="write the reference to this file instead")
    args = ap.parse_args()
    meta = json.loads((args.model / "meta.json").read_text())
    rows = [a for a in articles(args.db, args.results, args.jsonl, meta["version"], args.sample, args.seed) if a.words]
    if not rows:
        raise SystemExit(f"no articles analysed with model version {meta['version']} in the given source")
    outlets = len({a.outlet for a in rows if a.outlet})
    command = "bench/reference_distribution.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    ref = build_reference([a.density for a in rows], outlets, args.corpus, meta["name"], meta["version"], command)
    d = np.array([a.density for a in rows])
    print(f"{ref.label}, model {meta['name']} {meta['version']}")
    print("spin density (expected propaganda phrases per 1,000 words):")
    for p in (0, 10, 25, 50, 75, 90, 95, 99, 100):
        print(f"  {p:3d}th percentile {np.percentile(d, p):7.2f}")
    print(f"  mean {d.mean():.2f}, spans per article {np.mean([len(a.confidences) for a in rows]):.1f}")
    out = args.out or (args.model / REFERENCE_FILE if args.write else None)
    if out is not None:
        out.write_text(json.dumps(ref.to_dict()) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
