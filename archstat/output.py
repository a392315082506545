"""Where a rendered report goes: a file (written atomically), a terminal (rich), or a plain stdout stream.

What `-o PATH` does to each kind of path: a new path or a regular file gets the complete new text or is left as
it was (a temporary file beside it, then a rename); a symlink is followed and its target written that way; a
character device (/dev/null, a terminal) or a FIFO is written through as a stream; `-` is stdout. Refused, with a
message: a directory, a read-only file, a file with other hard links (replacing it would split them), any other
special file, and the spec being read. Failures come back as OutputError; a reader that went away (a closed
pipe) is ReaderGone, which is no error.
"""
from __future__ import annotations

import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

Content = str | bytes
STDOUT = Path("-")


class OutputError(Exception):
    """The report could not be written where it was asked to go."""


class ReaderGone(Exception):
    """stdout's reader closed the pipe (`archstat table resnet152 | head`): stop quietly."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written: the temporary file is removed, then we stop."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_stop() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Terminated (so cleanup runs) instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    caught = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    before = {s: signal.signal(s, stop) for s in caught}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def write_atomic(path: Path, content: Content) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`; OSError if that fails. The temporary
    file is removed whatever stops the write, SIGTERM and SIGHUP included."""
    import tempfile  # slow to import; only --output needs it

    with _signals_stop():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content.encode("utf-8") if isinstance(content, str) else content)
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


def write_file(path: Path, content: Content, protect: Iterable[Path] = ()) -> None:
    """The report at `path` as the module docstring says (parent folders made); OutputError says why not.

    protect: files that must not be written over (the specs being read).
    """
    try:
        target = _target(path, protect)
        if target is None:
            _write_stream(path, content)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _target(path: Path, protect: Iterable[Path]) -> Path | None:
    """The regular file (or new path) to replace atomically, following symlinks; None for a stream."""
    real = Path(os.path.realpath(path))
    for spec in protect:
        if os.path.exists(spec) and real.exists() and os.path.samefile(spec, real):
            raise OutputError(f"not writing over {path}: it is the spec being read; choose another --output")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {path}: it is a directory; give a file name inside it")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"not writing to {path}: it is neither a regular file nor a device or FIFO")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        raise OutputError(f"not writing over {path}: it is read-only; make it writable or choose another --output")
    if st.st_nlink > 1:
        raise OutputError(f"not writing over {path}: it has {st.st_nlink} hard links, and replacing it would leave "
                          "the others with the old report; remove the other links or choose another --output")
    return real


def _write_stream(path: Path, content: Content) -> None:
    """Write through to a character device or FIFO, as a shell's redirection would."""
    with open(path, "wb") as out:
        out.write(content.encode("utf-8") if isinstance(content, str) else content)


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


# What a table draws with beyond ASCII, for a stdout whose encoding lacks it (LANG=C, PYTHONIOENCODING=ascii).
ASCII = str.maketrans({"\u2500": "-", "\u2502": "|", "\u00b5": "u", "\u2212": "-", "\u2013": "-", "\u2014": "--",
                       "\u00d7": "x", "\u00b7": ".", "\u2026": "...", "\u2248": "~"})


def encodable(text: str, encoding: str | None) -> str:
    """The text as the stream's encoding can carry it: box rules and symbols in ASCII, anything else as '?'."""
    try:
        text.encode(encoding or "utf-8")
        return text
    except (UnicodeEncodeError, LookupError):
        plain = text.translate(ASCII)
        return plain.encode(encoding or "ascii", errors="replace").decode(encoding or "ascii")


def write_stdout(text: str) -> None:
    """Write text to stdout, in what its encoding can carry; OutputError when there is no stdout to write to."""
    if sys.stdout is None:
        raise OutputError("cannot write to stdout: it is closed")
    with guarded_stdout():
        sys.stdout.write(encodable(text, getattr(sys.stdout, "encoding", None)))
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


def deliver(path: Path | None, text: Callable[[], str], live: Callable[[], object] | None = None,
            protect: Iterable[Path] = ()) -> bool:
    """Send a report to `path`, else (or for `-`) to a terminal as `live` (when given) or to stdout as text.

    text and live render the report as text and as a rich renderable; only the one shown is called.
    True when a file was written.
    """
    if path is not None and path != STDOUT:
        write_file(path, text(), protect)
        return True
    if live is not None and sys.stdout is not None and sys.stdout.isatty():
        write_terminal(text, live)
    else:
        write_stdout(text())
    return False
