"""Where an article's spin density sits among ordinary news: the reference distribution shipped with a model.

`reference.json` in the model directory holds the spin density (expected propaganda phrases per
1,000 words, see `score.py`) of every article of a reference corpus analysed with that model,
summarised as 1,001 quantiles:

    {"model": {"name": str, "version": str}, "measure": str, "corpus": str,
     "articles": int, "outlets": int, "computed": "YYYY-MM-DD", "command": str,
     "quantiles": [q_0, q_0.001, ..., q_1]}   # q_p: the density below which a share p of the articles fall

It is computed by `bench/reference_distribution.py` (from a store written by `unspin batch`, or
directly) and must be recomputed whenever the model changes: a reference for another model
version is not used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

REFERENCE_FILE = "reference.json"
QUANTILES = 1001
MEASURE = "expected propaganda phrases per 1,000 words outside quotes (spin density)"


@dataclass(frozen=True)
class Reference:
    model_name: str
    model_version: str
    corpus: str  # what the articles are, e.g. "AllSides news articles, 2012-2020"
    articles: int
    outlets: int
    quantiles: tuple[float, ...]
    computed: str = ""
    command: str = ""

    @property
    def label(self) -> str:
        """ "33,015 news articles from 466 outlets" """
        return f"{self.articles:,} news articles from {self.outlets:,} outlets"

    def share_below(self, density: float) -> float:
        """The share (0 to 1) of the reference articles whose density is lower than this one."""
        return self._share(density, strict=True)

    def share_above(self, density: float) -> float:
        """The share (0 to 1) of the reference articles whose density is higher than this one."""
        return 1.0 - self._share(density, strict=False)

    def _share(self, density: float, strict: bool) -> float:
        """Share below (strict) or at or below the density, interpolated between the quantiles."""
        q = np.asarray(self.quantiles)
        p = np.linspace(0.0, 1.0, len(q))
        if density < q[0] or (strict and density == q[0]):
            return 0.0
        if density > q[-1] or (not strict and density == q[-1]):
            return 1.0
        # ties: below a value is the lowest p that has it, at or below the highest
        i = int(np.searchsorted(q, density, side="left" if strict else "right"))
        lo_q, hi_q = q[i - 1], q[i]
        frac = 0.0 if hi_q == lo_q else (density - lo_q) / (hi_q - lo_q)
        return float(p[i - 1] + frac * (p[i] - p[i - 1]))

    def to_dict(self) -> dict[str, Any]:
        return {"model": {"name": self.model_name, "version": self.model_version}, "measure": MEASURE,
                "corpus": self.corpus, "articles": self.articles, "outlets": self.outlets,
                "computed": self.computed, "command": self.command, "quantiles": list(self.quantiles)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reference:
        return cls(d["model"]["name"], d["model"]["version"], d["corpus"], int(d["articles"]), int(d["outlets"]),
                   tuple(float(x) for x in d["quantiles"]), d.get("computed", ""), d.get("command", ""))


def build_reference(densities: list[float], outlets: int, corpus: str, model_name: str, model_version: str,
                    command: str = "") -> Reference:
    """A reference from the densities of the corpus's articles (one per article)."""
    if not densities:
        raise ValueError("a reference needs at least one article")
    q = np.quantile(np.asarray(densities, dtype=float), np.linspace(0.0, 1.0, QUANTILES))
    return Reference(model_name, model_version, corpus, len(densities), outlets,
                     tuple(round(float(x), 4) for x in q), date.today().isoformat(), command)


def load_reference(model_dir: Path, model_version: str) -> Reference | None:
    """The model's reference, or None when it has none or it was computed for another version."""
    path = Path(model_dir) / REFERENCE_FILE
    if not path.exists():
        return None
    ref = Reference.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return ref if ref.model_version == model_version else None
