"""What a built model holds while it runs: the activations alive at once, predicted from the op list, equal to what
torch allocates; and the check before building refuses only what cannot fit."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import archstat
from archstat.analysis import Options
from archstat.bundled import bundled_names
from archstat.measure import memory
from archstat.measure.build import build_analysed

pytestmark = pytest.mark.slow

TINY_RESIDUAL = """\
name: tiny_residual
input: [4, 8, 8]
layers:
  - {conv: c1, filters: 4, kernel: 3, padding: 1}
  - {relu: r1}
  - residual:
    body:
      - {conv: c2, filters: 4, kernel: 3, padding: 1}
      - {batchnorm: b2}
    shortcut: []
    after: [{relu: r2}]
  - {flatten: flat}
  - {linear: fc, features: 10}
"""


def _measured(analysis: archstat.Analysis) -> int:
    """The most bytes of tensors the built model's ops had made and not yet freed, in one forward pass."""
    model = build_analysed(analysis)
    x = torch.randn(analysis.options.batch, *analysis.input)
    with torch.inference_mode():
        return memory.tensor_peak(lambda: model(x))


def test_a_residual_holds_its_shortcut_while_the_body_runs(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_RESIDUAL)
    analysis = archstat.analyze(spec)
    # Each 4x8x8 fp32 map is 1,024 bytes. At the add: c1's map (which r1 overwrote in place and the shortcut still
    # reads), b2's and the add's own. r2 (in place) and flatten (a view) add nothing; fc's 40 bytes come after.
    assert memory.activations_alive(analysis) == 3 * 1024 == _measured(analysis)
    assert analysis.totals.memory == 4136  # the lecture sum keeps every row: 1,024 x 4 + 40


def test_the_count_scales_with_batch_and_dtype(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_RESIDUAL)
    assert memory.activations_alive(archstat.analyze(spec, batch=8, dtype="fp16")) == 8 * 3 * 512


@pytest.mark.parametrize("name", bundled_names())
def test_the_prediction_is_what_torch_allocates(name):
    analysis = archstat.analyze(name)
    assert memory.activations_alive(analysis) == _measured(analysis)


def test_a_side_branch_that_runs_holds_its_output_to_the_end(tmp_path):
    spec = tmp_path / "side.yaml"
    spec.write_text(TINY_RESIDUAL.replace("  - residual:", "  - side: aux\n    layers: [{conv: big, filters: 64, "
                                          "kernel: 3, padding: 1}]\n  - residual:"))
    running, built_only = (archstat.analyze(spec, Options(side=side)) for side in (True, "params"))
    # The side conv's 64x8x8 map (16,384 bytes) is returned beside the main output, so it stays to the end.
    assert memory.activations_alive(running) == 16384 + 3 * 1024 == _measured(running)
    assert memory.activations_alive(built_only) == 3 * 1024 == _measured(built_only)


def test_a_module_made_of_several_ops_holds_their_scratch():
    analysis = archstat.analyze("alexnet_paper")  # the largest moment: norm1 on conv1's 96x55x55 map
    conv1 = 96 * 55 * 55 * 4
    assert memory.activations_alive(analysis) == conv1 + conv1 + 2 * conv1 == _measured(analysis)


def _room(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(memory, "available_bytes", lambda device: (free, "the test's limit"))


def test_a_batch_the_lecture_sum_would_refuse_but_that_fits_is_built(monkeypatch):
    analysis = archstat.analyze("resnet50", batch=8)
    t = analysis.totals
    least = t.params * 4 + t.input_memory + memory.activations_alive(analysis)
    assert least < 0.3 * (t.params * 4 + t.input_memory + t.memory)
    _room(monkeypatch, least + 2**20)
    assert len(list(build_analysed(analysis).parameters())) > 0


def test_a_batch_that_cannot_fit_is_refused_with_what_it_needs(monkeypatch):
    analysis = archstat.analyze("resnet50", batch=8)
    _room(monkeypatch, 100 * 2**20)
    with pytest.raises(archstat.DeviceMemoryError) as refused:
        build_analysed(analysis)
    message = str(refused.value)
    assert "resnet50 needs at least 0.2 GiB on cpu (weights 0.1 GiB + input + 0.1 GiB of activations alive at once "
    assert "at batch 8) but the test's limit leaves 0.1 GiB; use a smaller --batch" in message
