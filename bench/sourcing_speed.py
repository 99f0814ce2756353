"""What sourcing adds to `unspin analyze` on a 1,000-word article, measured side by side.

Two Analyzers share the process: one with the sourcing stage, one without. Each round analyses every article
with both, in alternating order, and times each call by process CPU time (steadier than wall time on a shared
machine) and wall time. Reported: medians per article, the ratio with/without, and `find_sourcing` alone; also the
fastest round of each (the least disturbed by other processes on a shared machine).
The first round is a warm-up and is not counted. Sourcing's caches start cold in each new process, as in one
`unspin analyze` run; the figures after the warm-up are warm, so `--cold` also times a fresh process per article.

Articles: bench/web_article.txt (1,031 words), plus `--polnear N`: N PolNeAR dev texts of 900-1,100 words
(not in the repository; read from ../shared/data/polnear when present).

Usage: python bench/sourcing_speed.py [--rounds 15] [--polnear 4] [--cold]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from unspin.load.text import article_from_text
from unspin.pipeline import Analyzer
from unspin.sourcing import find_sourcing

ROOT = Path(__file__).resolve().parent
POLNEAR = ROOT.parents[1] / "shared" / "data" / "polnear" / "dev" / "text"


def articles(polnear: int) -> list[tuple[str, str]]:
    out = [("web_article.txt", (ROOT / "web_article.txt").read_text(encoding="utf-8"))]
    if polnear and POLNEAR.exists():
        for p in sorted(POLNEAR.glob("*.txt")):
            text = p.read_text(encoding="utf-8")
            if 900 <= len(text.split()) <= 1100 and len(out) <= polnear:
                out.append((p.name, text))
    return out


def timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def cold(text: str) -> float:
    """CPU seconds of find_sourcing in a fresh interpreter (caches cold, imports and model files loaded first)."""
    code = ("import sys,time;from unspin.load.text import article_from_text;from unspin.sourcing import find_sourcing;"
            "from unspin.sourcing.tagger import models;models();a=article_from_text(sys.stdin.read());"
            "t=time.process_time();find_sourcing(a);print(time.process_time()-t)")
    out = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--polnear", type=int, default=0)
    ap.add_argument("--cold", action="store_true")
    args = ap.parse_args()
    with_s, without = Analyzer(sourcing=True), Analyzer(sourcing=False)
    texts = articles(args.polnear)
    cpu: dict[str, list[float]] = {"with": [], "without": [], "sourcing": []}
    wall: dict[str, list[float]] = {"with": [], "without": [], "sourcing": []}
    for r in range(args.rounds + 1):
        for n, (_, text) in enumerate(texts):
            order = [("with", with_s), ("without", without)]
            if (r + n) % 2:
                order.reverse()
            for key, an in order:
                c, w = timed(lambda an=an, text=text: an.analyze(article_from_text(text)))
                if r:
                    cpu[key].append(c)
                    wall[key].append(w)
            c, w = timed(lambda text=text: find_sourcing(article_from_text(text)))
            if r:
                cpu["sourcing"].append(c)
                wall["sourcing"].append(w)
    med = {k: statistics.median(v) * 1000 for k, v in cpu.items()}
    medw = {k: statistics.median(v) * 1000 for k, v in wall.items()}
    print(f"{len(texts)} articles ({', '.join(n for n, _ in texts)}), {args.rounds} rounds")
    print(f"CPU  ms per article: analyze with sourcing {med['with']:.1f}, without {med['without']:.1f}, "
          f"ratio {med['with'] / med['without']:.3f}; find_sourcing alone {med['sourcing']:.1f} "
          f"({med['sourcing'] / med['without']:.1%} of analyze without it)")
    print(f"wall ms per article: with {medw['with']:.1f}, without {medw['without']:.1f}, "
          f"ratio {medw['with'] / medw['without']:.3f}; find_sourcing alone {medw['sourcing']:.1f}")
    low = {k: min(v) * 1000 for k, v in cpu.items()}
    print(f"CPU  ms, fastest of all rounds (least disturbed by other load): with {low['with']:.1f}, without "
          f"{low['without']:.1f}, ratio {low['with'] / low['without']:.3f}; find_sourcing alone {low['sourcing']:.1f}")
    if args.cold:
        fresh = [cold(t) * 1000 for _, t in texts]
        print(f"cold find_sourcing (fresh process each), CPU ms: median {statistics.median(fresh):.1f} "
              f"({statistics.median(fresh) / med['without']:.1%} of analyze without it)")


if __name__ == "__main__":
    main()
