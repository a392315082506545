"""Rich renderables for a terminal: the lecture's per-layer columns, a totals footer, the summary lines beneath."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from archstat.analysis import Analysis
from archstat.render import view as v

if TYPE_CHECKING:
    from archstat.render.grid import Grid


def _table(columns: Sequence[tuple[str, str]], footer: Sequence[str] | None = None) -> Table:
    """A table without edges or outer padding, so that its rules span exactly the columns, as the plain text's do."""
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, show_footer=footer is not None)
    for i, (header, justify) in enumerate(columns):
        table.add_column(Text(header), footer=Text(footer[i]) if footer else "",
                         justify=justify, no_wrap=True)  # type: ignore[arg-type]
    return table


def _framed(title: Sequence[str], table: Table, notes: Sequence[Text] = ()) -> RenderableType:
    """The title, a blank line, the table behind the plain text's margin, then a blank line and the notes."""
    lines = [Text(line, style="table.title") for line in title]
    margin = Padding(table, (0, 0, 0, len(v.INDENT)), expand=False)
    return Group(*lines, Text(""), margin, *([Text(""), *notes] if notes else []))


def analysis_table(analysis: Analysis, view: v.View) -> RenderableType:
    """The per-layer table with its summary lines and notes, at view.width when one is given."""
    layout = v.layout(analysis, view)
    table = _table(layout.columns, layout.footer)
    for depth, row, cells in layout.body:
        label = Text(v.INDENT * depth + row.label, style="bold" if v.is_open(depth, row, view) else "")
        table.add_row(label, *(Text(cell) for cell in cells))
    notes = [*(Text(line) for line in layout.summary), *(Text(line, style="dim") for line in layout.notes)]
    return _framed(layout.title, table, notes)


def list_table(entries: Sequence[v.Entry]) -> RenderableType:
    table = _table(v.LIST_COLUMNS)
    for entry in entries:
        table.add_row(*(Text(cell) for cell in v.list_cells(entry)))
    return _framed(["Bundled specs"], table)


def grid_table(grid: Grid) -> RenderableType:
    """Any other report (check, conventions) as a rich table with its notes beneath."""
    table = _table(grid.columns)
    for cells in grid.rows:
        table.add_row(*(Text(cell) for cell in cells))
    return _framed([grid.title], table, [Text(note) for note in grid.notes])
