"""Convolution and transposed convolution over 1, 2 or 3 spatial dims: shape, weights, multiply-adds under every
convention, and their torch modules (Conv1d/2d/3d, ConvTranspose1d/2d/3d, picked by the input's dims)."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean, positive_int
from archstat.layers.base import (
    SPATIAL_DIMS,
    Args,
    Fit,
    LayerKind,
    Torch,
    counted,
    plus_bias,
    spatial_map,
    torch_nn,
    twice,
)
from archstat.layers.window import (
    Window,
    nonnegative_sizes,
    padding_sizes,
    per_dim,
    positive_sizes,
    sliding,
    taps,
    window_columns,
    window_of,
)
from archstat.ops import Shape, Site


def grouped_channels(a: Args, x: Shape, what: str) -> int:
    """The input channels, once the groups are known to divide them and the filters."""
    C = spatial_map(x, what)[0]
    g, F = a["groups"], a["filters"]
    if C % g or F % g:
        raise ValueError(f"groups {g} must divide both the input channels {C} and the filters {F}")
    return C


def conv_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    grouped_channels(a, xs[0], "conv")
    return sliding(a, xs[0], a["filters"], fit, "conv")


def conv_macs(site: Site) -> int:
    """C_out x H' x W' x (C_in / groups) x K x K multiply-adds.

    One multiply-add per weight per output position; the bias is not counted. On other dims the same:
    C_out x L' x (C_in / groups) x K in 1-D, C_out x D' x H' x W' x (C_in / groups) x K x K x K in 3-D.
    """
    return math.prod(site.output) * (site.x[0] // site.args["groups"]) * taps(site)


def conv_weights(site: Site) -> int:
    """C_out x (C_in / groups) x Kh x Kw (one K per spatial dim)."""
    a = site.args
    return a["filters"] * (site.x[0] // a["groups"]) * taps(site)


def filter_biases(site: Site) -> int:
    """One per filter, when the layer has a bias."""
    return site.args["filters"] if site.args["bias"] else 0


def conv_columns(site: Site) -> dict[str, Any]:
    return {"filters": site.args["filters"], **window_columns(site)}


def zero_pad(n: int, w: Window) -> Any:
    """ZeroPad1d/2d/3d for uneven padding; torch lists it from the last dim: (left, right, top, bottom, ...)."""
    nn = torch_nn()
    return (nn.ZeroPad1d, nn.ZeroPad2d, nn.ZeroPad3d)[n - 1](tuple(p for pad in reversed(w.pads) for p in pad))


def conv_module(s: Site) -> Any:
    """nn.Conv1d/2d/3d with numeric padding ('same' and 'valid' resolved, so every FLOP counter sees a
    convolution); uneven 'same' padding becomes a ZeroPad in front, as torch pads it."""
    a, nn, n = s.args, torch_nn(), len(s.x) - 1
    w = window_of(a, s.x)
    conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[n - 1](
        s.x[0], a["filters"], w.kernel, w.stride, tuple(p for p, _ in w.pads) if w.even else 0, w.dilation,
        a["groups"], a["bias"])
    return conv if w.even else nn.Sequential(zero_pad(n, w), conv)


# The fields both convolutions have alike.
FILTERS = Field("filters", positive_int, doc="output channels (number of filters)")
KERNEL = Field("kernel", positive_sizes, doc="kernel size K, or one per spatial dim ([Kh, Kw])")
DILATION = Field("dilation", positive_sizes, 1, "spacing between kernel taps")
BIAS = Field("bias", boolean, True, "learn a bias per filter")

CONV = LayerKind(
    name="conv",
    doc="Convolution over 1, 2 or 3 spatial dims, as the input has (torch.nn.Conv1d, Conv2d, Conv3d).",
    fields=(
        FILTERS, KERNEL,
        Field("stride", positive_sizes, 1, "stride S"),
        Field("padding", padding_sizes, 0, "zero padding P per side, one per dim ([Ph, Pw]), 'same' or 'valid'"),
        DILATION,
        Field("groups", positive_int, 1, "grouped convolution (AlexNet's two GPUs: 2)"),
        BIAS,
    ),
    shape=conv_shape,
    weights=conv_weights,
    biases=filter_biases,
    flops=counted(lecture=conv_macs, fvcore=conv_macs, torch=twice(conv_macs), torchinfo=plus_bias(conv_macs),
                  thop=conv_macs, ptflops=plus_bias(conv_macs), macs=conv_macs),
    columns=conv_columns,
    torch=Torch(build=conv_module),
)


# ---- transposed convolution ----------------------------------------------------------------------------------

def transposed_output(W: int, K: int, S: int, P: int, D: int, A: int, dim: str) -> int:
    """torch's ConvTranspose output length: (W - 1) S - 2P + D (K - 1) + output_padding + 1."""
    if A >= S and A >= D:
        raise ValueError(f"output_padding {A} along {dim} must be smaller than the stride {S} or the dilation {D}, "
                         "as torch requires")
    out = (W - 1) * S - 2 * P + D * (K - 1) + A + 1
    if out < 1:
        raise ValueError(f"the output {dim} would be {out}: ({W} - 1) x {S} - 2 x {P} + {D} x ({K} - 1) + {A} + 1; "
                         "use less padding")
    return out


def conv_transpose_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    grouped_channels(a, xs[0], "conv_transpose")
    sizes = xs[0][1:]
    w = window_of(a, xs[0])
    extra = per_dim(a["output_padding"], len(sizes), "output_padding")
    return (a["filters"], *(transposed_output(W, K, S, P, D, A, dim) for W, K, S, (P, _), D, A, dim in zip(
        sizes, w.kernel, w.stride, w.pads, w.dilation, extra, SPATIAL_DIMS[len(sizes)])))


def transposed_macs(site: Site) -> int:
    """C_in x H x W x (C_out / groups) x K x K multiply-adds, over the input positions.

    Each input element meets the K x K taps of its group's C_out / groups filters (the taps that land in the
    cropped padding included, as torch computes them); the bias is not counted. fvcore, FlopCounterMode and
    ptflops count this; 1-D and 3-D the same with one K per dim.
    """
    return math.prod(site.x) * (site.args["filters"] // site.args["groups"]) * taps(site)


def transposed_output_macs(site: Site) -> int:
    """C_out x H' x W' x (C_in / groups) x K x K: the weights once per output position.

    What thop and torchinfo count for a transposed convolution, as if it were a convolution producing its
    output; more than it computes by about S x S when the stride is S.
    """
    return math.prod(site.output) * (site.x[0] // site.args["groups"]) * taps(site)


def conv_transpose_module(s: Site) -> Any:
    """nn.ConvTranspose1d/2d/3d."""
    a, nn, n = s.args, torch_nn(), len(s.x) - 1
    w = window_of(a, s.x)
    return (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)[n - 1](
        s.x[0], a["filters"], w.kernel, w.stride, tuple(p for p, _ in w.pads),
        per_dim(a["output_padding"], n, "output_padding"), a["groups"], a["bias"], w.dilation)


CONV_TRANSPOSE = LayerKind(
    name="conv_transpose",
    doc="Transposed convolution over 1, 2 or 3 spatial dims (torch.nn.ConvTranspose1d, 2d, 3d): "
        "output (W - 1) S - 2P + D (K - 1) + output_padding + 1.",
    fields=(
        FILTERS, KERNEL,
        Field("stride", positive_sizes, 1, "stride S: the upsampling factor"),
        Field("padding", nonnegative_sizes, 0, "P, cropped from each side of the output"),
        Field("output_padding", nonnegative_sizes, 0, "extra size on one side of the output (below S or D)"),
        DILATION,
        Field("groups", positive_int, 1, "grouped transposed convolution"),
        BIAS,
    ),
    shape=conv_transpose_shape,
    weights=conv_weights,
    biases=filter_biases,
    flops=counted(lecture=transposed_macs, fvcore=transposed_macs, torch=twice(transposed_macs),
                  torchinfo=plus_bias(transposed_output_macs), thop=transposed_output_macs,
                  ptflops=plus_bias(transposed_macs), macs=transposed_macs),
    columns=conv_columns,
    torch=Torch(build=conv_transpose_module),
)
