"""Sliding windows shared by convolution and pooling: output size, padding, and the kernel/stride/pad columns."""
from __future__ import annotations

from typing import Any

from archstat.layers.base import Args, Fit, feature_map
from archstat.ops import Shape, Site


def window_output(size: int, kernel: int, stride: int, pad: tuple[int, int], dim: str, fit: Fit,
                  ceil_mode: bool = False) -> int:
    """Output length of a sliding window: floor((W - K + 2P) / S) + 1, with ceil_mode and fit honoured."""
    W, K, S = size, kernel, stride
    P = pad[0] + pad[1]
    span = W + P - K
    if span < 0:
        raise ValueError(f"kernel {K} is larger than the padded input {dim}: {W} + {P} padding = {W + P} < {K}; "
                         "use a smaller kernel or more padding")
    if ceil_mode:
        out = -(-span // S) + 1
        return out - 1 if (out - 1) * S >= W + pad[0] else out  # torch: the last window must start inside
    if span % S and fit.mode == "exact":
        raise ValueError(f"does not fit along {dim}: ({W} - {K} + {P}) / {S} + 1 = {span / S + 1:.2f}, not whole; "
                         f"torch drops the remainder (giving {span // S + 1}): add 'fit: floor' to the spec "
                         "or run with --fit floor")
    return span // S + 1


def resolve_padding(pad: Any, kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """Per-dimension (before, after) padding; 'same' splits like torch, the extra on the after side."""
    if pad == "valid":
        return ((0, 0), (0, 0))
    if pad == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in pad)


def sliding(args: Args, x: Shape, channels: int, fit: Fit, what: str) -> Shape:
    """The C x H' x W' a window of `args` makes from x, with `channels` output channels."""
    C, H, W = feature_map(x, what)
    kernel, dilation = args["kernel"], args.get("dilation", (1, 1))
    stride = args["stride"] or kernel
    if args["padding"] == "same" and stride != (1, 1):
        raise ValueError("padding 'same' needs stride 1 (as in torch); give the padding as a number instead")
    pads = resolve_padding(args["padding"], kernel, dilation)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    ceil = args.get("ceil_mode", False)
    out_h = window_output(H, eff[0], stride[0], pads[0], "height", fit, ceil)
    out_w = window_output(W, eff[1], stride[1], pads[1], "width", fit, ceil)
    return (channels, out_h, out_w)


def square(pair: tuple[int, int]) -> int | list[int]:
    """One number for a square window, [height, width] otherwise."""
    return pair[0] if pair[0] == pair[1] else list(pair)


def window_columns(site: Site) -> dict[str, Any]:
    """The kernel, stride and pad cells of the lecture tables."""
    a = site.args
    pad = a["padding"] if isinstance(a["padding"], str) else square(a["padding"])
    return {"kernel": square(a["kernel"]), "stride": square(a["stride"] or a["kernel"]), "pad": pad}
