"""Normalisation: local response, batch, layer, group and instance normalisation."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean, number, positive_int, positive_number, probability
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    ShapeProblem,
    Torch,
    counted,
    feature_map,
    per_element,
    same_shape,
    spatial_map,
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


def lrn_scratch(s: Site) -> int:
    """two maps the size of its output: torch squares the input, then pads, pools and scales the square."""
    return 2 * math.prod(s.output)


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
    torch=Torch(build=lrn_module, scratch=lrn_scratch),
)


def affine_channels(site: Site) -> int:
    """One per channel when affine (gamma, or beta), else none; running statistics are buffers."""
    return site.x[0] if site.args["affine"] else 0


def torchinfo_norm(site: Site) -> int:
    """its parameters, once: 2C with affine, 0 without."""
    return 2 * affine_channels(site)


def running_statistics(site: Site) -> int:
    """2C + 1: the running mean and variance per channel, and the count of batches seen (torch's buffers)."""
    return 2 * site.x[0] + 1


def batchnorm_module(s: Site) -> Any:
    nn, a = torch_nn(), s.args
    module = {4: nn.BatchNorm3d, 3: nn.BatchNorm2d}.get(len(s.x), nn.BatchNorm1d)  # (C, D, H, W), (C, H, W), else 1-D
    return module(s.x[0], a["eps"], a["momentum"], a["affine"])


BATCHNORM = LayerKind(
    name="batchnorm",
    doc="Batch normalisation over channels (BatchNorm1d, 2d or 3d as the input's spatial dims; 1d on flat input).",
    fields=(
        Field("eps", positive_number, 1e-5),
        Field("momentum", probability, 0.1),
        Field("affine", boolean, True, "learn the scale gamma and shift beta"),
    ),
    shape=same_shape,
    weights=affine_channels,
    biases=affine_channels,
    buffers=running_statistics,
    flops=counted(fvcore=per_element(2, 1), torchinfo=torchinfo_norm, thop=per_element(4, 2),
                  ptflops=per_element(2, 1)),
    torch=Torch(build=batchnorm_module),
)


# ---- layer norm: over the channels at each position, or over the features of a flat input --------------------

def thop_layernorm(site: Site) -> int:
    """4 per input element on a flat input (2 without affine); 0 on a feature map.

    thop hooks nn.LayerNorm only by its exact type, so the LayerNorm2d that normalises a feature map is not seen.
    """
    return 0 if len(site.x) > 1 else math.prod(site.x) * (4 if site.args["affine"] else 2)


def ptflops_layernorm(site: Site) -> int:
    """1 per input element on a flat input, affine or not; 0 on a feature map.

    ptflops' batch-norm hook doubles only for an `affine` attribute, which nn.LayerNorm lacks, and it knows
    nn.LayerNorm by its exact type, not the LayerNorm2d of a feature map.
    """
    return 0 if len(site.x) > 1 else math.prod(site.x)


def layernorm_module(s: Site) -> Any:
    a = s.args
    if len(s.x) == 1:
        return torch_nn().LayerNorm(s.x[0], a["eps"], a["affine"])
    from archstat.measure.modules import ChannelLayerNorm

    return ChannelLayerNorm(s.x[0], a["eps"], a["affine"])


NORM_FIELDS = (
    Field("eps", positive_number, 1e-5, "added to the variance"),
    Field("affine", boolean, True, "learn a scale and a shift per channel"),
)

LAYERNORM = LayerKind(
    name="layernorm",
    doc="Layer normalisation over the channels at each position of a feature map, with a learned scale and "
        "shift per channel (torchvision's LayerNorm2d, as ConvNeXt uses it), or over the features of a flat "
        "input (torch.nn.LayerNorm).",
    fields=NORM_FIELDS,
    shape=same_shape,
    weights=affine_channels,
    biases=affine_channels,
    flops=counted(fvcore=per_element(5, 4), torchinfo=torchinfo_norm, thop=thop_layernorm,
                  ptflops=ptflops_layernorm),
    torch=Torch(build=layernorm_module),
)


def groupnorm_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C, G = xs[0][0], a["groups"]
    if C % G:
        raise ShapeProblem(f"{C} channels do not split into {G} groups; the channels must be a multiple of groups",
                           xs[0])
    return xs[0]


def groupnorm_module(s: Site) -> Any:
    a = s.args
    return torch_nn().GroupNorm(a["groups"], s.x[0], a["eps"], a["affine"])


GROUPNORM = LayerKind(
    name="groupnorm",
    doc="Group normalisation: the channels in `groups` groups, each normalised over its channels and positions "
        "(torch.nn.GroupNorm).",
    fields=(Field("groups", positive_int, doc="number of channel groups; the channels must divide into them"),
            *NORM_FIELDS),
    shape=groupnorm_shape,
    weights=affine_channels,
    biases=affine_channels,
    flops=counted(fvcore=per_element(5, 4), torchinfo=torchinfo_norm, ptflops=per_element(2, 1)),
    torch=Torch(build=groupnorm_module),
)

INSTANCE_NORMS = {2: "InstanceNorm1d", 3: "InstanceNorm2d", 4: "InstanceNorm3d"}


def instancenorm_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    spatial_map(xs[0], "instancenorm")
    return xs[0]


def instancenorm_module(s: Site) -> Any:
    a = s.args
    return getattr(torch_nn(), INSTANCE_NORMS[len(s.x)])(s.x[0], a["eps"], affine=a["affine"])


INSTANCENORM = LayerKind(
    name="instancenorm",
    doc="Instance normalisation: each channel over its own positions, no running statistics "
        "(torch.nn.InstanceNorm1d, 2d or 3d); feature maps only.",
    fields=(NORM_FIELDS[0], Field("affine", boolean, False, "learn a scale and a shift per channel")),
    shape=instancenorm_shape,
    weights=affine_channels,
    biases=affine_channels,
    flops=counted(fvcore=per_element(5, 4), torchinfo=torchinfo_norm, thop=per_element(4, 2),
                  ptflops=per_element(2, 1)),
    torch=Torch(build=instancenorm_module),
)
