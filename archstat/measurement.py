"""What a measurement on a real device returns: exact records, no printing, no torch.

archstat.measure.profile fills these in; renderers, reports and `compare` read them. Times are in seconds,
memory in bytes, FLOPs as integers; `None` means not measured (and the record says why).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

NESTED = ("timing", "memory", "instrumented", "layers", "flags", "environment")  # to_dict's records, not columns
NOISY = 0.10  # IQR / median above this: the timing is not steady (torch.utils.benchmark warns at the same)


@dataclass(frozen=True)
class Timing:
    """Repeated timed runs of one forward pass: the spread as well as the middle."""

    samples: tuple[float, ...]
    warmup_runs: int
    warmup_seconds: float

    @property
    def runs(self) -> int:
        return len(self.samples)

    def quantile(self, q: float) -> float:
        """The q-quantile of the samples (linear between order statistics, as numpy's default)."""
        ordered = sorted(self.samples)
        position = q * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    @property
    def iqr(self) -> float:
        return self.quantile(0.75) - self.quantile(0.25)

    @property
    def spread(self) -> float:
        """IQR / median: how steady the timing was."""
        return self.iqr / self.median if self.median else 0.0

    @property
    def noisy(self) -> bool:
        return self.spread > NOISY

    def to_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "median_s": self.median, "q1_s": self.quantile(0.25), "q3_s": self.quantile(0.75),
                "p10_s": self.quantile(0.10), "p90_s": self.quantile(0.90), "iqr_over_median": self.spread,
                "noisy": self.noisy, "warmup_runs": self.warmup_runs, "warmup_s": self.warmup_seconds}


@dataclass(frozen=True)
class Memory:
    """Peak memory of a forward pass, measured, next to the analytic prediction."""

    method: str  # how it was measured, in words (or why it was not)
    peak: int | None  # bytes; None: could not be measured honestly here
    predicted: int  # parameters + activations (the lecture sum) + input, at the run's dtype and batch
    reserved: int | None = None  # CUDA: what the caching allocator held at the peak

    @property
    def difference(self) -> float | None:
        """(measured - predicted) / predicted."""
        return None if self.peak is None or not self.predicted else (self.peak - self.predicted) / self.predicted

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "peak_bytes": self.peak, "reserved_bytes": self.reserved,
                "predicted_bytes": self.predicted, "difference": self.difference}


@dataclass(frozen=True)
class LayerTime:
    """One spec row's measured time (its ops' times summed), joined to the analytic row by its dotted name."""

    name: str
    kind: str
    depth: int
    seconds: float
    flops: int  # analytic, torch convention (2 x MAC), whole batch
    memory: int  # analytic activation bytes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Measurement:
    """One model at one batch and dtype on one device; status 'ok', 'oom', 'unsupported' or 'failed'."""

    model: str
    device: str
    batch: int
    dtype: str
    status: str
    flops: int  # analytic FLOPs of the whole batch, torch convention (2 x MAC)
    params: int
    environment: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    timing: Timing | None = None
    memory: Memory | None = None
    layers: tuple[LayerTime, ...] = ()
    instrumented: Timing | None = None  # the whole model timed with the per-layer hooks in place
    message: str = ""  # why a cell is not 'ok'

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def __repr__(self) -> str:
        """One line: what ran where, and the headline figures (to_dict() has every record)."""
        cell = f"<Measurement {self.model} on {self.device}, batch {self.batch}, {self.dtype}: {self.status}"
        if not self.ok or self.timing is None or self.latency is None:
            return cell + (f" ({self.message})>" if self.message else ">")
        rate = self.flops_per_second or 0.0
        return (f"{cell}, {self.latency * 1e3:.3g} ms median over {self.timing.runs} runs "
                f"(IQR {self.timing.spread:.0%}), {self.throughput:,.1f} img/s, {rate / 1e12:.3g} TFLOP/s>")

    @property
    def latency(self) -> float | None:
        return self.timing.median if self.timing else None

    @property
    def throughput(self) -> float | None:
        """Images per second: batch / median latency."""
        return self.batch / self.latency if self.latency else None

    @property
    def flops_per_second(self) -> float | None:
        """Achieved FLOP/s: the analytic FLOPs (2 x MAC) over the median latency."""
        return self.flops / self.latency if self.latency else None

    @property
    def layer_sum(self) -> float | None:
        """The top-level layers' times added up, to hold against the whole-model time."""
        top = [layer.seconds for layer in self.layers if layer.depth == 0]
        return sum(top) if top else None

    @property
    def overhead(self) -> float | None:
        """How much slower the model ran with the per-layer instrumentation in place."""
        if self.instrumented is None or not self.latency:
            return None
        return self.instrumented.median / self.latency - 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "device": self.device, "batch": self.batch, "dtype": self.dtype,
            "status": self.status, "message": self.message, "flops": self.flops, "params": self.params,
            "latency_s": self.latency, "throughput": self.throughput, "flops_per_s": self.flops_per_second,
            "timing": self.timing.to_dict() if self.timing else None,
            "memory": self.memory.to_dict() if self.memory else None,
            "layer_sum_s": self.layer_sum, "instrumented": self.instrumented.to_dict() if self.instrumented else None,
            "instrumentation_overhead": self.overhead,
            "layers": [layer.to_dict() for layer in self.layers],
            "flags": self.flags, "environment": self.environment,
        }

    def to_frame(self) -> pandas.DataFrame:
        """Per-layer rows when layers were timed, else the one whole-model record (imports pandas only here)."""
        from archstat.frames import frame

        if self.layers:
            return frame([{**layer.to_dict(), "model": self.model, "batch": self.batch, "dtype": self.dtype}
                          for layer in self.layers])
        record = {k: v for k, v in self.to_dict().items() if k not in NESTED}  # the same columns, measured or not
        return frame([record])


@dataclass(frozen=True)
class Settings:
    """How to measure: the device, warm-up, how long to time, and the switches a performance engineer expects."""

    device: str = "cpu"
    warmup: int = 3  # at least this many untimed runs ...
    warmup_time: float = 0.2  # ... and at least this many seconds of them, until the time settles
    runs: int | None = None  # exactly this many timed runs; None: as many as min_time takes (at least MIN_RUNS)
    min_time: float = 1.0
    channels_last: bool = False
    cuda_graphs: bool = False
    compile: bool = False
    cudnn_benchmark: bool = True
    per_layer: bool = False
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
