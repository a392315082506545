"""What a layer kind is made of: its fields, its named counting rules, and the torch glue that builds it.

Every counting rule is a named function whose first docstring line says what it counts; conventions and reports
describe themselves from those lines, so the prose cannot drift from the code.
Shapes exclude the batch dimension: (C, H, W) for feature maps, (F,) for flat vectors.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from archstat.fields import Field
from archstat.ops import Shape, Site

Args = Mapping[str, Any]
FIT_MODES = ("exact", "floor")

# Who counts FLOPs this way; what each kind counts under it is read off the rules (archstat.conventions).
CONVENTIONS: dict[str, str] = {
    "lecture": "the lecture tables: one multiply-add = 1 FLOP, biases not counted, pooling counts its window",
    "fvcore": "fvcore's FlopCountAnalysis (one fused multiply-add = 1; ops it does not support count 0)",
    "torch": "torch.utils.flop_counter.FlopCounterMode (2 FLOPs per multiply-add, matrix multiplies and "
             "convolutions only)",
    "torchinfo": "torchinfo's summary, its Mult-Adds column",
    "thop": "thop's profile",
    "ptflops": "ptflops' default (pytorch) backend at batch 1: module hooks and patches of torch.nn.functional",
    "macs": "the papers' own tables (GoogLeNet's Table 1, ResNet's FLOPs): multiply-adds of the convolutions and "
            "fully connected layers, nothing else",
}


@dataclass(frozen=True)
class Fit:
    """How a window that leaves a remainder is treated: 'exact' (error) or 'floor' (dropped, as torch)."""

    mode: str = "exact"


ShapeRule = Callable[[Args, tuple[Shape, ...], Fit], Shape]
CountRule = Callable[[Site], int]


def summary(rule: Callable[..., Any]) -> str:
    """The first line of a rule's docstring: what it counts, in a few words."""
    return (rule.__doc__ or rule.__name__).strip().splitlines()[0].rstrip(".")


def named(name: str, doc: str, rule: CountRule) -> CountRule:
    """A rule made by a factory, given a name and a docstring like one written by hand."""
    rule.__name__ = rule.__qualname__ = name
    rule.__doc__ = doc
    return rule


# ---- rules shared by many kinds ------------------------------------------------------------------------------

def output_elements(site: Site) -> int:
    """one per output element."""
    return math.prod(site.output)


def input_elements(site: Site) -> int:
    """one per input element."""
    return math.prod(site.x)


def zero(site: Site) -> int:
    """nothing."""
    return 0


def writes_in_place(site: Site) -> bool:
    """torch's inplace=True: the output is the input, overwritten."""
    return bool(site.args.get("inplace"))


def in_place(site: Site) -> int:
    """nothing when in place (torch's inplace=True), else one per output element."""
    return 0 if writes_in_place(site) else math.prod(site.output)


def no_columns(site: Site) -> dict[str, Any]:
    return {}


def twice(rule: CountRule) -> CountRule:
    """Twice the rule: torch's 2 x MAC, or ptflops counting a layer in its module hook and its functional patch."""
    return named(f"twice_{rule.__name__}", f"2 x ({summary(rule)})", lambda site: 2 * rule(site))


def per_element(affine: int, plain: int) -> CountRule:
    """`affine` per input element when the layer learns a scale and shift, `plain` when it does not."""
    doc = f"{affine} per input element" + (f" ({plain} without affine)" if plain != affine else "")
    return named(f"per_element_{affine}_{plain}", doc,
                 lambda site: math.prod(site.x) * (affine if site.args.get("affine", True) else plain))


def plus_bias(macs: CountRule) -> CountRule:
    """MACs plus one add per bias use (torchinfo, ptflops): each output element gets its bias once."""
    return named(f"{macs.__name__}_plus_bias", f"{summary(macs)}, plus one per output element with a bias",
                 lambda site: macs(site) + (math.prod(site.output) if site.args["bias"] else 0))


def counted(**rules: CountRule) -> dict[str, CountRule]:
    """A kind's FLOP rule per convention; conventions not named count nothing for this kind."""
    unknown = set(rules) - set(CONVENTIONS)
    if unknown:
        raise KeyError(f"unknown FLOP conventions {sorted(unknown)}")
    return {name: rules.get(name, zero) for name in CONVENTIONS}


NO_FLOPS: dict[str, CountRule] = counted()


def same_shape(args: Args, xs: tuple[Shape, ...], fit: Fit) -> Shape:
    return xs[0]


def format_shape(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def feature_map(x: Shape, what: str) -> tuple[int, int, int]:
    """Unpack (C, H, W) or say which layer needs one."""
    if len(x) == 1:
        raise ValueError(f"{what} needs a C x H x W input, got the flat vector {format_shape(x)}; a {what} "
                         "belongs before the flatten, or the spec's input should be [C, H, W]")
    if len(x) != 3:
        raise ValueError(f"{what} needs a C x H x W input, got the {len(x) - 1}-D feature map {format_shape(x)}; "
                         f"archstat has {what} for 2-D feature maps only")
    return x  # type: ignore[return-value]


SPATIAL_DIMS = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def spatial_map(x: Shape, what: str) -> tuple[int, tuple[int, ...]]:
    """Unpack a 1-, 2- or 3-D feature map, (C, L), (C, H, W) or (C, D, H, W), into C and its spatial sizes."""
    if len(x) == 1:
        raise ValueError(f"{what} needs a feature map (C x L, C x H x W or C x D x H x W), got the flat vector "
                         f"{format_shape(x)}; a {what} belongs before the flatten, or the spec's input should be "
                         "[C, L], [C, H, W] or [C, D, H, W]")
    if len(x) - 1 not in SPATIAL_DIMS:
        raise ValueError(f"{what} works on 1, 2 or 3 spatial dims, got {format_shape(x)}")
    return x[0], tuple(x[1:])


class ShapeProblem(ValueError):
    """A shape rule's refusal that still knows what the output would be, so propagation can go on past it and
    report the problems after it too."""

    def __init__(self, message: str, output: Shape):
        super().__init__(message)
        self.output = output


# ---- torch glue ----------------------------------------------------------------------------------------------

def torch_nn() -> Any:
    """torch.nn, imported only when a model is built: the analytic path never loads torch."""
    import torch.nn

    return torch.nn


def torch_module() -> Any:
    import torch

    return torch


def allocates(site: Site) -> bool:
    """The output is a new tensor: it shares nothing with the input."""
    return False


def returns_input(site: Site) -> bool:
    """The output is the input itself, or a view of it."""
    return True


@dataclass(frozen=True)
class Torch:
    """How a kind becomes torch: a module built from its site, or (joins) a function merging its inputs."""

    build: Callable[[Site], Any] | None = None
    combine: Callable[[Sequence[Any]], Any] | None = None
    # Whether the built module returns its input's storage (written in place, a view, or the input itself), so a
    # running model holds no new tensor for it; what decides whether a batch can fit.
    shares_input: Callable[[Site], bool] = allocates
    # Elements the module's own ops hold at its peak beyond its inputs and its output (torch's LRN is composed of
    # several ops); none for a module that is one op.
    scratch: CountRule = zero


# ---- the kind itself -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerKind:
    """Everything archstat knows about one kind of layer, in one place; every rule has a default."""

    name: str
    doc: str
    shape: ShapeRule
    fields: tuple[Field, ...] = ()
    flops: Mapping[str, CountRule] = field(default_factory=lambda: NO_FLOPS)
    weights: CountRule = zero
    biases: CountRule = zero
    buffers: CountRule = zero  # state the layer keeps but does not learn (batch norm's running statistics)
    memory: CountRule = output_elements
    columns: Callable[[Site], dict[str, Any]] = no_columns
    torch: Torch = Torch()
    join: bool = False  # merges the paths of a structure; never written in a spec
    quiet: bool = False  # in place, or the identity at inference: tables may leave out its all-zero rows
    aliases: tuple[str, ...] = ()

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def count_rules(self) -> dict[str, CountRule]:
        """Every counting rule by what it counts: weights, biases, buffers, memory and flops:<convention>."""
        return {"weights": self.weights, "biases": self.biases, "buffers": self.buffers, "memory": self.memory,
                **{f"flops:{name}": rule for name, rule in self.flops.items()}}


def make_registry(kinds: Iterable[LayerKind]) -> dict[str, LayerKind]:
    """Kinds by name and alias; a name or alias taken twice is a mistake in archstat, refused at import."""
    registry: dict[str, LayerKind] = {}
    for kind in kinds:
        if set(kind.flops) != set(CONVENTIONS):
            raise ValueError(f"layer kind {kind.name!r} must give a FLOP rule for every convention; use counted()")
        for name in (kind.name, *kind.aliases):
            if name in registry:
                raise ValueError(f"layer kind name {name!r} is taken by both {registry[name].name!r} and "
                                 f"{kind.name!r}")
            registry[name] = kind
    return registry
