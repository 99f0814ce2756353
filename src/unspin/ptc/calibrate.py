"""Tuning the decoder and calibrating span confidences on a labelled split (PTC dev).

Three decoding settings are searched (SI threshold, gap merging, when to emit a
second technique) and a Platt scaling maps a span's raw score to the probability
that it is right (it overlaps a gold span of the same technique). Because the
split used for tuning is also the split we report on, every figure is also
computed *cross-fitted*: tuned on one half of the articles, measured on the
other, so the model card can say how much tuning on dev flatters the numbers.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from unspin.confidence import BANDS_FILE, GRID_STEP, Bands, choose_bands, display_threshold
from unspin.detect.runtime import Detector, TokenView
from unspin.errors import InputError
from unspin.load.text import load_text_file
from unspin.ptc.evaluate import LabeledSpan, flc_scores, sentence_scores, si_scores
from unspin.ptc.files import find_label_file, list_articles, read_tc_labels
from unspin.segment import lines

GRID: dict[str, list[float]] = {
    "si_threshold": [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6],
    "merge_gap": [0, 1, 3, 5, 8, 12],
    "second_label": [0.2, 0.3, 0.4, 0.5, 1.01],
    "repetition_min_count": [0, 2, 3],
    "repetition_spread": [0, 1],
}


@dataclass
class DevArticle:
    article_id: str
    text: str
    view: TokenView
    gold: list[LabeledSpan]
    sentences: list[tuple[str, int, int]]
    cache: dict = field(default_factory=dict)  # technique probabilities per decoded range


def load_views(detector: Detector, data_dir: Path) -> list[DevArticle]:
    from rich.progress import track

    label_file = find_label_file(data_dir)
    if label_file is None:
        raise InputError(f"{data_dir}: no *-task-flc-tc.labels file to calibrate on")
    gold: dict[str, list[LabeledSpan]] = {}
    for g in read_tc_labels(label_file):
        gold.setdefault(g.article_id, []).append(LabeledSpan(g.article_id, g.start, g.end, g.technique))
    out = []
    for aid, path in track(list(list_articles(data_dir).items()), description="encode dev", transient=True):
        text = load_text_file(path, aid).text
        out.append(DevArticle(aid, text, detector.token_view(text), gold.get(aid, []), [(aid, a, b) for a, b in lines(text)]))
    return out


def _raw(detector: Detector, arts: list[DevArticle], threshold: float, gap: int) -> list[tuple[DevArticle, list]]:
    detector.decoding.update({"si_threshold": threshold, "merge_gap": gap})
    return [(art, detector.raw_spans(art.text, art.view, cache=art.cache)) for art in arts]


def _label(detector: Detector, raws: list[tuple[DevArticle, list]], settings: dict[str, float]) -> list[tuple[LabeledSpan, float]]:
    """(span, raw score) for every predicted span, labelled exactly as the runtime does."""
    return [
        (LabeledSpan(art.article_id, a, b, t), sc)
        for art, spans in raws
        for a, b, t, sc in detector.label_spans(art.text, spans, settings)
    ]


def _decode(detector: Detector, arts: list[DevArticle], settings: dict[str, float]) -> list[tuple[LabeledSpan, float]]:
    raws = _raw(detector, arts, settings["si_threshold"], int(settings["merge_gap"]))
    detector.decoding.update(settings)
    return _label(detector, raws, settings)


def _measures(arts: list[DevArticle], spans: list[LabeledSpan]) -> dict[str, float]:
    gold = [g for a in arts for g in a.gold]
    sents = [s for a in arts for s in a.sentences]
    return {
        "si": si_scores(spans, gold)["f1"],
        "flc": flc_scores(spans, gold)["f1"],
        "sentence": sentence_scores(sents, spans, gold)["f1"],
    }


def _objective(m: dict[str, float]) -> float:
    """What decoding is tuned for. Readers see technique spans, so FLC counts twice;
    SI and sentence F1 keep the spans from shrinking to a few sure words."""
    return m["si"] + 2 * m["flc"] + m["sentence"]


def tune(detector: Detector, arts: list[DevArticle]) -> tuple[dict[str, float], dict[str, float]]:
    """Best decoding settings on these articles, and the measures they reach."""
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for t, gap in itertools.product(GRID["si_threshold"], GRID["merge_gap"]):
        raws = _raw(detector, arts, t, int(gap))
        for sec, rep, spread in itertools.product(
            GRID["second_label"], GRID["repetition_min_count"], GRID["repetition_spread"]
        ):
            if spread and not rep:
                continue
            settings = {"si_threshold": t, "merge_gap": gap, "second_label": sec,
                        "repetition_min_count": rep, "repetition_spread": spread}
            m = _measures(arts, [s for s, _ in _label(detector, raws, settings)])
            if best is None or _objective(m) > best[0]:
                best = (_objective(m), settings, m)
    assert best is not None
    return best[1], best[2]


def _right(span: LabeledSpan, gold: list[LabeledSpan]) -> bool:
    return any(g.technique == span.technique and g.start < span.end and g.end > span.start for g in gold)


def fit_platt(raw: np.ndarray, y: np.ndarray, iters: int = 200) -> tuple[float, float]:
    """Logistic regression of y on logit(raw), by Newton's method."""
    x = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / (1 - np.clip(raw, 1e-6, 1 - 1e-6)))
    X = np.stack([x, np.ones_like(x)], 1)
    w = np.array([1.0, 0.0])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -30, 30)))
        g = X.T @ (p - y)
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-6 * np.eye(2)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), float(w[1])


def fit_calibration(raw: np.ndarray, y: np.ndarray, techs: list[str], ridge: float = 2.0, iters: int = 100) -> dict:
    """Platt scaling with a per-technique offset: P(right | raw score, technique).

    A Loaded Language span at a given raw score is right far more often than a
    Slogans span at the same score; one offset per technique (shrunk towards 0 by
    a ridge penalty, since rare techniques have few dev spans) captures that.
    """
    from unspin.techniques import TECHNIQUE_IDS

    x = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / (1 - np.clip(raw, 1e-6, 1 - 1e-6)))
    onehot = np.zeros((len(x), len(TECHNIQUE_IDS)))
    for i, t in enumerate(techs):
        onehot[i, TECHNIQUE_IDS.index(t)] = 1.0
    X = np.concatenate([x[:, None], np.ones((len(x), 1)), onehot], 1)
    penalty = np.diag([1e-6, 1e-6] + [ridge] * len(TECHNIQUE_IDS))
    w = np.zeros(X.shape[1])
    w[0] = 1.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -30, 30)))
        g = X.T @ (p - y) + penalty @ w
        H = (X * (p * (1 - p))[:, None]).T @ X + penalty
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return {
        "platt_a": float(w[0]), "platt_b": float(w[1]),
        "technique_offsets": {t: round(float(v), 4) for t, v in zip(TECHNIQUE_IDS, w[2:], strict=True)},
    }


def apply_calibration(raw: np.ndarray, techs: list[str], params: dict) -> np.ndarray:
    offsets = np.array([params["technique_offsets"].get(t, 0.0) for t in techs])
    x = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / (1 - np.clip(raw, 1e-6, 1 - 1e-6)))
    return 1 / (1 + np.exp(-np.clip(params["platt_a"] * x + params["platt_b"] + offsets, -30, 30)))


def ece(conf: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: bin-size-weighted |accuracy - confidence|."""
    if len(conf) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() / len(conf) * abs(y[m].mean() - conf[m].mean())
    return float(total)


def reliability(conf: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges) - 1, 0, bins - 1)
    return [
        {"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": int((idx == b).sum()),
         "confidence": float(conf[idx == b].mean()), "accuracy": float(y[idx == b].mean())}
        for b in range(bins) if (idx == b).any()
    ]


def _labels(
    detector: Detector, arts: list[DevArticle], settings: dict[str, float]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Raw scores, whether each span is right, and its technique."""
    gold = {a.article_id: a.gold for a in arts}
    decoded = _decode(detector, arts, settings)
    raw = np.array([r for _, r in decoded])
    y = np.array([1.0 if _right(s, gold[s.article_id]) else 0.0 for s, _ in decoded])
    return raw, y, [s.technique for s, _ in decoded]


def threshold_curve(spans: list[LabeledSpan], conf: np.ndarray, gold: list[LabeledSpan]) -> tuple[list[float], list[float]]:
    """FLC F1 of the spans a reader would see (confidence at or above t), for t on the bands' grid up to 0.6."""
    grid = [round(k * GRID_STEP, 2) for k in range(int(0.6 / GRID_STEP) + 1)]
    f1 = [round(flc_scores([s for s, c in zip(spans, conf, strict=True) if c >= t], gold)["f1"], 4) for t in grid]
    return grid, f1


def bands_from_spans(spans: list[LabeledSpan], conf: np.ndarray, gold: dict[str, list[LabeledSpan]],
                     measured_on: str) -> Bands:
    """Confidence bands and the display threshold from labelled spans with (cross-fitted) confidences.

    The display threshold is the one with the best FLC F1 of the spans shown; the bands are
    `unspin.confidence.choose_bands`.
    """
    right = np.array([_right(s, gold.get(s.article_id, [])) for s in spans], dtype=float)
    right_any = np.array([any(g.start < s.end and g.end > s.start for g in gold.get(s.article_id, [])) for s in spans],
                         dtype=float)
    grid, f1 = threshold_curve(spans, conf, [g for gs in gold.values() for g in gs])
    return choose_bands(conf, right, right_any, display_threshold(grid, f1), measured_on)


def calibrate_model(model_dir: Path, data_dir: Path, seed: int = 13) -> dict[str, Any]:
    """Tune + calibrate on `data_dir`; write `calibration.json` and `bands.json` into the model directory."""
    detector = Detector(model_dir)
    arts = load_views(detector, data_dir)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(arts))
    halves = [[arts[i] for i in order[: len(arts) // 2]], [arts[i] for i in order[len(arts) // 2 :]]]
    cross: list[dict[str, float]] = []
    cross_conf, cross_y = [], []
    cross_spans: list[LabeledSpan] = []
    for k in (0, 1):
        fit, held = halves[k], halves[1 - k]
        settings, _ = tune(detector, fit)
        spans = [s for s, _ in _decode(detector, held, settings)]
        cross.append(_measures(held, spans) | {"n_articles": len(held)})
        params = fit_calibration(*_labels(detector, fit, settings))
        raw_h, y_h, t_h = _labels(detector, held, settings)
        cross_conf.append(apply_calibration(raw_h, t_h, params))
        cross_y.append(y_h)
        cross_spans += [s for s, _ in _decode(detector, held, settings)]  # the spans of raw_h, in order
    settings, measures = tune(detector, arts)
    raw, y, techs = _labels(detector, arts, settings)
    params = fit_calibration(raw, y, techs)
    cc, cy = np.concatenate(cross_conf), np.concatenate(cross_y)
    report = {
        "decoding": {**settings, **params},
        "fitted_on": f"{data_dir} ({len(arts)} articles)",
        "in_sample": measures,
        "cross_fitted": {
            "halves": cross,
            "mean": {k: float(np.mean([c[k] for c in cross])) for k in ("si", "flc", "sentence")},
            "ece": ece(cc, cy),
            "reliability": reliability(cc, cy),
        },
        "ece_in_sample": ece(apply_calibration(raw, techs, params), y),
        "n_spans": int(len(y)),
        "raw_ece": ece(raw, y),
    }
    bands = bands_from_spans(cross_spans, cc, {a.article_id: a.gold for a in arts},
                             f"{data_dir.name} ({len(arts)} articles, {len(cc)} spans), confidences cross-fitted over "
                             f"two halves (seed {seed}), model {detector.info.name} {detector.info.version}")
    report["bands"] = bands.to_dict()
    (Path(detector.model_dir) / "calibration.json").write_text(json.dumps(report, indent=2))
    (Path(detector.model_dir) / BANDS_FILE).write_text(json.dumps(bands.to_dict(), indent=2) + "\n")
    return report
