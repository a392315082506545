"""Renderers: an Analysis (or the bundled-spec list) as a rich table, CSV, Markdown or JSON text.

Each format's module is imported only when that format is asked for.
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from archstat.analysis import Analysis
from archstat.render.view import Entry, View

if TYPE_CHECKING:  # only the check and conventions reports build grids; the table path does without the module
    from archstat.render.grid import Grid


class Format(str, Enum):
    table = "table"
    csv = "csv"
    md = "md"
    json = "json"


MODULES: dict[Format, str] = {Format.table: "table", Format.csv: "csv", Format.md: "markdown", Format.json: "json"}

SUFFIXES: dict[str, Format] = {".txt": Format.table, ".csv": Format.csv, ".md": Format.md, ".json": Format.json}


def _module(fmt: Format):
    return importlib.import_module(f"archstat.render.{MODULES[fmt]}")


def render(analysis: Analysis, fmt: Format, view: View | None = None) -> str:
    """The analysis as text in one format; tables are plain text at their natural width."""
    return _module(fmt).render(analysis, view or View())


def render_list(entries: Sequence[Entry], fmt: Format) -> str:
    return _module(fmt).render_list(entries)


def render_grid(grid: Grid, fmt: Format) -> str:
    """A check or conventions report in one format: display cells for tables, raw records for CSV and JSON."""
    return _module(fmt).render_grid(grid)


def render_grids(grids: Sequence[Grid], fmt: Format) -> str:
    """Several grids as one report: tables and Markdown one after another, CSV the last grid's records (the most
    detailed), JSON the first grid's data (which holds the others')."""
    if fmt is Format.csv:
        return render_grid(grids[-1], fmt)
    if fmt is Format.json or len(grids) == 1:
        return render_grid(grids[0], fmt)
    return "\n".join(render_grid(grid, fmt) for grid in grids)


def format_for(path: Path) -> Format | None:
    """The format a file name asks for by its suffix, or None."""
    return SUFFIXES.get(path.suffix.lower())


__all__ = ["Entry", "Format", "View", "format_for", "render", "render_grid", "render_grids", "render_list"]
