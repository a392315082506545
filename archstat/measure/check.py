"""Prove the analytic numbers against the real model: torch's shapes and parameters, fvcore's FLOPs."""
from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from archstat.analysis import Options, walk
from archstat.engine import analyze
from archstat.layers import format_shape
from archstat.measure.build import build_analysed
from archstat.measure.counters import count_ops
from archstat.measure.hooks import op_params, output_shapes
from archstat.measure.memory import allocator_errors
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


def check_spec(spec: Spec, options: Options | None = None, counter: str = "fvcore") -> CheckReport:
    """Build the spec, run it once on CPU, and compare every row with torch and a FLOP counter, op by op."""
    options = replace(options or Options(), flops=counter)
    analysis = analyze(spec, options)
    with allocator_errors(spec.name, "cpu"):
        model = build_analysed(analysis)
        x = torch.zeros(options.batch, *analysis.input)
        shapes, params = output_shapes(model, x), op_params(model)
        flops, total_flops = count_ops(model, x, counter)
    rows = tuple(
        Comparison(
            name=row.name, kind=row.kind, depth=depth, shape=row.output,
            torch_shape=shapes[row.last_op] if row.last_op is not None else None,
            params=row.params, torch_params=sum(params[i] for i in row.ops),
            flops=row.flops, measured_flops=sum(flops[i] for i in row.ops),
        )
        for depth, row in walk(analysis.rows)
    )
    main = analysis.outputs[0]
    total = Comparison(
        name="(model)", kind="model", depth=0, shape=analysis.output, torch_shape=shapes[main] if main >= 0 else None,
        params=analysis.totals.params, torch_params=sum(p.numel() for p in model.parameters()),
        flops=analysis.totals.flops, measured_flops=total_flops,
    )
    return CheckReport(spec, options, rows, total)
