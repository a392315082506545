"""An Analysis as an HTML table for notebooks: the same rows, columns and units as `archstat table`."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from archstat.analysis import Analysis
from archstat.render import view as v

INDENT = "&nbsp;&nbsp;"


def _row(cells: Sequence[str], columns: Sequence[tuple[str, str]], tag: str = "td", label: str | None = None) -> str:
    """One <tr>; `label` is the first cell as ready HTML (indented), the rest are escaped text."""
    texts = [label if label is not None else escape(cells[0]), *(escape(c) for c in cells[1:])]
    return "<tr>" + "".join(f'<{tag} style="text-align:{justify}">{text}</{tag}>'
                            for text, (_, justify) in zip(texts, columns)) + "</tr>"


def analysis_html(analysis: Analysis) -> str:
    """Heading, the table (nested rows indented), totals, and the summary lines beneath."""
    layout = v.layout(analysis, v.View())
    head = _row([header for header, _ in layout.columns], layout.columns, "th")
    body = "".join(_row(["", *cells], layout.columns, label=INDENT * depth + escape(row.label))
                   for depth, row, cells in layout.body)
    foot = _row(layout.footer, layout.columns, label=f"<strong>{escape(layout.footer[0])}</strong>")
    lines = "".join(f"<div>{escape(line)}</div>" for line in (*layout.summary, *layout.notes))
    return f"<div><strong>{escape(' '.join(layout.title))}</strong><table><thead>{head}</thead><tbody>{body}{foot}" \
           f"</tbody></table>{lines}</div>"
