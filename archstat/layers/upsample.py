"""Upsampling by interpolation over 1, 2 or 3 spatial dims (torch.nn.Upsample): its output size and what each
FLOP counter makes of its interpolation mode."""
from __future__ import annotations

import math
from typing import Any

from archstat.errors import describe
from archstat.fields import Field, boolean, positive_number
from archstat.layers.base import (
    SPATIAL_DIMS,
    Args,
    Fit,
    LayerKind,
    Torch,
    counted,
    format_shape,
    spatial_map,
    torch_nn,
)
from archstat.layers.window import LISTED, per_dim, positive_sizes
from archstat.ops import Shape, Site

# mode: the spatial dims it works on (None: any), and the input values each output element is interpolated from
MODES: dict[str, tuple[int | None, int]] = {
    "nearest": (None, 1), "linear": (1, 2), "bilinear": (2, 4), "bicubic": (2, 16), "trilinear": (3, 8),
}
# thop 0.1.1's calculate_upsample, per output element; it counts 'trilinear' as 0 ("not implemented yet")
THOP_PER_OUTPUT = {"nearest": 1, "linear": 5, "bilinear": 11, "bicubic": 224 + 35, "trilinear": 0}
# fvcore 0.1.5's handles, per output element: aten::upsample_nearest2d and aten::upsample_bilinear2d only
FVCORE_PER_OUTPUT = {("nearest", 2): 1, ("bilinear", 2): 4}


def interpolation_mode(value: Any) -> str:
    if not isinstance(value, str) or value not in MODES:
        raise ValueError(f"must be one of {', '.join(MODES)}, got {describe(value)}")
    return value


def scale_factors(value: Any) -> float | tuple[float, ...] | None:
    """None, one positive factor for every spatial dim, or a list of one per dim."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if not 1 <= len(value) <= len(SPATIAL_DIMS):
            raise ValueError(f"must be a number > 0 or {LISTED}, got {len(value)} values: {describe(value)}")
        return tuple(positive_number(v) for v in value)
    return positive_number(value)


def optional_sizes(value: Any) -> int | tuple[int, ...] | None:
    return None if value is None else positive_sizes(value)


def scale_of(a: Args) -> float | tuple[float, ...]:
    """The scale factor the layer upsamples by when no size is given: the one written, else 2."""
    return 2.0 if a["scale_factor"] is None else a["scale_factor"]


def check_mode(mode: str, align_corners: bool, x: Shape) -> None:
    """Refuse what torch refuses: a mode for other dims, align_corners without interpolation."""
    dims, n = MODES[mode][0], len(x) - 1
    if dims is not None and dims != n:
        fitting = next(m for m, (d, _) in MODES.items() if d == n)
        raise ValueError(f"mode '{mode}' interpolates {dims}-D maps, and the input {format_shape(x)} is {n}-D; "
                         f"use nearest or {fitting}")
    if align_corners and mode == "nearest":
        raise ValueError("align_corners needs an interpolating mode (linear, bilinear, bicubic, trilinear), "
                         "as in torch; mode 'nearest' has no corners to align")


def scaled(sizes: tuple[int, ...], scale: float | tuple[float, ...]) -> tuple[int, ...]:
    """torch's output sizes for a scale factor: floor(W x s) per dim, in double precision."""
    n = len(sizes)
    factors = scale if isinstance(scale, tuple) else (scale,) * n
    if len(factors) != n:
        raise ValueError(f"scale_factor {list(factors)} gives {len(factors)} factors for an input with {n} spatial "
                         f"dim{'s' if n > 1 else ''}; give one number or {n}")
    out = tuple(math.floor(W * s) for W, s in zip(sizes, factors))
    if min(out) < 1:
        raise ValueError(f"scale_factor {describe(scale)} makes an empty output from {format_shape(sizes)}: "
                         f"{format_shape(out)}")
    return out


def upsample_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C, sizes = spatial_map(xs[0], "upsample")
    check_mode(a["mode"], a["align_corners"], xs[0])
    if a["size"] is not None and a["scale_factor"] is not None:
        raise ValueError("give one of 'size' and 'scale_factor', not both (as torch)")
    if a["size"] is not None:
        return (C, *per_dim(a["size"], len(sizes), "size"))
    return (C, *scaled(sizes, scale_of(a)))


def interpolation_taps(site: Site) -> int:
    """the inputs each output interpolates: 1 (nearest), 2 (linear), 4 (bilinear), 8 (trilinear), 16 (bicubic).

    One multiply-add per input value weighed into an output element; nearest counts its one read, as pooling
    counts its window.
    """
    return math.prod(site.output) * MODES[site.args["mode"]][1]


def fvcore_upsample_ops(site: Site) -> int:
    """1 per output element for 2-D nearest, 4 for bilinear; every other mode and dim 0.

    fvcore counts aten::upsample_nearest2d and aten::upsample_bilinear2d only.
    """
    return math.prod(site.output) * FVCORE_PER_OUTPUT.get((site.args["mode"], len(site.x) - 1), 0)


def thop_upsample_ops(site: Site) -> int:
    """per output element 1 (nearest), 5 (linear), 11 (bilinear), 259 (bicubic); trilinear 0.

    thop's calculate_upsample; it has no count for 'trilinear' and takes it as a zero op.
    """
    return math.prod(site.output) * THOP_PER_OUTPUT[site.args["mode"]]


def ptflops_upsample_ops(site: Site) -> int:
    """2 per output element for a size or a whole scale: its module hook and its F.interpolate patch.

    The hook counts the output elements; the F.interpolate patch counts them again for a size, the input
    elements x s^dims for one scale factor s, and the input elements x the product of the factors' whole parts for
    a list of them; with fractional factors archstat truncates per layer where ptflops truncates its total once.
    """
    a, n = site.args, len(site.x) - 1
    out = math.prod(site.output)
    if a["size"] is not None:
        return 2 * out
    scale = scale_of(a)
    if isinstance(scale, tuple):
        return out + math.prod(site.x) * math.prod(int(s) for s in scale)
    return out + int(math.prod(site.x) * scale ** n)


def upsample_module(s: Site) -> Any:
    """nn.Upsample, with align_corners only for the interpolating modes (torch refuses it for nearest)."""
    a = s.args
    return torch_nn().Upsample(a["size"], None if a["size"] is not None else scale_of(a), a["mode"],
                               None if a["mode"] == "nearest" else a["align_corners"])


UPSAMPLE = LayerKind(
    name="upsample",
    doc="Upsampling by interpolation over 1, 2 or 3 spatial dims (torch.nn.Upsample). No parameters.",
    fields=(
        Field("scale_factor", scale_factors, None, "multiplier of every spatial size, or one per dim (2 when no "
              "size is given)"),
        Field("size", optional_sizes, None, "output size, or one per spatial dim (instead of scale_factor)"),
        Field("mode", interpolation_mode, "nearest", "nearest, linear (1-D), bilinear or bicubic (2-D), trilinear"),
        Field("align_corners", boolean, False, "interpolating modes: align the corner pixels of input and output"),
    ),
    shape=upsample_shape,
    flops=counted(lecture=interpolation_taps, fvcore=fvcore_upsample_ops, thop=thop_upsample_ops,
                  ptflops=ptflops_upsample_ops),
    torch=Torch(build=upsample_module),
)
