"""The oldest set-up pyproject.toml allows, for CI to test: the base dependencies pinned at their floors, the test
runners, and (with --python) the oldest Python.

    python3 .ci/minimums.py             # typer==0.18, rich==13, pyyaml==6, pytest>=7, hypothesis>=6: one a line
    python3 .ci/minimums.py --python    # 3.10
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
RUNNERS = ("pytest", "hypothesis")  # what the torch-free half of the suite needs beside archstat
REQUIREMENT = re.compile(r"([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9.]+))?")  # a name, and the floor if it has one


def _quoted(text: str, key: str) -> list[str]:
    """The quoted strings of a `key = [...]` list (or the one string of `key = "..."`) in pyproject.toml."""
    found = re.search(rf"^{key} = (\[.*?\]|\"[^\"]*\")", text, flags=re.M | re.S)
    if found is None:
        raise SystemExit(f"pyproject.toml has no {key}")
    return re.findall(r'"([^"]+)"', found.group(1))


def _floor(requirement: str) -> tuple[str, str]:
    name, low = REQUIREMENT.match(requirement).groups()  # type: ignore[union-attr]  # every string has a name
    if low is None:
        raise SystemExit(f"pyproject.toml: {requirement!r} has no floor (>=) to test")
    return name, low


def floors(text: str) -> list[str]:
    """Each base dependency at the lowest release its range admits, then the test runners as the test extra asks."""
    pinned = ["{}=={}".format(*_floor(requirement)) for requirement in _quoted(text, "dependencies")]
    return pinned + [r for r in _quoted(text, "test") if _floor(r)[0] in RUNNERS]


if __name__ == "__main__":
    pyproject = PYPROJECT.read_text(encoding="utf-8")
    if "--python" in sys.argv[1:]:
        print(_floor("python" + _quoted(pyproject, "requires-python")[0])[1])
    else:
        print("\n".join(floors(pyproject)))
