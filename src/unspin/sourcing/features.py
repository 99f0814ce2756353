"""Hashed features of an article's tokens for the attribution tagger (numpy only).

Two sets, both as int arrays of feature indices (one row per token, one column per template):

- `cue_features(doc)`: for every token, whether it is part of a reporting cue ("said", "according to",
  "believes"): the word and its neighbours, suffix, shape, whether it sits inside a quotation, what follows it;
- `role_features(doc, cue, window)`: for every token of a window around one cue, whether it belongs to that
  cue's source or content: where it lies relative to the cue (side, distance, sentence), what stands between
  them (commas, quote marks, "that"), the cue's word, and the token's own word and shape.

A feature is a string template hashed (crc32, then mixed) into `2**bits` buckets, so the model file holds
weights only, no vocabulary. Every value is computed the same way at training and at run time.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from unspin.sourcing.layout import Layout, Token
from unspin.sourcing.lexicon import (
    ATTITUDE_VERBS,
    CITING_VERBS,
    PLURAL_PRONOUNS,
    PRONOUNS,
    QUOTE_FRAMING_VERBS,
    SOURCE_NOUNS,
    SPEECH_VERBS,
)

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_SHIFT = np.uint64(29)
_QUOTE_MARKS = {"“": "Q<", "”": "Q>", "„": "Q<", "«": "Q<", "»": "Q>", '"': "Q", "‘": "q<", "’": "q>", "'": "q"}
_COMMA = {",", ";", "—", "–", "-"}


def _h(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


def mix(template: int, *parts: np.ndarray) -> np.ndarray:
    """One feature index per row: the template number and the parts' hashes, mixed (uint64, wraps)."""
    with np.errstate(over="ignore"):
        h = np.full(parts[0].shape, np.uint64(template + 1) * _M3, dtype=np.uint64)
        for p in parts:
            h = (h ^ p.astype(np.uint64)) * _M1
            h ^= h >> _SHIFT
            h *= _M2
    return h


def word_form(t: Token) -> str:
    if t.text in _QUOTE_MARKS:
        return _QUOTE_MARKS[t.text]
    low = t.text.lower().replace("’", "'")
    return low if not low[0].isdigit() else "0" * min(len(low), 4)


def stem(form: str) -> str:
    """A crude stem that lets 'supports', 'supported', 'supporting' share weights."""
    for suffix in ("ing", "ed", "es", "s", "d"):
        if form.endswith(suffix) and len(form) - len(suffix) >= 3:
            return form[: -len(suffix)]
    return form


def shape(t: Token) -> str:
    s = t.text
    if not s[0].isalnum():
        return "p" if s not in _QUOTE_MARKS else "q"
    if s[0].isdigit():
        return "d"
    if s.isupper() and len(s) > 1:
        return "A"
    return "C" if s[0].isupper() else "a"


def lex_class(low: str) -> str:
    if low == "according":
        return "acc"
    if low in CITING_VERBS:
        return "cite"
    if low in QUOTE_FRAMING_VERBS:
        return "frame"
    if low in SPEECH_VERBS:
        return "say"
    if low in ATTITUDE_VERBS:
        return "att"
    if low in PRONOUNS:
        return "pron"
    if low in PLURAL_PRONOUNS:
        return "pl"
    if low in SOURCE_NOUNS:
        return "src"
    return "-"


@dataclass
class Doc:
    """An article's tokens with the per-token facts the features read."""

    layout: Layout
    quotes: list[tuple[int, int]]
    cache: dict[int, np.ndarray] = field(default_factory=dict)  # per-model token scores (tagger.find_cues)
    states: np.ndarray | None = None  # (n_tokens, d) the detector's token states, projected (tagger.with_states)

    @cached_property
    def tokens(self) -> list[Token]:
        return self.layout.all_tokens

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def starts(self) -> np.ndarray:
        return np.array([t.start for t in self.tokens], dtype=np.int64)

    @cached_property
    def ends(self) -> np.ndarray:
        return np.array([t.end for t in self.tokens], dtype=np.int64)

    @cached_property
    def sentence(self) -> np.ndarray:
        starts = np.array([a for a, _ in self.layout.sentences] or [0], dtype=np.int64)
        return np.maximum(np.searchsorted(starts, self.starts, side="right") - 1, 0)

    @cached_property
    def paragraph(self) -> np.ndarray:
        starts = np.array([a for a, _ in self.layout.paragraphs] or [0], dtype=np.int64)
        return np.maximum(np.searchsorted(starts, self.starts, side="right") - 1, 0)

    @cached_property
    def quote_id(self) -> np.ndarray:
        """Index of the quotation a token lies in (marks included), or -1."""
        out = np.full(len(self.tokens), -1, dtype=np.int64)
        for n, (a, b) in enumerate(self.quotes):
            lo, hi = np.searchsorted(self.starts, a), np.searchsorted(self.starts, b)
            out[lo:hi] = n
        return out

    @cached_property
    def forms(self) -> list[str]:
        return [_token_facts(t.text)[0] for t in self.tokens]

    @cached_property
    def _hashes(self) -> dict[str, np.ndarray]:
        n = len(self.tokens)
        table = np.empty((n + 4, len(_FACTS)), dtype=np.uint64)
        table[:2] = _h("<s>")  # padding: two before, two after
        table[n + 2 :] = _h("</s>")
        if n:
            table[2 : n + 2] = np.array([_token_facts(t.text)[1] for t in self.tokens], dtype=np.uint64)
        return {name: np.ascontiguousarray(table[:, k]) for k, name in enumerate(_FACTS)}

    @cached_property
    def kind(self) -> np.ndarray:
        """Small ints: 1 comma-like, 2 quote mark, 3 'that', 4 sentence end, 0 other."""
        return np.array([_token_facts(t.text)[2] for t in self.tokens], dtype=np.int64)

    def h(self, name: str, offset: int = 0) -> np.ndarray:
        """Hashes of feature `name` for every token, shifted by `offset` (-2..2), padded at the ends."""
        arr = self._hashes[name]
        n = len(self.tokens)
        return arr[2 + offset : 2 + offset + n]

    @cached_property
    def sentence_first(self) -> np.ndarray:
        """1 for the first token of each sentence."""
        s = self.sentence
        return np.r_[True, s[1:] != s[:-1]].astype(np.int64) if len(s) else np.zeros(0, dtype=np.int64)

    @cached_property
    def kind_cumsum(self) -> dict[int, np.ndarray]:
        """For each token kind (see `kind`), how many tokens of it up to and including each token."""
        return {k: np.cumsum(self.kind == k) for k in (1, 2, 3, 4)}

_FACTS = ("w", "s3", "shape", "lex", "stem")
_FACT_CACHE: dict[str, tuple[str, tuple[int, ...], int]] = {}


def _token_facts(text: str) -> tuple[str, tuple[int, ...], int]:
    """A token's word form, the hashes of its facts (_FACTS order) and its kind; cached by token text."""
    hit = _FACT_CACHE.get(text)
    if hit is None:
        if len(_FACT_CACHE) > 200_000:
            _FACT_CACHE.clear()
        t = Token(0, len(text), text)
        f = word_form(t)
        kind = 1 if f in _COMMA else 2 if f in ("Q", "Q<", "Q>") else 3 if f == "that" else \
            4 if f in (".", "!", "?", ":") else 0
        hit = _FACT_CACHE[text] = (f, (_h(f), _h(f[-3:]), _h(shape(t)), _h(lex_class(f)), _h(stem(f))), kind)
    return hit


CUE_TEMPLATES = 26


def _const(n: int, value: str) -> np.ndarray:
    return np.full(n, _h(value), dtype=np.uint64)


def _small(values: np.ndarray) -> np.ndarray:
    return values.astype(np.uint64) + np.uint64(1_000_003)


def cue_features(doc: Doc) -> np.ndarray:
    """(n_tokens, CUE_TEMPLATES) uint64 feature hashes for the cue tagger."""
    n = len(doc)
    if n == 0:
        return np.zeros((0, CUE_TEMPLATES), dtype=np.uint64)
    w, w1, w2, wn1, wn2 = doc.h("w"), doc.h("w", -1), doc.h("w", -2), doc.h("w", 1), doc.h("w", 2)
    inq = _small(doc.quote_id >= 0)
    first = np.r_[True, doc.sentence[1:] != doc.sentence[:-1]]
    last = np.r_[doc.sentence[1:] != doc.sentence[:-1], True]
    pos = _small(np.where(first, 1, np.where(last, 2, 0)))
    kind = doc.kind
    qmark = np.r_[np.zeros(3, bool), kind == 2, np.zeros(3, bool)]
    near_quote = (qmark[2 : n + 2] | qmark[1 : n + 1]) * 1 + (qmark[4 : n + 4] | qmark[5 : n + 5]) * 2
    that = np.r_[kind == 3, np.zeros(2, bool)]
    that_next = that[1 : n + 1] | that[2 : n + 2]
    cols = [
        mix(0, _const(n, "bias")),
        mix(1, w),
        mix(2, w1),
        mix(3, wn1),
        mix(4, w2),
        mix(5, wn2),
        mix(6, w1, w),
        mix(7, w, wn1),
        mix(8, doc.h("s3")),
        mix(9, doc.h("shape", -1), doc.h("shape"), doc.h("shape", 1)),
        mix(10, doc.h("lex"), doc.h("shape")),
        mix(11, inq, doc.h("lex")),
        mix(12, w, inq),
        mix(13, doc.h("lex", -1), doc.h("lex"), doc.h("lex", 1)),
        mix(14, w, doc.h("shape", -1)),
        mix(15, w, doc.h("w", 1)),
        mix(16, doc.h("s3"), w1),
        mix(17, w1, wn1),
        mix(18, pos, doc.h("lex")),
        mix(19, w, wn1, wn2),
        mix(20, doc.h("stem")),
        mix(21, doc.h("stem"), w1),
        mix(22, doc.h("stem"), wn1),
        mix(23, doc.h("stem"), _small(near_quote)),
        mix(24, doc.h("lex"), _small(near_quote), _small(that_next)),
        mix(25, doc.h("lex"), doc.h("shape", -1), doc.h("lex", -2)),
    ]
    return np.stack(cols, axis=1)


ROLE_TEMPLATES = 22
_BUCKETS = np.array([0, 1, 2, 3, 4, 6, 9, 14, 20, 30, 45, 10**9])


def _bucket(d: np.ndarray) -> np.ndarray:
    """Signed distance buckets: 0 inside the cue, +-1, +-2, ... growing roughly geometrically."""
    b = np.searchsorted(_BUCKETS, np.abs(d), side="right")
    return np.sign(d) * b


def role_features(doc: Doc, cs: int, ce: int, lo: int, hi: int) -> np.ndarray:
    """(hi - lo, ROLE_TEMPLATES) feature hashes of tokens [lo, hi) for the cue at tokens [cs, ce)."""
    return role_features_batch(doc, [(cs, ce, lo, hi)])


def role_features_batch(doc: Doc, cues: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Role features for several (cs, ce, lo, hi) windows at once, rows in window order, stacked."""
    if not cues:
        return np.zeros((0, ROLE_TEMPLATES), dtype=np.uint64)
    spec = np.array(cues, dtype=np.int64)
    sizes = spec[:, 3] - spec[:, 2]
    if sizes.sum() == 0:
        return np.zeros((0, ROLE_TEMPLATES), dtype=np.uint64)
    cs = np.repeat(spec[:, 0], sizes)
    ce = np.repeat(spec[:, 1], sizes)
    offs = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    j = np.repeat(spec[:, 2], sizes) + offs
    d = np.where(j < cs, j - cs, np.where(j >= ce, j - (ce - 1), 0))
    side = np.sign(d)
    rel = _bucket(d)
    coarse = side * np.minimum(np.searchsorted(_BUCKETS, np.abs(d), side="right"), 5)
    cum = doc.kind_cumsum
    counts = {}
    for k in (1, 2, 3, 4):
        c = cum[k]
        before = c[np.maximum(cs - 1, 0)] * (cs > 0) - c[j]
        after = c[np.maximum(j - 1, 0)] - c[ce - 1]
        counts[k] = np.minimum(np.where(j < cs, before, np.where(j >= ce, np.maximum(after, 0), 0)), 3)
    sent, para = doc.sentence, doc.paragraph
    sent_off = np.clip(sent[j] - sent[cs], -2, 3)
    para_off = np.clip(para[j] - para[cs], -1, 2)
    q = doc.quote_id
    qpad = np.r_[-1, -1, q, -1, -1]  # q[i] is qpad[i + 2]
    cue_q = q[cs]
    qj = q[j]
    adjacent = (qj == qpad[cs]) | (qj == qpad[cs + 1]) | (qj == qpad[ce + 2]) | (qj == qpad[ce + 3])
    qstate = np.where(qj < 0, 0, np.where(qj == cue_q, 1, np.where(adjacent, 2, 3)))
    sd, rl, cr = _small(side + 1), _small(rel + 20), _small(coarse + 10)
    w = doc.h("w")[j]
    wp = doc.h("w", -1)[j]
    wn = doc.h("w", 1)[j]
    shp = doc.h("shape")[j]
    lex = doc.h("lex")[j]
    cue_w = doc.h("w")[cs]
    cue_last = doc.h("w")[ce - 1]
    cue_prev = doc.h("w", -1)[cs]
    c1, c2, c3, c4 = (_small(counts[k]) for k in (1, 2, 3, 4))
    qs = _small(qstate)
    first = _small(doc.sentence_first[j])
    cols = [
        mix(0, sd),
        mix(1, rl),
        mix(2, w, sd),
        mix(3, w, cr),
        mix(4, wp, sd),
        mix(5, wn, sd),
        mix(6, shp, sd, cr),
        mix(7, c1, sd),
        mix(8, c2, sd, qs),
        mix(9, c3, sd),
        mix(10, _small(sent_off + 5), _small(para_off + 5), sd),
        mix(11, cue_w, sd),
        mix(12, cue_w, rl),
        mix(13, qs, sd, c2),
        mix(14, lex, sd, cr),
        mix(15, w, c1, sd),
        mix(16, cue_prev, sd, cr),
        mix(17, first, sd, shp),
        mix(18, w, wp, sd),
        mix(19, cue_last, sd, c1),
        mix(20, c4, sd, _small(sent_off + 5)),
        mix(21, cue_w, c1, c2, sd),
    ]
    return np.stack(cols, axis=1)


def word_states(doc: Doc, states: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(n_tokens, dim) the mean of the word-piece states (pieces, dim) whose character offsets (pieces, 2)
    start inside each token; zeros for a token no piece starts in."""
    n = len(doc)
    out = np.zeros((n, states.shape[1]), dtype=np.float32)
    if n == 0 or len(states) == 0:
        return out
    tok = np.searchsorted(doc.starts, offsets[:, 0], side="right") - 1
    ok = (tok >= 0) & (offsets[:, 0] < doc.ends[np.maximum(tok, 0)])
    tok = tok[ok]
    if len(tok) == 0:
        return out
    picked = states[ok]
    if np.any(np.diff(tok) < 0):  # pieces come in text order; any other order is sorted first
        order = np.argsort(tok, kind="stable")
        tok, picked = tok[order], picked[order]
    first = np.r_[0, np.nonzero(np.diff(tok))[0] + 1]
    sums = np.add.reduceat(picked.astype(np.float32, copy=False), first, axis=0)
    out[tok[first]] = sums / np.diff(np.r_[first, len(tok)])[:, None]
    return out


def role_dense_batch(doc: Doc, cues: list[tuple[int, int, int, int]]) -> np.ndarray | None:
    """Dense role features for the (cs, ce, lo, hi) windows, rows as `role_features_batch` (rows, 4 * d): each
    token's state where it lies before the cue, where after, the cue's first token's state, and the token's
    state times the cue's (scaled by 1/sqrt(d)); None without states."""
    if doc.states is None:
        return None
    st = doc.states
    d = st.shape[1]
    if not cues:
        return np.zeros((0, 4 * d), dtype=np.float32)
    parts = []
    for cs, ce, lo, hi in cues:
        x = np.zeros((hi - lo, 4 * d), dtype=np.float32)
        x[: cs - lo, :d] = st[lo:cs]
        x[ce - lo :, d : 2 * d] = st[ce:hi]
        x[:, 2 * d : 3 * d] = st[cs]
        x[:, 3 * d :] = st[lo:hi] * st[cs] / np.sqrt(d)
        parts.append(x)
    return np.concatenate(parts)


def role_dense_scores(doc: Doc, cues: list[tuple[int, int, int, int]], weights: np.ndarray) -> np.ndarray:
    """What `role_dense_batch(doc, cues) @ weights` gives (rows, classes), without building the features: each
    block of the weights (4 * d, classes) applied to the states once per article or once per cue."""
    assert doc.states is not None
    st = doc.states
    d = st.shape[1]
    w_before, w_after, w_cue, w_prod = (weights[k * d : (k + 1) * d] for k in range(4))
    before, after = st @ w_before, st @ w_after
    parts = []
    for cs, ce, lo, hi in cues:
        x = np.zeros((hi - lo, weights.shape[1]), dtype=np.float32)
        x[: cs - lo] = before[lo:cs]
        x[ce - lo :] = after[ce:hi]
        x += st[cs] @ w_cue + st[lo:hi] @ (st[cs][:, None] * w_prod) / np.sqrt(d)
        parts.append(x)
    return np.concatenate(parts) if parts else np.zeros((0, weights.shape[1]), dtype=np.float32)


MAX_BEFORE = 60  # tokens of the window before the cue
MAX_AFTER = 90  # and after it


def role_window(doc: Doc, cs: int, ce: int) -> tuple[int, int]:
    """Tokens [lo, hi) whose role is decided for the cue at [cs, ce): the sentence before (same paragraph),
    the cue's sentence and the two after it, cut at MAX_BEFORE / MAX_AFTER tokens from the cue."""
    sent, para = doc.sentence, doc.paragraph
    s, p = int(sent[cs]), int(para[cs])
    lo = max(cs - MAX_BEFORE, int(np.searchsorted(para, p, "left")), int(np.searchsorted(sent, s - 1, "left")))
    hi = min(ce + MAX_AFTER, int(np.searchsorted(para, p, "right")), int(np.searchsorted(sent, s + 2, "right")))
    return min(lo, cs), max(hi, ce)
