"""The command line: golden output, exit codes, stdout/stderr separation and atomic --output."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runner import cli_runner

import archstat
from archstat.cli import app
from archstat.cli.common import show
from archstat.render import Format, View, live, render

runner = cli_runner()

BAD_SPEC = """\
input: [3, 32, 32]
layers:
  - {conv: c1, filters: 8, kernel: 3}
  - {conv: c2, filters: 8, kernel: 40}
  - {fc: f, features: 10}
"""

TWO_PROBLEMS = """\
input: [3, 32, 32]
layers:
  - {conv: c1, filters: 8, kernal: 3}
  - {maxpol: p1, kernel: 2}
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


# ---- golden output ---------------------------------------------------------------------------------------------

GOLDEN_CASES = [
    pytest.param("table_alexnet.txt", ["table", "alexnet"], id="alexnet-table"),
    pytest.param("table_alexnet.md", ["table", "alexnet", "--format", "md"], id="alexnet-md"),
    pytest.param("table_alexnet.csv", ["table", "alexnet", "--format", "csv"], id="alexnet-csv"),
    pytest.param("table_googlenet.md", ["table", "googlenet", "--format", "md"], id="googlenet-md"),
]


@pytest.mark.parametrize(("name", "args"), GOLDEN_CASES)
def test_golden(name: str, args: list[str], golden: Callable[[str, str], None]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal
    golden(name, result.stdout)


def test_rendered_csv_adds_up() -> None:
    result = invoke("table", "alexnet", "--format", "csv")
    *body, total = csv.DictReader(io.StringIO(result.stdout))
    assert total["kind"] == "total"
    for key in ("memory_bytes", "params", "flops"):
        assert sum(int(r[key]) for r in body if r["depth"] == "0") == int(total[key])


# ---- options ---------------------------------------------------------------------------------------------------

def test_batch_and_dtype_scale_memory_and_flops() -> None:
    result = invoke("table", "alexnet", "--batch", "32", "--dtype", "bf16", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    conv1 = next(row for row in data["rows"] if row["name"] == "conv1")
    assert conv1["memory_bytes"] == 64 * 56 * 56 * 2 * 32
    assert conv1["flops"] == 72_855_552 * 32
    assert data["options"]["batch"] == 32 and data["options"]["dtype"] == "bf16"


def test_no_bias_flops_convention_and_input() -> None:
    rows = list(csv.DictReader(io.StringIO(invoke(
        "table", "alexnet", "-f", "csv", "--no-bias", "--flops", "torch", "--input", "3x224x224").stdout)))
    conv1 = rows[0]
    assert conv1["params"] == str(64 * 3 * 11 * 11)
    assert conv1["input"] == "3x224x224" and conv1["output"] == "64x55x55"
    assert conv1["flops"] == str(2 * 64 * 55 * 55 * 3 * 11 * 11)


def test_hidden_rows_and_all() -> None:
    hidden = invoke("table", "alexnet").stdout
    shown = invoke("table", "alexnet", "--all").stdout
    assert "relu1" not in hidden and "relu1" in shown and "dropout" in shown
    quiet = sum(1 for line in shown.splitlines() if line.lstrip().startswith(("relu", "dropout")))
    assert f"{quiet} rows with no memory, params or FLOPs (in place, identity or dropout)" in hidden
    assert "hidden" not in shown
    assert "relu1" in invoke("table", "alexnet", "-f", "csv").stdout


def test_summary_names_how_it_was_counted() -> None:
    out = invoke("table", "alexnet", "--batch", "8", "--dtype", "fp16").stdout
    assert "Activation memory" in out and "MB" in out
    assert "batch 8, fp16, lecture FLOP convention" in out
    assert "Params             61,100,840" in out


def test_expand_depth_and_side() -> None:
    collapsed = invoke("table", "googlenet", "-f", "csv").stdout
    one = invoke("table", "googlenet", "-f", "csv", "--depth", "1").stdout
    full = invoke("table", "googlenet", "-f", "csv", "--expand", "--side").stdout
    assert "inception3a.b1" not in collapsed and "inception3a.b1" in one
    assert len(full.splitlines()) >= len(one.splitlines()) > len(collapsed.splitlines())
    assert "aux1" in full and "aux1" not in collapsed


def test_precision() -> None:
    out = invoke("table", "alexnet", "--precision", "1", "--all").stdout
    conv3 = next(line for line in out.splitlines() if line.split()[:1] == ["conv3"])
    assert conv3.split()[-3:] == ["253.5", "663.9", "112.1"]
    assert invoke("table", "alexnet").stdout.count(" 254 ") == 1


# ---- exit codes and messages -----------------------------------------------------------------------------------

def test_missing_spec_exits_2_naming_it() -> None:
    result = invoke("table", "no_such_net")
    assert result.exit_code == 2
    assert "no_such_net" in result.stderr and result.stdout == ""


def test_bad_spec_exits_1_with_file_line_and_layer(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    result = invoke("table", str(spec))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{spec}:4: layer 'c2': kernel 40 is larger")
    assert "Traceback" not in result.stderr
    assert not isinstance(result.exception, Exception)  # a clean exit, not a crash


def test_every_problem_on_its_own_line(tmp_path: Path) -> None:
    spec = tmp_path / "two.yaml"
    spec.write_text(TWO_PROBLEMS)
    result = invoke("table", str(spec))
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and result.stdout == ""
    assert lines[0].startswith(f"{spec}:3: layer 'c1': unknown field 'kernal'") and "'kernel'" in lines[0]
    assert lines[-1].startswith(f"{spec}:4:") and "did you mean 'maxpool'" in lines[-1]
    assert all(line.startswith(f"{spec}:") for line in lines)


@pytest.mark.parametrize("args", [
    ["table", "alexnet", "--format", "xml"],
    ["table", "alexnet", "--dtype", "fp7"],
    ["table", "alexnet", "--flops", "nvidia"],
    ["table", "alexnet", "--batch", "0"],
    ["table", "alexnet", "--input", "3x22x22x22x22"],
    ["table", "alexnet", "--fit", "round"],
    ["table", "alexnet", "-o", "report.pdf"],
    ["table"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "Usage" in result.stdout + result.stderr and "table" in result.stdout + result.stderr


def test_unreadable_spec_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(b"title: caf\xe9\ninput: [10]\nlayers: [{fc: f, features: 5}]\n")  # not UTF-8
    result = invoke("table", str(spec))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: cannot read spec {spec}:")


def test_directory_as_spec_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "spec.yaml"
    folder.mkdir()
    result = invoke("table", str(folder))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: '{folder}' is a directory, not a spec file\n"


# ---- stdout that cannot be written -----------------------------------------------------------------------------

def _run_into(stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archstat", "table", "alexnet"], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=60)


def test_closed_pipe_exits_0_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write, as with `archstat table alexnet | head -0`
    try:
        done = _run_into(write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_full_device_exits_2_with_one_message() -> None:
    with open("/dev/full", "w") as full:
        done = _run_into(full.fileno())
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot write to stdout: No space left on device")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


# ---- a terminal ------------------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Terminal]:
    """A fake terminal on stdout, this many columns wide, without colour codes."""
    def open_terminal(columns: int) -> Terminal:
        screen = Terminal()
        monkeypatch.setattr(sys, "stdout", screen)
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setenv("LINES", "40")
        monkeypatch.setenv("TERM", "dumb")
        return screen
    return open_terminal


def _show_alexnet(calls: list[str]) -> None:
    analysis, view = archstat.analyze("alexnet"), View()

    def text() -> str:
        calls.append("text")
        return render(analysis, Format.table, view)

    def rich_table() -> object:
        calls.append("live")
        return live.analysis_table(analysis, view)

    show(Format.table, None, text, rich_table)


def test_wide_terminal_gets_the_rich_table_only(terminal: Callable[[int], Terminal]) -> None:
    screen, calls = terminal(200), []
    _show_alexnet(calls)
    assert calls == ["live"]  # the plain text is not rendered to be thrown away
    assert "37,753" in screen.getvalue() and "\u2026" not in screen.getvalue()


def test_narrow_terminal_gets_every_digit_as_plain_text(terminal: Callable[[int], Terminal]) -> None:
    screen, calls = terminal(60), []
    _show_alexnet(calls)
    assert calls == ["live", "text"]
    assert screen.getvalue() == render(archstat.analyze("alexnet"), Format.table, View())


# ---- --output --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "starts"), [(".csv", "depth,name,"), (".md", "### AlexNet"), (".json", "{"),
                                                (".txt", "AlexNet")])
def test_output_format_from_suffix(tmp_path: Path, suffix: str, starts: str) -> None:
    target = tmp_path / f"alexnet{suffix}"
    result = invoke("table", "alexnet", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr.strip() == f"wrote {target}"
    assert target.read_text().startswith(starts)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_format_option_beats_suffix(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    invoke("table", "alexnet", "-o", str(target), "--format", "json")
    assert json.loads(target.read_text())["schema"] == "archstat.analysis/1"


def test_output_into_a_missing_directory_makes_it(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026" / "out.csv"
    result = invoke("table", "alexnet", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text().startswith("depth,name,")


def test_output_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder\n")
    result = invoke("table", "alexnet", "-o", str(blocker / "out.csv"))
    assert result.exit_code == 2
    assert f"cannot write {blocker / 'out.csv'}" in result.stderr and result.stdout == ""
    assert blocker.read_text() == "a file, not a folder\n"


def test_failed_analysis_leaves_existing_output(tmp_path: Path) -> None:
    spec, target = tmp_path / "bad.yaml", tmp_path / "out.csv"
    spec.write_text(BAD_SPEC)
    target.write_text("previous report\n")
    result = invoke("table", str(spec), "-o", str(target))
    assert result.exit_code == 1
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.csv"]


def test_failed_write_leaves_existing_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous report\n")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke("table", "alexnet", "-o", str(target))
    assert result.exit_code == 2 and "Permission denied" in result.stderr
    assert target.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_output_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o640)
    invoke("table", "alexnet", "-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_text().startswith("###")


# ---- list ------------------------------------------------------------------------------------------------------

def test_list_shows_alexnet_with_params() -> None:
    result = invoke("list")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.split()[:1] == ["alexnet"])
    assert "61.1" in line and "3x227x227" in line
    assert len([n for n in archstat.bundled_names() if f"  {n} " in result.stdout]) == len(archstat.bundled_names())


def test_list_json_carries_raw_numbers() -> None:
    data = json.loads(invoke("list", "--format", "json").stdout)
    alexnet = next(m for m in data["models"] if m["name"] == "alexnet")
    assert (alexnet["params"], alexnet["flops"], alexnet["memory_bytes"]) == (61_100_840, 717_571_328, 2_432_160)
    assert [m["name"] for m in data["models"]] == archstat.bundled_names()


# ---- the installed command -------------------------------------------------------------------------------------

def test_python_m_archstat_avoids_heavy_imports() -> None:
    """`archstat table` into a pipe must not pay for torch, pandas, fvcore or rich's console."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "archstat", "table", "alexnet"],
                          capture_output=True, text=True, check=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:")}
    packages = {module.split(".")[0] for module in modules}
    assert "archstat" in packages and "typer" in packages
    assert not packages & {"torch", "pandas", "fvcore", "numpy"}
    assert not modules & {"rich.console", "archstat.render.grid"}
    assert "conv1" in done.stdout


def test_list_reports_a_broken_spec_and_lists_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.yaml").write_text("title: Good\ninput: [10]\nlayers: [{fc: f, features: 5}]\n")
    (tmp_path / "bad.yaml").write_text(BAD_SPEC)
    monkeypatch.setattr("archstat.bundled.bundled_dir", lambda: tmp_path)
    result = invoke("list")
    assert result.exit_code == 1
    assert "good" in result.stdout and "Good" in result.stdout and "bad" not in result.stdout
    assert "bad.yaml:4: layer 'c2'" in result.stderr


def test_the_command_line_offers_every_dtype_and_convention_the_library_knows() -> None:
    from archstat.analysis import DTYPE_BYTES
    from archstat.cli.options import Convention, Dtype
    from archstat.layers import CONVENTIONS

    assert [d.value for d in Dtype] == list(DTYPE_BYTES)
    assert [c.value for c in Convention] == list(CONVENTIONS)


def test_an_unexpected_error_is_one_message_and_exit_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from archstat.cli import main

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(archstat, "analyze", broken)
    monkeypatch.setattr(sys, "argv", ["archstat", "table", "alexnet"])
    monkeypatch.delenv("ARCHSTAT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "archstat: internal error: RuntimeError: the engine broke" in err and "Traceback" not in err


def test_help_answers_to_h_and_names_the_spec_argument() -> None:
    result = invoke("table", "-h")
    assert result.exit_code == 0 and "SPEC" in result.stdout


def test_no_arguments_prints_the_help_and_exits_0() -> None:
    result = invoke()
    assert result.exit_code == 0
    assert "Usage: archstat" in result.stdout and "compare" in result.stdout and "profile" in result.stdout
