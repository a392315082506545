"""Normalisation: local response normalisation and batch normalisation."""
from __future__ import annotations

from typing import Any

from archstat.fields import Field, boolean, number, positive_int, positive_number, probability
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    Torch,
    counted,
    feature_map,
    per_element,
    same_shape,
    torch_nn,
)
from archstat.ops import Shape, Site


def ptflops_lrn_ops(site: Site) -> int:
    """3 x C x H x W + (C + size - 1) x H x W: its tensor ops.

    x*x, alpha*, +k (C x H x W each) and an avg_pool3d over C + size - 1 padded channels.
    """
    C, H, W = site.x
    return 3 * C * H * W + (C + site.args["size"] - 1) * H * W


def lrn_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    return feature_map(xs[0], "lrn")


def lrn_module(s: Site) -> Any:
    a = s.args
    return torch_nn().LocalResponseNorm(a["size"], a["alpha"], a["beta"], a["k"])


LRN = LayerKind(
    name="lrn",
    doc="Local response normalisation across channels (torch.nn.LocalResponseNorm; AlexNet, VGG A-LRN).",
    fields=(
        Field("size", positive_int, doc="number of neighbouring channels"),
        Field("alpha", number, 1e-4),
        Field("beta", number, 0.75),
        Field("k", number, 1.0),
    ),
    shape=lrn_shape,
    flops=counted(ptflops=ptflops_lrn_ops),
    torch=Torch(build=lrn_module),
)


def affine_channels(site: Site) -> int:
    """One per channel when affine (gamma, or beta), else none; running statistics are buffers."""
    return site.x[0] if site.args["affine"] else 0


def torchinfo_batchnorm(site: Site) -> int:
    """its parameters, once: 2C with affine, 0 without."""
    return 2 * affine_channels(site)


def batchnorm_module(s: Site) -> Any:
    nn, a = torch_nn(), s.args
    return (nn.BatchNorm2d if len(s.x) == 3 else nn.BatchNorm1d)(s.x[0], a["eps"], a["momentum"], a["affine"])


BATCHNORM = LayerKind(
    name="batchnorm",
    doc="Batch normalisation over channels (BatchNorm2d on C x H x W, BatchNorm1d on flat input).",
    fields=(
        Field("eps", positive_number, 1e-5),
        Field("momentum", probability, 0.1),
        Field("affine", boolean, True, "learn the scale gamma and shift beta"),
    ),
    shape=same_shape,
    weights=affine_channels,
    biases=affine_channels,
    flops=counted(fvcore=per_element(2, 1), torchinfo=torchinfo_batchnorm, thop=per_element(4, 2),
                  ptflops=per_element(2, 1)),
    torch=Torch(build=batchnorm_module),
)
