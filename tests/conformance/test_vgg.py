"""The arithmetic behind the VGG errata, and what the VGG configurations change."""
from __future__ import annotations

from fractions import Fraction

import pytest

import archstat

from . import vgg
from .conventions import K, M, rounded
from .measure import analysis, elements


def _value(text: str) -> Fraction:
    """A listing cell as a number: '3.2M' -> 3,200,000, '150K' -> 150,000, '4096' -> 4096."""
    scale = {"K": K, "M": M}.get(text[-1], 1)
    return Fraction(text.rstrip("KM")) * scale


def test_listing_total_memory_is_not_24m():
    a = analysis("vgg16", bias=False)
    listed = [elements(a.find(name)) for name in vgg.LISTED]
    total = 224 * 224 * 3 + sum(listed)
    assert total == 15_237_608 and total * 4 == 60_950_432
    printed = sum(_value(vgg.LISTING.cells[f"{row} memory"]) for row in ("input", *vgg.LISTED))
    assert rounded(printed, M, 1) == rounded(total, M, 1) == "15.2"
    assert rounded(total, M) != "24" and rounded(total * 4, M) != "96"


def test_listing_params_sum_to_138m_with_or_without_biases():
    assert sum(analysis("vgg16", bias=False).find(n).params for n in vgg.LISTED) == 138_344_128
    assert analysis("vgg16").totals.params == 138_357_544
    assert rounded(138_344_128, M) == rounded(138_357_544, M) == "138"


@pytest.mark.parametrize("name, published", [("fc6", "102760"), ("fc7", "16777"), ("fc8", "4096")])
def test_head_params_leave_out_the_bias(name, published):
    assert rounded(analysis("vgg16", bias=False).find(name).params, K) == published
    assert rounded(analysis("vgg16").find(name).params, K) != published


def test_googlenet_fc_in_the_same_comparison_counts_its_bias():
    fc = analysis("googlenet").find("fc")
    assert rounded(fc.params, K) == "1025" != rounded(analysis("googlenet", bias=False).find("fc").params, K)


def test_configuration_c_has_1x1_convolutions_where_d_has_3x3():
    c, d = analysis("vgg16_c"), analysis("vgg16")
    for name in ("conv3_3", "conv4_3", "conv5_3"):
        assert c.find(name).columns["kernel"] == 1 and d.find(name).columns["kernel"] == 3
        assert c.find(name).output == d.find(name).output
    assert d.totals.params - c.totals.params == 8 * (256**2 + 2 * 512**2)


def test_configuration_a_lrn_normalises_after_the_first_convolution():
    spec = archstat.load("vgg11_lrn")
    kinds = [layer.kind for layer in spec.layers]
    assert kinds.count("lrn") == 1 and kinds[: kinds.index("lrn")].count("conv") == 1
    assert analysis("vgg11_lrn").totals.params == analysis("vgg11").totals.params
