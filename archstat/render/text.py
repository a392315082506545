"""Plain-text tables for pipes and files: the rich table's layout without importing rich (it costs start-up)."""
from __future__ import annotations

from collections.abc import Sequence

from archstat.render.view import GAP, INDENT

RULE = "\u2500"


def _line(cells: Sequence[str], widths: Sequence[int], columns: Sequence[tuple[str, str]]) -> str:
    padded = [cell.ljust(w) if justify == "left" else cell.rjust(w)
              for cell, w, (_, justify) in zip(cells, widths, columns)]
    return (INDENT + (" " * GAP).join(padded)).rstrip()


def grid_lines(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
               footer: Sequence[str] | None = None) -> list[str]:
    """Header, a rule, the rows, then (with a footer) a rule and the footer; each rule spans the columns exactly."""
    every = [[header for header, _ in columns], *rows, *([footer] if footer else [])]
    widths = [max(len(row[i]) for row in every) for i in range(len(columns))]
    rule = INDENT + RULE * (sum(widths) + GAP * (len(widths) - 1))
    lines = [_line(every[0], widths, columns), rule, *(_line(r, widths, columns) for r in rows)]
    return lines + ([rule, _line(footer, widths, columns)] if footer else [])


def plain_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
                footer: Sequence[str] | None = None, notes: Sequence[str] = ()) -> str:
    """Title, the grid (header, rule, rows, footer), then the notes."""
    return framed([title], grid_lines(columns, rows, footer), notes)


def framed(title: Sequence[str], grid: Sequence[str], notes: Sequence[str] = ()) -> str:
    """The title lines, a blank line, the grid, then a blank line and the notes when there are any."""
    return "\n".join([*title, "", *grid, *(["", *notes] if notes else [])]) + "\n"
