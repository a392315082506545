"""`archstat report` and the DataFrames: files written, tables as the renderers make them, columns and totals
against the engine, charts that open at their size, the same bytes twice, no half-written file, exit codes, and
the committed reports/ folder as the one documented command makes it."""
from __future__ import annotations

import csv
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import cli_runner

import archstat
from archstat.analysis import leaves
from archstat.cli import app
from archstat.measurement import LayerTime, Measurement, Timing

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = cli_runner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def needs_matplotlib() -> None:
    pytest.importorskip("matplotlib")


def every_file(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report on a model without blocks and one with them (opened one level in its chart)."""
    needs_matplotlib()
    folder = tmp_path_factory.mktemp("report") / "out"
    result = invoke("report", "alexnet", "resnet18", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {folder / 'README.md'}" in result.stderr
    return folder


# ---- files --------------------------------------------------------------------------------------------------

def test_the_folder_holds_what_report_json_lists(two_models: Path):
    index = json.loads((two_models / "report.json").read_text())
    assert index["schema"] == "archstat.report/1"
    assert set(every_file(two_models)) == {f["path"] for f in index["files"]} | {"report.json"}
    assert {f["path"] for f in index["files"]} >= {
        "README.md", "comparison.csv", "comparison.json", "charts/comparison.png",
        *(f"{kind}/{model}.{ext}" for model in ("alexnet", "resnet18")
          for kind, ext in (("tables", "csv"), ("tables", "json"), ("charts", "png")))}
    assert index["command"] == "archstat report alexnet resnet18"  # no output folder: the same wherever it goes
    assert index["versions"]["matplotlib"] and index["versions"]["archstat"] == archstat.__version__
    assert not list(two_models.rglob("*.tmp"))


def test_every_link_in_the_readme_is_a_file_of_the_folder(two_models: Path):
    text = (two_models / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert links and all((two_models / link).is_file() for link in links), links
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert set(images) == {"charts/comparison.png", "charts/alexnet.png", "charts/resnet18.png"}


def test_the_readme_says_how_it_counted(two_models: Path):
    text = (two_models / "README.md").read_text()
    for needed in ("## Summary", "## Comparison", "## Models", "## Conventions", "## Files",
                   "`archstat report alexnet resnet18`", "batch 1", "fp32 (4 bytes per element)",
                   "the `lecture` convention", "biases counted", "KB = 1024 bytes", "matplotlib "):
        assert needed in text, needed
    assert "## Measured" not in text


def test_the_python_api_writes_the_same_folder(two_models: Path, tmp_path: Path):
    from archstat.report import plan_report, write_report

    report = plan_report(archstat.compare(["alexnet", "resnet18"]), command="archstat report alexnet resnet18")
    assert [f.path for f in report.files()][-2:] == ["report.json", "README.md"]
    written = write_report(report, tmp_path / "api")
    assert len(written) == len(report.files())
    assert every_file(tmp_path / "api") == every_file(two_models)


def test_a_new_report_removes_the_files_of_the_earlier_one_and_nothing_else(tmp_path: Path):
    needs_matplotlib()
    folder = tmp_path / "out"
    assert invoke("report", "lenet5", "mlp", "-o", str(folder)).exit_code == 0
    (folder / "notes.txt").write_text("mine\n")
    assert invoke("report", "mlp", "-o", str(folder)).exit_code == 0
    index = json.loads((folder / "report.json").read_text())
    assert set(every_file(folder)) == {f["path"] for f in index["files"]} | {"report.json", "notes.txt"}
    assert not (folder / "charts/lenet5.png").exists()


# ---- the tables are the renderers' ----------------------------------------------------------------------------

def test_the_tables_are_those_of_archstat_table_and_compare(two_models: Path):
    readme = (two_models / "README.md").read_text()
    for model in ("alexnet", "resnet18"):
        md = invoke("table", model, "--format", "md").stdout
        assert md in readme
        expanded = invoke("table", model, "-f", "csv", "--expand").stdout
        assert (two_models / f"tables/{model}.csv").read_text() == expanded
        assert (two_models / f"tables/{model}.json").read_text() == invoke("table", model, "-f", "json").stdout
    compared = invoke("compare", "alexnet", "resnet18", "-f", "md").stdout
    assert compared in readme
    assert (two_models / "comparison.csv").read_text() == invoke("compare", "alexnet", "resnet18", "-f", "csv").stdout
    data = json.loads((two_models / "comparison.json").read_text())
    assert data["schema"] == "archstat.compare/1" and data["baseline"] == "alexnet"
    assert json.loads((two_models / "tables/alexnet.json").read_text())["schema"] == "archstat.analysis/1"


def test_the_csv_rows_and_totals_are_the_engines(two_models: Path):
    for model in ("alexnet", "resnet18"):
        analysis = archstat.analyze(model)
        lines = list(csv.DictReader(io.StringIO((two_models / f"tables/{model}.csv").read_text())))
        *rows, total = lines
        frame = analysis.to_frame()
        assert [r["name"] for r in rows] == list(frame["name"])
        for column in ("memory_bytes", "params", "flops"):
            assert [int(r[column]) for r in rows] == list(frame[column])
        t = analysis.totals
        assert (total["kind"], int(total["memory_bytes"]), int(total["params"]), int(total["flops"])) == \
            ("total", t.memory, t.params, t.flops)
        top = [r for r in rows if r["depth"] == "0"]
        assert sum(int(r["params"]) for r in top) == t.params and sum(int(r["flops"]) for r in top) == t.flops


def test_the_comparison_csv_is_the_comparison_frame(two_models: Path):
    pandas = pytest.importorskip("pandas")
    written = pandas.read_csv(two_models / "comparison.csv")
    frame = archstat.compare(["alexnet", "resnet18"]).to_frame()
    assert list(written.columns) == list(frame.columns)
    for column in ("params", "memory_bytes", "flops", "batch"):
        assert list(written[column]) == list(frame[column])


# ---- charts ---------------------------------------------------------------------------------------------------

def test_each_png_opens_at_the_size_report_json_gives(two_models: Path):
    from matplotlib import image

    from archstat.render import charts

    index = json.loads((two_models / "report.json").read_text())
    expected = {"charts/comparison.png": charts.size(charts.comparison_height(2)),
                "charts/alexnet.png": charts.size(charts.LAYERS_HEIGHT),
                "charts/resnet18.png": charts.size(charts.LAYERS_HEIGHT)}
    pngs = [f for f in index["files"] if f["kind"] == "chart"]
    assert {f["path"]: tuple(f["pixels"]) for f in pngs} == expected
    for path, (width, height) in expected.items():
        pixels = image.imread(two_models / path)
        assert pixels.shape[:2] == (height, width), path
        assert pixels.std() > 0.05, f"{path} is blank"


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunks.append((data[at + 4:at + 8], data[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def test_a_png_carries_no_version_or_time_stamp(two_models: Path):
    chunks = _png_chunks((two_models / "charts/alexnet.png").read_bytes())
    kinds = {kind for kind, _ in chunks}
    assert b"tIME" not in kinds
    text = b"".join(body for kind, body in chunks if kind in (b"tEXt", b"iTXt", b"zTXt"))
    assert b"matplotlib" not in text.lower() and b"Software" not in text


def test_two_runs_give_the_same_bytes(two_models: Path, tmp_path: Path):
    again = tmp_path / "again"
    assert invoke("report", "alexnet", "resnet18", "-o", str(again)).exit_code == 0
    assert every_file(again) == every_file(two_models)


def test_a_matplotlibrc_does_not_change_the_charts(two_models: Path, tmp_path: Path):
    import matplotlib

    from archstat.render import charts

    with matplotlib.rc_context({"font.size": 20, "axes.facecolor": "black", "figure.dpi": 50}):
        drawn = charts.layers_chart(archstat.analyze("alexnet"))
    assert drawn == (two_models / "charts/alexnet.png").read_bytes()


def test_charts_show_blocks_not_hundreds_of_bars():
    from archstat.render import charts

    rows, depth = charts.layer_rows(archstat.analyze("resnet152"))
    assert depth == 1 and [r.name for r in rows][:5] == ["conv1", "bn1", "maxpool", "layer1.0", "layer1.1"]
    assert len(rows) <= charts.MAX_BARS
    rows, depth = charts.layer_rows(archstat.analyze("googlenet"))  # opened, 83 bars: the modules stay whole
    assert depth == 0 and "inception3a" in [r.name for r in rows]
    rows, depth = charts.layer_rows(archstat.analyze("resnet18"))  # its next level would be conv by conv
    assert depth == 1 and len(rows) == 14
    rows, depth = charts.layer_rows(archstat.analyze("alexnet"))
    assert depth == 0 and [r.name for r in rows][:3] == ["conv1", "pool1", "conv2"]  # relu1 counts nothing


def test_a_long_flat_model_is_drawn_in_groups(tmp_path: Path):
    needs_matplotlib()
    from matplotlib import image

    from archstat.render import charts

    spec = archstat.parse_spec("input: [4, 8, 8]\nlayers:\n  - repeat: 300\n    layers:\n"
                               "      - {conv: 'c{i}', filters: 4, kernel: 3, padding: 1}\n", "long.yaml")
    analysis = archstat.analyze(spec)
    rows, _ = charts.layer_rows(analysis)
    bars = charts.grouped([charts.Bar(r.name, r.params) for r in rows])
    assert len(rows) == 300 and len(bars) == charts.MAX_BARS
    assert sum(b.value for b in bars) == analysis.totals.params and bars[0].label == "c1…c5"
    (tmp_path / "long.png").write_bytes(charts.layers_chart(analysis))
    assert image.imread(tmp_path / "long.png").shape[:2] == charts.size(charts.LAYERS_HEIGHT)[::-1]


def test_the_scale_goes_logarithmic_only_when_the_range_needs_it():
    from archstat.render.charts import scale
    from archstat.render.view import SUMMARY_PARAMS

    assert not scale([37_000_000, 16_000_000, 4_000_000, 600_000, 300_000], SUMMARY_PARAMS).log
    assert scale([102_000_000, 1_800, 128, 37_000, 256, 74_000, 512], SUMMARY_PARAMS).log
    assert not scale([100, 0, 0, 0, 1], SUMMARY_PARAMS).log  # two nonzero bars say it all


# ---- failure half-way -------------------------------------------------------------------------------------------

def test_a_file_that_cannot_be_written_stops_the_report_and_is_named(two_models: Path, tmp_path: Path):
    folder = tmp_path / "out"
    (folder / "charts" / "resnet18.png").mkdir(parents=True)  # a folder where a chart goes
    result = invoke("report", "alexnet", "resnet18", "-o", str(folder))
    assert result.exit_code == 2
    assert "charts/resnet18.png" in result.stderr.splitlines()[0]
    not_written = next(line for line in result.stderr.splitlines() if line.startswith("not written"))
    assert "charts/resnet18.png" in not_written and "README.md" in not_written and "report.json" in not_written
    assert not (folder / "README.md").exists() and not list(folder.rglob("*.tmp"))
    done = every_file(folder)
    assert done and all(done[path] == (two_models / path).read_bytes() for path in done)  # complete or absent


def test_a_chart_that_fails_half_way_leaves_no_partial_file(two_models: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    from archstat.render import charts

    drawn = charts.layers_chart

    def second_fails(analysis):
        if analysis.spec.name == "resnet18":
            raise RuntimeError("the disk caught fire")
        return drawn(analysis)

    monkeypatch.setattr(charts, "layers_chart", second_fails)
    folder = tmp_path / "out"
    result = invoke("report", "alexnet", "resnet18", "-o", str(folder))
    assert result.exit_code == 2
    assert "cannot make charts/resnet18.png: RuntimeError: the disk caught fire" in result.stderr
    assert "internal error" not in result.stderr
    done = every_file(folder)
    assert "charts/alexnet.png" in done and "charts/resnet18.png" not in done and "README.md" not in done
    assert all(done[path] == (two_models / path).read_bytes() for path in done)
    assert not list(folder.rglob("*.tmp")) and not list(folder.rglob(".*"))


def test_ctrl_c_while_writing_exits_130_and_names_what_was_not_written(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    needs_matplotlib()
    from archstat.render import charts

    def interrupted(analysis):
        raise KeyboardInterrupt

    monkeypatch.setattr(charts, "layers_chart", interrupted)
    result = invoke("report", "lenet5", "-o", str(tmp_path / "out"))
    assert result.exit_code == 130
    assert "error: interrupted" in result.stderr and "charts/lenet5.png" in result.stderr
    assert not (tmp_path / "out/README.md").exists() and not list(tmp_path.rglob("*.tmp"))


# ---- exit codes -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["report", "-o", "x"], "name the specs"),
    (["report", "alexnet", "--bundled", "-o", "x"], "not both"),
    (["report", "alexnet"], "-o"),
    (["report", "no_such_model", "-o", "x"], "no spec file"),
    (["report", "alexnet", "--batch", "0", "-o", "x"], "at least 1"),
    (["report", "alexnet", "--baseline", "vgg16", "-o", "x"], "--baseline"),
])
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    needs_matplotlib()
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_bad_spec_is_reported_and_the_others_still_are(tmp_path: Path):
    needs_matplotlib()
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [3, 32, 32]\nlayers:\n  - {conv: c1, filters: 8, kernal: 3}\n")
    result = invoke("report", str(bad), "lenet5", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "bad.yaml:3" in result.stderr
    assert (tmp_path / "out/charts/lenet5.png").is_file() and not (tmp_path / "out/tables/bad.csv").exists()


def test_an_output_that_is_a_file_exits_2(tmp_path: Path):
    needs_matplotlib()
    (tmp_path / "taken").write_text("mine\n")
    result = invoke("report", "lenet5", "-o", str(tmp_path / "taken"))
    assert result.exit_code == 2 and "Invalid value for '--output'" in result.stderr
    assert (tmp_path / "taken").read_text() == "mine\n"


def test_without_matplotlib_one_message_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    result = invoke("report", "lenet5", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: archstat report draws its charts with matplotlib, which is not "
                                     "installed: pip install 'archstat[report]' (or pip install matplotlib)")
    assert not (tmp_path / "out").exists()


def test_an_analytic_report_imports_neither_torch_nor_pandas(tmp_path: Path):
    needs_matplotlib()
    code = ("import sys; from typer.testing import CliRunner; from archstat.cli import app; "
            f"r = CliRunner().invoke(app, ['report', 'lenet5', '-o', {str(tmp_path / 'out')!r}]); "
            "print(r.exit_code, sorted(m for m in ('torch', 'pandas', 'fvcore') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0 []"


# ---- DataFrames -----------------------------------------------------------------------------------------------

def _documented(heading: str) -> list[str]:
    """The column names the README's DataFrames section lists under a heading, in order."""
    section = README.split("## DataFrames", 1)[1].split("\n## ", 1)[0]
    block = section.split(heading, 1)[1].split("\n\n", 2)[1]
    return [name for line in block.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])]


def test_the_analysis_frame_has_the_documented_columns_and_the_engines_totals():
    pytest.importorskip("pandas")
    analysis = archstat.analyze("googlenet", batch=4)
    frame = analysis.to_frame()
    assert list(frame.columns) == _documented("Analysis.to_frame")
    assert len(frame) == sum(1 for _ in archstat.analysis.walk(analysis.rows))
    t = analysis.totals
    top = frame[frame["depth"] == 0]
    assert (top["memory_bytes"].sum(), top["params"].sum(), top["flops"].sum()) == (t.memory, t.params, t.flops)
    ends = frame[frame["name"].isin([r.name for r in leaves(analysis.rows)])]
    assert (ends["params"].sum(), ends["flops"].sum()) == (t.params, t.flops)
    assert str(frame["params"].dtype) == "int64" and str(frame["filters"].dtype) == "Int64"


def test_the_comparison_frame_has_the_documented_columns_and_the_engines_totals():
    pytest.importorskip("pandas")
    models = ["alexnet", "vgg16", "resnet50"]
    frame = archstat.compare(models, batch=[1, 8]).to_frame()
    assert list(frame.columns) == _documented("Comparison.to_frame")
    assert len(frame) == 6
    for _, line in frame.iterrows():
        t = archstat.analyze(line["model"], batch=int(line["batch"])).totals
        assert (line["params"], line["memory_bytes"], line["flops"]) == (t.params, t.memory, t.flops)
    first = frame[frame["batch"] == 1].set_index("model")
    assert first.loc["vgg16", "params_ratio"] == first.loc["vgg16", "params"] / first.loc["alexnet", "params"]


def _measurement(layers: tuple[LayerTime, ...]) -> Measurement:
    return Measurement(model="lenet5", device="cpu", batch=2, dtype="fp32", status="ok", flops=1000, params=10,
                       timing=Timing((0.002, 0.001, 0.003), 1, 0.2), layers=layers)


def test_the_measurement_frames_have_the_documented_columns():
    pytest.importorskip("pandas")
    layers = (LayerTime("conv1", "conv", 0, 0.0004, 600, 4096), LayerTime("fc", "linear", 0, 0.0001, 400, 40))
    per_layer = _measurement(layers).to_frame()
    assert list(per_layer.columns) == _documented("Measurement.to_frame")
    assert list(per_layer["seconds"]) == [0.0004, 0.0001] and per_layer["flops"].sum() == 1000
    whole = _measurement(()).to_frame()
    assert list(whole.columns) == _documented("without per-layer times")
    assert whole.loc[0, "latency_s"] == 0.002 and whole.loc[0, "throughput"] == 1000


# ---- reports/ in the repository -------------------------------------------------------------------------------

def _documented_command() -> list[str]:
    block = README.split("<!-- reports:begin -->", 1)[1].split("<!-- reports:end -->", 1)[0]
    (line,) = [line for line in block.splitlines() if line.startswith("archstat ")]
    return shlex.split(line)


def _version_free(text: str) -> str:
    return re.sub(r'(matplotlib"?:? "?)[0-9][0-9A-Za-z.+-]*', r"\1VERSION", text)


@pytest.mark.slow
def test_reports_is_what_the_documented_command_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Regenerate reports/ into a temporary folder: text files byte for byte; charts byte for byte when the
    matplotlib that drew them is the one running, else by their size in pixels."""
    needs_matplotlib()
    from importlib.metadata import version

    from matplotlib import image

    command = _documented_command()
    assert command[:2] == ["archstat", "report"] and command[-2:] == ["-o", "reports/"]
    monkeypatch.chdir(tmp_path)
    result = invoke(*command[1:])
    assert result.exit_code == 0, result.stderr
    fresh, committed = every_file(tmp_path / "reports"), every_file(ROOT / "reports")
    rerun = f"`{' '.join(command)}` rewrites it"
    assert set(fresh) == set(committed), f"reports/ has other files than the command writes; {rerun}"
    recorded = json.loads(committed["report.json"])["versions"]["matplotlib"]
    same = recorded == version("matplotlib")
    for path, data in fresh.items():
        if path.endswith(".png"):
            if same:
                assert data == committed[path], f"reports/{path} differs; {rerun}"
            else:
                assert image.imread(io.BytesIO(data)).shape == image.imread(io.BytesIO(committed[path])).shape, path
        else:
            text, kept = data.decode(), committed[path].decode()
            assert (text if same else _version_free(text)) == (kept if same else _version_free(kept)), \
                f"reports/{path} differs; {rerun}"


def test_reports_holds_the_classic_models_and_every_bundled_spec():
    index = json.loads((ROOT / "reports" / "report.json").read_text())
    names = [m["name"] for m in index["models"]]
    assert {"alexnet", "vgg16", "googlenet", "resnet50"} <= set(names)
    assert names == archstat.bundled_names()
    assert not (ROOT / "reports" / "generate.sh").exists()


# ---- measured -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_measured_report_on_the_cpu(tmp_path: Path):
    pytest.importorskip("torch")
    needs_matplotlib()
    from matplotlib import image

    from archstat.render import charts

    folder = tmp_path / "cpu"
    result = invoke("report", "lenet5", "mlp", "--device", "cpu", "--runs", "5", "--warmup", "1", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    readme = (folder / "README.md").read_text()
    assert "## Measured" in readme and "torch " in readme and "threads" in readme and "per-layer times on" in readme
    index = json.loads((folder / "report.json").read_text())
    assert index["device"] == "cpu" and index["settings"]["runs"] == 5 and index["versions"]["torch"]
    compared = list(csv.DictReader(io.StringIO((folder / "comparison.csv").read_text())))
    paragraph = README.split("With a device, each line also has", 1)[1].split("\n\n", 1)[0]
    measured = [n for n in re.findall(r"`([a-z_]+)`", paragraph) if n not in ("ok", "oom", "unsupported", "failed")]
    assert list(compared[0]) == _documented("Comparison.to_frame") + measured
    assert all(line["status"] == "ok" and float(line["latency_s"]) > 0 for line in compared)
    assert image.imread(folder / "charts/comparison.png").shape[:2] == charts.size(charts.comparison_height(2))[::-1]
    timed = folder / "charts/lenet5-batch1-fp32-time.png"
    assert image.imread(timed).shape[:2] == charts.size(charts.TIME_HEIGHT)[::-1]
    layers = list(csv.DictReader(io.StringIO((folder / "tables/lenet5-batch1-fp32-time.csv").read_text())))
    assert [line["name"] for line in layers][:3] == ["conv1", "relu1", "pool1"]
    torch_flops = archstat.analyze("lenet5", flops="torch").totals.flops
    assert sum(int(line["flops"]) for line in layers if line["depth"] == "0") == torch_flops
    assert all(float(line["seconds"]) > 0 for line in layers)
