"""A multinomial logistic regression over hashed features, in numpy: fitted offline, applied at run time.

Rows are given as int arrays of feature indices (every row has the same number of features, each worth 1),
so a score is a sum of looked-up weights: `W[idx].sum(axis=1) + b`, shape (rows, classes). A model may also
read dense features (rows, d), such as the detector's token states: their weights `D` (d, classes) add
`x @ D` to the score. Fitting is mini-batch AdaGrad on the log loss with L2 shrinkage; it needs numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LinearModel:
    """Weights (buckets, classes) and bias (classes,); classes are named in `labels`."""

    weights: np.ndarray
    bias: np.ndarray
    labels: tuple[str, ...]
    dense: np.ndarray | None = None  # (d, classes) weights of dense features, when the model reads them

    @property
    def bits(self) -> int:
        return int(self.weights.shape[0]).bit_length() - 1

    def index(self, hashes: np.ndarray) -> np.ndarray:
        return (hashes & np.uint64(self.weights.shape[0] - 1)).astype(np.int64)

    def scores(self, hashes: np.ndarray, dense: np.ndarray | None = None) -> np.ndarray:
        """(rows, classes) log-odds-like scores for rows of feature hashes (rows, features) and, for a model
        with dense weights, dense features (rows, d); without them the dense part adds nothing."""
        if len(hashes) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        idx = self.index(hashes)
        cols = self.columns
        out = np.stack([cols[c].take(idx).sum(axis=1) for c in range(len(cols))], axis=1) + self.bias
        if self.dense is not None and dense is not None:
            out += dense @ self.dense
        return out

    @property
    def columns(self) -> list[np.ndarray]:
        """The weights of each class as one contiguous float32 array (fast to gather from)."""
        cached = self.__dict__.get("_columns")
        if cached is None or len(cached[0]) != len(self.weights):
            cached = [np.ascontiguousarray(self.weights[:, c], dtype=np.float32) for c in range(self.weights.shape[1])]
            self.__dict__["_columns"] = cached
        return cached

    def log_probs(self, hashes: np.ndarray, dense: np.ndarray | None = None) -> np.ndarray:
        s = self.scores(hashes, dense)
        s = s - s.max(axis=1, keepdims=True)
        return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def fit(
    hashes: np.ndarray,
    y: np.ndarray,
    labels: tuple[str, ...],
    bits: int = 18,
    epochs: int = 4,
    batch: int = 256,
    rate: float = 0.3,
    l2: float = 1e-6,
    class_weight: np.ndarray | None = None,
    seed: int = 0,
    dense: np.ndarray | None = None,
    dense_rate: float | None = None,
) -> LinearModel:
    """Fit on rows of feature hashes (rows, features) with integer labels y (rows,) and, optionally, dense
    features (rows, d) (AdaGrad step `dense_rate`, default `rate`)."""
    rng = np.random.default_rng(seed)
    k = len(labels)
    size = 1 << bits
    idx = (hashes & np.uint64(size - 1)).astype(np.int64)
    W = np.zeros((size, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    G = np.full((size, k), 1e-8, dtype=np.float32)
    gb = np.full(k, 1e-8, dtype=np.float32)
    cw = np.ones(k, dtype=np.float32) if class_weight is None else class_weight.astype(np.float32)
    n, f = idx.shape
    D = None if dense is None else np.zeros((dense.shape[1], k), dtype=np.float32)
    gd = None if dense is None else np.full((dense.shape[1], k), 1e-8, dtype=np.float32)
    d_rate = rate if dense_rate is None else dense_rate
    for _ in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, batch):
            rows = order[s : s + batch]
            ix = idx[rows]
            z = W[ix].sum(axis=1) + b
            if D is not None and dense is not None:
                xd = dense[rows].astype(np.float32)
                z += xd @ D
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            yy = y[rows]
            p[np.arange(len(rows)), yy] -= 1.0
            p *= cw[yy][:, None]
            flat = ix.ravel()
            g = np.repeat(p, f, axis=0)  # (rows*features, k)
            uniq, inv = np.unique(flat, return_inverse=True)
            gsum = np.zeros((len(uniq), k), dtype=np.float32)
            np.add.at(gsum, inv, g)
            gsum += l2 * W[uniq]
            G[uniq] += gsum * gsum
            W[uniq] -= rate * gsum / np.sqrt(G[uniq])
            gbs = p.sum(axis=0)
            gb += gbs * gbs
            b -= rate * gbs / np.sqrt(gb)
            if D is not None and gd is not None:
                gdd = xd.T @ p + l2 * D
                gd += gdd * gdd
                D -= d_rate * gdd / np.sqrt(gd)
    return LinearModel(W, b, labels, D)


def save(path: str, models: dict[str, LinearModel], meta: dict[str, str],
         extra: dict[str, np.ndarray] | None = None) -> None:
    """Models as float16 weights (dense weights float32) in one .npz, with their labels, other arrays the
    models need (`extra`, such as a projection of token states) and free-form metadata."""
    arrays: dict[str, np.ndarray] = {}
    for name, m in models.items():
        arrays[f"{name}.weights"] = m.weights.astype(np.float16)
        arrays[f"{name}.bias"] = m.bias.astype(np.float32)
        arrays[f"{name}.labels"] = np.array(m.labels)
        if m.dense is not None:
            arrays[f"{name}.dense"] = m.dense.astype(np.float32)
    for name, array in (extra or {}).items():
        arrays[f"extra.{name}"] = array
    for key, value in meta.items():
        arrays[f"meta.{key}"] = np.array(value)
    np.savez_compressed(path, allow_pickle=False, **arrays)


def load(path: str) -> tuple[dict[str, LinearModel], dict[str, str]]:
    """The models and metadata `save` wrote (the `extra` arrays: `load_extra`)."""
    with np.load(path, allow_pickle=False) as z:
        names = {k.split(".")[0] for k in z.files if not k.startswith(("meta.", "extra."))}
        models = {n: LinearModel(z[f"{n}.weights"].astype(np.float32), z[f"{n}.bias"],
                                 tuple(str(x) for x in z[f"{n}.labels"]),
                                 z[f"{n}.dense"] if f"{n}.dense" in z.files else None) for n in names}
        meta = {k[5:]: str(z[k]) for k in z.files if k.startswith("meta.")}
    return models, meta


def load_extra(path: str) -> dict[str, np.ndarray]:
    """The `extra` arrays `save` wrote, by name."""
    with np.load(path, allow_pickle=False) as z:
        return {k[6:]: z[k] for k in z.files if k.startswith("extra.")}
