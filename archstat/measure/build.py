"""Build a real torch.nn.Module from an analysed spec, one module per op of its op list.

Each op's module is made by its registry kind from the op's site, so the model and the analytic table cannot
drift apart. Modules sit in the module tree under their spec names (`model.get_submodule("inception3a.b2")`),
and the model runs the op list in order, freeing each tensor after its last reader. With side='params' the side
branches' modules are built (their weights count) but never run.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from archstat.analysis import Analysis, Options
from archstat.engine import analyze
from archstat.errors import BuildError
from archstat.layers import REGISTRY
from archstat.measure.memory import ensure_fits
from archstat.ops import INPUT, Op
from archstat.spec import Spec


class Join(nn.Module):
    """A structure's join as a module of its own, so hooks, counters and the profiler see it like a layer."""

    def __init__(self, kind: str, combine: Callable[[Sequence[torch.Tensor]], torch.Tensor]):
        super().__init__()
        self.kind = kind
        self.combine = combine

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return self.combine(xs)

    def extra_repr(self) -> str:
        return self.kind


class ChannelSlice(nn.Module):
    """Channels start to stop - 1 of the input, x[:, start:stop] (a view), as a module so hooks see a split's
    slices like any layer."""

    def __init__(self, start: int, stop: int):
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.start:self.stop]

    def extra_repr(self) -> str:
        return f"{self.start}:{self.stop}"


class Scope(nn.Module):
    """A block or structure of the spec: it holds its layers under their names; the model runs them."""


class SpecModel(nn.Module):
    """A whole spec, run op by op. With side branches built, returns (main output, side outputs...)."""

    def __init__(self, analysis: Analysis):
        super().__init__()
        self.op_names: tuple[str, ...] = tuple(op.name for op in analysis.ops)
        self.steps: list[nn.Module] = [_place(self, op.name, _module(op)) for op in analysis.ops]  # not registered
        self.reads: list[tuple[int, ...]] = [op.inputs for op in analysis.ops]
        plan = analysis.run_plan()
        self.order, self.frees = plan.order, plan.frees
        self.outputs = analysis.outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        values: list[Any] = [None] * len(self.steps)
        for i in self.order:
            values[i] = self.steps[i](*(x if j == INPUT else values[j] for j in self.reads[i]))
            for j in self.frees[i]:
                values[j] = None
        outputs = tuple(x if j == INPUT else values[j] for j in self.outputs)
        return outputs[0] if len(outputs) == 1 else outputs


def _module(op: Op) -> nn.Module:
    kind = REGISTRY[op.kind]
    if kind.join and kind.torch.combine is not None:
        return Join(kind.name, kind.torch.combine)
    if kind.torch.build is None:
        raise BuildError(f"layer '{op.name}': archstat cannot build a torch module for kind '{kind.name}'")
    return kind.torch.build(op.site)


def _place(root: nn.Module, name: str, module: nn.Module) -> nn.Module:
    """Register module at its dotted name, making the scopes above it as needed."""
    *scopes, leaf = name.split(".")
    parent = root
    for part in scopes:
        if part not in parent._modules:
            parent.add_module(part, Scope())
        parent = parent.get_submodule(part)
    parent.add_module(leaf, module)
    return module


def build_model(spec: Spec, options: Options | None = None, device: str | torch.device = "cpu") -> SpecModel:
    """The spec as an nn.Module in eval mode; device='meta' builds shapes only, with no memory behind them."""
    return build_analysed(analyze(spec, options), device)


def build_analysed(analysis: Analysis, device: str | torch.device = "cpu") -> SpecModel:
    """The model of an analysis already made, on `device`, after checking that it fits there."""
    device = torch.device(device)
    ensure_fits(analysis, device)
    with device:
        model = SpecModel(analysis)
    return model.eval()
