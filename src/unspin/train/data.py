"""PTC articles turned into training windows with token and span targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from unspin.detect.encoding import WINDOW, Encoded, encode, special_ids, token_span, windows
from unspin.detect.features import article_features
from unspin.errors import InputError
from unspin.ptc.files import find_label_file, list_articles, read_tc_labels, read_text_exact
from unspin.techniques import TECHNIQUE_IDS

TECH_INDEX = {t: i for i, t in enumerate(TECHNIQUE_IDS)}


@dataclass
class TrainSpan:
    tok_a: int
    tok_b: int
    technique: int  # the gold technique, or the teacher's most likely one
    extra: list[float]
    target: np.ndarray | None = None  # (14,) a teacher's technique probabilities; None: one-hot `technique`


@dataclass
class TrainArticle:
    article_id: str
    enc: Encoded
    si: np.ndarray  # (n,) float32: token inside any span
    tech: np.ndarray  # (n, 14) float32: token inside a span of each technique
    spans: list[TrainSpan] = field(default_factory=list)
    weight: float = 1.0  # loss weight of its windows: 1 for gold, the teacher weight for teacher labels


def load_split(data_dir: Path, tok: Tokenizer, limit: int | None = None) -> list[TrainArticle]:
    """Read a PTC split (articles/ + *-task-flc-tc.labels) into token targets."""
    label_file = find_label_file(data_dir)
    if label_file is None:
        raise InputError(f"{data_dir}: no *-task-flc-tc.labels file to train on")
    gold = read_tc_labels(label_file)
    by_article: dict[str, list] = {}
    for g in gold:
        by_article.setdefault(g.article_id, []).append(g)
    out: list[TrainArticle] = []
    for aid, path in list(list_articles(data_dir).items())[:limit]:
        text = read_text_exact(path)
        low = text.lower()
        enc = encode(tok, text)
        n = len(enc)
        si = np.zeros(n, dtype=np.float32)
        tech = np.zeros((n, len(TECHNIQUE_IDS)), dtype=np.float32)
        art = TrainArticle(aid, enc, si, tech)
        for g in by_article.get(aid, []):
            a, b = token_span(enc.offsets, g.start, g.end)
            if b <= a:
                continue
            k = TECH_INDEX[g.technique]
            si[a:b] = 1.0
            tech[a:b, k] = 1.0
            art.spans.append(TrainSpan(a, b, k, article_features(text, g.start, g.end, low)))
        out.append(art)
    return out


def soft_articles(arts: list, tok: Tokenizer, weight: float) -> list[TrainArticle]:
    """Teacher-labelled articles (`unspin.train.teacher.SoftArticle`) as training articles.

    Raises InputError when the labels were made on other word pieces than `tok` gives.
    """
    out: list[TrainArticle] = []
    for a in arts:
        enc = encode(tok, a.text)
        if len(enc) != len(a.si):
            raise InputError(f"teacher labels of {a.article_id}: {len(a.si)} pieces, the tokenizer gives {len(enc)}")
        low = a.text.lower()
        art = TrainArticle(a.article_id, enc, a.si, a.tech, weight=weight)
        for s, e, probs in a.spans:
            ta, tb = token_span(enc.offsets, s, e)
            if tb > ta:
                art.spans.append(TrainSpan(ta, tb, int(np.argmax(probs)), article_features(a.text, s, e, low), probs))
        out.append(art)
    return out


@dataclass
class Batch:
    input_ids: np.ndarray  # (B, L)
    attention: np.ndarray  # (B, L)
    si: np.ndarray  # (B, L)
    tech: np.ndarray  # (B, L, 14)
    row_weight: np.ndarray  # (B,) loss weight of each window
    span_row: np.ndarray  # (S,) which batch row
    span_a: np.ndarray  # (S,) token positions within the row (after [CLS])
    span_b: np.ndarray
    span_lo: np.ndarray  # window token range within the row
    span_hi: np.ndarray
    span_extra: np.ndarray  # (S, 3)
    span_target: np.ndarray  # (S, 14) technique distribution: one-hot for gold, soft for a teacher
    span_weight: np.ndarray  # (S,)


def epoch_windows(
    articles: list[TrainArticle], seed: int, epoch: int, window: int = WINDOW
) -> list[tuple[int, int, int]]:
    """(article index, token start, token end) for one epoch, in shuffled order.

    Each epoch moves the window edges by a random amount, so a span cut by an
    edge in one epoch is whole in another; the order depends only on seed+epoch,
    which is what lets an interrupted run resume at the same batch.
    """
    rng = np.random.default_rng([seed, epoch])
    items: list[tuple[int, int, int]] = []
    for i, art in enumerate(articles):
        first = int(rng.integers(0, window)) if epoch > 0 else 0
        items.extend((i, a, b) for a, b in windows(len(art.enc), window, first=first))
    order = rng.permutation(len(items))
    return [items[j] for j in order]


def make_batch(articles: list[TrainArticle], items: list[tuple[int, int, int]], tok: Tokenizer) -> Batch:
    cls, sep, pad = special_ids(tok)
    L = max(b - a for _, a, b in items) + 2
    B = len(items)
    ids = np.full((B, L), pad, dtype=np.int64)
    att = np.zeros((B, L), dtype=np.int64)
    si = np.zeros((B, L), dtype=np.float32)
    tech = np.zeros((B, L, len(TECHNIQUE_IDS)), dtype=np.float32)
    rw = np.ones(B, dtype=np.float32)
    n_tech = len(TECHNIQUE_IDS)
    rows, sa, sb, lo, hi, extra, target, sw = [], [], [], [], [], [], [], []
    for r, (i, a, b) in enumerate(items):
        art = articles[i]
        rw[r] = art.weight
        n = b - a
        ids[r, 0] = cls
        ids[r, 1 : n + 1] = art.enc.ids[a:b]
        ids[r, n + 1] = sep
        att[r, : n + 2] = 1
        si[r, 1 : n + 1] = art.si[a:b]
        tech[r, 1 : n + 1] = art.tech[a:b]
        for s in art.spans:
            if s.tok_a >= a and s.tok_b <= b:
                rows.append(r)
                sa.append(s.tok_a - a + 1)
                sb.append(s.tok_b - a + 1)
                lo.append(1)
                hi.append(n + 1)
                extra.append(s.extra)
                target.append(s.target if s.target is not None else np.eye(n_tech, dtype=np.float32)[s.technique])
                sw.append(art.weight)
    return Batch(
        ids, att, si, tech, rw,
        np.asarray(rows, dtype=np.int64), np.asarray(sa, dtype=np.int64), np.asarray(sb, dtype=np.int64),
        np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64),
        np.asarray(extra, dtype=np.float32).reshape(-1, 3),
        np.asarray(target, dtype=np.float32).reshape(-1, n_tech), np.asarray(sw, dtype=np.float32),
    )
