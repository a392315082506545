"""Identity branches, splits, widths read off in_channels and side-branch parameters, proven on real models:
archstat's build agrees with torch and fvcore row by row, and with torchvision's own DenseNet and ShuffleNet-V2
blocks in parameters, FLOPs and output once the weights are copied across."""
from __future__ import annotations

import textwrap

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

from test_language import DENSE  # the dense block the language tests work out by hand

import archstat
from archstat.expr import evaluate
from archstat.measure.check import check_spec
from archstat.measure.counters import fvcore_by_module

pytestmark = pytest.mark.slow


# ShuffleNet-V2's units as torchvision writes them (shufflenetv2.InvertedResidual): stride 2 runs two branches on
# the whole input, stride 1 splits the channels in half and passes the first half on; both end in a shuffle.
SHUFFLE = """\
    input: [8, 7, 7]
    blocks:
      down:
        params: [out]
        layers:
          - concat: cat
            branches:
              - - {conv: dw1, filters: $in_channels, kernel: 3, stride: 2, padding: 1, groups: $in_channels,
                   bias: false}
                - batchnorm
                - {conv: conv, filters: "${out // 2}", kernel: 1, bias: false}
                - batchnorm
                - relu
              - - {conv: conv1, filters: "${out // 2}", kernel: 1, bias: false}
                - batchnorm
                - relu
                - {conv: dw, filters: "${out // 2}", kernel: 3, stride: 2, padding: 1, groups: "${out // 2}",
                   bias: false}
                - batchnorm
                - {conv: conv2, filters: "${out // 2}", kernel: 1, bias: false}
                - batchnorm
                - relu
          - {channel_shuffle: shuffle, groups: 2}
      unit:
        params: {half: "${in_channels // 2}"}
        layers:
          - split: split
            branches:
              - []
              - - {conv: conv1, filters: $half, kernel: 1, bias: false}
                - batchnorm
                - relu
                - {conv: dw, filters: $half, kernel: 3, padding: 1, groups: $half, bias: false}
                - batchnorm
                - {conv: conv2, filters: $half, kernel: 1, bias: false}
                - batchnorm
                - relu
          - {channel_shuffle: shuffle, groups: 2}
    layers:
      - {down: stage2_0, out: 16}
      - repeat: 2
        layers: [{unit: "stage2_{i}"}]
    """

UNEVEN_SPLIT = """\
    input: [10, 5, 5]
    layers:
      - split: s
        channels: [3, 7]
        branches:
          - [{conv: a, filters: 4, kernel: 3, padding: 1}]
          - [{conv: b, filters: 2, kernel: 1}, relu]
      - {slice: head, start: 1, stop: 5}
      - global_avgpool
      - flatten
      - {fc: fc, features: 3}
    """


def spec(text: str) -> archstat.Spec:
    return archstat.parse_spec(textwrap.dedent(text), "structures.yaml")


CASES = {"dense": DENSE, "shuffle": SHUFFLE, "uneven_split": UNEVEN_SPLIT}


@pytest.mark.parametrize("counter", ["fvcore", "torch"])
@pytest.mark.parametrize("name", CASES)
def test_the_built_model_agrees_with_torch_and_the_counters_row_by_row(name, counter):
    report = check_spec(spec(CASES[name]), counter=counter)
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert report.total.torch_params == report.total.params > 0
    slices = [row for row in report.rows if row.kind == "slice"]
    assert all(row.torch_shape == row.shape for row in slices)  # hooks see every slice op


def test_the_language_tour_agrees_with_torch_and_fvcore():
    report = check_spec(archstat.load_spec("tests/data/language_tour.yaml"))
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]


def _copied(ours: torch.nn.Module, reference: torch.nn.Module) -> None:
    """Random weights and statistics in the reference, copied across in order (the spec follows its layout)."""
    theirs, mine = reference.state_dict(), ours.state_dict()
    assert [tuple(t.shape) for t in theirs.values()] == [tuple(t.shape) for t in mine.values()]
    torch.manual_seed(0)
    with torch.no_grad():
        for (name, source), target in zip(theirs.items(), mine.values()):
            if "running_var" in name:
                source.uniform_(0.5, 1.5)
            elif source.is_floating_point():
                source.normal_()
            target.copy_(source)


def _equal_to(text: str, reference: torch.nn.Module) -> None:
    loaded = spec(text)
    analysis = archstat.analyze(loaded, flops="fvcore")
    ours, reference = archstat.build(loaded), reference.eval()
    _copied(ours, reference)
    x = torch.randn(2, *analysis.input)
    assert analysis.totals.params == sum(p.numel() for p in reference.parameters())
    assert analysis.totals.flops == fvcore_by_module(reference, x[:1])[""]
    with torch.no_grad():
        expected, got = reference(x), ours(x)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()


def test_a_dense_block_and_transition_equal_torchvisions():
    densenet = pytest.importorskip("torchvision.models.densenet")
    reference = torch.nn.Sequential(densenet._DenseBlock(3, 8, bn_size=2, growth_rate=4, drop_rate=0),
                                    densenet._Transition(20, 10))
    _equal_to(DENSE, reference)


def test_shufflenet_v2_units_with_a_channel_split_equal_torchvisions():
    shufflenet = pytest.importorskip("torchvision.models.shufflenetv2")
    unit = shufflenet.InvertedResidual
    _equal_to(SHUFFLE, torch.nn.Sequential(unit(8, 16, 2), unit(16, 16, 1), unit(16, 16, 1)))


def test_make_divisible_is_torchvisions():
    utils = pytest.importorskip("torchvision.models._utils")
    for i in range(1, 400):
        v = i * 0.37
        for divisor in (1, 3, 4, 8, 16):
            for min_value in (None, 16):
                call = f"make_divisible({v!r}, {divisor}" + (f", {min_value})" if min_value else ")")
                assert evaluate(f"${{{call}}}", {}) == utils._make_divisible(v, divisor, min_value), call


def test_side_params_builds_the_auxiliary_heads_without_running_them():
    googlenet = archstat.load("googlenet")
    full, none = (archstat.analyze(googlenet, side=side, flops="fvcore") for side in (True, False))
    report = check_spec(googlenet, archstat.Options(side="params"))
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert report.total.params == report.total.torch_params == full.totals.params == 13_378_280
    assert report.total.flops == report.total.measured_flops == none.totals.flops  # fvcore never sees them run
    model = archstat.build(googlenet, side="params")
    aux = model.get_submodule("aux1.classifier.fc1")
    assert isinstance(aux, torch.nn.Linear)
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 224, 224))
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (1, 1000)  # the main output alone
