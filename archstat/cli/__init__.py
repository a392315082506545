"""The `archstat` command line: thin adapters from options to the library and the renderers.

Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 the spec has problems (or a check disagrees),
2 the tool could not run. Each command module (analytic, checking, measuring) holds its commands; `app` loads
the one a command line names.
"""
from __future__ import annotations

from archstat.cli.app import EXIT_SPEC, EXIT_USAGE, app, main

__all__ = ["EXIT_SPEC", "EXIT_USAGE", "app", "main"]
