"""`archstat compare` and `archstat profile`: architectures side by side, and measured on a real device."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from archstat.cli.app import EXIT_INTERRUPTED, EXIT_USAGE, fail, say
from archstat.cli.checking import require
from archstat.cli.common import chosen_format, exit_with, for_each_spec, load, progress, reported, show_grid
from archstat.cli.options import Convention, DepthOpt, Dtype, ExpandOpt, FormatOpt, OutputOpt, SpecsArg

if TYPE_CHECKING:
    from archstat.comparison import Comparison, Measure
    from archstat.measurement import Measurement, Settings
    from archstat.spec import Spec


def parse_batches(value: str) -> list[int]:
    """--batch 1,8,32: whole numbers >= 1."""
    try:
        batches = [int(part) for part in value.split(",")]
    except ValueError:
        raise typer.BadParameter(f"must be whole numbers separated by commas, as in 1,8,32; got {value!r}") from None
    if not batches or min(batches) < 1:
        raise typer.BadParameter(f"batch sizes must be at least 1, got {value!r}")
    return batches


def parse_dtypes(value: str) -> list[str]:
    """--dtype fp32,bf16: names archstat knows."""
    known = [d.value for d in Dtype]
    dtypes = [part.strip() for part in value.split(",")]
    wrong = [d for d in dtypes if d not in known]
    if wrong:
        raise typer.BadParameter(f"unknown dtype {wrong[0]!r}; choose from {', '.join(known)}")
    return dtypes


BatchesOpt = Annotated[str, typer.Option("--batch", help="Batch sizes, comma-separated: 1,8,32.")]
DtypesOpt = Annotated[str, typer.Option("--dtype", help="Element types, comma-separated: fp32,bf16.")]
WarmupOpt = Annotated[int, typer.Option(min=0, help="At least this many untimed runs (then until the time settles).")]
RunsOpt = Annotated[Optional[int], typer.Option(min=1, help="Exactly this many timed runs (default: --min-time).")]
MinTimeOpt = Annotated[float, typer.Option("--min-time", min=0.0, help="Time runs for at least this many seconds.")]
ChannelsLastOpt = Annotated[bool, typer.Option("--channels-last", help="Run in channels-last memory format.")]
GraphsOpt = Annotated[bool, typer.Option("--cuda-graphs", help="Replay a captured CUDA graph (no launch overhead).")]
CompileOpt = Annotated[bool, typer.Option("--compile", help="Run torch.compile's version of the model.")]
BenchmarkOpt = Annotated[bool, typer.Option("--cudnn-benchmark/--no-cudnn-benchmark",
                                            help="Let cuDNN pick the fastest kernels (on by default).")]


def _settings(device: str, warmup: int, runs: Optional[int], min_time: float, channels_last: bool,
              cuda_graphs: bool, compile_model: bool, cudnn_benchmark: bool, per_layer: bool = False) -> Settings:
    from archstat.measurement import Settings

    return Settings(device=device, warmup=warmup, runs=runs, min_time=min_time, channels_last=channels_last,
                    cuda_graphs=cuda_graphs, compile=compile_model, cudnn_benchmark=cudnn_benchmark,
                    per_layer=per_layer)


def _device_ready(settings: Settings, command: str, dtypes: list[str]) -> None:
    """torch is there, the device exists and can run every dtype asked for, or one message and exit 2."""
    require(command, "torch")
    from archstat.measure.device import resolve_device, unrunnable

    with reported():
        where = resolve_device(settings.device)
    for dtype in dtypes:
        reason = unrunnable(dtype, where)
        if reason:
            raise fail(f"--dtype {dtype} cannot be measured on {where}: {reason}")
    if settings.cuda_graphs and not settings.device.startswith("cuda"):
        raise fail("--cuda-graphs needs --device cuda")


def _measuring(settings: Settings, step: Callable[[str], None]) -> Measure:
    """archstat.measure.profile for each cell, moving the progress bar as each one starts."""
    from archstat.comparison import measured_by

    measure = measured_by(settings)

    def one(spec: Spec, batch: int, dtype: str) -> Measurement:
        step(f"{spec.name} batch {batch} {dtype}")
        return measure(spec, batch, dtype)

    return one


def _compared(names: list[str], batches: list[int], dtypes: list[str], flops: str, baseline: Optional[str],
              settings: Settings | None) -> tuple[Comparison, int]:
    """Load the specs (reporting the ones that fail), then compare them; the comparison and the exit code."""
    from archstat.comparison import compare_specs

    specs, code = for_each_spec(names, load, "loading")
    if not specs:
        raise typer.Exit(code or 1)
    cells = len(specs) * len(batches) * len(dtypes) if settings else 0
    with progress(cells, "measuring") as step, reported():
        measure = _measuring(settings, step) if settings else None
        try:
            comparison = compare_specs(specs, batches, dtypes, flops, baseline, measure,
                                       settings.device if settings else None, settings)
        except ValueError as exc:
            raise fail(str(exc)) from None
    return comparison, code


def _finish(comparison: Comparison, code: int, output: Optional[Path]) -> None:
    if not comparison.complete:
        say(f"interrupted: {comparison.notes[-1].removeprefix('interrupted: ')}"
            + (f"; {output} holds what finished, marked incomplete" if output else ""))
        raise typer.Exit(EXIT_INTERRUPTED)
    for entry in comparison.entries:
        m = entry.measurement
        if m is not None and not m.ok:
            say(f"{m.model}: batch {m.batch} {m.dtype}: {m.status}{': ' + m.message if m.message else ''}")
            if m.status == "failed":  # out of memory and unsupported dtypes are results; a model that fails is not
                code = max(code, EXIT_USAGE)
    exit_with(code)

commands = typer.Typer(add_completion=False)  # registered lazily by archstat.cli.app


@commands.command()
def compare(
    specs: SpecsArg = None,
    device: Annotated[Optional[str], typer.Option(
        help="Also measure on this device (cpu, cuda, cuda:N); without it, analytic only and torch-free.")] = None,
    batch: BatchesOpt = "1",
    dtype: DtypesOpt = "fp32",
    flops: Annotated[Convention, typer.Option(help="FLOP convention of the analytic columns.")] = Convention.lecture,
    baseline: Annotated[Optional[str], typer.Option(help="The model the ratios are against (default: the first).")
                        ] = None,
    warmup: WarmupOpt = 3,
    runs: RunsOpt = None,
    min_time: MinTimeOpt = 1.0,
    channels_last: ChannelsLastOpt = False,
    cuda_graphs: GraphsOpt = False,
    compile_model: CompileOpt = False,
    cudnn_benchmark: BenchmarkOpt = True,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Architectures side by side: params, memory and FLOPs with ratios; measured latency and memory with --device."""
    names = list(specs or [])
    if not names:
        raise fail("name the specs to compare, as in: archstat compare alexnet vgg16")
    chosen = chosen_format(fmt, output)
    batches, dtypes = parse_batches(batch), parse_dtypes(dtype)
    settings = None
    if device is not None:
        settings = _settings(device, warmup, runs, min_time, channels_last, cuda_graphs, compile_model,
                             cudnn_benchmark)
        _device_ready(settings, "archstat compare --device", dtypes)
    from archstat.render.measured import compare_grid

    comparison, code = _compared(names, batches, dtypes, flops.value, baseline, settings)
    show_grid(chosen, output, compare_grid(comparison))
    _finish(comparison, code, output)


@commands.command()
def profile(
    specs: SpecsArg = None,
    device: Annotated[str, typer.Option(help="Where to measure: cpu, cuda or cuda:N.")] = "cpu",
    batch: BatchesOpt = "1",
    dtype: DtypesOpt = "fp32",
    per_layer: Annotated[bool, typer.Option("--per-layer", help="Also time every layer of the spec.")] = False,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    warmup: WarmupOpt = 3,
    runs: RunsOpt = None,
    min_time: MinTimeOpt = 1.0,
    channels_last: ChannelsLastOpt = False,
    cuda_graphs: GraphsOpt = False,
    compile_model: CompileOpt = False,
    cudnn_benchmark: BenchmarkOpt = True,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Measure each spec's model on a device: latency, throughput, TFLOP/s and peak memory per batch and dtype."""
    names = list(specs or [])
    if not names:
        raise fail("name a spec to profile, as in: archstat profile resnet50 --device cuda")
    chosen = chosen_format(fmt, output)
    batches, dtypes = parse_batches(batch), parse_dtypes(dtype)
    settings = _settings(device, warmup, runs, min_time, channels_last, cuda_graphs, compile_model, cudnn_benchmark,
                         per_layer)
    _device_ready(settings, "archstat profile", dtypes)
    from archstat.render.measured import layers_grid, profile_grid

    comparison, code = _compared(names, batches, dtypes, "torch", None, settings)
    layers = [layers_grid(e.measurement, None if expand else depth) for e in comparison.entries
              if e.measurement is not None and e.measurement.layers]
    show_grid(chosen, output, profile_grid(comparison), *layers)
    _finish(comparison, code, output)
