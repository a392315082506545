"""Rich renderables for a terminal: the lecture's per-layer columns, a totals footer, the summary lines beneath."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from archstat.analysis import Analysis
from archstat.render import view as v

if TYPE_CHECKING:
    from archstat.render.grid import Grid

INDENT = "  "


def _table(title: str, columns: Sequence[tuple[str, str]], footer: Sequence[str] | None = None) -> Table:
    table = Table(title=Text(title), box=box.SIMPLE, show_footer=footer is not None, title_justify="left")
    for i, (header, justify) in enumerate(columns):
        table.add_column(Text(header), footer=Text(footer[i]) if footer else "",
                         justify=justify, no_wrap=True)  # type: ignore[arg-type]
    return table


def analysis_table(analysis: Analysis, view: v.View) -> RenderableType:
    """The per-layer table with its summary lines and the hidden-rows note."""
    table = _table(v.heading(analysis), v.COLUMNS, v.total_cells(analysis, view.precision))
    shown, hidden = v.table_rows(analysis, view)
    for depth, row in shown:
        label = Text(INDENT * depth + row.label, style="bold" if v.is_open(depth, row, view) else "")
        table.add_row(label, *(Text(cell) for cell in v.cells(row, view.precision)))
    lines = [Text(line) for line in v.summary_lines(analysis)]
    note = v.hidden_note(hidden)
    return Group(table, *lines, *([Text(note, style="dim")] if note else []))


def list_table(entries: Sequence[v.Entry]) -> RenderableType:
    table = _table("Bundled specs", v.LIST_COLUMNS)
    for entry in entries:
        table.add_row(*(Text(cell) for cell in v.list_cells(entry)))
    return table


def grid_table(grid: Grid) -> RenderableType:
    """Any other report (check, conventions) as a rich table with its notes beneath."""
    table = _table(grid.title, grid.columns)
    for cells in grid.rows:
        table.add_row(*(Text(cell) for cell in cells))
    return Group(table, *(Text(note) for note in grid.notes))
