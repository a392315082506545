"""What the README shows works as written, from any directory: its specs, its commands, its Python."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from cli_runner import cli_runner

import archstat
from archstat.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
FENCES = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)
SPECS = [body for lang, body in FENCES if lang == "yaml"]
COMMANDS = [line.split("  #")[0].strip() for lang, body in FENCES if lang == ""
            for line in body.splitlines() if line.startswith("archstat ")]
ANALYTIC = [c for c in COMMANDS if "--device" not in c]
ON_CPU = [c for c in COMMANDS if "--device cpu" in c]


def test_the_readme_shows_specs_and_commands():
    assert len(SPECS) >= 2 and len(ANALYTIC) >= 8 and ON_CPU


@pytest.mark.parametrize("text", SPECS, ids=lambda t: t.split("\n", 1)[0])
def test_every_complete_spec_in_the_readme_runs(text):
    if "input:" not in text:
        pytest.skip("a fragment of a spec")
    spec = archstat.parse_spec(text, "README.md")
    assert archstat.analyze(spec).totals.params > 0


def test_the_readme_block_example_counts_what_it_says():
    spec = next(archstat.parse_spec(t, "README.md") for t in SPECS if "tiny_resnet" in t)
    analysis = archstat.analyze(spec)
    assert analysis.output == (10,)
    # conv1 stride 2: 64 -> 32; layer1 keeps 32; layer2's 3x3 stride 2: 32 -> 16; 4 x 64 = 256 channels
    assert analysis.find("layer2").output == (256, 16, 16)
    assert analysis.find("layer1.0.downsample").params == 32 * 128  # 1x1 from 32 to 4 x 32 channels


def _runs_outside_the_checkout(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli_runner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", ANALYTIC)
def test_every_analytic_command_in_the_readme_runs_outside_the_checkout(command, tmp_path, monkeypatch):
    if command.startswith("archstat report"):
        pytest.importorskip("matplotlib", reason="archstat report draws its charts with matplotlib")
    _runs_outside_the_checkout(command, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("command", ON_CPU)
def test_every_cpu_measurement_in_the_readme_runs(command, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    _runs_outside_the_checkout(command.replace("--device cpu", "--device cpu --runs 5 --warmup 1"), tmp_path,
                               monkeypatch)


# ---- the zoo table -----------------------------------------------------------------------------------------------

ZOO_BEGIN, ZOO_END = "<!-- zoo:begin -->", "<!-- zoo:end -->"


def zoo_table() -> str:
    """Every bundled spec: its model, input, params and fvcore GFLOPs, and what the suite checks it against."""
    from twins import TWINS

    twins = {spec: (constructor, kwargs) for spec, constructor, kwargs in TWINS}
    lines = ["| spec | model | input | params | GFLOPs (fvcore) | checked against |",
             "|---|---|---:|---:|---:|---|"]
    for name in archstat.bundled_names():
        analysis = archstat.analyze(name, flops="fvcore")
        t = analysis.totals
        if name in twins:
            constructor, kwargs = twins[name]
            args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
            against = f"torchvision `{constructor}({args})`: params, fvcore FLOPs, and outputs with the weights copied"
        else:
            against = "its paper's numbers and a torch model of it (params, `check`)"
        shape = "x".join(map(str, analysis.input))
        lines.append(f"| `{name}` | {analysis.spec.title} | {shape} | {t.params:,} | {t.flops / 1e9:.2f} | {against} |")
    return "\n".join(lines)


def test_the_readme_zoo_table_is_the_zoo(request):
    start, end = README.index(ZOO_BEGIN) + len(ZOO_BEGIN), README.index(ZOO_END)
    expected = "\n" + zoo_table() + "\n"
    if request.config.getoption("--overwrite") and README[start:end] != expected:
        path = Path(__file__).resolve().parent.parent / "README.md"
        path.write_text(README[:start] + expected + README[end:], encoding="utf-8")
        return
    assert README[start:end] == expected, "the README's zoo table is out of date; `pytest --overwrite` rewrites it"
