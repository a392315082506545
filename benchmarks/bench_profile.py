"""The profiler's own figures on whatever device it runs on: time, spread, throughput, TFLOP/s, memory, layers.

Prints, never asserts. For each (spec, batch, dtype): the median latency and IQR/median, images/s, achieved
TFLOP/s (analytic 2 x MAC over the median), measured peak memory against the prediction (params + activations +
input), the sum of the per-layer times against the whole model, and how much the per-layer hooks slow it down.

    python benchmarks/bench_profile.py                      # CUDA if there is one: vgg16, resnet50 at 1, 32
    python benchmarks/bench_profile.py --device cpu --specs resnet18 --batch 1,8 --dtype fp32
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

import archstat
from archstat.measurement import Measurement

COLUMNS = ("spec", "batch", "dtype", "latency ms", "IQR/med", "runs", "img/s", "TFLOP/s", "peak MB", "pred MB",
           "diff", "layers/whole", "overhead")


def row(m: Measurement) -> list[str]:
    if not m.ok:
        return [m.model, str(m.batch), m.dtype, m.status, m.message[:60]] + [""] * (len(COLUMNS) - 5)
    mem = m.memory
    return [m.model, str(m.batch), m.dtype, f"{m.latency * 1e3:.3f}", f"{m.timing.spread:.1%}", str(m.timing.runs),
            f"{m.throughput:,.1f}", f"{m.flops_per_second / 1e12:.2f}",
            f"{mem.peak / 2**20:,.1f}" if mem.peak is not None else "n/a", f"{mem.predicted / 2**20:,.1f}",
            f"{mem.difference:+.0%}" if mem.difference is not None else "n/a",
            f"{m.layer_sum / m.latency:.1%}" if m.layer_sum else "",
            f"{m.overhead:+.1%}" if m.overhead is not None else ""]


def main() -> None:
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if cuda else "cpu")
    parser.add_argument("--specs", nargs="+", default=["vgg16", "resnet50"] if cuda else ["resnet18"])
    parser.add_argument("--batch", default="1,32" if cuda else "1,8")
    parser.add_argument("--dtype", default="fp32,bf16" if cuda else "fp32")
    parser.add_argument("--min-time", type=float, default=1.0)
    args = parser.parse_args()
    cells = []
    for spec in args.specs:
        for batch in map(int, args.batch.split(",")):
            for dtype in args.dtype.split(","):
                m = archstat.profile(spec, device=args.device, batch=batch, dtype=dtype, per_layer=True,
                                     min_time=args.min_time)
                cells.append(row(m))
                print(f"  measured {spec} batch {batch} {dtype}: {m.status}", file=sys.stderr, flush=True)
    first = archstat.profile(args.specs[0], device=args.device, runs=5, warmup=1)
    from archstat.render.measured import environment_line

    print(environment_line(first))
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.rjust(w) for c, w in zip(COLUMNS, widths)))
    for cells_row in cells:
        print("  ".join(c.rjust(w) for c, w in zip(cells_row, widths)))
    print("layers/whole: the per-layer times summed over the whole-model median (should be within 5% at batch >= 32 "
          "on a GPU); overhead: how much slower the model ran with the per-layer hooks in place")


if __name__ == "__main__":
    main()
