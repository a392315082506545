"""The `archstat` command line: thin adapters from options to archstat.analyze and the renderers.

Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 the spec has problems, 2 the tool could not run.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console, RenderableType

import archstat
from archstat.analysis import DTYPE_BYTES, Options
from archstat.layers import CONVENTIONS
from archstat.loader import parse_shape
from archstat.output import write_atomic
from archstat.render import Entry, Format, View, format_for, render, render_list

EXIT_SPEC = 1
EXIT_USAGE = 2

Dtype = Enum("Dtype", {name: name for name in DTYPE_BYTES}, type=str)  # type: ignore[misc]
Convention = Enum("Convention", {name: name for name in CONVENTIONS}, type=str)  # type: ignore[misc]


class Fit(str, Enum):
    exact = "exact"
    floor = "floor"


app = typer.Typer(
    name="archstat", no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False,
    help="Per-layer shapes, activation memory, parameters and FLOPs of CNN architectures from YAML specs.",
)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _say(message: str) -> None:
    _stderr().print(message, markup=False)


def _fail(message: str) -> typer.Exit:
    """Say why the tool could not run; the caller raises the returned exit (code 2)."""
    _say(f"error: {message}")
    return typer.Exit(EXIT_USAGE)


def _report(exc: archstat.SpecError | archstat.SpecFileError) -> int:
    """Print a spec's problems one per line (or why it could not be read); the exit code that goes with it."""
    if isinstance(exc, archstat.SpecError):
        for problem in exc.problems:
            _say(str(problem))
        return EXIT_SPEC
    _say(f"error: {exc}")
    return EXIT_USAGE


@contextmanager
def _reported() -> Iterator[None]:
    """Turn the errors users can act on into messages and an exit code, without a traceback."""
    try:
        yield
    except (archstat.SpecError, archstat.SpecFileError) as exc:
        raise typer.Exit(_report(exc)) from None


def _shape(value: Optional[str]) -> Optional[tuple[int, ...]]:
    """Parse --input as 3x224x224; a bad value is a usage error."""
    if value is None:
        return None
    try:
        return parse_shape(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archstat {archstat.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Analyse CNN architectures from declarative YAML specs."""


FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", case_sensitive=False,
    help="Output format. Default: table, or what the --output suffix says (.txt .csv .md .json).")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", dir_okay=False, help="Write to this file (atomically) instead of stdout.")]


def _format(fmt: Optional[Format], output: Optional[Path]) -> Format:
    if fmt is not None:
        return fmt
    if output is None:
        return Format.table
    found = format_for(output)
    if found is None:
        raise _fail(f"cannot tell the format from the name '{output}'; use a .txt, .csv, .md or .json suffix "
                    "or give --format")
    return found


def _emit(text: str, output: Optional[Path], live: Callable[[], RenderableType] | None = None) -> None:
    """Write text to the output file or stdout; a terminal gets the live rich table (colour, its width) instead."""
    if output is not None:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
        _say(f"wrote {output}")
    elif live is not None and sys.stdout.isatty():
        Console().print(live())
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@app.command()
def table(
    spec: Annotated[str, typer.Argument(help="A spec file, or a bundled spec's name (alexnet, vgg16, ...).")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    batch: Annotated[int, typer.Option(min=1, help="Batch size: memory and FLOPs are for the whole batch.")] = 1,
    dtype: Annotated[Dtype, typer.Option(  # type: ignore[valid-type]
        help="Element type of the activations.")] = "fp32",  # type: ignore[assignment]
    input_size: Annotated[Optional[str], typer.Option(
        "--input", callback=_shape, help="Input size instead of the spec's, as 3x224x224 (or features).")] = None,
    flops: Annotated[Convention, typer.Option(  # type: ignore[valid-type]
        help="FLOP convention: how multiply-adds and other ops count.")] = "lecture",  # type: ignore[assignment]
    no_bias: Annotated[bool, typer.Option("--no-bias", help="Leave biases out of the params.")] = False,
    fit: Annotated[Optional[Fit], typer.Option(
        help="Windows that leave a remainder: exact (error) or floor (dropped); overrides the spec.")] = None,
    side: Annotated[bool, typer.Option("--side", help="Include side branches (e.g. auxiliary classifiers).")] = False,
    expand: Annotated[bool, typer.Option("--expand", help="Show block internals all the way down.")] = False,
    depth: Annotated[int, typer.Option(min=0, help="Expand blocks this many levels.")] = 0,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Show in-place activation and dropout rows that tables hide.")] = False,
    precision: Annotated[int, typer.Option(min=0, max=6, help="Decimals for the KB, k and M columns.")] = 0,
) -> None:
    """Per-layer table: shapes, activation memory, params and FLOPs, with totals."""
    chosen = _format(fmt, output)
    options = Options(batch=batch, dtype=dtype.value, flops=flops.value, bias=not no_bias, input=input_size,
                      fit=fit.value if fit else None, side=side)
    with _reported():
        analysis = archstat.analyze(archstat.load(spec), options)
    view = View(depth=None if expand else depth, show_all=show_all, precision=precision)
    live = partial(rich_tables().analysis_table, analysis, view) if chosen is Format.table else None
    _emit(render(analysis, chosen, view), output, live)


def rich_tables():  # noqa: ANN201
    """archstat.render.table, imported only when a table is shown."""
    from archstat.render import table as module

    return module


@app.command("list")
def list_specs(fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every bundled spec: title, input, params (M), GFLOPs (lecture) and memory (MB, activations plus input)."""
    chosen = _format(fmt, output)
    entries, code = [], 0
    for name in archstat.bundled_names():
        try:
            spec = archstat.load(name)
            entries.append(Entry(name, spec.title, archstat.analyze(spec)))
        except (archstat.SpecError, archstat.SpecFileError) as exc:
            code = max(code, _report(exc))
    live = partial(rich_tables().list_table, entries) if chosen is Format.table else None
    _emit(render_list(entries, chosen), output, live)
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    app()
