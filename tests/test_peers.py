"""archstat's torchinfo, thop and ptflops conventions equal what those tools report on the built model."""
from __future__ import annotations

import contextlib
import io

import pytest

torch = pytest.importorskip("torch")

import archstat

pytestmark = pytest.mark.slow

# Specs that between them use every layer kind: LRN and groups, concat, softmax and average pooling,
# batch norm and residual adds, the SE gate's mul and sigmoid, flat inputs.
SPECS = ["alexnet_paper", "vgg11_lrn", "googlenet", "resnet18", "se_resnet50", "lenet5", "mlp",
         "tests/data/language_tour.yaml"]


def _setup(spec: str):
    analysis = archstat.analyze(spec)
    return archstat.build(spec), torch.zeros(1, *analysis.input), analysis.input


@pytest.mark.parametrize("spec", SPECS)
def test_torchinfo_mult_adds(spec):
    torchinfo = pytest.importorskip("torchinfo")
    model, x, _ = _setup(spec)
    reported = torchinfo.summary(model, input_data=x, verbose=0).total_mult_adds
    assert archstat.analyze(spec, flops="torchinfo").totals.flops == reported


@pytest.mark.parametrize("spec", SPECS)
def test_thop_profile(spec):
    thop = pytest.importorskip("thop")
    model, x, _ = _setup(spec)
    reported, _ = thop.profile(model, inputs=(x,), verbose=False)
    assert archstat.analyze(spec, flops="thop").totals.flops == int(reported)


@pytest.mark.parametrize("spec", SPECS)
def test_ptflops_pytorch_backend(spec):
    ptflops = pytest.importorskip("ptflops")
    model, _, shape = _setup(spec)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        reported, _ = ptflops.get_model_complexity_info(model, tuple(shape), as_strings=False,
                                                        print_per_layer_stat=False, backend="pytorch")
    assert archstat.analyze(spec, flops="ptflops").totals.flops == reported
