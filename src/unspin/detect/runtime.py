"""The shipped detector: ONNX encoder + numpy heads, no torch.

An article is cut into overlapping windows, run one at a time; token states are
averaged where windows overlap, so a span that crosses a window edge is decoded
from one continuous sequence of probabilities.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.article import ModelInfo, Span
from unspin.detect.decode import repeated_elsewhere, run_to_span, token_runs
from unspin.detect.encoding import (
    WINDOW,
    Encoded,
    encode,
    load_tokenizer,
    sentence_windows,
    special_ids,
    token_span,
    token_starts,
    windows,
)
from unspin.detect.features import PhraseCounts, article_features, gelu_tanh, pool_numpy
from unspin.detect.words import content_word_positions
from unspin.errors import InputError, ModelError
from unspin.segment import lines, split_line
from unspin.techniques import TECHNIQUE_IDS

OVERLAP = 32  # tokens two neighbouring windows share
MAX_TOKENS = 120_000  # about 90,000 words of news: 25 s of encoder on one core; a longer text is refused, not queued for minutes
EDGE_CHARS = " \t\r\n.,:;"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "unspin-minilm-ptc"
DEFAULT_DECODING = {
    "si_threshold": 0.5, "merge_gap": 1, "second_label": 0.5, "platt_a": 1.0, "platt_b": 0.0,
    "repetition_min_count": 0, "repetition_spread": 0,
}
REPETITION_FLOOR = 0.5


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@dataclass
class TokenView:
    """What the encoder saw of one article: tokens, states and token probabilities."""

    enc: Encoded
    states: np.ndarray  # (n, 384)
    si: np.ndarray  # (n,) probability that a token is inside any span
    tech: np.ndarray  # (n, 14) probability per technique


@dataclass(frozen=True)
class RawSpan:
    """A decoded span before calibration: mean token probability and technique probabilities."""

    start: int
    end: int
    si: float
    tech: np.ndarray


def check_model_dir(model_dir: Path, encoder_file: str = "model.onnx") -> None:
    """ModelError, in one line, when `model_dir` lacks a file a Detector loads."""
    need = [encoder_file, "heads.npz", "tokenizer.json", "meta.json"]
    missing = [n for n in need if not (model_dir / n).is_file()]
    if missing:
        raise ModelError(f"{model_dir}: not a model directory (missing {', '.join(missing)})")


class Detector:
    """Loads a model directory once; cheap to share across requests and batch items."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1, encoder_file: str = "model.onnx") -> None:
        import onnxruntime as ort

        self.model_dir = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
        check_model_dir(self.model_dir, encoder_file)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(self.model_dir / encoder_file), opts, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = load_tokenizer(self.model_dir / "tokenizer.json")
        self.cls, self.sep, self.pad = special_ids(self.tokenizer)
        heads = np.load(self.model_dir / "heads.npz")
        self.heads = {k: heads[k] for k in heads.files}
        meta = json.loads((self.model_dir / "meta.json").read_text())
        self.info = ModelInfo(meta.get("name", "unspin"), meta.get("version", "0"))
        # the window the model was trained with (0.2.0 was exported before it was recorded: 254 tokens)
        self.window = int(meta.get("window", WINDOW))
        self.windowing = f"overlap:{OVERLAP}"  # see window_plan
        cal_path = self.model_dir / "calibration.json"
        self.decoding: dict[str, Any] = dict(DEFAULT_DECODING)  # floats, and technique_offsets: {technique: float}
        if cal_path.exists():
            self.decoding.update(json.loads(cal_path.read_text()).get("decoding", {}))

    # -- encoder -----------------------------------------------------------
    def window_plan(self, enc: Encoded, text: str) -> list[tuple[int, int]]:
        """The token windows the encoder reads, as set by `windowing`:

        - "overlap:K" (the default, K = OVERLAP): windows of `window` tokens, each
          overlapping the previous one by K tokens;
        - "sentences:K": windows that end where a sentence ends (`sentence_windows`),
          each starting K tokens before that edge.

        Measured on PTC dev (bench/window_plans.py, docs/benchmarks.md): every plan that
        reads fewer tokens than "overlap:32" lost more than 0.005 F1 on some measure.
        """
        kind, _, k = self.windowing.partition(":")
        ov = int(k or 0)
        n = len(enc)
        if kind == "overlap":
            return windows(n, self.window, self.window - ov)
        if kind == "sentences":
            starts = [a for x, y in lines(text) for a, _ in split_line(text, x, y)]
            plan = sentence_windows(n, token_starts(enc.offsets, starts), self.window - ov, OVERLAP)
            return [(max(0, a - ov) if i else a, b) for i, (a, b) in enumerate(plan)]
        raise ValueError(f"unknown windowing {self.windowing!r}")

    def token_view(self, text: str) -> TokenView:
        """Token states and probabilities of a whole text.

        Raises `InputError` for a text over `MAX_TOKENS` tokens.

        Windows run one at a time: on a CPU a padded batch of windows is slower than
        the same windows alone, and with dynamic int8 quantisation a window's states
        would depend on the windows batched with it (the scales are per tensor), so
        the same text would not always give the same spans.
        """
        enc = encode(self.tokenizer, text)
        n = len(enc)
        if n > MAX_TOKENS:
            raise InputError(f"text of {n:,} tokens is over the {MAX_TOKENS:,}-token limit (about 90,000 words); split it")
        dim = self.heads["token_w"].shape[0]
        states = np.zeros((n, dim), dtype=np.float32)
        plan = self.window_plan(enc, text)
        counts = np.zeros((n, 1), dtype=np.float32) if _overlapping(plan) else None
        for a, b in plan:
            ids = np.empty((1, b - a + 2), dtype=np.int64)
            ids[0, 0] = self.cls
            ids[0, 1:-1] = enc.ids[a:b]
            ids[0, -1] = self.sep
            out = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
            if counts is None:
                states[a:b] = out[0, 1:-1]
            else:
                states[a:b] += out[0, 1:-1]
                counts[a:b] += 1
        if counts is not None:
            states /= np.maximum(counts, 1)
        logits = states @ self.heads["token_w"] + self.heads["token_b"]
        probs = _sigmoid(logits)
        return TokenView(enc, states, probs[:, 0], probs[:, 1:])

    # -- span classifier ---------------------------------------------------
    def technique_probs(self, view: TokenView, text: str, ranges: list[tuple[int, int, int, int]],
                        counts: PhraseCounts | None = None) -> np.ndarray:
        """Technique probabilities for (char_start, char_end, tok_a, tok_b) spans; `counts` is a
        `PhraseCounts(text.lower())` when the caller has one (built here otherwise)."""
        if not ranges:
            return np.zeros((0, len(TECHNIQUE_IDS)), dtype=np.float32)
        low = text.lower() if counts is None else counts.low
        counts = PhraseCounts(low) if counts is None else counts
        n = len(view.enc)
        feats = np.stack(
            [pool_numpy(view.states, a, b, 0, n, article_features(text, s, e, low, counts)) for s, e, a, b in ranges]
        )
        h = gelu_tanh(feats @ self.heads["span_w1"] + self.heads["span_b1"])
        return _softmax(h @ self.heads["span_w2"] + self.heads["span_b2"])

    def classify(self, text: str, spans: list[tuple[int, int]], view: TokenView | None = None) -> list[str]:
        """One technique for each given (start, end) span: the TC setting."""
        if not spans:
            return []
        view = view or self.token_view(text)
        ranges = [(s, e, *self.token_range(view.enc, s, e)) for s, e in spans]
        probs = self.technique_probs(view, text, ranges)
        return [TECHNIQUE_IDS[int(i)] for i in probs.argmax(1)]

    @staticmethod
    def token_range(enc: Encoded, s: int, e: int) -> tuple[int, int]:
        """Tokens of a character span; a span with no token of its own (only characters the
        normaliser drops) gets the nearest token, so every given span can be classified."""
        a, b = token_span(enc.offsets, s, e)
        if b > a or len(enc) == 0:
            return a, b
        j = min(int(np.searchsorted(enc.offsets[:, 0], s)), len(enc) - 1)
        return j, j + 1

    # -- decoding ----------------------------------------------------------
    def raw_spans(
        self, text: str, view: TokenView, threshold: float | None = None, cache: dict | None = None,
        counts: PhraseCounts | None = None,
    ) -> list[RawSpan]:
        """Runs of tokens above the SI threshold as whole-word spans with content (`unspin.detect.decode`),
        with their technique probabilities (`counts`: as for `technique_probs`)."""
        t = self.decoding["si_threshold"] if threshold is None else threshold
        off = view.enc.offsets
        ranges: list[tuple[int, int, int, int]] = []
        for a, b in token_runs(text, off, view.si >= t, int(self.decoding["merge_gap"])):
            span = run_to_span(text, int(off[a, 0]), int(off[b - 1, 1]))
            if span is not None:
                ranges.append((*span, a, b))
        if cache is None:
            probs = self.technique_probs(view, text, ranges, counts)
        else:  # tuning decodes the same ranges under many settings: classify each range once
            todo = [r for r in ranges if r not in cache]
            for r, p in zip(todo, self.technique_probs(view, text, todo, counts), strict=True):
                cache[r] = p
            probs = np.asarray([cache[r] for r in ranges]).reshape(len(ranges), len(TECHNIQUE_IDS))
        return [RawSpan(s, e, float(view.si[a:b].mean()), probs[k]) for k, (s, e, a, b) in enumerate(ranges)]

    def confidence(self, raw: float, technique: str) -> float:
        """Probability that a span with this raw score and technique is right (fitted on dev)."""
        raw = min(max(raw, 1e-6), 1 - 1e-6)
        offset = self.decoding.get("technique_offsets", {}).get(technique, 0.0)
        z = self.decoding["platt_a"] * math.log(raw / (1 - raw)) + self.decoding["platt_b"] + offset
        return 1.0 / (1.0 + math.exp(-z))

    def label_spans(
        self, text: str, raws: list[RawSpan], settings: dict[str, float] | None = None
    ) -> list[tuple[int, int, str, float]]:
        """(start, end, technique, raw score) for decoded spans.

        Each span gets its most likely technique, plus any other technique whose
        probability reaches `second_label` (so spans of different techniques can
        share a range); Repetition only where a content word of the span occurs again elsewhere in the
        article, else the next technique takes its place. With `repetition_min_count` > 0, a span whose words occur at
        least that often in the article is also labelled Repetition, and with
        `repetition_spread` the other occurrences become Repetition spans too: a
        window cannot see an earlier use of a phrase, the whole text can.
        """
        s = {**self.decoding, **(settings or {})}
        second = s["second_label"]
        min_count = int(s.get("repetition_min_count", 0))
        out: list[tuple[int, int, str, float]] = []
        rep = TECHNIQUE_IDS.index("Repetition")
        low = text.lower() if min_count else ""
        hits_cache: dict[str, list[int]] = {}
        positions = content_word_positions(text) if raws else []
        for r in raws:
            order = [int(k) for k in np.argsort(-r.tech)]
            if not repeated_elsewhere(text, r.start, r.end, positions):
                order.remove(rep)  # Repetition needs a content word that occurs again
            chosen: list[int] = []
            for rank, k in enumerate(order[:3]):
                if rank > 0 and r.tech[k] < second:
                    break
                chosen.append(int(k))
                out.append((r.start, r.end, TECHNIQUE_IDS[int(k)], r.si * float(r.tech[k])))
            if not min_count:
                continue
            phrase = low[r.start : r.end]
            if len(phrase) < 3:
                continue
            if phrase not in hits_cache:
                hits_cache[phrase] = _occurrences(low, phrase)
            hits = hits_cache[phrase]
            if len(hits) < min_count:
                continue
            score = r.si * max(float(r.tech[rep]), REPETITION_FLOOR)
            if rep not in chosen:
                out.append((r.start, r.end, "Repetition", score))
            if s.get("repetition_spread", 0):
                for h in hits:
                    end = h + len(phrase)
                    if not (h < r.end and end > r.start):
                        out.append((h, end, "Repetition", score * 0.9))
        # identical (range, technique) pairs from two sources: keep the stronger
        best: dict[tuple[int, int, str], float] = {}
        for a, b, t, sc in out:
            best[(a, b, t)] = max(sc, best.get((a, b, t), 0.0))
        return [(a, b, t, sc) for (a, b, t), sc in best.items()]

    def spans(self, text: str, view: TokenView | None = None, counts: PhraseCounts | None = None) -> list[Span]:
        """Technique spans end to end, with calibrated confidences (`counts`: a `PhraseCounts(text.lower())`
        to share with other stages, built here otherwise)."""
        view = view or self.token_view(text)
        out = [
            Span(a, b, t, round(self.confidence(sc, t), 4), text[a:b])
            for a, b, t, sc in self.label_spans(text, self.raw_spans(text, view, counts=counts))
        ]
        out.sort(key=lambda s: (s.start, s.end, -s.confidence))
        return out


def _overlapping(plan: list[tuple[int, int]]) -> bool:
    return any(c < b for (_, b), (c, _) in zip(plan, plan[1:], strict=False))


def _occurrences(low: str, phrase: str) -> list[int]:
    """Starts of `phrase` in `low` as a whole word sequence (not inside a longer word)."""
    out: list[int] = []
    i = low.find(phrase)
    while i >= 0:
        j = i + len(phrase)
        if (i == 0 or not low[i - 1].isalnum()) and (j >= len(low) or not low[j].isalnum()):
            out.append(i)
        i = low.find(phrase, i + 1)
    return out
