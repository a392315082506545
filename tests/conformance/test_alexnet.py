"""The arithmetic behind the AlexNet errata; the source's own order and input for the cells that only looked wrong."""
from __future__ import annotations

import math

import pytest

import archstat

from . import alexnet
from .conventions import KB, K, M, legible, rounded, separated, truncated
from .measure import analysis, elements, floor_figure, paper_spec_text, parsed, spec_depth


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


def _cs231n():
    return parsed(alexnet.CS231N_SPEC)


def test_cs231n_spec_follows_the_walk_through_listing():
    """The walk-through lists CONV1, MAX POOL1, NORM1, CONV2, MAX POOL2, NORM2, ...: its network, in its order."""
    spec = _cs231n().spec
    weighted = [layer.name for layer in spec.layers if layer.kind in ("conv", "maxpool", "lrn", "linear")]
    assert weighted == [label.lower() for label in alexnet.CS231N_ROWS]
    kinds = [layer.kind for layer in spec.layers]
    assert kinds[:6] == ["conv", "maxpool", "lrn", "conv", "maxpool", "lrn"]


def test_cs231n_norm_after_pool_keeps_the_pooled_shapes():
    a = _cs231n()
    assert a.find("norm1").output == a.find("pool1").output == (96, 27, 27)
    assert a.find("norm2").output == a.find("pool2").output == (256, 13, 13)
    assert (alexnet.CS231N.cells["NORM1 output"], alexnet.CS231N.cells["NORM2 output"]) == ("27x27x96", "13x13x256")


def test_cs231n_order_differs_from_the_paper_spec_only_in_where_norm_sits():
    """The paper (spec 'alexnet_paper') normalises before pooling: there norm1 sees conv1's 55x55x96. Comparing
    the walk-through with that spec is what made its NORM rows look wrong."""
    paper, cs231n = analysis("alexnet_paper"), _cs231n()
    names = [layer.name for layer in paper.spec.layers]
    assert names.index("norm1") < names.index("pool1") and names.index("norm2") < names.index("pool2")
    assert paper.find("norm1").output == (96, 55, 55) and paper.find("norm2").output == (256, 27, 27)
    for name in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"):
        assert paper.find(name).output == cs231n.find(name).output
    assert paper.find("pool5").output == cs231n.find("pool3").output == (256, 6, 6)


def test_cs231n_conv1_parameters_without_and_with_bias():
    conv1 = _cs231n().find("conv1")
    assert conv1.params == 11 * 11 * 3 * 96 + 96 == 34_848 + 96
    assert rounded(34_848, K) == "35"


def _paper():
    return parsed(paper_spec_text())


def test_paper_224_input_fits_with_the_padding_its_other_layers_use():
    """Unpadded, 224 does not fit an 11x11 stride-4 window; padded by 2 (or 3), the remainder dropped, it gives
    55x55, and then every count is the one the 227 input of spec 'alexnet_paper' gives."""
    with pytest.raises(archstat.SpecError, match=r"\(224 - 11 \+ 0\) / 4 \+ 1 = 54\.25"):
        archstat.analyze("alexnet_paper", input=(3, 224, 224))
    assert (224 - 11 + 2 * 2) // 4 + 1 == (224 - 11 + 2 * 3) // 4 + 1 == 55
    at_224, at_227 = _paper(), analysis("alexnet_paper")
    assert at_224.input == (3, 224, 224) and math.prod(at_224.input) == 150_528
    assert at_224.find("conv1").output == at_227.find("conv1").output == (96, 55, 55)
    for name in alexnet.PAPER_LAYERS:
        assert at_224.find(name).output == at_227.find(name).output
    assert (at_224.totals.params, at_224.totals.flops) == (at_227.totals.params, at_227.totals.flops)


def test_paper_later_layers_need_the_padding_the_paper_never_states():
    """conv2..conv5 keep 27x27 and 13x13 only padded (2 for 5x5, 1 for 3x3), as the caption's counts say."""
    a = _paper()
    for name, pad in (("conv2", 2), ("conv3", 1), ("conv4", 1), ("conv5", 1)):
        row = a.find(name)
        assert row.columns["pad"] == pad and row.output[1:] == row.input[1:]
    assert [elements(a.find(n)) for n in ("conv2", "conv3", "conv4", "conv5")] == [186_624, 64_896, 64_896, 43_264]


def test_paper_first_layer_neurons_are_no_feature_map():
    assert 253_440 % 96 == 0 and math.isqrt(253_440 // 96) ** 2 != 253_440 // 96
    assert elements(_paper().find("conv1")) == 55 * 55 * 96 == 290_400
    unpadded = archstat.analyze("alexnet_paper", input=(3, 224, 224), fit="floor").find("conv1")
    assert elements(unpadded) == 54 * 54 * 96 != 253_440


def test_paper_neurons_in_all_is_the_floor_of_the_true_counts():
    counts = [elements(_paper().find(n)) for n in alexnet.PAPER_LAYERS]
    assert sum(counts) == 659_272
    assert floor_figure(659_272, 10_000) == 650_000 and (659_272 + 5_000) // 10_000 * 10_000 == 660_000
    # the caption's own counts, with its 253,440 for conv1, give 620,000 under either rule: the abstract's 650,000
    # follows the true conv1, the caption's figure is the one in error
    caption = sum([253_440] + counts[1:])
    assert caption == 622_312 and floor_figure(caption, 10_000) == (caption + 5_000) // 10_000 * 10_000 == 620_000


def test_paper_parameters_are_the_floor_of_60_965_224():
    params = _paper().totals.params
    assert params == analysis("alexnet_paper").totals.params == 60_965_224
    assert truncated(params, M) == "60" != rounded(params, M)
    assert truncated(analysis("alexnet_paper", bias=False).totals.params, M) == "60"  # 60,954,656
    assert rounded(analysis("alexnet").totals.params, M) == "61"  # torchvision layout: 61,100,840


def test_paper_832m_flops_are_not_reproduced():
    a = _paper()
    macs = sum(r.flops for r in a.rows if r.kind in ("conv", "linear"))
    pools = sum(r.flops for r in a.rows if r.kind == "maxpool")
    assert (macs, pools, a.totals.flops) == (724_406_816, 1_102_176, 725_508_992)
    ungrouped = parsed(paper_spec_text().replace(", groups: 2", ""))
    tried = {
        "lecture": a.totals.flops,
        "MACs only": macs,
        "groups 1": ungrouped.totals.flops,
        "torch (2 per MAC)": archstat.analyze(a.spec, flops="torch").totals.flops,
        "torchvision layout": analysis("alexnet").totals.flops,
    }
    assert {k: truncated(v, M) for k, v in tried.items()} == {
        "lecture": "725", "MACs only": "724", "groups 1": "1136", "torch (2 per MAC)": "1448",
        "torchvision layout": "717"}
    assert "832" not in {f(v, M) for v in tried.values() for f in (truncated, rounded)}


def test_paper_has_seven_hidden_layers():
    assert spec_depth(analysis("alexnet_paper").spec) == 8


def test_worked_fc6_counts():
    fc6 = analysis("alexnet").find("fc6")
    assert fc6.flops == 9216 * 4096 and separated(fc6.flops, ".") == "37.748.736"
