"""Build a real torch.nn.Module from a spec; every submodule is named after its spec layer.

The analysis supplies each layer's input shape, and the registry's `build` rule makes the module, so the model
and the analytic table cannot drift apart. Importing this module imports torch.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

import torch
from torch import nn

from archstat.analysis import Analysis, Options, Row, walk
from archstat.engine import analyze
from archstat.layers import REGISTRY, Site
from archstat.spec import STRUCTURES, Composite, Layer, Node, Spec


class BuildError(Exception):
    """The spec cannot be expressed as a torch module (a layer kind without a torch builder)."""


class DeviceMemoryError(Exception):
    """The model would not fit in the memory of the device it is asked to be built on."""


def available_bytes(device: torch.device) -> int | None:
    """Free memory on the device, or None where there is no limit to check (meta)."""
    if device.type == "meta":
        return None
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    return _mem_available() or os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _mem_available() -> int | None:
    """Linux's MemAvailable, which counts reclaimable page cache that MemFree leaves out."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def ensure_fits(analysis: Analysis, device: torch.device) -> None:
    """Refuse before allocating: fp32 weights plus every activation of one forward pass must fit."""
    needed = analysis.totals.params * 4 + analysis.totals.memory + analysis.totals.input_memory
    free = available_bytes(device)
    if free is not None and needed > free:
        raise DeviceMemoryError(
            f"{analysis.spec.name} needs about {needed / 2**30:.1f} GiB on {device} (weights "
            f"{analysis.totals.params * 4 / 2**30:.1f} GiB + activations at batch {analysis.options.batch}) but "
            f"{free / 2**30:.1f} GiB is free; use a smaller --batch or --input, or build on device 'meta'"
        )


class SpecModule(nn.Module):
    """The layers of one spec scope, run along its paths and joined the way the spec says.

    Children are registered under their spec names, so `model.get_submodule("inception3a.b2")` is the spec's
    `inception3a.b2` and per-module tools (fvcore's by_module, hooks, the profiler) line up with archstat's rows.
    """

    def __init__(self, kind: str, paths: list[list[tuple[str, nn.Module, bool]]], side_outputs: list):
        super().__init__()
        self.kind = kind
        self.structure = STRUCTURES[kind]
        self.combine = REGISTRY[self.structure.join].combine if self.structure.join else None
        self.paths: list[list[str]] = []
        self.sides: set[str] = set()
        self.side_outputs = side_outputs  # shared with the whole model: where side branches leave their results
        for path in paths:
            for name, module, side in path:
                self.add_module(name, module)
                if side:
                    self.sides.add(name)
            self.paths.append([name for name, _, _ in path])

    def _run(self, names: list[str], x: torch.Tensor) -> torch.Tensor:
        """One path; an empty one (an identity shortcut) returns its input."""
        for name in names:
            if name in self.sides:
                self.side_outputs.append(self._modules[name](x))
            else:
                x = self._modules[name](x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [self._run(names, x) for names in self.paths]
        if self.combine is None:
            return outputs[-1]
        return self.combine(self.structure.join_inputs(x, outputs))


class SpecModel(SpecModule):
    """A whole spec. With side branches built, returns (main output, side outputs...) like a training GoogLeNet."""

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        self.side_outputs.clear()
        y = super().forward(x)
        if not self.side_outputs:
            return y
        outputs = (y, *self.side_outputs)
        self.side_outputs.clear()
        return outputs


def build_model(spec: Spec, options: Options | None = None, device: str | torch.device = "cpu") -> SpecModel:
    """The spec as an nn.Module in eval mode; device='meta' builds shapes only, with no memory behind them."""
    return build_analysed(analyze(spec, options), device)


def build_analysed(analysis: Analysis, device: str | torch.device = "cpu") -> SpecModel:
    """The model of an analysis already made: each layer is built from its row's input shape and arguments."""
    device = torch.device(device)
    ensure_fits(analysis, device)
    rows = {row.name: row for _, row in walk(analysis.rows)}
    side_outputs: list[torch.Tensor] = []
    with device:
        model = SpecModel("group", [_path(analysis.spec.layers, "", rows, side_outputs)], side_outputs)
    return model.eval()


def _path(nodes: tuple[Node, ...], prefix: str, rows: Mapping[str, Row], side_outputs: list) -> list:
    built = []
    for node in nodes:
        name = prefix + node.name
        if name not in rows:  # a side branch left out of this analysis
            continue
        side = isinstance(node, Composite) and node.structure.side
        module = _layer(node, rows[name]) if isinstance(node, Layer) else _composite(node, name, rows, side_outputs)
        built.append((node.name, module, side))
    return built


def _layer(layer: Layer, row: Row) -> nn.Module:
    kind = REGISTRY[layer.kind]
    if kind.build is None:
        raise BuildError(f"layer '{row.name}': archstat cannot build a torch module for kind '{kind.name}'")
    return kind.build(Site(row.args, (row.input,), row.output))


def _composite(node: Composite, name: str, rows: Mapping[str, Row], side_outputs: list) -> SpecModule:
    return SpecModule(node.kind, [_path(path, name + ".", rows, side_outputs) for path in node.paths], side_outputs)
