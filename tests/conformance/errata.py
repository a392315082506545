"""Every transcribed table and every erratum in one place; the check that a cell conforms; docs/errata.md's table."""
from __future__ import annotations

from pathlib import Path

from . import alexnet, googlenet, resnet, small, vgg
from .conventions import Erratum, Table, agrees

TABLES: tuple[Table, ...] = (
    alexnet.TABLE, alexnet.WORKED, alexnet.CS231N, alexnet.PAPER,
    vgg.LISTING, vgg.HEAD, vgg.CONFIGURATIONS, vgg.DESIGN,
    googlenet.TABLE1, googlenet.STEM, googlenet.HEAD,
    resnet.TABLE, resnet.STEM,
    small.LENET5, small.MLP, small.EXAMPLES, small.HEADLINES,
)
ERRATA: tuple[Erratum, ...] = alexnet.ERRATA + vgg.ERRATA + googlenet.ERRATA + resnet.ERRATA + small.ERRATA
BY_CELL: dict[tuple[str, str], Erratum] = {(e.table.key, e.cell): e for e in ERRATA}

DOC = Path(__file__).resolve().parents[2] / "docs" / "errata.md"
BEGIN, END = "<!-- errata table: begin -->", "<!-- errata table: end -->"
README = Path(__file__).resolve().parents[2] / "README.md"
LIST_BEGIN, LIST_END = "<!-- errata list: begin -->", "<!-- errata list: end -->"


def conform(table: Table, cell: str, value: str) -> None:
    """archstat's value equals the published cell, or an erratum records exactly this disagreement."""
    published = table.cells[cell]
    erratum = BY_CELL.get((table.key, cell))
    if erratum is None:
        assert agrees(published, value), f"{table} / {cell}: published {published!r}, archstat {value!r}"
        return
    assert erratum.published == published, f"erratum for {table} / {cell} quotes {erratum.published!r}"
    assert value == erratum.archstat, f"{table} / {cell}: archstat gives {value!r}, the erratum {erratum.archstat!r}"
    assert not agrees(published, value), f"{table} / {cell}: {published!r} is no longer an erratum"


def markdown() -> str:
    """The errata as a Markdown table, one row each, in the order of the tables."""
    lines = ["| Table | Cell | Published | archstat | Why |", "|---|---|---|---|---|"]
    for e in ERRATA:
        cells = (e.table.title, e.cell, e.published, e.archstat, e.why)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def sources() -> str:
    """Where each table with errata comes from and how it counts, as a Markdown list."""
    tables = {e.table.key: e.table for e in ERRATA}.values()
    return "".join(f"- **{t.title}**: {t.source}. Counted: {t.convention}.\n" for t in tables)


def block() -> str:
    """What docs/errata.md holds between its markers."""
    return f"{BEGIN}\n{markdown()}\nSources:\n\n{sources()}{END}"


def readme_block() -> str:
    """What README.md holds between its errata markers: the errata without the arithmetic."""
    lines = ["| Table | Cell | Published | archstat |", "|---|---|---|---|"]
    for e in ERRATA:
        cells = (e.table.title, e.cell, e.published, e.archstat)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return f"{LIST_BEGIN}\n" + "\n".join(lines) + f"\n{LIST_END}"
