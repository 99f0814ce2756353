"""Training settings, one place for their defaults (the `unspin train` options read them).

Imports nothing heavy, so the CLI can show its defaults without torch, numpy or tokenizers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainConfig:
    epochs: int = 5
    batch_size: int = 16
    lr: float = 6e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    seed: int = 13
    checkpoint_every: int = 25
    tech_weight: float = 0.5
    span_weight: float = 1.0
    si_pos_weight: float = 1.5
    limit_articles: int | None = None
    max_steps: int | None = None
    # Stop after this many steps as if the process were killed (the checkpoint stays, nothing is
    # exported); the same command without it resumes to the same result. For time-boxed sessions.
    stop_after: int | None = None
    threads: int = 0
    # Average the weights seen at every checkpoint step from this fraction of training on, plus the last
    # step, and keep the average (stochastic weight averaging). None keeps the last weights.
    average_from: float | None = None
    # Tokens per window (without [CLS]/[SEP]); the exported model records it and the runtime reads with it.
    window: int = 254  # detect.encoding.WINDOW, written out so the CLI can read the defaults without numpy (tested)
    # The encoder to start from: minilm, mpnet or a model folder (`unspin.train.bases.resolve_base`).
    base: str = "minilm"
    # auto (a GPU when torch sees one, else the CPU), cpu, cuda, cuda:1, ...
    device: str = "auto"
    # Distillation: loss weight of teacher-labelled windows against gold ones (1.0), and how many
    # unlabeled articles the teacher labels (a seeded sample, `unspin.train.unlabeled`).
    teacher_weight: float = 0.5
    teacher_articles: int = 1000
