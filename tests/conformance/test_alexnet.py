"""The arithmetic behind the AlexNet errata: each published number is shown to be inconsistent, not just different."""
from __future__ import annotations

import math

import pytest

import archstat

from . import alexnet
from .conventions import KB, K, M, legible, rounded, separated, truncated
from .measure import analysis, elements, parsed, spec_depth


@pytest.mark.parametrize("name, published", [("fc6", "37749"), ("fc7", "16777"), ("fc8", "4096")])
def test_lecture_fc_params_leave_out_the_bias(name, published):
    with_bias = analysis("alexnet").find(name)
    weights = analysis("alexnet", bias=False).find(name)
    assert rounded(weights.params, K) == published
    assert rounded(with_bias.params, K) != published
    assert with_bias.params - weights.params == with_bias.output[0]


@pytest.mark.parametrize("name", ["conv1", "conv2", "conv3", "conv4", "conv5"])
def test_lecture_conv_params_agree_with_or_without_bias(name):
    cell = alexnet.TABLE.cells[f"{name} Params (k)"]
    assert rounded(analysis("alexnet").find(name).params, K) == cell
    assert rounded(analysis("alexnet", bias=False).find(name).params, K) == cell


def test_lecture_conv1_worked_params_count_the_bias():
    assert analysis("alexnet").find("conv1").params == 64 * 3 * 11 * 11 + 64 == 23_296


def test_lecture_fc6_arithmetic_swaps_two_digits():
    published = alexnet.WORKED.cells["fc6 params = 9216 x 4096 + 4096"].replace(".", "")
    true = str(9216 * 4096 + 4096)
    assert true == str(analysis("alexnet").find("fc6").params) == "37752832"
    assert published != true and sorted(published) == sorted(true)
    assert sum(p != t for p, t in zip(published, true)) == 2


def test_lecture_conv4_flop_digits_fit_only_truncation():
    flops = analysis("alexnet").find("conv4").flops
    assert flops == 256 * 13 * 13 * 384 * 3 * 3 == 149_520_384
    assert not legible("14?", rounded(flops, M)) and legible("14?", truncated(flops, M))
    # the rest of the column is rounded, not truncated
    for name, cell in [("conv1", "73"), ("fc6", "38")]:
        flops = analysis("alexnet").find(name).flops
        assert rounded(flops, M) == cell != truncated(flops, M)
    assert legible("10?", rounded(analysis("alexnet").find("conv5").flops, M))


def test_lecture_memory_rounds_half_up():
    """conv3: 384 x 13 x 13 x 4 / 1024 = 253.5 KB, printed 254."""
    memory = analysis("alexnet").find("conv3").memory
    assert memory * 2 == 507 * KB and rounded(memory, KB) == "254"


def test_lecture_pool1_flops_round_to_zero():
    assert analysis("alexnet").find("pool1").flops == 419_904
    assert alexnet.TABLE.cells["pool1 FLOP (M)"] == rounded(419_904, M) == "0"


def _swap_norm_and_pool(text: str) -> str:
    lines = text.splitlines(keepends=True)
    for norm, pool in (("norm1", "pool1"), ("norm2", "pool2")):
        i = next(i for i, line in enumerate(lines) if f"lrn: {norm}" in line)
        j = next(i for i, line in enumerate(lines) if f"maxpool: {pool}" in line)
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def test_cs231n_norm_shapes_come_from_pooling_first():
    spec = analysis("alexnet_paper").spec
    names = [layer.name for layer in spec.layers]
    assert names.index("norm1") < names.index("pool1") and names.index("norm2") < names.index("pool2")
    caffenet = parsed(_swap_norm_and_pool(open(spec.file, encoding="utf-8").read()))
    assert caffenet.find("norm1").output == (96, 27, 27) and caffenet.find("norm2").output == (256, 13, 13)
    assert caffenet.totals.params == analysis("alexnet_paper").totals.params


def test_paper_224_input_does_not_fit():
    with pytest.raises(archstat.SpecError, match=r"\(224 - 11 \+ 0\) / 4 \+ 1 = 54\.25"):
        archstat.analyze("alexnet_paper", input=(3, 224, 224))
    assert 224 * 224 * 3 == 150_528
    assert analysis("alexnet_paper").find("conv1").output == (96, 55, 55)


def test_paper_first_layer_neurons_are_no_feature_map():
    assert 253_440 % 96 == 0 and math.isqrt(253_440 // 96) ** 2 != 253_440 // 96
    assert elements(analysis("alexnet_paper").find("conv1")) == 55 * 55 * 96 == 290_400
    floored = archstat.analyze("alexnet_paper", input=(3, 224, 224), fit="floor").find("conv1")
    assert elements(floored) == 54 * 54 * 96 != 253_440


def test_paper_neurons_in_all():
    a = analysis("alexnet_paper")
    counts = [elements(a.find(n)) for n in alexnet.PAPER_LAYERS]
    assert sum(counts) == 659_272
    assert sum([253_440] + counts[1:]) == 622_312


def test_paper_parameters_truncate_to_60m():
    params = analysis("alexnet_paper").totals.params
    assert params == 60_965_224
    assert rounded(params, M) == "61" and truncated(params, M) == "60"
    assert rounded(analysis("alexnet").totals.params, M) == "61"  # torchvision layout: 61,100,840


def test_paper_832m_flops_are_not_reproduced():
    a = analysis("alexnet_paper")
    macs = sum(r.flops for r in a.rows if r.kind in ("conv", "linear"))
    pools = sum(r.flops for r in a.rows if r.kind == "maxpool")
    assert (macs, pools, a.totals.flops) == (724_406_816, 1_102_176, 725_508_992)
    ungrouped = parsed(open(a.spec.file, encoding="utf-8").read().replace(", groups: 2", ""))
    tried = {
        "lecture": a.totals.flops,
        "MACs only": macs,
        "groups 1": ungrouped.totals.flops,
        "torch (2 per MAC)": archstat.analyze("alexnet_paper", flops="torch").totals.flops,
        "torchvision layout": analysis("alexnet").totals.flops,
    }
    assert {k: rounded(v, M) for k, v in tried.items()} == {
        "lecture": "726", "MACs only": "724", "groups 1": "1136", "torch (2 per MAC)": "1449",
        "torchvision layout": "718"}
    assert "832" not in {rounded(v, M) for v in tried.values()}


def test_paper_has_seven_hidden_layers():
    assert spec_depth(analysis("alexnet_paper").spec) == 8


def test_worked_fc6_counts():
    fc6 = analysis("alexnet").find("fc6")
    assert fc6.flops == 9216 * 4096 and separated(fc6.flops, ".") == "37.748.736"
