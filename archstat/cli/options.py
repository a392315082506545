"""The choices and options the commands share, as str-Enums and typed annotations."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from archstat.render import Format


class Dtype(str, Enum):
    """Element types of activations (archstat.analysis.DTYPE_BYTES gives their sizes)."""

    fp64 = "fp64"
    fp32 = "fp32"
    tf32 = "tf32"
    fp16 = "fp16"
    bf16 = "bf16"
    fp8 = "fp8"
    int8 = "int8"


class Convention(str, Enum):
    """FLOP conventions (archstat.layers.CONVENTIONS says what each one is)."""

    lecture = "lecture"
    fvcore = "fvcore"
    torch = "torch"
    torchinfo = "torchinfo"
    thop = "thop"
    ptflops = "ptflops"
    macs = "macs"


class FitMode(str, Enum):
    exact = "exact"
    floor = "floor"


class Counter(str, Enum):
    """Real FLOP counters a check compares with (archstat.measure.counters.COUNTERS)."""

    fvcore = "fvcore"
    torch = "torch"


def parse_input(value: Optional[str]) -> Optional[tuple[int, ...]]:
    """Parse --input as 3x224x224; a bad value is a usage error."""
    from archstat.fields import parse_shape

    if value is None:
        return None
    try:
        return parse_shape(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def side_mode(side: bool, side_params: bool) -> bool | str:
    """Options.side from --side and --side-params; both at once is a usage error."""
    if side and side_params:
        raise typer.BadParameter("--side counts side branches in full and --side-params their parameters only; "
                                 "give one of them", param_hint="--side-params")
    return "params" if side_params else side


SpecArg = Annotated[str, typer.Argument(
    metavar="SPEC", show_default=False, help="A spec file, or a bundled spec's name (alexnet, vgg16, ...).")]
SpecsArg = Annotated[Optional[list[str]], typer.Argument(metavar="SPEC...", help="Spec files or bundled names.")]
FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", case_sensitive=False,
    help="Output format. Default: table, or what the --output suffix says (.txt .csv .md .json).")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", dir_okay=False, help="Write to this file (atomically; missing folders are made).")]
MAX_BATCH = 2**63 - 1  # the most elements any tensor holds
BatchOpt = Annotated[int, typer.Option(min=1, max=MAX_BATCH,
                                       help="Batch size: the numbers are for the whole batch.")]
DtypeOpt = Annotated[Dtype, typer.Option(help="Element type of the activations (memory only).")]
InputOpt = Annotated[Optional[str], typer.Option(
    "--input", help="Input size instead of the spec's, as 3x224x224 (or features).")]
SideOpt = Annotated[bool, typer.Option("--side", help="Include side branches (e.g. auxiliary classifiers).")]
SideParamsOpt = Annotated[bool, typer.Option(
    "--side-params", help="Count side branches' parameters only, not their FLOPs or memory (torchvision's GoogLeNet "
    "and Inception-v3 in eval mode).")]
ExpandOpt = Annotated[bool, typer.Option("--expand", help="Show block internals all the way down.")]
DepthOpt = Annotated[int, typer.Option(min=0, help="Expand blocks this many levels.")]
