"""Every layer kind in the registry is complete, and its rules give the hand-computed numbers."""
from __future__ import annotations

from dataclasses import replace

import pytest

import archstat
from archstat.layers import KINDS, LAYER_KINDS, REGISTRY


def test_a_rule_for_an_unknown_convention_is_refused():
    from archstat.layers import counted, zero

    with pytest.raises(KeyError, match="fvcor"):
        counted(fvcor=zero)


def test_a_name_or_alias_taken_twice_is_refused():
    from archstat.layers import make_registry

    fc = replace(REGISTRY["conv"], name="fc")  # 'fc' is already linear's alias
    with pytest.raises(ValueError, match="'fc' is taken by both 'linear' and 'fc'"):
        make_registry((*KINDS, fc))
    with pytest.raises(ValueError, match="'relu' is taken by both"):
        make_registry((*KINDS, replace(REGISTRY["tanh"], name="hardtanh", aliases=("relu",))))


def test_a_kind_must_count_under_every_convention():
    from archstat.layers import make_registry

    partial = replace(REGISTRY["conv"], name="conv3d", flops={"lecture": REGISTRY["conv"].flops["lecture"]})
    with pytest.raises(ValueError, match="'conv3d' must give a FLOP rule for every convention"):
        make_registry((*KINDS, partial))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_says_what_it_is_and_how_torch_builds_it(kind):
    assert kind.doc.strip()
    assert (kind.torch.combine if kind.join else kind.torch.build) is not None, kind.name


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_counting_rule_is_named_and_says_what_it_counts(kind):
    for what, rule in kind.count_rules().items():
        assert rule.__name__ != "<lambda>", f"{kind.name} {what}"
        assert (rule.__doc__ or "").strip(), f"{kind.name} {what}: {rule.__name__} has no docstring"


def test_convention_descriptions_are_read_off_the_rules():
    from archstat.conventions import describe

    text = describe("thop")
    assert "softmax: (3C - 1) per position" in text and "batchnorm: 4 per input element (2 without affine)" in text
    assert "maxpool" not in text  # thop counts max pooling as 0
    assert "conv: 2 x (C_out x H' x W' x (C_in / groups) x K x K multiply-adds)" in describe("torch")
    ptflops = describe("ptflops")
    assert "gelu: 2 x (one per input element)" in ptflops and "silu: one per input element" in ptflops
    assert "hardswish" not in ptflops and "layer_scale" not in describe("fvcore")
    assert "layernorm: 4 per input element on a flat input (2 without affine); 0 on a feature map" in text


@pytest.mark.parametrize("layer, shape, message", [
    ("{groupnorm: probe, groups: 3}", "8, 10, 10", "8 channels do not split into 3 groups"),
    ("{channel_shuffle: probe, groups: 3}", "8, 10, 10", "8 channels do not split into 3 groups"),
    ("{channel_shuffle: probe, groups: 2}", "32", "channel_shuffle needs a feature map"),
    ("{mean: probe}", "32", "mean needs a feature map"),
    ("{instancenorm: probe}", "32", "instancenorm needs a feature map"),
    ("{gelu: probe, approximate: fast}", "8, 10, 10", "field 'approximate' must be 'none' or 'tanh', got 'fast'"),
    ("{groupnorm: probe}", "8, 10, 10", "groupnorm needs 'groups'"),
])
def test_new_kinds_refuse_what_torch_would_refuse(layer, shape, message):
    with pytest.raises(archstat.SpecError, match=message):
        _row(layer, shape=shape)


@pytest.mark.parametrize("name", sorted(LAYER_KINDS))
def test_every_layer_kind_can_be_written_with_only_its_required_fields(name):
    kind = LAYER_KINDS[name]
    required = {f.name: 4 for f in kind.fields if f.required}
    flat = name in ("linear", "fc")
    fields = ", ".join(f"{k}: {v}" for k, v in required.items())
    entry = f"{{{name}: probe{', ' + fields if fields else ''}}}"
    text = f"input: [{'32' if flat else '8, 10, 10'}]\nlayers:\n  - {entry}\n"
    analysis = archstat.analyze(archstat.parse_spec(text, "probe.yaml"), fit="floor")
    assert analysis.find("probe").kind == kind.name  # an alias is reported under the kind's own name


def _row(layer: str, shape: str = "8, 10, 10", batch: int = 2, flops: str = "lecture"):
    text = f"input: [{shape}]\nlayers:\n  - {layer}\n"
    return archstat.analyze(archstat.parse_spec(text, "probe.yaml"), batch=batch, flops=flops).find("probe")


# Reference counts below were read off fvcore 0.1.5 (FlopCountAnalysis) and torch's FlopCounterMode on the
# same layers with a batch of 2; the lecture numbers follow the lecture formulas.
@pytest.mark.parametrize("convention, expected", [("lecture", 57_600), ("fvcore", 57_600), ("torch", 115_200)])
def test_grouped_conv_flops(convention, expected):
    # C_out x H' x W' x (C_in / groups) x K x K x batch = 16 x 10 x 10 x 2 x 9 x 2
    row = _row("{conv: probe, filters: 16, kernel: 3, padding: 1, groups: 4}", flops=convention)
    assert row.flops == expected
    assert row.params == 16 * 2 * 3 * 3 + 16
    assert row.output == (16, 10, 10)


@pytest.mark.parametrize("convention, expected", [("lecture", 0), ("fvcore", 3_200), ("torch", 0)])
def test_batchnorm_flops(convention, expected):
    row = _row("{batchnorm: probe}", flops=convention)  # fvcore: 2 per input element at inference
    assert row.flops == expected
    assert row.params == 16


@pytest.mark.parametrize("convention, expected", [("lecture", 64), ("fvcore", 64), ("torch", 128)])
def test_linear_flops_leave_out_the_bias(convention, expected):
    row = _row("{linear: probe, features: 4}", shape="8", flops=convention)
    assert row.flops == expected
    assert row.params == 8 * 4 + 4


@pytest.mark.parametrize("convention, expected", [("lecture", 1_600), ("fvcore", 1_600), ("torch", 0)])
def test_global_average_pooling_flops(convention, expected):
    # lecture: C x 1 x 1 x (10 x 10) per sample; fvcore: one per input element
    assert _row("{global_avgpool: probe}", flops=convention).flops == expected


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
def test_pooling_counts_only_under_the_lecture_convention(kind):
    # lecture: C x H' x W' x K x K = 8 x 5 x 5 x 4, batch 2; fvcore and torch count nothing for pooling
    assert _row(f"{{{kind}: probe, kernel: 2}}").flops == 1_600
    assert _row(f"{{{kind}: probe, kernel: 2}}", flops="fvcore").flops == 0


def test_adaptive_pooling_with_uneven_bins_sums_each_window():
    # torch's bins for 10 -> 3: [0,4) [3,7) [6,10): 4 + 4 + 4 = 12 per axis; 8 x 12 x 12 per sample
    assert _row("{adaptive_avgpool: probe, output: 3}", batch=1).flops == 8 * 12 * 12


def test_in_place_relu_stores_nothing_but_sigmoid_does():
    assert _row("{relu: probe}").memory == 0
    assert _row("{relu: probe, inplace: false}", batch=1).memory == 8 * 10 * 10 * 4
    assert _row("{sigmoid: probe}", batch=1).memory == 8 * 10 * 10 * 4


@pytest.mark.parametrize("alias, kind, layer, shape", [
    ("fc", "linear", "features: 4", "8"), ("global_avgpool", "adaptive_avgpool", "output: 1", "8, 10, 10"),
    ("swish", "silu", "inplace: false", "8, 10, 10")])
def test_an_alias_counts_exactly_as_its_kind(alias, kind, layer, shape):
    rows = [_row(f"{{{name}: probe, {layer}}}", shape=shape) for name in (alias, kind)]
    assert rows[0] == rows[1] and rows[0].kind == kind
