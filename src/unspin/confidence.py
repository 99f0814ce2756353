"""Confidence bands a reader can use, with the precision measured for each, and the display threshold.

A span's confidence is the calibrated probability that it shows its technique (it overlaps a
gold span of that technique). Bare decimals between 0.1 and 0.6 mean little to a reader, so the
views name a band instead ("likely: right about 6 times in 10"). The bands, their measured
precision and the default display threshold are chosen from labelled data (PTC dev, with
confidences cross-fitted: calibrated on one half of the articles, measured on the other) by
`choose_bands`, and shipped with the model as `bands.json`:

    {"measured_on": str, "spans": int, "display_threshold": float,
     "bands": [{"name": str, "low": float, "precision": float, "any_precision": float, "spans": int}, ...]}

Bands are ordered from the most to the least confident; `low` is the lowest confidence in the band
(inclusive), the last band starts at 0. `precision` is the share of spans in the band that were
right (same technique), `any_precision` the share that overlapped propaganda of any technique.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

BANDS_FILE = "bands.json"
# (name, the least precision a band of that name must reach); the band under the display threshold is "faint"
FLOORS: tuple[tuple[str, float], ...] = (("likely", 0.5), ("possible", 0.3))
BELOW_THRESHOLD = "faint"
ABOVE_THRESHOLD = "weak"
GRID_STEP = 0.05
MIN_SPANS = 20


def times_in_ten(p: float) -> str:
    """A share as a reader says it: 0.62 -> "about 6 times in 10", 0.14 -> "about 1 time in 7"."""
    if p <= 0:
        return "almost never"
    if p >= 0.25:
        n = round(10 * p)
        return f"about {n} time{'s' if n != 1 else ''} in 10"
    return f"about 1 time in {round(1 / p)}"


@dataclass(frozen=True)
class Band:
    name: str
    low: float  # lowest confidence in the band, inclusive
    precision: float  # measured share of the band's spans with the right technique
    any_precision: float  # measured share that overlap propaganda of any technique
    spans: int  # labelled spans the precision was measured on

    @property
    def phrase(self) -> str:
        """ "likely: right about 6 times in 10" """
        return f"{self.name}: right {times_in_ten(self.precision)}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Bands:
    bands: tuple[Band, ...]  # most confident first; the last has low == 0
    display_threshold: float  # spans below it are hidden by default
    measured_on: str = ""
    spans: int = 0

    def band(self, confidence: float) -> Band:
        for b in self.bands:
            if confidence >= b.low:
                return b
        return self.bands[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"measured_on": self.measured_on, "spans": self.spans, "display_threshold": self.display_threshold,
                "bands": [b.to_dict() for b in self.bands]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Bands:
        return cls(tuple(Band(**b) for b in d["bands"]), float(d["display_threshold"]),
                   d.get("measured_on", ""), int(d.get("spans", 0)))


# A model directory without bands.json (a freshly trained model before calibration): one band, no threshold.
UNMEASURED = Bands((Band("unmeasured", 0.0, float("nan"), float("nan"), 0),), 0.0, "not measured")


def load_bands(model_dir: Path) -> Bands:
    path = Path(model_dir) / BANDS_FILE
    if not path.exists():
        return UNMEASURED
    return Bands.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _grid(step: float) -> list[float]:
    return [round(k * step, 4) for k in range(int(round(1 / step)) + 1)]


def display_threshold(thresholds: list[float], f1: list[float]) -> float:
    """The threshold with the best F1 of the spans it keeps (the lowest, on a tie)."""
    best = max(f1)
    return min(t for t, f in zip(thresholds, f1, strict=True) if f == best)


def choose_bands(
    conf: np.ndarray, right: np.ndarray, right_any: np.ndarray, threshold: float, measured_on: str,
    floors: tuple[tuple[str, float], ...] = FLOORS, step: float = GRID_STEP, min_spans: int = MIN_SPANS,
) -> Bands:
    """Bands from labelled spans: (cross-fitted) confidence, right technique, right any technique.

    Going down from the top, each named band takes the lowest edge on a `step` grid (not below the
    display threshold) at which the spans between that edge and the band above still reach the
    band's precision floor, with at least `min_spans` of them; a floor no range reaches gives no
    band. Spans from the display threshold to the lowest named band are "weak", spans below it
    "faint" (hidden by default). Every band's precision is then measured on its spans.
    """
    conf = np.asarray(conf, dtype=float)
    right = np.asarray(right, dtype=float)
    right_any = np.asarray(right_any, dtype=float)
    edges: list[tuple[str, float]] = []
    top = float("inf")
    for name, floor in floors:
        found = None
        for e in sorted((g for g in _grid(step) if threshold <= g < top), reverse=True):
            m = (conf >= e) & (conf < top)
            if m.sum() >= min_spans and right[m].mean() >= floor:
                found = e
            elif found is not None and m.sum() >= min_spans:
                break
        if found is not None:
            edges.append((name, found))
            top = found
    if threshold < top:
        edges.append((ABOVE_THRESHOLD, threshold))
        top = threshold
    if top > 0:
        edges.append((BELOW_THRESHOLD, 0.0))
    bands = []
    upper = float("inf")
    for name, low in edges:
        m = (conf >= low) & (conf < upper)
        n = int(m.sum())
        bands.append(Band(name, low, round(float(right[m].mean()), 4) if n else 0.0,
                          round(float(right_any[m].mean()), 4) if n else 0.0, n))
        upper = low
    return Bands(tuple(bands), threshold, measured_on, int(len(conf)))


_REGISTRY: dict[tuple[str, str], Bands] = {}


def register(model_name: str, model_version: str, bands: Bands) -> None:
    """Remember a loaded model's bands, so views of its results can name them."""
    _REGISTRY[(model_name, model_version)] = bands


def bands_for(model_name: str, model_version: str) -> Bands:
    """The bands of a model: one registered by an Analyzer in this process, else the shipped model's
    when name and version match, else UNMEASURED (views then show bare confidences)."""
    if (model_name, model_version) in _REGISTRY:
        return _REGISTRY[(model_name, model_version)]
    from unspin.detect.runtime import DEFAULT_MODEL_DIR

    meta_path = DEFAULT_MODEL_DIR / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("name") == model_name and meta.get("version") == model_version:
            bands = load_bands(DEFAULT_MODEL_DIR)
            register(model_name, model_version, bands)
            return bands
    return UNMEASURED
