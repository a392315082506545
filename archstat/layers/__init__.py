"""The registry of layer kinds: every kind's fields and rules (shape, params, FLOPs, memory, torch glue).

Every other part of archstat (engine, builder, checks, reports, conventions) looks a kind up here; adding a kind
is one entry in its family's module and one name in KINDS.
"""
from __future__ import annotations

from archstat.layers.activation import (
    DROPOUT,
    ELU,
    GELU,
    HARDSIGMOID,
    HARDSWISH,
    LEAKY_RELU,
    MISH,
    RELU,
    RELU6,
    SIGMOID,
    SILU,
    SOFTMAX,
    TANH,
)
from archstat.layers.base import (
    CONVENTIONS,
    FIT_MODES,
    NO_FLOPS,
    CountRule,
    Fit,
    LayerKind,
    ShapeProblem,
    Torch,
    counted,
    format_shape,
    make_registry,
    summary,
    zero,
)
from archstat.layers.conv import CONV, CONV_TRANSPOSE
from archstat.layers.dense import FLATTEN, LINEAR
from archstat.layers.joins import ADD, CONCAT, MUL, SLICE
from archstat.layers.norm import BATCHNORM, GROUPNORM, INSTANCENORM, LAYERNORM, LRN
from archstat.layers.pool import ADAPTIVE_AVGPOOL, AVGPOOL, MAXPOOL
from archstat.layers.reduce import MEAN
from archstat.layers.scale import LAYER_SCALE
from archstat.layers.shuffle import CHANNEL_SHUFFLE, IDENTITY
from archstat.layers.upsample import UPSAMPLE
from archstat.ops import Site

KINDS: tuple[LayerKind, ...] = (
    CONV, MAXPOOL, AVGPOOL, ADAPTIVE_AVGPOOL, LRN, BATCHNORM,
    RELU, LEAKY_RELU, ELU, SIGMOID, TANH, SOFTMAX, DROPOUT, FLATTEN, LINEAR,
    CONCAT, ADD, MUL, SLICE,
    CONV_TRANSPOSE, UPSAMPLE,
    LAYERNORM, GROUPNORM, INSTANCENORM, LAYER_SCALE,
    RELU6, SILU, GELU, HARDSWISH, HARDSIGMOID, MISH, CHANNEL_SHUFFLE, MEAN, IDENTITY,
)

REGISTRY: dict[str, LayerKind] = make_registry(KINDS)

LAYER_KINDS: dict[str, LayerKind] = {name: kind for name, kind in REGISTRY.items() if not kind.join}

__all__ = [
    "CONVENTIONS", "FIT_MODES", "KINDS", "LAYER_KINDS", "NO_FLOPS", "REGISTRY", "CountRule", "Fit",
    "LayerKind", "ShapeProblem", "Site", "Torch", "counted", "format_shape", "make_registry", "summary", "zero",
]
