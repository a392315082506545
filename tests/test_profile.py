"""Measuring on the CPU end to end: well-formed records, rows that join the analysis, OOM and bad input handled."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

import pytest
from cli_runner import cli_runner

torch = pytest.importorskip("torch")

import archstat
from archstat.analysis import walk
from archstat.cli import app
from archstat.measure import profile as measure_profile
from archstat.measurement import Timing

pytestmark = pytest.mark.slow
runner = cli_runner()
QUICK = {"runs": 5, "warmup": 1, "warmup_time": 0.0}


def test_timing_statistics_are_the_usual_ones():
    timing = Timing((0.5, 0.1, 0.4, 0.2, 0.3), warmup_runs=3, warmup_seconds=0.9)
    assert timing.median == 0.3 and timing.runs == 5
    assert (timing.quantile(0.25), timing.quantile(0.75)) == (0.2, 0.4)
    assert timing.iqr == pytest.approx(0.2) and timing.spread == pytest.approx(2 / 3) and timing.noisy
    assert timing.quantile(0.1) == pytest.approx(statistics.quantiles(timing.samples, n=10, method="inclusive")[0])


def test_a_profile_is_a_complete_record():
    m = archstat.profile("lenet5", batch=4, **QUICK)
    analysis = archstat.analyze("lenet5", batch=4, flops="torch")
    assert m.ok and m.device == "cpu" and m.timing.runs == 5 and m.timing.warmup_runs >= 1
    assert all(s > 0 for s in m.timing.samples)
    assert m.flops == analysis.totals.flops == 2 * archstat.analyze("lenet5", batch=4, flops="fvcore").totals.flops
    assert m.throughput == pytest.approx(4 / m.latency) and m.flops_per_second == pytest.approx(m.flops / m.latency)
    t = analysis.totals
    assert m.memory.predicted == t.params * 4 + t.memory + t.input_memory
    assert m.flags["threads"] == torch.get_num_threads() == m.environment["threads"]
    assert m.environment["torch"] == torch.__version__
    data = json.loads(json.dumps(m.to_dict()))  # plain JSON all the way down
    assert data["timing"]["median_s"] == m.latency and data["status"] == "ok"


def test_cpu_peak_memory_counts_the_weights_input_and_live_tensors():
    m = archstat.profile("mlp", batch=8, **QUICK)
    # mlp: fc1 1000 -> 100, sigmoid, fc2 100 -> 10, no biases: 404,000 bytes of weights, 32,000 of input. The
    # most alive at once is while the sigmoid runs: fc1's 8 x 100 output and its own (3,200 bytes each); fc1's
    # is freed after it, so fc2's 320 bytes come beside one of them only
    assert m.memory.peak == 400_000 + 4_000 + 32_000 + 3_200 + 3_200
    assert "alive at once" in m.memory.method


def test_the_live_tensor_counter_sees_frees():
    from archstat.measure.memory import tensor_peak

    def run() -> None:
        a = torch.ones(1000)  # 4,000 bytes
        b = a * 2  # 8,000 alive
        del a
        c = b + 1  # a is gone: 8,000 again, never 12,000
        del b, c

    assert tensor_peak(run) == 8_000


def test_per_layer_rows_join_the_analytic_rows_by_name():
    m = archstat.profile("googlenet", batch=1, per_layer=True, **QUICK)
    analysis = archstat.analyze("googlenet", flops="torch")
    rows = [(row.name, row.flops, row.memory) for _, row in walk(analysis.rows)]
    assert [(layer.name, layer.flops, layer.memory) for layer in m.layers] == rows
    conv = next(layer for layer in m.layers if layer.name == "inception3a.b2")
    assert conv.seconds > 0 and conv.depth == 1
    block = next(layer for layer in m.layers if layer.name == "inception3a")
    parts = [layer.seconds for layer in m.layers if layer.name.startswith("inception3a.")]
    assert block.seconds == pytest.approx(sum(parts))
    assert m.layer_sum is not None and m.instrumented is not None and m.overhead is not None


def _oom_at(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = measure_profile._measure

    def measure(cell, analysis, device, settings):
        if cell.batch == batch:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return real(cell, analysis, device, settings)

    monkeypatch.setattr(measure_profile, "_measure", measure)


def test_out_of_memory_at_one_batch_is_recorded_and_the_sweep_goes_on(monkeypatch):
    _oom_at(8, monkeypatch)
    c = archstat.compare(["mlp"], device="cpu", batch=[1, 8, 2], **QUICK)
    assert [(e.measurement.batch, e.measurement.status) for e in c.entries] == [(1, "ok"), (8, "oom"), (2, "ok")]
    assert "out of memory at batch 8" in c.entries[1].measurement.message


def test_oom_on_the_command_line_is_a_result_with_a_message(monkeypatch):
    _oom_at(8, monkeypatch)
    result = runner.invoke(app, ["profile", "mlp", "--batch", "1,8", "--runs", "5", "--warmup", "1", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    cells = json.loads(result.stdout)["models"]
    assert [(c["batch"], c["status"]) for c in cells] == [(1, "ok"), (8, "oom")]
    assert "mlp: batch 8 fp32: oom: out of memory at batch 8" in result.stderr and "Traceback" not in result.stderr


def test_a_model_that_cannot_run_is_reported_and_the_others_still_run(monkeypatch):
    from archstat.layers import REGISTRY, Torch

    def broken(site):
        raise RuntimeError("no kernel for this layer here")

    monkeypatch.setitem(REGISTRY, "lrn", __import__("dataclasses").replace(REGISTRY["lrn"], torch=Torch(build=broken)))
    result = runner.invoke(app, ["compare", "alexnet_paper", "lenet5", "--device", "cpu", "--runs", "5",
                                 "--warmup", "1", "-f", "json"])
    assert result.exit_code == 2
    statuses = {m["model"]: m["status"] for m in json.loads(result.stdout)["models"]}
    assert statuses == {"alexnet_paper": "failed", "lenet5": "ok"}
    assert "alexnet_paper: batch 1 fp32: failed: RuntimeError: no kernel for this layer here" in result.stderr


def test_unsupported_dtype_is_a_message_for_that_cell():
    m = archstat.profile("mlp", dtype="fp8", **QUICK)
    assert m.status == "unsupported" and "fp8" in m.message and m.timing is None


@pytest.mark.parametrize("command, says", [
    (["profile", "mlp", "--dtype", "fp8"], "--dtype fp8 cannot be measured on cpu: torch's layers cannot run fp8 "
     "models; measure fp64, fp32, tf32, fp16, bf16; archstat table --dtype fp8 counts it analytically"),
    (["compare", "mlp", "lenet5", "--device", "cpu", "--dtype", "fp32,int8"], "--dtype int8 cannot be measured"),
    (["profile", "mlp", "--dtype", "tf32"], "tf32 is a CUDA math mode; on this device use fp32"),
])
def test_a_dtype_no_cpu_runs_is_a_usage_error_before_anything_runs(command, says, tmp_path):
    """Known before the first cell: one message and exit 2, not a table of 'unsupported' cells and exit 0."""
    kept = tmp_path / "kept.md"
    kept.write_text("an earlier report\n")
    result = runner.invoke(app, [*command, "--runs", "1", "-o", str(kept)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and says in " ".join(result.stderr.split())
    assert kept.read_text() == "an earlier report\n"


def test_a_dtype_only_counted_still_compares_without_a_device():
    result = runner.invoke(app, ["compare", "mlp", "lenet5", "--dtype", "int8", "-f", "json"])
    assert result.exit_code == 0 and [m["dtype"] for m in json.loads(result.stdout)["models"]] == ["int8", "int8"]


@pytest.mark.parametrize("device, says", [
    ("xla", "archstat measures on cpu, cuda or mps"),
    ("tpu", "unknown device 'tpu'"),
    ("gpu0", "unknown device 'gpu0'"),
])
def test_an_unknown_device_is_one_message_and_exit_2(device, says):
    result = runner.invoke(app, ["profile", "mlp", "--device", device])
    assert result.exit_code == 2 and says in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_one_message_and_exit_2():
    for command in (["profile", "mlp", "--device", "cuda"], ["compare", "mlp", "lenet5", "--device", "cuda:7"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "CUDA is not available here" in result.stderr, command
        assert result.stdout == ""


def test_an_unknown_dtype_or_batch_is_a_usage_error():
    assert runner.invoke(app, ["profile", "mlp", "--dtype", "fp32,fp9"]).exit_code == 2
    assert runner.invoke(app, ["compare", "mlp", "--batch", "1,0"]).exit_code == 2


def test_ctrl_c_during_a_sweep_leaves_a_valid_report_marked_incomplete(tmp_path, monkeypatch):
    real = measure_profile._measure
    calls = []

    def measure(cell, analysis, device, settings):
        calls.append(cell.batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(cell, analysis, device, settings)

    monkeypatch.setattr(measure_profile, "_measure", measure)
    target = tmp_path / "sweep.json"
    result = runner.invoke(app, ["profile", "mlp", "--batch", "1,2,4", "--runs", "5", "--warmup", "1", "-o",
                                 str(target)])
    assert result.exit_code == 130
    data = json.loads(target.read_text())
    assert data["complete"] is False and [m["status"] for m in data["models"]] == ["ok", "not run", "not run"]
    assert "interrupted: 1 of 3 cells measured" in result.stderr


def test_compare_with_a_device_adds_the_measured_columns():
    result = runner.invoke(app, ["compare", "lenet5", "mlp", "--device", "cpu", "--runs", "5", "--warmup", "1",
                                 "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split(",")
    assert {"latency_s", "throughput", "tflops_per_s", "peak_bytes", "predicted_bytes", "latency_ratio"} <= set(header)


def test_compare_without_a_device_never_imports_torch():
    code = ("import sys; from archstat.cli import main; sys.argv = ['archstat', 'compare', 'alexnet', 'vgg16'];\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.strip().endswith("False") and "vgg16" in done.stdout
