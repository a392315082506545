"""The layout of GoogLeNet's Table 1 (Szegedy et al. 2015): one line per top-level layer or inception module.

Columns: type, patch size/stride, output size, depth, the six branch widths of an inception module, params, ops.
The branch widths are the block parameters named n1x1, n3x3red, n3x3, n5x5red, n5x5 and pool_proj.
"""
from __future__ import annotations

from collections.abc import Iterator

from archstat.analysis import Analysis, Row, walk
from archstat.render.grid import Grid
from archstat.render.view import column_text, is_quiet, millions, thousands
from archstat.spec import Composite, Layer, Node

BRANCHES = ("n1x1", "n3x3red", "n3x3", "n5x5red", "n5x5", "pool_proj")
COLUMNS = (
    ("type", "left"), ("patch size/stride", "left"), ("output size", "right"), ("depth", "right"),
    ("#1x1", "right"), ("#3x3 reduce", "right"), ("#3x3", "right"), ("#5x5 reduce", "right"), ("#5x5", "right"),
    ("pool proj", "right"), ("params", "right"), ("ops", "right"),
)
TYPES = {"conv": "convolution", "maxpool": "max pool", "avgpool": "avg pool", "adaptive_avgpool": "avg pool",
         "linear": "linear", "lrn": "local response norm", "batchnorm": "batch norm"}


def _nodes(nodes: tuple[Node, ...], prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Every spec node with its dotted name."""
    for node in nodes:
        yield prefix + node.name, node
        if isinstance(node, Composite):
            for path in node.paths:
                yield from _nodes(path, f"{prefix}{node.name}.")


def depth(node: Node, name: str, rows: dict[str, Row]) -> int:
    """Layers with filters (conv, linear) on the longest path through the node, as Table 1 counts depth."""
    if isinstance(node, Layer):
        return int("filters" in rows[name].columns) if name in rows else 0
    if node.structure.side:
        return 0
    return max((sum(depth(n, f"{name}.{n.name}", rows) for n in path) for path in node.paths), default=0)


def _type(row: Row, node: Node) -> str:
    if isinstance(node, Composite):
        label = node.block or node.kind
        suffix = row.name.removeprefix(label) if node.block and row.name != label else row.name
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


def paper_grid(analysis: Analysis, precision: int = 0) -> Grid:
    """The top-level rows in Table 1's layout; in-place activations, which Table 1 folds into their layer, are
    left out (dropout stays, as in the table)."""
    nodes = dict(_nodes(analysis.spec.layers))
    rows = {r.name: r for _, r in walk(analysis.rows)}
    cells, records = [], []
    for row in analysis.rows:
        if is_quiet(row) and "inplace" in row.args:
            continue
        node = nodes[row.name]
        widths = [str(node.args[b]) if isinstance(node, Composite) and b in node.args else "" for b in BRANCHES]
        d = depth(node, row.name, rows)
        cells.append([_type(row, node), _patch(row), _output(row), str(d), *widths,
                      f"{thousands(row.params, precision)}K" if row.params else "",
                      f"{millions(row.flops, precision)}M" if row.flops else ""])
        records.append({"name": row.name, "type": cells[-1][0], "output": cells[-1][2], "depth": d,
                        **dict(zip(BRANCHES, widths)), "params": row.params, "flops": row.flops})
    o = analysis.options
    return Grid(
        title=f"{analysis.spec.title or analysis.spec.name}: in the layout of GoogLeNet's Table 1",
        columns=COLUMNS, rows=cells, records=records,
        data={"schema": "archstat.paper/1", "model": analysis.spec.name, "options": o.to_dict(), "rows": records},
        notes=[f"params in thousands ({'biases left out' if not o.bias else 'with biases'}), ops in millions under "
               f"the {o.flops} convention; depth counts the layers with filters on the longest path"],
    )

