"""Tiny arithmetic for block parameters in specs: `$width` and `${make_divisible(width * 0.75, 8)}`, nothing else.

An expression that reads `in_channels` (a block's input channels) cannot be computed while the spec is read: it is
kept, with the names it sees, as a Deferred that the engine computes once the shapes are known.
"""
from __future__ import annotations

import ast
import inspect
import math
import operator
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from archstat.errors import brief, describe, did_you_mean

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod}
MAX_LENGTH = 200  # characters in one expression; a spec's arithmetic is a few names and numbers
MAX_BITS = 64  # no size in a network needs a bigger number, and huge ones make every later step slow
IN_CHANNELS = "in_channels"  # inside a block: the channel count (features, when flat) of the block's input


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """torchvision's `_make_divisible` (MobileNet, EfficientNet, RegNet): v to the nearest multiple of divisor,
    at least min_value (default: divisor), and never more than 10% below v."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    # Make sure that round down does not go down by more than 10%.
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _min(a: float, b: float, *more: float) -> float:
    return min(a, b, *more)


def _max(a: float, b: float, *more: float) -> float:
    return max(a, b, *more)


def _round(x: float) -> int:
    return round(x)  # halves to even, as Python and torch.round do (RegNet's widths)


def _ceil(x: float) -> int:
    return math.ceil(x)


def _floor(x: float) -> int:
    return math.floor(x)


def _int(x: float) -> int:
    return int(x)  # toward zero


# The functions ${...} may call, by name, with how they are written in messages.
FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "min": (_min, "min(a, b, ...)"), "max": (_max, "max(a, b, ...)"), "round": (_round, "round(x)"),
    "ceil": (_ceil, "ceil(x)"), "floor": (_floor, "floor(x)"), "int": (_int, "int(x)"),
    "make_divisible": (make_divisible, "make_divisible(v, divisor, min_value)"),
}


# ---- values known only once shapes are propagated ------------------------------------------------------------

class Pending:
    """A value known only once shapes are propagated; an expression that reads one is kept for the engine."""

    __slots__ = ()


class InputChannels(Pending):
    """`in_channels` in one block instance: the channel count of the tensor that instance receives.

    Each instance has its own (the engine knows them apart by identity), but all compare equal, so the same spec
    loaded twice gives equal Specs.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InputChannels)

    def __hash__(self) -> int:
        return hash(IN_CHANNELS)

    def __repr__(self) -> str:
        return IN_CHANNELS


@dataclass(frozen=True)
class Deferred(Pending):
    """An expression that reads in_channels, kept as written with the names it sees and where it is written.

    Equal when written alike; the engine tells the copies in different block instances apart by identity."""

    raw: Any  # '$name', '${...}' or a list of them, as the spec writes it
    env: Mapping[str, Any]
    line: int
    what: str  # "field 'filters'", "parameter 'width'": how a problem with it starts
    layer: str | None = None

    def __repr__(self) -> str:
        return f"{brief(self.raw)} (known once shapes are propagated)"


class NeedsShapes(Exception):
    """Raised inside evaluation when an expression reads a value not known yet: while the spec is read, one that
    waits for shapes; in the engine, the in_channels of a block it has not reached."""


class Unresolved(ValueError):
    """A deferred expression that failed once shapes were known, with the line and layer where it is written."""

    def __init__(self, message: str, line: int, layer: str | None):
        super().__init__(message)
        self.line, self.layer = line, layer


def resolve(value: Any, channels: Mapping[int, int], memo: dict[int, Any]) -> Any:
    """The value once shapes are known: in_channels the count in `channels` (by id of the instance's
    InputChannels), a Deferred computed once per pass (memo, by id)."""
    if isinstance(value, InputChannels):
        if id(value) not in channels:
            raise NeedsShapes(IN_CHANNELS)
        return channels[id(value)]
    if not isinstance(value, Deferred):
        return value
    key = id(value)
    if key not in memo:
        try:
            memo[key] = value_of(value.raw, _Known(value.env, channels, memo))
        except Unresolved as exc:  # a parameter it reads failed: that problem is where the parameter is written
            memo[key] = exc
        except ValueError as exc:
            memo[key] = Unresolved(f"{value.what}: {exc}", value.line, value.layer)
    result = memo[key]
    if isinstance(result, Unresolved):
        raise result
    return result


class _Known(Mapping):
    """A deferred expression's names, each resolved when the expression reads it."""

    def __init__(self, env: Mapping[str, Any], channels: Mapping[int, int], memo: dict[int, Any]):
        self.env, self.channels, self.memo = env, channels, memo

    def __getitem__(self, name: str) -> Any:
        return resolve(self.env[name], self.channels, self.memo)

    def __contains__(self, name: object) -> bool:
        return name in self.env

    def __iter__(self) -> Iterator[str]:
        return iter(self.env)

    def __len__(self) -> int:
        return len(self.env)


# ---- evaluation ----------------------------------------------------------------------------------------------

def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def value_of(raw: Any, env: Mapping[str, Any]) -> Any:
    """A field's value: an expression computed, a [height, width] pair's expressions each, anything else as is."""
    if is_expression(raw):
        return evaluate(raw, env)
    if isinstance(raw, list):  # deeper lists are wrong anyway and the field checks say so
        return [evaluate(item, env) if is_expression(item) else item for item in raw]
    return raw


def evaluate(text: str, env: Mapping[str, Any]) -> Any:
    """Value of `$name` or `${expression}` over the names in `env`; ValueError says what went wrong, and
    NeedsShapes that it reads a value known only once shapes are propagated."""
    tree = _tree(text)
    try:
        return _eval(tree, env, text)
    except RecursionError:
        raise ValueError(f"the expression {brief(text)} is nested too deeply") from None


def check_names(raw: Any, env: Mapping[str, Any]) -> None:
    """Refuse now, while the spec is read, a deferred expression that names something not defined or no function."""
    for text in raw if isinstance(raw, list) else [raw]:
        if not is_expression(text):
            continue
        tree = _tree(text)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for call in calls:
            _function(call, text)
        called = {id(call.func) for call in calls}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in called:
                _lookup(node.id, env, text)


@lru_cache(maxsize=1024)
def _tree(text: str) -> ast.expr:
    """The expression's syntax tree; a model uses the same few expressions in every block, so they are cached."""
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the expression {brief(text)} is longer than {MAX_LENGTH} characters; "
                         "keep ${...} to a few names and numbers")
    braced = text.startswith("${") and text.endswith("}")
    source = text[2:-1] if braced else text[1:]
    if not braced and not source.strip().isidentifier():
        inner = source.strip()[:40]
        braces = f", or wrap arithmetic in braces: ${{{inner}}}" if inner else ""
        raise ValueError(f"cannot read the expression {brief(text)}; write $name for a parameter{braces}")
    try:
        return ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError):  # ValueError: a null character in the text
        raise ValueError(f"cannot read the expression {brief(text)}; write $name or ${{name * 2}}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"the expression {brief(text)} is nested too deeply") from None


def _number(value: Any, name: str, text: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"cannot compute {brief(text)}: {name} is {describe(value)}, not a number")
    return value


def _checked(value: int | float, text: str) -> int | float:
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise ValueError(f"{brief(text)} gives a number too large for any size (more than {MAX_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{brief(text)} gives {value}, not a finite number")
    return value


def _eval(node: ast.AST, env: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return _checked(node.value, text)
    if isinstance(node, ast.Name):
        value = _lookup(node.id, env, text)
        if isinstance(value, Pending):
            raise NeedsShapes(node.id)
        return value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _number(_eval(node.left, env, text), ast.unparse(node.left), text)
        right = _number(_eval(node.right, env, text), ast.unparse(node.right), text)
        try:
            result = _BINARY[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as exc:
            raise ValueError(f"cannot compute {brief(text)}: {exc}") from None
        if isinstance(node.op, ast.Div) and isinstance(left, int) and isinstance(right, int) and left % right == 0:
            result = left // right  # 64 / 2 is the size 32, not 32.0
        return _checked(result, text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _number(_eval(node.operand, env, text), ast.unparse(node.operand), text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call):
        return _call(node, env, text)
    raise ValueError(f"{brief(text)} {_ALLOWED}")


_ALLOWED = f"may only use numbers, parameter names, + - * / // %, brackets and the functions {', '.join(FUNCTIONS)}"


def _function(node: ast.Call, text: str) -> tuple[Callable[..., Any], str]:
    """The function a call names; ValueError when it is none of FUNCTIONS."""
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        called = f"'{name}'" if name else brief(ast.unparse(node.func))
        hint = did_you_mean(name, FUNCTIONS) if name else ""
        raise ValueError(f"{brief(text)} {_ALLOWED}; {called} is not one of them{hint}")
    return FUNCTIONS[name]


@cache
def _signature(function: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(function)


def _call(node: ast.Call, env: Mapping[str, Any], text: str) -> Any:
    function, usage = _function(node, text)
    if any(keyword.arg is None for keyword in node.keywords):
        raise ValueError(f"{brief(text)} {_ALLOWED}")
    args = [_number(_eval(arg, env, text), ast.unparse(arg), text) for arg in node.args]
    kwargs = {str(k.arg): _number(_eval(k.value, env, text), ast.unparse(k.value), text) for k in node.keywords}
    try:
        _signature(function).bind(*args, **kwargs)
    except TypeError:
        raise ValueError(f"cannot compute {brief(text)}: write {usage}, not {brief(ast.unparse(node))}") from None
    try:
        result = function(*args, **kwargs)
    except (ArithmeticError, ValueError) as exc:
        raise ValueError(f"cannot compute {brief(text)}: {exc}") from None
    return _checked(result, text)


def _lookup(name: str, env: Mapping[str, Any], text: str) -> Any:
    """A parameter's value; Python reads names NFKC-normalised ('$ﬁ' as 'fi'), so parameters are matched that way."""
    if name in env:
        return env[name]
    for key in env:
        if unicodedata.normalize("NFKC", key) == name:
            return env[key]
    raise ValueError(f"{brief(text)} uses '{name}', {unknown_name(name, env)}")


def unknown_name(name: str, env: Mapping[str, Any]) -> str:
    """Why `name` cannot be read here, and what can."""
    if not env:
        return ("which is not defined here: names read the parameters of the enclosing block, its in_channels and "
                "the index i of a repeat, and there are none here")
    return f"which is not defined here{did_you_mean(name, env)} (defined here: {', '.join(sorted(env))})"
