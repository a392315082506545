"""What a reader sees of an Analysis: which rows, their cells in display units, and the summary lines.

Every renderer formats from here; nothing here counts, it only converts units and picks rows.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from archstat.analysis import Analysis, Row, Shape, walk
from archstat.layers import REGISTRY, format_shape


# (header, alignment) for the lecture-style table, in order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Layer", "left"), ("C in", "right"), ("H/W in", "right"), ("filters", "right"), ("kernel", "right"),
    ("stride", "right"), ("pad", "right"), ("C out", "right"), ("H/W out", "right"),
    ("Memory (KB)", "right"), ("Params (k)", "right"), ("FLOP (M)", "right"),
)


@dataclass(frozen=True)
class View:
    """How much of an analysis to show: nesting depth (None: all the way), quiet rows, decimals."""

    depth: int | None = 0
    show_all: bool = False
    precision: int = 0


def scaled(value: int, unit: int, places: int) -> str:
    """value / unit rounded half-up to `places` decimals, with thousands separators (253.5 -> '254')."""
    exact = Decimal(value) / Decimal(unit)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


def kilobytes(n: int, places: int = 0) -> str:
    return scaled(n, 1024, places)


def megabytes(n: int, places: int = 2) -> str:
    return scaled(n, 1024 * 1024, places)


def thousands(n: int, places: int = 0) -> str:
    return scaled(n, 1000, places)


def millions(n: int, places: int = 0) -> str:
    return scaled(n, 1_000_000, places)


def billions(n: int, places: int = 2) -> str:
    return scaled(n, 1_000_000_000, places)


shape_text = format_shape


def column_text(value: Any) -> str:
    """A hyper-parameter cell: 3, '3x1' for [3, 1], 'same', or blank."""
    if value is None:
        return ""
    return shape_text(value) if isinstance(value, (list, tuple)) else str(value)


def spatial(shape: Shape) -> str:
    """H/W as the lecture tables show it: one number when square, HxW otherwise, blank for flat vectors."""
    if len(shape) < 3:
        return ""
    H, W = shape[1], shape[2]
    return str(H) if H == W else f"{H}x{W}"


def is_quiet(row: Row) -> bool:
    """An in-place activation or dropout that adds no memory, params or FLOPs."""
    kind = REGISTRY.get(row.kind)
    return kind is not None and kind.quiet and row.memory == row.params == row.flops == 0


def table_rows(analysis: Analysis, view: View) -> tuple[list[tuple[int, Row]], int]:
    """The (depth, row) pairs a table shows, and how many quiet rows it left out."""
    shown: list[tuple[int, Row]] = []
    hidden = 0
    for depth, row in walk(analysis.rows, max_depth=view.depth):
        if not view.show_all and is_quiet(row):
            hidden += 1
            continue
        shown.append((depth, row))
    return shown, hidden


def is_open(depth: int, row: Row, view: View) -> bool:
    """A block whose children are shown below it."""
    return bool(row.children) and (view.depth is None or depth < view.depth)


def cells(row: Row, precision: int) -> list[str]:
    """The table cells after the Layer column, in COLUMNS order."""
    extra: Mapping[str, Any] = row.columns
    many = not row.children and row.kind in REGISTRY and REGISTRY[row.kind].join  # a join: input is its first only
    return [
        "" if many else str(row.input[0]), "" if many else spatial(row.input),
        *(column_text(extra.get(key)) for key in ("filters", "kernel", "stride", "pad")),
        str(row.output[0]), spatial(row.output),
        kilobytes(row.memory, precision), thousands(row.params, precision), millions(row.flops, precision),
    ]


def total_cells(analysis: Analysis, precision: int) -> list[str]:
    t = analysis.totals
    return ["total", *[""] * 8, kilobytes(t.memory, precision), thousands(t.params, precision),
            millions(t.flops, precision)]


def summary(analysis: Analysis) -> list[tuple[str, str]]:
    """(label, text) lines shown under a table: memory with the input, params, FLOPs and how they were counted."""
    t, o = analysis.totals, analysis.options
    notes = [f"batch {o.batch}", o.dtype, f"{o.flops} FLOP convention"]
    if not o.bias:
        notes.append("biases left out")
    if o.side:
        notes.append("side branches included")
    return [
        ("Activation memory", f"{megabytes(t.memory)} MB + input {megabytes(t.input_memory)} MB "
                              f"= {megabytes(t.memory + t.input_memory)} MB"),
        ("Params", f"{t.params:,} ({millions(t.params, 2)} M)"),
        ("FLOPs", f"{t.flops:,} ({billions(t.flops)} G)"),
        ("Counted for", ", ".join(notes)),
    ]


def summary_lines(analysis: Analysis) -> list[str]:
    """The summary as aligned 'label  text' lines."""
    pairs = summary(analysis)
    width = max(len(label) for label, _ in pairs)
    return [f"{label:<{width}}  {text}" for label, text in pairs]


def heading(analysis: Analysis) -> str:
    spec = analysis.spec
    name = spec.title or spec.name
    return f"{name}: input {shape_text(analysis.input)}, output {shape_text(analysis.output)}"


def hidden_note(hidden: int) -> str:
    """The footer naming how many quiet rows a table left out, or ''."""
    if not hidden:
        return ""
    rows = "row" if hidden == 1 else "rows"
    return f"{hidden} in-place activation/dropout {rows} with no memory, params or FLOPs hidden; --all shows them"


@dataclass(frozen=True)
class Entry:
    """One bundled spec in `archstat list`: its name, title, input and totals."""

    name: str
    title: str
    analysis: Analysis

    def to_dict(self) -> dict[str, Any]:
        t = self.analysis.totals
        return {"name": self.name, "title": self.title, "input": list(self.analysis.input),
                "params": t.params, "flops": t.flops, "memory_bytes": t.memory, "input_memory_bytes": t.input_memory}


LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Name", "left"), ("Title", "left"), ("Input", "right"), ("Params (M)", "right"), ("GFLOPs", "right"),
    ("Memory (MB)", "right"),
)


def list_cells(entry: Entry) -> list[str]:
    """Params in millions, FLOPs in G, and the forward memory (activations plus input) in MB."""
    t = entry.analysis.totals
    return [entry.name, entry.title, shape_text(entry.analysis.input), millions(t.params, 1), billions(t.flops),
            megabytes(t.memory + t.input_memory)]
