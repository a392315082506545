"""Architectures side by side: the analytic numbers of each model, the measured ones when a device is given, and
every figure as a ratio against a baseline model (the first, unless told), as the lecture slides compare them.

Without a device this is torch-free and instant; with one, each (model, batch, dtype) cell is measured by
archstat.measure.profile, and a cell that runs out of memory is recorded, not raised.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archstat.analysis import Analysis, Options
from archstat.engine import analyze
from archstat.errors import did_you_mean
from archstat.measurement import Measurement, Settings
from archstat.spec import Spec

if TYPE_CHECKING:
    import pandas

SCHEMA = "archstat.compare/1"
ANALYTIC = ("params", "memory", "flops")  # what every row has, and its ratio to the baseline's
MEASURED = ("latency", "throughput", "peak")


@dataclass(frozen=True)
class Entry:
    """One model at one batch and dtype: its analysis, and its measurement when there is one."""

    analysis: Analysis
    measurement: Measurement | None = None

    @property
    def model(self) -> str:
        return self.analysis.spec.name

    @property
    def cell(self) -> tuple[int, str]:
        return self.analysis.options.batch, self.analysis.options.dtype

    def value(self, metric: str) -> float | None:
        """A figure by name: params, memory (activations), flops, or measured latency, throughput, peak."""
        t, m = self.analysis.totals, self.measurement
        if metric in ANALYTIC:
            return {"params": t.params, "memory": t.memory, "flops": t.flops}[metric]
        if m is None or not m.ok:
            return None
        return {"latency": m.latency, "throughput": m.throughput,
                "peak": m.memory.peak if m.memory else None}[metric]


@dataclass(frozen=True)
class Comparison:
    """Entries in (batch, dtype, model) order, the baseline model's name, and whether every cell finished."""

    entries: tuple[Entry, ...]
    baseline: str
    device: str | None = None
    settings: Settings | None = None
    complete: bool = True
    notes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        models = ", ".join(dict.fromkeys(e.model for e in self.entries))
        where = f", measured on {self.device}" if self.device else ""
        return (f"<Comparison of {models} (ratios to {self.baseline}{where}): {len(self.entries)} rows"
                f"{'' if self.complete else ', incomplete'}>")

    def base(self, entry: Entry) -> Entry:
        """The baseline model's entry at the same batch and dtype."""
        return next(e for e in self.entries if e.model == self.baseline and e.cell == entry.cell)

    def ratio(self, entry: Entry, metric: str) -> float | None:
        """entry's figure over the baseline's (latency and peak: how many times more; throughput: how many times
        faster)."""
        mine, theirs = entry.value(metric), self.base(entry).value(metric)
        if mine is None or not theirs:
            return None
        return mine / theirs

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "baseline": self.baseline, "device": self.device, "complete": self.complete,
                "settings": self.settings.to_dict() if self.settings else None, "notes": list(self.notes),
                "models": [self.record(e) for e in self.entries]}

    def record(self, entry: Entry) -> dict[str, Any]:
        """One entry as a flat record: raw integers, seconds and bytes, and the ratios to the baseline."""
        a, m = entry.analysis, entry.measurement
        record: dict[str, Any] = {
            "model": entry.model, "title": a.spec.title, "input": list(a.input), "batch": a.options.batch,
            "dtype": a.options.dtype, "flop_convention": a.options.flops, "params": a.totals.params,
            "memory_bytes": a.totals.memory, "input_memory_bytes": a.totals.input_memory, "flops": a.totals.flops,
            **{f"{metric}_ratio": self.ratio(entry, metric) for metric in ANALYTIC},
        }
        if self.device is not None:
            record.update(
                status=m.status if m else "not run", message=m.message if m else "",
                latency_s=m.latency if m else None, latency_iqr_over_median=m.timing.spread if m and m.timing else None,
                throughput=m.throughput if m else None, tflops_per_s=_tera(m.flops_per_second) if m else None,
                peak_bytes=m.memory.peak if m and m.memory else None,
                predicted_bytes=m.memory.predicted if m and m.memory else None,
                peak_difference=m.memory.difference if m and m.memory else None,
                **{f"{metric}_ratio": self.ratio(entry, metric) for metric in MEASURED},
            )
        return record

    def to_frame(self) -> pandas.DataFrame:
        """One row per model (per batch and dtype when measured); imports pandas only here."""
        from archstat.frames import frame

        return frame([self.record(e) for e in self.entries])


def _tera(value: float | None) -> float | None:
    return None if value is None else value / 1e12


def pick_baseline(specs: Sequence[Spec], baseline: str | None) -> str:
    """The baseline's model name: the first spec's, or the one named (by spec name), else ValueError."""
    names = [s.name for s in specs]
    if baseline is None:
        return names[0]
    if baseline not in names:
        raise ValueError(f"--baseline {baseline!r} is not one of the compared models ({', '.join(names)})"
                         f"{did_you_mean(baseline, names)}")
    return baseline


Measure = Callable[[Spec, int, str], Measurement]


def compare_specs(specs: Sequence[Spec], batches: Sequence[int] = (1,), dtypes: Sequence[str] = ("fp32",),
                  flops: str = "lecture", baseline: str | None = None, measure: Measure | None = None,
                  device: str | None = None, settings: Settings | None = None) -> Comparison:
    """Every model at every batch and dtype; `measure(spec, batch, dtype)` measures a cell when given.

    Ctrl-C stops the measuring: the comparison returned holds what finished, marked incomplete.
    """
    base = pick_baseline(specs, baseline)
    analyses = [(s, analyze(s, Options(batch=b, dtype=d, flops=flops))) for b in batches for d in dtypes for s in specs]
    if measure is None:
        return Comparison(tuple(Entry(a) for _, a in analyses), base)
    entries: list[Entry] = []
    try:
        for spec, analysis in analyses:
            entries.append(Entry(analysis, measure(spec, analysis.options.batch, analysis.options.dtype)))
    except KeyboardInterrupt:
        done = len(entries)
        entries += [Entry(a) for _, a in analyses[done:]]
        return Comparison(tuple(entries), base, device, settings, complete=False,
                          notes=(f"interrupted: {done} of {len(analyses)} cells measured",))
    return Comparison(tuple(entries), base, device, settings)


def measured_by(settings: Settings, options: Options | None = None) -> Measure:
    """The measuring function for compare_specs: archstat.measure.profile on settings.device (imports torch)."""
    from archstat.measure.profile import profile_spec

    return lambda spec, batch, dtype: profile_spec(spec, batch, dtype, settings, options)
