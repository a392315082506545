"""Bad specs give one clear message each (file, line, dotted layer name, what is wrong and what would be right)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import archstat
from archstat import Problem, SpecError, SpecFileError

ROOT = Path(__file__).resolve().parent.parent


def problems(text: str, **options: object) -> tuple[Problem, ...]:
    """Every problem archstat finds in a spec written as text, loading and analysing it as the CLI does."""
    with pytest.raises(SpecError) as info:
        archstat.analyze(archstat.parse_spec(textwrap.dedent(text), "bad.yaml"), **options)
    found = info.value.problems
    assert found, "a SpecError must carry at least one problem"
    return found


def only(text: str, **options: object) -> Problem:
    """The one problem a spec has."""
    found = problems(text, **options)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def assert_problem(problem: Problem, line: int | None, layer: str | None, *words: str) -> None:
    assert (problem.file, problem.line, problem.layer) == ("bad.yaml", line, layer), str(problem)
    for word in words:
        assert word in problem.message, f"{word!r} not in: {problem}"


def test_yaml_syntax_error_points_at_the_unclosed_bracket():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, filters: 4, kernel: 3
          - relu
        """)
    assert_problem(p, 3, None, "YAML syntax error", "flow mapping", "never closed")


def test_tab_indentation_says_to_use_spaces():
    p = only("input: [3, 8, 8]\nlayers:\n\t- relu\n")
    assert_problem(p, 3, None, "YAML syntax error", "spaces, not tabs")


def test_duplicate_yaml_key_names_the_first_line():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, filters: 4, kernel: 1, filters: 8}
        """)
    assert_problem(p, 3, None, "duplicate key 'filters'", "first on line 3")


def test_unknown_layer_kind_suggests_the_nearest():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - relu
          - {cnv: c2, filters: 4, kernel: 3}
        """)
    assert_problem(p, 4, "c2", "unknown layer kind 'cnv'", "did you mean 'conv'?")


def test_unknown_field_suggests_the_nearest_and_does_not_also_call_it_missing():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - conv: c1
            filter: 4
            kernel: 3
        """)
    assert_problem(p, 4, "c1", "unknown field 'filter' for conv", "did you mean 'filters'?", "fields: filters,")


def test_missing_field_says_what_it_is():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, kernel: 3}
        """)
    assert_problem(p, 3, "c1", "conv needs 'filters'", "output channels")


def test_wrong_types_each_get_a_message_on_their_own_line():
    found = problems("""\
        input: [3, 8, 8]
        layers:
          - conv: c1
            filters: "64a"
            kernel: -3
            stride: 0
            bias: "yes"
        """)
    assert [(p.line, p.layer) for p in found] == [(4, "c1"), (5, "c1"), (6, "c1"), (7, "c1")]
    assert_problem(found[0], 4, "c1", "field 'filters' must be a whole number >= 1", "'64a' (text)")
    assert_problem(found[1], 5, "c1", "field 'kernel' must be a whole number >= 1", "got -3")
    assert_problem(found[2], 6, "c1", "field 'stride' must be a whole number >= 1", "got 0")
    assert_problem(found[3], 7, "c1", "field 'bias' must be true or false", "'yes' (text)")


def test_float_from_division_hints_at_floor_division():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [w]
            layers: [{conv: c, filters: "${w / 3}", kernel: 1}]
        layers:
          - {b: b1, w: 8}
        """)
    assert_problem(p, 5, "b1.c", "field 'filters' must be a whole number", "2.66", "use //")


def test_duplicate_layer_name_names_the_first():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, filters: 4, kernel: 3, padding: 1}
          - relu
          - {conv: c1, filters: 4, kernel: 3, padding: 1}
        """)
    assert_problem(p, 5, "c1", "duplicate layer name 'c1'", "first on line 3")


def test_explicit_name_clashing_with_an_auto_name_explains_the_auto_name():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - relu
          - {relu: relu1}
        """)
    assert_problem(p, 4, "relu1", "the unnamed relu on line 3 is already called 'relu1'")


def test_repeat_without_index_in_names_hints_at_i():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - repeat: 3
            layers:
              - {conv: c, filters: 3, kernel: 1}
        """)
    assert_problem(p, 5, "c", "duplicate layer name 'c'", "put {i} in the name", "'c{i}'")


def test_reference_to_an_undefined_block_lists_what_exists():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          stem:
            layers: [{conv: c, filters: 4, kernel: 1}]
        layers:
          - {bottleneck: b1, width: 64}
        """)
    assert_problem(p, 6, "b1", "unknown layer kind 'bottleneck'", "blocks defined here: stem")


def test_misspelt_block_suggests_the_block():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          bottleneck:
            layers: [{conv: c, filters: 4, kernel: 1}]
        layers:
          - {bottlenek: b1}
        """)
    assert_problem(p, 6, "b1", "unknown layer kind 'bottlenek'", "did you mean 'bottleneck'?")


def test_block_cycle_is_reported_once_at_the_block():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          a:
            layers: [relu, b]
          b:
            layers: [{a: inner}]
        layers:
          - a
        """)
    assert_problem(p, 3, None, "block 'a' contains itself: a -> b -> a")


def test_block_using_itself():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          a:
            layers: [relu, a]
        layers: [a]
        """)
    assert_problem(p, 3, None, "block 'a' contains itself: a -> a")


def test_a_layer_named_like_a_block_is_not_a_cycle():
    spec = archstat.parse_spec(textwrap.dedent("""\
        input: [3, 8, 8]
        blocks:
          stem:
            layers: [{conv: stem, filters: 4, kernel: 1}]
        layers: [{stem: stem}]
        """), "ok.yaml")
    assert archstat.analyze(spec).find("stem.stem").output == (4, 8, 8)


def test_block_with_a_missing_parameter():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [width]
            layers: [{conv: c, filters: $width, kernel: 1}]
        layers:
          - {b: b1}
        """)
    assert_problem(p, 7, "b1", "block b needs 'width'", "parameters: width")


def test_block_with_an_unknown_parameter_suggests_the_nearest():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: {width: 4}
            layers: [{conv: c, filters: $width, kernel: 1}]
        layers:
          - {b: b1, widht: 8}
        """)
    assert_problem(p, 7, "b1", "unknown parameter 'widht' for block b", "did you mean 'width'?")


def test_expression_with_an_undefined_name_suggests_the_parameter():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [width]
            layers:
              - relu
              - {conv: c, filters: $widht, kernel: 1}
        layers:
          - group: g
            layers: [{b: b1, width: 8}]
        """)
    assert_problem(p, 7, "g.b1.c", "field 'filters'", "'$widht' uses 'widht', which is not defined here",
                   "did you mean 'width'?", "defined here: in_channels, width")


def test_a_parameter_used_outside_any_block_says_there_are_none():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c, filters: $width, kernel: 1}
        """)
    assert_problem(p, 3, "c", "'$width' uses 'width', which is not defined here", "there are none here")


@pytest.mark.parametrize("expression, words", [
    ("${width * }", ("cannot read the expression '${width * }'",)),
    ("${width ** 2}", ("may only use numbers, parameter names",)),
    ("${__import__('os')}", ("may only use numbers",)),
    ("$width*2", ("wrap arithmetic in braces: ${width*2}",)),
    ("${width // 0}", ("cannot compute", "by zero")),
    ("${99999999999 * 99999999999}", ("too large",)),
])
def test_expression_garbage(expression, words):
    p = only(f"""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [width]
            layers: [{{conv: c, filters: "{expression}", kernel: 1}}]
        layers:
          - {{b: b1, width: 8}}
        """)
    assert_problem(p, 5, "b1.c", "field 'filters'", *words)


def test_a_mistake_inside_a_block_is_reported_once_not_once_per_use():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            layers: [{conv: c, filters: 4, kernal: 1}]
        layers:
          - repeat: 5
            layers: [{b: "b{i}"}]
        """)
    # 'kernal' also leaves 'kernel' unset, but the suggestion already says so.
    assert_problem(p, 4, "b1.c", "unknown field 'kernal'", "did you mean 'kernel'?")


def test_unknown_top_level_key():
    p = only("""\
        input: [3, 8, 8]
        fits: floor
        layers: [relu]
        """)
    assert_problem(p, 2, None, "unknown top-level key 'fits'", "did you mean 'fit'?")


@pytest.mark.parametrize("value, words", [
    ("[3, 0, 8]", ("sizes must be whole numbers >= 1", "[3, 0, 8]")),
    ("[3, -8, 8]", ("sizes must be whole numbers >= 1",)),
    ("3x0x8", ("sizes must be whole numbers >= 1",)),
    ("[3, 8, 8, 8, 8]", ("must be [C, H, W]", "[C, L], [C, D, H, W] or [features]")),
    ("224", ("must be [C, H, W]",)),
    ("3 by 224", ("must look like 3x224x224",)),
])
def test_input_with_bad_sizes(value, words):
    p = only(f"input: {value}\nlayers: [relu]\n")
    assert_problem(p, 1, None, "'input'", *words)


def test_missing_input_and_layers_are_both_reported():
    found = problems("name: nothing\n")
    assert [p.message.split(":")[0] for p in found] == ["missing 'input'", "missing 'layers'"]


def test_empty_layers():
    p = only("input: [3, 8, 8]\nlayers: []\n")
    assert_problem(p, 2, None, "'layers' must be a non-empty list of layers")


def test_a_name_with_a_dot_explains_dots():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: conv.1, filters: 4, kernel: 1}
        """)
    assert_problem(p, 3, "conv.1", "may use only letters, digits", "'.' separates nested names")


def test_fields_indented_under_the_kind_explain_the_layout():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - conv:
              filters: 4
              kernel: 1
        """)
    assert_problem(p, 3, None, "the name of this conv must be text", "write the fields beside the kind")


def test_linear_after_conv_without_flatten():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, filters: 4, kernel: 3}
          - {fc: fc1, features: 10}
        """)
    assert_problem(p, 4, "fc1", "linear needs a flat input", "4x6x6", "add a flatten layer before it")


def test_groups_that_do_not_divide_the_channels():
    p = only("""\
        input: [6, 8, 8]
        layers:
          - {conv: c1, filters: 8, kernel: 1, groups: 4}
        """)
    assert_problem(p, 3, "c1", "groups 4 must divide", "input channels 6", "filters 8")


def test_kernel_larger_than_its_padded_input_shows_the_arithmetic():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - group: stage
            layers:
              - {conv: c1, filters: 4, kernel: 11, padding: 1}
        """)
    assert_problem(p, 5, "stage.c1", "kernel 11 is larger than the padded input height", "8 + 2 padding = 10 < 11")


DOES_NOT_FIT = "input: [3, 7, 7]\nlayers:\n  - {conv: c1, filters: 4, kernel: 3, stride: 3}\n"


def test_window_that_does_not_fit_is_an_error_under_fit_exact():
    p = only(DOES_NOT_FIT)
    # (W - K + 2P) / S + 1 = (7 - 3 + 0) / 3 + 1 = 2.33
    assert_problem(p, 3, "c1", "does not fit along height", "(7 - 3 + 0) / 3 + 1 = 2.33", "fit: floor")


def test_window_that_does_not_fit_is_floored_under_fit_floor():
    spec = archstat.parse_spec("fit: floor\n" + DOES_NOT_FIT, "ok.yaml")
    assert archstat.analyze(spec).output == (4, 2, 2)  # floor((7 - 3) / 3) + 1 = 2


def test_concat_of_branches_with_different_sizes():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - concat: mix
            branches:
              - [{conv: a, filters: 4, kernel: 3}]
              - [{conv: b, filters: 4, kernel: 1}]
        """)
    assert_problem(p, 3, "mix", "branches must agree on every dimension but channels", "4x6x6, 4x8x8")


def test_residual_add_with_different_shapes_suggests_a_projection():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - residual: res
            body:
              - {conv: a, filters: 4, kernel: 1}
        """)
    assert_problem(p, 3, "res", "must have the same shape to be added", "4x8x8 and 3x8x8", "projection")


def test_shape_mistakes_in_two_branches_are_both_reported():
    found = problems("""\
        input: [3, 8, 8]
        layers:
          - concat: mix
            branches:
              - [{conv: a, filters: 4, kernel: 9}]
              - [{conv: b, filters: 4, kernel: 10}]
        """)
    assert [(p.line, p.layer) for p in found] == [(5, "mix.a"), (6, "mix.b")]


def test_huge_repeat_is_refused_quickly():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - repeat: 1000000000
            layers: [{conv: "c{i}", filters: 3, kernel: 1}]
        """)
    assert_problem(p, 3, None, "repeat count 1000000000 is more than 10,000")


def test_nested_repeats_that_multiply_past_the_limit_are_refused():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - repeat: 10000
            layers:
              - group: "g{i}"
                layers:
                  - repeat: 10000
                    layers: ["relu"]
        """)
    assert_problem(p, 8, "g10", "unrolls to more than 100,000 layers")


def test_huge_sizes_are_refused_by_name():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - {conv: c1, filters: 100000000000000000000, kernel: 1}
        """)
    assert_problem(p, 3, "c1", "field 'filters' must be at most 2**63 - 1")


def test_bad_options_are_reported_together():
    found = problems("input: [3, 8, 8]\nlayers: [relu]\n", batch=0, dtype="fp31", flops="fvcor")
    text = "\n".join(p.message for p in found)
    assert len(found) == 3
    for words in ("did you mean 'fvcore'?", "batch must be a whole number >= 1, got 0", "unknown dtype 'fp31'"):
        assert words in text


def test_several_problems_in_one_file_are_reported_together():
    error_text = textwrap.dedent("""\
        input: [3, 8, 8]
        fitt: floor
        blocks:
          b:
            params: [width]
            layers: [{conv: c, filters: $width, kernel: 1}]
        layers:
          - {conv: c1, filter: 4, kernel: 3}
          - {cnv: c2, filters: 4, kernel: 3}
          - {b: b1}
          - {maxpool: p1, kernel: 2, stride: 0}
          - {relu: c1}
          - {conv: c3, filters: 4, kernel: 1, filters: 8}
        """)
    with pytest.raises(SpecError) as info:
        archstat.parse_spec(error_text, "bad.yaml")
    found = info.value.problems
    # in file order, though the duplicate YAML key is found first and the unknown top-level key before the layers
    assert [(p.line, p.layer) for p in found] == [
        (2, None), (8, "c1"), (9, "c2"), (10, "b1"), (11, "p1"), (12, "c1"), (13, None),
    ]
    assert str(info.value).splitlines() == [str(p) for p in found]
    assert str(found[1]) == ("bad.yaml:8: layer 'c1': unknown field 'filter' for conv; did you mean 'filters'? "
                             "(fields: filters, kernel, stride, padding, dilation, groups, bias)")


def test_not_a_mapping():
    p = only("- relu\n- relu\n")
    assert_problem(p, 1, None, "a spec is a mapping with at least 'input' and 'layers'")


def test_empty_file():
    p = only("")
    assert_problem(p, 1, None, "a spec is a mapping", "nothing")


def test_missing_file_is_a_file_error_not_a_spec_error(tmp_path):
    with pytest.raises(SpecFileError, match="cannot read spec"):
        archstat.load_spec(tmp_path / "nope.yaml")
    with pytest.raises(SpecFileError):
        archstat.load(tmp_path / "nope.yaml")


def test_unreadable_file_is_a_file_error(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecFileError, match="cannot read spec"):
        archstat.load_spec(path)


def test_cli_prints_each_problem_once_and_exits_1_without_a_traceback(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - {cnv: c1, filters: 4}\n  - {conv: c2, filters: 4, kernal: 3}\n")
    done = subprocess.run([sys.executable, "-m", "archstat", "table", str(spec)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{spec}:3: layer 'c1': unknown layer kind 'cnv'; did you mean 'conv'?" in done.stderr
    assert f"{spec}:4: layer 'c2': unknown field 'kernal' for conv; did you mean 'kernel'?" in done.stderr
    assert done.stdout == ""


# ---- values YAML cannot construct, and YAML syntax that ${...} and {i} break --------------------------------

@pytest.mark.parametrize("value, words", [
    ("!!bool floor", ("cannot read 'floor' as true or false",)),  # was KeyError: 'floor'
    ("!!bool é", ("cannot read 'é' as true or false",)),  # was KeyError: 'é'
    ("!!seq c", ("the tag !!seq is for a list, but it is on a single value", "no !! tags")),  # was AttributeError
    ("!!map [relu]", ("the tag !!map is for a mapping, but it is on a list",)),  # was TypeError
    ("!!str {a: 1}", ("the tag !!str is for a single value, but it is on a mapping",)),
    ("!!timestamp [1]", ("the tag !!timestamp is for a single value",)),  # would have passed YAML nodes on
    ("!!int nine", ("cannot read 'nine' as a whole number",)),
])
def test_a_value_yaml_cannot_construct_is_one_problem_on_its_line(value, words):
    for where in (f"fit: {value}\nlayers: [relu]\n", f"layers:\n  - {{conv: c, filters: {value}, kernel: 1}}\n"):
        p = only(f"input: [3, 8, 8]\n{where}")
        assert_problem(p, 2 if where.startswith("fit") else 3, None, "YAML error:", *words)


@pytest.mark.parametrize("layer, line, words", [
    ("{conv: c, filters: ${w * 2}, kernel: 3}", 6, ('${w * 2} inside { } must be quoted', 'as in filters: "${w * 2}"')),
    ("{conv: c,\n         filters: ${w}, kernel: 3}", 7, ('${w} inside { } must be quoted', 'filters: "${w}"')),
    ("{conv: c, filters: 4, kernel: [${w}, 3]}", 6, ('${w} inside [ ] must be quoted', 'as in "${w}"')),
    ("{repeat: 2, layers: [{relu: r{i}}]}", 6, ('r{i} inside { } must be quoted', 'as in relu: "r{i}"')),
])
def test_braces_inside_a_flow_mapping_say_to_quote_the_value(layer, line, words):
    p = only(f"""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [w]
            layers:
              - {layer}
        layers: [{{b: b1, w: 2}}]
        """)
    assert_problem(p, line, None, "YAML syntax error:", *words)
    assert "flow mapping" not in p.message and "expected ','" not in p.message  # one clear message, not YAML's


def test_a_block_parameter_is_found_however_unicode_writes_its_name():
    # Python reads '$ﬁ' as 'fi' (NFKC); the parameter was declared as 'ﬁ'.
    spec = archstat.parse_spec(textwrap.dedent("""\
        input: [3, 8, 8]
        blocks:
          b: {params: [ﬁ], layers: [{conv: c, filters: "${ﬁ * 2}", kernel: 1}]}
        layers: [{b: b1, ﬁ: 3}]
        """), "bad.yaml")
    assert archstat.analyze(spec).find("b1.c").output == (6, 8, 8)


@pytest.mark.parametrize("name", ["a\\n", "a\\rb", "é", "ｃ1"])
def test_a_layer_name_with_a_newline_or_unicode_is_refused(name):
    p = only(f'input: [3, 8, 8]\nlayers:\n  - {{relu: "{name}"}}\n')
    assert p.line == 3 and "may use only letters, digits, '_' and '-'" in p.message
    assert str(p).isprintable(), repr(str(p))  # 'a\rb' is shown escaped: a raw '\r' would garble the terminal


@pytest.mark.parametrize("text", ["３x8x8", "1_0x8x8", " 3x8x8"])
def test_input_text_takes_ascii_digits_only(text):
    p = only(f'input: "{text}"\nlayers: [relu]\n')
    assert_problem(p, 1, None, "'input' must look like 3x224x224")


def test_spec_text_as_bytes_is_read_as_utf8_and_anything_else_is_a_spec_error():
    assert archstat.parse_spec(b"input: [3, 8, 8]\nlayers: [relu]\n", "ok.yaml").input == (3, 8, 8)
    with pytest.raises(SpecError, match=r"bad.yaml:3: layer 'c': field 'filters': .*'\$é'"):
        archstat.parse_spec("input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: $é, kernel: 1}\n".encode(), "bad.yaml")
    with pytest.raises(SpecError, match=r"bad.yaml:3: the spec is not UTF-8 text \(byte 0xff"):
        archstat.parse_spec(b"input: [3, 8, 8]\nlayers: [relu]\nx: \xff\n", "bad.yaml")
    for text in (None, 3, ["input"]):
        with pytest.raises(SpecError, match="a spec is YAML text"):
            archstat.parse_spec(text, "bad.yaml")  # type: ignore[arg-type]


def test_load_spec_refuses_what_is_not_a_path_as_a_file_error():
    with pytest.raises(SpecFileError, match="a spec file is named by a path"):
        archstat.load_spec(3)  # type: ignore[arg-type]
    with pytest.raises(SpecFileError, match="cannot read spec .*null byte"):  # was a bare ValueError
        archstat.load_spec("a\x00b.yaml")


@pytest.mark.parametrize("text, line", [
    ("input: [3, 8, 8]\nfit: !!bool floor\nlayers: [relu]\n", 2),
    ("input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: ${w * 2}, kernel: 3}\n", 3),
    ("input: [3, 8, 8]\nlayers: !!seq relu\n", 2),
])
def test_cli_reports_yaml_it_cannot_read_with_file_line_and_exit_1(tmp_path, text, line):
    spec = tmp_path / "bad.yaml"
    spec.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "archstat", "table", str(spec)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.startswith(f"{spec}:{line}: YAML "), done.stderr


def test_a_layer_named_like_its_structures_join_is_refused():
    text = ("input: [3, 8, 8]\nlayers:\n  - concat: mix\n    branches:\n"
            "      - [{conv: concat, filters: 4, kernel: 1}]\n      - [{conv: b, filters: 4, kernel: 1}]\n")
    with pytest.raises(archstat.SpecError) as caught:
        archstat.parse_spec(text, "mix.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.layer) == (5, "mix.concat")
    assert "it names the concat that joins 'mix' (its row is 'mix.concat'); choose another name" in problem.message


def test_a_join_name_is_free_where_no_structure_joins():
    spec = archstat.parse_spec("input: [4]\nlayers:\n  - group: g\n    layers: [{fc: add, features: 2}]\n")
    assert archstat.analyze(spec).find("g.add").kind == "linear"


# ---- identity branches, split, expression functions, in_channels, side ---------------------------------------

def test_a_concat_branch_that_is_not_a_list_says_how_to_write_the_identity():
    p = only("""\
        input: [3, 8, 8]
        layers:
          - concat: mix
            branches:
              - ~
              - [{conv: c, filters: 4, kernel: 1}]
        """)
    assert_problem(p, 5, "mix", "each of the concat's 'branches' is a list of layers, or [] for one that passes its "
                   "input on", "got nothing")


def test_a_split_needs_two_branches():
    p = only("input: [4, 2, 2]\nlayers:\n  - split: s\n    branches: [[]]\n")
    assert (p.line, p.layer) == (4, "s") and "split needs 'branches': a list of two or more" in p.message


@pytest.mark.parametrize("channels, line, words", [
    ("[2, 2, 2]", 4, ("field 'channels' gives 3 counts for 2 branches",)),
    ("[2, 0]", 4, ("field 'channels' must be a whole number >= 1, got 0",)),
    ("4", 4, ("field 'channels' must be a list of channel counts, one per branch, got 4",)),
    ("[3, 3]", 3, ("'channels' [3, 3] add up to 6, but the input has 4 channels",)),
])
def test_split_channels_that_do_not_fit(channels, line, words):
    p = only(f"input: [4, 2, 2]\nlayers:\n  - split: s\n    channels: {channels}\n    branches: [[], []]\n")
    assert_problem(p, line, "s", *words)


def test_a_split_into_equal_parts_needs_channels_that_divide():
    p = only("input: [5, 2, 2]\nlayers:\n  - split: s\n    branches: [[], []]\n")
    assert_problem(p, 3, "s", "5 input channels do not split into 2 equal parts", "give the branches' 'channels'")


def test_a_layer_named_like_a_splits_slice_is_refused():
    p = only("input: [4, 2, 2]\nlayers:\n  - split: s\n    branches: [[], [{conv: slice2, filters: 2, kernel: 1}]]\n")
    assert_problem(p, 4, "s.slice2", "layer name 'slice2' is taken", "the channels of its input that a branch of 's' "
                   "reads", "its row is 's.slice2'")


def test_a_slice_past_the_input_channels():
    p = only("input: [4, 2, 2]\nlayers:\n  - {slice: s, start: 2, stop: 6}\n")
    assert_problem(p, 3, "s", "channels 2:6 are not a slice of the input's 4 channels")


@pytest.mark.parametrize("expression, words", [
    ("${maximum(1, 2)}", ("may only use numbers", "'maximum' is not one of them", "did you mean 'max'?")),
    ("${round(2.5, 1)}", ("cannot compute", "write round(x), not 'round(2.5, 1)'")),
    ("${make_divisible(20)}", ("write make_divisible(v, divisor, min_value)",)),
    ("${make_divisible(20, 0)}", ("cannot compute", "by zero")),
    ("${make_divisible(20, 8, floor=2)}", ("write make_divisible(v, divisor, min_value)",)),
    ("${min(width)}", ("write min(a, b, ...)",)),
    ("${int(1e300)}", ("too large",)),
    ("${math.ceil(2.5)}", ("may only use numbers", "'math.ceil' is not one of them")),
])
def test_expression_function_garbage(expression, words):
    p = only(f"""\
        input: [3, 8, 8]
        blocks:
          b:
            params: {{width: 8}}
            layers: [{{conv: c, filters: "{expression}", kernel: 1}}]
        layers:
          - {{b: b1}}
        """)
    assert_problem(p, 5, "b1.c", "field 'filters'", *words)


def test_in_channels_outside_a_block_is_not_defined():
    p = only("input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: $in_channels, kernel: 1}\n")
    assert_problem(p, 3, "c", "'$in_channels' uses 'in_channels', which is not defined here", "its in_channels")


def test_a_block_parameter_cannot_be_called_in_channels():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: {in_channels: 3}
            layers: [relu]
        layers: [b]
        """)
    assert_problem(p, 4, None, "parameter 'in_channels' of block 'b' is already the channel count of the block's "
                   "input")


@pytest.mark.parametrize("entry, line, layer, words", [
    ('{repeat: "${in_channels // 3}", layers: [relu]}', 5, "b1", ("the repeat count", "reads in_channels",
                                                                  "the layers are laid out before that")),
    ('{repeat: $n, layers: [relu]}', 5, "b1", ("the repeat count '$n' reads in_channels",)),
    ('{relu: "r{in_channels}"}', 5, "b1.r{in_channels}", ("uses {in_channels}", "a name cannot wait for that")),
])
def test_what_lays_the_layers_out_cannot_read_in_channels(entry, line, layer, words):
    p = only(f"""\
        input: [3, 8, 8]
        blocks:
          b:
            params: {{n: $in_channels}}
            layers: [{entry}]
        layers: [b]
        """)
    assert_problem(p, line, layer, *words)


def test_a_deferred_expression_with_an_unknown_name_is_refused_while_the_spec_is_read():
    p = only("""\
        input: [3, 8, 8]
        blocks:
          b:
            params: [width]
            layers: [{conv: c, filters: "${in_channels * widht}", kernel: 1}]
        layers: [{b: b1, width: 2}]
        """)
    assert_problem(p, 5, "b1.c", "field 'filters'", "uses 'widht', which is not defined here", "did you mean 'width'?")


DEFERRED_PROBLEMS = """\
    input: [8, 4, 4]
    blocks:
      se:
        params: [squeeze]
        layers:
          - {conv: fc1, filters: $squeeze, kernel: 1}
      b:
        params: {out: "${in_channels - 8}"}
        layers:
          - {conv: c, filters: $out, kernel: 1}
          - {conv: d, filters: "${in_channels // (in_channels - 8)}", kernel: 1}
          - {se: s, squeeze: "${in_channels // 0}"}
      halves:
        layers:
          - split: sp
            channels: ["${in_channels}", 1]
            branches: [[], []]
    layers:
      - concat: both             # every branch is analysed, so both blocks' problems are found
        branches: [[{b: b1}], [{halves: h}]]
    """


def test_problems_of_expressions_that_read_in_channels_are_all_reported_where_they_are_written():
    found = problems(DEFERRED_PROBLEMS)
    assert [(p.line, p.layer) for p in found] == [
        (10, "both.b1.c"), (11, "both.b1.d"), (12, "both.b1.s"), (15, "both.h.sp")], found
    c, d, squeeze, split = found
    assert c.message == "field 'filters' must be a whole number >= 1, got 0"  # $out: 8 - 8 channels
    # the layers after the one that failed have no input shape, but what reads b1's in_channels is still checked
    assert d.message.startswith("field 'filters': cannot compute '${in_channels // (in_channels - 8)}'")
    assert "by zero" in d.message
    assert squeeze.message.startswith("parameter 'squeeze': cannot compute '${in_channels // 0}'")
    assert split.message == "'channels' [8, 1] add up to 9, but the input has 8 channels"


def test_side_must_be_true_false_or_params():
    p = only("input: [3, 8, 8]\nlayers: [relu]\n", side="aux")
    assert p.line is None and "side must be False" in p.message and "'params'" in p.message
