"""Pooling: max, average and adaptive average pooling, with the window each convention counts."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean, nonnegative_pair, optional_positive_pair, positive_pair
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    ShapeRule,
    Torch,
    counted,
    feature_map,
    input_elements,
    output_elements,
    torch_nn,
    twice,
)
from archstat.layers.window import sliding, square, window_columns
from archstat.ops import Shape, Site


def pool_window_ops(site: Site) -> int:
    """C x H' x W' x K x K: the window, once per output."""
    return math.prod(site.output) * math.prod(site.args["kernel"])


def pool_shape(what: str) -> ShapeRule:
    """The shape rule of a pooling kind: torch's window, with its limit on padding."""
    def shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
        for k, p in zip(a["kernel"], a["padding"]):
            if p > k // 2:
                raise ValueError(f"padding {p} is more than half the kernel {k}; torch allows at most {k // 2}")
        return sliding(a, xs[0], feature_map(xs[0], what)[0], fit, what)

    return shape


POOL_FIELDS = (
    Field("kernel", positive_pair, doc="window size K or [Kh, Kw]"),
    Field("stride", optional_positive_pair, None, "stride S (default: the kernel size)"),
    Field("padding", nonnegative_pair, 0, "implicit padding P per side (at most K / 2)"),
    Field("ceil_mode", boolean, False, "round the output size up, keeping a last partial window"),
)


def maxpool_module(s: Site) -> Any:
    a = s.args
    return torch_nn().MaxPool2d(a["kernel"], a["stride"] or a["kernel"], a["padding"], a["dilation"],
                                ceil_mode=a["ceil_mode"])


def avgpool_module(s: Site) -> Any:
    a = s.args
    return torch_nn().AvgPool2d(a["kernel"], a["stride"] or a["kernel"], a["padding"], a["ceil_mode"],
                                a["count_include_pad"])


MAXPOOL = LayerKind(
    name="maxpool",
    doc="2-D max pooling (torch.nn.MaxPool2d). No parameters.",
    fields=POOL_FIELDS + (Field("dilation", positive_pair, 1, "spacing between window taps"),),
    shape=pool_shape("maxpool"),
    flops=counted(lecture=pool_window_ops, ptflops=twice(input_elements)),
    columns=window_columns,
    torch=Torch(build=maxpool_module),
)

AVGPOOL = LayerKind(
    name="avgpool",
    doc="2-D average pooling (torch.nn.AvgPool2d). No parameters.",
    fields=POOL_FIELDS + (Field("count_include_pad", boolean, True, "average over padding zeros too"),),
    shape=pool_shape("avgpool"),
    flops=counted(lecture=pool_window_ops, thop=output_elements, ptflops=twice(input_elements)),
    columns=window_columns,
    torch=Torch(build=avgpool_module),
)


def adaptive_bins(size: int, out: int) -> int:
    """Total window length over torch's adaptive bins [floor(i*n/o), ceil((i+1)*n/o)), i < o.

    The floors telescope to n, and a bin reaches one further wherever (i+1)*n/o is not whole, which happens for
    o - gcd(n, o) of them: n + o - gcd(n, o) in all.
    """
    return size + out - math.gcd(size, out)


def adaptive_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C, H, W = feature_map(xs[0], "adaptive_avgpool")
    return (C, *a["output"])


def adaptive_window_ops(site: Site) -> int:
    """the sum of the window sizes over all outputs (C x H x W for global pooling)."""
    C, H, W = site.x
    oh, ow = site.output[1:]
    return C * adaptive_bins(H, oh) * adaptive_bins(W, ow)


def thop_adaptive_ops(site: Site) -> int:
    """(H/H' x W/W' + 1) per output, truncated: the window's additions and one division.

    In double precision, as thop computes it (kernel = input / output sizes as doubles, their product + 1, times
    the output elements, then int()): 13x13 -> 3x3 on 2 channels gives 355.99999999999994, so 355, not 356.
    """
    (H, W), (oh, ow) = site.x[1:], site.output[1:]
    return int(((H / oh) * (W / ow) + 1) * math.prod(site.output))


def adaptive_columns(site: Site) -> dict[str, Any]:
    """Kernel and stride when the bins are even (global pooling: the whole map), else nothing to show."""
    (H, W), (oh, ow) = site.x[1:], site.output[1:]
    if H % oh or W % ow:
        return {}
    return {"kernel": square((H // oh, W // ow)), "stride": square((H // oh, W // ow)), "pad": 0}


def adaptive_module(s: Site) -> Any:
    return torch_nn().AdaptiveAvgPool2d(s.args["output"])


ADAPTIVE_AVGPOOL = LayerKind(
    name="adaptive_avgpool",
    doc="Adaptive average pooling to a fixed output size; output 1 is global average pooling.",
    fields=(Field("output", positive_pair, 1, "output size, 1 for global pooling"),),
    shape=adaptive_shape,
    flops=counted(lecture=adaptive_window_ops, fvcore=input_elements, thop=thop_adaptive_ops,
                  ptflops=twice(input_elements)),
    columns=adaptive_columns,
    torch=Torch(build=adaptive_module),
    aliases=("global_avgpool",),
)
