"""Measure a spec's model on a real device: latency, throughput, achieved FLOP/s, peak memory, per-layer time.

One cell is one (spec, batch, dtype): eval mode, torch.inference_mode(), weights initialised as torch does, a
seeded random input. A cell that runs out of memory or cannot run its dtype is recorded as such, not raised.
"""
from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import torch

from archstat.analysis import Analysis, Options, dtype_bytes, walk
from archstat.engine import analyze
from archstat.errors import DeviceMemoryError
from archstat.measure.build import SpecModel, build_analysed
from archstat.measure.device import TORCH_DTYPES, environment, gpu_readings, resolve_device, synchronize, unsupported
from archstat.measure.hooks import hooked
from archstat.measure.memory import allocation_failed, tensor_peak
from archstat.measure.precision import tf32_allowed, tf32_switched_on
from archstat.measure.timing import time_runs
from archstat.measurement import LayerTime, Measurement, Memory, Settings, Timing
from archstat.spec import Spec


def profile_spec(spec: Spec, batch: int = 1, dtype: str = "fp32", settings: Settings | None = None,
                 options: Options | None = None) -> Measurement:
    """One cell: the spec at this batch and dtype on settings.device. OOM and unsupported dtypes are recorded."""
    settings = settings or Settings()
    device = resolve_device(settings.device)
    options = replace(options or Options(), batch=batch, dtype=dtype, flops="torch")
    analysis = analyze(spec, options)
    cell = Measurement(model=spec.name, device=str(device), batch=batch, dtype=dtype, status="ok",
                       flops=analysis.totals.flops, params=analysis.totals.params,
                       environment=environment(device), flags=flags(device, dtype, settings))
    reason = unsupported(dtype, device)
    if reason is not None:
        return replace(cell, status="unsupported", message=reason)
    try:
        return _measure(cell, analysis, device, settings)
    except Exception as exc:
        if isinstance(exc, DeviceMemoryError):  # refused before allocating: it would not fit
            return replace(cell, status="oom", message=f"would not fit at batch {batch}: {exc}")
        if allocation_failed(exc):
            return replace(cell, status="oom", message=f"out of memory at batch {batch} ({type(exc).__name__})")
        return replace(cell, status="failed", message=f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
    finally:
        release(device)


def release(device: torch.device) -> None:
    """Give back what a cell held, so the next cell starts from the same state."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def flags(device: torch.device, dtype: str, settings: Settings) -> dict[str, Any]:
    """The switches that change what is measured, as they are for this cell."""
    recorded = {name: getattr(settings, name) for name in ("channels_last", "cuda_graphs", "compile", "per_layer")}
    if device.type == "cuda":
        recorded.update(cudnn_benchmark=settings.cudnn_benchmark,
                        tf32_matmul=dtype == "tf32" or tf32_allowed("matmul"),
                        tf32_cudnn=dtype == "tf32" or tf32_allowed("cudnn"))
    else:
        recorded.update(threads=torch.get_num_threads())
    return recorded


@contextmanager
def math_modes(device: torch.device, dtype: str, settings: Settings) -> Iterator[None]:
    """cuDNN autotuning and TF32 as the cell asks, put back as they were afterwards."""
    if device.type != "cuda":
        yield
        return
    saved = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = settings.cudnn_benchmark
    try:
        with tf32_switched_on(dtype == "tf32"):
            yield
    finally:
        torch.backends.cudnn.benchmark = saved


def _measure(cell: Measurement, analysis: Analysis, device: torch.device, settings: Settings) -> Measurement:
    readings = {"start": gpu_readings(device)}
    with math_modes(device, cell.dtype, settings), torch.inference_mode():
        model, x = _model_and_input(analysis, device, cell.dtype, settings)
        run = forward(model, x, settings)
        timing = time_runs(run, device, settings)
        memory = peak_memory(lambda: model(x), model, x, analysis)
        layers, instrumented = per_layer(model, x, analysis, device, timing) if settings.per_layer else ((), None)
    readings["end"] = gpu_readings(device)
    environment = {**cell.environment, **({"gpu": readings} if readings["start"] else {})}
    return replace(cell, timing=timing, memory=memory, layers=layers, instrumented=instrumented,
                   environment=environment)


def _model_and_input(analysis: Analysis, device: torch.device, dtype: str, settings: Settings
                     ) -> tuple[SpecModel, torch.Tensor]:
    """The model in eval mode at the cell's dtype, and a seeded random input (not zeros) on the device."""
    torch.manual_seed(settings.seed)
    model = build_analysed(analysis, device).to(dtype=TORCH_DTYPES[dtype])
    generator = torch.Generator(device="cpu").manual_seed(settings.seed)
    x = torch.randn(analysis.options.batch, *analysis.input, generator=generator).to(device, TORCH_DTYPES[dtype])
    if settings.channels_last and x.dim() == 4:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    return model, x


def forward(model: SpecModel, x: torch.Tensor, settings: Settings) -> Callable[[], object]:
    """What one timed run calls: the model, torch.compile's version of it, or the replay of a captured CUDA graph."""
    if settings.compile:
        compiled = torch.compile(model)
        return lambda: compiled(x)
    if settings.cuda_graphs:
        if x.device.type != "cuda":
            raise ValueError("--cuda-graphs needs a CUDA device")
        return captured(model, x)
    return lambda: model(x)


def captured(model: SpecModel, x: torch.Tensor) -> Callable[[], object]:
    """The forward pass captured once as a CUDA graph (after warm-up on a side stream); replay skips launches."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            model(x)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        model(x)
    return graph.replay


def peak_memory(run: Callable[[], object], model: SpecModel, x: torch.Tensor, analysis: Analysis) -> Memory:
    """One eager forward pass's peak memory, measured as honestly as the device allows, beside the prediction."""
    t, device = analysis.totals, x.device
    predicted = t.params * dtype_bytes(analysis.options.dtype) + t.memory + t.input_memory
    if device.type == "cuda":
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        run()
        synchronize(device)
        return Memory("torch.cuda.max_memory_allocated over one forward pass (weights and input included)",
                      torch.cuda.max_memory_allocated(device), predicted, torch.cuda.max_memory_reserved(device))
    held = sum(t.untyped_storage().nbytes() for t in (*model.parameters(), *model.buffers(), x))
    return Memory("the weights, buffers and input, plus the most bytes of tensors alive at once during one forward "
                  "pass (every storage the ops make, counted until torch frees it; scratch space inside an op is "
                  "not seen)", held + tensor_peak(run), predicted)


def per_layer(model: SpecModel, x: torch.Tensor, analysis: Analysis, device: torch.device, whole: Timing
              ) -> tuple[tuple[LayerTime, ...], Timing]:
    """Every spec row's time (its ops' times, median over runs), and the whole model timed with the hooks in."""
    runs = max(5, min(whole.runs, 30))
    per_op: list[list[float]] = [[] for _ in model.steps]
    totals: list[float] = []
    for _ in range(runs + 2):  # two warm-up passes with the hooks in place
        seconds, total = _timed_pass(model, x, device)
        per_op = [samples + [s] for samples, s in zip(per_op, seconds)]
        totals.append(total)
    op_time = [statistics.median(samples[2:]) for samples in per_op]
    layers = tuple(LayerTime(row.name, row.kind, depth, sum(op_time[i] for i in row.ops), row.flops, row.memory)
                   for depth, row in walk(analysis.rows))
    return layers, Timing(tuple(totals[2:]), 2, sum(totals[:2]))


class _Marks:
    """A start and an end mark per op: CUDA events recorded on the stream (no host synchronisation), or the host
    clock. An op that never ran (a side branch counted for its params only) takes no time."""

    def __init__(self, count: int, device: torch.device):
        self.cuda = device.type == "cuda"
        self.starts: list[Any] = [None] * count
        self.ends: list[Any] = [None] * count

    def _now(self) -> Any:
        if not self.cuda:
            return time.perf_counter()
        event = torch.cuda.Event(enable_timing=True)
        event.record()
        return event

    def start(self, i: int) -> None:
        self.starts[i] = self._now()

    def end(self, i: int) -> None:
        self.ends[i] = self._now()

    def seconds(self, i: int) -> float:
        begun, ended = self.starts[i], self.ends[i]
        if begun is None or ended is None:
            return 0.0
        return begun.elapsed_time(ended) / 1000 if self.cuda else ended - begun


def _timed_pass(model: SpecModel, x: torch.Tensor, device: torch.device) -> tuple[list[float], float]:
    """One forward pass with a start and end mark around every op (see _Marks). Seconds per op, and for the pass."""
    n = len(model.steps)
    marks = _Marks(n + 1, device)
    synchronize(device)
    marks.start(n)
    with hooked(model, lambda i, output: marks.end(i), before=marks.start):
        model(x)
    marks.end(n)
    synchronize(device)
    return [marks.seconds(i) for i in range(n)], marks.seconds(n)
