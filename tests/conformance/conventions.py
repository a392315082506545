"""How a published number is compared with archstat's: units, rounding at the published precision, errata.

The lecture convention, used unless a table says otherwise:
  - one multiply-add counts as one FLOP; pooling counts K x K per output element (archstat's 'lecture');
  - activation memory is the layer's output, 4 bytes (fp32) per element, batch 1;
  - KB = bytes / 1024, MB = KB / 1024; k / K = 1000, M = 10^6, G = 10^9 (unless a table states another unit);
  - archstat's exact integer is divided by the unit and rounded half-up at the precision the table prints
    (a cell printed "7.5" is compared at 0.1, "784" at 1);
  - a blank cell publishes nothing and is not compared; a digit cut off on the slide is written '?'
    ("22?" agrees with any three-digit value that starts with 22).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

KB = 1024  # bytes
MB = 1024 * 1024  # bytes: the lecture's 7644 KB stem is "7.5 MB"
K = 1000
M = 10**6
G = 10**9
BYTES = 4  # fp32


@dataclass(frozen=True)
class Table:
    """One published table (or group of figures): where it comes from, how it counts, and its cells as printed."""

    key: str
    title: str
    source: str
    convention: str
    cells: Mapping[str, str]

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class Erratum:
    """A published cell that is itself wrong: what it says, what archstat computes, and the arithmetic why."""

    table: Table
    cell: str
    published: str
    archstat: str
    why: str


def rows(columns: tuple[str, ...], text: str) -> dict[str, dict[str, str]]:
    """A table typed as on the slide, one row a line: its name, then one cell per column ('-' for blank)."""
    table = {}
    for line in text.strip().splitlines():
        name, *cells = line.split()
        table[name] = {column: "" if cell == "-" else cell for column, cell in zip(columns, cells, strict=True)}
    return table


LECTURE_COLUMNS = ("C in", "H/W in", "filters", "kernel", "stride", "pad", "C out", "H/W out",
                   "Memory (KB)", "Params (k)", "FLOP (M)")


def grid(rows: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Flatten {row: {column: text}} into {"row column": text}, leaving out blank cells."""
    return {f"{row} {column}": text for row, cells in rows.items() for column, text in cells.items() if text != ""}


def rounded(value: int | Fraction, unit: int | Fraction = 1, places: int = 0) -> str:
    """value / unit rounded half-up to `places` decimals: rounded(802_816, KB) == '784'."""
    scaled = Fraction(value) / Fraction(unit) * 10**places
    return _decimal(math.floor(scaled + Fraction(1, 2)), places)


def truncated(value: int | Fraction, unit: int | Fraction = 1, places: int = 0) -> str:
    """value / unit cut (not rounded) to `places` decimals: truncated(163_328, 1024) == '159'."""
    scaled = Fraction(value) / Fraction(unit) * 10**places
    return _decimal(math.floor(scaled), places)


def exact(value: int | Fraction, unit: int | Fraction = 1) -> str:
    """value / unit written out in full; only for quotients that end (182.25), else ValueError."""
    q = Fraction(value) / Fraction(unit)
    for places in range(12):
        if (q * 10**places).denominator == 1:
            return _decimal(int(q * 10**places), places)
    raise ValueError(f"{q} has no finite decimal expansion")


def places_of(text: str) -> int:
    """Decimals printed in a published number: '7.5' -> 1, '784' -> 0, '2.7K' -> 1."""
    digits = text.rstrip("KMGBx% ")
    return len(digits.split(".")[1]) if "." in digits else 0


def like(published: str, value: int | Fraction, unit: int | Fraction = 1, suffix: str = "",
         rounding=rounded) -> str:
    """archstat's value written at the precision and with the suffix of the published text."""
    return rounding(value, unit, places_of(published)) + suffix


def separated(n: int, sep: str = ",") -> str:
    """An exact count with thousands separators, as the slides write it: 23,296 or 37.748.736."""
    return f"{n:,}".replace(",", sep)


def significant(n: int, figures: int = 2) -> str:
    """n rounded half-up to `figures` significant figures with a K or M suffix: 3,211,264 -> '3.2M'."""
    unit, suffix = (M, "M") if n >= M else (K, "K") if n >= K else (1, "")
    step = 10 ** (len(str(n)) - figures)
    kept = (n + step // 2) // step * step
    return exact(kept, unit) + suffix


def legible(published: str, value: str) -> bool:
    """Whether a cell partly cut off on the slide ('22?', one '?' per lost digit) agrees with a full value."""
    return len(published) == len(value) and all(p in ("?", v) for p, v in zip(published, value))


def agrees(published: str, value: str) -> bool:
    """A published cell and archstat's value written the same way agree (cut-off digits match anything)."""
    return legible(published, value) if "?" in published else published == value


def ratio(a: int | Fraction, b: int | Fraction, places: int = 1) -> str:
    """a / b rounded half-up, written as the slides write ratios: '5.7x'."""
    return rounded(Fraction(a) / Fraction(b), 1, places) + "x"


def _decimal(n: int, places: int) -> str:
    if places == 0:
        return str(n)
    sign, digits = ("-" if n < 0 else ""), str(abs(n)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"
