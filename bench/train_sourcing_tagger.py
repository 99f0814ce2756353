"""Train the attribution tagger (cue model + role model) on PolNeAR train and write src/unspin/sourcing/tagger.npz.

Each annotation file of PolNeAR train is one document. Cue model: every token labelled O / B / I from the
gold cue spans. Role model: for each gold attribution, the tokens of the window around its cue (see
features.role_window) labelled O / SRC / CON from its source and content spans. Nothing but the weights is
written (hashed features: no words, no text).

`--holdout K` keeps every K-th file of train out of fitting and scores the tagger alone on it (attribution
F1 with issue 15's matching), for choosing settings without touching dev.

AdaGrad's step (`--rate`, 0.05 for the cue and role models, `--verify-rate` 0.1 for the verifier) was chosen on
the held-out fifth of train (`--holdout 5`, scored with the whole pipeline by bench/sourcing_polnear.py --split
train --every 5): one epoch at a small step generalises better than at 0.3 (the earlier setting) or with more
epochs.

Usage: python bench/train_sourcing_tagger.py [--holdout 5] [--out PATH] [--bits 18] [--epochs 1] [--rate 0.05]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sourcing_polnear as sp
from unspin.sourcing.features import Doc, cue_features, role_dense_batch, role_features_batch, role_window, word_states
from unspin.sourcing.layout import Layout
from unspin.sourcing.learn import LinearModel, fit, load, save
from unspin.sourcing.quotes import find_quotes
from unspin.sourcing.tagger import (
    CUE_LABELS,
    MODEL_PATH,
    ROLE_LABELS,
    Tagged,
    _load,
    candidates,
    project_states,
    tag,
    verify_dense,
    verify_features,
)


def make_doc(text: str) -> Doc:
    layout = Layout(text)
    return Doc(layout, [(q.start, q.end) for q in find_quotes(layout)])


def token_range(doc: Doc, spans: sp.Spans) -> tuple[int, int] | None:
    lo = int(np.searchsorted(doc.ends, spans[0][0], side="right"))
    hi = int(np.searchsorted(doc.starts, spans[-1][1], side="left"))
    return (lo, hi) if hi > lo else None


def token_mask(doc: Doc, spans: sp.Spans, lo: int, hi: int) -> np.ndarray:
    m = np.zeros(hi - lo, dtype=bool)
    st, en = doc.starts[lo:hi], doc.ends[lo:hi]
    for a, b in spans:
        m |= (st < b) & (en > a)
    return m


def rows_for(doc: Doc, gold: list[sp.Gold]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray],
                                                     np.ndarray | None]:
    y = np.zeros(len(doc), dtype=np.int8)
    windows, role_y = [], []
    for g in gold:
        if not g.cue:
            continue
        first = token_range(doc, g.cue[:1])
        if first is None:
            continue
        cs, ce = first
        y[cs] = 1
        y[cs + 1 : ce] = 2
        for piece in g.cue[1:]:
            r = token_range(doc, (piece,))
            if r:
                y[r[0] : r[1]] = np.where(y[r[0] : r[1]] == 0, 2, y[r[0] : r[1]])
        lo, hi = role_window(doc, cs, ce)
        lab = np.zeros(hi - lo, dtype=np.int8)
        lab[token_mask(doc, g.content, lo, hi)] = 2
        if g.source:
            lab[token_mask(doc, g.source, lo, hi)] = 1
        lab[cs - lo : ce - lo] = 0
        windows.append((cs, ce, lo, hi))
        role_y.append(lab)
    role_x = role_features_batch(doc, windows)
    role_d = role_dense_batch(doc, windows)
    return cue_features(doc), y, role_x, role_y, None if role_d is None else role_d.astype(np.float16)


def to_preds(doc: Doc, text: str, found: list[Tagged]) -> list[sp.Pred]:
    out = []
    for t in found:
        content = sp.trim_spans(text, [(int(doc.starts[a]), int(doc.ends[b - 1])) for a, b in t.content])
        src = ((int(doc.starts[t.source[0]]), int(doc.ends[t.source[1] - 1])),) if t.source else None
        name = text[src[0][0] : src[0][1]] if src else None
        out.append(sp.Pred(content or ((0, 0),), src, name, False, "attribution"))
    return out


def candidate_labels(doc: Doc, text: str, gold: list[sp.Gold], cands: list[Tagged]) -> np.ndarray:
    """1 for a candidate whose content matches a gold attribution's (issue 15's half rule) with the right
    source, else 0."""
    out = np.zeros(len(cands), dtype=np.int64)
    for n, p in enumerate(to_preds(doc, text, cands)):
        for g in gold:
            ov = sp.overlap(g.content, p.content)
            if ov and ov >= 0.5 * min(sp.length(g.content), sp.length(p.content)) and sp.right_source(g, p):
                out[n] = 1
                break
    return out


@dataclass
class Item:
    text: str
    gold: list[sp.Gold]
    doc: Doc
    cue_x: np.ndarray
    cue_y: np.ndarray
    role_x: np.ndarray
    role_y: np.ndarray
    role_d: np.ndarray | None = None  # dense role features (rows, 4 * dim) when trained with states


def read_states(states_dir: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The detector's word-piece states and offsets cached for article `name` (see --states)."""
    with np.load(states_dir / f"{name.rsplit('_', 1)[0]}.npz") as z:
        return z["states"].astype(np.float32), z["offsets"].astype(np.int64)


def fit_projection(docs: list[tuple[Doc, np.ndarray]], dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and the top `dim` principal directions (D, dim), scaled to unit variance, of token states."""
    rng = np.random.default_rng(seed)
    sample = np.concatenate([s[rng.random(len(s)) < 0.25] for _, s in docs])
    mean = sample.mean(axis=0)
    x = sample - mean
    cov = x.T @ x / len(x)
    vals, vecs = np.linalg.eigh(cov)
    top = np.argsort(vals)[::-1][:dim]
    return mean.astype(np.float32), (vecs[:, top] / np.sqrt(vals[top])).astype(np.float32)


def load_items(data: Path, bits: int, limit: int = 0, states_dir: Path | None = None,
               dim: int = 64) -> tuple[list[Item], dict[str, np.ndarray]]:
    mask = np.uint64((1 << bits) - 1)
    raw = []
    for n, (name, text, gold) in enumerate(sp.documents("train", data)):
        if limit and n >= limit:
            break
        doc = make_doc(text)
        pieces = read_states(states_dir, name) if states_dir else None
        st = word_states(doc, *pieces) if pieces else None
        raw.append((text, gold, doc, st, pieces))
    extra: dict[str, np.ndarray] = {}
    if states_dir:
        mean, proj = fit_projection([(d, s) for _, _, d, s, _ in raw if s is not None], dim)
        extra = {"states_mean": mean, "states_proj": proj}
    items = []
    for text, gold, doc, _, pieces in raw:
        if pieces is not None:
            doc.states = project_states(doc, *pieces, extra["states_mean"], extra["states_proj"])
        cx, cy, rx, ry, rd = rows_for(doc, gold)
        ry_all = np.concatenate(ry) if ry else np.zeros(0, dtype=np.int8)
        items.append(Item(text, gold, doc, cx & mask, cy, rx & mask, ry_all, rd))
    return items, extra


def fit_taggers(items: list[Item], bits: int, epochs: int, rate: float,
                dense_rate: float = 0.01) -> tuple[LinearModel, LinearModel]:
    cx = np.concatenate([i.cue_x for i in items])
    cy = np.concatenate([i.cue_y for i in items]).astype(np.int64)
    rx = np.concatenate([i.role_x for i in items])
    ry = np.concatenate([i.role_y for i in items]).astype(np.int64)
    with_states = items[0].doc.states is not None
    cd = np.concatenate([i.doc.states for i in items]).astype(np.float16) if with_states else None
    rd = np.concatenate([i.role_d for i in items if i.role_d is not None]) if with_states else None
    return (fit(cx, cy, CUE_LABELS, bits=bits, epochs=epochs, rate=rate, dense=cd, dense_rate=dense_rate),
            fit(rx, ry, ROLE_LABELS, bits=bits, epochs=epochs, rate=rate, dense=rd, dense_rate=dense_rate))


def fit_verifier(items: list[Item], bits: int, epochs: int, folds: int, rate: float,
                 verify_rate: float, dense_rate: float = 0.01) -> LinearModel:
    """Cross-fitted: the candidates of each fold come from cue and role models fitted on the other folds."""
    xs, ys, ds = [], [], []
    for k in range(folds):
        inside = [it for n, it in enumerate(items) if n % folds != k]
        cue, role = fit_taggers(inside, bits, epochs, rate, dense_rate)
        for it in items[k::folds]:
            cands = candidates(it.doc, cue, role)
            if cands:
                xs.append(verify_features(it.doc, cands))
                dense = verify_dense(it.doc, cands)
                if dense is not None:
                    ds.append(dense)
                ys.append(candidate_labels(it.doc, it.text, it.gold, cands))
        print(f"  verifier fold {k}: {sum(len(y) for y in ys)} candidates so far", flush=True)
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    d = np.concatenate(ds) if ds else None
    return fit(x, y, ("no", "yes"), bits=16, epochs=3, rate=verify_rate, dense=d, dense_rate=dense_rate)


def evaluate(items: list[Item], path: str, threshold: float | None = None) -> str:
    tp = rs = npred = ngold = 0
    _load.cache_clear()
    for it in items:
        pred = to_preds(it.doc, it.text, tag(it.doc, threshold=threshold, path=path))
        pairs = sp.pair_up(it.gold, pred)
        tp += len(pairs)
        rs += sum(r for _, _, r in pairs)
        npred += len(pred)
        ngold += len(it.gold)
    p, r = tp / max(npred, 1), tp / max(ngold, 1)
    f = 2 * p * r / (p + r) if p + r else 0
    p2, r2 = rs / max(npred, 1), rs / max(ngold, 1)
    f2 = 2 * p2 * r2 / (p2 + r2) if p2 + r2 else 0
    return f"attributions P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}; right source {p2:.3f}/{r2:.3f}/{f2:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=sp.DATA)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--holdout", type=int, default=0, help="keep every K-th train file out and score on it")
    ap.add_argument("--bits", type=int, default=18)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0.05, help="AdaGrad step of the cue and role models")
    ap.add_argument("--verify-rate", type=float, default=0.1, help="AdaGrad step of the verifier")
    ap.add_argument("--folds", type=int, default=5, help="cross-fitting folds for the verifier (0: no verifier)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--thresholds", default="0.25,0.3,0.4,0.5", help="verifier thresholds to score held-out at")
    ap.add_argument("--score-only", type=Path, help="fit nothing: score this model file on the held-out files")
    ap.add_argument("--states", type=Path, help="a folder of the detector's token states per train article "
                    "(bench/polnear_states.py): fit the models that read them (cue_s, role_s, verify_s), kept in the "
                    "file beside the sparse models of --sparse-from")
    ap.add_argument("--sparse-from", type=Path, default=MODEL_PATH,
                    help="with --states: the model file whose sparse models (cue, role, verify) are copied")
    ap.add_argument("--dim", type=int, default=64, help="with --states: dimensions the states are projected to")
    ap.add_argument("--dense-rate", type=float, default=0.01, help="AdaGrad step of the dense weights")
    args = ap.parse_args()
    t0 = time.perf_counter()
    items, extra = load_items(args.data, args.bits, args.limit, args.states, args.dim)
    if args.score_only:
        for th in map(float, args.thresholds.split(",")):
            print(f"threshold {th}:", evaluate(items[:: args.holdout], str(args.score_only), th), flush=True)
        return
    held = items[:: args.holdout] if args.holdout else []
    fit_items = [it for n, it in enumerate(items) if not args.holdout or n % args.holdout]
    print(f"{len(fit_items)} files to fit, {len(held)} held out ({time.perf_counter() - t0:.0f} s)", flush=True)
    cue, role = fit_taggers(fit_items, args.bits, args.epochs, args.rate, args.dense_rate)
    k = "_s" if args.states else ""
    found = {"cue" + k: cue, "role" + k: role}
    print(f"cue and role models fitted ({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.folds:
        found["verify" + k] = fit_verifier(fit_items, args.bits, args.epochs, args.folds, args.rate,
                                           args.verify_rate, args.dense_rate)
        print(f"verifier fitted ({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.states:
        sparse, _ = load(str(args.sparse_from))
        found.update({n: m for n, m in sparse.items() if not n.endswith("_s")})
    meta = {"trained_on": "PolNeAR train (Newell, Margolin, Ruths 2018); hashed features, weights only",
            "bits": str(args.bits), "epochs": str(args.epochs), "folds": str(args.folds), "rate": str(args.rate),
            "verify_rate": str(args.verify_rate),
            "holdout": str(args.holdout), "files": str(len(fit_items))}
    if args.states:
        named = args.states.parent / "model.txt"
        if not named.exists():
            raise SystemExit(f"{named} is missing: cache the states with bench/polnear_states.py")
        meta |= {"states": f"the detector's token states, projected to {args.dim} dimensions", "dim": str(args.dim),
                 "dense_rate": str(args.dense_rate), "states_model": named.read_text(encoding="utf-8").strip()}
    save(str(args.out), found, meta, extra)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    for th in map(float, args.thresholds.split(",")):
        if held:
            print(f"held-out ({len(held)} files), threshold {th}:", evaluate(held, str(args.out), th), flush=True)


if __name__ == "__main__":
    main()
