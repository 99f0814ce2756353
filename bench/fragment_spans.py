"""Spans a reader cannot trust, counted over unlabeled news (AllSides): the target is zero.

    nice -n 10 .venv/bin/python bench/fragment_spans.py [--articles 1000] [--seed 0] [--model DIR] [--json F]

Runs the detector (one thread) over a seeded sample of `../shared/data/allsides/articles.jsonl.gz`
(title, blank line, body: what `unspin analyze` would be given) and counts, over every span shown:

- *fragment*: the span starts or ends inside a word, a hyphenated or apostrophe-joined compound
  included ("up" of "shake-up", "Bush" of "Bush-era");
- *no content*: the span holds only function words, punctuation or digits ("the", "in", "2016");
- *unrepeated Repetition*: a Repetition span none of whose content words occurs elsewhere in the article.

It also prints the most frequent one-word spans per technique, so a reader can judge the rest
("black" of "black sites" is a whole word, and no rule here can call it a fragment).
Costs about 5 to 8 CPU-minutes per 1,000 articles.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from unspin.detect.runtime import Detector
from unspin.detect.words import content_words, cuts_a_word, has_content, words
from unspin.train.unlabeled import sample_unlabeled

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "allsides" / "articles.jsonl.gz"


def repeated_elsewhere(text: str, start: int, end: int) -> bool:
    """Whether some content word of text[start:end] also occurs outside it, in the same article."""
    rest = set(content_words(text[:start] + "\n" + text[end:]))
    return any(w in rest for w in content_words(text[start:end]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--show", type=int, default=8, help="one-word spans to list per technique")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    arts = sample_unlabeled(args.data, args.articles, args.seed)
    det = Detector(args.model, threads=1)
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {"fragment": [], "no_content": [], "unrepeated_repetition": []}
    one_word: dict[str, Counter[str]] = {}
    t0 = time.perf_counter()
    for aid, text in arts:
        for s in det.spans(text):
            counts["spans"] += 1
            shown = text[s.start : s.end]
            bad = {
                "fragment": cuts_a_word(text, s.start, s.end),
                "no_content": not has_content(shown),
                "unrepeated_repetition": s.technique == "Repetition" and not repeated_elsewhere(text, s.start, s.end),
            }
            for k, v in bad.items():
                if v:
                    counts[k] += 1
                    if len(examples[k]) < 12:
                        lo, hi = max(0, s.start - 15), min(len(text), s.end + 15)
                        examples[k].append(f"{aid} {s.technique}: {shown!r} in {text[lo:hi]!r}")
            if len(words(shown)) == 1:
                one_word.setdefault(s.technique, Counter())[shown.lower()] += 1
    secs = time.perf_counter() - t0
    model = f"{det.info.name} {det.info.version} ({det.model_dir})"
    print(f"{len(arts)} AllSides articles (seed {args.seed}), {model}, {secs:.0f} s")
    print(f"spans shown: {counts['spans']} ({counts['spans'] / max(1, len(arts)):.1f} per article)")
    for k in ("fragment", "no_content", "unrepeated_repetition"):
        print(f"{k:22} {counts[k]:6d}")
        for e in examples[k][:6]:
            print(f"    {e}")
    print("most frequent one-word spans per technique:")
    for t, c in sorted(one_word.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"  {t} ({sum(c.values())}): " + ", ".join(f"{w} {n}" for w, n in c.most_common(args.show)))
    if args.json:
        args.json.write_text(json.dumps({
            "articles": len(arts), "seed": args.seed, "model": model, "seconds": secs, "counts": dict(counts),
            "examples": examples, "one_word": {t: dict(c.most_common(50)) for t, c in one_word.items()},
        }, indent=2))


if __name__ == "__main__":
    main()
