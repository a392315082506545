"""A loaded spec: frozen, fully expanded (blocks instantiated, repeats unrolled, defaults filled)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Union

from archstat.ops import Shape

if TYPE_CHECKING:
    from archstat.expr import Deferred, InputChannels


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Structure:
    """How a composite runs: its named paths, the registry kind that joins them, and what that join receives.

    A joined structure may also have `after`: layers run on the join's output, inside the structure, so a block
    that is 'residual, then ReLU' names its layers as torchvision does (layer1.0.conv1, layer1.0.relu).
    """

    paths: tuple[str, ...]
    join: str | None = None
    with_input: bool = False  # the join also takes the composite's own input, first (scale: x * gate(x))
    side: bool = False  # off the main path: what follows reads the composite's input, not its output
    slice: str | None = None  # each path reads its own channels of the input, through this registry kind (split)
    fields: tuple[str, ...] = ()  # keys written beside the paths (split: channels)

    def join_inputs(self, x: Any, outputs: list[Any]) -> tuple[Any, ...]:
        """What the join merges, as shapes in the engine or tensors in the built model."""
        return (x, *outputs) if self.with_input else tuple(outputs)


STRUCTURES: dict[str, Structure] = {
    "group": Structure(("layers",)),
    "concat": Structure(("branches",), "concat"),  # an empty branch passes the input itself to the concat
    "split": Structure(("branches",), "concat", slice="slice", fields=("channels",)),
    "residual": Structure(("body", "shortcut"), "add"),  # an empty shortcut returns its input: the identity
    "scale": Structure(("gate",), "mul", with_input=True),
    "side": Structure(("layers",), side=True),
}


@dataclass(frozen=True)
class Layer:
    """A leaf layer: a registry kind with checked arguments."""

    name: str
    kind: str
    args: Mapping[str, Any]
    line: int
    # fields that read in_channels, as written: computed and checked once the shapes are known
    deferred: Mapping[str, Deferred] = field(default_factory=_empty)


@dataclass(frozen=True)
class Composite:
    """Layers arranged in paths: a block instance, parallel branches, a split, a residual, a gate or a side branch."""

    name: str
    kind: str
    paths: tuple[tuple[Node, ...], ...]
    line: int
    block: str | None = None
    args: Mapping[str, Any] = field(default_factory=_empty)  # a block's parameters (Deferred: read in_channels)
    fields: Mapping[str, Any] = field(default_factory=_empty)  # the structure's own, beside its paths (split's)
    frame: InputChannels | None = None  # a block instance: what its in_channels stands for
    after: tuple[Node, ...] = ()  # a joined structure's layers on the join's output (a residual's ReLU)

    @property
    def structure(self) -> Structure:
        return STRUCTURES[self.kind]


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
