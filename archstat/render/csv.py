"""CSV: one line per row at the chosen depth, raw integers and shapes, then a total line."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.analysis import Analysis, walk
from archstat.render import view as v

if TYPE_CHECKING:
    from archstat.render.grid import Grid

FIELDS = ("depth", "name", "kind", "block", "line", "input", "output", "filters", "kernel", "stride", "pad",
          "memory_bytes", "params", "flops")
LIST_FIELDS = ("name", "title", "input", "params", "flops", "memory_bytes", "input_memory_bytes")


def _write(fields: Sequence[str], records: Sequence[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def render(analysis: Analysis, view: v.View) -> str:
    """Every row down to view.depth (quiet rows included); the last line, kind 'total', holds the totals."""
    records: list[dict[str, object]] = []
    for depth, row in walk(analysis.rows, max_depth=view.depth):
        records.append({**{k: v.column_text(c) for k, c in row.columns.items()}, "depth": depth, "name": row.name,
                        "kind": row.kind, "block": row.block or "", "line": row.line,
                        "input": v.shape_text(row.input), "output": v.shape_text(row.output),
                        "memory_bytes": row.memory, "params": row.params, "flops": row.flops})
    t = analysis.totals
    records.append({"name": "total", "kind": "total", "input": v.shape_text(analysis.input),
                    "output": v.shape_text(analysis.output), "memory_bytes": t.memory, "params": t.params,
                    "flops": t.flops})
    return _write(FIELDS, records)


def render_list(entries: Sequence[v.Entry]) -> str:
    return _write(LIST_FIELDS, [{**e.to_dict(), "input": v.shape_text(e.analysis.input)} for e in entries])


def render_grid(grid: Grid) -> str:
    """The grid's raw records, not its display cells."""
    return _write(list(grid.records[0]) if grid.records else [], grid.records)
