"""The learned attribution tagger: reporting cues, then each cue's source and content.

Two linear models (see learn.py) read hashed features (see features.py): the cue model labels every token
O / B (a cue starts) / I (a cue goes on); for each cue found, the role model labels the tokens of a window
around it O / SRC / CON. The source is the best-scoring contiguous run of SRC within the cue's sentence and
the content the best-scoring run of CON in the window, less the cue and source tokens (so "The plan, he
said, is dead" gives two content pieces). Weights come from `tagger.npz` next to this file, trained on
PolNeAR train by bench/train_sourcing_tagger.py; without that file the tagger finds nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from unspin.sourcing.features import (
    Doc,
    cue_features,
    mix,
    role_dense_scores,
    role_features_batch,
    role_window,
    word_states,
)
from unspin.sourcing.learn import LinearModel, load, load_extra

MODEL_PATH = Path(__file__).with_name("tagger.npz")
CUE_LABELS = ("O", "B", "I")
ROLE_LABELS = ("O", "SRC", "CON")


@dataclass(frozen=True)
class Tagged:
    """One attribution as the tagger sees it: token ranges, end exclusive."""

    cue: tuple[int, int]
    source: tuple[int, int] | None
    content: tuple[tuple[int, int], ...]
    cue_score: float  # the cue model's mean probability of a cue over the cue's tokens
    content_score: float  # the content run's summed margin
    source_score: float = 0.0
    score: float = 0.0  # the verifier's probability that this is an attribution (the cue score without one)


def models(path: str | Path = MODEL_PATH) -> dict[str, LinearModel] | None:
    """The tagger's models by name: cue, role and (when trained) verify; loaded once per file."""
    return _load(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, LinearModel] | None:
    if not Path(path).exists():
        return None
    found, _ = load(path)
    return found


@lru_cache(maxsize=4)
def _projection(path: str) -> tuple[np.ndarray, np.ndarray] | None:
    if not Path(path).exists():
        return None
    extra = load_extra(path)
    if "states_mean" not in extra:
        return None
    return extra["states_mean"].astype(np.float32), extra["states_proj"].astype(np.float32)


def states_model(path: str | Path = MODEL_PATH) -> str | None:
    """'name version' of the detector whose token states the tagger's state-reading models were fitted to
    (its states are the only ones they can read), or None when the file has no such models."""
    return _states_model(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _states_model(path: str) -> str | None:
    if not Path(path).exists():
        return None
    _, meta = load(path)
    return meta.get("states_model")


def with_states(doc: Doc, states: np.ndarray, offsets: np.ndarray, path: str | Path = MODEL_PATH) -> Doc:
    """`doc` given the detector's word-piece states (pieces, dim) at character `offsets` (pieces, 2), as
    the tagger's models read them (centred, projected, averaged per token; zeros, the average state, for a
    token no piece starts in); unchanged when the model file has no models that read states."""
    proj = _projection(str(Path(path).resolve()))
    if proj is not None:
        doc.states = project_states(doc, states, offsets, *proj)
        doc.cache.clear()
    return doc


def project_states(doc: Doc, states: np.ndarray, offsets: np.ndarray, mean: np.ndarray,
                   proj: np.ndarray) -> np.ndarray:
    """(n_tokens, d) the word-piece states (pieces, D) centred on `mean` (D,), projected by `proj` (D, d) and
    averaged per token of `doc` (projected piece by piece, then averaged: the same, and cheaper); at run time
    and in training alike."""
    return word_states(doc, states @ proj - mean @ proj, offsets)


def best_run(margin: np.ndarray) -> tuple[int, int, float]:
    """The contiguous run [a, b) with the largest positive sum of `margin` (Kadane); (0, 0, 0.0) if none."""
    best, best_a, best_b = 0.0, 0, 0
    run, a = 0.0, 0
    for i, m in enumerate(margin.tolist()):
        if run <= 0:
            run, a = m, i
        else:
            run += m
        if run > best:
            best, best_a, best_b = run, a, i + 1
    return best_a, best_b, best


def find_cues(doc: Doc, model: LinearModel, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """Token ranges of cues, with the mean probability of not-O over their tokens: a run of tokens at or above
    `threshold`, split where a token is likelier to begin a cue (B) than to go on with one (I)."""
    if len(doc) == 0:
        return []
    key = id(model)
    if key not in doc.cache:
        doc.cache[key] = np.exp(model.log_probs(cue_features(doc), doc.states if model.dense is not None else None))
    p = doc.cache[key]
    cue_p = 1.0 - p[:, 0]
    on = cue_p >= threshold
    prev_on = np.r_[False, on[:-1]]
    starts = np.nonzero(on & (~prev_on | (p[:, 1] > p[:, 2])))[0]
    out: list[tuple[int, int, float]] = []
    for n, a in enumerate(starts.tolist()):
        limit = int(starts[n + 1]) if n + 1 < len(starts) else len(doc)
        b = a + 1
        while b < limit and on[b]:
            b += 1
        out.append((a, b, float(cue_p[a:b].mean())))
    return out


def _attached(doc: Doc, a: int, b: int) -> bool:
    """Whether tokens [a, b) hold nothing but punctuation (a content piece touching its cue or source)."""
    return bool(np.all(doc.kind[a:b] > 0)) if b > a else True


def _content(doc: Doc, con_m: np.ndarray, lo: int, cs: int, ce: int,
             source: tuple[int, int] | None) -> tuple[tuple[tuple[int, int], ...], float]:
    """The content: the best run before the cue (and its source) or after it; both when the weaker one touches
    the cue or source across punctuation only ('"The plan," he said, "is dead."')."""
    near_a = min(cs, source[0]) if source else cs
    near_b = max(ce, source[1]) if source else ce
    ba, bb, bs = best_run(con_m[: near_a - lo])
    aa, ab, as_ = best_run(con_m[near_b - lo :])
    before = (lo + ba, lo + bb) if bs > 0 else None
    after = (near_b + aa, near_b + ab) if as_ > 0 else None
    if before and after:
        first, second = (before, after) if bs >= as_ else (after, before)
        touches = _attached(doc, before[1], near_a) and _attached(doc, near_b, after[0])
        if touches:
            return (before, after), bs + as_
        return (first,), max(bs, as_)
    if before:
        return (before,), bs
    if after:
        return (after,), as_
    return (), 0.0


def _pieces(lo: int, a: int, b: int, holes: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    keep = np.ones(b - a, dtype=bool)
    for x, y in holes:
        keep[max(x, a) - a : max(min(y, b), a) - a] = False
    out = []
    n = 0
    while n < len(keep):
        if keep[n]:
            m = n
            while m < len(keep) and keep[m]:
                m += 1
            out.append((a + n, a + m))
            n = m
        else:
            n += 1
    return tuple(out)


def candidates(doc: Doc, cue_model: LinearModel, role_model: LinearModel, floor: float = 0.2,
               source_min: float = -3.0) -> list[Tagged]:
    """Every cue the cue model gives at least `floor`, with its source and content (none without a content)."""
    out: list[Tagged] = []
    cues = find_cues(doc, cue_model, floor)
    windows = [(cs, ce, *role_window(doc, cs, ce)) for cs, ce, _ in cues]
    all_lp = role_model.scores(role_features_batch(doc, windows))
    if role_model.dense is not None and doc.states is not None and windows:
        all_lp += role_dense_scores(doc, windows, role_model.dense)
    all_lp = all_lp - all_lp.max(axis=1, keepdims=True)
    all_lp -= np.log(np.exp(all_lp).sum(axis=1, keepdims=True))
    at = 0
    for (cs, ce, cue_p), (_, _, lo, hi) in zip(cues, windows, strict=True):
        lp = all_lp[at : at + hi - lo]
        at += hi - lo
        src_m = lp[:, 1] - np.maximum(lp[:, 0], lp[:, 2])
        con_m = lp[:, 2] - np.maximum(lp[:, 0], lp[:, 1])
        sent = doc.sentence[lo:hi]
        src_m = np.where(sent == doc.sentence[cs], src_m, -1e3)
        src_m[cs - lo : ce - lo] = -1e3
        source, s_score = _source(src_m, lo, source_min)
        source = _whole_phrase(doc, source, src_m, lo, source_min)
        content, c_score = _content(doc, con_m, lo, cs, ce, source)
        if content and c_score > 0:
            out.append(Tagged((cs, ce), source, content, cue_p, c_score, s_score, cue_p))
    return out


def _source(src_m: np.ndarray, lo: int, source_min: float) -> tuple[tuple[int, int] | None, float]:
    """The best positive run of source margin; failing one, the likeliest token grown over tokens above
    `source_min` (a weak source beats none: most attributions have one)."""
    sa, sb, s_score = best_run(src_m)
    if sb <= sa:
        k = int(np.argmax(src_m)) if len(src_m) else 0
        if not len(src_m) or src_m[k] <= source_min:
            return None, -10.0
        sa, sb, s_score = k, k + 1, float(src_m[k])
        while sa > 0 and src_m[sa - 1] > source_min:
            sa -= 1
        while sb < len(src_m) and src_m[sb] > source_min:
            sb += 1
    return (lo + sa, lo + sb), s_score


_OPENERS = {"a", "an", "the", "some", "several", "many", "one", "two", "three", "four", "another", "his", "her",
            "their", "its", "our"}
_PHRASE_STOPS = {"who", "whom", "whose", "which", "that", "and", "or", "but"}


def _whole_phrase(doc: Doc, source: tuple[int, int] | None, src_m: np.ndarray, lo: int,
                  source_min: float) -> tuple[int, int] | None:
    """A source run that ends on an article or determiner ('said a', the best run before 'homeless man' scored
    lower) goes on over up to three more words the role model does not rule out (margin above `source_min`),
    stopping at punctuation, a relative pronoun or a conjunction: 'said a homeless man who goes by ...'; a run
    that starts right after its determiner takes it in ('his operatives')."""
    if source is None:
        return source
    sa, sb = source
    if sa > lo and doc.forms[sa - 1] in _OPENERS and src_m[sa - 1 - lo] > source_min:
        sa -= 1  # 'his operatives', not 'operatives': the phrase opens with its determiner
    if doc.forms[sb - 1] not in _OPENERS:
        return sa, sb
    n = 0
    while (sb < lo + len(src_m) and n < 3 and doc.tokens[sb].is_word and doc.forms[sb] not in _PHRASE_STOPS
           and src_m[sb - lo] > source_min):
        sb, n = sb + 1, n + 1
    return sa, sb


def _b(x: float, step: float, lo: int, hi: int) -> int:
    return min(max(math.floor(x / step), lo), hi) + 1000


def verify_features(doc: Doc, cands: list[Tagged]) -> np.ndarray:
    """(candidates, VERIFY_TEMPLATES) hashed features of whole candidates: the cue's words and probability,
    the content's and source's scores, lengths and sides, how much of the content is quoted."""
    if not cands:
        return np.zeros((0, VERIFY_TEMPLATES), dtype=np.uint64)
    w, lex, st, shp = (doc.h(k).tolist() for k in ("w", "lex", "stem", "shape"))
    qid = doc.quote_id
    rows = []
    for t in cands:
        cs, ce = t.cue
        clen = sum(b - a for a, b in t.content)
        side = 0 if t.content[-1][1] <= cs else 1 if t.content[0][0] >= ce else 2
        quoted = sum(int((qid[a:b] >= 0).sum()) for a, b in t.content) / max(clen, 1)
        if t.source:
            sa, sb = t.source
            s_side, s_len, s_first, s_lex = int(sa >= ce), sb - sa, shp[sa], lex[sa]
        else:
            s_side, s_len, s_first, s_lex = 2, 0, 7, 7
        rows.append([
            1, w[cs], w[ce - 1], st[cs], lex[cs], min(ce - cs, 4),
            _b(t.cue_score, 0.1, 0, 10), _b(math.log1p(t.content_score), 0.5, 0, 12), _b(math.log1p(clen), 0.5, 0, 10),
            len(t.content) * 10 + side, _b(t.source_score, 1.0, -10, 10), s_side,
            min(s_len, 8), s_first, s_lex, _b(quoted, 0.25, 0, 4), int(qid[cs] >= 0),
        ])
    arr = np.array(rows, dtype=np.uint64)
    c = [arr[:, k] for k in range(arr.shape[1])]
    cols = [mix(k, c[k]) for k in range(len(c))]
    cols += [
        mix(100, c[1], c[11]), mix(101, c[4], c[9]), mix(102, c[6], c[7]), mix(103, c[1], c[9]),
        mix(104, c[3], c[15]), mix(105, c[10], c[14]), mix(106, c[6], c[10]), mix(107, c[1], c[2], c[11]),
    ]
    return np.stack(cols, axis=1)


VERIFY_TEMPLATES = 25


def verify_dense(doc: Doc, cands: list[Tagged]) -> np.ndarray | None:
    """(candidates, 3 * d) dense features of whole candidates: the states of the cue's first token, the mean
    state of the content's tokens and of the source's (zeros without one); None without states."""
    if doc.states is None:
        return None
    st = doc.states
    d = st.shape[1]
    out = np.zeros((len(cands), 3 * d), dtype=np.float32)
    for n, t in enumerate(cands):
        out[n, :d] = st[t.cue[0]]
        out[n, d : 2 * d] = np.concatenate([st[a:b] for a, b in t.content]).mean(axis=0)
        if t.source:
            out[n, 2 * d :] = st[t.source[0] : t.source[1]].mean(axis=0)
    return out


def tag(doc: Doc, threshold: float | None = None, path: str | Path = MODEL_PATH) -> list[Tagged]:
    """Attributions found in `doc`, in cue order: candidates kept by the verifier (or, without one, by the
    cue probability), one per content."""
    loaded = models(path)
    if loaded is None:
        return []
    k = "_s" if doc.states is not None and "cue_s" in loaded else ""
    cands = candidates(doc, loaded["cue" + k], loaded["role" + k])
    if "verify" + k in loaded and cands:
        verifier = loaded["verify" + k]
        dense = verify_dense(doc, cands) if verifier.dense is not None else None
        p = np.exp(verifier.log_probs(verify_features(doc, cands), dense))[:, 1]
        cands = [replace(t, score=float(x)) for t, x in zip(cands, p, strict=True)]
        threshold = VERIFY_THRESHOLD if threshold is None else threshold
    else:
        threshold = CUE_THRESHOLD if threshold is None else threshold
    return dedupe([t for t in cands if t.score >= threshold])


CUE_THRESHOLD = 0.5
VERIFY_THRESHOLD = 0.4


def _size(t: Tagged) -> int:
    return sum(b - a for a, b in t.content)


def _shared(x: Tagged, y: Tagged) -> int:
    return sum(max(0, min(b, d) - max(a, c)) for a, b in x.content for c, d in y.content)


def dedupe(found: list[Tagged]) -> list[Tagged]:
    """One attribution per content: of two whose contents share at least half of the smaller, keep the
    likelier cue ('has said' read as two cues, 'said ... adding' over one clause)."""
    keep: list[Tagged] = []
    for t in sorted(found, key=lambda t: -t.score):
        a, b = t.content[0][0], t.content[-1][1]
        if all(k.content[-1][1] <= a or b <= k.content[0][0] or _shared(t, k) < 0.5 * min(_size(t), _size(k))
               for k in keep):
            keep.append(t)
    return sorted(keep, key=lambda t: t.cue)
