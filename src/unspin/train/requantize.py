"""Rebuild the fp32 encoder from a shipped int8 `model.onnx`, and quantise it again.

The fp32 weights of a released model are not kept, but every int8 weight is
exactly `(q - zero_point) * scale`, so dequantising gives an fp32 encoder whose
weights are the int8 model's own. From it the benchmarks run torch fp32 and
torch dynamic int8 on the same weights, and `requantize` writes other int8
forms of the same network to compare on speed and accuracy.

Needs the `train` extra (torch, transformers, onnx).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

LAYERS = 6
HIDDEN = 384


def _initializers(model: Any) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}


def _deq(inits: dict[str, np.ndarray], q: str, scale: str, zero: str) -> np.ndarray:
    """(q - zero) * scale in float32; per-channel scales broadcast over the last axis."""
    return (inits[q].astype(np.float32) - inits[zero].astype(np.float32)) * inits[scale].astype(np.float32)


def dequantized_state_dict(onnx_path: Path) -> dict[str, np.ndarray]:
    """A BertModel state dict (torch names, float32) from a fused, dynamically quantised encoder.

    Raises ValueError when the graph is not the fused int8 BERT encoder `unspin train` exports
    (QEmbedLayerNormalization, one QAttention and three MatMulInteger per layer).
    """
    import onnx

    model = onnx.load(str(onnx_path))
    inits = _initializers(model)
    nodes = model.graph.node
    emb = [n for n in nodes if n.op_type == "QEmbedLayerNormalization"]
    att = [n for n in nodes if n.op_type == "QAttention"]
    mmi = [n for n in nodes if n.op_type == "MatMulInteger"]
    if len(emb) != 1 or len(att) != LAYERS or len(mmi) != 3 * LAYERS:
        raise ValueError(f"{onnx_path}: not a fused int8 encoder of {LAYERS} layers")
    sd: dict[str, np.ndarray] = {}
    e = emb[0].input  # ids, segment, word, position, type, gamma, beta, mask, 5 scales, 5 zero points
    names = ["word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
             "LayerNorm.weight", "LayerNorm.bias"]
    for k, name in enumerate(names):
        sd[f"embeddings.{name}"] = _deq(inits, e[2 + k], e[8 + k], e[13 + k])
    for i, node in enumerate(att):  # graph order is layer order
        w = _deq(inits, node.input[1], node.input[4], node.input[7])  # (384, 3 * 384), x @ w
        b = inits[node.input[2]]
        for j, part in enumerate(("query", "key", "value")):
            sd[f"encoder.layer.{i}.attention.self.{part}.weight"] = w[:, j * HIDDEN : (j + 1) * HIDDEN].T.copy()
            sd[f"encoder.layer.{i}.attention.self.{part}.bias"] = b[j * HIDDEN : (j + 1) * HIDDEN].copy()
    for node in mmi:
        # node names follow the torch modules: /enc/encoder/layer.3/intermediate/dense/MatMul_quant
        parts = node.name.strip("/").split("/")
        layer = parts[2].split(".")[1]
        module = ".".join(parts[3:-1])
        wq = node.input[1]
        base = wq[: -len("_quantized")]
        w = _deq(inits, wq, base + "_scale", base + "_zero_point")
        sd[f"encoder.layer.{layer}.{module}.weight"] = w.T.copy()
    for name, arr in inits.items():  # biases and layer norms of the layers are kept in float
        if name.startswith("enc.encoder."):
            sd[name[len("enc.") :]] = arr.astype(np.float32)
    expected = 5 + LAYERS * 16
    if len(sd) != expected:
        raise ValueError(f"{onnx_path}: found {len(sd)} encoder tensors, expected {expected}")
    return sd


def dequantized_encoder(onnx_path: Path) -> Any:
    """A torch `BertModel` (eager attention, eval mode) carrying the int8 model's weights in fp32."""
    import os

    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig, AutoModel

    from unspin.train.loop import base_model_path

    config = AutoConfig.from_pretrained(str(base_model_path()))
    enc = AutoModel.from_config(config, attn_implementation="eager", add_pooling_layer=False)
    sd = {k: torch.from_numpy(v) for k, v in dequantized_state_dict(onnx_path).items()}
    missing, unexpected = enc.load_state_dict(sd, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        raise ValueError(f"weights do not fit the encoder: missing {missing}, unexpected {unexpected}")
    return enc.eval()


def export_raw(encoder: Any, path: Path) -> Path:
    """The encoder as an unfused fp32 ONNX graph (what static quantisation needs)."""
    import torch

    from unspin.train.export import _Encoder

    ids = torch.ones((1, 16), dtype=torch.int64)
    torch.onnx.export(
        _Encoder(encoder), (ids, ids), str(path), dynamo=False, opset_version=17,
        input_names=["input_ids", "attention_mask"], output_names=["states"],
        dynamic_axes={"input_ids": {0: "b", 1: "n"}, "attention_mask": {0: "b", 1: "n"}, "states": {0: "b", 1: "n"}},
    )
    return path


def quantize_form(form: str, fp32: Path, raw: Path, out: Path, calibration: list[np.ndarray] | None = None) -> Path:
    """One int8 form of the encoder, named as in docs/benchmarks.md:

    - "dynamic-rr": dynamic, s8 per-channel weights with reduce_range (what 0.2.0 ships);
    - "dynamic": the same without reduce_range (full 8-bit weights; VNNI/AMX need no headroom);
    - "dynamic-per-tensor": one scale per weight matrix;
    - "dynamic-u8": u8 weights;
    - "static-qoperator" / "static-qdq": activation scales fixed by calibration on `calibration`
      windows (so they do not depend on the batch), from the unfused graph `raw`.
    """
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    float_default = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    dynamic = {
        "dynamic-rr": (QuantType.QInt8, True, True), "dynamic": (QuantType.QInt8, True, False),
        "dynamic-per-tensor": (QuantType.QInt8, False, False), "dynamic-u8": (QuantType.QUInt8, True, False),
    }
    if form in dynamic:
        wt, per_channel, rr = dynamic[form]
        quantize_dynamic(str(fp32), str(out), weight_type=wt, per_channel=per_channel, reduce_range=rr,
                         extra_options=float_default)
        return out
    if form not in ("static-qoperator", "static-qdq") or not calibration:
        raise ValueError(f"unknown form {form!r} (static forms need calibration windows)")

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(calibration or [])

        def get_next(self) -> dict[str, np.ndarray] | None:
            ids = next(self.it, None)
            return None if ids is None else {"input_ids": ids, "attention_mask": np.ones_like(ids)}

    quantize_static(
        str(raw), str(out), Reader(), quant_format=QuantFormat.QDQ if form == "static-qdq" else QuantFormat.QOperator,
        per_channel=True, reduce_range=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"], calibrate_method=CalibrationMethod.MinMax,
        extra_options={"ActivationSymmetric": False, "MatMulConstBOnly": True},
    )
    return out
