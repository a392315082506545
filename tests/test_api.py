"""The Python API a notebook user reaches for: load, analyze, to_dict, to_frame."""
from __future__ import annotations

import pytest

import archstat


def test_load_by_name_and_by_path_give_the_same_spec():
    by_name = archstat.load("googlenet")
    by_path = archstat.load_spec(archstat.bundled.bundled_dir() / "googlenet.yaml")
    assert by_name.layers == by_path.layers and by_name.input == by_path.input == (3, 224, 224)


def test_an_input_override_written_as_text_is_kept_as_a_shape():
    report = archstat.analyze("alexnet", input="3x227x227")
    assert report.options.input == (3, 227, 227)
    assert report.to_dict()["options"]["input"] == [3, 227, 227]


def test_uneven_windows_are_data_not_text():
    spec = archstat.parse_spec("input: [3, 9, 9]\nlayers:\n  - {conv: c, filters: 2, kernel: [1, 3], stride: [1, 2]}\n")
    row = archstat.analyze(spec, fit="floor").to_dict()["rows"][0]
    assert (row["kernel"], row["stride"], row["pad"]) == ([1, 3], [1, 2], 0)


def test_analyze_takes_option_keywords():
    report = archstat.analyze(archstat.load("googlenet"), batch=8)
    # inception3a with biases: 192x64 + 192x96 + 96x128x9 + 192x16 + 16x32x25 + 192x32 weights + 368 biases
    assert report.find("inception3a").params == 163_328 + 368
    assert report.options.batch == 8
    assert report.find("conv1").memory == 64 * 112 * 112 * 4 * 8


def test_to_dict_carries_the_schema_and_raw_integers():
    data = archstat.analyze("alexnet").to_dict()
    assert data["schema"] == "archstat.analysis/1"
    conv1 = data["rows"][0]
    assert (conv1["name"], conv1["memory_bytes"], conv1["params"], conv1["flops"]) == (
        "conv1", 802_816, 23_296, 72_855_552)


def test_to_frame_has_one_line_per_row_at_each_depth():
    pytest.importorskip("pandas")
    report = archstat.analyze("resnet18")
    top = report.to_frame(max_depth=0)
    assert list(top["name"])[:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert top["params"].sum() == report.totals.params == 11_689_512
    full = report.to_frame()
    assert len(full) > len(top) and "layer1.0.conv1" in set(full["name"])


def test_json_names_a_bundled_spec_the_same_on_every_machine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert archstat.analyze("alexnet").to_dict()["model"]["file"] == "specs/alexnet.yaml"
    mine = tmp_path / "models" / "tiny.yaml"
    mine.parent.mkdir()
    mine.write_text("input: [4]\nlayers:\n  - {fc: fc, features: 2}\n")
    assert archstat.analyze(str(mine)).to_dict()["model"]["file"] == "models/tiny.yaml"  # relative to here


def test_a_window_that_does_not_fit_says_in_one_line_what_torch_does():
    spec = archstat.parse_spec("input: [3, 56, 56]\nlayers:\n  - {conv: c, filters: 8, kernel: 3, stride: 2, "
                               "padding: 1}\n", "even.yaml")
    with pytest.raises(archstat.SpecError) as caught:
        archstat.analyze(spec)
    (problem,) = caught.value.problems
    assert "\n" not in str(problem) and problem.line == 3 and problem.layer == "c"
    assert "(56 - 3 + 2) / 2 + 1 = 28.50, not whole; torch drops the remainder (giving 28): add 'fit: floor'" in str(
        problem)
    assert archstat.analyze(spec, fit="floor").find("c").output == (8, 28, 28)


def test_find_names_the_nearest_row_when_there_is_none():
    with pytest.raises(archstat.RowNotFound, match="^no row 'inceptoin3a' in googlenet; did you mean 'inception3a'"):
        archstat.analyze("googlenet").find("inceptoin3a")


@pytest.mark.parametrize("ref", [123, None, "x" * 5000, "bad\0name"])
def test_a_spec_reference_that_is_no_path_is_a_spec_file_error(ref):
    with pytest.raises(archstat.SpecFileError):
        archstat.load(ref)


def test_an_unknown_option_is_a_spec_error_naming_the_nearest():
    with pytest.raises(archstat.SpecError, match="unknown option 'bacth'; did you mean 'batch'"):
        archstat.analyze("alexnet", bacth=2)
    with pytest.raises(archstat.SpecError, match="options must be archstat.Options"):
        archstat.analyze("alexnet", {"batch": 2})
