"""How long `archstat table specs/resnet152.yaml` takes as a whole process, next to its floor and to fvcore.

Prints, never asserts: the median wall time of N fresh processes for archstat, for the bare imports it cannot
avoid (typer, rich, yaml), and for counting the same network with fvcore (and torchinfo when installed), plus
whether the analytic command pulled in torch, fvcore, pandas or rich's console (its stdout is not a terminal).
Goal: archstat within 1.5x of the floor.

    python benchmarks/bench_table.py [--runs 7] [--spec specs/resnet152.yaml]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5
HEAVY = ("torch", "fvcore", "pandas", "rich.console")

FLOOR = "import typer, rich, yaml"
ANALYZE = "import archstat; archstat.analyze({spec!r})"
FVCORE = """\
import torch, torchvision
from fvcore.nn import FlopCountAnalysis
model = torchvision.models.resnet152().eval()
flops = FlopCountAnalysis(model, torch.zeros(1, 3, 224, 224))
flops.unsupported_ops_warnings(False)
flops.uncalled_modules_warnings(False)
print(flops.total())
"""
TORCHINFO = """\
import torch, torchvision, torchinfo
model = torchvision.models.resnet152().eval()
print(torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0).total_mult_adds)
"""


def child_env(pycache: str) -> dict[str, str]:
    """Bytecode cached as after a normal install (in a scratch folder), whatever PYTHONDONTWRITEBYTECODE says."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def wall_times(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Seconds per run of a fresh process, after one untimed run that warms the file and bytecode caches."""
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def is_heavy(module: str) -> str | None:
    """The entry of HEAVY that module is or belongs to, if any."""
    return next((h for h in HEAVY if module == h or module.startswith(f"{h}.")), None)


def heavy_imports(command: list[str], env: dict[str, str]) -> tuple[list[str], list[tuple[int, str]]]:
    """Top-level packages from HEAVY that the command imported, and its slowest imports, via -X importtime."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    found, slowest = set(), []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, module = line.split(":", 1)[1].split("|")
        heavy = is_heavy(module.strip())
        if heavy:
            found.add(heavy)
        if not module[1:].startswith(" "):  # imported at the top, not by another module
            slowest.append((int(cumulative), module.strip()))
    return sorted(found), sorted(slowest, reverse=True)[:6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--spec", default="specs/resnet152.yaml")
    parser.add_argument("--skip-torch", action="store_true", help="leave out fvcore and torchinfo (slow)")
    args = parser.parse_args()

    command, label = [sys.executable, "-m", "archstat", "table", args.spec], f"archstat table {args.spec}"
    cases = [(f"floor: python -c '{FLOOR}'", [sys.executable, "-c", FLOOR]), (label, command),
             # where the command's time goes: the library alone, without typer and rich
             (f"library only: archstat.analyze({args.spec!r})",
              [sys.executable, "-c", ANALYZE.format(spec=args.spec)])]
    if not args.skip_torch:
        cases.append(("fvcore FlopCountAnalysis, torchvision resnet152", [sys.executable, "-c", FVCORE]))
        if importlib.util.find_spec("torchinfo") is not None:
            cases.append(("torchinfo summary, torchvision resnet152", [sys.executable, "-c", TORCHINFO]))

    print(f"whole-process wall time, median of {args.runs} runs ({sys.executable}, Python {sys.version.split()[0]}, "
          "bytecode cached)")
    pycache = tempfile.mkdtemp(prefix="archstat-bench-pycache-")
    env = child_env(pycache)
    floor = None
    for name, argv in cases:
        times = wall_times(argv, args.runs, env)
        median = statistics.median(times)
        floor = floor or median
        ratio = median / floor
        note = f"  (goal <= {GOAL:.2f}x: {'met' if ratio <= GOAL else 'NOT met'})" if argv is command else ""
        print(f"  {name:<52} {median * 1000:9.1f} ms  (min {min(times) * 1000:7.1f})  {ratio:6.2f}x floor{note}")
    if importlib.util.find_spec("torchinfo") is None and not args.skip_torch:
        print(f"  {'torchinfo summary, torchvision resnet152':<52} not installed")

    found, slowest = heavy_imports(command, env)
    print(f"{label} imported {', '.join(HEAVY)}: {', '.join(found) if found else 'none of them'} "
          "(checked with -X importtime)")
    print("its slowest top-level imports (cumulative): "
          + ", ".join(f"{module} {us / 1000:.1f} ms" for us, module in slowest))


if __name__ == "__main__":
    main()
