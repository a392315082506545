"""Whether an fp32 matmul or convolution may run on TF32, read and switched without tripping torch.

torch has two families of switches for this: the older `allow_tf32` flags and, since 2.9, `fp32_precision` per
backend and op. Once a program has set one of the newer switches on its own, reading an older flag raises ("mix of
the legacy and new APIs"). So the state is read from the newer family where torch has it, and a tf32 cell is
switched on through the older flags only where torch can still read them, then put back in both families.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import torch

Math = Literal["matmul", "cudnn"]


def _levels(math: Math) -> tuple[Any, ...]:
    """The switches that decide, most specific first: an op's own, then its backend's, then torch's."""
    backends: Any = torch.backends  # the op-level switches are set on the modules at run time
    if math == "matmul":
        return backends.cuda.matmul, backends
    return backends.cudnn.conv, backends.cudnn, backends


def _legacy(math: Math) -> Any:
    return torch.backends.cuda.matmul if math == "matmul" else torch.backends.cudnn


def has_precision_switches() -> bool:
    """Whether this torch has the per-op fp32_precision switches (2.9 and later)."""
    return hasattr(torch.backends.cudnn, "conv") and hasattr(torch.backends.cudnn.conv, "fp32_precision")


def tf32_allowed(math: Math) -> bool:
    """Whether fp32 work of this kind may use TF32 now: the first level that says 'tf32' or 'ieee' decides."""
    if not has_precision_switches():
        return bool(_legacy(math).allow_tf32)
    for level in _levels(math):
        value = level.fp32_precision
        if value != "none":
            return bool(value == "tf32")
    return False


def _legacy_state() -> tuple[bool, bool] | None:
    """The older flags (matmul, cuDNN), or None where torch refuses to read them after a newer switch was set."""
    try:
        return bool(torch.backends.cuda.matmul.allow_tf32), bool(torch.backends.cudnn.allow_tf32)
    except RuntimeError:
        return None


def _set_legacy(matmul: bool, cudnn: bool) -> None:
    torch.backends.cuda.matmul.allow_tf32 = matmul
    torch.backends.cudnn.allow_tf32 = cudnn


def _leaves() -> tuple[Any, ...]:
    """The op switches the older flags write through to; the backend and global levels are never written."""
    cudnn: Any = torch.backends.cudnn
    return (torch.backends.cuda.matmul, cudnn.conv) + ((cudnn.rnn,) if hasattr(cudnn, "rnn") else ())


@contextmanager
def tf32_switched_on(on: bool = True) -> Iterator[None]:
    """TF32 allowed for matmuls and cuDNN while inside (when on), and every switch as it was afterwards."""
    if not on:
        yield
        return
    legacy = _legacy_state()
    leaves = {leaf: leaf.fp32_precision for leaf in _leaves()} if has_precision_switches() else {}
    if legacy is not None:
        _set_legacy(True, True)
    else:
        for leaf in leaves:
            leaf.fp32_precision = "tf32"
    try:
        yield
    finally:
        if legacy is not None:
            _set_legacy(*legacy)
        for leaf, value in leaves.items():
            leaf.fp32_precision = value
