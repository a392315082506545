"""The memory check before building: the smallest limit that applies (machine, container, ulimit), named."""
from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("torch")

from archstat.measure import memory

pytestmark = pytest.mark.slow

GiB = 2**30


def _files(monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    monkeypatch.setattr(memory, "_read", files.get)


def test_a_container_limit_below_the_machine_bounds_what_is_free(monkeypatch):
    _files(monkeypatch, {"/proc/meminfo": "MemTotal: 100 kB\nMemAvailable:   8388608 kB\n",
                         "/proc/self/cgroup": "0::/job\n",
                         "/sys/fs/cgroup/job/memory.max": f"{2 * GiB}\n",
                         "/sys/fs/cgroup/job/memory.current": f"{GiB // 2}\n"})
    monkeypatch.setattr(memory, "_address_space_room", lambda: None)
    room, name = memory.available_bytes(memory.torch.device("cpu"))
    assert (room, name) == (GiB + GiB // 2, "the container's memory limit (cgroup)")


def test_no_cgroup_limit_leaves_the_machines_memory(monkeypatch):
    _files(monkeypatch, {"/proc/meminfo": "MemAvailable: 1048576 kB\n", "/proc/self/cgroup": "0::/\n",
                         "/sys/fs/cgroup/memory.max": "max\n", "/sys/fs/cgroup/memory.current": "5\n"})
    monkeypatch.setattr(memory, "_address_space_room", lambda: None)
    assert memory.cpu_limits() == {"available memory (MemAvailable)": GiB}


def test_an_address_space_ulimit_is_named_when_a_model_would_not_fit():
    code = """
import resource, archstat
from archstat.measure.memory import _field, _read
size = _field(_read("/proc/self/status"), "VmSize")
resource.setrlimit(resource.RLIMIT_AS, (size + 300 * 2**20, resource.RLIM_INFINITY))
try:
    archstat.build("vgg16")
except archstat.DeviceMemoryError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "the address-space limit (ulimit -v) leaves" in done.stdout, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_an_allocator_that_runs_out_during_a_check_is_archstats_message(monkeypatch):
    import archstat
    from archstat.measure import check

    def refuse(*args, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:121] DefaultCPUAllocator: can't allocate memory: you "
                           "tried to allocate 4000000000 bytes")

    monkeypatch.setattr(check, "output_shapes", refuse)
    with pytest.raises(archstat.DeviceMemoryError, match="lenet5: the allocator ran out of memory on cpu"):
        check.check_spec(archstat.load("lenet5"))
