"""Spec problems that users can act on: each names the file, line and layer."""
from __future__ import annotations

import reprlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, located as precisely as we know."""

    message: str
    file: str = "<spec>"
    line: int | None = None
    layer: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        # a name with a line break or other control character is shown escaped, never sent to the terminal raw
        label = f"'{self.layer}'" if self.layer and self.layer.isprintable() else brief(self.layer)
        who = f" layer {label}:" if self.layer else ""
        return f"{where}:{who} {self.message}"


class SpecError(Exception):
    """A spec could not be loaded or analysed; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def nearest(word: Any, choices: Iterable[str]) -> str | None:
    """The valid choice closest to a misspelt word, if one is close enough."""
    import difflib  # only when something is wrong: it is slow to import and rarely needed

    options = sorted(set(choices))
    same = [choice for choice in options if choice.lower() == str(word).lower()]  # VGG16 for vgg16
    if same:
        return same[0]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' suffix naming the nearest valid choice, or ''."""
    close = nearest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


class _ShortRepr(reprlib.Repr):
    """repr() cut short, so a huge or deeply nested value never floods (or stalls) a message."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict, self.maxset = 2, 4, 4, 4, 4
        self.maxstring, self.maxother, self.maxlong = 40, 40, 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr of a very long int is slow, and refused past 4300 digits
            return f"<a number of about {int(x.bit_length() * 0.30103)} digits>"
        return super().repr_int(x, level)

    def repr_LineDict(self, x: dict, level: int) -> str:
        return self.repr_dict(x, level)

    def repr_LineList(self, x: list, level: int) -> str:
        return self.repr_list(x, level)


_SHORT = _ShortRepr()


def brief(value: Any) -> str:
    """A short repr of a user-written value, safe for any size."""
    return _SHORT.repr(value)


def describe(value: Any) -> str:
    """The value as a spec author wrote it, saying so when it is text or empty: "'64a' (text)"."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"{brief(value)} (text)"
    return brief(value)


@dataclass
class Problems:
    """Collects problems compiler-style so one run reports all of them, each once."""

    file: str = "<spec>"
    items: list[Problem] = field(default_factory=list)
    _seen: set[tuple[int | None, str]] = field(default_factory=set, repr=False)

    def add(self, message: str, line: int | None = None, layer: str | None = None) -> None:
        # A mistake inside a block is met once per use of the block; it is one problem, reported at its first use.
        if (line, message) in self._seen:
            return
        self._seen.add((line, message))
        self.items.append(Problem(message, self.file, line, layer))

    @contextmanager
    def at(self, line: int | None, layer: str | None = None) -> Iterator[None]:
        """Stamp file, line and layer onto any ValueError raised inside."""
        try:
            yield
        except ValueError as exc:
            self.add(str(exc), line, layer)

    def raise_if_any(self) -> None:
        """Raise every problem at once, in file order as a compiler lists them (unlocated ones first)."""
        if self.items:
            raise SpecError(sorted(self.items, key=lambda p: p.line or 0))

    def __bool__(self) -> bool:
        return bool(self.items)


class ToolError(Exception):
    """archstat could not run what was asked (a device that is missing or too small): exit code 2."""


class BuildError(Exception):
    """The spec cannot be expressed as a torch module (a layer kind without a torch builder): exit code 1."""


class DeviceMemoryError(ToolError):
    """The model would not fit in the memory of the device it is asked to be built on."""


class RowNotFound(KeyError):
    """Analysis.find was asked for a row the analysis does not have; the message names the nearest one."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
