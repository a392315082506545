"""The comparison rules themselves: rounding, significant figures, cut-off digits."""
from __future__ import annotations

from fractions import Fraction

from .conventions import KB, agrees, exact, legible, places_of, ratio, rounded, significant, truncated


def test_rounding_is_half_up_and_exact():
    assert rounded(259_584, KB) == "254"  # 253.5
    assert rounded(Fraction(5, 2)) == "3" and rounded(Fraction(7, 2)) == "4"  # not to even
    assert rounded(419_904, 10**6, 1) == "0.4"
    assert rounded(7644 * KB, KB * KB, 1) == "7.5"
    assert truncated(163_328, 1024) == "159" and rounded(163_328, 1024) == "160"


def test_exact_decimals():
    assert exact(186_624, KB) == "182.25"
    assert exact(802_816, KB) == "784"


def test_published_precision():
    assert places_of("7.5") == 1 and places_of("784") == 0 and places_of("2.7K") == 1 and places_of("1.1M") == 1


def test_significant_figures():
    assert [significant(n) for n in (150_528, 3_211_264, 802_816, 25_088, 100_352)] == \
        ["150K", "3.2M", "800K", "25K", "100K"]


def test_cut_off_digits():
    assert legible("22?", "224") and legible("1?", "17")
    assert not legible("14?", "150") and not legible("22?", "22") and not legible("22?", "2240")
    assert agrees("784", "784") and not agrees("784", "785")


def test_ratio():
    assert ratio(Fraction("42.9"), Fraction("7.5")) == "5.7x"
