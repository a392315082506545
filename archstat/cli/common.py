"""What every command does the same way: errors to messages, the output's format and sink, runs over specs."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TypeVar

import typer

import archstat
from archstat.bundled import bundled_fallback
from archstat.cli.app import EXIT_SPEC, EXIT_USAGE, fail, say
from archstat.errors import BuildError, SpecError, ToolError
from archstat.loader import SpecFileError
from archstat.output import STDOUT, OutputError, ReaderGone, deliver
from archstat.render import Format, format_for
from archstat.spec import Spec

if TYPE_CHECKING:
    from archstat.render.grid import Grid

T = TypeVar("T")
# The errors a user can act on; anything else is a bug, caught once in main().
EXPECTED = (SpecError, SpecFileError, BuildError, ToolError)


def report(exc: Exception, name: str | None = None) -> int:
    """Print what went wrong (a spec's problems one per line); the exit code that goes with it."""
    if isinstance(exc, SpecError):
        for problem in exc.problems:
            say(str(problem))
        return EXIT_SPEC
    prefix = f"{name}: " if name and isinstance(exc, BuildError) else ""
    say(f"error: {prefix}{exc}")
    return EXIT_SPEC if isinstance(exc, BuildError) else EXIT_USAGE


@contextmanager
def reported() -> Iterator[None]:
    """Turn the errors users can act on into messages and an exit code, without a traceback."""
    try:
        yield
    except EXPECTED as exc:
        raise typer.Exit(report(exc)) from None


def chosen_format(fmt: Optional[Format], output: Optional[Path]) -> Format:
    """--format, else what the --output suffix says, else a table."""
    if fmt is not None:
        return fmt
    if output is None or output == STDOUT:
        return Format.table
    found = format_for(output)
    if found is None:
        raise fail(f"cannot tell the format from the name '{output}'; use a .txt, .csv, .md or .json suffix "
                   "or give --format")
    return found


def show(chosen: Format, output: Optional[Path], text: Callable[[], str],
         live: Callable[[], object] | None = None) -> None:
    """Write the report to the file, as a rich table on a terminal (tables only), or as text on stdout."""
    try:
        if deliver(output, text, live if chosen is Format.table else None, READ):
            say(f"wrote {output}")
    except ReaderGone:
        raise typer.Exit(0) from None
    except OutputError as exc:
        raise fail(str(exc)) from None


def show_text(output: Optional[Path], text: str) -> None:
    """Plain text (a spec's YAML) to the file or stdout."""
    show(Format.md, output, lambda: text)


def show_grid(chosen: Format, output: Optional[Path], grid: Grid, *more: Grid) -> None:
    """Report grids (check, conventions, paper layout, profile) in the chosen format, one after another; CSV and
    JSON carry the last grid's records and the first grid's data."""
    from archstat.render import render_grids

    def live() -> object:
        from rich.console import Group

        from archstat.render.live import grid_table

        return Group(*(grid_table(g) for g in (grid, *more)))

    show(chosen, output, lambda: render_grids((grid, *more), chosen), live)


@contextmanager
def progress(total: int, verb: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal's stderr (nothing when piped); yields step(what), called as each item starts."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(verb, total=total)
        started = [False]

        def step(what: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=f"{verb} {what}")

        yield step


def for_each_spec(names: list[str], work: Callable[[str], T], verb: str) -> tuple[list[T], int]:
    """Run work over each spec, with a progress bar on a terminal; a spec that fails is reported and the rest
    still run. The results, and the highest exit code among the failures (0 if none)."""
    results: list[T] = []
    code = 0
    with progress(len(names), verb) as step:
        for name in names:
            step(name)
            try:
                results.append(work(name))
            except EXPECTED as exc:
                code = max(code, report(exc, name))
    return results, code


def exit_with(code: int) -> None:
    """End the command with this exit code (0: return normally)."""
    if code:
        raise typer.Exit(code)


READ: list[Path] = []  # the spec files this command has read: --output never writes over them


def load(ref: str) -> Spec:
    """archstat.load, saying on stderr when a file that is not there falls back to the bundled spec of its name."""
    fallback = bundled_fallback(ref)
    if fallback is not None and ref != fallback.stem:
        say(f"note: there is no file '{ref}' here; using the bundled spec '{fallback.stem}'")
    spec = archstat.load(ref)
    READ.append(Path(spec.file))
    return spec
