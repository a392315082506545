"""Field types of layer kinds: each checks one user-written value and says what is allowed."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archstat.errors import describe as _describe

REQUIRED = object()

# The largest size torch can hold (int64); bigger numbers are typos, and keep every rule's arithmetic small.
MAX_SIZE = 2**63 - 1
SHAPE_TEXT = re.compile(r"[0-9]{1,30}(?:x[0-9]{1,30})*")  # ASCII digits, short enough for int()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: Any, least: int) -> int:
    if not _is_int(value) or value < least:
        hint = "; use // for whole-number division in ${...}" if isinstance(value, float) else ""
        raise ValueError(f"must be a whole number >= {least}, got {_describe(value)}{hint}")
    if value > MAX_SIZE:
        raise ValueError(f"must be at most 2**63 - 1 (the largest size torch can hold), got {_describe(value)}")
    return value


def positive_int(value: Any) -> int:
    return _whole(value, 1)


def nonnegative_int(value: Any) -> int:
    return _whole(value, 0)


def _pair_of(check: Callable[[Any], int], what: str) -> Callable[[Any], tuple[int, int]]:
    def pair(value: Any) -> tuple[int, int]:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError(f"must be {what} or [height, width], got {len(value)} values: {_describe(value)}")
            return check(value[0]), check(value[1])
        if _is_int(value) and value > MAX_SIZE:
            return check(value), 0  # check() refuses it, saying the limit
        try:
            single = check(value)
        except ValueError:
            raise ValueError(f"must be {what} or [height, width], got {_describe(value)}") from None
        return single, single

    return pair


positive_pair = _pair_of(positive_int, "a whole number >= 1")
nonnegative_pair = _pair_of(nonnegative_int, "a whole number >= 0")


def padding(value: Any) -> tuple[int, int] | str:
    if isinstance(value, str) and value in ("same", "valid"):
        return value
    try:
        return nonnegative_pair(value)
    except ValueError:
        raise ValueError(f"must be a whole number >= 0, [height, width], 'same' or 'valid', "
                         f"got {_describe(value)}") from None


def optional_positive_pair(value: Any) -> tuple[int, int] | None:
    return None if value is None else positive_pair(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_describe(value)}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {_describe(value)}")
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(f"must be a finite number, got {_describe(value)}")
    return result


def positive_number(value: Any) -> float:
    if number(value) <= 0:
        raise ValueError(f"must be a number > 0, got {_describe(value)}")
    return float(value)


def probability(value: Any) -> float:
    if not 0.0 <= number(value) <= 1.0:
        raise ValueError(f"must be a probability between 0 and 1, got {_describe(value)}")
    return float(value)


def parse_shape(value: Any) -> tuple[int, ...]:
    """An input size: [C, H, W], [C, L] (1-D), [C, D, H, W] (3-D), [features], or the text '3x224x224'."""
    if isinstance(value, str):
        if not SHAPE_TEXT.fullmatch(value.lower()):  # int() alone would also take '３', '1_0' and ' 3'
            raise ValueError(f"must look like 3x224x224 (or [3, 224, 224]), got {_describe(value)}")
        value = [int(part) for part in value.lower().split("x")]
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 4:
        raise ValueError(f"must be [C, H, W] (e.g. [3, 224, 224]), [C, L], [C, D, H, W] or [features], "
                         f"got {_describe(value)}")
    try:
        return tuple(positive_int(d) for d in value)
    except ValueError:
        raise ValueError(f"sizes must be whole numbers >= 1, got {_describe(value)}") from None


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
