"""archstat: analyse and profile convolutional network architectures from declarative specs.

The analytic path (load, analyze) never imports torch, fvcore or pandas.
"""
from __future__ import annotations

from pathlib import Path

from archstat.analysis import Analysis, Options, Row, Totals
from archstat.bundled import bundled_names, resolve_spec
from archstat.engine import analyze as _analyze
from archstat.errors import Problem, SpecError
from archstat.loader import SpecFileError, load_spec, parse_spec
from archstat.spec import Spec

__version__ = "0.1.0"


def load(ref: str | Path) -> Spec:
    """Load a spec from a file path or a bundled spec name ('alexnet')."""
    return load_spec(resolve_spec(ref))


def _loaded(spec: Spec | str | Path) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec)


def _options(options: Options | None, overrides: dict[str, object]) -> Options | None:
    """Options with keyword overrides (batch=8, dtype='bf16', ...) applied."""
    if not overrides:
        return options
    return Options(**{**(options.__dict__ if options else {}), **overrides})  # type: ignore[arg-type]


def analyze(spec: Spec | str | Path, options: Options | None = None, **kwargs: object) -> Analysis:
    """Analyse a spec (or a path/name to load); keyword arguments fill Options (batch=8, dtype='bf16', ...)."""
    return _analyze(_loaded(spec), _options(options, kwargs))


def build(spec: Spec | str | Path, options: Options | None = None, device: str = "cpu", **kwargs: object):  # noqa: ANN201
    """The spec as a torch.nn.Module, submodules named after its layers (imports torch; device='meta': shapes only)."""
    from archstat.builder import build_model

    return build_model(_loaded(spec), _options(options, kwargs), device)


__all__ = [
    "Analysis", "Options", "Problem", "Row", "Spec", "SpecError", "SpecFileError", "Totals",
    "analyze", "build", "bundled_names", "load", "load_spec", "parse_spec", "resolve_spec",
]
