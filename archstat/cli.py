"""The `archstat` command line: thin adapters from options to archstat.analyze and the renderers.

Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 the spec has problems, 2 the tool could not run.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

import archstat
from archstat.analysis import DTYPE_BYTES, Options
from archstat.layers import CONVENTIONS
from archstat.loader import parse_shape
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


def _say(message: str) -> None:
    """A message for people, on stderr, as plain text."""
    typer.echo(message, err=True)


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


def _emit(text: str, output: Optional[Path], live: Callable[[], object] | None = None) -> None:
    """Write text to the output file or stdout; a terminal gets the live rich table (colour, its width) instead."""
    if output is not None:
        from archstat.output import write_atomic  # tempfile is slow to import; only --output needs it

        try:
            write_atomic(output, text)
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
        _say(f"wrote {output}")
    elif live is not None and sys.stdout.isatty():
        from rich.console import Console  # only a terminal pays for rich's import

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
    live = (lambda: rich_tables().analysis_table(analysis, view)) if chosen is Format.table else None
    _emit(render(analysis, chosen, view), output, live)


def rich_tables():  # noqa: ANN201
    """archstat.render.live, imported only when a table is shown on a terminal."""
    from archstat.render import live as module

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
    live = (lambda: rich_tables().list_table(entries)) if chosen is Format.table else None
    _emit(render_list(entries, chosen), output, live)
    if code:
        raise typer.Exit(code)


class Counter(str, Enum):
    fvcore = "fvcore"
    torch = "torch"


def _checked(spec: str, options: Options, counter: str):  # noqa: ANN202
    """Check one spec against torch; build and device problems become exit codes with a message."""
    from archstat.builder import BuildError, DeviceMemoryError
    from archstat.check import check_spec

    try:
        with _reported():
            return check_spec(archstat.load(spec), options, counter)
    except BuildError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(EXIT_SPEC) from None
    except DeviceMemoryError as exc:
        raise _fail(str(exc)) from None


def _with_progress(names: list[str], work: Callable[[str], object]) -> list:
    """Run work over names with a progress bar on stderr (only on a terminal)."""
    from rich.progress import Progress

    from rich.console import Console

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("checking", total=len(names))
        results = []
        for name in names:
            progress.update(task, description=f"checking {name}")
            results.append(work(name))
            progress.advance(task)
    return results


@app.command()
def check(
    specs: Annotated[Optional[list[str]], typer.Argument(help="Spec files or bundled names.")] = None,
    check_all: Annotated[bool, typer.Option("--all", help="Check every bundled spec.")] = False,
    counter: Annotated[Counter, typer.Option(
        help="Whose FLOP count to compare with: fvcore's FlopCountAnalysis or torch's FlopCounterMode.")] = Counter.fvcore,
    batch: Annotated[int, typer.Option(min=1, help="Batch of the check's forward pass.")] = 1,
    side: Annotated[bool, typer.Option("--side", help="Include side branches.")] = False,
    expand: Annotated[bool, typer.Option("--expand", help="Show block internals all the way down.")] = False,
    depth: Annotated[int, typer.Option(min=0, help="Expand blocks this many levels.")] = 0,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Build each spec as a torch model and compare shapes, params and FLOPs with torch and fvcore, row by row."""
    names = archstat.bundled_names() if check_all else list(specs or [])
    if not names:
        raise _fail("name a spec to check, or give --all")
    chosen = _format(fmt, output)
    try:
        import torch  # noqa: F401
        import fvcore  # noqa: F401
    except ImportError as exc:
        raise _fail(f"archstat check needs torch and fvcore: {exc}") from None
    from archstat.render import render_grid
    from archstat.render.reports import check_grid, check_summary_grid

    options = Options(batch=batch, side=side)
    reports = _with_progress(names, lambda name: _checked(name, options, counter.value))
    if len(reports) == 1:
        grid = check_grid(reports[0], None if expand else depth)
    else:
        grid = check_summary_grid(reports)
    live = (lambda: rich_tables().grid_table(grid)) if chosen is Format.table else None
    _emit(render_grid(grid, chosen), output, live)
    failures = [(report.spec.name, row) for report in reports for row in report.failures]
    for model, row in failures:
        _say(f"{model}: layer '{row.name}': {'; '.join(row.problems)}")
    if failures:
        raise typer.Exit(EXIT_SPEC)


@app.command()
def conventions(
    spec: Annotated[str, typer.Argument(help="A spec file, or a bundled spec's name.")],
    batch: Annotated[int, typer.Option(min=1, help="Batch size.")] = 1,
    side: Annotated[bool, typer.Option("--side", help="Include side branches.")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """One model's FLOPs under every known convention, split by layer kind, with what each counts."""
    from archstat.conventions import compare_conventions
    from archstat.render import render_grid
    from archstat.render.reports import conventions_grid

    chosen = _format(fmt, output)
    with _reported():
        loaded = archstat.load(spec)
        totals = compare_conventions(loaded, Options(batch=batch, side=side))
    grid = conventions_grid(loaded.title or loaded.name, totals)
    live = (lambda: rich_tables().grid_table(grid)) if chosen is Format.table else None
    _emit(render_grid(grid, chosen), output, live)


def main() -> None:
    """Console-script entry point."""
    app()
