"""Flat layers: flatten, and the fully connected layer that reads its output."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean, positive_int
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    ShapeProblem,
    Torch,
    counted,
    format_shape,
    plus_bias,
    returns_input,
    torch_nn,
    twice,
)
from archstat.ops import Shape, Site


def flatten_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    return (math.prod(xs[0]),)


def flatten_module(site: Site) -> Any:
    return torch_nn().Flatten()


FLATTEN = LayerKind(
    name="flatten",
    doc="Flatten C x H x W to C*H*W features. Counted as memory, as the lecture tables do (torch makes a view).",
    shape=flatten_shape,
    torch=Torch(build=flatten_module, shares_input=returns_input),
)


def linear_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    if len(xs[0]) != 1:
        raise ShapeProblem(f"linear needs a flat input, got {format_shape(xs[0])}; add a flatten layer before it",
                           (a["features"],))
    return (a["features"],)


def linear_macs(site: Site) -> int:
    """C_in x C_out multiply-adds.

    One multiply-add per weight; the bias is not counted.
    """
    return site.x[0] * site.output[0]


def linear_weights(site: Site) -> int:
    """C_in x C_out."""
    return site.x[0] * site.output[0]


def feature_biases(site: Site) -> int:
    """One per output feature, when the layer has a bias."""
    return site.output[0] if site.args["bias"] else 0


def linear_columns(site: Site) -> dict[str, Any]:
    return {"filters": site.args["features"]}


def linear_module(site: Site) -> Any:
    return torch_nn().Linear(site.x[0], site.args["features"], site.args["bias"])


LINEAR = LayerKind(
    name="linear",
    doc="Fully connected layer (torch.nn.Linear) on a flat input.",
    fields=(
        Field("features", positive_int, doc="output features"),
        Field("bias", boolean, True, "learn a bias per output"),
    ),
    shape=linear_shape,
    weights=linear_weights,
    biases=feature_biases,
    flops=counted(lecture=linear_macs, fvcore=linear_macs, torch=twice(linear_macs),
                  torchinfo=plus_bias(linear_macs), thop=linear_macs, ptflops=plus_bias(linear_macs), macs=linear_macs),
    columns=linear_columns,
    torch=Torch(build=linear_module),
    aliases=("fc",),
)
