"""The table format as plain text, for pipes and files; a terminal gets archstat.render.live instead."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.analysis import Analysis
from archstat.render import view as v
from archstat.render.text import plain_table

if TYPE_CHECKING:
    from archstat.render.grid import Grid


def render(analysis: Analysis, view: v.View) -> str:
    """The table as plain text, laid out as the rich table is."""
    shown, hidden = v.table_rows(analysis, view)
    rows = [["  " * depth + row.label, *v.cells(row, view.precision)] for depth, row in shown]
    note = v.hidden_note(hidden)
    return plain_table(v.heading(analysis), v.COLUMNS, rows, v.total_cells(analysis, view.precision),
                       [*v.summary_lines(analysis), *([note] if note else [])])


def render_list(entries: Sequence[v.Entry]) -> str:
    return plain_table("Bundled specs", v.LIST_COLUMNS, [v.list_cells(e) for e in entries])


def render_grid(grid: Grid) -> str:
    return plain_table(grid.title, grid.columns, grid.rows, notes=grid.notes)
