"""The CUDA paths: build, profile (events, graphs, channels-last, bf16), peak memory and device errors.

Marked cuda: they skip without a CUDA device. benchmarks/gpu_check.sh runs them with the profiler's figures.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import archstat
from archstat.measure.precision import tf32_allowed

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
    assert m.flags["tf32_matmul"] is (dtype == "tf32" or tf32_allowed("matmul"))
    assert m.flags["tf32_cudnn"] is (dtype == "tf32" or tf32_allowed("cudnn"))


def test_math_modes_are_put_back_after_a_tf32_cell():
    before = (tf32_allowed("matmul"), tf32_allowed("cudnn"), torch.backends.cudnn.benchmark)
    m = archstat.profile("lenet5", device="cuda", dtype="tf32", cudnn_benchmark=False, **QUICK)
    assert m.ok and m.flags["tf32_matmul"] and m.flags["cudnn_benchmark"] is False
    assert (tf32_allowed("matmul"), tf32_allowed("cudnn"), torch.backends.cudnn.benchmark) == before


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


def test_a_real_allocator_oom_is_recorded_its_memory_released_and_the_sweep_goes_on():
    """The check before allocating passes (it reads the device's free memory), then the allocator, capped for
    this process at 2% of the GPU, runs out mid-pass: that cell is 'oom' and the next one runs."""
    total = torch.cuda.get_device_properties(0).total_memory
    batch = 4 * int(0.02 * total / archstat.analyze("vgg16", batch=1).totals.memory) + 8
    held = torch.cuda.memory_allocated()
    torch.cuda.set_per_process_memory_fraction(0.02)
    try:
        c = archstat.compare(["vgg16"], device="cuda", batch=[batch, 1], **QUICK)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    cells = [e.measurement for e in c.entries]
    assert [m.status for m in cells] == ["oom", "ok"], [m.message for m in cells]
    assert f"out of memory at batch {batch}" in cells[0].message
    assert torch.cuda.memory_allocated() <= held + 2**20  # nothing of the failed cell is left


def test_a_device_index_that_is_not_there_is_archstats_error():
    missing = f"cuda:{torch.cuda.device_count()}"
    with pytest.raises(archstat.ToolError, match=f"there is no {missing}"):
        archstat.profile("lenet5", device=missing)
