"""The small worked examples that must fail, and the headline figures that disagree."""
from __future__ import annotations

import pytest

import archstat

from . import small
from .conventions import M, rounded, truncated
from .measure import analysis, parsed


def _conv(shape: str, layer: str) -> str:
    return f"input: [{shape}]\nlayers:\n  - {layer}\n"


def test_stride_3_on_7x7_does_not_fit_and_shows_the_arithmetic():
    spec = archstat.parse_spec(_conv("1, 7, 7", "{conv: c, filters: 1, kernel: 3, stride: 3}"))
    with pytest.raises(archstat.SpecError, match=r"\(7 - 3 \+ 0\) / 3 \+ 1 = 2\.33"):
        archstat.analyze(spec)
    assert archstat.analyze(spec, fit="floor").output == (1, 2, 2)


def test_receptive_field_of_three_3x3_convs_is_exactly_7():
    three = "".join(f"  - {{conv: c{i}, filters: 1, kernel: 3}}\n" for i in range(3))
    assert parsed(f"input: [1, 7, 7]\nlayers:\n{three}").output == (1, 1, 1)
    with pytest.raises(archstat.SpecError, match="larger than the padded input"):
        archstat.analyze(archstat.parse_spec(f"input: [1, 6, 6]\nlayers:\n{three}"))


def test_googlenet_five_million_parameters_without_the_fc():
    """The slide counts GoogLeNet without its fully connected layer; even so it is 6M at the slide's rounding."""
    a = analysis("googlenet")
    assert a.totals.params == 6_998_552
    assert analysis("googlenet", bias=False).totals.params == 6_990_272
    assert a.totals.params - a.find("fc").params == 5_973_552
    assert small.HEADLINES.cells["GoogLeNet parameters"] == "5M" and "GoogLeNet" in small.WITHOUT_FC
    assert rounded(a.totals.params, M) == "7" and rounded(5_973_552, M) == "6" and truncated(5_973_552, M) == "5"
    # the same slide rounds: AlexNet's 60,965,224 is its '61 million', which cutting would make 60
    alexnet = analysis("alexnet_paper").totals.params
    assert small.HEADLINES.cells["AlexNet parameters"] == rounded(alexnet, M) + "M" != truncated(alexnet, M) + "M"
    # '12x less than AlexNet' is 60M / 5M; archstat's counts give 10.2x without the fc, 8.7x with it
    assert round(alexnet / 5_973_552, 1) == 10.2 and round(alexnet / a.totals.params, 1) == 8.7
    assert analysis("googlenet", side=True).totals.params > a.totals.params  # the auxiliary classifiers
