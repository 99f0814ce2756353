"""Export a trained net: encoder to ONNX (fp32 and fused int8), heads to numpy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from unspin.detect.encoding import WINDOW
from unspin.train.bases import resolve_base
from unspin.train.loop import build_net


class _Encoder(nn.Module):
    def __init__(self, enc: nn.Module) -> None:
        super().__init__()
        self.enc = enc

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


BASE_NAMES = {"minilm": "all-MiniLM-L6-v2", "mpnet": "all-mpnet-base-v2"}


def export_fp32(encoder: nn.Module, path: Path) -> Path:
    """The encoder as a fused fp32 ONNX graph (input_ids, attention_mask -> states), at `path`.

    onnxruntime's transformer optimizer fuses BERT patterns: a BERT-style encoder such as MiniLM
    fuses fully; MPNet's relative-position attention stays unfused but its layer norms and GELUs fuse.
    """
    from onnxruntime.transformers.optimizer import optimize_model

    conf: Any = encoder.config
    raw = path.with_name(path.stem + "-raw.onnx")
    ids = torch.ones((1, 16), dtype=torch.int64)
    mask = torch.ones((1, 16), dtype=torch.int64)
    torch.onnx.export(
        _Encoder(encoder), (ids, mask), str(raw), dynamo=False, opset_version=17,
        input_names=["input_ids", "attention_mask"], output_names=["states"],
        dynamic_axes={"input_ids": {0: "b", 1: "n"}, "attention_mask": {0: "b", 1: "n"}, "states": {0: "b", 1: "n"}},
    )
    fused = optimize_model(str(raw), model_type="bert", num_heads=int(conf.num_attention_heads),
                           hidden_size=int(conf.hidden_size))
    fused.save_model_to_file(str(path))
    raw.unlink()
    return path


def quantize(fp32: Path, out: Path) -> Path:
    """The shipped int8 form of a fused fp32 encoder (see `unspin.train.requantize` for how it was chosen)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
        reduce_range=True, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return out


def export(
    net_path: Path, out_dir: Path, version: str, seed: int = 13, keep_fp32: bool = True, window: int = WINDOW,
    base: str = "minilm", extra_meta: dict | None = None,
) -> Path:
    """Write model.onnx (int8), heads.npz, tokenizer.json and meta.json to out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    net = build_net(seed, base)
    net.load_state_dict(torch.load(net_path, weights_only=True, map_location="cpu"))
    conf: Any = net.encoder.config
    net.eval()
    fp32 = export_fp32(net.encoder, out_dir / "model-fp32.onnx")
    quantize(fp32, out_dir / "model.onnx")
    if not keep_fp32:
        fp32.unlink()
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items() if not k.startswith("encoder.")}
    np.savez(
        out_dir / "heads.npz",
        token_w=sd["token_head.weight"].T, token_b=sd["token_head.bias"],
        span_w1=sd["span_head.1.weight"].T, span_b1=sd["span_head.1.bias"],
        span_w2=sd["span_head.3.weight"].T, span_b2=sd["span_head.3.bias"],
    )
    shutil.copy(resolve_base(base) / "tokenizer.json", out_dir / "tokenizer.json")
    meta_path = out_dir / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    short = base if base in BASE_NAMES else "custom"
    meta.update({"name": f"unspin-{short}-ptc", "version": version, "base": BASE_NAMES.get(base, Path(base).name),
                 "seed": seed, "window": window, "hidden": int(conf.hidden_size), **(extra_meta or {})})
    meta_path.write_text(json.dumps(meta, indent=2))
    return out_dir
