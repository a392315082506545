"""Convolution: shape, weights, multiply-adds under every convention, and its torch module."""
from __future__ import annotations

import math
from typing import Any

from archstat.fields import Field, boolean, padding, positive_int, positive_pair
from archstat.layers.base import Args, Fit, LayerKind, Torch, counted, feature_map, plus_bias, torch_nn, twice
from archstat.layers.window import resolve_padding, sliding, window_columns
from archstat.ops import Shape, Site


def conv_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C = feature_map(xs[0], "conv")[0]
    g, F = a["groups"], a["filters"]
    if C % g or F % g:
        raise ValueError(f"groups {g} must divide both the input channels {C} and the filters {F}")
    return sliding(a, xs[0], F, fit, "conv")


def conv_macs(site: Site) -> int:
    """C_out x H' x W' x (C_in / groups) x K x K multiply-adds.

    One multiply-add per weight per output position; the bias is not counted.
    """
    C_in, (kh, kw), g = site.x[0], site.args["kernel"], site.args["groups"]
    return math.prod(site.output) * (C_in // g) * kh * kw


def conv_weights(site: Site) -> int:
    """C_out x (C_in / groups) x Kh x Kw."""
    a = site.args
    return a["filters"] * (site.x[0] // a["groups"]) * math.prod(a["kernel"])


def filter_biases(site: Site) -> int:
    """One per filter, when the layer has a bias."""
    return site.args["filters"] if site.args["bias"] else 0


def conv_columns(site: Site) -> dict[str, Any]:
    return {"filters": site.args["filters"], **window_columns(site)}


def conv_module(s: Site) -> Any:
    """nn.Conv2d with numeric padding ('same' and 'valid' resolved, so every FLOP counter sees a convolution);
    uneven 'same' padding becomes a ZeroPad2d in front, as torch pads it."""
    a, nn = s.args, torch_nn()
    (top, bottom), (left, right) = resolve_padding(a["padding"], a["kernel"], a["dilation"])
    even = top == bottom and left == right
    conv = nn.Conv2d(s.x[0], a["filters"], a["kernel"], a["stride"], (top, left) if even else 0, a["dilation"],
                     a["groups"], a["bias"])
    return conv if even else nn.Sequential(nn.ZeroPad2d((left, right, top, bottom)), conv)


CONV = LayerKind(
    name="conv",
    doc="2-D convolution (torch.nn.Conv2d).",
    fields=(
        Field("filters", positive_int, doc="output channels (number of filters)"),
        Field("kernel", positive_pair, doc="kernel size K or [Kh, Kw]"),
        Field("stride", positive_pair, 1, "stride S"),
        Field("padding", padding, 0, "zero padding P per side, [Ph, Pw], 'same' or 'valid'"),
        Field("dilation", positive_pair, 1, "spacing between kernel taps"),
        Field("groups", positive_int, 1, "grouped convolution (AlexNet's two GPUs: 2)"),
        Field("bias", boolean, True, "learn a bias per filter"),
    ),
    shape=conv_shape,
    weights=conv_weights,
    biases=filter_biases,
    flops=counted(lecture=conv_macs, fvcore=conv_macs, torch=twice(conv_macs), torchinfo=plus_bias(conv_macs),
                  thop=conv_macs, ptflops=plus_bias(conv_macs), macs=conv_macs),
    columns=conv_columns,
    torch=Torch(build=conv_module),
)
