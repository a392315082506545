"""Grids for `archstat compare` and `archstat profile`: formatting only, the numbers come measured or counted.

MB is 2^20 bytes here as in every archstat table (the lecture's KB = bytes / 1024, MB = KB / 1024).
"""
from __future__ import annotations

from archstat.comparison import Comparison, Entry
from archstat.measurement import NOISY, Measurement
from archstat.render.grid import Grid
from archstat.render.view import billions, megabytes, millions, shape_text


def seconds(value: float | None) -> str:
    """A time in ms with three significant figures (or µs below a millisecond)."""
    if value is None:
        return ""
    ms = value * 1000
    return f"{ms * 1000:.3g} µs" if ms < 1 else f"{ms:,.3g} ms" if ms < 1000 else f"{ms:,.0f} ms"


def times(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x" if value < 100 else f"{value:,.0f}x"


def percent(value: float | None, signed: bool = False) -> str:
    return "" if value is None else f"{value:+.0%}" if signed else f"{value:.1%}"


def mib(value: int | None) -> str:
    return "" if value is None else megabytes(value, 1)


def rate(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def tera(value: float | None) -> str:
    return "" if value is None else f"{value / 1e12:.2f}" if value >= 1e10 else f"{value / 1e12:.4f}"


def _status(m: Measurement | None) -> str:
    if m is None:
        return "not run"
    return "ok" if m.ok else f"{m.status}: {m.message}" if m.message else m.status


def _spread(m: Measurement | None) -> str:
    if m is None or m.timing is None:
        return ""
    return percent(m.timing.spread) + (" !" if m.timing.noisy else "")


# ---- compare --------------------------------------------------------------------------------------------------

ANALYTIC_COLUMNS = (("Model", "left"), ("Input", "right"), ("Params (M)", "right"), ("x", "right"),
                    ("Memory (MB)", "right"), ("x", "right"), ("GFLOPs", "right"), ("x", "right"))
MEASURED_COLUMNS = (("Batch", "right"), ("dtype", "left"), ("Latency", "right"), ("IQR", "right"), ("x", "right"),
                    ("img/s", "right"), ("TFLOP/s", "right"), ("Peak (MB)", "right"), ("Predicted", "right"),
                    ("diff", "right"), ("Status", "left"))


def _analytic_cells(c: Comparison, e: Entry) -> list[str]:
    t = e.analysis.totals
    return [e.model, shape_text(e.analysis.input), millions(t.params, 1), times(c.ratio(e, "params")),
            megabytes(t.memory, 1), times(c.ratio(e, "memory")), billions(t.flops, 2), times(c.ratio(e, "flops"))]


def _measured_cells(c: Comparison, e: Entry) -> list[str]:
    m = e.measurement
    memory = m.memory if m else None
    return [str(e.analysis.options.batch), e.analysis.options.dtype, seconds(m.latency if m else None), _spread(m),
            times(c.ratio(e, "latency")), rate(m.throughput if m else None),
            tera(m.flops_per_second if m else None), mib(memory.peak if memory else None),
            mib(memory.predicted if memory else None), percent(memory.difference if memory else None, signed=True),
            _status(m)]


def compare_grid(c: Comparison) -> Grid:
    """One line per model (per model, batch and dtype when measured), each figure beside its ratio to the baseline."""
    measured = c.device is not None
    columns = ANALYTIC_COLUMNS + (MEASURED_COLUMNS if measured else ())
    rows = [_analytic_cells(c, e) + (_measured_cells(c, e) if measured else []) for e in c.entries]
    first = c.entries[0].analysis.options
    notes = [f"x: ratio to {c.baseline} (latency: times as long); params and FLOPs ({first.flops} convention) "
             f"per {'cell' if measured else f'batch {first.batch}'}, activation memory at its dtype; MB = 2^20 bytes"]
    if measured:
        notes += _measured_notes(c)
    notes += list(c.notes)
    return Grid(title=f"{' vs '.join(dict.fromkeys(e.model for e in c.entries))}"
                      + (f" on {c.device}" if measured else ""),
                columns=columns, rows=rows, records=[c.record(e) for e in c.entries], data=c.to_dict(), notes=notes)


def _measured_notes(c: Comparison) -> list[str]:
    cells = [e.measurement for e in c.entries if e.measurement is not None]
    notes = ["Latency: median of the timed runs; IQR: interquartile range / median ('!' above "
             f"{NOISY:.0%}: not steady); TFLOP/s: the analytic 2 x MAC over the median; Peak: measured, "
             "Predicted: params + activations + input"]
    first = next((m for m in cells if m.ok), None)
    if first is not None:
        notes.append(environment_line(first))
        if first.memory is not None:
            notes.append(f"peak memory: {first.memory.method}")
    return notes


def environment_line(m: Measurement) -> str:
    """Where and how it ran: device, versions, and the switches that change the numbers."""
    env, flags = m.environment, m.flags
    parts = [env.get("device_name", m.device), f"torch {env.get('torch')}"]
    if env.get("cuda"):
        parts += [f"CUDA {env['cuda']}", f"cuDNN {env.get('cudnn')}",
                  f"TF32 matmul {'on' if flags.get('tf32_matmul') else 'off'}",
                  f"TF32 cuDNN {'on' if flags.get('tf32_cudnn') else 'off'}",
                  f"cudnn.benchmark {'on' if flags.get('cudnn_benchmark') else 'off'}"]
    else:
        parts.append(f"{flags.get('threads', env.get('threads'))} threads")
    parts += [name.replace("_", " ") for name in ("channels_last", "cuda_graphs", "compile") if flags.get(name)]
    return "ran on " + ", ".join(parts)


# ---- profile --------------------------------------------------------------------------------------------------

PROFILE_COLUMNS = (("Model", "left"), ("Batch", "right"), ("dtype", "left"), ("Latency", "right"),
                   ("IQR", "right"), ("Runs", "right"), ("img/s", "right"), ("TFLOP/s", "right"),
                   ("Peak (MB)", "right"), ("Predicted", "right"), ("diff", "right"), ("Status", "left"))


def profile_grid(c: Comparison) -> Grid:
    """One line per (model, batch, dtype) measured: time, spread, throughput, achieved FLOP/s, memory."""
    models = list(dict.fromkeys(e.model for e in c.entries))
    ordered = sorted(c.entries, key=lambda e: models.index(e.model))  # each model's cells together
    rows = []
    for e in ordered:
        m, cells = e.measurement, _measured_cells(c, e)
        runs = str(m.timing.runs) if m and m.timing else ""
        rows.append([e.model, *cells[:4], runs, *cells[5:]])
    notes = _measured_notes(c) + list(c.notes)
    noisy = [e for e in c.entries if e.measurement and e.measurement.timing and e.measurement.timing.noisy]
    if noisy:
        notes.append(f"warning: {len(noisy)} cell(s) varied by more than {NOISY:.0%} (IQR / median); close other "
                     "work on the machine or time longer (--min-time)")
    return Grid(title=f"{' and '.join(dict.fromkeys(e.model for e in c.entries))} on {c.device}",
                columns=PROFILE_COLUMNS, rows=rows, records=[c.record(e) for e in ordered], data=c.to_dict(),
                notes=notes)


LAYER_COLUMNS = (("Layer", "left"), ("Kind", "left"), ("GFLOPs", "right"), ("Memory (MB)", "right"),
                 ("Time", "right"), ("Share", "right"), ("TFLOP/s", "right"))


def layers_grid(m: Measurement, max_depth: int | None = 0) -> Grid:
    """Which layers take the time: per spec row, its FLOPs, memory, measured time, share and achieved FLOP/s."""
    whole = m.layer_sum or 0.0
    shown = [layer for layer in m.layers if max_depth is None or layer.depth <= max_depth]
    rows = [["  " * layer.depth + layer.name.rsplit(".", 1)[-1], layer.kind, billions(layer.flops, 3),
             megabytes(layer.memory, 1), seconds(layer.seconds), percent(layer.seconds / whole if whole else None),
             tera(layer.flops / layer.seconds if layer.seconds else None)] for layer in shown]
    hooked = m.instrumented.median if m.instrumented else None
    notes = [f"sum of the layers {seconds(m.layer_sum)} against the whole model {seconds(m.latency)} "
             f"({percent(m.layer_sum / m.latency if m.layer_sum and m.latency else None)}); "
             f"with the per-layer hooks in place the model took {seconds(hooked)}"
             f" ({percent(m.overhead, signed=True)} instrumentation overhead)",
             "per-layer times are eager forward passes (no CUDA graph, no torch.compile); on CUDA each layer is "
             "timed by events recorded in its hooks, with no host synchronisation inside the pass"]
    return Grid(title=f"{m.model}, batch {m.batch}, {m.dtype} on {m.device}: time per layer",
                columns=LAYER_COLUMNS, rows=rows, records=[layer.to_dict() for layer in m.layers],
                data={"schema": "archstat.layers/1", **m.to_dict()}, notes=notes)
