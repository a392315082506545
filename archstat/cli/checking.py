"""`archstat check`: each spec built as a torch model and compared with torch and a FLOP counter, or one spec
compared with a real model (`--against torchvision:NAME` or `module.path:factory`)."""
from __future__ import annotations

import importlib
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

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
from archstat.errors import ToolError
from archstat.render import Format

if TYPE_CHECKING:
    from archstat.measure.against import AgainstReport
    from archstat.measure.check import CheckReport


class Weights(str, Enum):
    """What --weights does with the real model's weights: copy them into the built spec and compare outputs."""

    copy = "copy"


EXTRAS = {"torch": "torch", "fvcore": "torch", "torchvision": "torchvision", "pandas": "frames",
          "matplotlib": "report"}  # the archstat extra that installs each module


def require(command: str, *modules: str) -> None:
    """Import what a command needs (torch, fvcore, ...), or say which extra to install and exit 2."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            extra = EXTRAS.get(module, module)
            raise fail(f"{command} needs {module}: pip install 'archstat[{extra}]' ({exc})") from None
    if "torch" in modules:
        try:
            from archstat.measure import ensure_supported_torch

            ensure_supported_torch()
        except ToolError as exc:
            raise fail(str(exc)) from None


def _disagreements(reports: list[CheckReport]) -> int:
    """Name every row where archstat and the model disagree, on stderr; 1 if there are any."""
    failures = [(report.spec.name, row) for report in reports for row in report.failures]
    for model, row in failures:
        say(f"{model}: layer '{row.name}': {'; '.join(row.problems)}")
    return EXIT_SPEC if failures else 0


def _against_disagreements(report: AgainstReport) -> int:
    """Name the first layer that differs from the real model, then the totals and outputs that differ; 1 if any."""
    model, first = report.spec.name, report.first
    if first is not None:
        where = (f" at layer '{first.name}' (model: {first.reference or 'no module'}"
                 + (f", matched by {first.match}" if first.match else "") + ")") if first.name else ""
        say(f"{model}: first difference{where}: {'; '.join(first.problems)}")
        if report.differing > 1:
            more = report.differing - 1
            say(f"{model}: {more} more {'layer differs' if more == 1 else 'layers differ'} after it (see the table)")
    if not report.total.ok:
        unrun = report.unrun_note()
        say(f"{model}: totals: {'; '.join(report.total.problems)}" + (f" ({unrun})" if unrun else ""))
    if report.output is not None and not report.output.ok:
        from archstat.render.reports import output_line

        say(f"{model}: {output_line(report.output)}")
    return 0 if report.ok else EXIT_SPEC


commands = typer.Typer(add_completion=False)  # registered lazily by archstat.cli.app


@commands.command()
def check(
    specs: SpecsArg = None,
    bundled: Annotated[bool, typer.Option("--bundled", help="Check every bundled spec.")] = False,
    counter: Annotated[Counter, typer.Option(
        help="Whose FLOP count to compare with: fvcore's FlopCountAnalysis or torch's FlopCounterMode.",
    )] = Counter.fvcore,
    against: Annotated[Optional[str], typer.Option(
        "--against", metavar="torchvision:NAME|module.path:factory", show_default=False,
        help="Compare one spec with a real model instead of archstat's own build: a torchvision model (weights=None) "
             "or any factory returning an nn.Module, called with no arguments.")] = None,
    weights: Annotated[Optional[Weights], typer.Option(
        show_default=False,
        help="With --against: copy the model's weights and buffers into the built spec and compare the outputs on "
             "one seeded random input.")] = None,
    tolerance: Annotated[float, typer.Option(
        min=0.0, help="With --weights copy: the largest max abs difference that passes, relative to the model's "
                      "largest |output| (at least 1).")] = 1e-5,
    batch: BatchOpt = 1,
    side: SideOpt = False,
    expand: ExpandOpt = False,
    depth: DepthOpt = 0,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Build each spec as a torch model and compare shapes, params and FLOPs with torch and fvcore, row by row;
    or, with --against, compare one spec with a real model."""
    names = archstat.bundled_names() if bundled else list(specs or [])
    if not names:
        raise fail("name a spec to check, or give --bundled")
    if weights is not None and against is None:
        raise fail("--weights copy needs --against: there is no other model to copy the weights from")
    chosen = chosen_format(fmt, output)
    require(f"archstat check --counter {counter.value}", "torch", *(("fvcore",) if counter is Counter.fvcore else ()))
    if against is not None:
        if len(names) != 1:
            raise fail("--against checks one spec against one model; name a single spec")
        _check_against(names[0], against, Options(batch=batch), counter, weights is Weights.copy, tolerance,
                       (chosen, output, None if expand else depth))
        return
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


def _check_against(name: str, against: str, options: Options, counter: Counter, copy: bool, tolerance: float,
                   shown: tuple[Format, Optional[Path], Optional[int]]) -> None:
    """One spec against a real model: the table, the first difference on stderr, and the exit code."""
    from archstat.measure.against import check_against
    from archstat.render.reports import against_grid

    chosen, output, max_depth = shown
    reports, code = for_each_spec([name], lambda n: check_against(load(n), against, options, counter.value,
                                                                  copy, tolerance), "checking")
    if reports:
        show_grid(chosen, output, against_grid(reports[0], max_depth))
        code = max(code, _against_disagreements(reports[0]))
    exit_with(code)
