"""Spec problems that users can act on: each names the file, line and layer."""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, located as precisely as we know."""

    message: str
    file: str = "<spec>"
    line: int | None = None
    layer: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" layer '{self.layer}':" if self.layer else ""
        return f"{where}:{who} {self.message}"


class SpecError(Exception):
    """A spec could not be loaded or analysed; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' suffix naming the nearest valid choice, or ''."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


@dataclass
class Problems:
    """Collects problems compiler-style so one run reports all of them."""

    file: str = "<spec>"
    items: list[Problem] = field(default_factory=list)

    def add(self, message: str, line: int | None = None, layer: str | None = None) -> None:
        self.items.append(Problem(message, self.file, line, layer))

    @contextmanager
    def at(self, line: int | None, layer: str | None = None) -> Iterator[None]:
        """Stamp file, line and layer onto any ValueError raised inside."""
        try:
            yield
        except ValueError as exc:
            self.add(str(exc), line, layer)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)
