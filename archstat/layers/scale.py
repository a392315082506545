"""Learned tensors applied outside a layer: ConvNeXt's layer scale, a per-channel gamma multiplied in."""
from __future__ import annotations

from typing import Any

from archstat.fields import Field, number
from archstat.layers.base import LayerKind, Torch, same_shape
from archstat.ops import Site


def scale_weights(site: Site) -> int:
    """One gamma per channel (per feature on a flat input)."""
    return site.x[0]


def layer_scale_module(s: Site) -> Any:
    from archstat.measure.modules import LayerScale

    return LayerScale(s.x[0], len(s.x), s.args["init"])


LAYER_SCALE = LayerKind(
    name="layer_scale",
    doc="x times a learned gamma per channel, broadcast over the positions (ConvNeXt's layer scale, "
        "torchvision's CNBlock.layer_scale). Allocates its output; no counter sees the multiply.",
    fields=(Field("init", number, 1e-6, "the value every gamma starts from (ConvNeXt: 1e-6)"),),
    shape=same_shape,
    weights=scale_weights,
    torch=Torch(build=layer_scale_module),
)
