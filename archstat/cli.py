"""The `archstat` command line: thin adapters from options to archstat.analyze and the renderers.

Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 the spec has problems, 2 the tool could not run.
"""
from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

import archstat
from archstat.analysis import DTYPE_BYTES, Options
from archstat.layers import CONVENTIONS, FIT_MODES
from archstat.loader import parse_shape
from archstat.render import Entry, Format, View, format_for, render, render_list

if TYPE_CHECKING:
    from archstat.check import CheckReport
    from archstat.render.grid import Grid

EXIT_SPEC = 1
EXIT_USAGE = 2

# archstat.check.COUNTERS holds the counters themselves, but importing it imports torch: names only here.
COUNTER_NAMES = ("fvcore", "torch")

Dtype = Enum("Dtype", {name: name for name in DTYPE_BYTES}, type=str)  # type: ignore[misc]
Convention = Enum("Convention", {name: name for name in CONVENTIONS}, type=str)  # type: ignore[misc]
FlopCounter = Enum("FlopCounter", {name: name for name in COUNTER_NAMES}, type=str)  # type: ignore[misc]


Fit = Enum("Fit", {name: name for name in FIT_MODES}, type=str)  # type: ignore[misc]


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


# ---- options shared by several commands -------------------------------------------------------------------------

FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", case_sensitive=False,
    help="Output format. Default: table, or what the --output suffix says (.txt .csv .md .json).")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", dir_okay=False, help="Write to this file (atomically) instead of stdout.")]
BatchOpt = Annotated[int, typer.Option(min=1, help="Batch size: the numbers are for the whole batch.")]
SideOpt = Annotated[bool, typer.Option("--side", help="Include side branches (e.g. auxiliary classifiers).")]
ExpandOpt = Annotated[bool, typer.Option("--expand", help="Show block internals all the way down.")]
DepthOpt = Annotated[int, typer.Option(min=0, help="Expand blocks this many levels.")]


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


# ---- writing the result -----------------------------------------------------------------------------------------

def _write_file(output: Path, text: str) -> None:
    from archstat.output import write_atomic  # tempfile is slow to import; only --output needs it

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    _say(f"wrote {output}")


def _to_terminal(text: Callable[[], str], live: Callable[[], object]) -> None:
    """The rich table when it fits the terminal; else the plain text, as rich would cut numbers short to fit."""
    from rich.console import Console  # only a terminal pays for rich's import

    console, table = Console(), live()
    natural = console.measure(table, options=console.options.update(max_width=sys.maxsize))  # type: ignore[arg-type]
    if natural.maximum > console.width:  # the terminal wraps or scrolls the long lines; every digit stays
        sys.stdout.write(text())
        sys.stdout.flush()
    else:
        console.print(table)


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's flush at exit has nowhere to fail."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # stdout without a file descriptor (captured): nothing flushes it at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


@contextmanager
def _guarded_stdout() -> Iterator[None]:
    """A reader that went away (closed pipe) is no error; any other failure to write stdout is (exit 2)."""
    try:
        yield
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        _quiet_stdout()
        raise _fail(f"cannot write to stdout: {exc.strerror or exc}") from None


def _show(chosen: Format, output: Optional[Path], text: Callable[[], str], live: Callable[[], object]) -> None:
    """Write the report: to the output file, as the rich table on a terminal, or as text on stdout.

    text and live render the report as text and as a rich renderable; only the one shown is called.
    """
    if output is not None:
        _write_file(output, text())
        return
    with _guarded_stdout():
        if chosen is Format.table and sys.stdout.isatty():
            _to_terminal(text, live)
        else:
            sys.stdout.write(text())
            sys.stdout.flush()


def _show_grid(chosen: Format, output: Optional[Path], grid: Grid) -> None:
    from archstat.render import render_grid

    _show(chosen, output, lambda: render_grid(grid, chosen), lambda: rich_tables().grid_table(grid))


def rich_tables():  # noqa: ANN201
    """archstat.render.live, imported only when a table is shown on a terminal."""
    from archstat.render import live as module

    return module


# ---- commands ---------------------------------------------------------------------------------------------------

@app.command()
def table(
    spec: Annotated[str, typer.Argument(help="A spec file, or a bundled spec's name (alexnet, vgg16, ...).")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    batch: BatchOpt = 1,
    dtype: Annotated[Dtype, typer.Option(  # type: ignore[valid-type]
        help="Element type of the activations (memory only).")] = "fp32",  # type: ignore[assignment]
    input_size: Annotated[Optional[str], typer.Option(
        "--input", callback=_shape, help="Input size instead of the spec's, as 3x224x224 (or features).")] = None,
    flops: Annotated[Convention, typer.Option(  # type: ignore[valid-type]
        help="FLOP convention: how multiply-adds and other ops count.")] = "lecture",  # type: ignore[assignment]
    no_bias: Annotated[bool, typer.Option("--no-bias", help="Leave biases out of the params.")] = False,
    fit: Annotated[Optional[Fit], typer.Option(
        help="Windows that leave a remainder: exact (error) or floor (dropped); overrides the spec.")] = None,
    side: SideOpt = False,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Show in-place activation and dropout rows that tables hide.")] = False,
    precision: Annotated[int, typer.Option(min=0, max=6, help="Decimals for the KB, k and M columns.")] = 0,
    paper: Annotated[bool, typer.Option(
        "--paper", help="Lay the table out as GoogLeNet's Table 1 (type, patch/stride, depth, branch widths).")] = False,
) -> None:
    """Per-layer table: shapes, activation memory, params and FLOPs, with totals."""
    chosen = _format(fmt, output)
    options = Options(batch=batch, dtype=dtype.value, flops=flops.value, bias=not no_bias, input=input_size,
                      fit=fit.value if fit else None, side=side)
    with _reported():
        analysis = archstat.analyze(archstat.load(spec), options)
    if paper:
        from archstat.render.paper import paper_grid

        _show_grid(chosen, output, paper_grid(analysis, precision))
        return
    view = View(depth=None if expand else depth, show_all=show_all, precision=precision)
    _show(chosen, output, lambda: render(analysis, chosen, view),
          lambda: rich_tables().analysis_table(analysis, view))


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
    _show(chosen, output, lambda: render_list(entries, chosen), lambda: rich_tables().list_table(entries))
    if code:
        raise typer.Exit(code)


def _require(counter: str) -> None:
    """Import what the check and its FLOP counter need (torch, and fvcore for its counter), or exit 2."""
    for module in ("torch", *(("fvcore",) if counter == "fvcore" else ())):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise _fail(f"archstat check --counter {counter} needs {module}: {exc}") from None


def _check_one(name: str, options: Options, counter: str) -> CheckReport | Exception:
    """Check one spec against torch: its report, or the error that stopped it (reported once all have run)."""
    from archstat.builder import BuildError, DeviceMemoryError
    from archstat.check import check_spec

    try:
        return check_spec(archstat.load(name), options, counter)
    except (archstat.SpecError, archstat.SpecFileError, BuildError, DeviceMemoryError) as exc:
        return exc


def _check_error(name: str, exc: Exception) -> int:
    """Say why a spec could not be checked; 1 when the spec is at fault, 2 when the tool could not run it."""
    from archstat.builder import BuildError

    if isinstance(exc, (archstat.SpecError, archstat.SpecFileError)):
        return _report(exc)
    if isinstance(exc, BuildError):
        _say(f"error: {name}: {exc}")
        return EXIT_SPEC
    _say(f"error: {exc}")  # the device's message names the model
    return EXIT_USAGE


def _disagreements(reports: list[CheckReport]) -> int:
    """Name every row where archstat and the model disagree, on stderr; 1 if there are any."""
    failures = [(report.spec.name, row) for report in reports for row in report.failures]
    for model, row in failures:
        _say(f"{model}: layer '{row.name}': {'; '.join(row.problems)}")
    return EXIT_SPEC if failures else 0


def _with_progress(names: list[str], work: Callable[[str], object]) -> list:
    """Run work over names with a progress bar on stderr (only on a terminal)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("checking", total=len(names))
        results = []
        for name in names:
            progress.update(task, description=f"checking {name}")
            results.append(work(name))
            progress.advance(task)
    return results


def _check_report_grid(reports: list[CheckReport], several: bool, depth: int | None) -> Grid:
    from archstat.render.reports import check_grid, check_summary_grid

    return check_summary_grid(reports) if several else check_grid(reports[0], depth)


@app.command()
def check(
    specs: Annotated[Optional[list[str]], typer.Argument(help="Spec files or bundled names.")] = None,
    bundled: Annotated[bool, typer.Option("--bundled", help="Check every bundled spec.")] = False,
    counter: Annotated[FlopCounter, typer.Option(  # type: ignore[valid-type]
        help="Whose FLOP count to compare with: fvcore's FlopCountAnalysis or torch's FlopCounterMode.",
    )] = "fvcore",  # type: ignore[assignment]
    batch: BatchOpt = 1,
    side: SideOpt = False,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Build each spec as a torch model and compare shapes, params and FLOPs with torch and fvcore, row by row."""
    names = archstat.bundled_names() if bundled else list(specs or [])
    if not names:
        raise _fail("name a spec to check, or give --bundled")
    chosen = _format(fmt, output)
    _require(counter.value)
    options = Options(batch=batch, side=side)
    results = _with_progress(names, lambda name: _check_one(name, options, counter.value))
    codes = [_check_error(n, r) for n, r in zip(names, results) if isinstance(r, Exception)]
    reports = [r for r in results if not isinstance(r, Exception)]
    if reports:
        _show_grid(chosen, output, _check_report_grid(reports, len(names) > 1, None if expand else depth))
    code = max([*codes, _disagreements(reports)])
    if code:
        raise typer.Exit(code)


@app.command()
def conventions(
    spec: Annotated[str, typer.Argument(help="A spec file, or a bundled spec's name.")],
    batch: BatchOpt = 1,
    side: SideOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """One model's FLOPs under every known convention, split by layer kind, with what each counts."""
    from archstat.conventions import compare_conventions
    from archstat.render.reports import conventions_grid

    chosen = _format(fmt, output)
    with _reported():
        loaded = archstat.load(spec)
        totals = compare_conventions(loaded, Options(batch=batch, side=side))
    _show_grid(chosen, output, conventions_grid(loaded.title or loaded.name, totals))


def main() -> None:
    """Console-script entry point."""
    app()
