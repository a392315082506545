"""The real FLOP counters (fvcore, torch's FlopCounterMode) and what they count for each op of a built model."""
from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import torch

from archstat.measure.build import SpecModel


def fvcore_by_module(model: torch.nn.Module, x: torch.Tensor) -> dict[str, int]:
    """fvcore's FLOPs per module name ('' is the whole model), its warnings silenced."""
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fvcore.nn import FlopCountAnalysis

        counter = FlopCountAnalysis(model, x)
        counter.unsupported_ops_warnings(False).uncalled_modules_warnings(False).tracer_warnings("none")
        return dict(counter.by_module())


def torch_by_module(model: torch.nn.Module, x: torch.Tensor) -> dict[str, int]:
    """FlopCounterMode's FLOPs per module name ('' is the whole model) for the modules the forward pass enters."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    root = type(model).__name__
    counts = {name.removeprefix(root).removeprefix("."): sum(ops.values())
              for name, ops in counter.get_flop_counts().items() if name != "Global"}
    counts[""] = counter.get_total_flops()
    return counts


COUNTERS: dict[str, Callable[[torch.nn.Module, torch.Tensor], dict[str, int]]] = {
    "fvcore": fvcore_by_module, "torch": torch_by_module,
}


def count_ops(model: SpecModel, x: torch.Tensor, counter: str) -> tuple[list[int], int]:
    """The counter's FLOPs for each op of the model, in op order, and for the whole model."""
    counts = COUNTERS[counter](model, x)
    return [counts.get(name, 0) for name in model.op_names], counts[""]
