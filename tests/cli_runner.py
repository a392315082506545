"""One CliRunner for every test, with stdout and stderr captured apart under each click that typer may run on.

Click 8.2 and typer's own click keep them apart by default; click 8.1 mixes them unless told not to, and the
tests assert that tables go to stdout and messages to stderr.
"""
from __future__ import annotations

import inspect

from typer.testing import CliRunner

APART = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters else {}


def cli_runner() -> CliRunner:
    """A runner whose results have .stdout and .stderr, separately."""
    return CliRunner(**APART)
