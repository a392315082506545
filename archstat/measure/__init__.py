"""Everything that needs torch: building a spec as a model, counting it with real tools, checking, profiling.

Nothing outside this package imports torch at module level (a test holds it to that), so the analytic path
stays torch-free; import these modules only where a command needs them. Importing the package checks that the
torch it finds is one archstat measures correctly with.
"""
from __future__ import annotations

import torch

from archstat.errors import ToolError
from archstat.versions import TORCH_FLOOR, below, dotted


def ensure_supported_torch(version: str | None = None) -> None:
    """Refuse a torch below the floor (this one's unless a version is given) before it counts or measures wrongly."""
    found = torch.__version__ if version is None else version
    if below(found, TORCH_FLOOR):
        floor = dotted(TORCH_FLOOR)
        raise ToolError(f"archstat needs torch {floor} or newer to build, count and measure models, and this Python "
                        f"has torch {found}; install a newer one: pip install 'torch>={floor}' (or 'archstat[torch]')")


ensure_supported_torch()
