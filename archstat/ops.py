"""The flat op list: every leaf layer and every join of an analysed spec, once each, in execution order.

The engine records it while it propagates shapes; the builder, the checks, the paper layout and the profiler
walk it by index and never match rows to spec nodes by name.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

Shape = tuple[int, ...]

INPUT = -1  # the op index that stands for the model's own input


@dataclass(frozen=True)
class Site:
    """One use of a layer kind: its checked arguments, input shapes and output shape."""

    args: Mapping[str, Any]
    inputs: tuple[Shape, ...]
    output: Shape

    @property
    def x(self) -> Shape:
        return self.inputs[0]


@dataclass(frozen=True)
class Op:
    """One leaf layer or join: its dotted name, registry kind, shapes, and the ops whose outputs it reads."""

    index: int
    name: str
    kind: str
    site: Site
    inputs: tuple[int, ...]  # indices of earlier ops; INPUT is the model's input
    line: int
    side: bool = False  # inside a side branch: nothing on the main path reads it

    @property
    def output(self) -> Shape:
        return self.site.output


def last_uses(ops: tuple[Op, ...], outputs: tuple[int, ...]) -> list[list[int]]:
    """For each op, the earlier op outputs nothing reads after it: what an executor may free once it has run."""
    last: dict[int, int] = {}
    for op in ops:
        for source in op.inputs:
            last[source] = op.index
    kept = set(outputs)
    frees: list[list[int]] = [[] for _ in ops]
    for source, user in last.items():
        if source != INPUT and source not in kept:
            frees[user].append(source)
    return frees


@dataclass(frozen=True)
class RunPlan:
    """How an executor runs an op list: which ops run, in order, and which outputs it frees after each."""

    order: tuple[int, ...]
    frees: tuple[tuple[int, ...], ...]


def run_plan(ops: tuple[Op, ...], outputs: tuple[int, ...], side_runs: bool = True) -> RunPlan:
    """Every op runs unless it sits in a side branch that is built for its weights only (side_runs False); an op
    that never runs reads nothing, so it keeps no tensor alive."""
    order = tuple(op.index for op in ops if side_runs or not op.side)
    ran = set(order)
    frees = last_uses(tuple(op if op.index in ran else replace(op, inputs=()) for op in ops), outputs)
    return RunPlan(order, tuple(map(tuple, frees)))
