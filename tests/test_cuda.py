"""The CUDA paths: build, profile (events, graphs, channels-last, bf16), peak memory and device errors.

Marked cuda: they skip without a CUDA device. benchmarks/gpu_check.sh runs them with the profiler's figures.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import archstat

pytestmark = [pytest.mark.cuda, pytest.mark.slow]
QUICK = {"runs": 10, "warmup": 2}


def test_build_on_cuda_puts_every_weight_there():
    model = archstat.build("resnet18", device="cuda")
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    with torch.inference_mode():
        assert tuple(model(torch.randn(2, 3, 224, 224, device="cuda")).shape) == (2, 1000)


@pytest.mark.parametrize("dtype", ["fp32", "tf32", "fp16", "bf16"])
def test_profile_on_cuda_records_time_memory_and_the_math_modes(dtype):
    m = archstat.profile("resnet18", device="cuda", batch=8, dtype=dtype, **QUICK)
    assert m.ok, m.message
    assert m.timing.runs == 10 and m.latency > 0
    assert m.memory.peak > archstat.analyze("resnet18").totals.params * (4 if dtype in ("fp32", "tf32") else 2)
    assert m.memory.reserved >= m.memory.peak
    assert m.environment["cuda"] and m.environment["cudnn"] and m.environment["capability"]
    assert m.flags["tf32_cudnn"] in (True, False) and m.flags["cudnn_benchmark"] is True
    assert m.flags["tf32_matmul"] is (dtype == "tf32" or torch.backends.cuda.matmul.allow_tf32)


def test_math_modes_are_put_back_after_a_tf32_cell():
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32, torch.backends.cudnn.benchmark)
    archstat.profile("lenet5", device="cuda", dtype="tf32", cudnn_benchmark=False, **QUICK)
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
            torch.backends.cudnn.benchmark) == before


@pytest.mark.parametrize("switch", ["cuda_graphs", "channels_last"])
def test_graph_replay_and_channels_last_run(switch):
    m = archstat.profile("resnet18", device="cuda", batch=8, **{switch: True}, **QUICK)
    assert m.ok, m.message
    assert m.flags[switch] is True and m.latency > 0


def test_per_layer_on_cuda_times_every_row():
    m = archstat.profile("resnet18", device="cuda", batch=32, per_layer=True, **QUICK)
    analysis = archstat.analyze("resnet18")
    assert [layer.name for layer in m.layers] == [row.name for _, row in archstat.analysis.walk(analysis.rows)]
    assert all(layer.seconds > 0 for layer in m.layers if layer.kind == "conv")
    assert m.layer_sum > 0 and m.instrumented.median > 0


def test_a_batch_that_cannot_fit_is_recorded_and_the_sweep_goes_on():
    c = archstat.compare(["vgg16"], device="cuda", batch=[1, 1_000_000, 2], **QUICK)
    assert [e.measurement.status for e in c.entries] == ["ok", "oom", "ok"]


def test_a_device_index_that_is_not_there_is_archstats_error():
    missing = f"cuda:{torch.cuda.device_count()}"
    with pytest.raises(archstat.ToolError, match=f"there is no {missing}"):
        archstat.profile("lenet5", device=missing)
