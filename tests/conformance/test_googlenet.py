"""The arithmetic behind the GoogLeNet errata: Table 1's units, its rows that disagree, the stem and comparison sums."""
from __future__ import annotations

from fractions import Fraction
from itertools import product

import pytest

from archstat.analysis import leaves

from . import googlenet
from .conventions import KB, MB, K, M, ratio, rounded, truncated
from .measure import WEIGHTED, analysis, span

PARAM_ROWS = [r for r in googlenet.TABLE1_ROWS if f"{r} params" in googlenet.TABLE1.cells]


def _params(name: str, bias: bool) -> int:
    names = googlenet.TABLE1_LAYERS.get(name, (name,))
    return sum(analysis("googlenet", bias=bias).find(n).params for n in names)


def _macs(name: str) -> int:
    rows = [analysis("googlenet").find(n) for n in googlenet.TABLE1_LAYERS.get(name, (name,))]
    return sum(leaf.flops for row in rows for leaf in leaves((row,)) if leaf.kind in WEIGHTED)


def _agreeing(unit: int, bias: bool, rounding) -> list[str]:
    published = {r: googlenet.TABLE1.cells[f"{r} params"].rstrip("K") for r in PARAM_ROWS}
    return [r for r in PARAM_ROWS
            if rounding(_params(r, bias), unit, len(published[r].partition(".")[2])) == published[r]]


def test_table1_params_convention_agrees_with_the_most_rows():
    scores = {(unit, bias, rounding.__name__): len(_agreeing(unit, bias, rounding))
              for unit, bias, rounding in product((1000, 1024), (False, True), (rounded, truncated))}
    chosen = scores[(1024, False, "truncated")]
    assert chosen == max(scores.values()) == 3
    assert _agreeing(1024, False, truncated) == ["conv2", "inception3a", "fc"]
    assert scores[(1024, False, "rounded")] == 2
    assert scores[(1000, False, "rounded")] == scores[(1000, False, "truncated")] == 0


def test_table1_params_are_weights_in_units_of_1024():
    assert _params("conv2", bias=False) == 112 * 1024  # 64 x 64 + 192 x 64 x 9
    assert _params("fc", bias=False) == 1000 * 1024
    assert Fraction(_params("inception3a", bias=False), 1024) == Fraction(319, 2)  # 159.5K


@pytest.mark.parametrize("name, params, published", [
    ("conv1", 2_700, "34M"),  # "2.7K", read as 2,700 (2.7 x 1024 x 112 x 112 would give 35M)
    ("inception4a", 364 * 1024, "73M"),  # "364K"
    ("inception5a", 1072 * 1024, "54M"),  # "1072K"
])
def test_table1_ops_that_follow_the_wrong_params(name, params, published):
    H, W = analysis("googlenet").find(name).output[1:]
    assert rounded(params * H * W, M) + "M" == published
    assert rounded(_macs(name), M) + "M" != published


def test_table1_inception4c_ops_follow_its_branches_not_its_params():
    assert _macs("inception4c") == 509_440 * 14 * 14
    assert rounded(_macs("inception4c"), M) == "100"
    assert rounded(463 * 1024 * 14 * 14, M) != "100"


def test_table1_conv1_is_a_7x7_convolution_on_rgb():
    conv1 = analysis("googlenet", bias=False).find("conv1")
    assert conv1.params == 64 * 3 * 7 * 7 == 9408
    assert conv1.flops == 112 * 112 * 64 * 3 * 7 * 7 == 118_013_952


def test_table1_pool_ops_are_not_counted():
    """The lecture convention counts pooling; Table 1's ops leave the pool branch out."""
    row = analysis("googlenet").find("inception3a")
    assert rounded(_macs("inception3a"), M) == "128" != rounded(row.flops, M)


def test_table1_params_column_sums_to_6_8m():
    total = sum(Fraction(googlenet.TABLE1.cells[f"{r} params"].rstrip("K")) for r in PARAM_ROWS)
    assert total == Fraction("6797.7")


def test_stem_total_flops_swap_two_digits():
    rows = span(analysis("googlenet"), *googlenet.STEM_RANGE)
    printed = sum(int(googlenet.STEM.cells[f"{n} FLOP (M)"]) for n in googlenet.STEM_ROWS)
    assert sum(r.flops for r in rows) == 480_836_608
    assert printed == 481 and sorted("418") == sorted(str(printed))


def test_stem_totals_memory_and_params():
    rows = span(analysis("googlenet"), *googlenet.STEM_RANGE)
    assert sum(r.memory for r in rows) == 7644 * KB and rounded(7644 * KB, MB, 1) == "7.5"
    assert sum(r.params for r in rows) == 124_416
    assert sum(r.params for r in span(analysis("googlenet", bias=False), *googlenet.STEM_RANGE)) == 124_096


def _six_convs(bias: bool = True) -> tuple[int, int, int]:
    a = analysis("vgg16", bias=bias)
    rows = [a.find(n) for n in googlenet.VGG16_SUMMED]
    return sum(r.memory for r in rows), sum(r.params for r in rows), sum(r.flops for r in rows)


def test_vgg16_comparison_sums_six_convolutions():
    memory, params, flops = _six_convs()
    cells = googlenet.STEM.cells
    assert memory == 43_904 * KB and rounded(memory, MB, 1) == cells["VGG-16 Memory (MB)"]
    assert params == 1_145_408 and rounded(params, M, 1) + "M" == cells["VGG-16 Params"]
    assert rounded(_six_convs(bias=False)[1], M, 1) + "M" == cells["VGG-16 Params"]
    assert flops == 7_485_456_384 and rounded(flops, M) == cells["VGG-16 MFLOP"]


def test_vgg16_range_to_28_holds_conv3_3_and_three_pools():
    names = [r.name for r in span(analysis("vgg16"), *googlenet.VGG16_RANGE) if r.kind in ("conv", "maxpool")]
    assert names == ["conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "pool2", "conv3_1", "conv3_2", "conv3_3",
                     "pool3"]
    assert analysis("vgg16").find("pool3").output[1:] == (28, 28)


def test_vgg13_holds_just_the_six_convolutions_above_28():
    a = analysis("vgg13")
    convs = [r.name for r in span(a, "conv1_1", "pool3") if r.kind == "conv"]
    assert convs == list(googlenet.VGG16_SUMMED)
    assert sum(a.find(n).flops for n in convs) == _six_convs()[2]


def test_comparison_ratios():
    cells = googlenet.STEM.cells
    # 5.7x and 8.9x are the ratios of the printed figures; 17.8x is not (7485 / 418 = 17.9)
    assert ratio(Fraction("42.9"), Fraction("7.5")) == cells["Memory ratio"]
    assert ratio(Fraction("1.1") * M, 124 * K) == cells["Params ratio"]
    assert ratio(7485, 418) == "17.9x" != cells["MFLOP ratio"]
    assert ratio(7485, 481) == "15.6x"
    # exact ratios over the six convolutions the slide summed
    memory, params, flops = _six_convs()
    assert ratio(memory, 7644 * KB) == "5.7x"
    assert ratio(params, 124_416) == "9.2x"
    assert ratio(flops, 480_836_608) == "15.6x"


def test_head_fc_memory_is_four_kb():
    fc = analysis("googlenet").find("fc")
    assert fc.memory == 1000 * 4 and rounded(fc.memory, KB) == "4" and rounded(fc.memory, KB, 1) == "3.9"
