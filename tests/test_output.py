"""What `-o PATH` does to each kind of path: replace regular files atomically, stream to devices and FIFOs,
follow symlinks, and refuse what must not be replaced."""
from __future__ import annotations

import os
import signal
import stat
import threading
from pathlib import Path

import pytest
from cli_runner import cli_runner

from archstat.cli import app
from archstat.output import OutputError, Terminated, write_atomic, write_file

runner = cli_runner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_a_new_path_and_a_regular_file_get_the_whole_report(tmp_path: Path) -> None:
    target = tmp_path / "t.md"
    assert invoke("table", "lenet5", "-o", str(target)).exit_code == 0
    first = target.read_text()
    target.write_text("old\n")
    assert invoke("table", "lenet5", "-o", str(target)).exit_code == 0
    assert target.read_text() == first and first.startswith("### LeNet-5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.md"]  # no temporary file left


def test_a_character_device_is_written_through_not_replaced() -> None:
    before = os.stat("/dev/null")
    result = invoke("table", "lenet5", "-o", "/dev/null", "-f", "md")
    assert result.exit_code == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_is_written_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_file(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    real, link = tmp_path / "real.md", tmp_path / "link.md"
    real.write_text("old\n")
    link.symlink_to(real)
    assert invoke("table", "lenet5", "-o", str(link), "-f", "md").exit_code == 0
    assert link.is_symlink() and real.read_text().startswith("### LeNet-5")


@pytest.mark.parametrize("make, says", [
    (lambda p: (p.write_text("keep\n"), p.chmod(0o444)), "it is read-only"),
    (lambda p: (p.write_text("keep\n"), os.link(p, p.with_name("other"))), "it has 2 hard links"),
])
def test_what_must_not_be_replaced_is_refused(tmp_path: Path, make, says: str) -> None:
    target = tmp_path / "out.md"
    make(target)
    result = invoke("table", "lenet5", "-o", str(target), "-f", "md")
    assert result.exit_code == 2 and says in result.stderr and result.stdout == ""
    if target.is_file():
        assert target.read_text() == "keep\n"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a directory; give a file name inside it"):
        write_file(tmp_path, "text")
    assert invoke("table", "lenet5", "-o", str(tmp_path)).exit_code == 2  # typer says so before archstat runs


def test_the_spec_being_read_is_never_written_over(tmp_path: Path) -> None:
    spec = tmp_path / "my.yaml"
    spec.write_text("input: [4]\nlayers:\n  - {fc: fc, features: 2}\n")
    result = invoke("table", str(spec), "-o", str(spec), "-f", "md")
    assert result.exit_code == 2 and "it is the spec being read" in result.stderr
    assert spec.read_text().startswith("input: [4]")


def test_dash_is_stdout() -> None:
    result = invoke("table", "lenet5", "-o", "-", "-f", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("depth,name,") and "wrote" not in result.stderr


def test_a_signal_during_the_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.md"

    def fsync(fd: int) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(Terminated):
        write_atomic(target, "never\n")
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is put back


def test_bytes_are_written_as_they_are(tmp_path: Path) -> None:
    write_file(tmp_path / "chart.png", b"\x89PNG\r\n")
    assert (tmp_path / "chart.png").read_bytes() == b"\x89PNG\r\n"


def test_an_output_error_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=f"cannot write {blocker / 'out.md'}"):
        write_file(blocker / "out.md", "text")
