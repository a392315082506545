"""Field types of layer kinds: each checks one user-written value and says what is allowed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REQUIRED = object()


def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(value: Any) -> int:
    if not _is_int(value) or value < 1:
        raise ValueError(f"must be a whole number >= 1, got {_describe(value)}")
    return value


def nonnegative_int(value: Any) -> int:
    if not _is_int(value) or value < 0:
        raise ValueError(f"must be a whole number >= 0, got {_describe(value)}")
    return value


def _pair_of(check: Callable[[Any], int], what: str) -> Callable[[Any], tuple[int, int]]:
    def pair(value: Any) -> tuple[int, int]:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError(f"must be {what} or [height, width], got {len(value)} values")
            return check(value[0]), check(value[1])
        try:
            single = check(value)
        except ValueError:
            raise ValueError(f"must be {what} or [height, width], got {_describe(value)}") from None
        return single, single

    return pair


positive_pair = _pair_of(positive_int, "a whole number >= 1")
nonnegative_pair = _pair_of(nonnegative_int, "a whole number >= 0")


def padding(value: Any) -> tuple[int, int] | str:
    if value in ("same", "valid"):
        return value
    try:
        return nonnegative_pair(value)
    except ValueError:
        raise ValueError(f"must be a whole number >= 0, [height, width], 'same' or 'valid', got {_describe(value)}") from None


def optional_positive_pair(value: Any) -> tuple[int, int] | None:
    return None if value is None else positive_pair(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_describe(value)}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {_describe(value)}")
    return float(value)


def positive_number(value: Any) -> float:
    if number(value) <= 0:
        raise ValueError(f"must be a number > 0, got {_describe(value)}")
    return float(value)


def probability(value: Any) -> float:
    if not 0.0 <= number(value) <= 1.0:
        raise ValueError(f"must be a probability between 0 and 1, got {_describe(value)}")
    return float(value)


@dataclass(frozen=True)
class Field:
    """One named hyper-parameter of a layer kind: its check, default and meaning."""

    name: str
    check: Callable[[Any], Any]
    default: Any = REQUIRED
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED
