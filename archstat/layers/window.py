"""Sliding windows shared by convolution and pooling over 1, 2 or 3 spatial dims: the size fields, output size,
padding, and the kernel/stride/pad columns.

A size field holds one number (the same for every spatial dim) or a list of one per dim; the input decides how
many dims there are, so the same `conv` is Conv1d on C x L, Conv2d on C x H x W and Conv3d on C x D x H x W.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archstat.errors import describe
from archstat.fields import MAX_SIZE, nonnegative_int, positive_int
from archstat.layers.base import SPATIAL_DIMS, Args, Fit, spatial_map
from archstat.ops import Shape, Site

Sizes = int | tuple[int, ...]  # a checked size field: one number for every dim, or one per dim
LISTED = "a list of one per spatial dim ([L], [H, W] or [D, H, W])"


def sizes_of(check: Callable[[Any], int], what: str) -> Callable[[Any], Sizes]:
    """A field check for one number (every spatial dim) or a list of 1 to 3 of them (one per dim)."""
    def sizes(value: Any) -> Sizes:
        if isinstance(value, (list, tuple)):
            if not 1 <= len(value) <= len(SPATIAL_DIMS):
                raise ValueError(f"must be {what} or {LISTED}, got {len(value)} values: {describe(value)}")
            return tuple(check(v) for v in value)
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_SIZE:
            return check(value)  # check() refuses it, saying the limit
        try:
            return check(value)
        except ValueError:
            raise ValueError(f"must be {what} or {LISTED}, got {describe(value)}") from None

    return sizes


positive_sizes = sizes_of(positive_int, "a whole number >= 1")
nonnegative_sizes = sizes_of(nonnegative_int, "a whole number >= 0")


def optional_positive_sizes(value: Any) -> Sizes | None:
    return None if value is None else positive_sizes(value)


def padding_sizes(value: Any) -> Sizes | str:
    if isinstance(value, str) and value in ("same", "valid"):
        return value
    try:
        return nonnegative_sizes(value)
    except ValueError:
        raise ValueError(f"must be a whole number >= 0, {LISTED}, 'same' or 'valid', got {describe(value)}") from None


def per_dim(value: Sizes, n: int, name: str) -> tuple[int, ...]:
    """A size field for n spatial dims: one number repeated, or its list, which must have n values."""
    if not isinstance(value, tuple):
        return (value,) * n
    if len(value) != n:
        raise ValueError(f"{name} {list(value)} gives {len(value)} sizes for an input with {n} spatial "
                         f"dim{'s' if n > 1 else ''} ({' x '.join(SPATIAL_DIMS[n])}); give one number or {n}")
    return value


@dataclass(frozen=True)
class Window:
    """A window's sizes on one input, one per spatial dim: kernel, stride, dilation, (before, after) padding."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]

    @property
    def even(self) -> bool:
        """The same padding on both sides of every dim: what torch's conv modules can pad by themselves."""
        return all(before == after for before, after in self.pads)


def window_of(a: Args, x: Shape) -> Window:
    """The window of a conv or pooling layer's arguments on the input x, per spatial dim."""
    n = len(x) - 1
    kernel = per_dim(a["kernel"], n, "kernel")
    stride = per_dim(a["stride"] or a["kernel"], n, "stride")
    dilation = per_dim(a.get("dilation", 1), n, "dilation")
    return Window(kernel, stride, dilation, resolve_padding(a["padding"], kernel, dilation))


def taps(site: Site) -> int:
    """The kernel's taps: K x K in 2-D, K in 1-D, K x K x K in 3-D."""
    return math.prod(per_dim(site.args["kernel"], len(site.x) - 1, "kernel"))


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


def resolve_padding(pad: Sizes | str, kernel: tuple[int, ...], dilation: tuple[int, ...]
                    ) -> tuple[tuple[int, int], ...]:
    """Per-dimension (before, after) padding; 'same' splits like torch, the extra on the after side."""
    if pad == "valid":
        return ((0, 0),) * len(kernel)
    if pad == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(pad, str):
        raise ValueError(f"padding must be a whole number, a list, 'same' or 'valid', got {pad!r}")
    return tuple((p, p) for p in per_dim(pad, len(kernel), "padding"))


def sliding(args: Args, x: Shape, channels: int, fit: Fit, what: str) -> Shape:
    """The C' x (output sizes) a window of `args` makes from the 1-, 2- or 3-D map x, with `channels` channels."""
    _, sizes = spatial_map(x, what)
    w = window_of(args, x)
    if args["padding"] == "same" and any(s != 1 for s in w.stride):
        raise ValueError("padding 'same' needs stride 1 (as in torch); give the padding as a number instead")
    ceil = args.get("ceil_mode", False)
    spans = [d * (k - 1) + 1 for k, d in zip(w.kernel, w.dilation)]
    return (channels, *(window_output(size, span, s, pad, dim, fit, ceil)
                        for size, span, s, pad, dim in zip(sizes, spans, w.stride, w.pads, SPATIAL_DIMS[len(sizes)])))


def square(sizes: Sizes) -> int | list[int]:
    """One number for a window that is the same along every dim, the list otherwise ([height, width])."""
    if not isinstance(sizes, tuple):
        return sizes
    return sizes[0] if len(set(sizes)) == 1 else list(sizes)


def window_columns(site: Site) -> dict[str, Any]:
    """The kernel, stride and pad cells of the lecture tables."""
    a = site.args
    pad = a["padding"] if isinstance(a["padding"], str) else square(a["padding"])
    return {"kernel": square(a["kernel"]), "stride": square(a["stride"] or a["kernel"]), "pad": pad}
