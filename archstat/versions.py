"""The oldest releases of typer and torch that archstat runs on, as pyproject.toml asks for them, and the check.

pip holds these floors when archstat is installed, but a later install of something else can move a package
below them, and archstat may run from a checkout on a machine it was never installed on; below a floor it says
so rather than misbehave (typer) or measure wrongly (torch).
"""
from __future__ import annotations

# typer older than 0.18 misreads the command line under click 8.2 and newer (typer 0.12 prints the version for
# every command); typer 0.29 runs every option through pydantic, which more than doubles the start-up time.
TYPER_RANGE = ">=0.18,<0.29"
TYPER_FLOOR = (0, 18)
# torch older than 2.4: FlopCounterMode counts no module unless handed them, and before 2.2 a tensor's storage has
# no lasting Python object, so the CPU peak-memory count loses track of which storages are alive.
TORCH_FLOOR = (2, 4)


def below(version: str, floor: tuple[int, int]) -> bool:
    """Whether a version string ('2.4.1+cu121', '0.18.0', '2.15.0.dev20261201') is older than the floor; one
    that does not start with two numbers is given the benefit of the doubt."""
    try:
        return tuple(int(part) for part in version.split(".")[:2]) < floor
    except ValueError:
        return False


def dotted(floor: tuple[int, int]) -> str:
    return ".".join(map(str, floor))
