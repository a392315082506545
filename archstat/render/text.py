"""Plain-text tables for pipes and files: the rich table's layout without importing rich (it costs start-up)."""
from __future__ import annotations

from collections.abc import Sequence

RULE = "\u2500"


def _line(cells: Sequence[str], widths: Sequence[int], columns: Sequence[tuple[str, str]]) -> str:
    padded = [cell.ljust(w) if justify == "left" else cell.rjust(w)
              for cell, w, (_, justify) in zip(cells, widths, columns)]
    return (" " + " ".join(f" {cell} " for cell in padded)).rstrip()


def plain_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
                footer: Sequence[str] | None = None, notes: Sequence[str] = ()) -> str:
    """Title, header, a rule, the rows, then (with a footer) a rule and the footer, then the notes."""
    every = [[header for header, _ in columns], *rows, *([footer] if footer else [])]
    widths = [max(len(row[i]) for row in every) for i in range(len(columns))]
    rule = " " + RULE * (sum(w + 2 for w in widths) + len(widths) - 1)
    lines = [title, "", _line(every[0], widths, columns), rule, *(_line(r, widths, columns) for r in rows)]
    if footer:
        lines += [rule, _line(footer, widths, columns)]
    lines += ["", *notes] if notes else []
    return "\n".join(lines) + "\n"
