"""A loaded spec: frozen, fully expanded (blocks instantiated, repeats unrolled, defaults filled)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Union

Shape = tuple[int, ...]

# Composite kinds and the named paths each one has; the join names the registry kind that merges them.
STRUCTURES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "group": (("layers",), None),
    "concat": (("branches",), "concat"),
    "residual": (("body", "shortcut"), "add"),
    "scale": (("gate",), "mul"),
    "side": (("layers",), None),
}


@dataclass(frozen=True)
class Layer:
    """A leaf layer: a registry kind with checked arguments."""

    name: str
    kind: str
    args: Mapping[str, Any]
    line: int


@dataclass(frozen=True)
class Composite:
    """Layers arranged in paths: a block instance, parallel branches, a residual, a gate or a side branch."""

    name: str
    kind: str
    paths: tuple[tuple["Node", ...], ...]
    line: int
    block: str | None = None
    args: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


Node = Union[Layer, Composite]


@dataclass(frozen=True)
class Spec:
    """A whole model: its input (without batch) and its top-level layers."""

    name: str
    input: Shape
    layers: tuple[Node, ...]
    file: str
    title: str = ""
    source: str = ""
    notes: str = ""
    fit: str = "exact"
