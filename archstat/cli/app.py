"""The typer application, the exit codes, messages on stderr, and the one place unexpected errors are caught."""
from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

import archstat
from archstat.output import Terminated
from archstat.versions import TYPER_FLOOR, TYPER_RANGE, below, dotted

EXIT_OK = 0
EXIT_SPEC = 1  # the input has problems, or analytic and measured numbers disagree
EXIT_USAGE = 2  # the tool could not run
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it

# Each command lives in the module that owns it, and only the one that runs is imported and turned into a click
# command: `archstat table` pays for no other command's options, nor for torch-side modules.
COMMANDS: dict[str, str] = {"table": "analytic", "list": "analytic", "show": "analytic",
                            "conventions": "analytic", "check": "checking",
                            "compare": "measuring", "profile": "measuring", "report": "reporting"}


class LazyCommands(TyperGroup):
    """The top-level group: it knows the commands by name and loads each one's module when it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:  # ctx: click's Context (typer carries its own click)
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"archstat.cli.{COMMANDS[cmd_name]}")
        group = typer.main.get_command(module.commands)
        return group.get_command(ctx, cmd_name) if isinstance(group, TyperGroup) else group


app = typer.Typer(
    name="archstat", cls=LazyCommands, invoke_without_command=True, add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Per-layer shapes, activation memory, parameters and FLOPs of CNN architectures from YAML specs.",
)


def say(message: str) -> None:
    """A message for people, on stderr, as plain text."""
    typer.echo(message, err=True)


def fail(message: str) -> typer.Exit:
    """Say why the tool could not run; the caller raises the returned exit (code 2)."""
    say(f"error: {message}")
    return typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archstat {archstat.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Analyse CNN architectures from declarative YAML specs."""
    if ctx.invoked_subcommand is None:  # `archstat` alone: the help, and exit 0
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_OK)


def main() -> None:
    """Console-script entry point: an error archstat did not expect is one message and exit code 2."""
    found = getattr(typer, "__version__", "")
    if below(found, TYPER_FLOOR):
        say(f"error: archstat needs typer {dotted(TYPER_FLOOR)} or newer, and this Python has typer {found}, which "
            f"misreads archstat's command line; install a supported one: pip install 'typer{TYPER_RANGE}'")
        sys.exit(EXIT_USAGE)
    try:
        app()
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated as stop:  # SIGTERM or SIGHUP while writing: the temporary file is gone already
        say("stopped by a signal; nothing was written")
        sys.exit(128 + stop.signum)
    except Exception as exc:
        if os.environ.get("ARCHSTAT_DEBUG"):
            raise
        say(f"archstat: internal error: {type(exc).__name__}: {exc}")
        say("this is a bug in archstat; ARCHSTAT_DEBUG=1 shows the traceback")
        sys.exit(EXIT_USAGE)
