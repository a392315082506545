"""`archstat report`: a folder of tables, charts and data on one or more models, measured on a device if asked."""
from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from archstat.cli.app import EXIT_INTERRUPTED, EXIT_USAGE, fail, say
from archstat.cli.common import READ, progress
from archstat.cli.measuring import (
    BatchesOpt,
    BenchmarkOpt,
    ChannelsLastOpt,
    CompileOpt,
    DtypesOpt,
    GraphsOpt,
    MinTimeOpt,
    RunsOpt,
    WarmupOpt,
    _compared,
    _device_ready,
    _finish,
    _settings,
    parse_batches,
    parse_dtypes,
)
from archstat.cli.options import Convention, DepthOpt, ExpandOpt, SpecsArg

if TYPE_CHECKING:
    from archstat.report import Report

commands = typer.Typer(add_completion=False)  # registered lazily by archstat.cli.app


def typed_again(ctx: typer.Context) -> str:
    """The command as one would type it again, less its output folder: the specs, then the options not at their
    default, so the same command gives the same README wherever the folder goes."""
    parts = ["archstat", ctx.info_name or "report"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.name == "output" or value is None or value == param.default or value == []:
            continue
        if param.param_type_name == "argument":
            parts += [str(v) for v in value]
        elif getattr(param, "is_flag", False):
            parts.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            parts += [param.opts[0], str(getattr(value, "value", value))]
    return shlex.join(parts)


def _charts_ready() -> None:
    """matplotlib is there, or one message saying how to install it and exit 2, before anything runs."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise fail("archstat report draws its charts with matplotlib, which is not installed: "
                   "pip install 'archstat[report]' (or pip install matplotlib)") from None


def _written(report: Report, folder: Path) -> None:
    """Write the folder with a progress bar on a terminal; if a file cannot be, say which were not written."""
    from archstat.report import ReportError, write_report

    files = report.files()
    try:
        with progress(len(files), "writing") as step:
            write_report(report, folder, READ, step)
    except ReportError as exc:
        say(f"error: {exc}")
        say(f"not written ({len(exc.missing)} of {len(files)} files): {', '.join(exc.missing)}")
        if exc.written:
            say(f"written before it stopped: {', '.join(exc.written)}")
        raise typer.Exit(EXIT_INTERRUPTED if exc.interrupted else EXIT_USAGE) from None
    say(f"wrote {folder / 'README.md'} and {len(files) - 1} more files")


@commands.command()
def report(
    ctx: typer.Context,
    specs: SpecsArg = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", file_okay=False, help="The folder to write (made if missing; its files are replaced).")
    ] = None,
    bundled: Annotated[bool, typer.Option("--bundled", help="Report on every bundled spec.")] = False,
    title: Annotated[Optional[str], typer.Option(help="The report's title (default: the models' names).")] = None,
    batch: BatchesOpt = "1",
    dtype: DtypesOpt = "fp32",
    flops: Annotated[Convention, typer.Option(help="FLOP convention of the tables and charts.")] = Convention.lecture,
    baseline: Annotated[Optional[str], typer.Option(help="The model the ratios are against (default: the first).")
                        ] = None,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Show in-place activation and dropout rows that tables hide.")] = False,
    device: Annotated[Optional[str], typer.Option(
        help="Also measure on this device (cpu, cuda, cuda:N); without it, analytic only and torch-free.")] = None,
    per_layer: Annotated[bool, typer.Option("--per-layer/--no-per-layer",
                                            help="When measuring, also time every layer (on by default).")] = True,
    warmup: WarmupOpt = 3,
    runs: RunsOpt = None,
    min_time: MinTimeOpt = 1.0,
    channels_last: ChannelsLastOpt = False,
    cuda_graphs: GraphsOpt = False,
    compile_model: CompileOpt = False,
    cudnn_benchmark: BenchmarkOpt = True,
) -> None:
    """A report folder: README.md with the tables and charts of each model and their comparison, CSV and JSON."""
    import archstat
    from archstat.render import View
    from archstat.report import plan_report

    names = list(specs or [])
    if bundled == bool(names):
        raise fail("name the specs to report on, or give --bundled (not both), as in: "
                   "archstat report alexnet vgg16 -o reports/")
    if output is None:
        raise fail("name the folder to write with -o, as in: archstat report alexnet -o reports/alexnet/")
    _charts_ready()
    batches, dtypes = parse_batches(batch), parse_dtypes(dtype)
    settings = None
    if device is not None:
        settings = _settings(device, warmup, runs, min_time, channels_last, cuda_graphs, compile_model,
                             cudnn_benchmark, per_layer)
        _device_ready(settings, "archstat report --device", dtypes)
    comparison, code = _compared(archstat.bundled_names() if bundled else names, batches, dtypes, flops.value,
                                 baseline, settings)
    plan = plan_report(comparison, title or ("The bundled specs" if bundled else None), typed_again(ctx),
                       View(depth=None if expand else depth, show_all=show_all))
    _written(plan, output)
    _finish(comparison, code, output)
