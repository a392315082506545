"""A plain report table (check, conventions): display cells for people, raw records and data for machines."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Grid:
    """Rows of display cells under (header, alignment) columns, notes beneath, and the same numbers raw."""

    title: str
    columns: tuple[tuple[str, str], ...]
    rows: list[list[str]]
    records: list[dict[str, Any]]
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)
