"""`archstat check` and `archstat conventions` on the command line: tables, exit codes, messages."""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace

import pytest
from cli_runner import cli_runner

pytest.importorskip("torch")
pytest.importorskip("fvcore")

import archstat
from archstat.cli import app
from archstat.cli.options import Counter
from archstat.measure.counters import COUNTERS

pytestmark = pytest.mark.slow

runner = cli_runner()

BAD = "input: [3, 8, 8]\nlayers:\n  - {conv: c1, filters: 4, kernel: 9}\n"


def test_check_one_spec_prints_a_verdict_per_row():
    result = runner.invoke(app, ["check", "lenet5"])
    assert result.exit_code == 0, result.stderr
    assert "conv1" in result.stdout and "DIFFERS" not in result.stdout
    assert "10 rows checked, 0 differ" in result.stdout  # conv, relu, pool twice; flatten, fc1, relu, fc2
    assert result.stderr == ""


def test_check_several_specs_as_json():
    result = runner.invoke(app, ["check", "lenet5", "mlp", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "archstat.check/1" and data["ok"] is True
    mlp = next(m for m in data["models"] if m["model"] == "mlp")
    assert mlp["params"] == mlp["torch_params"] == 101_000  # 1000x100 + 100x10, no biases
    assert mlp["flops"] == mlp["measured_flops"] == 101_000


def test_check_exits_1_naming_the_layer_that_disagrees(monkeypatch):
    from archstat.layers import REGISTRY

    monkeypatch.setitem(REGISTRY, "linear", replace(REGISTRY["linear"], biases=lambda site: 0))
    result = runner.invoke(app, ["check", "lenet5"])
    assert result.exit_code == 1
    assert "lenet5: layer 'fc1': params 1,225,000 != torch 1,225,500" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_without_a_spec_is_a_usage_error():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "name a spec to check, or give --bundled" in result.stderr


def test_check_bundled_checks_every_bundled_spec(tmp_path, monkeypatch):
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text(f"name: {name}\ninput: [10]\nlayers: [{{fc: f, features: 5}}]\n")
    monkeypatch.setattr("archstat.bundled.bundled_dir", lambda: tmp_path)
    result = runner.invoke(app, ["check", "--bundled", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert [m["model"] for m in json.loads(result.stdout)["models"]] == ["one", "two"]


def test_counter_names_are_the_counters():
    assert [c.value for c in Counter] == list(COUNTERS)


def test_torch_counter_does_without_fvcore(monkeypatch):
    monkeypatch.setitem(sys.modules, "fvcore", None)  # import fvcore now raises ImportError
    result = runner.invoke(app, ["check", "lenet5", "--counter", "torch"])
    assert result.exit_code == 0, result.stderr
    refused = runner.invoke(app, ["check", "lenet5"])
    assert refused.exit_code == 2 and "archstat check --counter fvcore needs fvcore" in refused.stderr


def test_check_reports_each_bad_spec_and_checks_the_rest(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["check", "lenet5", str(bad), "mlp", "-f", "json"])
    assert result.exit_code == 1
    assert [m["model"] for m in json.loads(result.stdout)["models"]] == ["lenet5", "mlp"]
    assert result.stderr.startswith(f"{bad}:3: layer 'c1': kernel 9 is larger than the padded input")
    assert len(result.stderr.splitlines()) == 1


def test_check_exits_with_the_worst_code(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["check", str(bad), "nosuchnet", "mlp"])
    assert result.exit_code == 2
    assert "no spec file 'nosuchnet'" in result.stderr and f"{bad}:3:" in result.stderr
    assert "mlp" in result.stdout and "1 of 1 models agree on every row" in result.stdout


def test_check_of_a_bad_spec_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{bad}:3: layer 'c1': kernel 9 is larger than the padded input" in result.stderr


def test_conventions_csv_matches_each_convention_total():
    result = runner.invoke(app, ["conventions", "alexnet", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = {r["convention"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == set(archstat.layers.CONVENTIONS)
    for name, row in rows.items():
        assert int(row["flops"]) == archstat.analyze("alexnet", flops=name).totals.flops
    assert int(rows["torch"]["conv"]) == 2 * int(rows["fvcore"]["conv"])
    # torchinfo adds one per bias use: every conv output element and every fc output
    assert int(rows["torchinfo"]["flops"]) - int(rows["fvcore"]["flops"]) == (
        64 * 56 * 56 + 192 * 27 * 27 + 384 * 13 * 13 + 2 * 256 * 13 * 13 + 4096 + 4096 + 1000 - 9216)


def test_conventions_table_explains_each_convention():
    result = runner.invoke(app, ["conventions", "resnet18"])
    assert result.exit_code == 0, result.stderr
    for name in archstat.layers.CONVENTIONS:
        assert f"{name}: " in result.stdout
    assert "batchnorm" in result.stdout


def test_conventions_of_a_missing_spec_exits_2():
    result = runner.invoke(app, ["conventions", "nosuchnet"])
    assert result.exit_code == 2
    assert "no spec file 'nosuchnet'" in result.stderr


def test_check_of_a_model_too_big_for_the_device_exits_2():
    result = runner.invoke(app, ["check", "vgg16", "--batch", "1000000"])
    assert result.exit_code == 2
    assert "vgg16 needs at least" in result.stderr and "GiB; use a smaller --batch" in result.stderr
    assert "Traceback" not in result.stderr
