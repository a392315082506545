"""Structure glue: how the parallel paths of a structure meet (channel concat, residual add, gate multiply) and
the channel slices a split's branches start from."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archstat.errors import describe
from archstat.fields import Field, nonnegative_int, positive_int
from archstat.layers.base import (
    NO_FLOPS,
    Args,
    Fit,
    LayerKind,
    ShapeProblem,
    Torch,
    format_shape,
    returns_input,
    torch_module,
    zero,
)
from archstat.ops import Shape, Site


def concat_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    joined = (sum(x[0] for x in xs), *xs[0][1:])
    if len({x[1:] for x in xs}) != 1:
        raise ShapeProblem("branches must agree on every dimension but channels before concat, got "
                           + ", ".join(format_shape(x) for x in xs), joined)
    return joined


def add_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    if len(set(xs)) != 1:
        raise ShapeProblem(
            "the residual path and the shortcut must have the same shape to be added, got "
            + " and ".join(format_shape(x) for x in xs)
            + "; give the shortcut a projection (1x1 conv with the same stride) to match", xs[0])
    return xs[0]


def mul_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    x, gate = xs
    if len(gate) != len(x) or any(g not in (1, d) for g, d in zip(gate, x)):
        raise ShapeProblem(
            f"the gate {format_shape(gate)} cannot scale the input {format_shape(x)}; it must match it "
            "or be 1 in each dimension (e.g. C x 1 x 1 for squeeze-and-excitation)", x)
    return x


def concat_tensors(xs: Sequence[Any]) -> Any:
    return torch_module().cat(list(xs), dim=1)


def add_tensors(xs: Sequence[Any]) -> Any:
    return xs[0] + xs[1]


def mul_tensors(xs: Sequence[Any]) -> Any:
    return xs[0] * xs[1]


CONCAT = LayerKind(
    name="concat", doc="Channel concatenation of parallel branches (Inception). Allocates its output.",
    shape=concat_shape, join=True, torch=Torch(combine=concat_tensors),
)
ADD = LayerKind(
    name="add", doc="Element-wise sum of a residual path and its shortcut; in place, as torchvision's `out += x`.",
    shape=add_shape, memory=zero, join=True, torch=Torch(combine=add_tensors),
)
MUL = LayerKind(
    name="mul", doc="Input scaled by a broadcast gate (squeeze-and-excitation). Allocates its output.",
    shape=mul_shape, join=True, torch=Torch(combine=mul_tensors),
)


# ---- the channel slices of a split -----------------------------------------------------------------------------

def slice_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    x, start, stop = xs[0], a["start"], a["stop"]
    if not start < stop <= x[0]:
        raise ValueError(f"channels {start}:{stop} are not a slice of the input's {x[0]} channels; 'start' must be "
                         f"below 'stop', and 'stop' at most {x[0]}")
    return (stop - start, *x[1:])


def slice_module(s: Site) -> Any:
    from archstat.measure.build import ChannelSlice

    return ChannelSlice(s.args["start"], s.args["stop"])


SLICE = LayerKind(
    name="slice",
    doc="Channels start to stop - 1 of the input, x[:, start:stop]: a view of it (ShuffleNet-V2's channel split), "
        "so it stores nothing new and counts no FLOPs under any convention.",
    fields=(Field("start", nonnegative_int, 0, "the first channel taken"),
            Field("stop", positive_int, doc="the channel after the last one taken")),
    shape=slice_shape, memory=zero, flops=NO_FLOPS, quiet=True,
    torch=Torch(build=slice_module, shares_input=returns_input),
)


def split_channels(value: Any) -> tuple[int, ...]:
    """A split's `channels`: how many channels each branch reads, in order."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"must be a list of channel counts, one per branch, got {describe(value)}")
    return tuple(positive_int(c) for c in value)


def split_bounds(channels: tuple[int, ...] | None, C: int, parts: int) -> list[tuple[int, int]]:
    """The (start, stop) channels of each of `parts` branches: the given counts, or equal parts of C."""
    if channels is None:
        if C % parts:
            raise ValueError(f"{C} input channels do not split into {parts} equal parts; give the branches' "
                             f"'channels' (one count each, adding up to {C})")
        channels = (C // parts,) * parts
    if len(channels) != parts:
        raise ValueError(f"'channels' gives {len(channels)} counts for {parts} branches; give one per branch")
    if sum(channels) != C:
        raise ValueError(f"'channels' {list(channels)} add up to {sum(channels)}, but the input has {C} channels")
    stops = [sum(channels[:i + 1]) for i in range(parts)]
    return list(zip([0, *stops[:-1]], stops))
