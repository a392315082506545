"""`archstat check`: each spec built as a torch model and compared with torch and a FLOP counter."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated

import typer

import archstat
from archstat.analysis import Options
from archstat.cli.app import EXIT_SPEC, fail, say
from archstat.cli.common import chosen_format, exit_with, for_each_spec, load, show_grid
from archstat.cli.options import (
    BatchOpt,
    Counter,
    DepthOpt,
    ExpandOpt,
    FormatOpt,
    OutputOpt,
    SideOpt,
    SpecsArg,
)

if TYPE_CHECKING:
    from archstat.measure.check import CheckReport


def require(command: str, *modules: str) -> None:
    """Import what a command needs (torch, fvcore, ...), or say which extra to install and exit 2."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise fail(f"{command} needs {module}: {exc}") from None


def _disagreements(reports: list[CheckReport]) -> int:
    """Name every row where archstat and the model disagree, on stderr; 1 if there are any."""
    failures = [(report.spec.name, row) for report in reports for row in report.failures]
    for model, row in failures:
        say(f"{model}: layer '{row.name}': {'; '.join(row.problems)}")
    return EXIT_SPEC if failures else 0

commands = typer.Typer(add_completion=False)  # registered lazily by archstat.cli.app


@commands.command()
def check(
    specs: SpecsArg = None,
    bundled: Annotated[bool, typer.Option("--bundled", help="Check every bundled spec.")] = False,
    counter: Annotated[Counter, typer.Option(
        help="Whose FLOP count to compare with: fvcore's FlopCountAnalysis or torch's FlopCounterMode.",
    )] = Counter.fvcore,
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
        raise fail("name a spec to check, or give --bundled")
    chosen = chosen_format(fmt, output)
    require(f"archstat check --counter {counter.value}", "torch", *(("fvcore",) if counter is Counter.fvcore else ()))
    from archstat.measure.check import check_spec
    from archstat.render.reports import check_grid, check_summary_grid

    options = Options(batch=batch, side=side)
    reports, code = for_each_spec(names, lambda name: check_spec(load(name), options, counter.value),
                                  "checking")
    if reports:
        several = len(names) > 1
        grid = check_summary_grid(reports) if several else check_grid(reports[0], None if expand else depth)
        show_grid(chosen, output, grid)
    exit_with(max(code, _disagreements(reports)))
