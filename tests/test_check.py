"""The spec-built torch model agrees with the analysis: shapes, parameters and FLOPs, row by row."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

import archstat
from archstat.errors import BuildError, DeviceMemoryError
from archstat.measure.build import SpecModel
from archstat.measure.check import check_spec

pytestmark = pytest.mark.slow

# fvcore needs a forward pass per spec; the two heaviest are checked once under each counter, not twice.
BUNDLED = archstat.bundled_names()


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_spec_agrees_with_torch_and_fvcore(name):
    report = check_spec(archstat.load(name))
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert report.total.torch_params == report.total.params
    assert report.total.measured_flops == report.total.flops > 0


@pytest.mark.parametrize("name", ["alexnet_paper", "googlenet", "resnet18", "se_resnet50", "lenet5", "mlp"])
def test_torch_convention_equals_flop_counter_mode(name):
    report = check_spec(archstat.load(name), counter="torch")
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]


def test_side_branches_are_built_and_checked_when_included():
    report = check_spec(archstat.load("googlenet"), archstat.Options(side=True))
    assert report.ok
    assert report.total.params == 13_378_280  # with both auxiliary classifiers


def test_submodules_are_named_after_spec_layers():
    model = archstat.build("googlenet")
    assert isinstance(model.get_submodule("inception3a.b2"), torch.nn.Conv2d)
    assert model.get_submodule("inception3a.b2").kernel_size == (3, 3)
    resnet = archstat.build("resnet50")
    assert resnet.get_submodule("layer2.0.downsample.0").stride == (2, 2)
    names = {name for name, _ in resnet.named_modules()}
    analysis = archstat.analyze("resnet50")
    leaf_rows = {row.name for row in archstat.analysis.leaves(analysis.rows) if not row.name.endswith(".add")}
    assert leaf_rows <= names


def test_meta_device_builds_shapes_without_memory():
    model = archstat.build("vgg16", device="meta")
    weight = model.get_submodule("fc6").weight
    assert weight.device.type == "meta" and tuple(weight.shape) == (4096, 25088)
    out = model(torch.zeros(2, 3, 224, 224, device="meta"))
    assert tuple(out.shape) == (2, 1000)


def test_a_batch_too_big_for_the_device_is_refused_before_allocating():
    with pytest.raises(DeviceMemoryError, match=r"vgg16 needs at least .* GiB on cpu .* use a smaller --batch"):
        archstat.build("vgg16", batch=1_000_000)


def test_a_kind_without_a_torch_builder_is_a_clear_error(monkeypatch):
    from dataclasses import replace

    from archstat.layers import REGISTRY, Torch

    monkeypatch.setitem(REGISTRY, "lrn", replace(REGISTRY["lrn"], torch=Torch()))
    with pytest.raises(BuildError, match=r"layer 'lrn1': archstat cannot build a torch module for kind 'lrn'"):
        archstat.build(archstat.parse_spec("input: [4, 8, 8]\nlayers:\n  - {lrn: lrn1, size: 3}\n"))


def test_a_disagreement_names_the_layer(monkeypatch):
    from dataclasses import replace

    from archstat.layers import REGISTRY

    wrong = replace(REGISTRY["conv"], weights=lambda site: 1)  # an engine that miscounts conv weights
    monkeypatch.setitem(REGISTRY, "conv", wrong)
    report = check_spec(archstat.load("lenet5"))
    assert not report.ok
    assert [row.name for row in report.failures] == ["conv1", "conv2", "(model)"]
    assert "params 21 != torch 520" in report.failures[0].problems[0]  # 1 weight + 20 biases vs 20x1x5x5 + 20


def test_build_returns_a_spec_module_in_eval_mode():
    model = archstat.build("lenet5")
    assert isinstance(model, SpecModel) and not model.training


SAME_AND_VALID = """\
input: [3, 12, 12]
layers:
  - {conv: odd, filters: 8, kernel: 3, padding: same}
  - {conv: even, filters: 8, kernel: [2, 4], padding: same}
  - {conv: dilated, filters: 4, kernel: 3, dilation: 2, padding: same, bias: false}
  - {conv: valid, filters: 4, kernel: 5, padding: valid}
"""


@pytest.mark.parametrize("counter", ["fvcore", "torch"])
def test_same_and_valid_padding_are_counted_as_convolutions(counter):
    # torch records a string padding as aten::_convolution_mode, which fvcore does not count; the builder
    # resolves it to numbers (and a ZeroPad2d for the uneven 'same' of an even kernel) so every counter sees it
    report = check_spec(archstat.parse_spec(SAME_AND_VALID, "pads.yaml"), counter=counter)
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert [row.shape for row in report.rows] == [(8, 12, 12), (8, 12, 12), (4, 12, 12), (4, 8, 8)]


@pytest.mark.parametrize("name", BUNDLED)
def test_buffers_are_the_built_models(name):
    # batch norm's running mean and variance (C each) and its batch counter (1), as torch's buffers() holds them
    assert archstat.analyze(name).totals.buffers == sum(b.numel() for b in archstat.build(name).buffers())
