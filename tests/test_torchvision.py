"""Spec-built models equal torchvision's: parameter count, fvcore total and output shape."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytest.importorskip("fvcore")

from twins import TWINS

import archstat
from archstat.measure.counters import fvcore_by_module

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("spec, constructor, kwargs", TWINS, ids=[t[0] for t in TWINS])
def test_spec_equals_torchvision(spec, constructor, kwargs):
    reference = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
    ours = archstat.build(spec)
    analysis = archstat.analyze(spec, flops="fvcore")
    x = torch.zeros(1, *analysis.input)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in reference.parameters())
    assert analysis.totals.params == sum(p.numel() for p in reference.parameters())
    with torch.no_grad():
        assert ours(x).shape == reference(x).shape
    # test_check proves the spec-built model's fvcore count equals the analysis; here the reference's must too
    assert fvcore_by_module(reference, x)[""] == analysis.totals.flops
