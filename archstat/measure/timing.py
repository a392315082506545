"""Timing a forward pass the way careful benchmarks do: warm up until it settles, then repeat until a budget."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

from archstat.measure.device import synchronize
from archstat.measurement import Settings, Timing

MIN_RUNS = 5
MAX_RUNS = 10_000
MAX_WARMUP_SECONDS = 30.0
SETTLED = 0.05  # the median of the last three warm-up runs within 5% of the three before


def timer(device: torch.device) -> Callable[[Callable[[], object]], float]:
    """A function that runs a callable once and returns its seconds: CUDA events on a GPU, else the host clock."""
    if device.type != "cuda":
        def host(run: Callable[[], object]) -> float:
            synchronize(device)
            start = time.perf_counter()
            run()
            synchronize(device)
            return time.perf_counter() - start

        return host

    def events(run: Callable[[], object]) -> float:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1000

    return events


def _settled(times: list[float]) -> bool:
    if len(times) < 6:
        return False
    recent, before = statistics.median(times[-3:]), statistics.median(times[-6:-3])
    return abs(recent - before) <= SETTLED * before


def warm_up(run: Callable[[], object], clock: Callable[[Callable[[], object]], float], settings: Settings
            ) -> tuple[int, float]:
    """Untimed runs: at least settings.warmup of them and settings.warmup_time seconds, then until the time
    settles (or MAX_WARMUP_SECONDS pass). How many runs, and how long they took."""
    times: list[float] = []
    while True:
        times.append(clock(run))
        spent = sum(times)
        enough = len(times) >= settings.warmup and spent >= settings.warmup_time
        if enough and (_settled(times) or spent >= MAX_WARMUP_SECONDS or len(times) >= MAX_RUNS):
            return len(times), spent


def time_runs(run: Callable[[], object], device: torch.device, settings: Settings) -> Timing:
    """Warm up, then time settings.runs runs, or as many as settings.min_time takes (at least MIN_RUNS)."""
    clock = timer(device)
    warm_runs, warm_seconds = warm_up(run, clock, settings)
    samples: list[float] = []
    while True:
        samples.append(clock(run))
        if settings.runs is not None:
            if len(samples) >= settings.runs:
                break
        elif (len(samples) >= MIN_RUNS and sum(samples) >= settings.min_time) or len(samples) >= MAX_RUNS:
            break
    return Timing(tuple(samples), warm_runs, warm_seconds)
