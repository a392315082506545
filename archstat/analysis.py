"""What the engine returns: per-layer rows (nested by block) and model totals, all exact integers."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archstat.ops import Op, RunPlan, run_plan
from archstat.spec import Shape, Spec

if TYPE_CHECKING:
    import pandas


SCHEMA = "archstat.analysis/1"

DTYPE_BYTES: dict[str, int] = {"fp64": 8, "fp32": 4, "tf32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1}
DTYPE_ALIASES: dict[str, str] = {"float64": "fp64", "float32": "fp32", "float": "fp32", "float16": "fp16",
                                 "half": "fp16", "bfloat16": "bf16", "uint8": "int8"}


def dtype_bytes(dtype: str) -> int:
    """Bytes per element; ValueError names the dtypes we know."""
    name = DTYPE_ALIASES.get(dtype, dtype)
    if name not in DTYPE_BYTES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPE_BYTES)}")
    return DTYPE_BYTES[name]


# Side branches (GoogLeNet's auxiliary classifiers): left out, counted in full (built to run, their outputs returned
# beside the main one), or their parameters only (built but not run, as torchvision's GoogLeNet and Inception-v3 in
# eval mode carry aux heads whose weights count and whose FLOPs no counter sees).
SIDE_MODES: tuple[bool | str, ...] = (False, True, "params")


@dataclass(frozen=True)
class Options:
    """How to count: batch, dtype, FLOP convention, biases, side branches, and overrides of the spec's input and
    fit."""

    batch: int = 1
    dtype: str = "fp32"
    flops: str = "lecture"
    bias: bool = True
    input: Shape | None = None
    fit: str | None = None
    side: bool | str = False  # one of SIDE_MODES: False, True or 'params'

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "dtype": self.dtype, "flops": self.flops, "bias": self.bias,
                "input": list(self.input) if self.input else None, "fit": self.fit, "side": self.side}


@dataclass(frozen=True)
class Row:
    """One layer, or one block whose numbers are the sums of its children."""

    name: str
    kind: str
    input: Shape
    output: Shape
    memory: int
    params: int
    flops: int
    line: int
    columns: Mapping[str, Any] = field(default_factory=dict)
    buffers: int = 0  # state kept but not learned (running statistics): not parameters, as torch counts them
    block: str | None = None
    children: tuple[Row, ...] = field(default=(), repr=False)
    args: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)  # a block's: its parameters
    ops: range = field(default=range(0), repr=False, compare=False)  # indices into Analysis.ops, in order

    @property
    def last_op(self) -> int | None:
        """The op whose output is this row's output (a leaf's own, a structure's join or last layer)."""
        return self.ops[-1] if self.ops else None

    @property
    def label(self) -> str:
        """The name as the lecture tables show it: the last part of the dotted path."""
        return self.name.rsplit(".", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name, "kind": self.kind, "block": self.block, "line": self.line,
            "input": list(self.input), "output": list(self.output), **{k: v for k, v in self.columns.items()},
            "memory_bytes": self.memory, "params": self.params, "buffers": self.buffers, "flops": self.flops,
        }
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data


def portable_path(file: str) -> str:
    """The spec's file as reports show it: the same on every machine (bundled specs as specs/NAME.yaml)."""
    from pathlib import Path

    from archstat.bundled import bundled_dir

    path = Path(file)
    if path.is_absolute():
        for base, shown in ((bundled_dir(), Path("specs")), (Path.cwd(), Path("."))):
            if path.is_relative_to(base.resolve()):
                return (shown / path.relative_to(base.resolve())).as_posix()
    return path.as_posix()


def walk(rows: tuple[Row, ...], depth: int = 0, max_depth: int | None = None) -> Iterator[tuple[int, Row]]:
    """Rows in order with their nesting depth, expanding blocks down to `max_depth` (None: all the way)."""
    for row in rows:
        yield depth, row
        if row.children and (max_depth is None or depth < max_depth):
            yield from walk(row.children, depth + 1, max_depth)


def leaves(rows: tuple[Row, ...]) -> Iterator[Row]:
    """The individual layers, blocks fully expanded."""
    for _, row in walk(rows):
        if not row.children:
            yield row


@dataclass(frozen=True)
class Totals:
    memory: int
    params: int
    flops: int
    input_memory: int
    buffers: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"memory_bytes": self.memory, "params": self.params, "buffers": self.buffers, "flops": self.flops,
                "input_memory_bytes": self.input_memory}


@dataclass(frozen=True)
class Analysis:
    """The analytic result for one spec under one set of options."""

    spec: Spec
    options: Options
    input: Shape
    output: Shape
    rows: tuple[Row, ...]
    totals: Totals
    ops: tuple[Op, ...] = ()  # every leaf layer and join once, in execution order
    outputs: tuple[int, ...] = ()  # the ops whose outputs the model returns: the main one, then side branches'

    def run_plan(self) -> RunPlan:
        """How the built model runs the ops: side branches built for their weights only (side='params') never run."""
        return run_plan(self.ops, self.outputs, side_runs=self.options.side != "params")

    def __repr__(self) -> str:
        """One line a notebook or a debugger can show: the model and its totals, not 65,000 characters of rows."""
        t, o = self.totals, self.options
        shape = "x".join(map(str, self.input)), "x".join(map(str, self.output))
        return (f"<Analysis {self.spec.name}: {shape[0]} -> {shape[1]}, {t.params:,} params, {t.flops:,} FLOPs "
                f"({o.flops}), {t.memory:,} B of activations; batch {o.batch}, {o.dtype}; {len(self.ops)} ops>")

    def __str__(self) -> str:
        """The table `archstat table` prints, as text."""
        from archstat.render import Format, render

        return render(self, Format.table)

    def _repr_html_(self) -> str:
        """The table as HTML, for notebooks."""
        from archstat.render.html import analysis_html

        return analysis_html(self)

    def find(self, name: str) -> Row:
        """The row with this dotted name; RowNotFound (a KeyError) naming the nearest row if there is none."""
        for _, row in walk(self.rows):
            if row.name == name:
                return row
        from archstat.errors import RowNotFound, did_you_mean

        names = (r.name for _, r in walk(self.rows))
        raise RowNotFound(f"no row '{name}' in {self.spec.name}{did_you_mean(name, names)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "model": {"name": self.spec.name, "title": self.spec.title, "file": portable_path(self.spec.file),
                      "source": self.spec.source},
            "options": self.options.to_dict(),
            "input": list(self.input), "output": list(self.output),
            "totals": self.totals.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }

    def to_frame(self, max_depth: int | None = None) -> pandas.DataFrame:
        """The rows as a pandas DataFrame, one line per row with its depth (imports pandas only here)."""
        from archstat.frames import frame

        records = []
        for depth, row in walk(self.rows, max_depth=max_depth):
            record = row.to_dict()
            record.pop("children", None)
            records.append({"depth": depth, **record})
        return frame(records)
