"""A GitHub Markdown table with the same columns as the rich table, then the summary as a list."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from archstat.analysis import Analysis
from archstat.render import view as v

if TYPE_CHECKING:
    from archstat.render.grid import Grid

# GitHub trims plain spaces at the start of a cell, so nested rows are indented with entities.
INDENT = "&nbsp;&nbsp;"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_escape(c) for c in cells) + " |"


def _table(columns: Sequence[tuple[str, str]], body: Sequence[Sequence[str]]) -> list[str]:
    rule = ["---:" if justify == "right" else ":---" for _, justify in columns]
    return [_line([header for header, _ in columns]), "| " + " | ".join(rule) + " |", *(_line(r) for r in body)]


def render(analysis: Analysis, view: v.View) -> str:
    """The table at its natural width (Markdown is read at any width), then the summary as a list."""
    table = v.layout(analysis, replace(view, width=None))
    body = [[INDENT * depth + (f"**{row.label}**" if v.is_open(depth, row, view) else row.label), *cells]
            for depth, row, cells in table.body]
    body.append([f"**{table.footer[0]}**", *table.footer[1:]])
    lines = [f"### {_escape(v.heading(analysis))}", "", *_table(table.columns, body), ""]
    lines += [f"- {label}: {text}" for label, text in v.summary(analysis)]
    lines += [line for note in table.notes for line in ("", f"_{note}_")]
    return "\n".join(lines) + "\n"


def render_list(entries: Sequence[v.Entry]) -> str:
    return "\n".join(_table(v.LIST_COLUMNS, [v.list_cells(e) for e in entries])) + "\n"


def render_grid(grid: Grid) -> str:
    lines = [f"### {_escape(grid.title)}", "", *_table(grid.columns, grid.rows), ""]
    lines += [f"- {note}" for note in grid.notes]
    return "\n".join(lines) + "\n"
