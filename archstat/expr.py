"""Tiny arithmetic for block parameters in specs: `$width` and `${width * 4}`, nothing else."""
from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod}


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def evaluate(text: str, env: Mapping[str, Any]) -> Any:
    """Value of `$name` or `${expression}` over the names in `env`; ValueError says what went wrong."""
    source = text[2:-1] if text.startswith("${") and text.endswith("}") else text[1:]
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"cannot read the expression {text!r}; write $name or ${{name * 2}}") from None
    return _eval(tree.body, env, text)


def _eval(node: ast.AST, env: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            known = ", ".join(sorted(env)) or "none"
            raise ValueError(f"{text!r} uses '{node.id}', which is not defined here (defined: {known})")
        return env[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, env, text), _eval(node.right, env, text)
        try:
            return _BINARY[type(node.op)](left, right)
        except (TypeError, ZeroDivisionError) as exc:
            raise ValueError(f"cannot compute {text!r}: {exc}") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, env, text)
    raise ValueError(f"{text!r} may only use numbers, parameter names, + - * / // % and brackets")
