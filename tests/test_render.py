"""Renderers format what an Analysis holds: units, hidden rows, depth, and rows that add up to the totals."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import archstat
from archstat.analysis import walk
from archstat.render import Format, View, render
from archstat.render import view as v

TOUR = Path(__file__).parent / "data" / "language_tour.yaml"

# Non-square maps, an in-place relu, a relu that allocates, dropout, and a nested block.
SMALL = """
name: small
input: 3x32x48
blocks:
  pair:
    params: [width]
    layers:
      - {conv: a, filters: $width, kernel: 3, padding: 1}
      - relu
      - {conv: b, filters: $width, kernel: 3, padding: 1}
layers:
  - {conv: conv1, filters: 8, kernel: 3}
  - relu
  - {relu: kept, inplace: false}
  - {pair: stage, width: 4}
  - flatten
  - dropout
  - {fc: fc, features: 10}
"""


@pytest.fixture(scope="module")
def small() -> archstat.Analysis:
    return archstat.analyze(archstat.parse_spec(SMALL, "small.yaml"))


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _number(cell: str) -> Decimal:
    return Decimal(cell.replace(",", ""))


# ---- units -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "text"), [(259584, "254"), (186624, "182"), (2560, "3"), (1536, "2"), (1023, "1"),
                                         (0, "0"), (38_656_000, "37,750")])
def test_kilobytes_round_half_up(n: int, text: str) -> None:
    assert v.kilobytes(n) == text


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from([1024, 1000, 10**6, 1024**2, 10**9]),
       st.integers(min_value=0, max_value=3))
def test_scaled_is_nearest_with_ties_up(n: int, unit: int, places: int) -> None:
    shown, exact, step = _number(v.scaled(n, unit, places)), Decimal(n) / Decimal(unit), Decimal(10) ** -places
    assert abs(shown - exact) <= step / 2
    if abs(shown - exact) == step / 2:
        assert shown > exact


@pytest.mark.parametrize(("shape", "text"), [((3, 224, 224), "224"), ((64, 30, 46), "30x46"), ((4096,), "")])
def test_spatial(shape: tuple[int, ...], text: str) -> None:
    assert v.spatial(shape) == text


# ---- which rows a table shows ----------------------------------------------------------------------------------

def test_table_hides_quiet_rows_and_says_how_many(small: archstat.Analysis) -> None:
    shown, hidden = v.table_rows(small, View())
    names = [row.name for _, row in shown]
    assert hidden == 2 and "relu1" not in names and "dropout1" not in names
    assert "kept" in names  # a relu that allocates its output is not quiet
    text = render(small, Format.table, View())
    assert "2 in-place activation/dropout rows" in text
    assert "2 in-place activation/dropout rows" in render(small, Format.md, View())


def test_all_shows_every_row(small: archstat.Analysis) -> None:
    shown, hidden = v.table_rows(small, View(show_all=True))
    assert hidden == 0 and [r.name for _, r in shown] == [r.name for r in small.rows]
    assert "hidden" not in render(small, Format.table, View(show_all=True))


@pytest.mark.parametrize("fmt", [Format.csv, Format.json])
def test_data_formats_never_hide_rows(small: archstat.Analysis, fmt: Format) -> None:
    text = render(small, fmt, View())
    assert "relu1" in text and "dropout1" in text


@pytest.mark.parametrize("depth", [0, 1, None])
def test_depth_selects_rows(depth: int | None) -> None:
    analysis = archstat.analyze(TOUR)
    rows = _csv(render(analysis, Format.csv, View(depth=depth)))[:-1]
    assert [r["name"] for r in rows] == [row.name for _, row in walk(analysis.rows, max_depth=depth)]
    deepest = max(int(r["depth"]) for r in rows)
    assert deepest == (depth if depth is not None else max(d for d, _ in walk(analysis.rows)))


def test_nested_rows_are_indented(small: archstat.Analysis) -> None:
    table = render(small, Format.table, View(depth=None))
    assert "\n  stage " in table and "\n    a " in table
    assert "| &nbsp;&nbsp;a |" in render(small, Format.md, View(depth=None))


# ---- cells -----------------------------------------------------------------------------------------------------

def test_cells_show_lecture_columns(small: archstat.Analysis) -> None:
    conv1 = small.find("conv1")
    assert v.cells(conv1, 0) == ["3", "32x48", "8", "3", "1", "0", "8", "30x46", "43", "0", "0"]
    fc = small.find("fc")
    assert v.cells(fc, 0)[:2] == [str(fc.input[0]), ""]  # flat input: C holds the features, H/W blank


def test_concat_join_leaves_its_inputs_blank_but_its_block_shows_them() -> None:
    analysis = archstat.analyze(TOUR)
    block, join = analysis.find("inception3a"), analysis.find("inception3a.concat")
    assert block.children and v.cells(block, 0)[:2] == [str(block.input[0]), v.spatial(block.input)]
    assert v.cells(join, 0)[:2] == ["", ""] and v.cells(join, 0)[6] == str(join.output[0])


def test_precision_gives_decimals(small: archstat.Analysis) -> None:
    assert v.cells(small.find("conv1"), 2)[-3:] == ["43.13", "0.22", "0.30"]


def test_markdown_rows_have_every_column(small: archstat.Analysis) -> None:
    lines = [line for line in render(small, Format.md, View(depth=None)).splitlines() if line.startswith("|")]
    assert len(lines) > 3
    assert {line.count(" | ") for line in lines} == {len(v.COLUMNS) - 1}


def test_json_is_the_analysis_dict(small: archstat.Analysis) -> None:
    data = json.loads(render(small, Format.json, View()))
    assert data == json.loads(json.dumps(small.to_dict()))
    assert data["schema"] == "archstat.analysis/1"


def test_summary_reads_memory_with_the_input(small: archstat.Analysis) -> None:
    t = small.totals
    lines = dict(v.summary(small))
    assert lines["Activation memory"] == (f"{v.megabytes(t.memory)} MB + input {v.megabytes(t.input_memory)} MB "
                                          f"= {v.megabytes(t.memory + t.input_memory)} MB")
    assert lines["FLOPs"] == f"{t.flops:,} ({v.billions(t.flops)} G)"


def test_megabytes_reads_the_lecture_figure() -> None:
    assert v.megabytes(96 * 1024**2 - 1) == "96.00" and v.megabytes(15_184_000 * 4, 0) == "58"


# ---- the rendered CSV adds up ----------------------------------------------------------------------------------

SPECS = [*archstat.bundled_names(), str(TOUR)]
TOTALS = ("memory_bytes", "params", "flops")


@pytest.mark.parametrize("spec", SPECS)
def test_csv_top_rows_add_up_to_the_totals(spec: str) -> None:
    rows = _csv(render(archstat.analyze(spec, side=True), Format.csv, View()))
    *body, total = rows
    assert total["kind"] == "total" and body and {r["depth"] for r in body} == {"0"}
    for key in TOTALS:
        assert sum(int(r[key]) for r in body) == int(total[key])


@pytest.mark.parametrize("spec", SPECS)
def test_csv_blocks_add_up_to_their_children(spec: str) -> None:
    *body, total = _csv(render(archstat.analyze(spec, side=True), Format.csv, View(depth=None)))
    for i, row in enumerate(body):
        depth = int(row["depth"])
        children = []
        for later in body[i + 1:]:
            if int(later["depth"]) <= depth:
                break
            if int(later["depth"]) == depth + 1:
                children.append(later)
        if children:
            for key in TOTALS:
                assert sum(int(c[key]) for c in children) == int(row[key]), (row["name"], key)
    for key in TOTALS:
        assert sum(int(r[key]) for r in body if r["depth"] == "0") == int(total[key])
