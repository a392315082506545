"""Results as pandas DataFrames: one record per row, raw integers kept as integers (pandas imported only here)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from archstat.errors import ToolError

if TYPE_CHECKING:
    import pandas


def pandas_module() -> Any:
    """pandas, or archstat's message saying how to install it."""
    try:
        import pandas
    except ImportError:
        raise ToolError("to_frame() needs pandas: pip install 'archstat[frames]' (or pip install pandas)") from None
    return pandas


def frame(records: Sequence[dict[str, Any]]) -> pandas.DataFrame:
    """A DataFrame of the records; a column of whole numbers with gaps stays integer (Int64), not float."""
    pandas = pandas_module()
    records = list(records)
    table = pandas.DataFrame.from_records(records)
    for column in table.columns:
        values = [r.get(column) for r in records]
        given = [v for v in values if v is not None]
        if given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
            table[column] = pandas.array(values, dtype="Int64" if len(given) < len(values) else "int64")
    return table
