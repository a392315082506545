"""The hand-counted one-layer cases of test_flop_rules, built in torch and measured by the real tools.

torch gives each layer's output shape and parameter count; fvcore and FlopCounterMode its FLOPs row by row
(`check_spec`); torchinfo, thop and ptflops the model's total. Every tool's number must equal both archstat's and
the number written by hand in the case, at batch 1 and, where the tool counts per image, at batch 2.
"""
from __future__ import annotations

import contextlib
import io

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

from test_flop_rules import CASES, spec_of

import archstat
from archstat.measure.check import check_spec

pytestmark = pytest.mark.slow

ONE_LAYER = [case for case in CASES if case.row == "probe"]  # the model's total is that layer's count


def _input(spec: archstat.Spec, batch: int):
    return torch.zeros(batch, *archstat.analyze(spec).input)


def torchinfo_total(spec: archstat.Spec, batch: int) -> int:
    torchinfo = pytest.importorskip("torchinfo")
    return torchinfo.summary(archstat.build(spec), input_data=_input(spec, batch), verbose=0).total_mult_adds


def thop_total(spec: archstat.Spec, batch: int) -> int:
    thop = pytest.importorskip("thop")
    reported, _ = thop.profile(archstat.build(spec), inputs=(_input(spec, batch),), verbose=False)
    return int(reported)


def ptflops_total(spec: archstat.Spec, batch: int) -> int:
    """ptflops at batch 1 only: above it, its module hooks average over the batch and its patches do not."""
    ptflops = pytest.importorskip("ptflops")
    assert batch == 1
    shape = tuple(archstat.analyze(spec).input)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        reported, _ = ptflops.get_model_complexity_info(archstat.build(spec), shape, as_strings=False,
                                                        print_per_layer_stat=False, backend="pytorch")
    return reported


PEERS = {"torchinfo": (torchinfo_total, (1, 2)), "thop": (thop_total, (1, 2)), "ptflops": (ptflops_total, (1,))}


@pytest.mark.parametrize("counter", ["fvcore", "torch"])
@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("case", ONE_LAYER, ids=lambda c: c.id)
def test_torch_and_the_flop_counters_agree_with_the_hand_count(case, batch, counter):
    report = check_spec(spec_of(case), archstat.Options(batch=batch), counter=counter)
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    (row,) = report.rows
    assert (row.torch_shape, row.torch_params) == (case.output, case.params)
    if counter not in case.differs:
        assert row.measured_flops == report.total.measured_flops == batch * case.flops[counter]


# thop truncates its adaptive-pooling count once for the whole batch, archstat once per image, times the batch:
# 13x13 -> 3x3 on 2 channels at batch 2 is int(355.99999999999994 x 2) = 711 in thop, 2 x 355 = 710 in archstat.
BATCH_TRUNCATION = {("adaptive-avgpool-thop-truncation", "thop", 2)}


def _peer_cases() -> list:
    return [pytest.param(case, peer, batch, id=f"{case.id}-{peer}-b{batch}",
                         marks=[pytest.mark.xfail(strict=True, reason="thop truncates over the whole batch")]
                         if (case.id, peer, batch) in BATCH_TRUNCATION else [])
            for case in ONE_LAYER for peer in sorted(PEERS) for batch in PEERS[peer][1]
            if peer not in case.differs]


@pytest.mark.parametrize("case, peer, batch", _peer_cases())
def test_the_peer_counters_agree_with_the_hand_count(case, peer, batch):
    count, _ = PEERS[peer]
    expected = batch * case.flops[peer]
    assert archstat.analyze(spec_of(case), flops=peer, batch=batch).totals.flops == expected
    assert count(spec_of(case), batch) == expected


# The new kinds inside structures, as the model families use them: ConvNeXt's block (a residual whose body ends
# in a layer scale), MobileNet-V3's hardsigmoid gate, ShuffleNet's shuffle and mean, EfficientNet's SiLU.
FAMILIES = """\
input: [8, 12, 12]
layers:
  - {conv: stem, filters: 16, kernel: 2, stride: 2}
  - layernorm
  - residual: block
    body:
      - {conv: dw, filters: 16, kernel: 7, padding: 3, groups: 16}
      - {layernorm: norm, eps: 1.0e-6}
      - {conv: pw1, filters: 64, kernel: 1}
      - gelu
      - {conv: pw2, filters: 16, kernel: 1}
      - layer_scale
  - {groupnorm: gn, groups: 4}
  - hardswish
  - scale: se
    gate: [global_avgpool, {conv: fc1, filters: 4, kernel: 1}, relu6, {conv: fc2, filters: 16, kernel: 1}, hardsigmoid]
  - {channel_shuffle: shuffle, groups: 4}
  - {instancenorm: inorm, affine: true}
  - swish
  - mish
  - identity
  - mean
  - layernorm
  - {fc: fc, features: 10}
"""


@pytest.mark.parametrize("counter", ["fvcore", "torch"])
def test_the_new_kinds_in_structures_check_out_row_by_row(counter):
    report = check_spec(archstat.parse_spec(FAMILIES, "families.yaml"), archstat.Options(batch=2), counter=counter)
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert report.total.measured_flops > 0


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_the_new_kinds_in_structures_agree_with_the_peers(peer):
    spec = archstat.parse_spec(FAMILIES, "families.yaml")
    assert PEERS[peer][0](spec, 1) == archstat.analyze(spec, flops=peer).totals.flops


def _built(layer: str, shape: str):
    return archstat.build(archstat.parse_spec(f"input: [{shape}]\nlayers:\n  - {layer}\n", "probe.yaml")).probe


def test_layernorm_on_a_feature_map_is_torchvisions_layernorm2d():
    convnext = pytest.importorskip("torchvision.models.convnext")
    ours, theirs = _built("{layernorm: probe, eps: 1.0e-6}", "8, 5, 5"), convnext.LayerNorm2d(8, eps=1e-6)
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours.load_state_dict(theirs.state_dict())  # the same names: weight and bias of C each
    x = torch.randn(2, 8, 5, 5)
    assert isinstance(ours, torch.nn.LayerNorm) and torch.equal(ours(x), theirs(x))


def test_layer_scale_holds_its_gamma_as_convnext_does():
    convnext = pytest.importorskip("torchvision.models.convnext")
    block = convnext.CNBlock(8, layer_scale=1e-6, stochastic_depth_prob=0.0)
    ours = _built("{layer_scale: probe}", "8, 5, 5")
    assert ours.layer_scale.shape == block.layer_scale.shape == (8, 1, 1)
    assert torch.equal(ours.layer_scale, block.layer_scale)
    x = torch.randn(2, 8, 5, 5)
    assert torch.equal(ours(x), block.layer_scale * x)


def test_channel_shuffle_and_mean_compute_what_shufflenet_computes():
    shufflenet = pytest.importorskip("torchvision.models.shufflenetv2")
    x = torch.randn(2, 12, 3, 3)
    assert torch.equal(_built("{channel_shuffle: probe, groups: 3}", "12, 3, 3")(x), shufflenet.channel_shuffle(x, 3))
    assert torch.equal(_built("{mean: probe}", "12, 3, 3")(x), x.mean([2, 3]))
    assert torch.equal(_built("{mean: probe, keepdim: true}", "12, 3, 3")(x), x.mean([2, 3], keepdim=True))
