"""Scorers for the SemEval-2020 Task 11 measures, written from the published formulas.

With S the predicted spans and T the gold spans (character offsets, per article),
C(s, t, h) = |s ∩ t| / h, and

    P = 1/|S| Σ_s Σ_t C(s, t, |s|)        R = 1/|T| Σ_s Σ_t C(s, t, |t|)

- SI: spans of any technique, overlapping spans merged per article first.
- FLC: the same sums, but a pair counts only when the techniques match (spans are
  merged per article *and technique*). Per-technique F1 restricts S and T to one
  technique.
- TC: micro-F1 of one predicted label per gold span (equal to accuracy when every
  gold span gets exactly one label).
- Sentence level: a sentence (a line, in the PTC layout) is propagandistic when it
  overlaps at least one span; F1 of the positive class.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unspin.techniques import BY_ID, TECHNIQUE_IDS


@dataclass(frozen=True)
class LabeledSpan:
    article_id: str
    start: int
    end: int
    technique: str = ""


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping [start, end) ranges (touching ranges stay apart)."""
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a < out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _group(spans: Iterable[LabeledSpan], by_technique: bool) -> dict[tuple[str, str], list[tuple[int, int]]]:
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for s in spans:
        if s.end > s.start:
            key = (s.article_id, s.technique if by_technique else "")
            groups.setdefault(key, []).append((s.start, s.end))
    return {k: merge(v) for k, v in groups.items()}


def _prf(p_num: float, n_pred: int, r_num: float, n_gold: int) -> dict[str, float]:
    p = p_num / n_pred if n_pred else 0.0
    r = r_num / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "n_pred": n_pred, "n_gold": n_gold}


def overlap_scores(pred: Sequence[LabeledSpan], gold: Sequence[LabeledSpan], by_technique: bool) -> dict[str, float]:
    """P/R/F1 with partial-overlap credit (SI when by_technique is False, FLC when True)."""
    P = _group(pred, by_technique)
    G = _group(gold, by_technique)
    p_num = r_num = 0.0
    for key, ps in P.items():
        gs = G.get(key, [])
        for a, b in ps:
            for c, d in gs:
                inter = min(b, d) - max(a, c)
                if inter > 0:
                    p_num += inter / (b - a)
                    r_num += inter / (d - c)
    n_pred = sum(len(v) for v in P.values())
    n_gold = sum(len(v) for v in G.values())
    return _prf(p_num, n_pred, r_num, n_gold)


def si_scores(pred: Sequence[LabeledSpan], gold: Sequence[LabeledSpan]) -> dict[str, float]:
    return overlap_scores(pred, gold, by_technique=False)


def flc_scores(pred: Sequence[LabeledSpan], gold: Sequence[LabeledSpan]) -> dict[str, Any]:
    overall = overlap_scores(pred, gold, by_technique=True)
    per = {
        t: overlap_scores([p for p in pred if p.technique == t], [g for g in gold if g.technique == t], True)
        for t in TECHNIQUE_IDS
    }
    return {**overall, "per_technique": per}


def tc_scores(pred_labels: Sequence[str], gold_labels: Sequence[str]) -> dict[str, Any]:
    """Micro-F1 over gold spans, plus per-technique F1 of the labelling."""
    if len(pred_labels) != len(gold_labels):
        raise ValueError("one predicted label per gold span is needed")
    n = len(gold_labels)
    correct = sum(1 for p, g in zip(pred_labels, gold_labels, strict=True) if p == g)
    per: dict[str, dict[str, float]] = {}
    for t in TECHNIQUE_IDS:
        tp = sum(1 for p, g in zip(pred_labels, gold_labels, strict=True) if p == g == t)
        npred = sum(1 for p in pred_labels if p == t)
        ngold = sum(1 for g in gold_labels if g == t)
        per[t] = _prf(tp, npred, tp, ngold)
    micro = correct / n if n else 0.0
    return {"micro_f1": micro, "n": n, "per_technique": per}


def sentence_scores(
    sentences: Sequence[tuple[str, int, int]], pred: Sequence[LabeledSpan], gold: Sequence[LabeledSpan]
) -> dict[str, float]:
    """F1 of 'this sentence holds a span' over (article_id, start, end) sentences."""

    def flags(spans: Sequence[LabeledSpan]) -> list[bool]:
        by_art: dict[str, list[tuple[int, int]]] = {}
        for s in spans:
            by_art.setdefault(s.article_id, []).append((s.start, s.end))
        return [any(a < e and b > s for a, b in by_art.get(aid, [])) for aid, s, e in sentences]

    p, g = flags(pred), flags(gold)
    tp = sum(1 for x, y in zip(p, g, strict=True) if x and y)
    return _prf(tp, sum(p), tp, sum(g)) | {"n_sentences": len(sentences)}


# -- running the model over a labelled split -------------------------------------------


def evaluate_dir(
    data_dir: Path, model_dir: Path | None = None, progress: bool = True, encoder_file: str = "model.onnx",
    windowing: str | None = None,
) -> dict[str, Any]:
    """Every measure for the model on a PTC split (articles/ + *-task-flc-tc.labels).

    `windowing` overrides the detector's window plan (see `Detector.window_plan`)."""
    from rich.progress import track

    from unspin.detect.runtime import Detector
    from unspin.errors import InputError
    from unspin.load.text import load_text_file
    from unspin.ptc.files import find_label_file, list_articles, read_tc_labels
    from unspin.segment import lines

    label_file = find_label_file(data_dir)
    if label_file is None:
        raise InputError(f"{data_dir}: no *-task-flc-tc.labels file to score against")
    files = list_articles(data_dir)
    gold_rows = [g for g in read_tc_labels(label_file) if g.article_id in files]
    detector = Detector(model_dir, encoder_file=encoder_file)
    if windowing:
        detector.windowing = windowing
    pred: list[LabeledSpan] = []
    gold = [LabeledSpan(g.article_id, g.start, g.end, g.technique) for g in gold_rows]
    tc_pred: list[str] = []
    sentences: list[tuple[str, int, int]] = []
    by_article: dict[str, list[int]] = {}
    for i, g in enumerate(gold_rows):
        by_article.setdefault(g.article_id, []).append(i)
    items = list(files.items())
    for aid, path in track(items, description="evaluate", transient=True) if progress else items:
        text = load_text_file(path, aid).text
        view = detector.token_view(text)
        pred.extend(LabeledSpan(aid, s.start, s.end, s.technique) for s in detector.spans(text, view))
        idx = by_article.get(aid, [])
        if idx:
            tc_pred.extend(detector.classify(text, [(gold_rows[i].start, gold_rows[i].end) for i in idx], view))
        sentences.extend((aid, a, b) for a, b in lines(text))
    order = [i for idx in by_article.values() for i in idx]
    tc = tc_scores(tc_pred, [gold_rows[i].technique for i in order])
    return {
        "data": str(data_dir),
        "articles": len(files),
        "model": {"name": detector.info.name, "version": detector.info.version, "dir": str(detector.model_dir)},
        "si": si_scores(pred, gold),
        "tc": tc,
        "flc": flc_scores(pred, gold),
        "sentence": sentence_scores(sentences, pred, gold),
    }


def render_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m = report["model"]
    console.print(f"[bold]{m['name']} {m['version']}[/] on {report['data']} ({report['articles']} articles)")
    head = Table(title="Measures")
    for col in ("measure", "precision", "recall", "F1"):
        head.add_column(col, justify="left" if col == "measure" else "right")
    for key, label in (("si", "SI (span identification)"), ("flc", "FLC (spans + technique)"), ("sentence", "Sentence level")):
        r = report[key]
        head.add_row(label, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}")
    head.add_row("TC (technique of gold spans), micro", "", "", f"{report['tc']['micro_f1']:.3f}")
    console.print(head)
    per = Table(title="Per technique")
    for col in ("technique", "gold spans", "TC F1", "FLC F1"):
        per.add_column(col, justify="left" if col == "technique" else "right")
    for t in TECHNIQUE_IDS:
        per.add_row(BY_ID[t].name, str(report["tc"]["per_technique"][t]["n_gold"]),
                    f"{report['tc']['per_technique'][t]['f1']:.3f}", f"{report['flc']['per_technique'][t]['f1']:.3f}")
    console.print(per)
