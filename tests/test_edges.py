"""The edges around the spec language: what is read as a spec, what stdout can take, sizes past any tensor."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import cli_runner

import archstat
from archstat.cli import app
from archstat.loader import MAX_SPEC_BYTES

runner = cli_runner()
ARCHSTAT = [sys.executable, "-m", "archstat"]


def test_a_fifo_as_a_spec_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(archstat.SpecFileError, match="it is not a regular file"):
        archstat.load(str(fifo))
    assert time.monotonic() - started < 5  # no writer ever comes: it must not wait for one


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_as_a_spec_is_refused(device: str) -> None:
    result = runner.invoke(app, ["table", device])
    assert result.exit_code == 2 and "it is not a regular file" in result.stderr


def test_a_spec_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as file:
        file.truncate(MAX_SPEC_BYTES + 1)  # sparse: no 2 MB written to disk
    with pytest.raises(archstat.SpecFileError, match=f"over the {MAX_SPEC_BYTES:,}-byte limit"):
        archstat.load(str(big))


def test_an_escape_sequence_in_a_title_is_a_spec_problem() -> None:
    with pytest.raises(archstat.SpecError, match=r"'title' contains the control character '\\x1b' \(code 27\)"):
        archstat.parse_spec('title: "red \\e[31m"\ninput: [4]\nlayers:\n  - {fc: fc, features: 2}\n', "t.yaml")


def test_an_ascii_stdout_gets_ascii_rules() -> None:
    done = subprocess.run([*ARCHSTAT, "table", "lenet5"], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # would raise on any non-ASCII byte
    assert "\n  -----" in text and "conv1" in text


def test_a_closed_stdout_is_a_message_and_exit_2() -> None:
    done = subprocess.run([*ARCHSTAT, "table", "lenet5"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, pass_fds=(), preexec_fn=lambda: os.close(1))
    assert done.returncode == 2 and "cannot write to stdout: it is closed" in done.stderr


def test_a_full_disk_is_a_message_and_exit_2() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    for env in ({}, {"PYTHONUNBUFFERED": "1"}):
        with open("/dev/full", "w") as full:
            done = subprocess.run([*ARCHSTAT, "table", "lenet5"], stdout=full, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, **env})
        assert done.returncode == 2 and "No space left on device" in done.stderr, env


def test_a_batch_past_any_tensor_is_a_usage_error_not_the_specs() -> None:
    result = runner.invoke(app, ["table", "alexnet", "--batch", str(2**64)])
    assert result.exit_code == 2 and "alexnet.yaml" not in result.stderr


def test_an_output_larger_than_any_tensor_is_refused_with_its_layer() -> None:
    spec = archstat.parse_spec("input: [3, 64, 64]\nlayers:\n  - {upsample: up, scale_factor: 1000000000}\n", "u.yaml")
    with pytest.raises(archstat.SpecError) as caught:
        archstat.analyze(spec)
    (problem,) = caught.value.problems
    assert (problem.line, problem.layer) == (3, "up") and "more than 2**63 - 1 elements" in problem.message
