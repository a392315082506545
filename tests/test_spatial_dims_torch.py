"""1-D and 3-D conv and pooling, transposed conv and upsampling, built in torch: the modules the builder picks,
torch's shapes and parameters and the FLOPs of fvcore and FlopCounterMode row by row, and the totals of
torchinfo, thop and ptflops, on small models that use every field of the new forms."""
from __future__ import annotations

import contextlib
import io

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

import archstat
from archstat.measure.check import check_spec

pytestmark = pytest.mark.slow

AUDIO = """\
name: audio
input: [1, 400]
fit: floor
layers:
  - {conv: c1, filters: 8, kernel: 9, stride: 2, padding: 4}
  - relu
  - {maxpool: p1, kernel: 3, stride: 2, padding: 1, ceil_mode: true}
  - {conv: c2, filters: 8, kernel: 4, padding: same, groups: 2}
  - {conv: c3, filters: 6, kernel: 3, dilation: 2, bias: false}
  - {avgpool: p2, kernel: 3, stride: 2, padding: 1, count_include_pad: false}
  - {maxpool: p3, kernel: 2, dilation: 2}
  - {conv_transpose: t1, filters: 4, kernel: 4, stride: 2, padding: 1}
  - {conv_transpose: t2, filters: 4, kernel: 3, stride: 3, output_padding: 1, groups: 2, bias: false}
  - {upsample: u1, scale_factor: 2}
  - {upsample: u2, scale_factor: 1.5, mode: linear, align_corners: true}
  - {upsample: u3, size: 50, mode: linear}
  - {adaptive_avgpool: a1, output: 7}
  - global_avgpool
  - flatten
  - {fc: fc, features: 3}
"""

VIDEO = """\
name: video
input: [3, 6, 20, 20]
fit: floor
layers:
  - {conv: c1, filters: 8, kernel: [3, 5, 5], stride: [1, 2, 2], padding: [1, 2, 2]}
  - relu
  - {maxpool: p1, kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], ceil_mode: true}
  - {conv: c2, filters: 8, kernel: 2, padding: same, groups: 4}
  - {avgpool: p2, kernel: 2}
  - {conv_transpose: t1, filters: 4, kernel: [1, 2, 2], stride: [1, 2, 2]}
  - {conv_transpose: t2, filters: 4, kernel: 3, stride: 2, padding: 1, output_padding: 1}
  - {upsample: u1, scale_factor: [1, 2, 2]}
  - {upsample: u2, size: [4, 9, 9], mode: trilinear}
  - {adaptive_avgpool: a1, output: [2, 3, 4]}
  - global_avgpool
  - flatten
  - {fc: fc, features: 3}
"""

DECODER = """\
name: decoder
input: [3, 16, 16]
fit: floor
layers:
  - {conv_transpose: t1, filters: 6, kernel: 3, stride: 2, padding: 1, output_padding: 1}
  - {conv_transpose: t2, filters: 4, kernel: 3, dilation: 2, groups: 2, bias: false}
  - {upsample: u1, scale_factor: 2, mode: bilinear}
  - {upsample: u2, scale_factor: [1.5, 2], mode: bicubic}
  - {upsample: u3, size: [30, 40]}
  - {upsample: u4, scale_factor: 0.5, mode: bilinear, align_corners: true}
  - {maxpool: p, kernel: 2}
  - {adaptive_avgpool: a, output: [3, 5]}
  - flatten
  - {fc: fc, features: 3}
"""

SPECS = {"audio": AUDIO, "video": VIDEO, "decoder": DECODER}


def spec(name: str) -> archstat.Spec:
    return archstat.parse_spec(SPECS[name], f"{name}.yaml")


@pytest.mark.parametrize("counter", ["fvcore", "torch"])
@pytest.mark.parametrize("name", SPECS)
def test_every_row_agrees_with_torch_and_the_flop_counter(name, counter):
    report = check_spec(spec(name), counter=counter)
    assert report.ok, [f"{row.name}: {row.problems}" for row in report.failures]
    assert report.total.torch_params == report.total.params > 0
    assert all(row.torch_shape == row.shape for row in report.rows)


def _model_and_input(name: str):
    analysis = archstat.analyze(spec(name))
    return archstat.build(spec(name)), torch.zeros(1, *analysis.input), tuple(analysis.input)


@pytest.mark.parametrize("name", SPECS)
def test_torchinfo_mult_adds(name):
    torchinfo = pytest.importorskip("torchinfo")
    model, x, _ = _model_and_input(name)
    reported = torchinfo.summary(model, input_data=x, verbose=0).total_mult_adds
    assert archstat.analyze(spec(name), flops="torchinfo").totals.flops == reported


@pytest.mark.parametrize("name", SPECS)
def test_thop_profile(name):
    thop = pytest.importorskip("thop")
    model, x, _ = _model_and_input(name)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        reported, _ = thop.profile(model, inputs=(x,), verbose=False)
    assert archstat.analyze(spec(name), flops="thop").totals.flops == int(reported)


@pytest.mark.parametrize("name", SPECS)
def test_ptflops_pytorch_backend(name):
    ptflops = pytest.importorskip("ptflops")
    model, _, shape = _model_and_input(name)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        reported, _ = ptflops.get_model_complexity_info(model, shape, as_strings=False,
                                                        print_per_layer_stat=False, backend="pytorch")
    assert archstat.analyze(spec(name), flops="ptflops").totals.flops == reported


def test_the_builder_picks_the_module_of_the_input_dims():
    nn = torch.nn
    audio, video, decoder = (archstat.build(spec(name)) for name in ("audio", "video", "decoder"))
    c1 = audio.get_submodule("c1")
    assert isinstance(c1, nn.Conv1d) and (c1.kernel_size, c1.stride, c1.padding) == ((9,), (2,), (4,))
    same = audio.get_submodule("c2")  # an even kernel's 'same' padding: 1 before, 2 after, as torch pads it
    assert isinstance(same[0], nn.ZeroPad1d) and same[0].padding == (1, 2) and isinstance(same[1], nn.Conv1d)
    assert isinstance(audio.get_submodule("p1"), nn.MaxPool1d) and isinstance(audio.get_submodule("p2"), nn.AvgPool1d)
    t2 = audio.get_submodule("t2")
    assert isinstance(t2, nn.ConvTranspose1d) and (t2.output_padding, t2.groups, t2.bias) == ((1,), 2, None)
    assert isinstance(audio.get_submodule("a1"), nn.AdaptiveAvgPool1d)
    assert audio.get_submodule("u2").mode == "linear" and audio.get_submodule("u2").align_corners is True
    c1 = video.get_submodule("c1")
    assert isinstance(c1, nn.Conv3d) and (c1.kernel_size, c1.stride, c1.padding) == ((3, 5, 5), (1, 2, 2), (1, 2, 2))
    same = video.get_submodule("c2")  # kernel 2: 0 before and 1 after in every dim, listed from the last dim
    assert isinstance(same[0], nn.ZeroPad3d) and same[0].padding == (0, 1, 0, 1, 0, 1)
    assert isinstance(video.get_submodule("p1"), nn.MaxPool3d) and isinstance(video.get_submodule("p2"), nn.AvgPool3d)
    assert isinstance(video.get_submodule("t1"), nn.ConvTranspose3d)
    assert video.get_submodule("a1").output_size == (2, 3, 4)
    assert isinstance(decoder.get_submodule("t1"), nn.ConvTranspose2d)
    assert decoder.get_submodule("u1").scale_factor == 2.0 and decoder.get_submodule("u3").size == (30, 40)
    assert decoder.get_submodule("u1").align_corners is False and decoder.get_submodule("u3").align_corners is None


def test_the_built_transposed_conv_computes_what_torch_computes():
    model = archstat.build(spec("decoder"))
    t1 = model.get_submodule("t1")
    x = torch.randn(1, 3, 16, 16)
    expected = torch.nn.functional.conv_transpose2d(x, t1.weight, t1.bias, stride=2, padding=1, output_padding=1)
    assert tuple(expected.shape) == (1, 6, 32, 32) == (1, *archstat.analyze(spec("decoder")).find("t1").output)
    assert torch.equal(t1(x), expected)
