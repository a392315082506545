"""What a new user meets first: a light install, templates to start from, short reprs, helpful suggestions."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cli_runner import cli_runner

import archstat
from archstat.cli import app

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
ROOT = Path(__file__).resolve().parent.parent
runner = cli_runner()


def test_the_plain_install_needs_no_torch_pandas_or_matplotlib():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("<")[0].split("=")[0] for dep in project["dependencies"]}
    assert names == {"typer", "rich", "pyyaml"}
    extras = project["optional-dependencies"]
    assert {"torch", "frames", "report", "torchvision", "all", "test"} <= set(extras)


def test_show_prints_a_bundled_spec_to_start_from(tmp_path):
    result = runner.invoke(app, ["show", "resnet18"])
    assert result.exit_code == 0 and result.stdout.startswith("# ResNet-18")
    mine = tmp_path / "mine.yaml"
    assert runner.invoke(app, ["show", "resnet18", "-o", str(mine)]).exit_code == 0
    assert archstat.analyze(str(mine)).totals.params == 11_689_512


def test_show_tour_prints_the_language_tour():
    result = runner.invoke(app, ["show", "--tour"])
    assert result.exit_code == 0
    spec = archstat.parse_spec(result.stdout, "tour.yaml")
    assert archstat.analyze(spec).find("inception3a").kind == "concat"


@pytest.mark.parametrize("args", [["show"], ["show", "alexnet", "--tour"]])
def test_show_wants_one_spec_or_the_tour(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "name a spec to show, or give --tour" in result.stderr


def test_a_mis_cased_name_is_suggested():
    result = runner.invoke(app, ["table", "VGG16"])
    assert result.exit_code == 2 and "did you mean 'vgg16'?" in result.stderr


def test_an_analysis_reads_in_one_line_and_prints_as_its_table():
    analysis = archstat.analyze("resnet50")
    assert repr(analysis) == ("<Analysis resnet50: 3x224x224 -> 1000, 25,557,032 params, 4,091,090,944 FLOPs "
                              "(lecture), 89,735,072 B of activations; batch 1, fp32; 175 ops>")
    assert str(analysis).startswith("ResNet-50 (torchvision layout): input 3x224x224, output 1000\n")
    html = analysis._repr_html_()
    # the header, conv1, bn1, maxpool, layer1..4, avgpool, flatten, fc (relu hidden, as in the text), the total
    assert html.count("<tr>") == 1 + 10 + 1 and "<td" in html and "layer4" in html


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(archstat.ToolError, match=r"pip install 'archstat\[frames\]'"):
        archstat.analyze("lenet5").to_frame()
