"""Joins: how the parallel paths of a structure meet (channel concat, residual add, gate multiply)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archstat.layers.base import Args, Fit, LayerKind, ShapeProblem, Torch, format_shape, torch_module, zero
from archstat.ops import Shape


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
