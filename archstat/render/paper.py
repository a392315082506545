"""The layout of GoogLeNet's Table 1 (Szegedy et al. 2015): one line per top-level layer or inception module.

Columns: type, patch size/stride, output size, depth, the six branch widths of an inception module, params, ops.
The branch widths are the block parameters named n1x1, n3x3red, n3x3, n5x5red, n5x5 and pool_proj; a 1x1
convolution that feeds a 3x3 or 5x5 one at the top level is its "reduce" and shares its line, as conv2 does in
Table 1. By default the numbers follow Table 1's own conventions (PAPER_FLOPS, PAPER_BIAS): weights without biases in
units of 1024 (truncated), ops as multiply-adds of the convolutions and the fully connected layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archstat.analysis import Analysis, Row
from archstat.layers import REGISTRY
from archstat.ops import Op
from archstat.render.grid import Grid
from archstat.render.view import column_text, is_quiet, millions

PAPER_FLOPS, PAPER_BIAS = "macs", False  # what Table 1 counts, unless told otherwise
PARAM_UNIT = 1024  # Table 1's "K"

BRANCHES = ("n1x1", "n3x3red", "n3x3", "n5x5red", "n5x5", "pool_proj")
BRANCH_HEADERS = ("#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj")
REDUCED = {3: ("n3x3red", "n3x3"), 5: ("n5x5red", "n5x5")}  # a top-level reduce + conv fills these two columns
TYPES = {"conv": "convolution", "maxpool": "max pool", "avgpool": "avg pool", "adaptive_avgpool": "avg pool",
         "linear": "linear", "lrn": "local response norm", "batchnorm": "batch norm"}


@dataclass
class _Line:
    """One line of the table: the rows it stands for (two for a reduce and its convolution) and its widths."""

    rows: list[Row]
    widths: dict[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> Row:
        return self.rows[-1]


def has_filters(op: Op) -> bool:
    """A layer Table 1 counts in its depth: one with filters (convolution, fully connected)."""
    return "filters" in REGISTRY[op.kind].columns(op.site)


def depth(analysis: Analysis, rows: list[Row]) -> int:
    """Layers with filters on the longest path through the rows' ops (side branches count 0), as Table 1 does."""
    span = range(rows[0].ops.start, rows[-1].ops.stop)
    longest: dict[int, int] = {}
    for i in span:
        op = analysis.ops[i]
        if not op.side:
            longest[i] = has_filters(op) + max((longest.get(j, 0) for j in op.inputs), default=0)
    return max(longest.values(), default=0)


def _reduce_of(analysis: Analysis, previous: Row | None, row: Row) -> bool:
    """Is `previous` a 1x1 convolution whose output `row`, a 3x3 or 5x5 convolution, reads (through in-place
    layers only)?"""
    if previous is None or previous.kind != "conv" or row.kind != "conv" or previous.columns.get("kernel") != 1:
        return False
    kernel = row.columns.get("kernel")
    if not isinstance(kernel, int) or kernel not in REDUCED or row.last_op is None:
        return False
    source = analysis.ops[row.last_op].inputs[0]
    while source >= 0 and source != previous.last_op and REGISTRY[analysis.ops[source].kind].quiet:
        source = analysis.ops[source].inputs[0]
    return source == previous.last_op


def lines(analysis: Analysis) -> list[_Line]:
    """The top-level rows as Table 1's lines; in-place activations, which Table 1 folds into their layer, are left
    out (dropout stays, as in the table)."""
    found: list[_Line] = []
    for row in analysis.rows:
        if is_quiet(row) and "inplace" in row.args:
            continue
        before = found[-1] if found and len(found[-1].rows) == 1 else None
        if before is not None and _reduce_of(analysis, before.last, row):
            reduce, conv = REDUCED[row.columns["kernel"]]
            before.rows.append(row)
            before.widths = {reduce: before.rows[0].columns["filters"], conv: row.columns["filters"]}
            continue
        widths = {b: row.args[b] for b in BRANCHES if row.children and b in row.args}
        found.append(_Line([row], widths))
    return found


def _type(line: _Line) -> str:
    row = line.last
    if row.children:
        label = row.block or row.kind
        suffix = row.name.removeprefix(label) if row.block and row.name != label else row.name
        return f"{label} ({suffix})"
    if row.kind == "dropout":
        return f"dropout ({row.args['p']:.0%})"
    return TYPES.get(row.kind, row.kind)


def _output(row: Row) -> str:
    C, *spatial = row.output
    return "x".join(str(d) for d in (*(spatial or (1, 1)), C))


def _patch(row: Row) -> str:
    kernel, stride = row.columns.get("kernel"), row.columns.get("stride")
    if kernel is None:
        return ""
    text = column_text(kernel)
    return f"{text}x{text}/{column_text(stride)}" if isinstance(kernel, int) else f"{text}/{column_text(stride)}"


def kibi(n: int, places: int = 0) -> str:
    """n in units of 1024, cut (not rounded) to `places` decimals, with separators: Table 1's params."""
    scaled = n * 10**places // PARAM_UNIT
    whole, part = divmod(scaled, 10**places)
    return f"{whole:,}" + (f".{part:0{places}d}" if places else "")


def paper_grid(analysis: Analysis, precision: int = 0) -> Grid:
    """The top-level rows in Table 1's layout; the branch columns only when some line is an inception module."""
    found = lines(analysis)
    branches = [b for b in BRANCHES if any(b in line.widths for line in found)]
    headers = dict(zip(BRANCHES, BRANCH_HEADERS))
    cells, records = [], []
    for line in found:
        params, flops = sum(r.params for r in line.rows), sum(r.flops for r in line.rows)
        d, widths = depth(analysis, line.rows), [str(line.widths.get(b, "")) for b in branches]
        cells.append([_type(line), _patch(line.last), _output(line.last), str(d), *widths,
                      f"{kibi(params, precision)}K" if params else "",
                      f"{millions(flops, precision)}M" if flops else ""])
        records.append({"name": line.last.name, "rows": [r.name for r in line.rows], "type": cells[-1][0],
                        "output": cells[-1][2], "depth": d, **{b: line.widths.get(b) for b in branches},
                        "params": params, "flops": flops})
    o = analysis.options
    columns = (("type", "left"), ("patch size/stride", "left"), ("output size", "right"), ("depth", "right"),
               *((headers[b], "right") for b in branches), ("params", "right"), ("ops", "right"))
    return Grid(
        title=f"{analysis.spec.title or analysis.spec.name}: in the layout of GoogLeNet's Table 1",
        columns=columns, rows=cells, records=records,
        data={"schema": "archstat.paper/2", "model": analysis.spec.name, "options": o.to_dict(), "rows": records},
        notes=[f"params in K = 1024, cut to {precision} decimals ({'with' if o.bias else 'without'} biases); ops in "
               f"millions under the {o.flops} convention; depth counts the layers with filters on the longest path"],
    )
