"""Element-wise activations, softmax and dropout: no parameters, and FLOPs only where a peer counter sees them."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from archstat.errors import describe
from archstat.fields import Field, boolean, number, probability
from archstat.layers.base import (
    CountRule,
    LayerKind,
    Torch,
    counted,
    in_place,
    input_elements,
    output_elements,
    returns_input,
    same_shape,
    torch_nn,
    twice,
    writes_in_place,
    zero,
)
from archstat.ops import Site


def torch_class(name: str) -> Callable[[Site], Any]:
    """A builder that passes the layer's fields to torch.nn.<name> as keywords."""
    def build(site: Site) -> Any:
        return getattr(torch_nn(), name)(**dict(site.args))

    build.__name__ = f"build_{name}"
    return build


def activation(name: str, doc: str, module: str, *fields: Field, inplace: bool = False,
               ptflops: CountRule = zero, aliases: tuple[str, ...] = ()) -> LayerKind:
    """An element-wise activation: no parameters; only ptflops counts any FLOPs for it."""
    extra = (Field("inplace", boolean, True, "overwrite the input (no new activation memory)"),) if inplace else ()
    return LayerKind(
        name=name, doc=doc, fields=tuple(fields) + extra, shape=same_shape, flops=counted(ptflops=ptflops),
        memory=in_place if inplace else output_elements, quiet=inplace,
        torch=Torch(build=torch_class(module), shares_input=writes_in_place),
        aliases=aliases,
    )


GELU_APPROXIMATIONS = ("none", "tanh")


def gelu_approximation(value: Any) -> str:
    """'none' (the exact Gaussian CDF) or 'tanh' (its tanh approximation), as torch.nn.GELU takes it."""
    if value not in GELU_APPROXIMATIONS:
        raise ValueError(f"must be 'none' or 'tanh', got {describe(value)}")
    return str(value)


RELU = activation("relu", "Rectified linear unit max(0, x).", "ReLU", inplace=True, ptflops=twice(input_elements))
LEAKY_RELU = activation("leaky_relu", "max(a x, x).", "LeakyReLU", Field("negative_slope", number, 0.01),
                        inplace=True, ptflops=input_elements)
ELU = activation("elu", "Exponential linear unit.", "ELU", Field("alpha", number, 1.0), inplace=True,
                 ptflops=twice(input_elements))
SIGMOID = activation("sigmoid", "Logistic sigmoid 1 / (1 + exp(-x)).", "Sigmoid")
TANH = activation("tanh", "Hyperbolic tangent.", "Tanh")
# ptflops hooks nn.ReLU6 but not the F.hardtanh it calls, and patches F.silu but has no hook for nn.SiLU: once
# each; nn.GELU it counts in its hook and in its F.gelu patch. It sees none of hardswish, hardsigmoid and mish.
RELU6 = activation("relu6", "min(max(0, x), 6) (MobileNet-V2).", "ReLU6", inplace=True, ptflops=input_elements)
SILU = activation("silu", "x * sigmoid(x), also called swish (EfficientNet, RegNet-Y).", "SiLU", inplace=True,
                  ptflops=input_elements, aliases=("swish",))
GELU = activation("gelu", "Gaussian error linear unit x * Phi(x) (ConvNeXt).", "GELU",
                  Field("approximate", gelu_approximation, "none", "'none' (exact) or 'tanh' (approximated Phi)"),
                  ptflops=twice(input_elements))
HARDSWISH = activation("hardswish", "x * relu6(x + 3) / 6 (MobileNet-V3).", "Hardswish", inplace=True)
HARDSIGMOID = activation("hardsigmoid", "relu6(x + 3) / 6 (MobileNet-V3's squeeze-and-excitation gate).",
                         "Hardsigmoid", inplace=True)
MISH = activation("mish", "x * tanh(softplus(x)).", "Mish", inplace=True)


def thop_softmax_ops(site: Site) -> int:
    """(3C - 1) per position: C exponentials, C - 1 additions and C divisions."""
    C = site.x[0]
    return (3 * C - 1) * (math.prod(site.x) // C)


def softmax_module(site: Site) -> Any:
    return torch_nn().Softmax(dim=1)


SOFTMAX = LayerKind(
    name="softmax", doc="Softmax over the channel (feature) dimension.", shape=same_shape,
    flops=counted(thop=thop_softmax_ops, ptflops=input_elements), torch=Torch(build=softmax_module),
)


def dropout_module(site: Site) -> Any:
    return torch_nn().Dropout(site.args["p"])


DROPOUT = LayerKind(
    name="dropout",
    doc="Dropout; the identity at inference, so it stores no activation of its own.",
    fields=(Field("p", probability, 0.5, "drop probability"),),
    shape=same_shape,
    memory=zero,
    torch=Torch(build=dropout_module, shares_input=returns_input),
    quiet=True,
)
