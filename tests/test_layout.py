"""The package layout holds: torch lives only in archstat/measure, and the analytic path never loads it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "archstat"
HEAVY = ("torch", "fvcore", "torchvision", "pandas", "matplotlib")


def _module_level_imports(path: Path) -> set[str]:
    """Top-level package names imported by statements that run when the module is imported (not in functions)."""
    found: set[str] = set()
    todo = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            todo.extend(ast.iter_child_nodes(node))
    return found


OUTSIDE = sorted(p for p in PACKAGE.rglob("*.py") if "measure" not in p.relative_to(PACKAGE).parts)
INSIDE = sorted((PACKAGE / "measure").glob("*.py"))


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_measure_imports_a_heavy_package_at_import_time(path):
    assert not _module_level_imports(path) & set(HEAVY), path


def test_the_check_itself_sees_a_module_level_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\ntry:\n    import torch.nn\nexcept ImportError:\n    pass\n"
                     "def later():\n    import fvcore\n")
    assert _module_level_imports(probe) == {"os", "torch"}


def test_measure_is_where_the_torch_code_is():
    assert {p.name for p in INSIDE if "torch" in _module_level_imports(p)} >= {"build.py", "check.py", "counters.py"}


def test_the_analytic_path_and_the_cli_load_no_heavy_package():
    code = ("import sys, archstat, archstat.cli; archstat.analyze('resnet152');"
            "archstat.analyze('googlenet', side=True)"
            f"; print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_no_submodule_shadows_a_public_function():
    """Importing archstat.X binds X in the package: a module named like a function would replace it."""
    import importlib

    import archstat

    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "measure" in parts or parts[-1] == "__main__":
            continue
        importlib.import_module(".".join(p for p in parts if p != "__init__"))
    for name in ("analyze", "build", "compare", "load", "profile"):
        assert callable(getattr(archstat, name)) and not isinstance(getattr(archstat, name), type(archstat)), name
