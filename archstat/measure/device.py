"""The device a measurement runs on: checked before anything runs, and described in every result it gives.

Everything here only reads the device's state (versions, clocks, temperature); nothing changes its settings.
"""
from __future__ import annotations

import platform
import shutil
import subprocess
from typing import Any

import torch

from archstat.errors import ToolError

TORCH_DTYPES: dict[str, torch.dtype] = {"fp64": torch.float64, "fp32": torch.float32, "tf32": torch.float32,
                                         "fp16": torch.float16, "bf16": torch.bfloat16}


def resolve_device(name: str) -> torch.device:
    """The torch device for 'cpu', 'cuda', 'cuda:N' (or 'mps'); ToolError saying what is there instead."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise ToolError(f"unknown device {name!r}; use cpu, cuda or cuda:N") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            built = f"with CUDA {torch.version.cuda}" if torch.version.cuda else "without CUDA"
            raise ToolError(f"CUDA is not available here (torch {torch.__version__} is built {built} and sees no GPU); "
                            "use --device cpu")
        count = torch.cuda.device_count()
        index = device.index if device.index is not None else torch.cuda.current_device()
        if index >= count:
            have = ", ".join(f"cuda:{i}" for i in range(count))
            raise ToolError(f"there is no {name}: this machine has {count} CUDA device{'s' * (count != 1)} ({have})")
        return torch.device("cuda", index)
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ToolError("MPS is not available here; use --device cpu")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ToolError(f"archstat measures on cpu, cuda or mps, not {name!r}")
    return device


def unrunnable(dtype: str, device: torch.device) -> str | None:
    """Why no device of this kind runs the dtype, or None: known before anything runs, so a usage error."""
    if dtype not in TORCH_DTYPES:
        return (f"torch's layers cannot run {dtype} models; measure {', '.join(TORCH_DTYPES)}; "
                f"archstat table --dtype {dtype} counts it analytically")
    if dtype == "tf32" and device.type != "cuda":
        return "tf32 is a CUDA math mode; on this device use fp32"
    return None


def unsupported(dtype: str, device: torch.device) -> str | None:
    """Why a dtype cannot run on this device, or None when it can; bf16 depends on the GPU itself."""
    reason = unrunnable(dtype, device)
    if reason is None and dtype == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        reason = f"bf16 is not supported on {torch.cuda.get_device_name(device)}"
    return reason


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine() or device.type


def environment(device: torch.device) -> dict[str, Any]:
    """Versions and the device's name, as every result records them."""
    env: dict[str, Any] = {"device": str(device), "device_name": device_name(device), "torch": torch.__version__,
                           "python": platform.python_version(), "threads": torch.get_num_threads()}
    if device.type == "cuda":
        env.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                   capability=".".join(map(str, torch.cuda.get_device_capability(device))))
    return env


def gpu_readings(device: torch.device) -> dict[str, Any] | None:
    """Clocks, temperature and power of an NVIDIA GPU as nvidia-smi reports them (read only); None elsewhere."""
    if device.type != "cuda" or shutil.which("nvidia-smi") is None:
        return None
    fields = ("clocks.sm", "clocks.mem", "temperature.gpu", "power.draw")
    try:
        done = subprocess.run(["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits",
                               f"--id={device.index or 0}"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    values = [v.strip() for v in done.stdout.strip().split(",")]
    return {name: _number(value) for name, value in zip(("sm_clock_mhz", "mem_clock_mhz", "temperature_c",
                                                         "power_w"), values)}


def _number(text: str) -> float | str | None:
    try:
        return float(text)
    except ValueError:
        return None if "N/A" in text or not text else text


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
