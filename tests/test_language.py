"""The spec language does what the README says; every expected number is worked out by hand beside it."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import archstat
from archstat import Analysis

TOUR = Path(__file__).resolve().parent / "data" / "language_tour.yaml"


def run(text: str, **options: object) -> Analysis:
    return archstat.analyze(archstat.parse_spec(textwrap.dedent(text), "spec.yaml"), **options)


def names(rows) -> list[str]:
    return [row.name for row in rows]


def test_block_parameters_defaults_and_expressions():
    a = run("""\
        input: [3, 8, 8]
        blocks:
          pw:
            params: {width: ~, mult: 2}
            layers:
              - {conv: a, filters: $width, kernel: 1}
              - {conv: b, filters: "${width * mult}", kernel: 1}
        layers:
          - {pw: p1, width: 4}
          - {pw: p2, width: 3, mult: 3}
        """)
    p1, p2 = a.rows
    assert (p1.kind, p1.block) == ("group", "pw")
    assert [dict(node.args) for node in a.spec.layers] == [{"width": 4, "mult": 2}, {"width": 3, "mult": 3}]
    assert names(p1.children) == ["p1.a", "p1.b"]
    assert a.find("p1.b").output == (8, 8, 8)  # width 4 x the default mult 2
    assert a.find("p2.b").output == (9, 8, 8)  # width 3 x mult 3
    # p1: a = 3*4 + 4 = 16, b = 4*8 + 8 = 40; p2: a = 8*3 + 3 = 27, b = 3*9 + 9 = 36
    assert (p1.params, p2.params) == (16 + 40, 27 + 36)
    assert a.totals.params == 56 + 63


def test_a_default_may_use_earlier_parameters():
    a = run("""\
        input: [2, 4, 4]
        blocks:
          expand:
            params: {width: ~, out: "${width * 4}"}
            layers: [{conv: c, filters: $out, kernel: 1}]
        layers: [{expand: e, width: 3}]
        """)
    assert a.output == (12, 4, 4)


def test_division_that_comes_out_whole_is_a_size():
    a = run("""\
        input: [2, 4, 4]
        blocks:
          half:
            params: [width]
            layers: [{conv: c, filters: "${width / 2}", kernel: 1}]
        layers: [{half: h, width: 64}]
        """)
    assert a.output == (32, 4, 4)


def test_a_block_that_is_one_unnamed_concat_becomes_that_concat():
    a = run("""\
        input: [3, 8, 8]
        blocks:
          mix:
            params: [n]
            layers:
              - concat:
                branches:
                  - [{conv: b1, filters: $n, kernel: 1}]
                  - [{conv: b2, filters: "${n * 2}", kernel: 3, padding: 1}]
                  - [{maxpool: b3, kernel: 3, stride: 1, padding: 1}]
        layers:
          - {mix: m, n: 4}
        """)
    (m,) = a.rows
    assert (m.name, m.kind, m.block) == ("m", "concat", "mix")
    assert names(m.children) == ["m.b1", "m.b2", "m.b3", "m.concat"]
    assert m.output == (4 + 8 + 3, 8, 8)  # channels add up: 4 + 8 + the 3 pooled input channels
    # b1 = 3*4 + 4 = 16, b2 = 3*8*9 + 8 = 224; pooling and the join have none
    assert m.params == 16 + 224
    assert a.find("m.concat").memory == 15 * 8 * 8 * 4  # the concat allocates its output, fp32


def test_residual_with_identity_and_projection_shortcuts():
    a = run("""\
        input: [4, 7, 7]
        layers:
          - residual: id
            body:
              - {conv: c, filters: 4, kernel: 3, padding: 1, bias: false}
          - residual: proj
            body:
              - {conv: c, filters: 8, kernel: 3, stride: 2, padding: 1, bias: false}
            shortcut:
              - {conv: down, filters: 8, kernel: 1, stride: 2, bias: false}
        """)
    ident, proj = a.rows
    assert names(ident.children) == ["id.c", "id.add"]
    assert ident.output == (4, 7, 7)
    assert ident.params == 4 * 4 * 3 * 3  # 144
    assert ident.flops == 4 * 7 * 7 * 4 * 9  # C_out*H'*W' x C_in*K*K = 7056 MACs; the add counts 0
    assert a.find("id.add").memory == 0  # in place, as torchvision's out += identity
    assert names(proj.children) == ["proj.c", "proj.down", "proj.add"]
    assert proj.output == (8, 4, 4)  # (7 + 2 - 3) / 2 + 1 = 4; the shortcut: (7 - 1) / 2 + 1 = 4
    assert proj.params == 8 * 4 * 9 + 8 * 4  # 288 + 32
    assert proj.flops == 8 * 4 * 4 * 4 * 9 + 8 * 4 * 4 * 4  # 4608 + 512


def test_repeat_with_start_index_in_names_and_values():
    a = run("""\
        input: [1, 4, 4]
        layers:
          - repeat: 3
            start: 2
            layers: [{conv: "c{i}", filters: "${i * 2}", kernel: 1}]
        """)
    assert names(a.rows) == ["c2", "c3", "c4"]
    assert [row.output[0] for row in a.rows] == [4, 6, 8]
    assert a.totals.params == (1 * 4 + 4) + (4 * 6 + 6) + (6 * 8 + 8)  # 8 + 30 + 56 = 94


def test_repeat_zero_times_is_nothing():
    a = run("""\
        input: [1, 4, 4]
        layers:
          - relu
          - repeat: 0
            layers: [{conv: c, filters: 2, kernel: 1}]
        """)
    assert names(a.rows) == ["relu1"]


def test_groups_nest_with_dotted_names():
    a = run("""\
        input: [3, 8, 8]
        layers:
          - group: stage
            layers:
              - group: unit
                layers:
                  - {conv: c, filters: 4, kernel: 1}
                  - relu
        """)
    (stage,) = a.rows
    assert stage.kind == "group"
    assert names(stage.children) == ["stage.unit"]
    assert names(stage.children[0].children) == ["stage.unit.c", "stage.unit.relu1"]
    assert a.find("stage.unit.c").label == "c"
    assert stage.params == 3 * 4 + 4


def test_scale_gate_rows_are_children_and_the_output_keeps_the_input_shape():
    a = run("""\
        input: [8, 4, 4]
        layers:
          - scale: se
            gate:
              - global_avgpool
              - {conv: fc1, filters: 2, kernel: 1}
              - relu
              - {conv: fc2, filters: 8, kernel: 1}
              - sigmoid
        """)
    (se,) = a.rows
    assert se.kind == "scale"
    assert se.output == (8, 4, 4)
    assert names(se.children) == ["se.global_avgpool1", "se.fc1", "se.relu1", "se.fc2", "se.sigmoid1", "se.mul"]
    assert a.find("se.fc2").output == (8, 1, 1)
    assert se.params == (8 * 2 + 2) + (2 * 8 + 8)  # 18 + 24
    assert a.find("se.mul").memory == 8 * 4 * 4 * 4  # x * gate allocates 8x4x4 fp32


SIDE = """\
    input: [4, 4, 4]
    layers:
      - {conv: c, filters: 4, kernel: 1}
      - side: aux
        layers: [flatten, {fc: head, features: 3}]
      - {conv: d, filters: 2, kernel: 1}
    """


def test_side_branches_are_skipped_by_default():
    a = run(SIDE)
    assert names(a.rows) == ["c", "d"]
    assert a.totals.params == (4 * 4 + 4) + (4 * 2 + 2)  # 20 + 10


def test_side_branches_are_counted_with_side_and_leave_the_main_path_alone():
    a = run(SIDE, side=True)
    assert names(a.rows) == ["c", "aux", "d"]
    aux = a.find("aux")
    assert (aux.kind, aux.input, aux.output) == ("side", (4, 4, 4), (3,))  # the row shows the branch's own output
    assert a.find("d").input == (4, 4, 4)  # d reads c's output, not the side branch's
    assert a.totals.params == 20 + (64 * 3 + 3) + 10  # the head: 4*4*4 = 64 inputs x 3 + 3


def test_auto_names_count_per_kind_and_per_scope():
    a = run("""\
        input: [3, 4, 4]
        layers:
          - relu
          - {conv: c, filters: 3, kernel: 1}
          - relu
          - group: g
            layers: [relu, sigmoid, relu]
        """)
    assert names(a.rows) == ["relu1", "c", "relu2", "g"]
    assert names(a.find("g").children) == ["g.relu1", "g.sigmoid1", "g.relu2"]


def test_same_padding_keeps_the_size_even_with_dilation_and_even_kernels():
    a = run("""\
        input: [2, 9, 9]
        layers:
          - {conv: odd, filters: 2, kernel: 3, dilation: 2, padding: same}
          - {conv: even, filters: 2, kernel: 4, padding: same}
        """)
    assert a.find("odd").output == (2, 9, 9)  # pads 2 each side: 9 + 4 - (2*(3-1) + 1) + 1 = 9
    assert a.find("even").output == (2, 9, 9)  # pads 1 before, 2 after, as torch: 9 + 3 - 4 + 1 = 9


def test_dilation_widens_the_kernel():
    a = run("""\
        input: [1, 9, 9]
        layers:
          - {conv: c, filters: 1, kernel: 3, dilation: 2}
        """)
    # effective kernel D(K - 1) + 1 = 2*2 + 1 = 5; 9 - 5 + 1 = 5; the weights stay 3x3
    assert a.output == (1, 5, 5)
    assert a.totals.params == 1 * 1 * 9 + 1
    assert a.totals.flops == 1 * 5 * 5 * 1 * 9  # 225 MACs


def test_groups_divide_the_weights():
    a = run("""\
        input: [8, 5, 5]
        layers:
          - {conv: c, filters: 16, kernel: 3, groups: 4, padding: 1}
        """)
    # each filter sees 8 / 4 = 2 input channels: 16 * 2 * 3 * 3 = 288 weights + 16 biases
    assert a.totals.params == 304
    assert a.totals.flops == 16 * 5 * 5 * 2 * 9  # 7200 MACs


def test_ceil_mode_keeps_the_partial_window():
    a = run("""\
        input: [1, 7, 7]
        layers:
          - {maxpool: p, kernel: 2, stride: 2, ceil_mode: true}
        """)
    assert a.output == (1, 4, 4)  # ceil((7 - 2) / 2) + 1 = 4; the last window starts at 6, inside the input


def test_fit_floor_drops_the_remainder_and_fit_exact_refuses_it():
    spec = "input: [1, 8, 8]\n{fit}layers:\n  - {{maxpool: p, kernel: 3, stride: 2}}\n"
    assert run(spec.format(fit="fit: floor\n")).output == (1, 3, 3)  # floor((8 - 3) / 2) + 1 = 2 + 1
    try:
        run(spec.format(fit=""))
    except archstat.SpecError as exc:
        assert "(8 - 3 + 0) / 2 + 1 = 3.50" in str(exc)
    else:
        raise AssertionError("fit: exact must refuse a window that does not fit")
    assert run(spec.format(fit=""), fit="floor").output == (1, 3, 3)  # the option overrides the spec


def test_input_override():
    spec = "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 4, kernel: 3}\n"
    assert run(spec).output == (4, 6, 6)
    a = run(spec, input=(3, 32, 32))
    assert (a.input, a.output) == ((3, 32, 32), (4, 30, 30))
    assert a.totals.flops == 4 * 30 * 30 * 3 * 9  # 97,200 MACs at 32x32


BATCHNORM_NET = """\
    input: [3, 4, 4]
    layers:
      - {conv: c, filters: 8, kernel: 1}
      - {batchnorm: bn}
      - {relu: r, inplace: false}
      - flatten
      - {fc: fc, features: 10}
    """


def test_batch_and_dtype_scale_memory_and_flops_not_params():
    one = run(BATCHNORM_NET)
    # memory in elements: c 8*4*4 = 128, bn 128, relu 128 (not in place), flatten 128, fc 10 = 522
    assert one.totals.memory == 522 * 4
    # MACs: c 8*4*4 * 3 = 384, fc 128 * 10 = 1280; batch norm counts 0 in the lecture convention
    assert one.totals.flops == 384 + 1280
    many = run(BATCHNORM_NET, batch=8, dtype="bf16")
    assert many.totals.memory == 522 * 8 * 2
    assert many.totals.flops == (384 + 1280) * 8
    assert many.totals.input_memory == 3 * 4 * 4 * 8 * 2
    assert many.totals.params == one.totals.params


def test_bias_false_leaves_biases_out():
    # c: 3*8 + 8; bn: gamma 8 + beta 8; fc: 128*10 + 10
    assert run(BATCHNORM_NET).totals.params == (24 + 8) + (8 + 8) + (1280 + 10)
    assert run(BATCHNORM_NET, bias=False).totals.params == 24 + 8 + 1280


def test_layer_bias_false_field():
    a = run("input: [3, 4, 4]\nlayers:\n  - {conv: c, filters: 8, kernel: 1, bias: false}\n")
    assert a.totals.params == 24


def test_aliases_and_text_input():
    a = run("input: 3x4x4\nlayers:\n  - global_avgpool\n  - flatten\n  - {fc: out, features: 2}\n")
    assert [row.kind for row in a.rows] == ["adaptive_avgpool", "flatten", "linear"]
    assert a.output == (2,)


def test_language_tour():
    a = archstat.analyze(archstat.load_spec(TOUR))
    # conv1: 64 x floor((64 + 6 - 7) / 2) + 1 = 32
    assert a.find("conv1").output == (64, 32, 32)
    inception = a.find("inception3a")
    assert (inception.kind, inception.block) == ("concat", "inception")
    assert inception.output == (64 + 128 + 32 + 32, 32, 32)
    assert a.find("inception3a.b2").output == (128, 32, 32)
    layer1 = a.find("layer1")
    assert names(layer1.children) == ["layer1.0", "layer1.1", "layer1.2", "layer1.3", "layer1.4", "layer1.5"]
    assert a.find("layer1.0").block == "bottleneck"
    assert a.find("layer1.0.downsample").output == (256, 32, 32)  # project: 1
    assert [r.name for r in a.find("layer1.1").children if "downsample" in r.name] == []  # project: 0
    assert a.find("layer1.2.conv3").output == (256, 32, 32)  # ${width * 4}
    assert (a.find("layer1.3").kind, a.find("layer1.3").output) == ("concat", (256 + 32, 32, 32))  # [] + growth
    assert a.find("layer1.4.conv").output == (256, 32, 32)  # make_divisible(288 * 0.9, 8): 259.2 to 256
    assert [a.find(f"layer1.5.split.slice{n}").output for n in (1, 2)] == [(128, 32, 32)] * 2
    assert a.find("layer1.5.split.conv").params == 128 * 128
    assert a.find("layer1.5").output == (256, 32, 32)
    assert a.find("se").output == (256, 32, 32)
    assert "aux" not in names(a.rows)
    assert a.output == (10,)
    with_side = archstat.analyze(archstat.load_spec(TOUR), side=True)
    # the side head: global pooling to 256, then 256 * 10 + 10 parameters
    assert with_side.totals.params - a.totals.params == 256 * 10 + 10


def test_exponent_numbers_read_as_numbers_as_in_yaml_1_2():
    # PyYAML follows YAML 1.1, where 1e-4 is text; specs write LRN constants that way
    spec = archstat.parse_spec("input: [8, 4, 4]\nlayers:\n  - {lrn: n, size: 3, alpha: 1e-4, k: 2E0}\n", "x.yaml")
    assert spec.layers[0].args["alpha"] == 0.0001 and spec.layers[0].args["k"] == 2.0


def test_shape_problems_after_the_first_bad_layer_are_reported_too():
    text = ("input: [3, 8, 8]\nlayers:\n"
            "  - {conv: c1, filters: 4, kernel: 3, stride: 2}\n"  # (8 - 3) / 2 + 1 = 3.5: goes on with 3
            "  - {maxpool: p1, kernel: 2}\n"  # 3 / 2: does not fit either
            "  - {fc: fc1, features: 10}\n"  # no flatten before it: goes on with 10 features
            "  - {fc: fc2, features: 5}\n")
    with pytest.raises(archstat.SpecError) as caught:
        run(text)
    found = [(p.line, p.layer) for p in caught.value.problems]
    assert found == [(3, "c1"), (4, "p1"), (5, "fc1")]  # one problem per layer, each in file order
    assert "linear needs a flat input, got 4x1x1" in caught.value.problems[-1].message


def test_branches_that_disagree_still_let_the_layers_after_the_join_be_checked():
    text = ("input: [3, 8, 8]\nlayers:\n"
            "  - concat: mix\n    branches:\n"
            "      - [{conv: a, filters: 4, kernel: 1}]\n"
            "      - [{conv: b, filters: 4, kernel: 3}]\n"  # 6x6 beside 8x8
            "  - {conv: after, filters: 2, kernel: 9}\n")  # 9 > 8: reported as well
    with pytest.raises(archstat.SpecError) as caught:
        run(text)
    layers = [p.layer for p in caught.value.problems]
    assert layers == ["mix", "after"]


# ---- identity branches, split, expression functions, in_channels, side parameters ---------------------------

DENSE = """\
    input: [8, 6, 6]
    blocks:
      dense_layer:
        params: {growth: 4, bn_size: 2}
        layers:
          - concat:
            branches:
              - []
              - [batchnorm, relu, {conv: conv1, filters: "${bn_size * growth}", kernel: 1, bias: false},
                 batchnorm, relu, {conv: conv2, filters: $growth, kernel: 3, padding: 1, bias: false}]
      transition:
        params: {out: "${in_channels // 2}"}
        layers:
          - batchnorm
          - relu
          - {conv: conv, filters: $out, kernel: 1, bias: false}
          - {avgpool: pool, kernel: 2}
    layers:
      - group: block1
        layers:
          - repeat: 3
            layers: [{dense_layer: "layer{i}"}]
      - transition: transition1
    """


def test_an_empty_concat_branch_passes_the_input_to_the_concat_as_densenet_does():
    a = run(DENSE)
    # each dense layer adds growth 4 channels to what it reads: 8 -> 12 -> 16 -> 20
    assert [a.find(f"block1.layer{i}").output for i in (1, 2, 3)] == [(12, 6, 6), (16, 6, 6), (20, 6, 6)]
    layer1 = a.find("block1.layer1")
    assert (layer1.kind, layer1.block) == ("concat", "dense_layer")
    assert names(layer1.children) == ["block1.layer1.batchnorm1", "block1.layer1.relu1", "block1.layer1.conv1",
                                      "block1.layer1.batchnorm2", "block1.layer1.relu2", "block1.layer1.conv2",
                                      "block1.layer1.concat"]
    concat = a.ops[layer1.last_op]
    assert concat.kind == "concat" and concat.inputs == (-1, a.find("block1.layer1.conv2").last_op)  # x, then new
    # layer with C inputs: bn 2C, conv1 C x 8, bn 16, conv2 8 x 4 x 9 = 288; C = 8, 12, 16
    assert [a.find(f"block1.layer{i}").params for i in (1, 2, 3)] == [2 * C + 8 * C + 16 + 288 for C in (8, 12, 16)]
    assert a.find("block1.layer1.concat").memory == 12 * 6 * 6 * 4  # the concat allocates its output, fp32


def test_in_channels_reads_the_block_inputs_channels_in_a_parameters_default():
    a = run(DENSE)
    transition = a.find("transition1")
    assert dict(transition.args) == {"out": 10}  # the row shows the value: 20 input channels // 2
    assert a.find("transition1.conv").output == (10, 6, 6)
    assert transition.output == (10, 3, 3)
    assert a.totals.params == sum(2 * C + 8 * C + 16 + 288 for C in (8, 12, 16)) + 2 * 20 + 20 * 10


def test_in_channels_follows_an_input_override():
    a = run(DENSE, input=(16, 6, 6))
    assert a.find("transition1.conv").output == ((16 + 12) // 2, 6, 6)  # 16 + 3 x 4 = 28 channels, halved


def test_a_value_given_to_a_block_reads_the_callers_in_channels_and_a_default_the_blocks_own():
    a = run("""\
        input: [16, 4, 4]
        blocks:
          se:
            params: {squeeze: ~, back: $in_channels}
            layers:
              - scale:
                gate:
                  - global_avgpool
                  - {conv: fc1, filters: $squeeze, kernel: 1}
                  - relu
                  - {conv: fc2, filters: $back, kernel: 1}
                  - sigmoid
          mbconv:
            params: {expand: 4}
            layers:
              - {conv: expand, filters: "${in_channels * expand}", kernel: 1}
              - {se: se, squeeze: "${max(1, in_channels // 4)}"}
              - {conv: project, filters: $in_channels, kernel: 1}
        layers:
          - {mbconv: m1}
          - {conv: wider, filters: 24, kernel: 1}
          - {mbconv: m2, expand: 2}
        """)
    # m1: its input has 16 channels; the gate squeezes to max(1, 16 // 4) = 4 and restores the se block's own
    # input channels, 16 x 4 = 64
    assert a.find("m1.expand").output == (64, 4, 4)
    assert a.find("m1.se.fc1").output == (4, 1, 1)
    assert a.find("m1.se.fc2").output == (64, 1, 1)
    assert a.find("m1.project").output == (16, 4, 4)
    assert dict(a.find("m1.se").args) == {"squeeze": 4, "back": 64}
    # m2 sees 24 channels: 48 expanded, squeezed to 6, projected back to 24
    assert [a.find(f"m2.{n}").output[0] for n in ("expand", "se.fc1", "se.fc2", "project")] == [48, 6, 48, 24]


def test_in_channels_in_a_kernel_pair_and_in_the_same_block_used_at_different_widths():
    a = run("""\
        input: [2, 12, 9]
        blocks:
          grow:
            layers: [{conv: c, filters: "${in_channels + 1}", kernel: ["${in_channels + 1}", 1]}]
        layers:
          - repeat: 3
            layers: [{grow: "g{i}"}]
        """)
    # 2 channels in: a 3x1 kernel to 3 channels (12 - 3 + 1 = 10 rows); then 4x1 to 4 (7 rows); then 5x1 to 5 (3)
    assert [a.find(f"g{i}.c").output for i in (1, 2, 3)] == [(3, 10, 9), (4, 7, 9), (5, 3, 9)]
    assert a.find("g3.c").params == 5 * 4 * 5 + 5
    assert a.spec.layers[2].paths[0][0].deferred["filters"].raw == "${in_channels + 1}"  # kept as written


def test_a_spec_that_reads_in_channels_loads_equal_twice():
    assert archstat.parse_spec(textwrap.dedent(DENSE), "a.yaml").layers == \
        archstat.parse_spec(textwrap.dedent(DENSE), "b.yaml").layers


SHUFFLE_UNIT = """\
    input: [8, 5, 5]
    blocks:
      unit:
        layers:
          - split: split
            branches:
              - []
              - - {conv: conv1, filters: "${in_channels // 2}", kernel: 1, bias: false}
                - batchnorm
                - relu
                - {conv: dw, filters: "${in_channels // 2}", kernel: 3, padding: 1, groups: "${in_channels // 2}",
                   bias: false}
                - batchnorm
                - {conv: conv2, filters: "${in_channels // 2}", kernel: 1, bias: false}
                - batchnorm
                - relu
          - {channel_shuffle: shuffle, groups: 2}
    layers:
      - {unit: u1}
    """


def test_a_split_gives_each_branch_its_own_channels_through_slice_ops():
    a = run(SHUFFLE_UNIT)
    split = a.find("u1.split")
    assert (split.kind, split.input, split.output) == ("split", (8, 5, 5), (8, 5, 5))
    assert names(split.children)[:3] == ["u1.split.slice1", "u1.split.slice2", "u1.split.conv1"]
    first, second = (a.ops[a.find(f"u1.split.slice{n}").last_op] for n in (1, 2))
    assert (first.kind, dict(first.site.args), first.output) == ("slice", {"start": 0, "stop": 4}, (4, 5, 5))
    assert (dict(second.site.args), second.output) == ({"start": 4, "stop": 8}, (4, 5, 5))
    assert first.inputs == second.inputs == (-1,)  # both read the split's input
    assert a.find("u1.split.conv1").input == (4, 5, 5)
    assert a.ops[split.last_op].inputs == (first.index, a.find("u1.split.relu2").last_op)  # slice 1, branch 2
    # a slice is a view: no memory, params or FLOPs under any convention
    for flops in ("lecture", "fvcore", "ptflops"):
        row = run(SHUFFLE_UNIT, flops=flops).find("u1.split.slice2")
        assert (row.memory, row.params, row.flops) == (0, 0, 0)
    # conv1 4 x 4, dw 4 x 9, conv2 4 x 4, three batch norms of 4 channels: 8 each
    assert a.totals.params == 16 + 36 + 16 + 3 * 8


def test_a_split_with_given_channels_and_a_block_that_is_one_split():
    a = run("""\
        input: [10, 2, 2]
        blocks:
          halves:
            params: {keep: 2}
            layers:
              - split:
                channels: [$keep, "${in_channels - keep}"]
                branches:
                  - []
                  - [{conv: c, filters: 1, kernel: 1}]
        layers:
          - {halves: h}
          - split: s
            channels: [1, 1, 1]
            branches: [[], [{conv: a, filters: 2, kernel: 1}], [{conv: b, filters: 3, kernel: 1}]]
        """)
    h = a.find("h")
    assert (h.kind, h.block) == ("split", "halves")
    assert names(h.children) == ["h.slice1", "h.slice2", "h.c", "h.concat"]
    assert a.find("h.slice2").output == (8, 2, 2) and a.find("h.c").params == 8 + 1
    assert h.output == (2 + 1, 2, 2)
    assert [a.find(f"s.slice{n}").output for n in (1, 2, 3)] == [(1, 2, 2)] * 3
    assert a.find("s").output == (1 + 2 + 3, 2, 2)


def test_slice_is_a_layer_kind_too():
    a = run("input: [6, 3, 3]\nlayers:\n  - {slice: first, stop: 2}\n  - {slice: middle, start: 1, stop: 2}\n")
    assert [row.output for row in a.rows] == [(2, 3, 3), (1, 3, 3)]
    assert a.totals.memory == 0


@pytest.mark.parametrize("expression, value", [
    ("${min(8, 3, 5)}", 3), ("${max(1, 24 // 4)}", 6), ("${round(2.5)}", 2), ("${round(3.5)}", 4),
    ("${round(7 / 2 - 0.25)}", 3), ("${ceil(2.1)}", 3), ("${floor(2.9)}", 2), ("${int(-2.7) + 4}", 2),
    ("${ceil(3.2 * 2)}", 7),  # EfficientNet's depths: ceil(depth_mult x layers)
    ("${make_divisible(32 * 0.75, 8)}", 24), ("${make_divisible(17, 8)}", 16), ("${make_divisible(13, 8)}", 16),
    ("${make_divisible(3, 8)}", 8),  # at least the divisor
    ("${make_divisible(20, 16)}", 32),  # 16 would be 20% below 20: one divisor more
    ("${make_divisible(v=4, divisor=8, min_value=16)}", 16),
    ("${make_divisible(112 * 1.1, 8)}", 120),
])
def test_expression_functions(expression, value):
    a = run(f"""\
        input: [1, 2, 2]
        blocks:
          b:
            layers: [{{conv: c, filters: "{expression}", kernel: 1}}]
        layers: [{{b: b1}}]
        """)
    assert a.output == (value, 2, 2)


def test_side_params_counts_a_side_branchs_parameters_but_not_its_flops_or_memory():
    full, params, none = run(SIDE, side=True), run(SIDE, side="params"), run(SIDE)
    assert names(params.rows) == ["c", "aux", "d"]
    aux = params.find("aux")
    assert aux.params == full.find("aux").params == 64 * 3 + 3
    assert (aux.memory, aux.flops) == (0, 0)
    assert full.find("aux").flops == 64 * 3 and full.find("aux").memory > 0
    assert params.totals.params == full.totals.params
    assert (params.totals.flops, params.totals.memory) == (none.totals.flops, none.totals.memory)
    assert params.outputs == (params.find("d").last_op,)  # only the main output: the branch is built, not run
    assert [op.side for op in params.ops] == [False, True, True, False]
