"""Score the sourcing rules on the annotated passages in tests/data/sourcing/passages.jsonl.

Precision and recall per element, for the dev passages (used while writing the
rules) and the held-out ones (written before any rule and not tuned on),
reported separately. Gold elements are given as text and located in the
passage; matching is one-to-one:

- quotes (exact): same start and end, quote marks included (a quote of several parts, one statement its
  attribution interrupts, counts part by part, each with the quote's speaker, or whole where the gold is whole)
- quotes (overlap): spans overlap
- speakers: for each quote matched by overlap, the predicted speaker equals the gold one
  (a speaker predicted where the gold has none, or a wrong one, is a false positive; a gold
  speaker missed or wrong is a false negative)
- attributions, anonymous sources: spans overlap
- provenance: spans overlap and the outlet is the same

Usage: python bench/sourcing_eval.py [--data FILE] [--errors] [--json OUT] [--analysis]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from unspin.load.text import article_from_text
from unspin.sourcing import find_sourcing

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sourcing" / "passages.jsonl"
_ANALYZER: Any = None  # set by --analysis: score the sourcing of a whole analysis (the tagger reads the states)
ELEMENTS = ["quotes (exact)", "quotes (overlap)", "speakers", "attributions", "anonymous", "provenance"]


def norm(name: str | None) -> str | None:
    if name is None:
        return None
    name = " ".join(name.lower().split())
    return name[4:] if name.startswith("the ") else name


def locate(text: str, gold: dict) -> tuple[int, int]:
    start = -1
    for _ in range(gold.get("occurrence", 0) + 1):
        start = text.find(gold["text"], start + 1)
    if start < 0:
        raise ValueError(f"gold text not in passage: {gold['text']!r}")
    return start, start + len(gold["text"])


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def match(gold: list[tuple[int, int]], pred: list[tuple[int, int]],
          same: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold index, predicted index)."""
    used: set[int] = set()
    pairs = []
    for g in range(len(gold)):
        for p in range(len(pred)):
            if p not in used and same(g, p):
                used.add(p)
                pairs.append((g, p))
                break
    return pairs


class Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f(self) -> float:
        p, r = self.p(), self.r()
        return 2 * p * r / (p + r) if p + r else 0.0


def score_passage(item: dict, errors: list[str]) -> dict[str, tuple[int, int, int]]:
    text = item["text"]
    s = find_sourcing(article_from_text(text)) if _ANALYZER is None else _ANALYZER.analyze(article_from_text(text)).sourcing
    out: dict[str, tuple[int, int, int]] = {}

    def spans_pr(name: str, gold: list[tuple[int, int]], pred: list[tuple[int, int]], same) -> list:
        pairs = match(gold, pred, same)
        out[name] = (len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
        mg = {g for g, _ in pairs}
        mp = {p for _, p in pairs}
        errors.extend(f"{item['id']} {name} missed: {text[a:b]!r}" for g, (a, b) in enumerate(gold) if g not in mg)
        errors.extend(f"{item['id']} {name} spurious: {text[a:b]!r}" for p, (a, b) in enumerate(pred) if p not in mp)
        return pairs

    gq = [locate(text, q) for q in item["quotes"]]
    # a quote of several parts (one statement whose quoted pieces its attribution interrupts) is scored piece by
    # piece, each with the quote's speaker, unless a gold quote is written whole from its first mark to its last
    written_whole = set(gq)
    pieces = [((q.start, q.end), n) if (q.start, q.end) in written_whole else (tuple(part), n)
              for n, q in enumerate(s.quotes) for part in ([None] if (q.start, q.end) in written_whole
                                                           else q.parts or [(q.start, q.end)])]
    pq = [piece for piece, _ in pieces]
    spans_pr("quotes (exact)", gq, pq, lambda g, p: gq[g] == pq[p])
    pairs = spans_pr("quotes (overlap)", gq, pq, lambda g, p: overlaps(gq[g], pq[p]))
    tp = fp = fn = 0
    matched_g = {g for g, _ in pairs}
    matched_p = {p for _, p in pairs}
    for g, p in pairs:
        gs, ps = norm(item["quotes"][g]["speaker"]), norm(s.quotes[pieces[p][1]].speaker)
        if gs is not None and gs == ps:
            tp += 1
            continue
        fp += ps is not None
        fn += gs is not None
        if gs != ps:
            errors.append(f"{item['id']} speaker of {s.quotes[pieces[p][1]].text[:40]!r}: got {ps!r}, want {gs!r}")
    fn += sum(1 for g, q in enumerate(item["quotes"]) if g not in matched_g and q["speaker"])
    fp += sum(1 for p, (_, n) in enumerate(pieces) if p not in matched_p and s.quotes[n].speaker)
    out["speakers"] = (tp, fp, fn)

    ga = [locate(text, a) for a in item["attributions"]]
    pa = [(a.start, a.end) for a in s.attributions]
    spans_pr("attributions", ga, pa, lambda g, p: overlaps(ga[g], pa[p]))
    gn = [locate(text, a) for a in item["anonymous"]]
    pn = [(a.start, a.end) for a in s.anonymous_sources]
    spans_pr("anonymous", gn, pn, lambda g, p: overlaps(gn[g], pn[p]))
    gp = [locate(text, a) for a in item["provenance"]]
    pp = [(a.start, a.end) for a in s.provenance]
    spans_pr("provenance", gp, pp, lambda g, p: overlaps(gp[g], pp[p])
             and norm(item["provenance"][g]["outlet"]) == norm(s.provenance[p].outlet))
    return out


def evaluate(path: Path) -> tuple[dict[str, dict[str, Counts]], dict[str, int], list[str]]:
    totals: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    sizes: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        sizes[item["split"]] += 1
        sizes["all"] += 1
        for name, (tp, fp, fn) in score_passage(item, errors).items():
            totals[item["split"]][name].add(tp, fp, fn)
            totals["all"][name].add(tp, fp, fn)
    return totals, sizes, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--errors", action="store_true", help="list every miss and spurious find")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--splits", default="dev,heldout,all", help="columns to show (comma-separated)")
    ap.add_argument("--analysis", action="store_true",
                    help="score the sourcing of a whole analysis (`unspin analyze`: the tagger reads the detector's "
                    "token states), not `find_sourcing` alone")
    args = ap.parse_args()
    if args.analysis:
        global _ANALYZER
        from unspin.pipeline import Analyzer

        _ANALYZER = Analyzer()
    totals, sizes, errors = evaluate(args.data)
    console = Console()
    table = Table(title=f"Sourcing rules on {args.data.name}")
    table.add_column("element")
    splits = [x for x in args.splits.split(",") if x]
    for split in splits:
        table.add_column(f"{split} ({sizes[split]}) P / R / F1", justify="right")
    report: dict[str, dict] = {}
    for name in ELEMENTS:
        row = [name]
        for split in splits:
            c = totals[split][name]
            row.append(f"{c.p():.2f} / {c.r():.2f} / {c.f():.2f}  (tp {c.tp}, fp {c.fp}, fn {c.fn})")
            report.setdefault(split, {})[name] = {"precision": round(c.p(), 4), "recall": round(c.r(), 4),
                                                 "f1": round(c.f(), 4), "tp": c.tp, "fp": c.fp, "fn": c.fn}
        table.add_row(*row)
    console.print(table)
    if args.errors:
        for e in errors:
            if "heldout" not in splits and not e.startswith("d"):
                continue
            console.print(e, markup=False, highlight=False)
    if args.json:
        args.json.write_text(json.dumps({"passages": dict(sizes), "scores": report}, indent=2))


if __name__ == "__main__":
    main()
