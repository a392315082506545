"""Tiny arithmetic for block parameters in specs: `$width` and `${width * 4}`, nothing else."""
from __future__ import annotations

import ast
import math
import operator
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from archstat.errors import brief, describe, did_you_mean

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod}
MAX_LENGTH = 200  # characters in one expression; a spec's arithmetic is a few names and numbers
MAX_BITS = 64  # no size in a network needs a bigger number, and huge ones make every later step slow


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def evaluate(text: str, env: Mapping[str, Any]) -> Any:
    """Value of `$name` or `${expression}` over the names in `env`; ValueError says what went wrong."""
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
        tree = _parse(source.strip())
    except (SyntaxError, ValueError):  # ValueError: a null character in the text
        raise ValueError(f"cannot read the expression {brief(text)}; write $name or ${{name * 2}}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"the expression {brief(text)} is nested too deeply") from None
    try:
        return _eval(tree, env, text)
    except RecursionError:
        raise ValueError(f"the expression {brief(text)} is nested too deeply") from None


@lru_cache(maxsize=1024)
def _parse(source: str) -> ast.expr:
    """The expression's syntax tree; a model uses the same few expressions in every block, so they are cached."""
    return ast.parse(source, mode="eval").body


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
        return _lookup(node.id, env, text)
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
    raise ValueError(f"{brief(text)} may only use numbers, parameter names, + - * / // % and brackets")


def _lookup(name: str, env: Mapping[str, Any], text: str) -> Any:
    """A parameter's value; Python reads names NFKC-normalised ('$ﬁ' as 'fi'), so parameters are matched that way."""
    if name in env:
        return env[name]
    for key, value in env.items():
        if unicodedata.normalize("NFKC", key) == name:
            return value
    raise ValueError(f"{brief(text)} uses '{name}', {unknown_name(name, env)}")


def unknown_name(name: str, env: Mapping[str, Any]) -> str:
    """Why `name` cannot be read here, and what can."""
    if not env:
        return ("which is not defined here: names read the parameters of the enclosing block and the index i of a "
                "repeat, and there are none here")
    return f"which is not defined here{did_you_mean(name, env)} (defined here: {', '.join(sorted(env))})"
