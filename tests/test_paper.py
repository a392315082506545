"""`archstat table --paper`: GoogLeNet's Table 1 layout, its depth column and branch widths."""
from __future__ import annotations

import csv
import io

import pytest
from cli_runner import cli_runner

import archstat
from archstat.cli import app
from archstat.render.paper import paper_grid

runner = cli_runner()


def _rows(spec: str, **options) -> dict[str, dict[str, str]]:
    grid = paper_grid(archstat.analyze(spec, **options))
    return {record["name"]: record for record in grid.records}


def test_googlenet_rows_read_like_table_1():
    rows = _rows("googlenet", bias=False)
    assert rows["inception3a"]["type"] == "inception (3a)"
    assert rows["inception3a"]["output"] == "28x28x256"
    assert [rows["inception4e"][b] for b in ("n1x1", "n3x3red", "n3x3", "n5x5red", "n5x5", "pool_proj")] == [
        256, 160, 320, 32, 128, 128]
    assert {rows[f"inception{m}"]["depth"] for m in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")} == {2}
    assert rows["conv1"]["depth"] == rows["fc"]["depth"] == 1 and rows["pool1"]["depth"] == 0
    assert rows["inception3a"]["params"] == 163_328  # the branch arithmetic of Table 1, weights only
    assert rows["dropout"]["type"] == "dropout (40%)"


@pytest.mark.parametrize("spec, layers", [
    ("resnet18", [4, 4, 4, 4]), ("resnet34", [6, 8, 12, 6]), ("resnet50", [9, 12, 18, 9]),
    ("resnet101", [9, 12, 69, 9]), ("resnet152", [9, 24, 108, 9]),
])
def test_depth_of_each_resnet_stage_is_the_published_layer_count(spec, layers):
    rows = _rows(spec)
    assert [rows[f"layer{i}"]["depth"] for i in range(1, 5)] == layers


def test_paper_layout_on_the_command_line(golden):
    result = runner.invoke(app, ["table", "googlenet", "--paper", "--format", "md"])
    assert result.exit_code == 0, result.stderr
    golden("table_googlenet_paper.md", result.stdout)
    data = runner.invoke(app, ["table", "googlenet", "--paper", "--format", "csv"]).stdout
    parsed = list(csv.DictReader(io.StringIO(data)))
    assert sum(int(r["params"]) for r in parsed) == 6_990_272  # Table 1 counts weights: 6,998,552 less the biases


def test_a_reduce_and_its_convolution_share_one_line_as_conv2_does_in_table_1():
    rows = _rows("googlenet", bias=False)
    conv2 = rows["conv2"]
    assert conv2["rows"] == ["conv2_reduce", "conv2"] and "conv2_reduce" not in rows
    assert (conv2["n3x3red"], conv2["n3x3"], conv2["depth"]) == (64, 192, 2)
    assert conv2["params"] == 64 * 64 + 192 * 64 * 9  # 112K in units of 1024


def test_branch_columns_appear_only_for_inception_modules():
    grid = paper_grid(archstat.analyze("resnet50"))
    assert [header for header, _ in grid.columns] == ["type", "patch size/stride", "output size", "depth", "params",
                                                      "ops"]


def test_paper_layout_defaults_to_table_1s_conventions_unless_told_otherwise():
    default = runner.invoke(app, ["table", "googlenet", "--paper", "--format", "json"]).stdout
    told = runner.invoke(app, ["table", "googlenet", "--paper", "--bias", "--flops", "lecture", "-f", "json"]).stdout
    options = [__import__("json").loads(text)["options"] for text in (default, told)]
    assert [(o["flops"], o["bias"]) for o in options] == [("macs", False), ("lecture", True)]
