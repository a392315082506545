"""Forward hooks on a model's modules (a built spec's ops, or any real model's): what each produced in one pass."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import torch

from archstat.measure.build import SpecModel
from archstat.ops import Shape


@contextmanager
def hooked(model: SpecModel, after: Callable[[int, Any], None],
           before: Callable[[int], None] | None = None) -> Iterator[None]:
    """Call after(op index, output) when each op module has run, and before(op index) as it starts; the hooks
    are removed on the way out."""
    handles = [module.register_forward_hook(lambda m, i, o, index=index: after(index, o))
               for index, module in enumerate(model.steps)]
    if before is not None:
        handles += [module.register_forward_pre_hook(lambda m, i, index=index: before(index))
                    for index, module in enumerate(model.steps)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def output_shapes(model: SpecModel, x: torch.Tensor) -> list[Shape | None]:
    """The output shape (without batch) of every op, in op order, from one forward pass."""
    shapes: list[Shape | None] = [None] * len(model.steps)

    def keep(index: int, output: torch.Tensor) -> None:
        shapes[index] = tuple(output.shape[1:])

    with hooked(model, keep), torch.no_grad():
        model(x)
    return shapes


def op_params(model: SpecModel) -> list[int]:
    """The numel of each op module's parameters, in op order."""
    return [sum(p.numel() for p in module.parameters()) for module in model.steps]


def module_calls(model: torch.nn.Module, x: torch.Tensor, traced: Mapping[str, torch.nn.Module],
                 modules: Mapping[str, torch.nn.Module]) -> tuple[list[tuple[str, Shape | None]], set[str], Any]:
    """One forward pass under no_grad: (name, output shape without batch) of every call of the traced modules in
    execution order, the names of all the modules that ran, and the model's output."""
    runs: list[tuple[str, Shape | None]] = []
    ran: set[str] = set()

    def after(name: str, output: Any) -> None:
        runs.append((name, tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else None))

    handles = [m.register_forward_hook(lambda m, i, o, name=name: after(name, o)) for name, m in traced.items()]
    handles += [m.register_forward_pre_hook(lambda m, i, name=name: ran.add(name)) for name, m in modules.items()]
    try:
        with torch.no_grad():
            output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return runs, ran, output
