"""The ResNet GFLOP column: which layout and which rounding each published figure fits."""
from __future__ import annotations

import pytest

from archstat.analysis import leaves

from . import resnet
from .conventions import G, rounded, truncated
from .measure import analysis, parsed, resnet_flops

PUBLISHED = {depth: resnet.TABLE.cells[f"{model} GFLOP"] for model, depth in resnet.DEPTHS.items()}


def _v1(depth: int):
    return parsed(resnet.v1_spec(depth))


@pytest.mark.parametrize("depth", resnet.V1_DEPTHS)
def test_v1_moves_flops_not_parameters(depth):
    v1, v15 = _v1(depth), analysis(resnet.SPEC[depth])
    assert v1.totals.params == v15.totals.params
    assert v1.totals.flops < v15.totals.flops
    # the paper strides the first 1x1, so the 3x3 already works on the halved map
    assert v1.find("layer2.0.res.conv1").output[1:] == (28, 28)
    assert v15.find("layer2.0.res.conv1").output[1:] == (56, 56)
    assert v1.output == v15.output == (1000,)


def test_bundled_layout_gives_torchvision_flops():
    """torchvision's layout (v1.5) is what the bundled specs count; the published column is the paper's (v1)."""
    got = {depth: rounded(analysis(ref).totals.flops, G, 1) for depth, ref in resnet.SPEC.items()}
    assert got == {18: "1.8", 34: "3.7", 50: "4.1", 101: "7.8", 152: "11.5"}


def test_v1_flops():
    assert {d: _v1(d).totals.flops for d in resnet.V1_DEPTHS} == {
        50: 3_859_879_936, 101: 7_572_101_120, 152: 11_284_322_304}


def test_resnet34_without_projection_shortcuts():
    a = analysis("resnet34")
    projections = [r for r in leaves(a.rows) if r.name.endswith(".downsample")]
    assert len(projections) == 3 and {r.flops for r in projections} == {6_422_528}
    identity_only = a.totals.flops - sum(r.flops for r in projections)
    assert identity_only == 3_646_325_248
    assert rounded(identity_only, G, 1) == PUBLISHED[34] != rounded(a.totals.flops, G, 1)
    assert truncated(a.totals.flops, G, 1) == PUBLISHED[34]


def test_no_single_rounding_gives_the_whole_column():
    flops = {depth: resnet_flops(depth) for depth in resnet.SPEC}
    half_up = {d for d, f in flops.items() if rounded(f, G, 1) != PUBLISHED[d]}
    cut = {d for d, f in flops.items() if truncated(f, G, 1) != PUBLISHED[d]}
    assert half_up == {34, 50}
    assert cut == {101, 152}


def test_basic_block_is_18_hwc2_and_bottleneck_cheaper():
    """A basic block on C x H x W: two 3x3 convs, 18HWC^2. A bottleneck block of width C on 4C: 17HWC^2."""
    basic = analysis("resnet18").find("layer2.1")
    C, H, W = basic.output
    assert basic.flops == 18 * H * W * C * C
    bottleneck = analysis("resnet50").find("layer2.1")
    C4, H, W = bottleneck.output
    C = C4 // 4
    assert bottleneck.flops == (4 + 9 + 4) * H * W * C * C
