"""Pooling over 1, 2 or 3 spatial dims: max, average and adaptive average pooling, with the window each
convention counts, and their torch modules (MaxPool1d/2d/3d, ...), picked by the input's dims."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    ShapeRule,
    Torch,
    counted,
    input_elements,
    output_elements,
    spatial_map,
    torch_nn,
    twice,
)
from archstat.layers.window import (
    nonnegative_sizes,
    optional_positive_sizes,
    per_dim,
    positive_sizes,
    sliding,
    square,
    taps,
    window_columns,
    window_of,
)
from archstat.ops import Shape, Site


def pool_window_ops(site: Site) -> int:
    """C x H' x W' x K x K: the window, once per output.

    C x L' x K in 1-D, C x D' x H' x W' x K x K x K in 3-D.
    """
    return math.prod(site.output) * taps(site)


def pool_shape(what: str) -> ShapeRule:
    """The shape rule of a pooling kind: torch's window, with its limit on padding."""
    def shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
        C = spatial_map(xs[0], what)[0]
        w = window_of(a, xs[0])
        for k, (p, _) in zip(w.kernel, w.pads):
            if p > k // 2:
                raise ValueError(f"padding {p} is more than half the kernel {k}; torch allows at most {k // 2}")
        return sliding(a, xs[0], C, fit, what)

    return shape


POOL_FIELDS = (
    Field("kernel", positive_sizes, doc="window size K, or one per spatial dim ([Kh, Kw])"),
    Field("stride", optional_positive_sizes, None, "stride S (default: the kernel size)"),
    Field("padding", nonnegative_sizes, 0, "implicit padding P per side (at most K / 2)"),
    Field("ceil_mode", boolean, False, "round the output size up, keeping a last partial window"),
)


def maxpool_module(s: Site) -> Any:
    """nn.MaxPool1d/2d/3d."""
    nn, w = torch_nn(), window_of(s.args, s.x)
    return (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)[len(s.x) - 2](
        w.kernel, w.stride, tuple(p for p, _ in w.pads), w.dilation, ceil_mode=s.args["ceil_mode"])


def avgpool_module(s: Site) -> Any:
    """nn.AvgPool1d/2d/3d."""
    nn, w = torch_nn(), window_of(s.args, s.x)
    return (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)[len(s.x) - 2](
        w.kernel, w.stride, tuple(p for p, _ in w.pads), s.args["ceil_mode"], s.args["count_include_pad"])


MAXPOOL = LayerKind(
    name="maxpool",
    doc="Max pooling over 1, 2 or 3 spatial dims (torch.nn.MaxPool1d, 2d, 3d). No parameters.",
    fields=POOL_FIELDS + (Field("dilation", positive_sizes, 1, "spacing between window taps"),),
    shape=pool_shape("maxpool"),
    flops=counted(lecture=pool_window_ops, ptflops=twice(input_elements)),
    columns=window_columns,
    torch=Torch(build=maxpool_module),
)

AVGPOOL = LayerKind(
    name="avgpool",
    doc="Average pooling over 1, 2 or 3 spatial dims (torch.nn.AvgPool1d, 2d, 3d). No parameters.",
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
    C, sizes = spatial_map(xs[0], "adaptive_avgpool")
    return (C, *per_dim(a["output"], len(sizes), "output"))


def adaptive_window_ops(site: Site) -> int:
    """the sum of the window sizes over all outputs (C x H x W for global pooling)."""
    bins = (adaptive_bins(n, o) for n, o in zip(site.x[1:], site.output[1:]))
    return site.x[0] * math.prod(bins)


def fvcore_adaptive_ops(site: Site) -> int:
    """one per input element on 2-D maps; 0 in 1-D and 3-D.

    fvcore counts aten::adaptive_avg_pool2d only; AdaptiveAvgPool1d and 3d trace to ops it does not support.
    """
    return math.prod(site.x) if len(site.x) == 3 else 0


def thop_adaptive_ops(site: Site) -> int:
    """(H/H' x W/W' + 1) per output, truncated: the window's additions and one division.

    In double precision, as thop computes it (kernel = input / output sizes as doubles, their product + 1, times
    the output elements, then int()): 13x13 -> 3x3 on 2 channels gives 355.99999999999994, so 355, not 356.
    One ratio per spatial dim: (L/L' + 1) in 1-D, (D/D' x H/H' x W/W' + 1) in 3-D.
    """
    ratios = math.prod(n / o for n, o in zip(site.x[1:], site.output[1:]))
    return int((ratios + 1) * math.prod(site.output))


def adaptive_columns(site: Site) -> dict[str, Any]:
    """Kernel and stride when the bins are even (global pooling: the whole map), else nothing to show."""
    sizes, outs = site.x[1:], site.output[1:]
    if any(n % o for n, o in zip(sizes, outs)):
        return {}
    window = square(tuple(n // o for n, o in zip(sizes, outs)))
    return {"kernel": window, "stride": window, "pad": 0}


def adaptive_module(s: Site) -> Any:
    """nn.AdaptiveAvgPool1d/2d/3d."""
    nn, n = torch_nn(), len(s.x) - 1
    return (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)[n - 1](s.output[1:])


ADAPTIVE_AVGPOOL = LayerKind(
    name="adaptive_avgpool",
    doc="Adaptive average pooling over 1, 2 or 3 spatial dims to a fixed output size (torch.nn.AdaptiveAvgPool1d, "
        "2d, 3d); output 1 is global average pooling.",
    fields=(Field("output", positive_sizes, 1, "output size, or one per spatial dim; 1 for global pooling"),),
    shape=adaptive_shape,
    flops=counted(lecture=adaptive_window_ops, fvcore=fvcore_adaptive_ops, thop=thop_adaptive_ops,
                  ptflops=twice(input_elements)),
    columns=adaptive_columns,
    torch=Torch(build=adaptive_module),
    aliases=("global_avgpool",),
)
