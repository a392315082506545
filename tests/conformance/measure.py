"""What archstat says for every published cell, written the way that table writes it."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import cache
from pathlib import Path

import archstat
from archstat.analysis import Analysis, Row, leaves
from archstat.spec import Composite, Layer, Node, Spec

from . import alexnet, googlenet, resnet, small, vgg
from .conventions import BYTES, KB, MB, G, K, M, Table, exact, like, ratio, rounded, separated, significant, truncated

WEIGHTED = ("conv", "linear")
Cells = dict[str, str]


@cache
def analysis(ref: str, **options) -> Analysis:
    """One analysis per bundled spec and options (the tables ask for the same ones many times)."""
    return archstat.analyze(ref, **options)


@cache
def parsed(text: str, **options) -> Analysis:
    """One analysis of spec text written in the tests."""
    return archstat.analyze(archstat.parse_spec(text, "<conformance>"), **options)


# ---- reading rows and specs ------------------------------------------------------------------------------------

def elements(row: Row) -> int:
    """Output elements of a row (its memory at batch 1 and 4 bytes per element)."""
    return row.memory // BYTES


def hwc(shape: tuple[int, ...]) -> str:
    """A shape as H x W x C, flat vectors as 1x1xC (the paper tables' way)."""
    C, H, W = shape if len(shape) == 3 else (shape[0], 1, 1)
    return f"{H}x{W}x{C}"


def span(a: Analysis, first: str, last: str) -> list[Row]:
    """The top-level rows from `first` to `last`, both included."""
    names = [r.name for r in a.rows]
    return list(a.rows[names.index(first): names.index(last) + 1])


def row_names(table: Table) -> list[str]:
    """The row names of a grid table, in order (a cell is 'row column')."""
    return list(dict.fromkeys(cell.split(" ", 1)[0] for cell in table.cells))


def nodes(items: tuple[Node, ...], prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Every spec node with its dotted name."""
    for item in items:
        name = prefix + item.name
        yield name, item
        if isinstance(item, Composite):
            for path in item.paths:
                yield from nodes(path, name + ".")


def node(spec: Spec, name: str) -> Node:
    return dict(nodes(spec.layers))[name]


def depth(item: Node) -> int:
    """Weight layers (conv, linear) on the longest path through a node; side branches count none."""
    if isinstance(item, Layer):
        return int(item.kind in WEIGHTED)
    if item.kind == "side":
        return 0
    return max((sum(depth(n) for n in path) for path in item.paths), default=0)


def spec_depth(spec: Spec) -> int:
    return sum(depth(n) for n in spec.layers)


def residual_convs(item: Node) -> int:
    """Convolutions on residual paths inside a node, projection shortcuts left out."""
    if isinstance(item, Layer):
        return int(item.kind == "conv")
    paths = item.paths[:1] if item.kind == "residual" else item.paths
    return sum(residual_convs(n) for path in paths for n in path)


def coefficient(value: int, unit: int, symbol: str) -> str:
    """value / unit written as '<n><symbol>' ('18C^2'); the fraction shows when it does not divide."""
    return f"{Fraction(value, unit)}{symbol}"


def window(row: Row) -> str:
    return f"{row.columns['kernel']}x{row.columns['kernel']}/{row.columns['stride']}"


def tensor(*dims: int, count: int) -> str:
    """A weight shape 'a x b x ...', or the count itself where the product of the dims is not archstat's count."""
    return " x ".join(map(str, dims)) if math.prod(dims) == count else f"{count} weights"


def counted(n: int) -> str:
    """A count as the AlexNet paper writes it: separators from five digits on."""
    return separated(n) if n >= 10_000 else str(n)


# ---- the lecture's per-layer tables ----------------------------------------------------------------------------

def lecture_row(row: Row) -> Cells:
    """C/H/W in and out, window, Memory (KB), Params (k), FLOP (M): the columns of the lecture's tables."""
    c = row.columns
    return {
        "C in": str(row.input[0]), "H/W in": _size(row.input), "filters": str(c.get("filters", "")),
        "kernel": str(c.get("kernel", "")), "stride": str(c.get("stride", "")), "pad": str(c.get("pad", "")),
        "C out": str(row.output[0]), "H/W out": _size(row.output),
        "Memory (KB)": rounded(row.memory, KB), "Params (k)": rounded(row.params, K), "FLOP (M)": rounded(row.flops, M),
    }


def _size(shape: tuple[int, ...]) -> str:
    if len(shape) != 3:
        return ""
    return str(shape[1]) if shape[1] == shape[2] else f"{shape[1]}x{shape[2]}"


def lecture_table(a: Analysis, names: list[str]) -> Cells:
    return {f"{name} {column}": text for name in names for column, text in lecture_row(a.find(name)).items()}


# ---- AlexNet ---------------------------------------------------------------------------------------------------

def alexnet_table(table: Table) -> Cells:
    return lecture_table(analysis("alexnet"), row_names(table))


def alexnet_worked(table: Table) -> Cells:
    a = analysis("alexnet")
    conv1, pool1, flatten, fc6 = (a.find(n) for n in ("conv1", "pool1", "flatten", "fc6"))
    return {
        "conv1 H/W out = (227 - 11 + 2 x 2) / 4 + 1": str(conv1.output[1]),
        "conv1 output elements": separated(elements(conv1)),
        "conv1 KB = 200704 x 4 / 1024": exact(conv1.memory, KB),
        "conv1 params = 64 x 3 x 11 x 11 + 64": separated(conv1.params),
        "conv1 FLOPs = (64 x 56 x 56) x (3 x 11 x 11)": separated(conv1.flops),
        "pool1 H/W out = floor((56 - 3) / 2 + 1)": str(pool1.output[1]),
        "pool1 KB = 64 x 27 x 27 x 4 / 1024": exact(pool1.memory, KB),
        "pool1 params": str(pool1.params),
        "pool1 FLOPs = (64 x 27 x 27) x (3 x 3)": separated(pool1.flops),
        "pool1 MFLOP": rounded(pool1.flops, M, 1),
        "flatten output = 256 x 6 x 6": str(flatten.output[0]),
        "fc6 params = 9216 x 4096 + 4096": separated(fc6.params, "."),
        "fc6 FLOPs = 9216 x 4096": separated(fc6.flops, "."),
    }


def alexnet_cs231n(table: Table) -> Cells:
    """The walk-through's cells on its own network (alexnet.CS231N_SPEC): NORM after POOL, as it lists them."""
    a, w = parsed(alexnet.CS231N_SPEC), parsed(alexnet.CS231N_SPEC, bias=False)
    conv1, pool1 = a.find("conv1"), a.find("pool1")
    C, H, W = conv1.output
    kernels = w.find("conv1").params
    patch = conv1.flops // elements(conv1)  # multiply-adds per output = one column of X_col
    cells = {
        "input": hwc(a.input),
        "conv1 output = (227 - 11) / 4 + 1": hwc(conv1.output),
        "conv1 parameters = (11 x 11 x 3) x 96": rounded(kernels, K) + "K",
        "conv1 bias": str(conv1.params - kernels),
        "pool1 output = (55 - 3) / 2 + 1": hwc(pool1.output),
        "pool1 parameters": str(pool1.params),
        "conv1 X_col (11x11x3 patches x 55x55 positions)": f"{patch} x {H * W}",
        "conv1 W_row": f"{C} x {kernels // C}",
        "conv1 output as a matrix": f"{C} x {H * W}",
    }
    for label in alexnet.CS231N_ROWS:
        row = a.find(label.lower())
        shape = hwc(row.output) if len(row.output) == 3 else str(row.output[0])
        cells[f"{label} output"] = shape
        cells.update({f"{label} {k}": str(row.columns[k]) for k in ("filters", "kernel", "stride", "pad")
                      if k in row.columns})
    return cells


def paper_spec_text() -> str:
    """Spec 'alexnet_paper' at the paper's own 224x224x3 input, conv1 padded so that it still gives 55x55."""
    text = Path(archstat.load("alexnet_paper").file).read_text(encoding="utf-8")
    C, H, W = alexnet.PAPER_INPUT
    edits = {
        "input: [3, 227, 227]": f"fit: floor\ninput: [{C}, {H}, {W}]",
        "{conv: conv1, filters: 96, kernel: 11, stride: 4}":
            f"{{conv: conv1, filters: 96, kernel: 11, stride: 4, padding: {alexnet.PAPER_CONV1_PADDING}}}",
    }
    for old, new in edits.items():
        if text.count(old) != 1:
            raise ValueError(f"spec 'alexnet_paper' no longer has {old!r} once")
        text = text.replace(old, new)
    return text


def floor_figure(n: int, unit: int) -> int:
    """n cut down to a whole number of units, as the AlexNet paper writes its round figures: 659,272 -> 650,000."""
    return n // unit * unit


def alexnet_paper(table: Table) -> Cells:
    a = parsed(paper_spec_text())
    neurons = {name: elements(a.find(name)) for name in alexnet.PAPER_LAYERS}
    return {
        "input image": hwc(a.input),
        "input dimensionality": separated(math.prod(a.input)),
        **{f"neurons {name}": counted(n) for name, n in neurons.items()},
        "neurons in all": separated(floor_figure(sum(neurons.values()), 10_000)),
        "hidden layers": str(spec_depth(a.spec) - 1),
        "parameters": truncated(a.totals.params, M) + "M",
        "Total nr. params": truncated(a.totals.params, M) + "M",
        "Total nr. flops": truncated(a.totals.flops, M) + "M",
    }


# ---- VGG -------------------------------------------------------------------------------------------------------

def listing_memory(n: int) -> str:
    """The VGG listing writes small counts exactly, larger ones to two significant figures."""
    return str(n) if n < 10_000 else significant(n, 2)


def vgg16_listing(table: Table) -> Cells:
    a = analysis("vgg16", bias=False)
    size = math.prod(a.input)
    cells = {"input output": hwc(a.input), "input memory": listing_memory(size), "input params": "0"}
    total = size
    for name in vgg.LISTED:
        row = a.find(name)
        total += elements(row)
        cells.update({f"{name} output": hwc(row.output), f"{name} memory": listing_memory(elements(row)),
                      f"{name} params": separated(row.params)})
    cells["TOTAL memory"] = rounded(total, M) + "M"
    cells["TOTAL memory x 4 bytes"] = rounded(total * BYTES, M) + "MB"
    cells["TOTAL params"] = rounded(a.totals.params, M) + "M"
    return cells


def vgg16_head(table: Table) -> Cells:
    return lecture_table(analysis("vgg16"), row_names(table))


def vgg_configurations(table: Table) -> Cells:
    return {f"{label} ({ref}) weight layers": str(spec_depth(archstat.load(ref)))
            for label, ref in vgg.CONFIGURATION_SPECS.items()}


def _convs(input_shape: str, *convs: str) -> Analysis:
    layers = "".join(f"  - {{conv: c{i}, {conv}, bias: false}}\n" for i, conv in enumerate(convs))
    return parsed(f"input: [{input_shape}]\nlayers:\n{layers}")


def vgg_design(table: Table) -> Cells:
    C, H, W = 8, 5, 5  # any sizes; the rules are coefficients of C, H and W
    five = _convs(f"{C}, {H}, {W}", f"filters: {C}, kernel: 5, padding: 2").totals
    two = _convs(f"{C}, {H}, {W}", *[f"filters: {C}, kernel: 3, padding: 1"] * 2).totals
    one = _convs(f"{C}, {2 * H}, {2 * W}", f"filters: {C}, kernel: 3, padding: 1")
    wide = _convs(f"{2 * C}, {H}, {W}", f"filters: {2 * C}, kernel: 3, padding: 1")
    return {
        "Conv(5x5, C->C) params": coefficient(five.params, C * C, "C^2"),
        "Conv(5x5, C->C) FLOPs": coefficient(five.flops, C * C * H * W, "C^2HW"),
        "two Conv(3x3, C->C) params": coefficient(two.params, C * C, "C^2"),
        "two Conv(3x3, C->C) FLOPs": coefficient(two.flops, C * C * H * W, "C^2HW"),
        "C x 2H x 2W, Conv(3x3, C->C) memory": coefficient(elements(one.rows[0]), H * W * C, "HWC"),
        "C x 2H x 2W, Conv(3x3, C->C) params": coefficient(one.totals.params, C * C, "C^2"),
        "C x 2H x 2W, Conv(3x3, C->C) FLOPs": coefficient(one.totals.flops, H * W * C * C, "HWC^2"),
        "2C x H x W, Conv(3x3, 2C->2C) memory": coefficient(elements(wide.rows[0]), H * W * C, "HWC"),
        "2C x H x W, Conv(3x3, 2C->2C) params": coefficient(wide.totals.params, C * C, "C^2"),
        "2C x H x W, Conv(3x3, 2C->2C) FLOPs": coefficient(wide.totals.flops, H * W * C * C, "HWC^2"),
    }


# ---- GoogLeNet -------------------------------------------------------------------------------------------------

def googlenet_table1(table: Table) -> Cells:
    a = analysis("googlenet", bias=False)
    cells: Cells = {}
    for name in googlenet.TABLE1_ROWS:
        rows = [a.find(n) for n in googlenet.TABLE1_LAYERS.get(name, (name,))]
        last = rows[-1]
        cells[f"{name} output size"] = hwc(last.output)
        cells[f"{name} depth"] = str(sum(depth(node(a.spec, r.name)) for r in rows))
        if "kernel" in last.columns:
            cells[f"{name} patch size/stride"] = window(last)
        branches = {c: f"{name}.{b}" for c, b in googlenet.BRANCHES.items()} if last.kind == "concat" else \
            googlenet.STEM_BRANCHES if name == "conv2" else {}
        cells.update({f"{name} {column}": str(a.find(layer).columns["filters"]) for column, layer in branches.items()})
        params = f"{name} params"
        cells[params] = like(table.cells.get(params, ""), sum(r.params for r in rows), 1024, "K", truncated)
        macs = sum(leaf.flops for r in rows for leaf in leaves((r,)) if leaf.kind in WEIGHTED)
        cells[f"{name} ops"] = rounded(macs, M) + "M"
    cells["dropout rate"] = f"{round(node(a.spec, 'dropout').args['p'] * 100)}%"
    cells["depth in all"] = str(spec_depth(a.spec))
    return cells


def _totals(rows: list[Row]) -> tuple[int, int, int]:
    return sum(r.memory for r in rows), sum(r.params for r in rows), sum(r.flops for r in rows)


def googlenet_stem(table: Table) -> Cells:
    a = analysis("googlenet")
    stem = _totals(span(a, *googlenet.STEM_RANGE))
    vgg16 = _totals(span(analysis("vgg16"), *googlenet.VGG16_RANGE))
    return {
        **lecture_table(a, list(googlenet.STEM_ROWS)),
        "Total Memory (MB)": rounded(stem[0], MB, 1),
        "Total Params": rounded(stem[1], K) + "K",
        "Total MFLOP": rounded(stem[2], M),
        "VGG-16 Memory (MB)": rounded(vgg16[0], MB, 1),
        "VGG-16 Params": rounded(vgg16[1], M, 1) + "M",
        "VGG-16 MFLOP": rounded(vgg16[2], M),
        "Memory ratio": ratio(vgg16[0], stem[0]),
        "Params ratio": ratio(vgg16[1], stem[1]),
        "MFLOP ratio": ratio(vgg16[2], stem[2]),
    }


def googlenet_head(table: Table) -> Cells:
    return lecture_table(analysis("googlenet"), row_names(table))


# ---- ResNet ----------------------------------------------------------------------------------------------------

def projections(a: Analysis) -> list[Row]:
    """The 1x1 projection shortcuts of a ResNet analysis (the convolutions of its '...downsample' groups)."""
    return [leaf for leaf in leaves(a.rows) if ".downsample." in leaf.name and leaf.kind == "conv"]


def resnet_flops(depth_: int) -> int:
    """Lecture-convention FLOPs of ResNet-depth as the paper counts it.

    Bottleneck depths: projection shortcuts where the width grows (option B), the paper's layout (v1). Basic-block
    depths: identity shortcuts zero-padded where the width grows (option A, Section 4.1), which add no multiply-add,
    so the bundled spec less its projection convolutions.
    """
    if depth_ in resnet.V1_DEPTHS:
        return parsed(resnet.v1_spec(depth_)).totals.flops
    a = analysis(resnet.SPEC[depth_])
    return a.totals.flops - sum(r.flops for r in projections(a))


def resnet_table(table: Table) -> Cells:
    cells: Cells = {}
    for model, depth_ in resnet.DEPTHS.items():
        spec = archstat.load(resnet.SPEC[depth_])
        top = dict(nodes(spec.layers))
        stages = [top[f"layer{i}"] for i in range(1, 5)]
        before = spec.layers[: [n.name for n in spec.layers].index("layer1")]
        cells[f"{model} block"] = top["layer1.0"].block
        cells[f"{model} stem layers"] = str(sum(depth(n) for n in before))
        cells[f"{model} FC layers"] = str(sum(isinstance(n, Layer) and n.kind == "linear" for n in spec.layers))
        for i, stage in enumerate(stages, 1):
            cells[f"{model} stage {i} blocks"] = str(len(stage.paths[0]))
            cells[f"{model} stage {i} layers"] = str(residual_convs(stage))
        cells[f"{model} GFLOP"] = rounded(resnet_flops(depth_), G, 1)
    return cells


def resnet_stem(table: Table) -> Cells:
    a = analysis("resnet18")
    block = a.find("layer2.1")  # an identity block: C = 128 on 28 x 28
    C, H, W = block.output
    cells = {f"{name} {col}": text for name in ("conv1", "maxpool")
             for col, text in lecture_row(a.find(name)).items()}
    cells["basic block FLOPs"] = coefficient(block.flops, H * W * C * C, "HWC^2")
    return cells


# ---- LeNet-5, MLP, small examples, headlines -------------------------------------------------------------------

def lenet5(table: Table) -> Cells:
    a = analysis("lenet5", bias=False)
    cells = {"input output size": " x ".join(map(str, a.input))}
    for name in row_names(table)[1:]:
        row = a.find(name)
        cells[f"{name} output size"] = " x ".join(map(str, row.output))
        if row.kind == "conv":
            k = row.columns["kernel"]
            cells[f"{name} weight size"] = tensor(row.output[0], row.input[0], k, k, count=row.params)
        elif row.kind == "linear":
            cells[f"{name} weight size"] = tensor(row.input[0], row.output[0], count=row.params)
    return cells


def mlp(table: Table) -> Cells:
    a = analysis("mlp")
    fc1, fc2 = a.find("fc1"), a.find("fc2")
    return {
        "D_in": str(a.input[0]), "H": str(fc1.output[0]), "D_out": str(fc2.output[0]),
        "w1": tensor(fc1.input[0], fc1.output[0], count=fc1.params),
        "w2": tensor(fc2.input[0], fc2.output[0], count=fc2.params),
    }


def _tiny(shape: str, *layers: str, **options) -> Analysis:
    body = "".join(f"  - {layer}\n" for layer in layers)
    return parsed(f"input: [{shape}]\nlayers:\n{body}", **options)


def _hw(a: Analysis) -> str:
    return "x".join(map(str, a.output[1:]))


def does_not_fit(shape: str, layer: str) -> str:
    """The non-whole output size archstat reports for a window that does not fit, at the slide's two decimals."""
    try:
        _tiny(shape, layer)
    except archstat.SpecError as exc:
        found = re.search(r"= (\d+\.\d+)", str(exc))
        return rounded(Fraction(found.group(1)), 1, 2) if found else str(exc)
    return "fits"


def examples(table: Table) -> Cells:
    five = _tiny("3, 32, 32", "{conv: c, filters: 10, kernel: 5, stride: 1, padding: 2}")
    C = 8
    three = _tiny(f"{C}, 7, 7", *[f"{{conv: c{i}, filters: {C}, kernel: 3, bias: false}}" for i in range(3)])
    seven = _tiny(f"{C}, 7, 7", f"{{conv: c, filters: {C}, kernel: 7, bias: false}}")
    return {
        "32x32x3, 10 5x5 filters, stride 1, pad 2: output": hwc(five.output),
        "32x32x3, 10 5x5 filters: params per filter": str(five.totals.params // five.output[0]),
        "32x32x3, 10 5x5 filters: params in all": str(five.totals.params),
        "7x7 input, 3x3 filter, stride 1": _hw(_tiny("1, 7, 7", "{conv: c, filters: 1, kernel: 3, stride: 1}")),
        "7x7 input, 3x3 filter, stride 2": _hw(_tiny("1, 7, 7", "{conv: c, filters: 1, kernel: 3, stride: 2}")),
        "7x7 input, 3x3 filter, stride 3: (7 - 3) / 3 + 1": does_not_fit("1, 7, 7",
                                                                         "{conv: c, filters: 1, kernel: 3, stride: 3}"),
        "7x7 input, 3x3 filter, stride 1, pad 1": _hw(_tiny("1, 7, 7", "{conv: c, filters: 1, kernel: 3, padding: 1}")),
        # three unpadded 3x3 convs take a 7x7 input down to one output, so that output sees all 7x7
        "receptive field of three 3x3 convs": "7x7" if three.output[1:] == (1, 1) else _hw(three),
        "three 3x3 convs C->C: params": coefficient(three.totals.params, C * C, "C^2"),
        "one 7x7 conv C->C: params": coefficient(seven.totals.params, C * C, "C^2"),
    }


def headlines(table: Table) -> Cells:
    cells: Cells = {}
    for label, ref in small.HEADLINE_SPECS.items():
        a = analysis(ref)
        cells[f"{label} layers"] = str(spec_depth(a.spec))
        fc = sum(leaf.params for leaf in leaves(a.rows) if leaf.kind == "linear") if label in small.WITHOUT_FC else 0
        cells[f"{label} parameters"] = rounded(a.totals.params - fc, M) + "M"
    z = analysis("zfnet")
    conv1 = z.find("conv1")
    cells["ZFNet conv1"] = f"{conv1.columns['kernel']}x{conv1.columns['kernel']} stride {conv1.columns['stride']}"
    cells["ZFNet conv3, conv4, conv5 filters"] = ", ".join(str(z.find(f"conv{i}").columns["filters"])
                                                          for i in (3, 4, 5))
    return cells


MEASURES: dict[str, Callable[[Table], Cells]] = {
    "alexnet-lecture": alexnet_table,
    "alexnet-lecture-worked": alexnet_worked,
    "alexnet-cs231n": alexnet_cs231n,
    "alexnet-paper": alexnet_paper,
    "vgg16-listing": vgg16_listing,
    "vgg16-head": vgg16_head,
    "vgg-configurations": vgg_configurations,
    "vgg-design": vgg_design,
    "googlenet-table1": googlenet_table1,
    "googlenet-stem": googlenet_stem,
    "googlenet-head": googlenet_head,
    "resnet-table": resnet_table,
    "resnet-stem": resnet_stem,
    "lenet5": lenet5,
    "mlp": mlp,
    "worked-examples": examples,
    "headlines": headlines,
}
