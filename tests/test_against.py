"""`archstat check --against`: a spec against the real model (torchvision's or any factory's), not its own build."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli_runner import cli_runner

pytest.importorskip("torch")
pytest.importorskip("fvcore")
torchvision = pytest.importorskip("torchvision")

from test_torchvision import TWINS  # every bundled spec with a torchvision twin, and its constructor

import archstat
from archstat.cli import app
from archstat.measure.against import TOLERANCE, check_against

pytestmark = pytest.mark.slow

runner = cli_runner()
HELPERS = Path(__file__).parent  # against_models.py: the factories these tests check against
ALEXNET = archstat.load("alexnet")


@pytest.fixture(autouse=True)
def _helpers_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HELPERS))


def _check(*args: str):
    return runner.invoke(app, ["check", *args])


def _variant(tmp_path: Path, spec: str, old: str, new: str) -> str:
    """A copy of a bundled spec with one deliberate mistake in it."""
    text = Path(archstat.load(spec).file).read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / f"{spec}_wrong.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("spec, constructor", [t[:2] for t in TWINS], ids=[t[0] for t in TWINS])
def test_every_twin_equals_its_torchvision_model_with_the_weights_copied(spec, constructor):
    result = _check(spec, "--against", f"torchvision:{constructor}", "--weights", "copy", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["first"] is None
    total = data["total"]
    assert total["params"] == total["reference_params"] == archstat.analyze(spec).totals.params + sum(
        row.params for row in archstat.analyze(spec, side=True).rows if row.kind == "side")
    assert total["flops"] == total["reference_flops"] == archstat.analyze(spec, flops="fvcore").totals.flops
    output = data["output"]
    assert output["copied"] > 0 and output["uncopied"] == []
    assert output["max_abs"] <= 1e-5 * max(1.0, output["max_abs_reference"])
    assert all(row["verdict"] in ("ok", "not seen") for row in data["rows"])


def test_a_wrong_activation_fails_at_that_layer(tmp_path):
    path = _variant(tmp_path, "alexnet", "  - relu\n  - {maxpool: pool1", "  - tanh\n  - {maxpool: pool1")
    result = _check(path, "--against", "torchvision:alexnet", "--weights", "copy")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == ("alexnet: first difference at layer 'tanh1' (model: features.1, matched by order): "
                        "a tanh (Tanh) where the model runs ReLU")
    assert "outputs after copying the weights: max abs difference" in result.stderr and "beyond the tolerance" in \
        result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_layer_names_the_module_the_spec_lacks(tmp_path):
    path = _variant(tmp_path, "alexnet", "  - {conv: conv4, filters: 256, kernel: 3, padding: 1}\n  - relu\n", "")
    result = _check(path, "--against", "torchvision:alexnet")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "alexnet: first difference: the model runs features.10 (Conv2d, output 256x13x13, 590,080 params) after "
        "layer 'relu4', and the spec has no layer for it")
    assert "totals: params 60,510,760 != model 61,100,840" in result.stderr  # conv5 of 256 x 256 x 3 x 3 + 256
    assert "(missing)" in result.stdout


def test_a_wrong_kernel_fails_at_the_first_layer_it_changes(tmp_path):
    path = _variant(tmp_path, "resnet18", "{conv: conv2, filters: $width, kernel: 3, padding: 1, bias: false}",
                    "{conv: conv2, filters: $width, kernel: 1, bias: false}")
    result = _check(path, "--against", "torchvision:resnet18")
    assert result.exit_code == 1
    # the first basic block's second convolution: 64 x 64 x 1 x 1 instead of x 3 x 3
    assert result.stderr.splitlines()[0] == (
        "resnet18: first difference at layer 'layer1.0.conv2' (model: layer1.0.conv2, matched by name): "
        "params 4,096 != model 36,864; FLOPs 12,845,056 != model 115,605,504")
    assert "7 more layers differ after it" in result.stderr  # every block's conv2


def test_a_wrong_activation_in_a_named_model_is_matched_by_name():
    report = check_against(archstat.load("lenet5"), "against_models:lenet5_tanh")
    assert not report.ok
    assert report.first is not None and report.first.name == "relu2" and report.first.reference == "relu2"
    assert report.first.problems == ["a relu (ReLU) where the model runs Tanh"]


def test_a_model_with_the_spec_names_is_matched_by_name_and_outputs_agree():
    result = _check("lenet5", "--against", "against_models:lenet5_named", "--weights", "copy", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["matched"] == {"name": 10}
    assert {row["match"] for row in data["rows"][:-1]} == {"name"}
    assert data["output"]["max_abs"] == 0.0 and data["output"]["copied"] == 4


def test_the_torch_counter_and_a_batch_work_too():
    result = _check("lenet5", "--against", "against_models:lenet5_named", "--counter", "torch", "--batch", "3",
                    "-f", "json")
    assert result.exit_code == 0, result.stderr
    total = json.loads(result.stdout)["total"]
    assert total["flops"] == total["reference_flops"] == 3 * archstat.analyze("lenet5", flops="torch").totals.flops


def test_functional_calls_are_not_seen_and_said_so():
    result = _check("lenet5", "--against", "against_models:FunctionalLeNet5", "--weights", "copy")
    assert result.exit_code == 0, result.stderr
    assert "not seen by the model's module hooks, so compared only in the totals: 3 relu, 2 maxpool, 1 flatten" \
        in result.stdout
    assert "layers matched by order: 4 (the model's leaf modules in execution order" in result.stdout


def test_auxiliary_heads_count_in_sum_numel_but_not_in_the_flops():
    result = _check("googlenet_torchvision", "--against", "against_models:googlenet_with_aux", "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["first"] is None  # every layer agrees
    total = data["total"]
    assert (total["params"], total["reference_params"]) == (6_624_904, 13_004_888)
    assert total["flops"] == total["reference_flops"]  # eval mode runs the main path only
    assert result.stderr.strip() == (
        "googlenet_torchvision: totals: params 6,624,904 != model 13,004,888 (the model's sum(numel) 13,004,888 "
        "includes 6,379,984 params in modules its forward pass never ran (aux1 3,188,968, aux2 3,191,016), and "
        "its FLOPs leave them out; without them it holds 6,624,904)")


def test_torchvision_googlenet_is_built_without_aux_heads_as_the_spec_has_none():
    report = check_against(archstat.load("googlenet_torchvision"), "torchvision:googlenet")
    assert report.ok and report.trace.unrun == ()
    assert "aux_logits=False" in report.reference.built


def test_a_side_branch_counts_in_the_params_as_an_unrun_head_does_and_not_in_the_flops():
    spec = archstat.parse_spec(
        "name: aux\ninput: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 4, kernel: 3, padding: 1}\n"
        "  - side: head\n    layers: [flatten, {fc: fc, features: 2}]\n  - flatten\n  - {fc: out, features: 5}\n",
        "aux.yaml")
    report = check_against(spec, "against_models:TinyWithAux", weights=True)
    assert report.ok, [layer.problems for layer in report.layers]
    assert report.side == (("head", 256 * 2 + 2),) and report.trace.unrun == (("head", 514),)
    assert report.total.params == report.total.ref_params == 112 + 514 + 1285
    assert report.total.flops == report.total.ref_flops == 4 * 27 * 64 + 256 * 5  # the head's FLOPs in neither
    notes = report.notes()
    assert any(note.startswith("the spec's params total counts its side branches (head 514)") for note in notes)
    assert "without them it holds 1,397" in report.unrun_note()


SHORTCUT_FIRST = """\
name: shortcut_first
input: [3, 8, 8]
layers:
  - residual: res
    body:
      - {conv: a, filters: 8, kernel: 3, padding: 1}
      - batchnorm
      - relu
      - {conv: b, filters: 8, kernel: 3, padding: 1}
      - batchnorm
    shortcut:
      - {conv: proj, filters: 8, kernel: 1}
      - batchnorm
  - relu
  - global_avgpool
  - flatten
  - {fc: fc, features: 4}
"""


def test_parallel_paths_the_model_runs_in_another_order_are_matched_in_its_order(tmp_path):
    spec = tmp_path / "shortcut_first.yaml"
    spec.write_text(SHORTCUT_FIRST, encoding="utf-8")
    result = _check(str(spec), "--against", "against_models:ShortcutFirst", "--weights", "copy", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    twins = {row["name"]: row["reference"] for row in data["rows"]}
    assert twins["res.proj"] == "proj.0" and twins["res.a"] == "body.0"
    assert data["output"]["max_abs"] == 0.0
    assert ("the model runs the parallel paths of 1 structure in another order than the spec writes them (res)"
            in " ".join(data["notes"]))


def test_a_mean_the_hooks_cannot_see_is_compared_in_the_totals_and_said_so(tmp_path):
    spec = tmp_path / "shortcut_first.yaml"
    spec.write_text(SHORTCUT_FIRST, encoding="utf-8")
    result = _check(str(spec), "--against", "against_models:MeanHead", "--weights", "copy")
    assert result.exit_code == 1
    # convs 13,824 + 36,864 + 1,536, batch norms 3 x 2 x 512, fc 32, and 512 for the pooling, which fvcore counts
    # for adaptive average pooling (C x H x W) but not for x.mean: only the total can differ
    assert result.stderr.strip() == "shortcut_first: totals: FLOPs 55,840 != model 55,328"
    assert "1 adaptive_avgpool, 1 add, 1 flatten, 1 relu" in result.stdout and "they count 512 FLOPs" in result.stdout
    assert "max abs difference 0 " in result.stdout


@pytest.mark.parametrize("ref, message", [
    ("torchvision:nope", "error: torchvision has no model 'nope'"),
    ("torchvision:alexnt", "error: torchvision has no model 'alexnt'; did you mean 'alexnet'?"),
    ("nosuch.module:f", "error: cannot import 'nosuch.module' for --against nosuch.module:f: ModuleNotFoundError: "
                        "No module named 'nosuch'"),
    ("against_models:broken", "error: the reference against_models:broken could not be built: RuntimeError: this "
                              "factory needs a checkpoint that is not there"),
    ("against_models:not_a_module", "error: the reference against_models:not_a_module is not a torch.nn.Module: "
                                    "against_models.not_a_module() returned int"),
    ("against_models:nothere", "error: 'against_models' has no 'nothere' to build the reference "
                               "against_models:nothere"),
    ("alexnet", "error: --against takes torchvision:NAME or module.path:factory, got 'alexnet'"),
])
def test_a_reference_that_cannot_be_built_exits_2_with_one_message(ref, message):
    result = _check("alexnet", "--against", ref)
    assert result.exit_code == 2
    assert result.stderr.strip() == message and result.stdout == ""


def test_a_model_that_does_not_run_on_the_spec_input_exits_2():
    result = _check("lenet5", "--against", "torchvision:alexnet")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: torchvision:alexnet: the model did not run on the spec's input 1x1x28x28:")
    assert len(result.stderr.splitlines()) == 1


def test_a_factory_module_in_the_working_directory_is_found(tmp_path, monkeypatch):
    (tmp_path / "my_lenet.py").write_text("from against_models import lenet5_named as make\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "my_lenet", raising=False)
    assert str(tmp_path) not in sys.path
    result = _check("lenet5", "--against", "my_lenet:make")
    assert result.exit_code == 0, result.stderr
    assert str(tmp_path) not in sys.path  # put on the path for the import only
    monkeypatch.delitem(sys.modules, "my_lenet", raising=False)


def test_usage_errors_of_against_exit_2():
    alone = _check("alexnet", "--weights", "copy")
    assert alone.exit_code == 2 and "--weights copy needs --against" in alone.stderr
    several = _check("alexnet", "vgg11", "--against", "torchvision:alexnet")
    assert several.exit_code == 2 and "--against checks one spec against one model" in several.stderr
    bundled = _check("--bundled", "--against", "torchvision:alexnet")
    assert bundled.exit_code == 2


def test_a_spec_that_cannot_be_loaded_is_reported_before_the_model_is_built(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [3, 8, 8]\nlayers:\n  - {conv: c1, filters: 4, kernel: 9}\n", encoding="utf-8")
    result = _check(str(bad), "--against", "torchvision:nope")
    assert result.exit_code == 1
    assert f"{bad}:3: layer 'c1': kernel 9 is larger than the padded input" in result.stderr
    assert "nope" not in result.stderr


def test_the_table_says_how_each_layer_was_matched():
    result = _check("resnet18", "--against", "torchvision:resnet18", "--depth", "3", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {line.split(",")[1]: line for line in result.stdout.splitlines()[1:]}
    assert ",conv1,name," in rows["conv1"]  # the spec's names are torchvision's, down to the blocks' layers
    assert ",layer1.0.conv1,name," in rows["layer1.0.conv1"]
    assert ",layer2.0.downsample.0,name," in rows["layer2.0.downsample.0"]


def test_the_cli_tolerance_is_the_library_default():
    import typer

    from archstat.cli.checking import commands

    option = next(p for p in typer.main.get_command(commands).params if p.name == "tolerance")
    assert option.default == TOLERANCE
