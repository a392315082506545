"""The registry of layer kinds: for each, its fields and its rules for shape, params, FLOPs and memory.

Every other part of archstat (engine, reports, conventions) looks a kind up here; adding a kind is one entry.
Shapes exclude the batch dimension: (C, H, W) for feature maps, (F,) for flat vectors.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from archstat.fields import (
    Field,
    boolean,
    nonnegative_pair,
    number,
    padding,
    positive_int,
    positive_number,
    positive_pair,
    optional_positive_pair,
    probability,
)
from archstat.spec import Shape

Args = Mapping[str, Any]
FIT_MODES = ("exact", "floor")

CONVENTIONS: dict[str, str] = {
    "lecture": "one multiply-add = 1 FLOP; conv and linear count MACs without bias, pooling counts "
    "K x K per output element; activations, normalisation, dropout, reshapes and joins count 0",
    "fvcore": "fvcore's FlopCountAnalysis: conv and linear MACs without bias, batch norm 2 per element "
    "(inference), adaptive average pooling 1 per input element; max/avg pooling, activations, LRN, "
    "softmax and residual adds are unsupported by fvcore and count 0",
    "torch": "torch.utils.flop_counter.FlopCounterMode: 2 x MAC for conv and linear (no bias); every "
    "other layer counts 0",
    "torchinfo": "torchinfo's Mult-Adds: conv and linear MACs plus one per bias use; batch norm counts its "
    "parameters (2C); nothing else",
    "thop": "thop's profile: conv and linear MACs without bias; batch norm 4 per element (2 without affine); "
    "average pooling 1 per output, adaptive average pooling (window + 1) per output; softmax 3C - 1 per "
    "position; max pooling and activations 0",
    "ptflops": "ptflops (pytorch backend, batch 1): conv and linear MACs plus bias; batch norm 2 per element; "
    "pooling 1 per input element and ReLU/ELU 1 per element, each counted twice (module hook and functional "
    "patch); leaky ReLU and softmax once; LRN through its tensor ops",
}


@dataclass(frozen=True)
class Site:
    """One use of a layer: its checked arguments, input shapes and output shape."""

    args: Args
    inputs: tuple[Shape, ...]
    output: Shape

    @property
    def x(self) -> Shape:
        return self.inputs[0]


@dataclass(frozen=True)
class Fit:
    """How a window that leaves a remainder is treated: 'exact' (error) or 'floor' (dropped, as torch)."""

    mode: str = "exact"


ShapeRule = Callable[[Args, tuple[Shape, ...], Fit], Shape]
CountRule = Callable[[Site], int]


def nn() -> Any:
    """torch.nn, imported only when a model is built: the analytic path never loads torch."""
    import torch.nn

    return torch.nn


@dataclass(frozen=True)
class LayerKind:
    """Everything archstat knows about one kind of layer, in one place."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    shape: ShapeRule
    flops: Mapping[str, CountRule]
    weights: CountRule = lambda site: 0
    biases: CountRule = lambda site: 0
    memory: CountRule = lambda site: output_elements(site)
    columns: Callable[[Site], dict[str, Any]] = lambda site: {}
    build: Callable[[Site], Any] | None = None
    combine: Callable[[Sequence[Any]], Any] | None = None  # joins: merge the paths' tensors in the built model
    join: bool = False
    quiet: bool = False  # in place, or the identity at inference: tables may leave out its all-zero rows
    aliases: tuple[str, ...] = field(default=())

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


# ---- shared rule families ------------------------------------------------------------------------------------

def output_elements(site: Site) -> int:
    """Activation memory in elements: the layer's output, stored once."""
    return math.prod(site.output)


def zero(site: Site) -> int:
    """Counts nothing."""
    return 0


def counted(**rules: CountRule) -> dict[str, CountRule]:
    """A kind's FLOP rule per convention; conventions not named count nothing for this kind."""
    unknown = set(rules) - set(CONVENTIONS)
    if unknown:
        raise KeyError(f"unknown FLOP conventions {sorted(unknown)}")
    return {name: rules.get(name, zero) for name in CONVENTIONS}


NO_FLOPS: dict[str, CountRule] = counted()


def twice(rule: CountRule) -> CountRule:
    """Twice the rule: torch's 2 x MAC, or ptflops counting a layer in its module hook and its functional patch."""
    return lambda site: 2 * rule(site)


def input_elements(site: Site) -> int:
    return math.prod(site.x)


def plus_bias(macs: CountRule) -> CountRule:
    """MACs plus one add per bias use (torchinfo, ptflops): each output element gets its bias once."""
    return lambda site: macs(site) + (output_elements(site) if site.args["bias"] else 0)


def same_shape(args: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    return xs[0]


def in_place(site: Site) -> int:
    """In-place layers allocate no new activation (torch's inplace=True)."""
    return 0 if site.args.get("inplace") else math.prod(site.output)


def feature_map(x: Shape, what: str) -> tuple[int, int, int]:
    """Unpack (C, H, W) or say which layer needs one."""
    if len(x) != 3:
        raise ValueError(f"{what} needs a C x H x W input, got the flat vector {format_shape(x)}; a {what} "
                         "belongs before the flatten, or the spec's input should be [C, H, W]")
    return x  # type: ignore[return-value]


def format_shape(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def window_output(size: int, kernel: int, stride: int, pad: tuple[int, int], dim: str, fit: Fit,
                  ceil_mode: bool = False) -> int:
    """Output length of a sliding window: floor((W - K + 2P) / S) + 1, with ceil_mode and fit honoured."""
    W, K, S = size, kernel, stride
    span = W + pad[0] + pad[1] - K
    if span < 0:
        raise ValueError(
            f"kernel {K} is larger than the padded input {dim}: {W} + {pad[0] + pad[1]} padding = "
            f"{W + pad[0] + pad[1]} < {K}; use a smaller kernel or more padding"
        )
    if ceil_mode:
        out = -(-span // S) + 1
        return out - 1 if (out - 1) * S >= W + pad[0] else out  # torch: last window must start inside
    if span % S and fit.mode == "exact":
        exact = span / S + 1
        raise ValueError(
            f"does not fit along {dim}: (W - K + 2P) / S + 1 = ({W} - {K} + {pad[0] + pad[1]}) / {S} + 1 = "
            f"{exact:.2f}, not a whole number; set 'fit: floor' at the top of the spec (or run with --fit "
            f"floor) to drop the remainder as torch does, or change the stride or padding"
        )
    return span // S + 1


def resolve_padding(pad: Any, kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """Per-dimension (before, after) padding; 'same' splits like torch, the extra on the after side."""
    if pad == "valid":
        return ((0, 0), (0, 0))
    if pad == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in pad)


def _sliding(args: Args, x: Shape, channels: int, fit: Fit, what: str) -> Shape:
    C, H, W = feature_map(x, what)
    kernel, dilation = args["kernel"], args.get("dilation", (1, 1))
    stride = args["stride"] or kernel
    if args["padding"] == "same" and stride != (1, 1):
        raise ValueError("padding 'same' needs stride 1 (as in torch); give the padding as a number instead")
    pads = resolve_padding(args["padding"], kernel, dilation)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    ceil = args.get("ceil_mode", False)
    out_h = window_output(H, eff[0], stride[0], pads[0], "height", fit, ceil)
    out_w = window_output(W, eff[1], stride[1], pads[1], "width", fit, ceil)
    return (channels, out_h, out_w)


def _square(pair: tuple[int, int]) -> int | list[int]:
    """One number for a square window, [height, width] otherwise."""
    return pair[0] if pair[0] == pair[1] else list(pair)


def _window_columns(site: Site) -> dict[str, Any]:
    a = site.args
    pad = a["padding"] if isinstance(a["padding"], str) else _square(a["padding"])
    return {"kernel": _square(a["kernel"]), "stride": _square(a["stride"] or a["kernel"]), "pad": pad}


# ---- convolution ---------------------------------------------------------------------------------------------

def _conv_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C = feature_map(xs[0], "conv")[0]
    g, F = a["groups"], a["filters"]
    if C % g or F % g:
        raise ValueError(f"groups {g} must divide both the input channels {C} and the filters {F}")
    return _sliding(a, xs[0], F, fit, "conv")


def conv_macs(site: Site) -> int:
    """C_out x H' x W' x (C_in / groups) x K x K: one multiply-add per weight per output position."""
    C_in, (kh, kw), g = site.x[0], site.args["kernel"], site.args["groups"]
    return math.prod(site.output) * (C_in // g) * kh * kw


def _conv_module(s: Site) -> Any:
    """nn.Conv2d with numeric padding ('same' and 'valid' resolved, so every FLOP counter sees a convolution);
    uneven 'same' padding becomes a ZeroPad2d in front, as torch pads it."""
    a = s.args
    (top, bottom), (left, right) = resolve_padding(a["padding"], a["kernel"], a["dilation"])
    even = top == bottom and left == right
    conv = nn().Conv2d(s.x[0], a["filters"], a["kernel"], a["stride"], (top, left) if even else 0, a["dilation"],
                       a["groups"], a["bias"])
    return conv if even else nn().Sequential(nn().ZeroPad2d((left, right, top, bottom)), conv)


CONV = LayerKind(
    name="conv",
    doc="2-D convolution (torch.nn.Conv2d).",
    fields=(
        Field("filters", positive_int, doc="output channels (number of filters)"),
        Field("kernel", positive_pair, doc="kernel size K or [Kh, Kw]"),
        Field("stride", positive_pair, 1, "stride S"),
        Field("padding", padding, 0, "zero padding P per side, [Ph, Pw], 'same' or 'valid'"),
        Field("dilation", positive_pair, 1, "spacing between kernel taps"),
        Field("groups", positive_int, 1, "grouped convolution (AlexNet's two GPUs: 2)"),
        Field("bias", boolean, True, "learn a bias per filter"),
    ),
    shape=_conv_shape,
    weights=lambda s: s.args["filters"] * (s.x[0] // s.args["groups"]) * math.prod(s.args["kernel"]),
    biases=lambda s: s.args["filters"] if s.args["bias"] else 0,
    flops=counted(lecture=conv_macs, fvcore=conv_macs, torch=twice(conv_macs), torchinfo=plus_bias(conv_macs),
                  thop=conv_macs, ptflops=plus_bias(conv_macs)),
    columns=lambda s: {"filters": s.args["filters"], **_window_columns(s)},
    build=lambda s: _conv_module(s),
)


# ---- pooling -------------------------------------------------------------------------------------------------

def pool_window_ops(site: Site) -> int:
    """C x H' x W' x K x K: one operation per window element per output (the lecture's pooling rule)."""
    return math.prod(site.output) * math.prod(site.args["kernel"])


def _pool_shape(what: str) -> ShapeRule:
    def shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
        for k, p in zip(a["kernel"], a["padding"]):
            if p > k // 2:
                raise ValueError(f"padding {p} is more than half the kernel {k}; torch allows at most {k // 2}")
        return _sliding(a, xs[0], feature_map(xs[0], what)[0], fit, what)

    return shape


_POOL_FIELDS = (
    Field("kernel", positive_pair, doc="window size K or [Kh, Kw]"),
    Field("stride", optional_positive_pair, None, "stride S (default: the kernel size)"),
    Field("padding", nonnegative_pair, 0, "implicit padding P per side (at most K / 2)"),
    Field("ceil_mode", boolean, False, "round the output size up, keeping a last partial window"),
)

MAXPOOL = LayerKind(
    name="maxpool",
    doc="2-D max pooling (torch.nn.MaxPool2d). No parameters.",
    fields=_POOL_FIELDS + (Field("dilation", positive_pair, 1, "spacing between window taps"),),
    shape=_pool_shape("maxpool"),
    flops=counted(lecture=pool_window_ops, ptflops=twice(input_elements)),
    columns=_window_columns,
    build=lambda s: nn().MaxPool2d(
        s.args["kernel"], s.args["stride"] or s.args["kernel"], s.args["padding"], s.args["dilation"],
        ceil_mode=s.args["ceil_mode"],
    ),
)

AVGPOOL = LayerKind(
    name="avgpool",
    doc="2-D average pooling (torch.nn.AvgPool2d). No parameters.",
    fields=_POOL_FIELDS + (Field("count_include_pad", boolean, True, "average over padding zeros too"),),
    shape=_pool_shape("avgpool"),
    flops=counted(lecture=pool_window_ops, thop=output_elements, ptflops=twice(input_elements)),
    columns=_window_columns,
    build=lambda s: nn().AvgPool2d(
        s.args["kernel"], s.args["stride"] or s.args["kernel"], s.args["padding"], s.args["ceil_mode"],
        s.args["count_include_pad"],
    ),
)


def _adaptive_bins(size: int, out: int) -> int:
    """Total window length over torch's adaptive bins [floor(i*n/o), ceil((i+1)*n/o)), i < o.

    The floors telescope to n, and a bin reaches one further wherever (i+1)*n/o is not whole, which happens for
    o - gcd(n, o) of them: n + o - gcd(n, o) in all.
    """
    return size + out - math.gcd(size, out)


def _adaptive_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    C, H, W = feature_map(xs[0], "adaptive_avgpool")
    return (C, *a["output"])


def adaptive_window_ops(site: Site) -> int:
    """Sum of window sizes over all outputs; for global pooling C x H x W (the lecture's K x K per output)."""
    C, H, W = site.x
    oh, ow = site.output[1:]
    return C * _adaptive_bins(H, oh) * _adaptive_bins(W, ow)


def thop_adaptive_ops(site: Site) -> int:
    """thop: (H/oh x W/ow additions + 1 division) per output, in floating point, truncated."""
    (H, W), (oh, ow) = site.x[1:], site.output[1:]
    from fractions import Fraction  # exact where thop uses doubles; imported only when counted this way

    return int((Fraction(H, oh) * Fraction(W, ow) + 1) * math.prod(site.output))


def _adaptive_columns(site: Site) -> dict[str, Any]:
    (H, W), (oh, ow) = site.x[1:], site.output[1:]
    if H % oh or W % ow:
        return {}
    return {"kernel": _square((H // oh, W // ow)), "stride": _square((H // oh, W // ow)), "pad": 0}


ADAPTIVE_AVGPOOL = LayerKind(
    name="adaptive_avgpool",
    doc="Adaptive average pooling to a fixed output size; output 1 is global average pooling.",
    fields=(Field("output", positive_pair, 1, "output size, 1 for global pooling"),),
    shape=_adaptive_shape,
    flops=counted(lecture=adaptive_window_ops, fvcore=input_elements, thop=thop_adaptive_ops,
                  ptflops=twice(input_elements)),
    columns=_adaptive_columns,
    build=lambda s: nn().AdaptiveAvgPool2d(s.args["output"]),
    aliases=("global_avgpool",),
)


# ---- normalisation -------------------------------------------------------------------------------------------

def ptflops_lrn_ops(site: Site) -> int:
    """ptflops sees LRN's tensor ops: x*x, alpha*, +k (C x H x W each) and an avg_pool3d over C + size - 1."""
    C, H, W = site.x
    return 3 * C * H * W + (C + site.args["size"] - 1) * H * W


LRN = LayerKind(
    name="lrn",
    doc="Local response normalisation across channels (torch.nn.LocalResponseNorm; AlexNet, VGG A-LRN).",
    fields=(
        Field("size", positive_int, doc="number of neighbouring channels"),
        Field("alpha", number, 1e-4),
        Field("beta", number, 0.75),
        Field("k", number, 1.0),
    ),
    shape=lambda a, xs, fit: feature_map(xs[0], "lrn"),
    flops=counted(ptflops=ptflops_lrn_ops),
    build=lambda s: nn().LocalResponseNorm(s.args["size"], s.args["alpha"], s.args["beta"], s.args["k"]),
)

BATCHNORM = LayerKind(
    name="batchnorm",
    doc="Batch normalisation over channels (BatchNorm2d on C x H x W, BatchNorm1d on flat input).",
    fields=(
        Field("eps", positive_number, 1e-5),
        Field("momentum", probability, 0.1),
        Field("affine", boolean, True, "learn the scale gamma and shift beta"),
    ),
    shape=same_shape,
    weights=lambda s: s.x[0] if s.args["affine"] else 0,
    biases=lambda s: s.x[0] if s.args["affine"] else 0,
    flops=counted(
        fvcore=lambda s: input_elements(s) * (2 if s.args["affine"] else 1),
        torchinfo=lambda s: 2 * s.x[0] if s.args["affine"] else 0,
        thop=lambda s: input_elements(s) * (4 if s.args["affine"] else 2),
        ptflops=lambda s: input_elements(s) * (2 if s.args["affine"] else 1),
    ),
    build=lambda s: (nn().BatchNorm2d if len(s.x) == 3 else nn().BatchNorm1d)(
        s.x[0], s.args["eps"], s.args["momentum"], s.args["affine"],
    ),
)


# ---- activations, dropout, reshapes --------------------------------------------------------------------------

def activation(name: str, doc: str, module: str, *fields: Field, inplace: bool = False,
               ptflops: CountRule = zero) -> LayerKind:
    """An element-wise activation: no parameters; only ptflops counts any FLOPs for it."""
    extra = (Field("inplace", boolean, True, "overwrite the input (no new activation memory)"),) if inplace else ()
    return LayerKind(
        name=name, doc=doc, fields=tuple(fields) + extra, shape=same_shape, flops=counted(ptflops=ptflops),
        memory=in_place if inplace else output_elements, quiet=inplace,
        build=lambda s: getattr(nn(), module)(**dict(s.args)),
    )


RELU = activation("relu", "Rectified linear unit max(0, x).", "ReLU", inplace=True, ptflops=twice(input_elements))
LEAKY_RELU = activation("leaky_relu", "max(a x, x).", "LeakyReLU", Field("negative_slope", number, 0.01),
                        inplace=True, ptflops=input_elements)
ELU = activation("elu", "Exponential linear unit.", "ELU", Field("alpha", number, 1.0), inplace=True,
                 ptflops=twice(input_elements))
SIGMOID = activation("sigmoid", "Logistic sigmoid 1 / (1 + exp(-x)).", "Sigmoid")
TANH = activation("tanh", "Hyperbolic tangent.", "Tanh")
SOFTMAX = LayerKind(
    name="softmax", doc="Softmax over the channel (feature) dimension.", fields=(), shape=same_shape,
    flops=counted(thop=lambda s: (3 * s.x[0] - 1) * (input_elements(s) // s.x[0]), ptflops=input_elements),
    build=lambda s: nn().Softmax(dim=1),
)

DROPOUT = LayerKind(
    name="dropout",
    doc="Dropout; the identity at inference, so it stores no activation of its own.",
    fields=(Field("p", probability, 0.5, "drop probability"),),
    shape=same_shape,
    flops=NO_FLOPS,
    memory=zero,
    build=lambda s: nn().Dropout(s.args["p"]),
    quiet=True,
)

FLATTEN = LayerKind(
    name="flatten",
    doc="Flatten C x H x W to C*H*W features. Counted as memory, as the lecture tables do (torch makes a view).",
    fields=(),
    shape=lambda a, xs, fit: (math.prod(xs[0]),),
    flops=NO_FLOPS,
    build=lambda s: nn().Flatten(),
)


def _linear_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    if len(xs[0]) != 1:
        raise ValueError(f"linear needs a flat input, got {format_shape(xs[0])}; add a flatten layer before it")
    return (a["features"],)


def linear_macs(site: Site) -> int:
    """C_in x C_out: one multiply-add per weight."""
    return site.x[0] * site.output[0]


LINEAR = LayerKind(
    name="linear",
    doc="Fully connected layer (torch.nn.Linear) on a flat input.",
    fields=(
        Field("features", positive_int, doc="output features"),
        Field("bias", boolean, True, "learn a bias per output"),
    ),
    shape=_linear_shape,
    weights=linear_macs,
    biases=lambda s: s.output[0] if s.args["bias"] else 0,
    flops=counted(lecture=linear_macs, fvcore=linear_macs, torch=twice(linear_macs),
                  torchinfo=plus_bias(linear_macs), thop=linear_macs, ptflops=plus_bias(linear_macs)),
    columns=lambda s: {"filters": s.args["features"]},
    build=lambda s: nn().Linear(s.x[0], s.args["features"], s.args["bias"]),
    aliases=("fc",),
)


def _torch() -> Any:
    import torch

    return torch


# ---- joins: how parallel paths meet --------------------------------------------------------------------------

def _concat_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    rest = {x[1:] for x in xs}
    if len(rest) != 1:
        raise ValueError(
            "branches must agree on every dimension but channels before concat, got "
            + ", ".join(format_shape(x) for x in xs)
        )
    return (sum(x[0] for x in xs), *xs[0][1:])


def _add_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    if len(set(xs)) != 1:
        raise ValueError(
            "the residual path and the shortcut must have the same shape to be added, got "
            + " and ".join(format_shape(x) for x in xs)
            + "; give the shortcut a projection (1x1 conv with the same stride) to match"
        )
    return xs[0]


def _mul_shape(a: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    x, gate = xs
    if len(gate) != len(x) or any(g not in (1, d) for g, d in zip(gate, x)):
        raise ValueError(
            f"the gate {format_shape(gate)} cannot scale the input {format_shape(x)}; it must match it "
            "or be 1 in each dimension (e.g. C x 1 x 1 for squeeze-and-excitation)"
        )
    return x


CONCAT = LayerKind(
    name="concat", doc="Channel concatenation of parallel branches (Inception). Allocates its output.",
    fields=(), shape=_concat_shape, flops=NO_FLOPS, join=True, combine=lambda xs: _torch().cat(xs, dim=1),
)
ADD = LayerKind(
    name="add", doc="Element-wise sum of a residual path and its shortcut; in place, as torchvision's `out += x`.",
    fields=(), shape=_add_shape, flops=NO_FLOPS, memory=zero, join=True, combine=lambda xs: xs[0] + xs[1],
)
MUL = LayerKind(
    name="mul", doc="Input scaled by a broadcast gate (squeeze-and-excitation). Allocates its output.",
    fields=(), shape=_mul_shape, flops=NO_FLOPS, join=True, combine=lambda xs: xs[0] * xs[1],
)


KINDS: tuple[LayerKind, ...] = (
    CONV, MAXPOOL, AVGPOOL, ADAPTIVE_AVGPOOL, LRN, BATCHNORM,
    RELU, LEAKY_RELU, ELU, SIGMOID, TANH, SOFTMAX, DROPOUT, FLATTEN, LINEAR,
    CONCAT, ADD, MUL,
)

REGISTRY: dict[str, LayerKind] = {
    name: kind for kind in KINDS for name in (kind.name, *kind.aliases)
}

LAYER_KINDS: dict[str, LayerKind] = {name: kind for name, kind in REGISTRY.items() if not kind.join}
