"""A teacher labels unlabeled news with soft targets for a student (knowledge distillation).

A teacher is any model folder the runtime can load (what `unspin train` exports: an mpnet teacher,
the shipped model for self-training, or several folders for a seed ensemble); its float encoder
(`model-fp32.onnx`) is used where it was kept, else the int8 one. For each article it gives, on the
*student's* word pieces:

- `si` (n,): the probability that the piece lies inside a propaganda span;
- `tech` (n, 14): the probability that it lies inside a span of each technique;
- spans: the spans the teacher's probabilities decode to (`unspin.detect.decode`, the teacher's own
  threshold and gap), each with the teacher's 14 technique probabilities.

Teachers and student may tokenise differently: a teacher's piece probabilities are painted onto
the characters they cover and each student piece takes the mean over its characters. Several
teachers are averaged. Labels are written in shards of `SHARD` articles (`shard-00000.npz`, ...);
a stopped run starts again at the first missing shard, and `labels.json` records what the labels
were made from, so a changed teacher, tokenizer or sample is refused rather than mixed in.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tokenizers import Tokenizer

from unspin.detect.decode import run_to_span, token_runs
from unspin.detect.encoding import encode
from unspin.errors import UnspinError

if TYPE_CHECKING:
    from unspin.train.config import TrainConfig

SHARD = 50
FP32 = "model-fp32.onnx"
LABELS_FILE = "labels.json"


@dataclass
class SoftArticle:
    """One teacher-labelled article on the student's word pieces."""

    article_id: str
    text: str
    si: np.ndarray  # (n,) float32 in [0, 1]
    tech: np.ndarray  # (n, 14) float32 in [0, 1]
    spans: list[tuple[int, int, np.ndarray]]  # (char start, char end, (14,) technique probabilities)


def teacher_dir(path: Path) -> Path:
    """The model folder of a teacher: the folder itself, or the `model/` an `unspin train --out` left."""
    for p in (path, path / "model"):
        if (p / "meta.json").exists() and (p / "heads.npz").exists():
            return p
    raise UnspinError(f"--teacher {path}: not a model folder (no meta.json and heads.npz, nor a model/ with them)")


def to_student_pieces(text_len: int, t_off: np.ndarray, t_val: np.ndarray, s_off: np.ndarray) -> np.ndarray:
    """Values of teacher pieces (m, k) at offsets t_off (m, 2) moved onto student pieces at s_off (n, 2).

    A student piece takes the mean of the values over the characters it covers that some teacher
    piece covers (0 where none does). Offsets are str indices, end exclusive.
    """
    k = t_val.shape[1]
    paint = np.zeros((text_len + 1, k), dtype=np.float64)
    cover = np.zeros(text_len + 1, dtype=np.float64)
    for (a, b), v in zip(t_off.tolist(), t_val, strict=True):
        if b > a:
            paint[a:b] = v
            cover[a:b] = 1.0
    cs = np.concatenate([np.zeros((1, k)), np.cumsum(paint, 0)])
    cc = np.concatenate([[0.0], np.cumsum(cover)])
    a, b = np.clip(s_off[:, 0], 0, text_len), np.clip(s_off[:, 1], 0, text_len)
    n = cc[b] - cc[a]
    out = (cs[b] - cs[a]) / np.maximum(n, 1.0)[:, None]
    return out.astype(np.float32)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class Labeller:
    """One or more teachers, loaded once, labelling articles on a student's word pieces."""

    def __init__(self, teachers: list[Path], student_tokenizer: Tokenizer, threads: int = 1) -> None:
        from unspin.detect.runtime import Detector

        self.dirs = [teacher_dir(t) for t in teachers]
        # the teacher as trained where its float encoder was kept: int8 moves an mpnet encoder's states
        # further from fp32 than a MiniLM's (cosine 0.87 against 0.95 or more, docs/model-card.md)
        self.files = [FP32 if (d / FP32).exists() else "model.onnx" for d in self.dirs]
        self.teachers = [Detector(d, threads=threads, encoder_file=f) for d, f in zip(self.dirs, self.files, strict=True)]
        self.tok = student_tokenizer

    def describe(self) -> list[dict[str, str]]:
        """What identifies each teacher (not its folder, which may move): name, version, file hashes."""
        return [{"name": t.info.name, "version": t.info.version, "encoder": f"{f} {fingerprint(d / f)}",
                 "heads": fingerprint(d / "heads.npz")}
                for d, f, t in zip(self.dirs, self.files, self.teachers, strict=True)]

    def label(self, article_id: str, text: str) -> SoftArticle:
        enc = encode(self.tok, text)
        views = [t.token_view(text) for t in self.teachers]
        si = np.mean([to_student_pieces(len(text), v.enc.offsets, v.si[:, None], enc.offsets)[:, 0] for v in views], 0)
        tech = np.mean([to_student_pieces(len(text), v.enc.offsets, v.tech, enc.offsets) for v in views], 0)
        first = self.teachers[0].decoding
        on = si >= float(first["si_threshold"])
        chars = []
        for a, b in token_runs(text, enc.offsets, on, int(first["merge_gap"])):
            span = run_to_span(text, int(enc.offsets[a, 0]), int(enc.offsets[b - 1, 1]))
            if span is not None:
                chars.append(span)
        probs = np.zeros((len(chars), tech.shape[1]), dtype=np.float64)
        for t, v in zip(self.teachers, views, strict=True):
            ranges = [(s, e, *t.token_range(v.enc, s, e)) for s, e in chars]
            probs += t.technique_probs(v, text, ranges)
        probs /= len(self.teachers)
        spans = [(s, e, p.astype(np.float32)) for (s, e), p in zip(chars, probs, strict=True)]
        return SoftArticle(article_id, text, si.astype(np.float32), tech.astype(np.float32), spans)


def _save_shard(path: Path, arts: list[SoftArticle]) -> None:
    arrays: dict[str, np.ndarray] = {
        "ids": np.asarray([a.article_id for a in arts]),
        "texts": np.asarray([a.text for a in arts]),
    }
    for i, a in enumerate(arts):
        arrays[f"si{i}"] = a.si.astype(np.float16)
        arrays[f"tech{i}"] = a.tech.astype(np.float16)
        arrays[f"spans{i}"] = np.asarray([(s, e) for s, e, _ in a.spans], dtype=np.int64).reshape(-1, 2)
        arrays[f"probs{i}"] = np.asarray([p for _, _, p in a.spans], dtype=np.float32).reshape(-1, a.tech.shape[1])
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, path)


def read_shard(path: Path) -> list[SoftArticle]:
    z = np.load(path)
    out = []
    for i, (aid, text) in enumerate(zip(z["ids"].tolist(), z["texts"].tolist(), strict=True)):
        spans = [(int(s), int(e), p) for (s, e), p in zip(z[f"spans{i}"], z[f"probs{i}"], strict=True)]
        out.append(SoftArticle(aid, text, z[f"si{i}"].astype(np.float32), z[f"tech{i}"].astype(np.float32), spans))
    return out


def label_unlabeled(
    teachers: list[Path], tokenizer_path: Path, articles: list[tuple[str, str]], out: Path,
    source: str = "", progress: bool = True,
) -> Path:
    """Label (id, text) articles with the teachers into `out`, resuming at the first missing shard.

    Raises UnspinError when `out` holds labels made from other teachers, another tokenizer or
    another sample of articles.
    """
    from unspin.detect.encoding import load_tokenizer

    labeller = Labeller(teachers, load_tokenizer(tokenizer_path))
    want = {"teachers": labeller.describe(), "tokenizer": fingerprint(tokenizer_path),
            "articles": [aid for aid, _ in articles], "source": source, "shard": SHARD}
    out.mkdir(parents=True, exist_ok=True)
    meta = out / LABELS_FILE
    if meta.exists():
        have = json.loads(meta.read_text())
        if have != want:
            diff = [k for k in want if have.get(k) != want[k]]
            raise UnspinError(f"{out}: holds teacher labels made with other {', '.join(diff)}; use another --out")
    else:
        meta.write_text(json.dumps(want, indent=1))
    shards = [articles[i : i + SHARD] for i in range(0, len(articles), SHARD)]
    todo = [k for k in range(len(shards)) if not (out / f"shard-{k:05d}.npz").exists()]
    if progress and todo:
        from rich.progress import track

        it = track(todo, description=f"teacher labels ({len(articles)} articles)", transient=True)
    else:
        it = todo
    for k in it:
        _save_shard(out / f"shard-{k:05d}.npz", [labeller.label(aid, text) for aid, text in shards[k]])
    return out


def read_labels(out: Path) -> list[SoftArticle]:
    """Every labelled article of a finished `label_unlabeled` folder, in sample order."""
    meta = json.loads((out / LABELS_FILE).read_text())
    n = len(meta["articles"])
    arts: list[SoftArticle] = []
    for k in range((n + meta["shard"] - 1) // meta["shard"]):
        arts.extend(read_shard(out / f"shard-{k:05d}.npz"))
    return arts


def teacher_labels(teachers: list[Path], unlabeled: Path, out: Path, cfg: TrainConfig) -> Path:
    """Label `cfg.teacher_articles` articles of `unlabeled` (sampled with `cfg.seed`) on the word pieces
    of `cfg.base`, into `out/teacher-labels` (resumable). Returns that folder."""
    from unspin.train.bases import resolve_base
    from unspin.train.unlabeled import sample_unlabeled

    articles = sample_unlabeled(unlabeled, cfg.teacher_articles, cfg.seed)
    return label_unlabeled(teachers, resolve_base(cfg.base) / "tokenizer.json", articles, out / "teacher-labels",
                           source=f"{unlabeled.name}: {len(articles)} sampled with seed {cfg.seed}")
