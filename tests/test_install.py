"""The installed command finds its bundled specs from any working directory."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def elsewhere(tmp_path):
    """A directory with no specs/ in it, where archstat must still be importable as installed."""
    if _run("-c", "import archstat", cwd=tmp_path).returncode != 0:
        pytest.skip("archstat is not installed in this interpreter (only importable from the source tree)")
    return tmp_path


def test_bundled_spec_by_name_from_another_directory(elsewhere):
    result = _run("-m", "archstat", "table", "alexnet", "--format", "csv", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    conv1 = next(line for line in result.stdout.splitlines() if ",conv1," in line)
    assert ",802816,23296,72855552" in conv1  # 64x56x56x4 bytes, 64x3x11x11+64, 64x56x56 x 3x11x11


def test_every_bundled_spec_is_listed_from_another_directory(elsewhere):
    result = _run("-m", "archstat", "list", "--format", "csv", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    names = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert {"alexnet", "vgg16", "googlenet", "resnet50", "resnet152", "lenet5", "mlp"} <= names
