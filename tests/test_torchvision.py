"""Spec-built models equal torchvision's: parameter count, fvcore total and output shape."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytest.importorskip("fvcore")

import archstat
from archstat.measure.counters import fvcore_by_module

pytestmark = pytest.mark.slow

# (bundled spec, torchvision constructor, keyword arguments)
TWINS = [
    ("alexnet", "alexnet", {}),
    ("vgg11", "vgg11", {}),
    ("vgg13", "vgg13", {}),
    ("vgg16", "vgg16", {}),
    ("vgg19", "vgg19", {}),
    ("googlenet_torchvision", "googlenet", {"aux_logits": False, "init_weights": False}),
    ("resnet18", "resnet18", {}),
    ("resnet34", "resnet34", {}),
    ("resnet50", "resnet50", {}),
    ("resnet101", "resnet101", {}),
    ("resnet152", "resnet152", {}),
    *((f"{v}_bn", f"{v}_bn", {}) for v in ("vgg11", "vgg13", "vgg16", "vgg19")),
    ("squeezenet1_0", "squeezenet1_0", {}),
    ("squeezenet1_1", "squeezenet1_1", {}),
    ("inception_v3", "inception_v3", {"aux_logits": False, "init_weights": False}),
    *((f"convnext_{s}", f"convnext_{s}", {}) for s in ("tiny", "small", "base", "large")),
    *((n, n, {}) for n in ("mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "mnasnet0_5", "mnasnet0_75",
                           "mnasnet1_0", "mnasnet1_3")),
    *((f"regnet_{k}_{s}", f"regnet_{k}_{s}", {}) for k in "xy" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf",
                                                                        "16gf", "32gf")),
    *((n, n, {}) for n in ("resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
                           "wide_resnet101_2")),
]


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
