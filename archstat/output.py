"""Where a rendered report goes: a file (written atomically), a terminal (rich), or a plain stdout stream.

A file is either the complete new text or left as it was. Failures come back as OutputError with a message
for people; a reader that went away (a closed pipe) is ReaderGone, which is no error.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """The report could not be written where it was asked to go."""


class ReaderGone(Exception):
    """stdout's reader closed the pipe (`archstat table resnet152 | head`): stop quietly."""


def write_atomic(path: Path, text: str) -> None:
    """Write text to a temporary file beside `path`, then rename it over `path`; OSError if that fails."""
    import tempfile  # slow to import; only --output needs it

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 less the umask (mkstemp uses 0o600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_file(path: Path, text: str) -> None:
    """The report as the file at `path`, its missing parent folders made; OutputError says why it could not be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


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
def guarded_stdout() -> Iterator[None]:
    """A closed pipe becomes ReaderGone and any other failure to write stdout an OutputError."""
    try:
        yield
    except BrokenPipeError:
        _quiet_stdout()
        raise ReaderGone() from None
    except OSError as exc:
        _quiet_stdout()
        raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from None


def write_stdout(text: str) -> None:
    with guarded_stdout():
        sys.stdout.write(text)
        sys.stdout.flush()


def write_terminal(text: Callable[[], str], live: Callable[[], object]) -> None:
    """The rich renderable when it fits the terminal; else the plain text, as rich would cut numbers short."""
    from rich.console import Console  # only a terminal pays for rich's import

    with guarded_stdout():
        console, table = Console(), live()
        natural = console.measure(table, options=console.options.update(max_width=sys.maxsize))  # type: ignore[arg-type]
        if natural.maximum > console.width:  # the terminal wraps or scrolls the long lines; every digit stays
            sys.stdout.write(text())
            sys.stdout.flush()
        else:
            console.print(table)


def deliver(path: Path | None, text: Callable[[], str], live: Callable[[], object] | None = None) -> bool:
    """Send a report to `path`, else to a terminal as `live` (when given) or to stdout as text.

    text and live render the report as text and as a rich renderable; only the one shown is called.
    True when a file was written.
    """
    if path is not None:
        write_file(path, text())
        return True
    if live is not None and sys.stdout.isatty():
        write_terminal(text, live)
    else:
        write_stdout(text())
    return False
