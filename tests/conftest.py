"""Shared test fixtures: golden files for rendered output, rewritten with `pytest --overwrite`."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--overwrite", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """golden(name, text): compare text with tests/golden/<name>, or rewrite that file under --overwrite."""
    overwrite = request.config.getoption("--overwrite")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if overwrite:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run `pytest --overwrite` to create it")
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path}; `pytest --overwrite` rewrites it"

    return check


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked cuda skip, saying why, on a machine without a CUDA device (checked only if one is collected)."""
    marked = [item for item in items if "cuda" in item.keywords]
    if marked and not _cuda_available():
        skip = pytest.mark.skip(reason="needs a CUDA device; run benchmarks/gpu_check.sh where there is one")
        for item in marked:
            item.add_marker(skip)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under -m "not slow", a module that marks itself slow is not even imported (they import torch, which alone
    takes seconds): the fast lane stays torch-free."""
    if config.getoption("markexpr") != "not slow" or collection_path.suffix != ".py":
        return None
    return "pytestmark = pytest.mark.slow" in collection_path.read_text(encoding="utf-8") or None
