"""What a reader sees of an Analysis: which rows and columns, their cells in display units, the summary lines.

Every renderer formats from here; nothing here counts, it only picks rows, columns and units.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archstat.analysis import Analysis, Row, Shape, dtype_bytes, walk
from archstat.layers import REGISTRY, format_shape

# (header, alignment) for the lecture-style table, in order; Memory, Params and FLOP get their unit from Units.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Layer", "left"), ("kind", "left"), ("C in", "right"), ("H/W in", "right"), ("filters", "right"),
    ("kernel", "right"), ("stride", "right"), ("pad", "right"), ("C out", "right"), ("H/W out", "right"),
    ("Memory", "right"), ("Params", "right"), ("FLOP", "right"),
)

# What a table narrower than its natural width leaves out, first to last. Each goes in the order that loses the
# least: filters is C out again (conv filters, linear features); pad follows from H/W in, kernel, stride and
# H/W out; stride mostly from the ratio of H/W in to H/W out; C in and H/W in repeat the row above's C out and
# H/W out along a chain of layers; kind is mostly in the layer's name (conv1, pool1); kernel alone says what no
# other column does. The outputs and the numbers stay.
DROP_ORDER: tuple[str, ...] = ("filters", "pad", "stride", "C in", "H/W in", "kind", "kernel")

INDENT = "  "  # one level of nesting, and the margin before a table's first column
GAP = 3  # spaces between two columns' text: a cell's padding either side of a one-space separator


@dataclass(frozen=True)
class View:
    """How much of an analysis to show: nesting depth (None: all the way), quiet rows, decimals, and the width to
    fit a table into (None: its natural width, as pipes and files get)."""

    depth: int | None = 0
    show_all: bool = False
    precision: int = 0
    width: int | None = None


@dataclass(frozen=True)
class Unit:
    """A display unit: the name a header shows ('' for a plain count) and its size in bytes or counts."""

    name: str
    size: int


B, KB, MB = Unit("B", 1), Unit("KB", 1024), Unit("MB", 1024**2)
ONE, K, M, G = Unit("", 1), Unit("k", 1000), Unit("M", 10**6), Unit("G", 10**9)

# Each ladder starts at the lecture unit and steps down one unit at a time.
MEMORY_UNITS, PARAM_UNITS, FLOP_UNITS = (KB, B), (K, ONE), (M, K, ONE)
SUMMARY_MEMORY, SUMMARY_PARAMS, SUMMARY_FLOPS = (MB, KB, B), (M, K, ONE), (G, M, K, ONE)


@dataclass(frozen=True)
class Units:
    """The units of a table's Memory, Params and FLOP columns."""

    memory: Unit = KB
    params: Unit = K
    flops: Unit = M


def rounded(value: int, unit: int, places: int) -> int:
    """value / unit in units of 10^-places, rounded half away from zero, in exact integers (any size, no float)."""
    if value < 0:
        return -rounded(-value, unit, places)
    return (2 * value * 10**places + unit) // (2 * unit)


def scaled(value: int, unit: int, places: int) -> str:
    """value / unit rounded half-up to `places` decimals, with thousands separators (253.5 -> '254')."""
    n = rounded(value, unit, places)
    whole, part = divmod(abs(n), 10**places)
    sign = "-" if n < 0 else ""
    return f"{sign}{whole:,}" + (f".{part:0{places}d}" if places else "")


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


def show(value: int, unit: Unit, places: int) -> str:
    """value in unit: `places` decimals in a scaled unit, none in bytes or a plain count."""
    return scaled(value, unit.size, places if unit.size > 1 else 0)


def _shows_at_least(value: int, unit: Unit, places: int, least: tuple[int, int]) -> bool:
    """Does value, shown in unit (as show() rounds it), read at least least[0] / least[1]?"""
    p = places if unit.size > 1 else 0
    return rounded(value, unit.size, p) * least[1] >= least[0] * 10**p


def step_down(value: int, ladder: Sequence[Unit], places: int, least: tuple[int, int]) -> Unit:
    """The first unit of the ladder in which value shows as at least `least` (a fraction); else the ladder's last."""
    return next((unit for unit in ladder[:-1] if _shows_at_least(value, unit, places, least)), ladder[-1])


def table_units(rows: Sequence[Row], places: int) -> Units:
    """The units of the Memory, Params and FLOP columns, scaled to the rows a table shows.

    Rule: each column starts from its lecture unit (KB, k, M) and steps down one unit (KB -> B, k -> a plain
    count, M -> k -> a plain count) while its largest value would show as less than 10 in that unit. The
    classic tables (AlexNet, VGG, GoogLeNet, ResNet) keep KB / k / M; LeNet-5's FLOPs go to k, the MLP's memory to B.
    """
    def unit(values: Iterable[int], ladder: Sequence[Unit]) -> Unit:
        return step_down(max(values, default=0), ladder, places, (10, 1))

    return Units(unit((r.memory for r in rows), MEMORY_UNITS), unit((r.params for r in rows), PARAM_UNITS),
                 unit((r.flops for r in rows), FLOP_UNITS))


def figure_unit(values: Iterable[int], ladder: Sequence[Unit]) -> Unit:
    """A summary line's unit: the lecture unit (MB, M, G), stepped down while a nonzero figure shows below 0.10.

    The line shows two decimals, so AlexNet's 0.72 G stays in G but LeNet-5's 0.01 G becomes 6.55 M.
    """
    smallest = min((n for n in values if n), default=0)
    return step_down(smallest, ladder, 2, (1, 10)) if smallest else ladder[0]


def header(title: str, unit: Unit) -> str:
    """A numeric column's header with its unit: 'Memory (KB)', or 'Params' for a plain count."""
    return f"{title} ({unit.name})" if unit.name else title


def columns(units: Units) -> tuple[tuple[str, str], ...]:
    """COLUMNS with the numeric headers naming their units."""
    *named, memory, params, flops = COLUMNS
    numeric = zip((memory, params, flops), (units.memory, units.params, units.flops))
    return (*named, *((header(title, unit), justify) for (title, justify), unit in numeric))


shape_text = format_shape


def column_text(value: Any) -> str:
    """A hyper-parameter cell: 3, '3x1' for [3, 1], 'same', or blank."""
    if value is None:
        return ""
    return shape_text(tuple(value)) if isinstance(value, (list, tuple)) else str(value)


def spatial(shape: Shape) -> str:
    """H/W as the lecture tables show it: one number when square, HxW otherwise, blank for flat vectors; L for a
    1-D map, and every size of a 3-D one (DxHxW)."""
    if len(shape) < 2:
        return ""
    if len(shape) == 3 and shape[1] == shape[2]:
        return str(shape[1])
    return "x".join(str(d) for d in shape[1:])


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


def cells(row: Row, units: Units, places: int) -> list[str]:
    """The table cells after the Layer column, in COLUMNS order, the numbers in the table's units."""
    extra: Mapping[str, Any] = row.columns
    many = not row.children and row.kind in REGISTRY and REGISTRY[row.kind].join  # a join: input is its first only
    return [
        row.block or row.kind,  # a block instance shows its block (inception, bottleneck), a layer its kind
        "" if many else str(row.input[0]), "" if many else spatial(row.input),
        *(column_text(extra.get(key)) for key in ("filters", "kernel", "stride", "pad")),
        str(row.output[0]), spatial(row.output), *numbers(row.memory, row.params, row.flops, units, places),
    ]


def numbers(memory: int, params: int, flops: int, units: Units, places: int) -> list[str]:
    """Memory, params and FLOPs shown in their columns' units."""
    return [show(memory, units.memory, places), show(params, units.params, places), show(flops, units.flops, places)]


def total_cells(analysis: Analysis, units: Units, places: int) -> list[str]:
    """The footer: 'total' under Layer and the model totals under the numeric columns."""
    t = analysis.totals
    return ["total", *[""] * 9, *numbers(t.memory, t.params, t.flops, units, places)]


def _figure(n: int, unit: Unit) -> str:
    return f"{show(n, unit, 2)} {unit.name}".rstrip()


def summary(analysis: Analysis) -> list[tuple[str, str]]:
    """(label, text) lines shown under a table: memory with the input, params, FLOPs and how they were counted."""
    t, o = analysis.totals, analysis.options
    notes = [f"batch {o.batch}", o.dtype, f"{o.flops} FLOP convention"]
    if not o.bias:
        notes.append("biases left out")
    if o.side == "params":
        notes.append("side branches' params only")
    elif o.side:
        notes.append("side branches included")
    weights = t.params * dtype_bytes(o.dtype)
    return [
        ("Activation memory", memory_line(t.memory, t.input_memory)),
        ("Weights", f"{_figure(weights, figure_unit([weights], SUMMARY_MEMORY))} (the params at {o.dtype}); with "
                    f"activations and input {_figure(weights + t.memory + t.input_memory, MB)}"),
        ("Params", count_line(t.params, SUMMARY_PARAMS) + ", all trainable"),
        *([("Buffers", f"{t.buffers:,} values of state that is not trained (batch norm's running statistics)")]
          if t.buffers else []),
        ("FLOPs", count_line(t.flops, SUMMARY_FLOPS)),
        ("Counted for", ", ".join(notes) + "; KB = 1024 bytes, MB = 1024 KB"),
    ]


def count_line(n: int, ladder: Sequence[Unit]) -> str:
    """'61,100,840 (61.10 M)': the exact count, then in the summary unit unless that is the plain count."""
    unit = figure_unit([n], ladder)
    return f"{n:,}" if unit.size == 1 else f"{n:,} ({_figure(n, unit)})"


def memory_line(memory: int, input_memory: int) -> str:
    """'2.32 MB + input 0.59 MB = 2.91 MB': the three figures in one unit."""
    figures = (memory, input_memory, memory + input_memory)
    unit = figure_unit(figures, SUMMARY_MEMORY)
    return "{} + input {} = {}".format(*(_figure(n, unit) for n in figures))


def summary_lines(analysis: Analysis, width: int | None = None) -> list[str]:
    """The summary as aligned 'label  text' lines, wrapped under the text at `width`."""
    pairs = summary(analysis)
    size = max(len(label) for label, _ in pairs) + 2
    return [line for label, text in pairs for line in wrap(f"{label:<{size}}{text}", width, size)]


def wrap(line: str, width: int | None, indent: int = 0) -> list[str]:
    """The line as it is (width None, or it fits), else wrapped at width with later lines indented."""
    if width is None or len(line) <= width or width <= indent:
        return [line]
    import textwrap  # only a table fitted to a terminal wraps its notes

    return textwrap.wrap(line, width, subsequent_indent=" " * indent, break_on_hyphens=False)


def heading(analysis: Analysis) -> str:
    spec = analysis.spec
    name = spec.title or spec.name
    return f"{name}: input {shape_text(analysis.input)}, output {shape_text(analysis.output)}"


def hidden_note(hidden: int) -> str:
    """The footer naming how many quiet rows a table left out, or ''."""
    if not hidden:
        return ""
    rows = "row" if hidden == 1 else "rows"
    return f"{hidden} {rows} with no memory, params or FLOPs (in place, identity or dropout) hidden; --all shows them"


def dropped_note(dropped: Sequence[str], width: int | None) -> str:
    """The footer naming the columns a narrow table left out and how to see them, or ''."""
    if not dropped:
        return ""
    return (f"Left out to fit {width} columns: {', '.join(dropped)}. A wider terminal shows every column, "
            "as do a pipe (| less -S) and --output.")


def table_width(widths: Sequence[int]) -> int:
    """Characters from a table's margin to the end of its last column."""
    return len(INDENT) + sum(widths) + GAP * (len(widths) - 1)


def kept_columns(grid: Sequence[Sequence[str]], width: int | None) -> list[int]:
    """Indices into COLUMNS of the columns to show: all, less DROP_ORDER's first ones until the grid fits width."""
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    keep, names = list(range(len(COLUMNS))), [name for name, _ in COLUMNS]
    for name in DROP_ORDER:
        if width is None or table_width([widths[i] for i in keep]) <= width:
            break
        keep.remove(names.index(name))
    return keep


@dataclass(frozen=True)
class Layout:
    """A per-layer table ready to draw: title, columns with their units, (depth, row, cells) lines, the footer,
    the summary lines and the notes (rows hidden, columns dropped), all wrapped to the view's width."""

    title: list[str]
    columns: tuple[tuple[str, str], ...]
    body: list[tuple[int, Row, list[str]]]  # the cells after Layer: a renderer writes the label as it likes
    footer: list[str]
    summary: list[str]
    notes: list[str]


def layout(analysis: Analysis, view: View) -> Layout:
    """The table for this view: its rows, units scaled to them, and columns dropped to fit view.width."""
    shown, hidden = table_rows(analysis, view)
    units = table_units([row for _, row in shown], view.precision)
    heads, footer = columns(units), total_cells(analysis, units, view.precision)
    body = [(depth, row, [INDENT * depth + row.label, *cells(row, units, view.precision)]) for depth, row in shown]
    keep = kept_columns([[h for h, _ in heads], *(line for _, _, line in body), footer], view.width)
    dropped = [name for i, (name, _) in enumerate(COLUMNS) if i not in keep]
    notes = [line for note in (hidden_note(hidden), dropped_note(dropped, view.width)) if note
             for line in wrap(note, view.width)]
    return Layout(wrap(heading(analysis), view.width), tuple(heads[i] for i in keep),
                  [(d, r, [line[i] for i in keep[1:]]) for d, r, line in body], [footer[i] for i in keep],
                  summary_lines(analysis, view.width), notes)


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
