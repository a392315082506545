"""The table format as plain text, for pipes and files; a terminal gets archstat.render.live instead."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.analysis import Analysis
from archstat.render import view as v
from archstat.render.text import framed, grid_lines, plain_table

if TYPE_CHECKING:
    from archstat.render.grid import Grid


def render(analysis: Analysis, view: v.View) -> str:
    """The table as plain text, laid out as the rich table is, at view.width when one is given."""
    table = v.layout(analysis, view)
    rows = [[v.INDENT * depth + row.label, *cells] for depth, row, cells in table.body]
    return framed(table.title, grid_lines(table.columns, rows, table.footer), [*table.summary, *table.notes])


def render_list(entries: Sequence[v.Entry]) -> str:
    return plain_table("Bundled specs", v.LIST_COLUMNS, [v.list_cells(e) for e in entries])


def render_grid(grid: Grid) -> str:
    return plain_table(grid.title, grid.columns, grid.rows, notes=grid.notes)
