"""Cache the shipped detector's token states for PolNeAR's texts, for fitting the sourcing tagger's models that
read them (bench/train_sourcing_tagger.py --states DIR/train) and scoring quickly (bench/sourcing_polnear.py
--states DIR/dev).

For every article text: the word-piece states (pieces, 384) as float16 and their character offsets (pieces, 2),
exactly as `unspin analyze` computes them (`Detector.token_view`: overlapping windows, averaged). Nothing here
goes into the repository: the cache holds numbers computed from PolNeAR's texts.

Usage: python bench/polnear_states.py [--data ../shared/data/polnear] [--out /tmp/polnear-states] [--threads 2]
(about 2 minutes for train and dev on 2 cores; files already written are kept; `model.txt` names the detector,
which the tagger records as the one whose states it reads.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rich.progress import track

from unspin.detect.runtime import Detector

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("/tmp/polnear-states"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--splits", default="train,dev")
    args = ap.parse_args()
    det = Detector(threads=args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model.txt").write_text(f"{det.info.name} {det.info.version}\n", encoding="utf-8")
    for split in args.splits.split(","):
        texts = sorted((args.data / split / "text").glob("*.txt"))
        if not texts:
            raise SystemExit(f"no texts under {args.data / split / 'text'}")
        (args.out / split).mkdir(parents=True, exist_ok=True)
        for path in track(texts, description=f"{split}: token states"):
            dst = args.out / split / f"{path.stem}.npz"
            if dst.exists():
                continue
            view = det.token_view(path.read_text(encoding="utf-8"))
            np.savez(dst, states=view.states.astype(np.float16), offsets=view.enc.offsets.astype(np.int32))
    print(f"states under {args.out}")


if __name__ == "__main__":
    main()
