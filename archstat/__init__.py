"""archstat: analyse and profile convolutional network architectures from declarative specs.

The analytic path (load, analyze) never imports torch, fvcore or pandas.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from archstat.analysis import Analysis, Options, Row, Totals
from archstat.bundled import bundled_names, resolve_spec
from archstat.engine import analyze as _analyze
from archstat.errors import BuildError, DeviceMemoryError, Problem, RowNotFound, SpecError, ToolError, did_you_mean
from archstat.loader import SpecFileError, load_spec, parse_spec
from archstat.spec import Spec

if TYPE_CHECKING:  # the table path does without them; profile and compare import them when called
    from archstat.comparison import Comparison
    from archstat.measurement import Measurement

__version__ = "0.1.0"


def load(ref: str | Path) -> Spec:
    """Load a spec from a file path or a bundled spec name ('alexnet')."""
    return load_spec(resolve_spec(ref))


def _loaded(spec: Spec | str | Path) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec)


def _options(options: Options | None, overrides: dict[str, object]) -> Options | None:
    """Options with keyword overrides (batch=8, dtype='bf16', ...) applied; an unknown one is a SpecError."""
    if options is not None and not isinstance(options, Options):
        raise SpecError([Problem(f"options must be archstat.Options, got {type(options).__name__}")])
    known = [f.name for f in dataclasses.fields(Options)]
    unknown = [key for key in overrides if key not in known]
    if unknown:
        raise SpecError([Problem(f"unknown option {unknown[0]!r}{did_you_mean(unknown[0], known)} "
                                 f"(options: {', '.join(known)})")])
    if not overrides:
        return options
    return dataclasses.replace(options or Options(), **overrides)  # type: ignore[arg-type]


def analyze(spec: Spec | str | Path, options: Options | None = None, **kwargs: object) -> Analysis:
    """Analyse a spec (or a path/name to load); keyword arguments fill Options (batch=8, dtype='bf16', ...)."""
    return _analyze(_loaded(spec), _options(options, kwargs))


def build(spec: Spec | str | Path, options: Options | None = None, device: str = "cpu", **kwargs: object):
    """The spec as a torch.nn.Module, submodules named after its layers (imports torch; device='meta': shapes only)."""
    from archstat.measure.build import build_model
    from archstat.measure.device import resolve_device
    from archstat.measure.memory import allocator_errors

    loaded, chosen = _loaded(spec), _options(options, kwargs)
    with allocator_errors(loaded.name, device):
        return build_model(loaded, chosen, device if device == "meta" else resolve_device(device))


def profile(spec: Spec | str | Path, device: str = "cpu", batch: int = 1, dtype: str = "fp32",
            options: Options | None = None, **settings: object) -> Measurement:
    """Measure the spec's model on a device (imports torch): latency, throughput, achieved FLOP/s, peak memory and,
    with per_layer=True, each layer's time. Keywords fill Settings (runs=, min_time=, channels_last=, ...)."""
    from archstat.measure.profile import profile_spec
    from archstat.measurement import Settings

    return profile_spec(_loaded(spec), batch, dtype, Settings(device=device, **settings), options)  # type: ignore[arg-type]


def compare(specs: Sequence[Spec | str | Path], device: str | None = None, batch: int | Sequence[int] = 1,
            dtype: str | Sequence[str] = "fp32", flops: str = "lecture", baseline: str | None = None,
            **settings: object) -> Comparison:
    """Models side by side with ratios to a baseline (the first); measured too when a device is given."""
    from archstat.comparison import compare_specs, measured_by
    from archstat.measurement import Settings

    measured = Settings(device=device, **settings) if device is not None else None  # type: ignore[arg-type]
    return compare_specs([_loaded(s) for s in specs], [batch] if isinstance(batch, int) else list(batch),
                         [dtype] if isinstance(dtype, str) else list(dtype), flops, baseline,
                         measured_by(measured) if measured else None, device, measured)


__all__ = [
    "Analysis", "BuildError", "DeviceMemoryError", "Options", "Problem", "Row", "RowNotFound", "Spec",
    "SpecError", "SpecFileError", "ToolError", "Totals",
    "analyze", "build", "bundled_names", "compare", "load", "load_spec", "parse_spec", "profile", "resolve_spec",
]
