"""The ResNet GFLOP column: which layout and which rounding each published figure fits."""
from __future__ import annotations

import pytest

from . import resnet
from .conventions import G, rounded, truncated
from .measure import analysis, parsed, projections, resnet_flops

PUBLISHED = {depth: resnet.TABLE.cells[f"{model} GFLOP"] for model, depth in resnet.DEPTHS.items()}


def _v1(depth: int):
    return parsed(resnet.v1_spec(depth))


@pytest.mark.parametrize("depth", resnet.V1_DEPTHS)
def test_v1_moves_flops_not_parameters(depth):
    v1, v15 = _v1(depth), analysis(resnet.SPEC[depth])
    assert v1.totals.params == v15.totals.params
    assert v1.totals.flops < v15.totals.flops
    # the paper strides the first 1x1, so the 3x3 already works on the halved map
    assert v1.find("layer2.0.conv1").output[1:] == (28, 28)
    assert v15.find("layer2.0.conv1").output[1:] == (56, 56)
    assert v1.output == v15.output == (1000,)


def test_bundled_layout_gives_torchvision_flops():
    """torchvision's layout (v1.5) is what the bundled specs count; the published column is the paper's (v1)."""
    got = {depth: rounded(analysis(ref).totals.flops, G, 1) for depth, ref in resnet.SPEC.items()}
    assert got == {18: "1.8", 34: "3.7", 50: "4.1", 101: "7.8", 152: "11.5"}


def test_v1_flops():
    assert {d: _v1(d).totals.flops for d in resnet.V1_DEPTHS} == {
        50: 3_859_879_936, 101: 7_572_101_120, 152: 11_284_322_304}


@pytest.mark.parametrize("depth, published_flops", [(18, 1_796_637_184), (34, 3_646_325_248)])
def test_basic_depths_count_identity_shortcuts(depth, published_flops):
    """Option A: identity shortcuts, zero-padded where the width grows, add no multiply-adds; the bundled specs'
    three 1x1 projections (option B) are what the paper's 18- and 34-layer figures leave out."""
    a = analysis(resnet.SPEC[depth])
    found = projections(a)
    assert [r.name for r in found] == [f"layer{i}.0.downsample.0" for i in (2, 3, 4)]
    assert {r.flops for r in found} == {6_422_528}  # C x 2C on (H/2 x W/2): 128 x 28 x 28 x 64, ...
    assert resnet_flops(depth) == a.totals.flops - 3 * 6_422_528 == published_flops
    assert rounded(resnet_flops(depth), G, 1) == PUBLISHED[depth]


def test_resnet34_with_projections_would_round_to_3_7():
    a = analysis("resnet34")
    assert a.totals.flops == 3_665_592_832
    assert rounded(a.totals.flops, G, 1) == "3.7" != PUBLISHED[34] == rounded(resnet_flops(34), G, 1)


def test_resnet50_3_8_fits_no_shortcut_option_rounded():
    v1 = _v1(50)
    option_a = v1.totals.flops - sum(r.flops for r in projections(v1))
    assert (v1.totals.flops, option_a) == (3_859_879_936, 3_500_218_368)
    assert {rounded(f, G, 1) for f in (v1.totals.flops, option_a, analysis("resnet50").totals.flops)} == \
        {"3.9", "3.5", "4.1"}
    assert truncated(v1.totals.flops, G, 1) == PUBLISHED[50]


def test_no_single_rounding_gives_the_whole_column():
    flops = {depth: resnet_flops(depth) for depth in resnet.SPEC}
    half_up = {d for d, f in flops.items() if rounded(f, G, 1) != PUBLISHED[d]}
    cut = {d for d, f in flops.items() if truncated(f, G, 1) != PUBLISHED[d]}
    assert half_up == {50}
    assert cut == {18, 101, 152}  # ResNet-18: 1.797 G cut is 1.7


def test_basic_block_is_18_hwc2_and_bottleneck_cheaper():
    """A basic block on C x H x W: two 3x3 convs, 18HWC^2. A bottleneck block of width C on 4C: 17HWC^2."""
    basic = analysis("resnet18").find("layer2.1")
    C, H, W = basic.output
    assert basic.flops == 18 * H * W * C * C
    bottleneck = analysis("resnet50").find("layer2.1")
    C4, H, W = bottleneck.output
    C = C4 // 4
    assert bottleneck.flops == (4 + 9 + 4) * H * W * C * C
