"""The typer and torch archstat runs on: the floors pyproject.toml asks for, and one clear message below them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from cli_runner import cli_runner

from archstat.cli import app, main
from archstat.errors import ToolError
from archstat.versions import TORCH_FLOOR, TYPER_FLOOR, TYPER_RANGE, below

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_asks_for_the_typer_and_torch_archstat_checks_for() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"typer{TYPER_RANGE}"' in pyproject
    assert TYPER_RANGE.startswith(">=0.18,") and TYPER_FLOOR == (0, 18)
    assert TORCH_FLOOR == (2, 4)
    assert pyproject.count('"torch>=2.4"') == 3 and '"torch>=2.' not in pyproject.replace('"torch>=2.4"', "")


@pytest.mark.parametrize(("version", "floor", "older"), [
    ("0.12.5", TYPER_FLOOR, True), ("0.17.5", TYPER_FLOOR, True), ("0.9.4", TYPER_FLOOR, True),
    ("0.18.0", TYPER_FLOOR, False), ("0.28.0", TYPER_FLOOR, False), ("0.30.0rc1", TYPER_FLOOR, False),
    ("1.0", TYPER_FLOOR, False), ("", TYPER_FLOOR, False), ("dev", TYPER_FLOOR, False),
    ("2.1.0+cu121", TORCH_FLOOR, True), ("2.3.1", TORCH_FLOOR, True), ("1.13.1", TORCH_FLOOR, True),
    ("2.4.0", TORCH_FLOOR, False), ("2.11.0+cu130", TORCH_FLOOR, False), ("2.15.0.dev20261201", TORCH_FLOOR, False),
    ("3.0.0a0+git1234", TORCH_FLOOR, False),
])
def test_versions_below_a_floor(version: str, floor: tuple[int, int], older: bool) -> None:
    assert below(version, floor) is older


def test_a_typer_below_the_floor_is_one_message_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(typer, "__version__", "0.12.5")
    monkeypatch.setattr(sys, "argv", ["archstat", "table", "alexnet"])
    with pytest.raises(SystemExit) as stop:
        main()
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert err == ("error: archstat needs typer 0.18 or newer, and this Python has typer 0.12.5, which misreads "
                   "archstat's command line; install a supported one: pip install 'typer>=0.18,<0.29'\n")


def test_the_typer_installed_here_runs_the_command_line(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["archstat", "table", "lenet5", "--format", "csv"])
    with pytest.raises(SystemExit) as stop:
        main()
    out, err = capsys.readouterr()
    assert stop.value.code == 0 and err == ""
    assert out.splitlines()[0].startswith("depth,name,kind,") and "c1," in out


def test_a_torch_below_the_floor_is_refused_by_name() -> None:
    pytest.importorskip("torch")
    from archstat.measure import ensure_supported_torch

    ensure_supported_torch()  # the torch installed here
    with pytest.raises(ToolError) as refused:
        ensure_supported_torch("2.1.0+cu121")
    assert str(refused.value) == ("archstat needs torch 2.4 or newer to build, count and measure models, and this "
                                  "Python has torch 2.1.0+cu121; install a newer one: pip install 'torch>=2.4' "
                                  "(or 'archstat[torch]')")


@pytest.mark.parametrize("args", [["profile", "lenet5", "--device", "cpu"], ["check", "lenet5"],
                                  ["compare", "lenet5", "mlp", "--device", "cpu"]])
def test_measuring_commands_on_an_old_torch_exit_2_before_running(args: list[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch, "__version__", "2.3.1")
    result = cli_runner().invoke(app, args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: archstat needs torch 2.4 or newer to build, count and measure models, and this "
        "Python has torch 2.3.1; install a newer one: pip install 'torch>=2.4' (or 'archstat[torch]')"]


def test_the_library_on_an_old_torch_raises_the_same_message() -> None:
    pytest.importorskip("torch")
    code = ("import torch; torch.__version__ = '2.2.2'; import archstat\n"
            "try:\n    archstat.profile('lenet5', runs=1)\nexcept archstat.ToolError as exc:\n    print(exc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.startswith("archstat needs torch 2.4 or newer") and "has torch 2.2.2;" in result.stdout
