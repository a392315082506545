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
from rich.console import Console, RenderableType

import archstat
from archstat.analysis import Row
from archstat.render import Format, View, live, render, render_grid, render_list
from archstat.render import view as v
from archstat.render.grid import Grid
from archstat.render.text import RULE

TOUR = Path(__file__).parent / "data" / "language_tour.yaml"
SPECS = [*archstat.bundled_names(), str(TOUR)]

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


# Three numbers too small for any lecture unit: 12 bytes out, 15 params, 12 multiply-adds.
TINY = """
name: tiny
input: [4]
layers:
  - {fc: fc, features: 3}
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
    assert "2 rows with no memory, params or FLOPs (in place, identity or dropout)" in text
    assert "2 rows with no memory, params or FLOPs (in place, identity or dropout)" in render(small, Format.md, View())


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
    names = [r["name"] for r in rows]
    top = ["conv1", "inception3a", "layer1", "se", "global_avgpool1", "flatten1", "fc"]  # the tour's own entries
    assert [n for n in names if "." not in n] == top
    if depth == 0:
        assert names == top
    else:  # the inception module opens into its four branches and the concat, the gate into its layers
        assert names[2:16] == ["inception3a.b1", "inception3a.relu1", "inception3a.b2_reduce", "inception3a.relu2",
                               "inception3a.b2", "inception3a.relu3", "inception3a.b3_reduce", "inception3a.relu4",
                               "inception3a.b3", "inception3a.relu5", "inception3a.b4_pool", "inception3a.b4",
                               "inception3a.relu6", "inception3a.concat"]
        assert "se.mul" in names and "layer1.0" in names
    deepest = max(int(r["depth"]) for r in rows)
    assert deepest == (depth if depth is not None else 3)  # layer1.0.res.conv1 is three levels down


def test_nested_rows_are_indented(small: archstat.Analysis) -> None:
    table = render(small, Format.table, View(depth=None))
    assert "\n  stage " in table and "\n    a " in table
    assert "| &nbsp;&nbsp;a |" in render(small, Format.md, View(depth=None))


# ---- cells -----------------------------------------------------------------------------------------------------

def test_cells_show_lecture_columns(small: archstat.Analysis) -> None:
    conv1 = small.find("conv1")
    assert v.cells(conv1, v.Units(), 0) == ["conv", "3", "32x48", "8", "3", "1", "0", "8", "30x46", "43", "0", "0"]
    fc = small.find("fc")
    assert v.cells(fc, v.Units(), 0)[:3] == ["linear", str(fc.input[0]), ""]  # flat: C holds the features, no H/W


def test_concat_join_leaves_its_inputs_blank_but_its_block_shows_them() -> None:
    analysis = archstat.analyze(TOUR)
    block, join = analysis.find("inception3a"), analysis.find("inception3a.concat")
    lecture = v.Units()
    assert block.children and v.cells(block, lecture, 0)[:3] == ["inception", "64", "32"]  # reads 64 x 32 x 32
    assert v.cells(join, lecture, 0)[:3] == ["concat", "", ""] and v.cells(join, lecture, 0)[7] == "256"  # 64+128+32+32


def test_precision_gives_decimals(small: archstat.Analysis) -> None:
    assert v.cells(small.find("conv1"), v.Units(), 2)[-3:] == ["43.13", "0.22", "0.30"]
    assert v.cells(small.find("conv1"), v.Units(v.B, v.ONE, v.K), 2)[-3:] == ["44,160", "224", "298.08"]


def test_markdown_rows_have_every_column(small: archstat.Analysis) -> None:
    lines = [line for line in render(small, Format.md, View(depth=None)).splitlines() if line.startswith("|")]
    assert len(lines) > 3
    assert {line.count(" | ") for line in lines} == {12}  # Layer + 12 columns, the table's thirteen
    assert lines[0].startswith("| Layer | kind | C in | H/W in | filters | kernel | stride | pad | C out | H/W out |")


def test_json_is_the_analysis_dict(small: archstat.Analysis) -> None:
    data = json.loads(render(small, Format.json, View()))
    assert data["schema"] == "archstat.analysis/1"
    conv1 = data["rows"][0]  # 8 filters 3x3 on 3x32x48: 8 x 30 x 46 out
    assert (conv1["name"], conv1["output"], conv1["params"]) == ("conv1", [8, 30, 46], 8 * 3 * 9 + 8)
    assert (conv1["memory_bytes"], conv1["flops"]) == (8 * 30 * 46 * 4, 8 * 30 * 46 * 27)
    assert data["totals"]["params"] == sum(r["params"] for r in data["rows"])


def test_summary_reads_memory_with_the_input() -> None:
    lines = dict(v.summary(archstat.analyze("alexnet")))
    # 2,432,160 B of activations and 618,348 B of input (3 x 227 x 227 x 4)
    assert lines["Activation memory"] == "2.32 MB + input 0.59 MB = 2.91 MB"
    assert lines["FLOPs"] == "717,571,328 (0.72 G)"


def test_megabytes_reads_the_lecture_figure() -> None:
    assert v.megabytes(96 * 1024**2 - 1) == "96.00" and v.megabytes(15_184_000 * 4, 0) == "58"


# ---- units scaled to each column -------------------------------------------------------------------------------

LECTURE = ("Memory (KB)", "Params (k)", "FLOP (M)")
CLASSIC = ["alexnet", "alexnet_paper", "vgg16", "googlenet", "googlenet_torchvision", "resnet18", "resnet34",
           "resnet50", "resnet101", "resnet152"]


def _analysis(spec: str) -> archstat.Analysis:
    return archstat.analyze(archstat.parse_spec(spec, "t.yaml") if "\n" in spec else archstat.load(spec))


def _numeric_headers(layout: v.Layout) -> tuple[str, ...]:
    return tuple(header for header, _ in layout.columns[-3:])


def _row(memory: int = 0, params: int = 0, flops: int = 0) -> Row:
    return Row("r", "conv", (1, 1, 1), (1, 1, 1), memory, params, flops, 1)


@pytest.mark.parametrize("spec", CLASSIC)
@pytest.mark.parametrize("depth", [0, None])
def test_classic_tables_keep_the_lecture_units(spec: str, depth: int | None) -> None:
    assert _numeric_headers(v.layout(archstat.analyze(spec), View(depth=depth))) == LECTURE
    assert _numeric_headers(v.layout(archstat.analyze(spec, bias=False), View(depth=depth))) == LECTURE


@pytest.mark.parametrize(("spec", "headers"), [
    ("lenet5", ("Memory (KB)", "Params (k)", "FLOP (k)")),
    ("mlp", ("Memory (B)", "Params (k)", "FLOP (k)")),
    (SMALL, ("Memory (KB)", "Params (k)", "FLOP (k)")),
    (TINY, ("Memory (B)", "Params", "FLOP")),
])
def test_small_models_step_down_from_the_lecture_units(spec: str, headers: tuple[str, ...]) -> None:
    analysis = _analysis(spec)
    assert _numeric_headers(v.layout(analysis, View())) == headers
    header_line = render(analysis, Format.table, View()).splitlines()[2]
    assert header_line.split("   ")[-3:] == [f" {h}".strip() for h in headers]


def test_mlp_memory_column_shows_bytes_not_zeros() -> None:
    lines = render(archstat.analyze("mlp"), Format.table, View()).splitlines()
    assert [line.split()[-3] for line in lines[4:7]] == ["400", "400", "40"]
    assert lines[8].split() == ["total", "840", "101", "101"]
    assert _csv(render(archstat.analyze("mlp"), Format.csv, View()))[0]["memory_bytes"] == "400"  # CSV stays raw


def test_tiny_model_shows_plain_counts_without_decimals() -> None:
    layout = v.layout(_analysis(TINY), View(precision=2))
    assert layout.body[0][2][-3:] == ["12", "15", "12"] and layout.footer[-3:] == ["12", "15", "12"]


@pytest.mark.parametrize("spec", [*SPECS, SMALL, TINY])
def test_each_number_column_shows_its_largest_value_with_two_digits(spec: str) -> None:
    layout = v.layout(_analysis(spec), View(depth=None))
    for k, ladder in zip((-3, -2, -1), (v.MEMORY_UNITS, v.PARAM_UNITS, v.FLOP_UNITS)):
        largest = max(_number(cells[k]) for _, _, cells in layout.body)
        bottom = v.header(layout.columns[k][0].split(" (")[0], ladder[-1])
        assert largest >= 10 or layout.columns[k][0] == bottom, (layout.columns[k][0], largest)


@pytest.mark.parametrize(("field", "value", "places", "unit"), [
    ("memory", 10 * 1024 - 513, 0, "B"), ("memory", 10 * 1024 - 512, 0, "KB"),  # 9.4995 KB shows 9, 9.5 shows 10
    ("memory", 0, 0, "B"), ("params", 9_499, 0, ""), ("params", 9_500, 0, "k"),
    ("flops", 9_499_999, 0, "k"), ("flops", 9_500_000, 0, "M"), ("flops", 9_499, 0, ""),
    ("flops", 9_940_000, 1, "k"), ("flops", 9_950_000, 1, "M"),  # with decimals, 9.9 M is below 10, 10.0 is not
])
def test_a_column_steps_down_while_its_largest_value_shows_below_10(field: str, value: int, places: int,
                                                                      unit: str) -> None:
    units = v.table_units([_row(), _row(**{field: value}), _row(**{field: value // 3})], places)
    assert getattr(units, field).name == unit


@pytest.mark.parametrize(("spec", "memory", "params", "flops"), [
    ("alexnet", "2.32 MB + input 0.59 MB = 2.91 MB", "61,100,840 (61.10 M), all trainable", "717,571,328 (0.72 G)"),
    ("lenet5", "135.98 KB + input 3.06 KB = 139.04 KB", "1,256,080 (1.26 M), all trainable", "6,547,480 (6.55 M)"),
    ("mlp", "0.82 KB + input 3.91 KB = 4.73 KB", "101,000 (0.10 M), all trainable", "101,000 (0.10 M)"),
    (TINY, "12 B + input 16 B = 28 B", "15, all trainable", "12"),
])
def test_summary_units_follow_the_figures(spec: str, memory: str, params: str, flops: str) -> None:
    lines = dict(v.summary(_analysis(spec)))
    assert (lines["Activation memory"], lines["Params"], lines["FLOPs"]) == (memory, params, flops)


# ---- rules span the table --------------------------------------------------------------------------------------

def _rich_lines(renderable: RenderableType, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def _assert_rules_span_the_grid(lines: list[str]) -> None:
    """Each rule starts where the header's text starts and ends where the widest line of the grid ends."""
    rules = [i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {RULE}]
    assert rules, lines
    grid = lines[rules[0] - 1:rules[-1] + 2] if len(rules) > 1 else lines[rules[0] - 1:]
    grid = grid[:next((i for i, line in enumerate(grid) if not line), len(grid))]
    header = grid[0]
    for i in rules:
        assert lines[i].index(RULE) == len(header) - len(header.lstrip())
        assert len(lines[i]) == max(len(line) for line in grid)


GRID = Grid("Report", (("name", "left"), ("value", "right"), ("note", "left")),
            [["a", "1", "a longer note"], ["bb", "22", "x"]], [], {})


@pytest.mark.parametrize("spec", ["alexnet", "lenet5", "mlp", SMALL])
def test_table_rules_span_exactly_the_table(spec: str) -> None:
    analysis, view = _analysis(spec), View(depth=None)
    _assert_rules_span_the_grid(render(analysis, Format.table, view).splitlines())
    _assert_rules_span_the_grid(_rich_lines(live.analysis_table(analysis, view), 300))


def test_list_and_grid_rules_span_exactly_the_table() -> None:
    entries = [v.Entry(name, name, archstat.analyze(name)) for name in ("alexnet", "mlp")]
    _assert_rules_span_the_grid(render_list(entries, Format.table).splitlines())
    _assert_rules_span_the_grid(_rich_lines(live.list_table(entries), 300))
    _assert_rules_span_the_grid(render_grid(GRID, Format.table).splitlines())
    _assert_rules_span_the_grid(_rich_lines(live.grid_table(GRID), 300))


@pytest.mark.parametrize("spec", ["alexnet", "googlenet", SMALL])
@pytest.mark.parametrize("width", [None, 80])
def test_plain_text_is_the_rich_table_without_colour(spec: str, width: int | None) -> None:
    analysis, view = _analysis(spec), View(depth=None, width=width)
    plain = render(analysis, Format.table, view).splitlines()
    assert _rich_lines(live.analysis_table(analysis, view), width or 300) == plain


# ---- tables that fit a width -----------------------------------------------------------------------------------

NARROW = [pytest.param("alexnet", 0, id="alexnet"), pytest.param("resnet50", None, id="resnet50-expand"),
          pytest.param("googlenet", 0, id="googlenet"), pytest.param("googlenet", None, id="googlenet-expand")]


def _headers(layout: v.Layout) -> list[str]:
    return [header.split(" (")[0] for header, _ in layout.columns]


@pytest.mark.parametrize(("spec", "depth"), NARROW)
def test_tables_fit_80_columns(spec: str, depth: int | None) -> None:
    analysis, view = archstat.analyze(spec), View(depth=depth, width=80)
    text = render(analysis, Format.table, view)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Left out to fit 80 columns: " in text and "A wider terminal shows every column" in " ".join(text.split())
    console = Console(width=80, file=io.StringIO(), color_system=None)
    table = live.analysis_table(analysis, view)
    assert console.measure(table, options=console.options.update(max_width=10**6)).maximum <= 80  # rich, no fallback
    assert all(len(line) <= 80 and "\u2026" not in line for line in _rich_lines(table, 80))
    _assert_rules_span_the_grid(text.splitlines())
    _assert_rules_span_the_grid(_rich_lines(table, 80))


@pytest.mark.parametrize(("spec", "depth"), NARROW)
def test_narrow_tables_keep_every_number(spec: str, depth: int | None) -> None:
    analysis = archstat.analyze(spec)
    wide, narrow = v.layout(analysis, View(depth=depth)), v.layout(analysis, View(depth=depth, width=80))
    kept = [_headers(wide).index(name) for name in _headers(narrow)]
    assert [[cells[i - 1] for i in kept[1:]] for _, _, cells in wide.body] == [c for _, _, c in narrow.body]
    assert {"Layer", "C out", "H/W out", "Memory", "Params", "FLOP"} <= set(_headers(narrow))


def test_alexnet_at_80_columns_keeps_the_kernel_and_drops_what_other_columns_repeat() -> None:
    layout = v.layout(archstat.analyze("alexnet"), View(width=80))
    assert _headers(layout) == ["Layer", "kernel", "C out", "H/W out", "Memory", "Params", "FLOP"]
    assert layout.notes[-2:] == ["Left out to fit 80 columns: kind, C in, H/W in, filters, stride, pad. A wider",
                                 "terminal shows every column, as do a pipe (| less -S) and --output."]


def test_columns_drop_in_order_as_the_width_shrinks() -> None:
    analysis, every = archstat.analyze("resnet50"), [name for name, _ in v.COLUMNS]
    seen = []
    for width in range(160, 20, -1):
        dropped = [name for name in every if name not in _headers(v.layout(analysis, View(width=width)))]
        assert set(dropped) == set(v.DROP_ORDER[:len(dropped)]), width
        seen.append(len(dropped))
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == len(v.DROP_ORDER)


@pytest.mark.parametrize("width", [None, 200])
def test_a_table_that_fits_keeps_every_column(width: int | None) -> None:
    analysis = archstat.analyze("alexnet")
    text = render(analysis, Format.table, View(width=width))
    assert text == render(analysis, Format.table, View()) and "Left out" not in text
    assert _headers(v.layout(analysis, View(width=width))) == [name for name, _ in v.COLUMNS]


@pytest.mark.parametrize("fmt", [Format.md, Format.csv, Format.json])
def test_other_formats_ignore_the_width(fmt: Format) -> None:
    analysis = archstat.analyze("googlenet")
    assert render(analysis, fmt, View(width=80)) == render(analysis, fmt, View())


# ---- the rendered CSV adds up ----------------------------------------------------------------------------------

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


def test_huge_values_are_scaled_exactly_without_a_decimal_context() -> None:
    assert v.scaled(10**40 + 500, 1000, 0) == f"{10**37 + 1:,}"  # 10^37 + 0.5 rounds half up
    assert v.scaled(25 * 10**27 + 5, 10, 0) == f"{25 * 10**26 + 1:,}"  # 26 digits, rounded once
    assert v.scaled(-1_500, 1000, 0) == "-2" and v.scaled(1_049, 1000, 1) == "1.0"
