"""JSON: Analysis.to_dict() as it is (schema archstat.analysis/1), the full tree whatever the view."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.analysis import Analysis
from archstat.render import view as v

if TYPE_CHECKING:
    from archstat.render.grid import Grid

LIST_SCHEMA = "archstat.list/1"


def render(analysis: Analysis, view: v.View) -> str:
    return json.dumps(analysis.to_dict(), indent=2) + "\n"


def render_list(entries: Sequence[v.Entry]) -> str:
    return json.dumps({"schema": LIST_SCHEMA, "models": [e.to_dict() for e in entries]}, indent=2) + "\n"


def render_grid(grid: Grid) -> str:
    return json.dumps(grid.data, indent=2) + "\n"
