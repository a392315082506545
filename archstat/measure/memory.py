"""Will it fit? Free memory on a device, checked before anything is allocated."""
from __future__ import annotations

import os
import weakref
from collections.abc import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from archstat.analysis import Analysis
from archstat.errors import DeviceMemoryError


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


class LiveTensors(TorchDispatchMode):
    """Counts the bytes of every tensor storage the ops make while it is active, and the most alive at once.

    A storage is counted when an op first returns it and uncounted when torch frees it (storages keep their
    Python object while they live, so a finalizer sees the free). Scratch memory an op uses inside itself and
    gives back before returning is not seen.
    """

    def __init__(self) -> None:
        super().__init__()
        self.live = self.peak = 0
        self.counted: set[int] = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for value in tree_flatten(out)[0]:
            if isinstance(value, torch.Tensor):
                self._count(value.untyped_storage())
        return out

    def _count(self, storage: torch.UntypedStorage) -> None:
        key, size = storage.data_ptr(), storage.nbytes()
        if not size or key in self.counted:
            return
        self.counted.add(key)
        self.live += size
        self.peak = max(self.peak, self.live)
        weakref.finalize(storage, self._free, key, size)

    def _free(self, key: int, size: int) -> None:
        self.counted.discard(key)
        self.live -= size


def tensor_peak(run: Callable[[], object]) -> int:
    """The most bytes of tensors that run() had made and not yet freed at any one time."""
    with LiveTensors() as counter:
        run()
    return counter.peak
