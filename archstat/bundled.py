"""The specs that ship with archstat, found by name from any directory and after a plain `pip install`."""
from __future__ import annotations

import os
from pathlib import Path

from archstat.errors import brief, did_you_mean
from archstat.loader import SpecFileError


def bundled_dir() -> Path:
    """The folder of bundled specs, archstat/specs (the checkout's specs/ links to it)."""
    return Path(__file__).resolve().parent / "specs"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def bundled_fallback(ref: str | Path) -> Path | None:
    """The bundled spec a reference names when no such file exists: 'alexnet', 'alexnet.yaml' or
    'specs/alexnet.yaml' (the checkout's path, used from anywhere); None otherwise."""
    path = Path(ref)
    try:
        if path.exists() or path.parent not in (Path("."), Path("specs")):
            return None
    except (OSError, ValueError):  # resolve_spec says what is wrong with such a name
        return None
    bundled = bundled_dir() / f"{path.stem if path.suffix in ('.yaml', '.yml') else path.name}.yaml"
    return bundled if bundled.is_file() else None


def resolve_spec(ref: str | Path) -> Path:
    """A spec file path (load_spec says if it cannot be read), or the bundled spec of that name; else SpecFileError."""
    if not isinstance(ref, (str, os.PathLike)):
        raise SpecFileError(f"a spec is named by a path or a bundled name, not {brief(ref)}")
    try:
        return _resolve(Path(ref))
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL in it
        raise SpecFileError(f"cannot read spec {brief(str(ref))}: {getattr(exc, 'strerror', None) or exc}") from None


def _resolve(path: Path) -> Path:
    ref = str(path)
    if path.exists() and not path.is_dir():
        return path
    bundled = bundled_fallback(ref)
    if bundled is not None:
        return bundled
    if path.is_dir():
        raise SpecFileError(f"'{ref}' is a directory, not a spec file")
    names = bundled_names()
    raise SpecFileError(
        f"no spec file '{ref}' and no bundled spec of that name{did_you_mean(path.stem, names)} "
        f"(bundled: {', '.join(names)})"
    )
