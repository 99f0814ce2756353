"""The network: an encoder (MiniLM, MPNet, ...) with a token head and a span classifier head.

Only the encoder goes to ONNX; the heads are small and are exported as numpy
arrays, which keeps int8 quantisation away from the final decisions.
"""

from __future__ import annotations

import torch
from torch import nn

from unspin.detect.features import CONTEXT_TOKENS, N_ARTICLE_FEATURES

N_TECH = 14


class DetectorNet(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int = 384, span_hidden: int = 256) -> None:
        super().__init__()
        self.encoder = encoder
        self.token_head = nn.Linear(hidden, 1 + N_TECH)
        self.span_head = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(3 * hidden + N_ARTICLE_FEATURES, span_hidden),
            nn.GELU(approximate="tanh"),
            nn.Linear(span_hidden, N_TECH),
        )

    def states(self, input_ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention).last_hidden_state

    def span_features(
        self,
        h: torch.Tensor,
        row: torch.Tensor,
        a: torch.Tensor,
        b: torch.Tensor,
        lo: torch.Tensor,
        hi: torch.Tensor,
        extra: torch.Tensor,
    ) -> torch.Tensor:
        """Same pooling as `unspin.detect.features.pool_numpy`, batched."""
        L = h.shape[1]
        pos = torch.arange(L).unsqueeze(0)
        span_mask = (pos >= a.unsqueeze(1)) & (pos < b.unsqueeze(1))
        ca = torch.maximum(lo, a - CONTEXT_TOKENS)
        cb = torch.minimum(hi, b + CONTEXT_TOKENS)
        ctx_mask = (pos >= ca.unsqueeze(1)) & (pos < cb.unsqueeze(1))
        hs = h[row]  # (S, L, D)
        sm = span_mask.unsqueeze(-1).to(hs.dtype)
        cm = ctx_mask.unsqueeze(-1).to(hs.dtype)
        mean = (hs * sm).sum(1) / sm.sum(1).clamp(min=1)
        mx = hs.masked_fill(~span_mask.unsqueeze(-1), -1e4).max(1).values
        ctx = (hs * cm).sum(1) / cm.sum(1).clamp(min=1)
        return torch.cat([mean, mx, ctx, extra], dim=1)
