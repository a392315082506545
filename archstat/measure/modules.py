"""The torch modules of layer kinds that torch.nn lacks; the registry's builders import this file when they run.

Each mirrors what torchvision writes for the same step, so a model's weights copy across by name and the peer
counters see the same module types on archstat's build as on the model itself.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels of N x C x (spatial...) at each position, as torchvision's LayerNorm2d (ConvNeXt).

    An nn.LayerNorm over C (weight and bias of C each) applied with the channels moved last and back.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = (0, *range(2, x.dim()), 1)
        back = (0, x.dim() - 1, *range(1, x.dim() - 1))
        y = F.layer_norm(x.permute(last), self.normalized_shape, self.weight, self.bias, self.eps)
        return y.permute(back)


class LayerScale(nn.Module):
    """x times a learned per-channel gamma, as ConvNeXt's blocks do (torchvision's CNBlock.layer_scale)."""

    def __init__(self, channels: int, dims: int, init: float):
        super().__init__()
        self.layer_scale = nn.Parameter(torch.full((channels, *(1,) * (dims - 1)), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_scale * x


class Mean(nn.Module):
    """The mean over every spatial dimension (ShuffleNet-V2's `x.mean([2, 3])`), as a module hooks can see."""

    def __init__(self, keepdim: bool):
        super().__init__()
        self.keepdim = keepdim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=tuple(range(2, x.dim())), keepdim=self.keepdim)

    def extra_repr(self) -> str:
        return f"keepdim={self.keepdim}"
