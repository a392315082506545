"""Forward hooks on the op modules of a built model: what each op really produced in one forward pass."""
from __future__ import annotations

from collections.abc import Callable, Iterator
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
