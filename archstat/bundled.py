"""The specs that ship with archstat, found by name from any directory and after a plain `pip install`."""
from __future__ import annotations

from pathlib import Path

from archstat.errors import did_you_mean
from archstat.loader import SpecFileError


def bundled_dir() -> Path:
    """The folder of bundled specs: archstat/specs once installed, or specs/ beside the source tree."""
    package = Path(__file__).resolve().parent
    installed = package / "specs"
    return installed if installed.is_dir() else package.parent / "specs"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def resolve_spec(ref: str | Path) -> Path:
    """A spec file path (load_spec says if it cannot be read), or the bundled spec of that name; else SpecFileError."""
    path = Path(ref)
    if path.exists() and not path.is_dir():
        return path
    bundled = bundled_dir() / f"{path.stem if path.suffix in ('.yaml', '.yml') else ref}.yaml"
    if path.parent == Path(".") and bundled.is_file():
        return bundled
    if path.is_dir():
        raise SpecFileError(f"'{ref}' is a directory, not a spec file")
    names = bundled_names()
    raise SpecFileError(
        f"no spec file '{ref}' and no bundled spec of that name{did_you_mean(path.stem, names)} "
        f"(bundled: {', '.join(names)})"
    )
