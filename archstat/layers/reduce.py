"""Reductions a model writes as a tensor call, made a layer: the mean over the spatial dimensions."""
from __future__ import annotations

from typing import Any

from archstat.fields import Field, boolean
from archstat.layers.base import Args, Fit, LayerKind, Torch, counted, input_elements, spatial_map
from archstat.ops import Shape, Site


def mean_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C, spatial = spatial_map(xs[0], "mean")
    return (C, *(1 for _ in spatial)) if a["keepdim"] else (C,)


def mean_module(s: Site) -> Any:
    from archstat.measure.modules import Mean

    return Mean(s.args["keepdim"])


MEAN = LayerKind(
    name="mean",
    doc="The mean over the spatial dimensions, C x H x W to C (or C x 1 x 1 with keepdim), as ShuffleNet-V2's "
        "x.mean([2, 3]). Built as a module, so hooks see it; no counter counts aten::mean.",
    fields=(Field("keepdim", boolean, False, "keep the spatial dimensions as size 1 (C x 1 x 1)"),),
    shape=mean_shape,
    flops=counted(lecture=input_elements),
    torch=Torch(build=mean_module),
)
