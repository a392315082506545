"""`archstat table googlenet --paper` as it comes, with no options: Table 1's cells, as the suite measures them."""
from __future__ import annotations

import pytest
from cli_runner import cli_runner

from archstat.cli import app

from . import googlenet
from .measure import MEASURES

COLUMNS = ("type", "patch size/stride", "output size", "depth", "#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5",
           "pool proj", "params", "ops")


def _printed() -> dict[str, dict[str, str]]:
    """The Markdown table the command prints, by Table 1's row names (the spec's rows in order)."""
    result = cli_runner().invoke(app, ["table", "googlenet", "--paper", "--format", "md"])
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    names = [n for n in googlenet.TABLE1_ROWS]
    rows = [dict(zip(COLUMNS, (c.strip() for c in line.strip("|").split("|")))) for line in lines]
    printed = [r for r in rows if r["type"] != "flatten"]  # Table 1 has no flatten line
    assert len(printed) == len(names)
    return dict(zip(names, printed))


PRINTED = _printed()
MEASURED = MEASURES[googlenet.TABLE1.key](googlenet.TABLE1)
CELLS = [(row, column) for row in googlenet.TABLE1_ROWS for column in COLUMNS[1:] if column != "params"]


@pytest.mark.parametrize("row, column", CELLS, ids=[f"{r}-{c}" for r, c in CELLS])
def test_default_paper_layout_prints_table_1s_cell(row, column):
    cell = f"{row} {column}"
    expected = MEASURED[cell] if cell in googlenet.TABLE1.cells else ""  # a cell Table 1 leaves blank
    assert PRINTED[row][column] == expected


@pytest.mark.parametrize("row", [r for r in googlenet.TABLE1_ROWS if f"{r} params" in googlenet.TABLE1.cells])
def test_default_paper_layout_prints_params_in_table_1s_units(row):
    # Table 1 writes some params with a decimal (2.7K); the layout prints whole K, cut as Table 1 cuts them
    measured = MEASURED[f"{row} params"]
    whole = measured.split(".")[0].rstrip("K")
    assert PRINTED[row]["params"].replace(",", "") == f"{whole}K"
