"""Malformed specs of every sort: loading and analysing them ends in a result or a SpecError, nothing else."""
from __future__ import annotations

import copy
import json
import math
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import cli_runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archstat
from archstat import SpecError
from archstat.cli import app
from archstat.layers import LAYER_KINDS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {
    "language_tour": (ROOT / "tests" / "data" / "language_tour.yaml").read_text(),
    "alexnet": (ROOT / "specs" / "alexnet.yaml").read_text(),
    "pools": "input: [3, 32, 32]\nlayers:\n"
             "  - {conv: c1, filters: 8, kernel: 3, padding: same, dilation: 2, groups: 1}\n"
             "  - {maxpool: p1, kernel: 3, stride: 2, ceil_mode: true}\n"
             "  - {avgpool: p2, kernel: 2, padding: 1, count_include_pad: false}\n"
             "  - {adaptive_avgpool: gap, output: [2, 3]}\n"
             "  - {lrn: n, size: 5}\n"
             "  - flatten\n  - {fc: fc, features: 10, bias: false}\n  - softmax\n",
}
FILE = "fuzz.yaml"
# Far above the few milliseconds a spec takes, and the 2-3 s of one that unrolls to the 100,000-layer limit on a
# busy machine; only a hang gets near it.
SECONDS_PER_EXAMPLE = 20
# ARCHSTAT_FUZZ_EXAMPLES=5000 fuzzes deeper; the default keeps the file to a few seconds.
FUZZ = settings(max_examples=int(os.environ.get("ARCHSTAT_FUZZ_EXAMPLES", "200")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = [
    "input", "layers", "blocks", "params", "fit", "floor", "exact", "name", "repeat", "start", "doc",
    "conv", "cnv", "maxpool", "avgpool", "adaptive_avgpool", "global_avgpool", "lrn", "batchnorm", "relu", "sigmoid",
    "dropout", "flatten", "linear", "fc", "concat", "residual", "scale", "side", "group", "branches", "body",
    "shortcut", "gate", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "features",
    "ceil_mode", "output", "size", "p", "same", "valid", "inception", "bottleneck", "width", "i",
]
HUGE = [0, -1, -3, 1, 2, 3, 7, 64, 2**31, 2**63 - 1, 2**63, 2**64, 10**18, 10**100, 10**1000]
TRICKY_TEXT = [
    "$", "${", "}", "${}", "$width", "${width * 4}", "${width / 0}", "${width ** 99}", "${(((1)))}", "{i}", "c{i}",
    "{j}", "a.b", "", " ", "3x224x224", "3x0x1", "-", "~", "yes", "null", "${" + "-" * 300 + "1}", "$i",
    "${i * 100000000000}", "${__import__('os')}", "\t", "same", "x" * 200,
]

# Unicode that looks like a spec's words: letters outside ASCII, NFKC look-alikes (ﬁ, ｃonv, ℌ), digits of other
# scripts, line and paragraph separators, a BOM, and combining marks.
UNICODE_TEXT = ["é", "conv\u0301", "ｃonv", "ﬁlters", "ℌ", "١", "３x224x224", "c\u2028", "r\u0085", "\ufeffrelu",
                "名前", "${ﬁ * 2}", "$é", "c{ｉ}", "a\n", "a\r", "Ǆ", "ß", "İ"]
unicode_text = st.one_of(st.sampled_from(UNICODE_TEXT), st.text(st.characters(codec="utf-8"), max_size=8))
scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(HUGE), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(TRICKY_TEXT), st.sampled_from(WORDS),
    st.text(max_size=12), unicode_text,
)
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=6), unicode_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a hang into a failure that names the spec, instead of a test run that never ends."""
    expired = []

    def expire(signum: int, frame: Any) -> None:
        expired.append(signum)
        raise TimeoutError(f"loading or analysing the spec took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:  # the alarm can land where its exception is swallowed (a gc callback): fail here all the same
        raise TimeoutError(f"loading or analysing the spec took more than {seconds} s")


def check(text: str, located: bool = True, **options: Any) -> None:
    """Parse and analyse `text`: a result, or a SpecError whose every problem has a message and its line.

    Only bad `options` (located=False) may give problems without a line: they are not in the file.
    """
    try:
        with time_limit(SECONDS_PER_EXAMPLE):
            archstat.analyze(archstat.parse_spec(text, FILE), **options)
    except SpecError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert isinstance(problem.message, str) and problem.message.strip(), repr(problem)
            assert problem.file == FILE
            assert problem.line is not None or not located, f"no line: {problem}"
            assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1), repr(problem)
            assert problem.layer is None or isinstance(problem.layer, str)
            assert "Traceback" not in problem.message
            assert len(str(problem)) < 2000, "a message must stay readable"


# ---- structural mutations of valid specs ---------------------------------------------------------------------

def containers(tree: Any, path: tuple = ()) -> Iterator[tuple]:
    """Paths to every mapping and list in a plain YAML tree."""
    if isinstance(tree, (dict, list)):
        yield path
        items = tree.items() if isinstance(tree, dict) else enumerate(tree)
        for key, value in items:
            yield from containers(value, path + (key,))


def at(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@st.composite
def mutated_tree(draw: st.DrawFn) -> Any:
    """A seed spec with a few keys or items deleted, duplicated, renamed, retyped or added."""
    tree = copy.deepcopy(yaml.safe_load(SEEDS[draw(st.sampled_from(sorted(SEEDS)))]))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(containers(tree))
        node = at(tree, draw(st.sampled_from(paths)))
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        action = draw(st.sampled_from(["delete", "duplicate", "retype", "rename", "add"]))
        if not keys or action == "add":
            if isinstance(node, dict):
                node[draw(st.sampled_from(WORDS))] = draw(values)
            else:
                node.insert(draw(st.integers(0, len(node))), draw(values))
            continue
        key = draw(st.sampled_from(keys))
        if action == "delete":
            del node[key]
        elif action == "duplicate":
            if isinstance(node, list):
                node.insert(key, copy.deepcopy(node[key]))
            else:
                node[draw(st.sampled_from(WORDS))] = copy.deepcopy(node[key])
        elif action == "retype":
            node[key] = draw(values)
        elif isinstance(node, dict):  # rename: a typo or another valid word
            word = draw(st.sampled_from(WORDS))
            node[draw(st.sampled_from([word, key[:-1], key + "s", key.upper()]))] = node.pop(key)
    return tree


def dump(tree: Any) -> str:
    return yaml.safe_dump(tree, sort_keys=False)


@pytest.mark.slow  # hypothesis at depth: the full suite runs it
@given(tree=mutated_tree(), side=st.booleans())
@FUZZ
def test_mutated_specs(tree, side):
    check(dump(tree), side=side)


# ---- text mutations: broken indentation, stray characters, cut lines ----------------------------------------

@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    lines = SEEDS[draw(st.sampled_from(sorted(SEEDS)))].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["indent", "dedent", "tab", "delete", "duplicate", "insert", "cut", "swap"]))
        line = lines[i]
        if action == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + line
        elif action == "dedent":
            lines[i] = line.lstrip()[: len(line)] if line.startswith(" ") else line[1:]
        elif action == "tab":
            lines[i] = "\t" + line
        elif action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, line)
        elif action == "insert":
            j = draw(st.integers(0, len(line)))
            piece = draw(st.one_of(st.sampled_from(list("{}[],:-&*!|>'\"#%@`$") + TRICKY_TEXT + ["9" * 5000]),
                                   st.text(max_size=5)))
            lines[i] = line[:j] + piece + line[j:]
        elif action == "cut":
            lines[i] = line[: draw(st.integers(0, len(line)))]
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines) + "\n"


@given(text=mutated_text())
@FUZZ
def test_mutated_text(text):
    check(text)


# ---- random YAML-ish text ------------------------------------------------------------------------------------

TOKENS = WORDS + [
    ":", ": ", " ", "  ", "\n", "\n  ", "\n    ", "- ", "{", "}", "[", "]", ",", "'", '"', "&a ", "*a", "<<: ",
    "!!int ", "!!python/tuple ", "#", "|", ">", "\t", "---", "...", "%YAML 1.1", "?", "~", "3", "-3", "0",
    "1e400", "2024-13-45", "0x1F", "0o17", ".inf", ".nan",
] + TRICKY_TEXT


@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=60))
@FUZZ
def test_random_yamlish_text(tokens):
    check("".join(tokens))


@given(body=st.lists(st.sampled_from(TOKENS), max_size=40))
@FUZZ
def test_random_layers_after_a_valid_input(body):
    check("input: [3, 32, 32]\nlayers:\n  - " + "".join(body))


@given(text=st.text(max_size=200))
@FUZZ
def test_arbitrary_text(text):
    check(text)


# ---- generated layer lists: well-formed YAML, the registry's kinds and fields, extreme values ----------------

small = st.integers(0, 9)
field_values = st.one_of(
    small, small, small, st.booleans(), st.sampled_from(["same", "valid"]), st.lists(small, min_size=2, max_size=2),
    st.sampled_from(HUGE), values,
)
names = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(["a", "b", "c{i}", "x.y", "relu1", "0", "{i}"]),
                  unicode_text)


def leaf(kind: str) -> st.SearchStrategy[dict]:
    fields = LAYER_KINDS[kind].field_names()
    return st.fixed_dictionaries({kind: names}, optional={name: field_values for name in fields})


leaves = st.sampled_from(sorted(LAYER_KINDS)).flatmap(leaf)
entries = st.deferred(lambda: st.one_of(
    leaves, leaves, leaves, leaves, st.sampled_from(sorted(LAYER_KINDS)),
    st.fixed_dictionaries({"concat": names, "branches": st.lists(paths, min_size=2, max_size=3)}),
    st.fixed_dictionaries({"residual": names, "body": paths}, optional={"shortcut": st.one_of(st.just([]), paths)}),
    st.fixed_dictionaries({"scale": names, "gate": paths}),
    st.fixed_dictionaries({"side": names, "layers": paths}),
    st.fixed_dictionaries({"group": names, "layers": paths}),
    st.fixed_dictionaries({"repeat": st.one_of(small, st.sampled_from(HUGE)), "layers": paths},
                          optional={"start": st.integers(-3, 3)}),
))
paths = st.lists(entries, min_size=1, max_size=4)
inputs = st.one_of(
    st.lists(st.integers(1, 64), min_size=3, max_size=3), st.lists(st.integers(1, 64), min_size=1, max_size=1),
    st.sampled_from([[3, 2**63 - 1, 2**63 - 1], [2**62, 7, 7], [1, 1, 1], [3, 224, 224]]), values,
)


@pytest.mark.slow  # hypothesis at depth: the full suite runs it
@given(layers=paths, shape=inputs, fit=st.sampled_from(["exact", "floor"]), side=st.booleans(),
       batch=st.sampled_from([1, 7, 2**40]), dtype=st.sampled_from(["fp32", "bf16", "int8"]),
       flops=st.sampled_from(["lecture", "fvcore", "torch"]), bias=st.booleans())
@FUZZ
def test_generated_layer_lists(layers, shape, fit, side, batch, dtype, flops, bias):
    check(dump({"input": shape, "fit": fit, "layers": layers}), side=side, batch=batch, dtype=dtype, flops=flops,
          bias=bias)


plausible = st.integers(1, 4)
block_values = st.one_of(plausible, plausible, plausible, plausible, plausible, plausible, small,
                         st.lists(plausible, min_size=2, max_size=2), st.sampled_from(HUGE),
                         st.sampled_from(TRICKY_TEXT), values)


@given(params=st.fixed_dictionaries({"width": block_values, "n": block_values, "stride": block_values},
                                    optional={"i": block_values}),
       uses=st.lists(st.dictionaries(st.sampled_from(["width", "stride", "n", "n", "k"]), block_values, max_size=2),
                     min_size=1, max_size=3),
       repeat=st.one_of(small, st.sampled_from(HUGE), st.sampled_from(TRICKY_TEXT)))
@FUZZ
def test_blocks_with_random_parameters(params, uses, repeat):
    block = {"params": params, "layers": [
        {"conv": "c{i}" if "i" in params else "c", "filters": "${width * 2}", "kernel": "$n", "stride": "$stride"},
        {"repeat": repeat, "layers": [{"relu": "r{i}"}]},
    ]}
    layers = [{"blk": f"b{n}", **use} for n, use in enumerate(uses)] or ["blk"]
    check(dump({"input": [3, 16, 16], "fit": "floor", "blocks": {"blk": block}, "layers": layers}))


@given(params=st.dictionaries(unicode_text, block_values, min_size=1, max_size=3), block=unicode_text,
       name=unicode_text, use=st.dictionaries(unicode_text, block_values, max_size=3))
@FUZZ
def test_unicode_block_and_parameter_names(params, block, name, use):
    first = next(iter(params))
    body = {"params": params, "layers": [{"conv": name, "filters": f"${{{first} * 2}}", "kernel": f"${first}"}]}
    check(dump({"input": [3, 8, 8], "blocks": {block: body}, "layers": [{block: name, **use}, block]}))


# ---- YAML written by hand: what a dumper never writes (anchors, tags, complex keys, flow and block, documents) --

TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!seq", "!!map", "!!set", "!!omap", "!!pairs", "!!binary",
        "!!timestamp", "!!merge", "!!value", "!!python/tuple", "!custom", "!", "!<tag:yaml.org,2002:str>"]
ODD_KEYS = ["1", "-1", "1.5", "true", "null", "~", "''", "[a, b]", "{a: 1}", "[conv]", "2024-01-01", ".inf", "<<"]
DOCUMENT_STARTS = ["", "---\n", "--- \n", "%YAML 1.1\n---\n", "%YAML 1.2\n---\n", "%TAG !e! tag:e.com,2000:\n---\n",
                   "# comment\n", "\ufeff"]
# Hypothesis favours the ends of a range, so odd syntax is drawn as a weighted choice, rare enough (1 node in ~30)
# that most specs still get past YAML to the loader.
RARELY = st.sampled_from(["alias", "anchor", "tag"] + ["plain"] * 87)
PLAIN = re.compile(r"[A-Za-z_$][\w${}*+/ ]*")  # text people leave unquoted, braces and all
DOCUMENT_ENDS = ["", "...\n", "---\n", "---\ninput: [1]\n", "--- relu\n", "...\n---\n- relu\n", "... # end\n"]


class _Writer:
    """Writes a tree as YAML, drawing for each node its style and whether it gets an anchor, alias or tag."""

    def __init__(self, draw: st.DrawFn):
        self.draw, self.anchors = draw, []

    def head(self) -> str:
        """Mostly ''; else an alias to a node written before ('*a0'), an anchor ('&a1 ') or a tag ('!!seq ')."""
        choice = self.draw(RARELY)
        if choice == "alias" and self.anchors:
            return "*" + self.draw(st.sampled_from(self.anchors))
        if choice == "anchor":
            return f"&a{len(self.anchors)}_{self.draw(st.integers(0, 10**6))} "
        return f"{self.draw(st.sampled_from(TAGS))} " if choice == "tag" else ""

    def done(self, head: str, text: str) -> str:
        """The node with its head; an anchor can be aliased from here on, not from inside (no recursive aliases)."""
        if head.startswith("&"):
            self.anchors.append(head[1:-1])
        return head + text

    def scalar(self, value: Any) -> str:
        if not isinstance(value, str):
            return yaml.safe_dump(value, allow_unicode=True).removesuffix("\n").removesuffix("\n...")
        style = self.draw(st.sampled_from(["plain", "double", "single"]))
        if style == "plain" and PLAIN.fullmatch(value):
            return value  # unquoted, as people write them: '${w * 2}' and 'c{i}' break a flow mapping
        return json.dumps(value, ensure_ascii=False) if style == "double" else "'" + value.replace("'", "''") + "'"

    def key(self, key: Any, flow: bool) -> str:
        odd = self.draw(RARELY)
        if odd == "tag":
            return self.draw(st.sampled_from(ODD_KEYS))
        if odd == "alias" and self.anchors:
            return f"*{self.draw(st.sampled_from(self.anchors))} "
        if odd == "anchor" and not flow:
            return f"? {self.flow(key)}\n"
        return self.scalar(str(key))

    def flow(self, value: Any) -> str:
        head = self.head()
        if head.startswith("*"):
            return head
        if isinstance(value, dict):
            text = "{" + ", ".join(f"{self.key(k, True)}: {self.flow(v)}" for k, v in value.items()) + "}"
        elif isinstance(value, list):
            text = "[" + ", ".join(self.flow(v) for v in value) + "]"
        else:
            text = self.scalar(value)
        return self.done(head, text)

    def node(self, value: Any, indent: int) -> str:
        """The text after 'key:' or '-': a flow node on the same line, or a block node on the lines below."""
        if not isinstance(value, (dict, list)) or not value or self.draw(st.integers(0, 3)) == 0:
            return " " + self.flow(value) + "\n"
        head = self.head()
        if head.startswith("*"):
            return f" {head}\n"
        pad = " " * (indent + 2)
        if isinstance(value, list):
            lines = [f"{pad}-{self.node(v, indent + 2)}" for v in value]
        else:
            lines = [self.entry(k, v, pad, indent + 2) for k, v in value.items()]
        return " " + self.done(head, "\n" + "".join(lines))

    def entry(self, key: Any, value: Any, pad: str, indent: int) -> str:
        written = self.key(key, False)
        if written.endswith("\n"):  # '? complex key' on its own line, then ': value'
            return f"{pad}{written}{pad}:{self.node(value, indent)}"
        return f"{pad}{written}:{self.node(value, indent)}"


@st.composite
def hand_written(draw: st.DrawFn) -> str:
    """A seed (or a mutated seed) written with YAML's rarer syntax, inside a random document frame."""
    tree = draw(st.one_of(st.sampled_from(sorted(SEEDS)).map(lambda name: yaml.safe_load(SEEDS[name])),
                          mutated_tree()))
    writer = _Writer(draw)
    body = "".join(writer.entry(k, v, "", 0) for k, v in tree.items()) if isinstance(tree, dict) \
        else writer.node(tree, 0)
    start, end = (st.sampled_from([""] * 14 + frames) for frames in (DOCUMENT_STARTS, DOCUMENT_ENDS))
    return draw(start) + body + draw(end)


@pytest.mark.slow  # hypothesis at depth: the full suite runs it
@given(text=hand_written())
@FUZZ
def test_hand_written_yaml(text):
    check(text)


# ---- bad options through analyze(): an error names the option, and nothing else escapes ----------------------

option_values = st.one_of(values, st.sampled_from([1, 8, "fp32", "bf16", "lecture", "fvcore", "floor", "exact",
                                                   "3x8x8", [3, 8, 8], True, False, None]))
bad_options = st.fixed_dictionaries({}, optional={name: option_values for name in (
    "batch", "dtype", "flops", "fit", "input", "bias", "side")})


@given(text=st.one_of(st.sampled_from(sorted(SEEDS.values())), mutated_text()), options=bad_options)
@FUZZ
def test_bad_options_through_analyze(text, options):
    check(text, located=False, **options)


# ---- the command line: every bad spec is file:line: messages on stderr and exit code 1 ------------------------

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>[0-9]+): ")


@given(text=st.one_of(mutated_text(), hand_written(), st.builds(dump, mutated_tree())))
@settings(FUZZ, max_examples=max(FUZZ.max_examples // 4, 10))
def test_cli_reports_bad_specs_as_file_line_messages_and_exit_1(text):
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / FILE
        spec.write_text(text, encoding="utf-8")
        result = cli_runner().invoke(app, ["table", str(spec)])
    assert result.exit_code in (0, 1), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        assert result.stdout == "" and result.stderr, result.stderr
        for message in result.stderr.removesuffix("\n").split("\n"):
            located = LOCATED.match(message)
            assert located and located["file"] == str(spec), message
            assert message.isprintable(), f"a control character in the message would garble the terminal: {message!r}"


def test_the_seeds_themselves_are_valid():
    for text in SEEDS.values():
        analysis = archstat.analyze(archstat.parse_spec(text, FILE))
        assert math.prod(analysis.output) >= 1


@pytest.mark.parametrize("text", [
    "a: &a [*a]\n",  # a recursive alias
    "input: [3, 8, 8]\nlayers: &l [relu, *l]\n",
    "input: [3, 8, 8]\nl0: &l0 [relu, relu, relu, relu, relu, relu, relu, relu, relu, relu]\n"
    + "".join(f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}, "
              f"*l{n - 1}, *l{n - 1}, *l{n - 1}]\n" for n in range(1, 9))
    + "layers: *l8\n",  # a billion laughs
    "input: [3, 8, 8]\nlayers:\n" + "  - {group: g, layers: [" * 60 + "relu" + "]}" * 60 + "\n",
    "input: [3, 8, 8]\nlayers: " + "[" * 2000 + "]" * 2000 + "\n",
    "input: [3, 8, 8]\nblocks:\n" + "".join(f"  b{n}: {{layers: [b{n + 1}]}}\n" for n in range(200))
    + "  b200: {layers: [relu]}\nlayers: [b0]\n",
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: " + "9" * 5000 + ", kernel: 1}\n",
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: !!int nine, kernel: 1}\n",
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 2024-13-45, kernel: 1}\n",
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 4, kernel: 1, padding: 100000000000000000000}\n",
    "input: [3, 100000000000000000000, 8]\nlayers: [relu]\n",
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 4, kernel: 1}\n  - {conv: c, filters: 4, kernel: 1}\n" * 3,
    "input: [3, 8, 8]\nlayers:\n  - {conv: c, filters: 4, kernel: 1, <<: {filters: 8}}\n",
    "input: [3, 8, 8]\n? [a, b]\n: 1\nlayers: [relu]\n",
    "input: [3, 8, 8]\nlayers: [relu]\n--- \ninput: [1]\n",
])
def test_known_hostile_inputs(text):
    check(text)


def test_huge_adaptive_pooling_output_does_not_hang():
    with time_limit(1):
        archstat.analyze(archstat.parse_spec(
            "input: [3, 8, 8]\nlayers:\n  - {adaptive_avgpool: a, output: 1000000000}\n", FILE))
