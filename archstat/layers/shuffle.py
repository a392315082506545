"""Layers that move data and compute nothing: ShuffleNet's channel shuffle, and the identity."""
from __future__ import annotations

from typing import Any

from archstat.fields import Field, positive_int
from archstat.layers.base import (
    Args,
    Fit,
    LayerKind,
    ShapeProblem,
    Torch,
    returns_input,
    same_shape,
    spatial_map,
    torch_nn,
    zero,
)
from archstat.ops import Shape, Site


def channel_shuffle_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    x, G = xs[0], a["groups"]
    spatial_map(x, "channel_shuffle")
    if x[0] % G:
        raise ShapeProblem(f"{x[0]} channels do not split into {G} groups; the channels must be a multiple of "
                           "groups", x)
    return x


def channel_shuffle_module(s: Site) -> Any:
    return torch_nn().ChannelShuffle(s.args["groups"])


CHANNEL_SHUFFLE = LayerKind(
    name="channel_shuffle",
    doc="Channel shuffle (ShuffleNet): the channels as groups x C/groups, transposed (torch.nn.ChannelShuffle). "
        "Allocates its output.",
    fields=(Field("groups", positive_int, doc="number of channel groups; the channels must divide into them"),),
    shape=channel_shuffle_shape,
    torch=Torch(build=channel_shuffle_module),
)


def identity_module(s: Site) -> Any:
    return torch_nn().Identity()


IDENTITY = LayerKind(
    name="identity",
    doc="The identity (torch.nn.Identity): returns its input, so it stores nothing new.",
    shape=same_shape,
    memory=zero,
    torch=Torch(build=identity_module, shares_input=returns_input),
    quiet=True,
)
