"""Will it fit? Free memory on a device, checked before anything is allocated."""
from __future__ import annotations

import math
import os
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from archstat.analysis import Analysis, dtype_bytes
from archstat.errors import DeviceMemoryError
from archstat.layers import REGISTRY
from archstat.ops import INPUT


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None


def _field(text: str | None, name: str) -> int | None:
    """A 'Name:   123 kB' line of /proc/meminfo or /proc/self/status, in bytes."""
    for line in (text or "").splitlines():
        if line.startswith(f"{name}:"):
            try:
                return int(line.split()[1]) * 1024
            except (IndexError, ValueError):
                return None
    return None


def _number(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:  # 'max': no limit
        return None


def _cgroup_room() -> int | None:
    """What the container's memory limit leaves this process's cgroup (cgroup v2, else v1); None: no limit."""
    entry = next((line for line in (_read("/proc/self/cgroup") or "").splitlines() if line.startswith("0::")), None)
    if entry is not None:
        base = "/sys/fs/cgroup" + entry[3:].strip().rstrip("/")
        limit, used = _number(_read(f"{base}/memory.max")), _number(_read(f"{base}/memory.current"))
        if limit is not None and used is not None:
            return max(limit - used, 0)
    limit = _number(_read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
    used = _number(_read("/sys/fs/cgroup/memory/memory.usage_in_bytes"))
    if limit is None or used is None or limit >= 2**60:  # v1 writes a huge number for 'no limit'
        return None
    return max(limit - used, 0)


def _address_space_room() -> int | None:
    """What `ulimit -v` (RLIMIT_AS) leaves beyond the process's present size; None: no limit."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    return max(soft - (_field(_read("/proc/self/status"), "VmSize") or 0), 0)


def cpu_limits() -> dict[str, int]:
    """Every limit on what this process can still allocate, by name: the machine's available memory, the
    container's (cgroup) limit, and the address-space ulimit, each net of what is in use."""
    found = {"available memory (MemAvailable)": _field(_read("/proc/meminfo"), "MemAvailable"),
             "the container's memory limit (cgroup)": _cgroup_room(),
             "the address-space limit (ulimit -v)": _address_space_room()}
    limits = {name: room for name, room in found.items() if room is not None}
    if not limits:
        limits["free memory"] = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return limits


def available_bytes(device: torch.device) -> tuple[int, str] | None:
    """Free memory on the device and what bounds it (the smallest limit that applies); None on 'meta'."""
    if device.type == "meta":
        return None
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0], f"free memory on {device}"
    name, room = min(cpu_limits().items(), key=lambda item: item[1])
    return room, name


def activations_alive(analysis: Analysis) -> int:
    """The most bytes of layer outputs alive at once when the built model runs, freeing each after its last
    reader: the least the activations need, where the lecture table's sum (which frees nothing) is the most.

    An op whose module returns its input's storage (in place, a view: the registry says which) adds nothing,
    and the storage lives until the last of the ops sharing it is freed. A module made of several torch ops
    (LRN) also holds their scratch while it runs."""
    plan = analysis.run_plan()
    per_element = analysis.options.batch * dtype_bytes(analysis.options.dtype)
    owner: dict[int, int] = {INPUT: INPUT}  # op -> the op whose output storage it returns
    holders: Counter[int] = Counter()  # storage -> ops alive that hold it
    size = {INPUT: 0}  # the model's input is counted apart
    alive = peak = 0
    for i in plan.order:
        op = analysis.ops[i]
        glue = REGISTRY[op.kind].torch
        if op.inputs and glue.shares_input(op.site):
            owner[i] = owner[op.inputs[0]]
        else:
            owner[i], size[i] = i, math.prod(op.output) * per_element
            alive += size[i]
        holders[owner[i]] += 1
        peak = max(peak, alive + glue.scratch(op.site) * per_element)
        for j in plan.frees[i]:
            holders[owner[j]] -= 1
            if not holders[owner[j]]:
                alive -= size[owner[j]]
    return peak


def ensure_fits(analysis: Analysis, device: torch.device) -> None:
    """Refuse before allocating what cannot fit: fp32 weights, the input, and the activations alive at once.

    Only the least it needs is checked, so no batch that would run is refused; one that passes and still runs
    out meets the allocator's own error, which callers turn into archstat's message or an 'oom' result."""
    weights, activations = analysis.totals.params * 4, activations_alive(analysis)
    needed = weights + analysis.totals.input_memory + activations
    free = available_bytes(device)
    if free is not None and needed > free[0]:
        raise DeviceMemoryError(
            f"{analysis.spec.name} needs at least {needed / 2**30:.1f} GiB on {device} (weights "
            f"{weights / 2**30:.1f} GiB + input + {activations / 2**30:.1f} GiB of activations alive at once at "
            f"batch {analysis.options.batch}) but {free[1]} leaves {free[0] / 2**30:.1f} GiB; use a smaller "
            "--batch or --input, or build on device 'meta'"
        )


@contextmanager
def allocator_errors(model: str, device: object) -> Iterator[None]:
    """An allocator that runs out (after the check before allocating passed) becomes archstat's message."""
    try:
        yield
    except Exception as exc:
        if allocation_failed(exc):
            raise DeviceMemoryError(f"{model}: the allocator ran out of memory on {device} "
                                    f"({str(exc).splitlines()[0][:200]}); use a smaller --batch or --input") from None
        raise


def allocation_failed(exc: BaseException) -> bool:
    """torch's CUDA out-of-memory error, or the CPU allocator's 'can't allocate memory'."""
    text = str(exc).lower()
    return isinstance(exc, (torch.cuda.OutOfMemoryError, MemoryError)) or (
        isinstance(exc, RuntimeError) and "allocate" in text and "memory" in text)


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
