"""1-D (C, L) and 3-D (C, D, H, W) feature maps, transposed conv and upsampling in the spec language, the
--input option and the table; every expected number is worked out by hand beside it."""
from __future__ import annotations

import csv
import io
import textwrap

import pytest
from cli_runner import cli_runner

import archstat
from archstat import Analysis, Problem, SpecError
from archstat.cli import app
from archstat.fields import parse_shape
from archstat.render.view import spatial

AUDIO = """\
name: audio
input: [1, 16000]
layers:
  - {conv: conv1, filters: 32, kernel: 80, stride: 16, padding: 32}
  - relu
  - {maxpool: pool1, kernel: 4}
  - {conv: conv2, filters: 64, kernel: 3, padding: same}
  - {conv_transpose: up, filters: 32, kernel: 4, stride: 2, padding: 1}
  - {upsample: up2, mode: linear}
  - global_avgpool
  - flatten
  - {fc: fc, features: 10}
"""

VIDEO = """\
name: video
input: [3, 16, 112, 112]
layers:
  - {conv: conv1, filters: 64, kernel: [3, 7, 7], stride: [1, 2, 2], padding: [1, 3, 3], bias: false}
  - {maxpool: pool1, kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], ceil_mode: true}
  - {conv: conv2, filters: 64, kernel: 3, padding: 1}
  - {avgpool: pool2, kernel: 2}
  - {conv_transpose: up, filters: 32, kernel: 2, stride: 2}
  - {upsample: up2, size: [32, 56, 56], mode: trilinear}
  - {adaptive_avgpool: pool, output: [1, 2, 2]}
  - flatten
  - {fc: fc, features: 10}
"""


def run(text: str, **options: object) -> Analysis:
    return archstat.analyze(archstat.parse_spec(textwrap.dedent(text), "spec.yaml"), **options)


def problem(text: str, **options: object) -> Problem:
    """The one problem a spec has."""
    with pytest.raises(SpecError) as info:
        run(text, **options)
    (found,) = info.value.problems
    return found


# ---- shapes and counts --------------------------------------------------------------------------------------

def test_a_1d_spec_takes_its_dims_from_the_input():
    a = run(AUDIO)
    # conv1: (16000 - 80 + 2 x 32) / 16 + 1 = 1000; pool1: 1000 / 4 = 250; 'same' keeps 250;
    # up: (250 - 1) x 2 - 2 + 3 + 1 = 500; up2 (x 2 by default): 1000
    assert [a.find(n).output for n in ("conv1", "pool1", "conv2", "up", "up2", "global_avgpool1", "flatten1")] == [
        (32, 1000), (32, 250), (64, 250), (32, 500), (32, 1000), (32, 1), (32,)]
    assert a.find("conv1").params == 32 * 1 * 80 + 32
    assert a.find("conv2").params == 64 * 32 * 3 + 64
    assert a.find("up").params == 64 * 32 * 4 + 32  # C_in x C_out x K + C_out
    assert a.find("conv1").flops == 32 * 1000 * 1 * 80  # C_out L' C_in K
    assert a.find("up").flops == 64 * 250 * 32 * 4  # C_in L C_out K: each input meets every filter's taps
    assert a.find("up2").flops == 2 * 32 * 1000  # linear: 2 inputs per output
    assert a.find("conv1").memory == 32 * 1000 * 4


def test_a_3d_spec_fits_each_dim_on_its_own():
    # conv1 along depth: (16 - 3 + 2 x 1) / 1 + 1 = 16 fits; along height (112 - 7 + 2 x 3) / 2 = 55.5 does not
    with pytest.raises(SpecError) as info:
        run(VIDEO)
    conv1, pool2 = info.value.problems
    assert (conv1.line, conv1.layer, pool2.line, pool2.layer) == (4, "conv1", 7, "pool2")
    assert "does not fit along height: (112 - 7 + 6) / 2 + 1 = 56.50" in conv1.message
    assert "does not fit along height: (29 - 2 + 0) / 2 + 1 = 14.50" in pool2.message
    a = run(VIDEO, fit="floor")
    assert a.find("conv1").output == (64, 16, 56, 56)
    # pool1, ceil_mode: depth (16 - 1) / 1 + 1 = 16; height ceil((56 + 2 - 3) / 2) + 1 = 29, and the last window
    # starts at 28 x 2 = 56, inside the padded input (56 < 56 + 1), so torch keeps it
    assert a.find("pool1").output == (64, 16, 29, 29)
    assert a.find("conv2").output == (64, 16, 29, 29)
    assert a.find("pool2").output == (64, 8, 14, 14)  # depth 16 / 2; height floor((29 - 2) / 2) + 1
    assert a.find("up").output == (32, 16, 28, 28)  # (W - 1) x 2 + (2 - 1) + 1 = 2W
    assert a.find("up2").output == (32, 32, 56, 56)
    assert a.find("pool").output == (32, 1, 2, 2)
    assert a.find("flatten1").output == (32 * 1 * 2 * 2,)
    assert a.find("conv1").params == 64 * 3 * 3 * 7 * 7  # no bias
    assert a.find("conv1").flops == 64 * 16 * 56 * 56 * 3 * 3 * 7 * 7  # C_out D' H' W' C_in Kd Kh Kw
    assert a.find("up2").flops == 8 * 32 * 32 * 56 * 56  # trilinear: 8 inputs per output
    # adaptive 32 -> 1 (32), 56 -> 2 (56): the windows cover the input once: C D H W
    assert a.find("pool").flops == 32 * 32 * 56 * 56


def test_one_number_is_every_spatial_dim_and_a_list_must_match_them():
    one = run("input: [2, 5, 6, 7]\nlayers:\n  - {conv: c, filters: 3, kernel: 3}\n").find("c")
    listed = run("input: [2, 5, 6, 7]\nlayers:\n  - {conv: c, filters: 3, kernel: [3, 3, 3]}\n").find("c")
    assert one.output == listed.output == (3, 3, 4, 5)
    assert one.params == listed.params == 3 * 2 * 27 + 3
    assert one.columns == listed.columns == {"filters": 3, "kernel": 3, "stride": 1, "pad": 0}


@pytest.mark.parametrize("layer, words", [
    ("{conv: c, filters: 3, kernel: [3, 3]}", ("kernel [3, 3] gives 2 sizes for an input with 1 spatial dim (length)",
                                               "give one number or 1")),
    ("{maxpool: p, kernel: 2, stride: [1, 2]}", ("stride [1, 2] gives 2 sizes",)),
    ("{conv: c, filters: 3, kernel: 3, padding: [1, 1, 1]}", ("padding [1, 1, 1] gives 3 sizes",)),
    ("{adaptive_avgpool: a, output: [2, 2]}", ("output [2, 2] gives 2 sizes",)),
    ("{upsample: u, scale_factor: [2, 2]}", ("scale_factor [2.0, 2.0] gives 2 factors",)),
    ("{upsample: u, mode: bilinear}", ("mode 'bilinear' interpolates 2-D maps", "1-D; use nearest or linear")),
    ("{upsample: u, align_corners: true}", ("align_corners needs an interpolating mode",)),
    ("{upsample: u, size: 8, scale_factor: 2}", ("give one of 'size' and 'scale_factor', not both",)),
    ("{upsample: u, scale_factor: 0.001}", ("scale_factor 0.001 makes an empty output from 100: 0",)),
    ("{conv_transpose: t, filters: 2, kernel: 3, stride: 2, output_padding: 2}",
     ("output_padding 2 along length must be smaller than the stride 2 or the dilation 1",)),
    ("{conv_transpose: t, filters: 2, kernel: 1, padding: 60}", ("the output length would be -20",)),
    ("{lrn: n, size: 3}", ("lrn needs a C x H x W input, got the 1-D feature map 4x100",)),
])
def test_a_window_that_does_not_match_the_input_is_a_clear_error(layer, words):
    p = problem(f"input: [4, 100]\nlayers:\n  - {layer}\n")
    assert p.line == 3, str(p)
    for word in words:
        assert word in p.message, f"{word!r} not in: {p}"


@pytest.mark.parametrize("value, words", [
    ("[3, 3, 3, 3]", ("must be a whole number >= 1 or a list of one per spatial dim", "got 4 values")),
    ("[]", ("got 0 values",)),
    ("-3", ("must be a whole number >= 1", "got -3")),
    ("[3, 0]", ("must be a whole number >= 1", "got 0")),
])
def test_a_size_field_takes_one_to_three_numbers(value, words):
    p = problem(f"input: [4, 10, 10]\nlayers:\n  - {{conv: c, filters: 2, kernel: {value}}}\n")
    assert "field 'kernel'" in p.message
    for word in words:
        assert word in p.message, f"{word!r} not in: {p}"


def test_a_flat_input_to_conv_names_the_feature_maps_it_takes():
    p = problem("input: [64]\nlayers:\n  - {conv: c, filters: 2, kernel: 1}\n")
    assert "conv needs a feature map (C x L, C x H x W or C x D x H x W), got the flat vector 64" in p.message
    assert "[C, L], [C, H, W] or [C, D, H, W]" in p.message


def test_conv_transpose_undoes_a_strided_conv_and_upsample_a_pool():
    a = run("""\
        input: [8, 33, 33]
        layers:
          - {conv: down, filters: 16, kernel: 3, stride: 2, padding: 1}
          - {conv_transpose: back, filters: 8, kernel: 3, stride: 2, padding: 1}
          - {maxpool: pool, kernel: 3, stride: 3}
          - {upsample: up, scale_factor: 3, mode: bilinear, align_corners: true}
        """)
    # down: (33 - 3 + 2) / 2 + 1 = 17; back: (17 - 1) x 2 - 2 + 2 + 1 = 33; pool 11; up 33
    assert [r.output for r in a.rows] == [(16, 17, 17), (8, 33, 33), (8, 11, 11), (8, 33, 33)]
    assert a.find("back").columns == {"filters": 8, "kernel": 3, "stride": 2, "pad": 1}
    assert a.find("up").params == 0 and a.find("up").memory == 8 * 33 * 33 * 4


# ---- the input shape: spec, option, text --------------------------------------------------------------------

@pytest.mark.parametrize("value, shape", [
    ([1, 16000], (1, 16000)), ([3, 16, 112, 112], (3, 16, 112, 112)), ("1x16000", (1, 16000)),
    ("3x16x112x112", (3, 16, 112, 112)), ("3X224X224", (3, 224, 224)), ([10], (10,)),
])
def test_parse_shape_takes_one_to_four_sizes(value, shape):
    assert parse_shape(value) == shape


@pytest.mark.parametrize("value", [[3, 4, 5, 6, 7], "1x2x3x4x5", []])
def test_parse_shape_refuses_five_sizes_or_none(value):
    with pytest.raises(ValueError, match=r"must be \[C, H, W\] .*\[C, L\], \[C, D, H, W\] or \[features\]"):
        parse_shape(value)


def test_the_input_option_changes_the_dims_the_layers_see():
    a = run(AUDIO, input="1x32000")
    assert a.input == (1, 32000) and a.find("conv1").output == (32, 2000)  # (32000 - 80 + 64) / 16 + 1
    a = run(VIDEO, input="3x8x64x64", fit="floor")
    assert a.find("conv1").output == (64, 8, 32, 32) and a.find("up2").output == (32, 32, 56, 56)


def test_one_number_windows_follow_the_input_into_other_dims():
    # alexnet writes kernel: 11, stride: 4, padding: 2, so on a 1-D input its conv1 is a Conv1d:
    # (227 - 11 + 4) / 4 + 1 = 56 along the length
    assert archstat.analyze("alexnet", input="3x227").find("conv1").output == (64, 56)
    assert archstat.analyze("alexnet", input="3x227").find("conv1").params == 64 * 3 * 11 + 64
    assert archstat.analyze("alexnet", input="3x227x227").find("conv1").output == (64, 56, 56)


runner = cli_runner()


def test_table_shows_length_and_every_size_of_a_3d_map(tmp_path):
    spec = tmp_path / "video.yaml"
    spec.write_text(VIDEO)
    result = runner.invoke(app, ["table", str(spec), "--fit", "floor", "--input", "3x16x112x112"])
    assert result.exit_code == 0, result.stderr
    conv1 = next(line for line in result.stdout.splitlines() if line.strip().startswith("conv1"))
    assert conv1.split()[:10] == ["conv1", "conv", "3", "16x112x112", "64", "3x7x7", "1x2x2", "1x3x3", "64",
                                  "16x56x56"]
    audio = tmp_path / "audio.yaml"
    audio.write_text(AUDIO)
    result = runner.invoke(app, ["table", str(audio), "--input", "1x16000", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert (rows["conv1"]["input"], rows["conv1"]["output"], rows["conv1"]["kernel"]) == ("1x16000", "32x1000", "80")


def test_a_five_dim_input_option_is_a_usage_error():
    result = runner.invoke(app, ["table", "alexnet", "--input", "3x4x5x6x7"])
    assert result.exit_code == 2
    assert "[C, D, H, W]" in result.stderr


@pytest.mark.parametrize("shape, text", [
    ((3, 224, 224), "224"), ((64, 30, 46), "30x46"), ((4096,), ""),
    ((1, 16000), "16000"), ((64, 16, 112, 112), "16x112x112"), ((8, 4, 4, 4), "4x4x4"),
])
def test_spatial_cells(shape, text):
    assert spatial(shape) == text
