"""Prove the analytic numbers against the real model: torch's shapes and parameters, fvcore's FLOPs."""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace

import torch

from archstat.analysis import Options, walk
from archstat.builder import build_analysed
from archstat.engine import analyze
from archstat.layers import format_shape
from archstat.spec import Shape, Spec



@dataclass(frozen=True)
class Comparison:
    """One spec row: what archstat predicts next to what torch and fvcore measure (None: nothing to measure)."""

    name: str
    kind: str
    depth: int
    shape: Shape
    torch_shape: Shape | None
    params: int
    torch_params: int | None
    flops: int
    measured_flops: int | None

    @property
    def problems(self) -> list[str]:
        """What disagrees, in words; empty when the row checks out."""
        found = []
        if self.torch_shape is not None and self.torch_shape != self.shape:
            found.append(f"shape {format_shape(self.shape)} != torch {format_shape(self.torch_shape)}")
        if self.torch_params is not None and self.torch_params != self.params:
            found.append(f"params {self.params:,} != torch {self.torch_params:,}")
        if self.measured_flops is not None and self.measured_flops != self.flops:
            found.append(f"FLOPs {self.flops:,} != measured {self.measured_flops:,}")
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CheckReport:
    """Every row compared, plus the whole model's totals."""

    spec: Spec
    options: Options
    rows: tuple[Comparison, ...]
    total: Comparison

    @property
    def ok(self) -> bool:
        return self.total.ok and all(row.ok for row in self.rows)

    @property
    def failures(self) -> list[Comparison]:
        return [row for row in (*self.rows, self.total) if not row.ok]


def fvcore_by_module(model: torch.nn.Module, x: torch.Tensor) -> dict[str, int]:
    """fvcore's FLOPs per module name ('' is the whole model), its warnings silenced."""
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fvcore.nn import FlopCountAnalysis

        counter = FlopCountAnalysis(model, x)
        counter.unsupported_ops_warnings(False).uncalled_modules_warnings(False).tracer_warnings("none")
        return dict(counter.by_module())


def torch_by_module(model: torch.nn.Module, x: torch.Tensor) -> dict[str, int]:
    """FlopCounterMode's FLOPs per module name ('' is the whole model)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    root = type(model).__name__
    counts = {name.removeprefix(root).removeprefix("."): sum(ops.values())
              for name, ops in counter.get_flop_counts().items() if name != "Global"}
    counts[""] = counter.get_total_flops()
    return counts


COUNTERS = {"fvcore": fvcore_by_module, "torch": torch_by_module}


def _main(output: torch.Tensor | tuple[torch.Tensor, ...]) -> Shape:
    """The shape (without batch) of a module's output, or of the main output when side outputs follow it."""
    return tuple((output[0] if isinstance(output, tuple) else output).shape[1:])


def output_shapes(model: torch.nn.Module, x: torch.Tensor) -> dict[str, Shape]:
    """The output shape (without batch) of every named submodule in one forward pass."""
    shapes: dict[str, Shape] = {}
    hooks = [
        module.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, _main(o)))
        for name, module in model.named_modules()
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return shapes


def check_spec(spec: Spec, options: Options | None = None, counter: str = "fvcore") -> CheckReport:
    """Build the spec, run it once on CPU, and compare every row with torch and a FLOP counter."""
    options = replace(options or Options(), flops=counter)
    analysis = analyze(spec, options)
    model = build_analysed(analysis)
    x = torch.zeros(options.batch, *analysis.input)
    shapes = output_shapes(model, x)
    flops = COUNTERS[counter](model, x)
    modules = dict(model.named_modules())
    rows = tuple(
        Comparison(
            name=row.name, kind=row.kind, depth=depth, shape=row.output, torch_shape=shapes.get(row.name),
            params=row.params, flops=row.flops,
            torch_params=sum(p.numel() for p in modules[row.name].parameters()) if row.name in modules else None,
            measured_flops=flops.get(row.name, 0) if row.name in modules else None,
        )
        for depth, row in walk(analysis.rows)
    )
    total = Comparison(
        name="(model)", kind="model", depth=0, shape=analysis.output, torch_shape=shapes[""],
        params=analysis.totals.params, torch_params=sum(p.numel() for p in model.parameters()),
        flops=analysis.totals.flops, measured_flops=flops[""],
    )
    return CheckReport(spec, options, rows, total)
