"""The torch-free commands: `table`, `list` and `conventions`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

import archstat
from archstat.analysis import Options
from archstat.cli.app import fail
from archstat.cli.common import (
    chosen_format,
    exit_with,
    for_each_spec,
    load,
    reported,
    show,
    show_grid,
    show_text,
)
from archstat.cli.options import (
    BatchOpt,
    Convention,
    DepthOpt,
    Dtype,
    DtypeOpt,
    ExpandOpt,
    FitMode,
    FormatOpt,
    InputOpt,
    OutputOpt,
    SideOpt,
    SideParamsOpt,
    SpecArg,
    parse_input,
    side_mode,
)
from archstat.render import Entry, Format, View, render, render_list


def _live():
    """archstat.render.live, imported only when a table is shown on a terminal."""
    from archstat.render import live

    return live

commands = typer.Typer(add_completion=False)  # registered lazily by archstat.cli.app


@commands.command()
def table(
    spec: SpecArg,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    input_size: InputOpt = None,
    flops: Annotated[Optional[Convention], typer.Option(
        help="FLOP convention: how multiply-adds and other ops count. Default: lecture (--paper: macs).")] = None,
    bias: Annotated[Optional[bool], typer.Option(
        "--bias/--no-bias", help="Count biases in the params. Default: yes (--paper: no, as Table 1).")] = None,
    fit: Annotated[Optional[FitMode], typer.Option(
        help="Windows that leave a remainder: exact (error) or floor (dropped); overrides the spec.")] = None,
    side: SideOpt = False,
    side_params: SideParamsOpt = False,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Show in-place activation and dropout rows that tables hide.")] = False,
    precision: Annotated[int, typer.Option(
        min=0, max=6, help="Decimals in the scaled columns (KB, k, M); bytes and plain counts have none.")] = 0,
    paper: Annotated[bool, typer.Option(
        "--paper", help="Lay the table out as GoogLeNet's Table 1, with its conventions.")] = False,
) -> None:
    """Per-layer table: shapes, activation memory, params and FLOPs, with totals."""
    chosen = chosen_format(fmt, output)
    default_flops, default_bias = _paper_defaults() if paper else ("lecture", True)
    options = Options(batch=batch, dtype=dtype.value, input=parse_input(input_size), fit=fit.value if fit else None,
                      side=side_mode(side, side_params), flops=flops.value if flops else default_flops,
                      bias=bias if bias is not None else default_bias)
    with reported():
        analysis = archstat.analyze(load(spec), options)
    if paper:
        from archstat.render.paper import paper_grid

        show_grid(chosen, output, paper_grid(analysis, precision))
        return
    view = View(depth=None if expand else depth, show_all=show_all, precision=precision,
                width=terminal_width(chosen, output))
    show(chosen, output, lambda: render(analysis, chosen, view), lambda: _live().analysis_table(analysis, view))


def terminal_width(chosen: Format, output: Optional[Path]) -> int | None:
    """The terminal's columns when the table is drawn on one; None (natural width) for pipes, files, other formats."""
    if output is not None or chosen is not Format.table or sys.stdout is None or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns  # reads COLUMNS first, as rich's Console does


def _paper_defaults() -> tuple[str, bool]:
    """Table 1's own conventions: its ops and its params (weights without biases)."""
    from archstat.render.paper import PAPER_BIAS, PAPER_FLOPS

    return PAPER_FLOPS, PAPER_BIAS


@commands.command("list")
def list_specs(fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every bundled spec: title, input, params (M), GFLOPs (lecture) and memory (MB, activations plus input)."""
    chosen = chosen_format(fmt, output)

    def entry(name: str) -> Entry:
        spec = archstat.load(name)
        return Entry(name, spec.title, archstat.analyze(spec))

    entries, code = for_each_spec(archstat.bundled_names(), entry, "loading")
    show(chosen, output, lambda: render_list(entries, chosen), lambda: _live().list_table(entries))
    exit_with(code)


@commands.command()
def conventions(
    spec: SpecArg,
    batch: BatchOpt = 1,
    side: SideOpt = False,
    side_params: SideParamsOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """One model's FLOPs under every known convention, split by layer kind, with what each counts."""
    from archstat.conventions import compare_conventions
    from archstat.render.reports import conventions_grid

    chosen = chosen_format(fmt, output)
    with reported():
        loaded = load(spec)
        totals = compare_conventions(loaded, Options(batch=batch, side=side_mode(side, side_params)))
    show_grid(chosen, output, conventions_grid(loaded.title or loaded.name, totals))


TOUR = Path(__file__).resolve().parent.parent / "templates" / "language_tour.yaml"


@commands.command("show")
def show_spec(
    spec: Annotated[Optional[str], typer.Argument(
        metavar="[SPEC]", show_default=False, help="A bundled spec's name (or a spec file).")] = None,
    tour: Annotated[bool, typer.Option(
        "--tour", help="The language tour: every feature of the spec language.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, help="Write the YAML to this file, a template to edit.")] = None,
) -> None:
    """Print a spec's YAML: a bundled model to start from, or the language tour (--tour)."""
    if (spec is None) == (not tour):
        raise fail("name a spec to show, or give --tour (not both)")
    with reported():
        path = TOUR if spec is None else Path(load(spec).file)
    show_text(output, path.read_text(encoding="utf-8"))
